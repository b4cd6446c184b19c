// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/elf_syms.c - ELF function symbols with libelf (see symbolize/elf_syms.h).
 *
 * One pass over the sections finds the symbol tables (symbolize/debuginfo.h reads the build-id
 * and debuglink); a binary stripped of .symtab then gets its symbols from a debug file.
 * Everything the lookup needs is copied out, so the ELF handle and file are closed at once; of
 * the names, only those left after aliases are dropped (one name an address).
 * libelf checks bounds for us; a corrupt file gives fewer symbols or ENOEXEC, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include "lib/array.h"
#include "symbolize/debuginfo.h"
#include "symbolize/demangle.h"
#include "symbolize/elf_syms.h"
#include "lib/strset.h"

/* libstdc++'s demangler (the Itanium C++ ABI), the one g++ and clang++ output needs. */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

struct esym {
	uint64_t addr, size;
	const char *name; /* interned, without "@VERSION"; demangled once looked up (while a
			     file is read: in its string table, len long) */
	uint8_t rank;	  /* esym__rank(): lower is the better name for a shared address */
	bool demangled;
	uint32_t len; /* while a file is read: the length of name */
};

struct load_seg {
	uint64_t offset, vaddr, filesz;
};

struct elf_syms {
	struct esym *syms;
	size_t n, cap;
	struct load_seg *segs;
	size_t nsegs;
	struct debuginfo_ids ids; /* where its debug file is */
	const char *source;
	struct strset *strs;
	bool full_names; /* elf_load_opts.full_names */
};

/* What one ELF file holds for us, filled by elf_syms__scan(). */
struct scan {
	bool has_symtab;
	Elf_Scn *symtab, *dynsym, *versym; /* versym: .gnu.version, one entry per .dynsym symbol */
};

/*
 * Which of several names at one address a person expects (glibc gives write() six: write,
 * __write, __libc_write, __GI_write, __GI___write, __GI___libc_write). Ranked, first decides:
 * an internal alias loses, "__GI_" (glibc's aliases for its calls to itself) most, then "___"
 * and "__vdso_" (glibc's implementation names behind public ones, ___pthread_mutex_lock; the
 * vDSO's behind the weak clock_gettime & co, which perf shows but nobody calls); then global and
 * default-versioned ("name@@VER" in .symtab, the default in .gnu.version for .dynsym), global,
 * weak, a hidden version ("name@VER": a compat symbol, bound only by old binaries, still better
 * than a local name), local. Ties go to fewer leading underscores, then the longer name, as perf
 * does (esym__cmp). So libc's functions come out as perf names them from .dynsym, the table a
 * caller links against: malloc, write, read, pthread_mutex_lock, and __libc_pread (the one
 * global of pread's names; pread64 is weak).
 */
enum {
	RANK_GLOBAL_DEFAULT,
	RANK_GLOBAL,
	RANK_WEAK,
	RANK_HIDDEN_VERSION,
	RANK_LOCAL,
	RANK_IMPL = 1 << 3,	/* added: "___", "__vdso_" */
	RANK_GI_ALIAS = 1 << 4, /* added: "__GI_" */
};

/*
 * The rank of a symbol named name (with its "@VER"/"@@VER" suffix, as .symtab spells symbols
 * bound to a version) of binding bind; ver is its .gnu.version entry, -1 when none.
 */
static uint8_t esym__rank(const char *name, int bind, int ver)
{
	const char *at = strchr(name, '@');
	bool hidden = ver >= 0 ? ver & 0x8000 : at && at[1] != '@';
	bool deflt = ver >= 0 ? (ver & 0x7fff) > 1 && !hidden : at && at[1] == '@';
	uint8_t r = RANK_GLOBAL;

	if (bind == STB_LOCAL)
		r = RANK_LOCAL;
	else if (hidden)
		r = RANK_HIDDEN_VERSION;
	else if (bind == STB_WEAK)
		r = RANK_WEAK;
	else if (deflt)
		r = RANK_GLOBAL_DEFAULT;
	if (!strncmp(name, "__GI_", 5))
		r |= RANK_GI_ALIAS;
	else if (!strncmp(name, "___", 3) || !strncmp(name, "__vdso_", 7))
		r |= RANK_IMPL;
	return r;
}

static void elf_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

/*
 * Add a symbol; its name is kept without the "@VER"/"@@VER" suffix, and without glibc's "__GI_"
 * prefix: "__GI_x" is by glibc's convention the hidden alias of x, and where a debug file holds
 * only the alias (ld.so's __GI___tunables_init) x is still the name a person knows. The rank,
 * from the full name, keeps such a name behind any other at its address.
 */
