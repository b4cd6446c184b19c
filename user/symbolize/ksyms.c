// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/ksyms.c - /proc/kallsyms parser and address lookup (see symbolize/ksyms.h).
 *
 * kallsyms has ~200k lines; names are kept in one string arena so loading is one pass, one sort.
 * Module names are interned (a few hundred distinct) and shared by their symbols.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "lib/array.h"
#include "symbolize/ksyms.h"
#include "lib/strset.h"

#define NAME_CHUNK (256 << 10)

/*
 * Names are almost all distinct, so they are not interned: they are packed into chunks that
 * never move (no per-name allocation, no hash table); the few module names are interned.
 */
struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	struct strset *mods; /* owns the module strings */
	char **chunks;	     /* own the names */
	size_t nchunks, used;
};

static const char *ksyms__name(struct ksyms *ks, const char *name)
{
	size_t len = strlen(name) + 1;
	char **more, *dst;

	if (!ks->nchunks || ks->used + len > NAME_CHUNK) {
		more = realloc(ks->chunks, (ks->nchunks + 1) * sizeof(*more));
		if (!more)
			return NULL;
		ks->chunks = more;
		if (!(ks->chunks[ks->nchunks] = malloc(NAME_CHUNK > len ? NAME_CHUNK : len)))
			return NULL;
		ks->nchunks++;
		ks->used = 0;
	}
	dst = ks->chunks[ks->nchunks - 1] + ks->used;
	memcpy(dst, name, len);
	ks->used += len;
	return dst;
}

static int ksyms__push(struct ksyms *ks, uint64_t addr, const char *name, const char *mod)
{
	if (array__grow((void **)&ks->syms, &ks->cap, ks->n, sizeof(*ks->syms)))
		return -ENOMEM;
	ks->syms[ks->n].addr = addr;
	ks->syms[ks->n].name = ksyms__name(ks, name);
	ks->syms[ks->n].module = strset__add(ks->mods, mod);
	if (!ks->syms[ks->n].name || !ks->syms[ks->n].module)
		return -ENOMEM;
	ks->n++;
	return 0;
}

/* The table stops growing once loaded: give back what doubling reserved. */
static void ksyms__shrink(struct ksyms *ks)
{
	struct ksym *fit = ks->n ? realloc(ks->syms, ks->n * sizeof(*fit)) : NULL;

	if (fit) {
		ks->syms = fit;
		ks->cap = ks->n;
	}
}

static int ksym__cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* One line: "ffffffff81000000 T _stext" or "ffffffffc0a01000 t ext4_fill_super\t[ext4]". */
static int ksyms__parse_line(struct ksyms *ks, char *line, int *nonzero)
{
	char type, name[512], mod[128] = "", modname[132];
	unsigned long long addr;
	int n = sscanf(line, "%llx %c %511s [%127[^]]]", &addr, &type, name, mod);

	if (n < 3)
		return 0;
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	if (addr)
		*nonzero = 1;
	if (n == 4)
		snprintf(modname, sizeof(modname), "[%s]", mod);
	return ksyms__push(ks, addr, name, n == 4 ? modname : "[kernel.kallsyms]");
}

struct ksyms *ksyms__load(const char *path)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	char line[1024];
	int nonzero = 0, err = 0;
	FILE *f = NULL;

	if (!ks || !(ks->mods = strset__new()))
		goto err_nomem;
	f = fopen(path, "re");
	if (!f) {
		err = errno;
		goto err_free;
	}
	while (!err && fgets(line, sizeof(line), f))
		err = -ksyms__parse_line(ks, line, &nonzero);
	fclose(f);
	if (err)
		goto err_free;
	if (!nonzero) {
		err = EPERM;
		goto err_free;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym__cmp);
	ksyms__shrink(ks);
	return ks;
err_nomem:
	err = ENOMEM;
err_free:
	ksyms__free(ks);
	errno = err;
	return NULL;
}

const struct ksym *ksyms__find(const struct ksyms *ks, uint64_t addr)
{
	long i;

	if (!ks)
		return NULL;
	i = array__last_le(ks->syms, ks->n, sizeof(*ks->syms), offsetof(struct ksym, addr), addr);
	return i < 0 ? NULL : &ks->syms[i];
}

size_t ksyms__count(const struct ksyms *ks)
{
	return ks ? ks->n : 0;
}

void ksyms__free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	for (size_t i = 0; i < ks->nchunks; i++)
		free(ks->chunks[i]);
	free(ks->chunks);
	strset__free(ks->mods);
	free(ks);
}
