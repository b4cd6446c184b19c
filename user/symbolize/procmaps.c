// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/procmaps.c - /proc/PID/maps parser (see symbolize/procmaps.h).
 *
 * Line format: "start-end perms offset major:minor inode   path", path optional and possibly
 * with spaces or a " (deleted)" suffix. Lines that do not parse are skipped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "lib/array.h"
#include "symbolize/procmaps.h"

static int procmaps__push(struct procmaps *pm, size_t *cap, const struct map_entry *e)
{
	if (array__grow((void **)&pm->e, cap, pm->n, sizeof(*pm->e)))
		return -ENOMEM;
	pm->e[pm->n++] = *e;
	return 0;
}

/* Parse one line into e; 1 if it is an executable mapping, 0 to skip, -ENOMEM. */
/* A hex or decimal field ending at the next sep; false when there is none. */
static bool field(const char **p, int base, char sep, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(*p, &end, base);
	if (end == *p || *end != sep || errno)
		return false;
	*p = end + 1;
	return true;
}

/*
 * "start-end perms offset maj:min inode   path". Only executable mappings are kept, and the
 * others are skipped after a look at their perms: most lines of a big process are data.
 */
static int map_entry__parse(struct map_entry *e, const char *line)
{
	unsigned long long start, end, off, maj, min, ino;
	const char *p = strchr(line, ' ');
	size_t len;

	if (!p || strlen(p) < 6 || p[3] != 'x')
		return 0;
	p = line;
	if (!field(&p, 16, '-', &start) || !field(&p, 16, ' ', &end) || end <= start)
		return 0;
	p += 5; /* perms and their space */
	if (!field(&p, 16, ' ', &off) || !field(&p, 16, ':', &maj) || !field(&p, 16, ' ', &min))
		return 0;
	if (!field(&p, 10, ' ', &ino) && !field(&p, 10, '\n', &ino))
		return 0;
	p += strspn(p, " ");
	len = strcspn(p, "\n");
	e->path = strndup(p, len);
	if (!e->path)
		return -ENOMEM;
	e->start = start;
	e->end = end;
	e->offset = off;
	e->inode = ino;
	e->dev = makedev(maj, min);
	return 1;
}

/* Snapshots are kept for the whole recording, one per process and more: no spare room. */
static void procmaps__shrink(struct procmaps *pm, size_t cap)
{
	struct map_entry *e = pm->n && pm->n < cap ? realloc(pm->e, pm->n * sizeof(*e)) : NULL;

	if (e)
		pm->e = e;
}

static int map_entry__cmp(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct procmaps *procmaps__parse(FILE *f)
{
	struct procmaps *pm = calloc(1, sizeof(*pm));
	size_t cap = 0, linecap = 0;
	char *line = NULL;
	struct map_entry e;
	int r;

	if (!pm)
		return NULL;
	while (getline(&line, &linecap, f) > 0) {
		r = map_entry__parse(&e, line);
		if (r < 0 || (r > 0 && procmaps__push(pm, &cap, &e))) {
			free(line);
			procmaps__free(pm);
			errno = ENOMEM;
			return NULL;
		}
	}
	free(line);
	if (pm->n)
		qsort(pm->e, pm->n, sizeof(*pm->e), map_entry__cmp);
	procmaps__shrink(pm, cap);
	return pm;
}

struct procmaps *procmaps__read(pid_t pid)
{
	char buf[32 << 10]; /* on the stack: the JVM watcher reads maps from its own thread */
	struct procmaps *pm;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			errno = ESRCH;
		return NULL;
	}
	setvbuf(f, buf, _IOFBF, sizeof(buf)); /* the kernel fills what fits: fewer reads */
	pm = procmaps__parse(f);
	fclose(f);
	if (pm && !pm->n) { /* a zombie or kernel thread: nothing to symbolize with */
		procmaps__free(pm);
		errno = ESRCH;
		return NULL;
	}
	return pm;
}

const struct map_entry *procmaps__find(const struct procmaps *pm, uint64_t addr)
{
	size_t lo = 0, hi = pm ? pm->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct map_entry *e = &pm->e[mid];

		if (addr < e->start)
			hi = mid;
		else if (addr >= e->end)
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}

static bool procmaps__overlaps(const struct procmaps *pm, const struct map_entry *e)
{
	for (size_t i = 0; i < pm->n; i++) {
		if (pm->e[i].start < e->end && e->start < pm->e[i].end)
			return true;
	}
	return false;
}

/* Is e (of pms[k]) shadowed by a newer snapshot? */
static bool procmaps__shadowed(struct procmaps *const *pms, int k, const struct map_entry *e)
{
	for (int j = 0; j < k; j++) {
		if (procmaps__overlaps(pms[j], e))
			return true;
	}
	return false;
}

struct procmaps *procmaps__merge(struct procmaps *const *pms, int n)
{
	struct procmaps *out = calloc(1, sizeof(*out));
	size_t total = 0;
	int k;

	for (k = 0; k < n; k++)
		total += pms[k]->n;
	if (out && total && !(out->e = calloc(total, sizeof(*out->e)))) {
		free(out);
		return NULL;
	}
	if (!out)
		return NULL;
	/* Oldest first: the newer snapshots an entry is checked against are still whole. */
	for (k = n - 1; k >= 0; k--) {
		for (size_t i = 0; i < pms[k]->n; i++) {
			if (!procmaps__shadowed(pms, k, &pms[k]->e[i]))
				out->e[out->n++] = pms[k]->e[i];
			else
				free(pms[k]->e[i].path);
		}
		pms[k]->n = 0;
	}
	if (out->n)
		qsort(out->e, out->n, sizeof(*out->e), map_entry__cmp);
	return out;
}

bool procmaps__equal(const struct procmaps *a, const struct procmaps *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct map_entry *x = &a->e[i], *y = &b->e[i];

		if (x->start != y->start || x->end != y->end || x->offset != y->offset ||
		    x->inode != y->inode || x->dev != y->dev || strcmp(x->path, y->path))
			return false;
	}
	return true;
}

int map_entry__is_anon(const struct map_entry *e)
{
	return !e->inode || !e->path[0] || !strncmp(e->path, "[anon", 5) ||
	       !strncmp(e->path, "/memfd:", 7);
}

void procmaps__free(struct procmaps *pm)
{
	size_t i;

	if (!pm)
		return;
	for (i = 0; i < pm->n; i++)
		free(pm->e[i].path);
	free(pm->e);
	free(pm);
}
