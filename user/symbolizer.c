// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolizer.c - instruction pointers to frames (see symbolizer.h).
 *
 * State: kallsyms (loaded on the first kernel frame), the vDSO's symbols (read from our own
 * process: every process maps the same kernel image), a cache of binaries keyed by
 * (device, inode), and one record per process: its mappings at first sight and, for processes
 * still alive when we symbolize, a fresh read to catch libraries loaded later.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elf_syms.h"
#include "ksyms.h"
#include "perf_map.h"
#include "procfs.h"
#include "procmaps.h"
#include "rootfs.h"
#include "strset.h"
#include "symbolizer.h"
#include "u64map.h"

#define MAX_SNAPS 4

struct sym_binary {
	struct sym_binary *next;	/* same cache key, other file */
	uint64_t ino;
	uint32_t dev;
	struct elf_syms *syms;		/* NULL when the file could not be read */
};

struct sym_proc {
	pid_t pid, nspid;
	const char *comm;
	struct procmaps *snaps[MAX_SNAPS];	/* newest first: first sight, refreshes, exec */
	int nsnaps;
	bool late_done;			/* re-read once at symbolization time, if alive */
	int rootfd;			/* O_PATH fd of /proc/PID/root, -1 if unknown */
	struct perf_map *perf_map;
	bool perf_map_done;
	int perf_map_refused;		/* -errno of the rootfs refusal of its perf map, or 0 */
	uid_t uid, perf_map_owner;	/* effective uid, and the map's owner when refused */
};

struct symbolizer {
	struct symbolizer_opts opts;
	struct ksyms *ksyms;
	bool ksyms_done;
	struct elf_syms *vdso;
	struct u64map *procs;		/* pid -> struct sym_proc */
	struct u64map *binaries;	/* dev/ino hash -> struct sym_binary chain */
	struct strset *strs;		/* names made here: "[libc.so.6]", comms */
	struct symbolizer_refusals refused;
};

static struct elf_syms *vdso__load_self(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct procmaps *pm;
	const struct map_entry *e;
	struct elf_syms *es = NULL;

	if (!base || !(pm = procmaps__read(getpid())))
		return NULL;
	e = procmaps__find(pm, base);
	if (e && !strcmp(e->path, "[vdso]"))
		es = elf_syms__load_mem((const void *)base, e->end - e->start);
	procmaps__free(pm);
	return es;
}

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (opts)
		s->opts = *opts;
	s->procs = u64map__new();
	s->binaries = u64map__new();
	s->strs = strset__new();
	if (!s->procs || !s->binaries || !s->strs) {
		symbolizer__free(s);
		return NULL;
	}
	s->vdso = vdso__load_self();
	return s;
}

static void sym_proc__free(uint64_t key, void *val, void *ctx)
{
	struct sym_proc *p = val;

	while (p->nsnaps)
		procmaps__free(p->snaps[--p->nsnaps]);
	perf_map__free(p->perf_map);
	if (p->rootfd >= 0)
		close(p->rootfd);
	free(p);
}

static void sym_binary__free(uint64_t key, void *val, void *ctx)
{
	struct sym_binary *b = val, *next;

	for (; b; b = next) {
		next = b->next;
		elf_syms__free(b->syms);
		free(b);
	}
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	u64map__for_each(s->procs, sym_proc__free, NULL);
	u64map__for_each(s->binaries, sym_binary__free, NULL);
	u64map__free(s->procs);
	u64map__free(s->binaries);
	ksyms__free(s->ksyms);
	elf_syms__free(s->vdso);
	strset__free(s->strs);
	free(s);
}

static uint64_t binary_key(uint32_t dev, uint64_t ino)
{
	return ino ^ ((uint64_t)dev << 40) ^ ((uint64_t)dev >> 24);
}

/*
 * Open the file behind a mapping: map_files survives deletion and container roots. Either way
 * the file must pass the rootfs policy for ELF files: the process may have mapped anything.
 */
static int mapping__open(const struct sym_proc *p, const struct map_entry *e)
{
	static const struct rootfs_policy pol = { ELF_SYMS_MAX_SIZE, ROOTFS_ANY_OWNER,
						  ROOTFS_NO_SYMLINKS };
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", p->pid,
		 (unsigned long long)e->start, (unsigned long long)e->end);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd >= 0)
		return rootfs__reopen(fd, &pol);
	return rootfs__open(p->rootfd, e->path, &pol);
}