static int elf_syms__push(struct elf_syms *es, uint64_t addr, uint64_t size, const char *name,
			  uint8_t rank)
{
	const char *at;
	size_t len;

	if (!strncmp(name, "__GI_", 5) && name[5])
		name += 5;
	at = strchr(name, '@');
	len = at && at > name ? (size_t)(at - name) : strlen(name);
	if (len > UINT32_MAX || array__grow((void **)&es->syms, &es->cap, es->n, sizeof(*es->syms)))
		return -ENOMEM;
	es->syms[es->n++] = (struct esym){ addr, size, name, rank, false, (uint32_t)len };
	return 0;
}

/* The symbols of scn; versym, when not NULL, is the .gnu.version section that goes with it. */
static int elf_syms__settle(struct elf_syms *es, size_t first);

static int elf_syms__read_symbols(struct elf_syms *es, Elf *elf, Elf_Scn *scn, Elf_Scn *versym)
{
	Elf_Data *data, *vdata = versym ? elf_getdata(versym, NULL) : NULL;
	size_t i, count, first = es->n;
	GElf_Shdr sh;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
		return 0;
	count = sh.sh_size / sh.sh_entsize;
	for (i = 0; i < count; i++) {
		GElf_Versym ver;
		GElf_Sym sym;
		const char *name;
		int type, v;

		if (!gelf_getsym(data, i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    !sym.st_value)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		v = vdata && gelf_getversym(vdata, i, &ver) ? ver : -1;
		if (elf_syms__push(es, sym.st_value, sym.st_size, name,
				   esym__rank(name, GELF_ST_BIND(sym.st_info), v))) {
			es->n = first; /* their names point into the file */
			return -ENOMEM;
		}
	}
	return elf_syms__settle(es, first);
}

static int elf_syms__read_segments(struct elf_syms *es, Elf *elf)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n))
		return 0;
	es->segs = calloc(n ? n : 1, sizeof(*es->segs));
	if (!es->segs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		es->segs[es->nsegs++] = (struct load_seg){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
	}
	return 0;
}

/* Remember the symbol tables; read the build-id and debuglink (symbolize/debuginfo.h). */
static int elf_syms__scan(struct elf_syms *es, Elf *elf, struct scan *sc)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx))
		return -ENOEXEC;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			sc->symtab = scn;
			sc->has_symtab = sh.sh_size > sh.sh_entsize;
		} else if (sh.sh_type == SHT_DYNSYM) {
			sc->dynsym = scn;
		} else if (sh.sh_type == SHT_GNU_versym) {
			sc->versym = scn;
		}
	}
	debuginfo__read_ids(&es->ids, elf);
	return 0;
}

/* Symbols from a separate debug file: fd's .symtab, appended to es. 0 when it had some. */
static int elf_syms__load_debug_fd(struct elf_syms *es, int fd, const char *path)
{
	struct elf_syms tmp = { 0 };
	struct scan sc = { 0 };
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int err = -ENOENT;

	if (!elf)
		return -ENOEXEC;
	tmp.strs = es->strs; /* reuse the arena; only build-id/debuglink land in tmp */
	if (!elf_syms__scan(&tmp, elf, &sc) && sc.has_symtab) {
		err = elf_syms__read_symbols(es, elf, sc.symtab, NULL);
		if (!err)
			es->source = strset__add(es->strs, path);
	}
	elf_end(elf);
	return err;
}

static int elf_syms__take_debug(int fd, const char *path, void *ctx)
{
	return elf_syms__load_debug_fd(ctx, fd, path);
}

/* Symbols from the binary's separate debug file (symbolize/debuginfo.h), when there is one. */
static void elf_syms__find_debug(struct elf_syms *es, const struct elf_load_opts *o)
{
	struct debuginfo_where w = { o->path, o->rootfd, o->debug_dir, o->refused };

	debuginfo__find(&es->ids, &w, elf_syms__take_debug, es);
}

static size_t name__underscores(const char *name)
{
	return strspn(name, "_");
}

/* By address; at one address sized symbols first, then the best name (esym__rank). */
static int esym__cmp(const void *a, const void *b)
{
	const struct esym *x = a, *y = b;
	size_t ux, uy, lx, ly;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (!x->size != !y->size)
		return x->size ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	ux = name__underscores(x->name);
	uy = name__underscores(y->name);
	if (ux != uy)
		return ux < uy ? -1 : 1;
	lx = x->len;
	ly = y->len;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return strncmp(x->name, y->name, lx);
}

/*
 * The symbols from first on, just read from one file (their names still in its string table):
 * sorted, aliases at one address dropped (the first kept: sized, the best name), and the names
 * left copied out. 0 or -ENOMEM.
 */
static int elf_syms__settle(struct elf_syms *es, size_t first)
{
	struct esym *v = es->syms + first;
	size_t n = es->n - first, i, j = 0;

	qsort(v, n, sizeof(*v), esym__cmp);
	for (i = 0; i < n; i++) {
		if (j && v[j - 1].addr == v[i].addr)
			continue;
		v[j++] = v[i];
	}
	es->n = first + j;
	for (i = 0; i < j; i++) {
		v[i].name = strset__addn(es->strs, v[i].name, v[i].len);
		if (!v[i].name) {
			es->n = first + i; /* the rest still point into the file */
			return -ENOMEM;
		}
	}
	return 0;
}