static struct sym_binary *symbolizer__binary(struct symbolizer *s, const struct sym_proc *p,
					     const struct map_entry *e, bool load)
{
	uint64_t key = binary_key(e->dev, e->inode);
	struct sym_binary *head = u64map__get(s->binaries, key), *b;
	struct elf_load_opts lo = { e->path, p->rootfd, s->opts.debug_dir, &s->refused.elf_files };
	int fd;

	for (b = head; b; b = b->next) {
		if (b->dev == e->dev && b->ino == e->inode)
			return b;
	}
	if (!load || !(b = calloc(1, sizeof(*b))))
		return NULL;
	b->dev = e->dev;
	b->ino = e->inode;
	fd = mapping__open(p, e);
	if (fd >= 0) {
		b->syms = elf_syms__load(fd, &lo);
		close(fd);
	} else if (rootfs__refused(fd)) {
		s->refused.elf_files++;
	}
	if (s->opts.verbose)
		fprintf(stderr, "bpfprof: %s: %zu symbols from %s\n", e->path,
			elf_syms__count(b->syms), b->syms ? elf_syms__source(b->syms) : "nowhere");
	b->next = head;
	if (u64map__set(s->binaries, key, b)) {
		elf_syms__free(b->syms);
		free(b);
		return NULL;
	}
	return b;
}

/* Load every file-backed executable mapping's symbols now, while the files are reachable. */
static void symbolizer__load_binaries(struct symbolizer *s, struct sym_proc *p,
				      const struct procmaps *pm)
{
	size_t i;

	for (i = 0; i < pm->n; i++) {
		if (!map_entry__is_anon(&pm->e[i]))
			symbolizer__binary(s, p, &pm->e[i], true);
	}
}

static pid_t read_nspid(pid_t pid)
{
	char *status = procfs__read(pid, "status", NULL);
	pid_t nspid = status ? procfs__nspid(status) : 0;

	free(status);
	return nspid > 0 ? nspid : pid;
}

static const char *read_comm(struct symbolizer *s, pid_t pid)
{
	char *comm = procfs__read(pid, "comm", NULL);
	const char *in = NULL;

	if (comm) {
		comm[strcspn(comm, "\n")] = '\0';
		in = comm[0] ? strset__add(s->strs, comm) : NULL;
	}
	free(comm);
	return in;
}

static struct sym_proc *symbolizer__proc(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	char path[64];

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	p->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (u64map__set(s->procs, pid, p)) {
		sym_proc__free(pid, p, NULL);
		return NULL;
	}
	return p;
}

/* Remember why the perf map at path was refused (err) and, for a wrong owner, who owns it. */
static void sym_proc__refuse_map(struct sym_proc *p, const char *path, int err)
{
	static const struct rootfs_policy any = { 0, ROOTFS_ANY_OWNER, 0 };
	int fd = err == -EPERM ? rootfs__open(p->rootfd, path, &any) : -1;
	struct stat st;

	p->perf_map_refused = err;
	if (fd >= 0 && !fstat(fd, &st))
		p->perf_map_owner = st.st_uid;
	if (fd >= 0)
		close(fd);
}

/*
 * (Re)read the process's perf map, keeping the copy we had when the file is gone: a runtime may
 * delete its map at exit, and the map only grows while the process lives. The map sits in a
 * directory every user writes, so only one owned by root or by the process's effective uid
 * (the owner of the files it creates) is read; a process gone cannot say, so none is read.
 */
static void sym_proc__read_perf_map(struct sym_proc *p)
{
	char path[64], *status = procfs__read(p->pid, "status", NULL);
	struct perf_map *pm;

	if (!status)
		return;
	p->uid = procfs__effective_id(status, "Uid:");
	free(status);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", p->nspid ? p->nspid : p->pid);
	pm = perf_map__load(p->rootfd, path, p->uid);
	if (!pm && rootfs__refused(-errno))
		sym_proc__refuse_map(p, path, -errno);
	if (!pm)
		return;
	p->perf_map_refused = 0;
	perf_map__free(p->perf_map);
	p->perf_map = pm;
}

static const struct perf_map_entry *sym_proc__jit_lookup(struct sym_proc *p, uint64_t ip)
{
	if (!p->perf_map_done) {
		p->perf_map_done = true;
		sym_proc__read_perf_map(p);
	}
	return perf_map__find(p->perf_map, ip);
}

/* Keep the newest snapshots: libraries come and go (dlopen, exec), old code may be sampled. */
static void sym_proc__push_snapshot(struct sym_proc *p, struct procmaps *pm)
{
	if (p->nsnaps == MAX_SNAPS)
		procmaps__free(p->snaps[--p->nsnaps]);
	memmove(&p->snaps[1], &p->snaps[0], p->nsnaps * sizeof(p->snaps[0]));
	p->snaps[0] = pm;
	p->nsnaps++;
}

int symbolizer__add_process(struct symbolizer *s, pid_t pid, pid_t nspid, const char *comm)
{
	struct sym_proc *p = symbolizer__proc(s, pid);
	struct procmaps *pm;

	if (!p)
		return -ENOMEM;
	p->nspid = nspid > 0 ? nspid : read_nspid(pid);
	if (comm && *comm)
		p->comm = strset__add(s->strs, comm);
	else if (!p->comm)
		p->comm = read_comm(s, pid);
	pm = procmaps__read(pid);
	if (!pm)
		return -errno;
	sym_proc__push_snapshot(p, pm);
	symbolizer__load_binaries(s, p, pm);
	sym_proc__read_perf_map(p);
	return 0;
}

const char *symbolizer__comm(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *p = u64map__get(s->procs, pid);

	if (p && p->comm)
		return p->comm;
	if (!p)
		p = symbolizer__proc(s, pid);
	if (p && !p->comm)
		p->comm = read_comm(s, pid);
	return p ? p->comm : NULL;
}

size_t symbolizer__processes(const struct symbolizer *s)
{
	return u64map__count(s->procs);
}

static void sym_proc__count_refusal(uint64_t key, void *val, void *ctx)
{
	const struct sym_proc *p = val;
	struct symbolizer_refusals *r = ctx;
	int why = p->perf_map_refused == -EPERM ? REFUSED_OWNER :
		  p->perf_map_refused == -EFBIG ? REFUSED_SIZE : REFUSED_TYPE;

	if (!p->perf_map_refused)
		return;
	r->maps[why]++;
	r->map_pid[why] = p->pid;
	if (why == REFUSED_OWNER) {
		r->file_uid = p->perf_map_owner;
		r->proc_uid = p->uid;
	}
}

const struct symbolizer_refusals *symbolizer__refusals(struct symbolizer *s)
{
	memset(s->refused.maps, 0, sizeof(s->refused.maps));
	u64map__for_each(s->procs, sym_proc__count_refusal, &s->refused);
	return &s->refused;
}

void symbolizer__kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *f)
{
	const struct ksym *k;

	if (!s->ksyms_done) {
		s->ksyms = ksyms__load(s->opts.kallsyms ? s->opts.kallsyms : "/proc/kallsyms");
		s->ksyms_done = true;
		if (!s->ksyms)
			fprintf(stderr, "bpfprof: cannot read kernel symbols (%s): kernel frames stay unnamed; run as root with kernel.kptr_restrict=0\n",
				strerror(errno));
	}
	k = ksyms__find(s->ksyms, ip);
	f->kind = FRAME_KERNEL;
	f->build_id = NULL;
	f->name = k ? k->name : "[unknown]";
	f->module = k ? k->module : "[kernel.kallsyms]";
}

/* The mapping holding ip: newest snapshot first, then a late re-read for code mapped since. */
static const struct map_entry *sym_proc__mapping(struct sym_proc *p, uint64_t ip)
{
	const struct map_entry *e = NULL;
	struct procmaps *pm;
	int i;

	for (i = 0; i < p->nsnaps && !e; i++)
		e = procmaps__find(p->snaps[i], ip);
	if (e || p->late_done)
		return e;
	p->late_done = true;
	pm = procmaps__read(p->pid);
	if (!pm)
		return NULL;
	sym_proc__push_snapshot(p, pm);
	return procmaps__find(pm, ip);
}