/* Sort and drop aliases at the same address (keep the first: sized, the best name). */
static void elf_syms__finish(struct elf_syms *es)
{
	size_t i, j = 0;

	for (i = 1; i < es->n && es->syms[i - 1].addr < es->syms[i].addr; i++)
		;
	if (i >= es->n) /* one file's, settled already */
		return;
	qsort(es->syms, es->n, sizeof(*es->syms), esym__cmp);
	for (i = 0; i < es->n; i++) {
		if (j && es->syms[j - 1].addr == es->syms[i].addr)
			continue;
		es->syms[j++] = es->syms[i];
	}
	es->n = j;
}

static struct elf_syms *elf_syms__from_elf(Elf *elf, const struct elf_load_opts *opts)
{
	struct elf_syms *es = calloc(1, sizeof(*es));
	struct scan sc = { 0 };
	int err = -ENOMEM;

	if (!es || !(es->strs = strset__new()))
		goto err_free;
	es->full_names = opts && opts->full_names;
	err = elf_syms__scan(es, elf, &sc);
	if (!err)
		err = elf_syms__read_segments(es, elf);
	if (!err && sc.has_symtab) {
		err = elf_syms__read_symbols(es, elf, sc.symtab, NULL);
		es->source = "symtab";
	} else if (!err) {
		if (opts)
			elf_syms__find_debug(es, opts);
		if (!es->n && sc.dynsym) {
			err = elf_syms__read_symbols(es, elf, sc.dynsym, sc.versym);
			es->source = "dynsym";
		}
	}
	if (err)
		goto err_free;
	elf_syms__finish(es);
	return es;
err_free:
	elf_syms__free(es);
	errno = -err;
	return NULL;
}

struct elf_syms *elf_syms__load(int fd, const struct elf_load_opts *opts)
{
	struct elf_syms *es;
	Elf *elf;

	elf_init();
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		errno = ENOEXEC;
		return NULL;
	}
	es = elf_syms__from_elf(elf, opts);
	elf_end(elf);
	return es;
}

struct elf_syms *elf_syms__load_mem(const void *image, size_t size)
{
	struct elf_syms *es;
	char *copy = malloc(size); /* elf_memory wants a writable buffer */
	Elf *elf;

	if (!copy)
		return NULL;
	memcpy(copy, image, size);
	elf_init();
	elf = elf_memory(copy, size);
	if (!elf) {
		free(copy);
		errno = ENOEXEC;
		return NULL;
	}
	es = elf_syms__from_elf(elf, NULL);
	elf_end(elf);
	free(copy);
	return es;
}

bool elf_syms__vaddr(const struct elf_syms *es, uint64_t file_off, uint64_t *vaddr)
{
	size_t i;

	for (i = 0; es && i < es->nsegs; i++) {
		const struct load_seg *s = &es->segs[i];

		if (file_off >= s->offset && file_off < s->offset + s->filesz) {
			*vaddr = file_off - s->offset + s->vaddr;
			return true;
		}
	}
	return false;
}

/* Demangle and shorten a symbol's name once, at its first lookup (most are never looked up). */
static const char *esym__name(struct elf_syms *es, struct esym *s)
{
	const char *name = s->name, *in;
	char *dm = NULL, buf[1024];
	int status = -1;

	if (s->demangled)
		return s->name;
	s->demangled = true;
	if (!strncmp(s->name, "_Z", 2)) {
		dm = __cxa_demangle(s->name, NULL, NULL, &status);
		if (dm && !status)
			name = dm;
	}
	if (!es->full_names && demangle__short(name, buf, sizeof(buf)) < sizeof(buf))
		name = buf;
	if (strcmp(name, s->name) && (in = strset__add(es->strs, name)))
		s->name = in;
	free(dm);
	return s->name;
}

const char *elf_syms__find(struct elf_syms *es, uint64_t vaddr)
{
	struct esym *s;
	long i;

	if (!es)
		return NULL;
	i = array__last_le(es->syms, es->n, sizeof(*es->syms), offsetof(struct esym, addr), vaddr);
	if (i < 0)
		return NULL;
	s = &es->syms[i];
	/* A sized symbol that ends before vaddr does not own it (a gap: stripped static code). */
	if (s->size && vaddr >= s->addr + s->size)
		return NULL;
	return esym__name(es, s);
}

const char *elf_syms__build_id(const struct elf_syms *es)
{
	return es && es->ids.build_id[0] ? es->ids.build_id : NULL;
}

size_t elf_syms__count(const struct elf_syms *es)
{
	return es ? es->n : 0;
}

const char *elf_syms__source(const struct elf_syms *es)
{
	return es && es->source ? es->source : "none";
}

void elf_syms__free(struct elf_syms *es)
{
	if (!es)
		return;
	free(es->syms);
	free(es->segs);
	strset__free(es->strs);
	free(es);
}