static const char *module_label(struct symbolizer *s, const char *path)
{
	const char *base = strrchr(path, '/');
	char buf[300];

	if (path[0] == '[')
		return path;
	snprintf(buf, sizeof(buf), "[%s]", base ? base + 1 : path);
	return strset__add(s->strs, buf);
}

static int frame__set(struct sym_frame *f, const char *name, enum frame_kind kind,
		      const char *module, const char *build_id)
{
	f->name = name ? name : "[unknown]";
	f->kind = kind;
	f->module = module;
	f->build_id = build_id;
	return 1;
}

static int symbolizer__elf(struct symbolizer *s, struct sym_proc *p, const struct map_entry *e,
			   uint64_t ip, struct sym_frame *f)
{
	struct sym_binary *b = symbolizer__binary(s, p, e, true);
	uint64_t vaddr;
	const char *name = NULL;

	if (b && elf_syms__vaddr(b->syms, ip - e->start + e->offset, &vaddr))
		name = elf_syms__find(b->syms, vaddr);
	return frame__set(f, name ? name : module_label(s, e->path), FRAME_NATIVE, e->path,
			  b ? elf_syms__build_id(b->syms) : NULL);
}

/*
 * HotSpot's own Compiler.perfmap writes "long Burn.hotA(long)": keep "Burn.hotA", the name our
 * agent and perf-map-agent write, so profiles from either source merge. Only that exact shape
 * (one return-type word, a space, a dotted name, a parameter list at the end) is touched; Node's
 * "JS:*f file:1:2" and .NET's "[Optimized]" suffixes do not match it.
 */
static const char *jit_name__java_short(struct symbolizer *s, const char *name)
{
	const char *sp = strchr(name, ' '), *paren, *dot;
	size_t len = strlen(name);

	if (!sp || len < 4 || name[len - 1] != ')' || strchr(sp + 1, ' '))
		return name;
	paren = strchr(sp + 1, '(');
	dot = memchr(sp + 1, '.', paren ? (size_t)(paren - sp - 1) : 0);
	if (!paren || !dot || paren == sp + 1)
		return name;
	return strset__addn(s->strs, sp + 1, paren - sp - 1) ?: name;
}

/* "A->B->C": A compiled (JIT), B and C inlined into it, outermost first. */
static int symbolizer__jit(struct symbolizer *s, const char *name, struct sym_frame *out,
			   int max)
{
	int n = 0;

	name = jit_name__java_short(s, name);
	while (n < max) {
		const char *arrow = strstr(name, "->");
		size_t len = arrow ? (size_t)(arrow - name) : strlen(name);

		frame__set(&out[n], strset__addn(s->strs, name, len),
			   n ? FRAME_INLINED : FRAME_JIT, NULL, NULL);
		n++;
		if (!arrow)
			break;
		name = arrow + 2;
	}
	return n;
}



int symbolizer__user(struct symbolizer *s, pid_t pid, uint64_t ip, struct sym_frame *out,
		     int max)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	const struct perf_map_entry *jit;
	const struct map_entry *e;

	if (max < 1)
		return 0;
	if (!p && symbolizer__add_process(s, pid, 0, NULL) != -ENOMEM)
		p = u64map__get(s->procs, pid);
	if (!p)
		return frame__set(out, "[unknown]", FRAME_UNKNOWN, NULL, NULL);
	e = sym_proc__mapping(p, ip);
	if (e && !strcmp(e->path, "[vdso]")) {
		const char *name = elf_syms__find(s->vdso, ip - e->start + e->offset);

		return frame__set(out, name ? name : "[vdso]", FRAME_NATIVE, "[vdso]", NULL);
	}
	if (e && !map_entry__is_anon(e))
		return symbolizer__elf(s, p, e, ip, out);
	jit = sym_proc__jit_lookup(p, ip);
	if (jit)
		return symbolizer__jit(s, jit->name, out, max);
	if (e)
		return frame__set(out, "[anon]", FRAME_NATIVE, NULL, NULL);
	return frame__set(out, "[unknown]", FRAME_UNKNOWN, NULL, NULL);
}
