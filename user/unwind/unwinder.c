// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * unwind/unwinder.c - per-binary unwind tables in the BPF maps, shared across processes (see
 * unwinder.h).
 *
 * The rows of every table live in one BPF array, mapped into this process, so a table of 200k
 * rows (libjvm) is one memcpy rather than 200k map updates. Runs of it are handed out first-fit
 * from a sorted free list whose neighbours merge on release: tables come and go with the
 * processes that map them, and a long host-wide run must not fragment the array into uselessness.
 * A process's mappings are read from /proc/PID/maps when it is added (first sight, exec); each
 * file is opened through /proc/PID/map_files and the rootfs policy (lib/rootfs.h), since the
 * process chooses what it maps. The vDSO has no file: its table is built once from our own,
 * which the kernel gives every 64-bit process alike.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/types.h>
#include "lib/array.h"
#include "lib/log.h"
#include "lib/rootfs.h"
#include "lib/u64map.h"
#include "lib/util.h"
#include "symbolize/debuginfo.h"
#include "symbolize/procmaps.h"
#include "unwind/unwind_table.h"
#include "unwind/unwinder.h"

#define UNWIND_MAX_FILE (8ULL << 30) /* as symbolize/elf_syms.h: time, not memory, is bounded */
#define VDSO_KEY 1		     /* no file has device 0, inode 1 */
/*
 * A table no live process maps is kept this long (or until its rows are needed): a host where
 * `ls` runs every second would otherwise build libc's table every second.
 */
#define UNWIND_IDLE_S 30.0

struct ubin {
	uint32_t dev;
	uint64_t inode;
	char *path;
	struct unwind_seg *segs;
	size_t nsegs;
	uint32_t first_row, nrows; /* nrows 0: no table (failed, or no room) */
	unsigned refs;		   /* mappings of added processes, +1 for the vDSO */
	bool no_room;		   /* built, but unwind_rows had no room: try again later */
	double idle_since;	   /* monotonic s when its last process went, 0 while mapped */
	double build_ms;
	bool pending; /* deferred: in the pending stack, to be built from src */
	bool retry; /* deferred: could not be opened; the next process mapping it queues it again */
	pid_t src_pid;
	uint64_t src_start, src_end; /* a mapping of it in src_pid, to open through map_files */
};

struct uproc {
	struct ubin **bins; /* one claim per mapping */
	size_t nbins, cap;
	bool published; /* has an unwind_procs entry */
};

struct extent {
	uint32_t start, len;
};

struct unwinder {
	int rows_fd, procs_fd;
	uint32_t capacity;
	struct unwind_row *rows; /* the BPF array, mapped */
	size_t rows_len;	 /* bytes mapped */
	struct u64map *bins;	 /* binary key -> struct ubin */
	struct u64map *procs;	 /* pid -> struct uproc */
	struct extent *free;	 /* free runs of rows, sorted by start, not touching */
	size_t nfree, cap_free;
	struct ubin *vdso;
	struct unwinder_stats st;
	double last_sweep; /* monotonic s */
	dev_t self_dev;	   /* our executable: a process running it is us, or our command's */
	ino_t self_ino;	   /* child before its exec; neither gets tables (an exec follows) */
	bool deferred;	   /* unwinder__set_deferred(): builds wait for unwinder__build_next() */
	struct ubin **pending; /* binaries to build, the newest on top */
	size_t npending, cap_pending;
};

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the rows array: first-fit runs ---- */

static int rows__alloc(struct unwinder *u, uint32_t n, uint32_t *start)
{
	for (size_t i = 0; i < u->nfree; i++) {
		struct extent *e = &u->free[i];

		if (e->len < n)
			continue;
		*start = e->start;
		e->start += n;
		e->len -= n;
		if (!e->len) {
			memmove(e, e + 1, (u->nfree - i - 1) * sizeof(*e));
			u->nfree--;
		}
		return 0;
	}
	return -ENOSPC;
}

/* Give [start, start + n) back, merging it with the runs it touches. */
static int rows__release(struct unwinder *u, uint32_t start, uint32_t n)
{
	size_t i = 0;

	while (i < u->nfree && u->free[i].start < start)
		i++;
	if (i > 0 && u->free[i - 1].start + u->free[i - 1].len == start) {
		u->free[i - 1].len += n;
		if (i < u->nfree && start + n == u->free[i].start) {
			u->free[i - 1].len += u->free[i].len;
			memmove(&u->free[i], &u->free[i + 1],
				(u->nfree - i - 1) * sizeof(*u->free));
			u->nfree--;
		}
		return 0;
	}
	if (i < u->nfree && start + n == u->free[i].start) {
		u->free[i].start = start;
		u->free[i].len += n;
		return 0;
	}
	if (array__grow((void **)&u->free, &u->cap_free, u->nfree, sizeof(*u->free)))
		return -ENOMEM;
	memmove(&u->free[i + 1], &u->free[i], (u->nfree - i) * sizeof(*u->free));
	u->free[i] = (struct extent){ start, n };
	u->nfree++;
	return 0;
}

/* ---- binaries ---- */

static uint64_t bin_key(uint32_t dev, uint64_t inode)
{
	return (inode * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)dev << 1) ^ 2; /* never VDSO_KEY */
}

static void ubin__free(struct ubin *b)
{
	if (!b)
		return;
	free(b->path);
	free(b->segs);
	free(b);
}

static void unwinder__sweep(struct unwinder *u, double idle_s);

/* Copy t's rows into the array and keep what biases need; b->nrows stays 0 without room. */
static void unwinder__publish(struct unwinder *u, struct ubin *b, struct unwind_table *t)
{
	free(b->segs);
	b->segs = t->segs;
	b->nsegs = t->nsegs;
	t->segs = NULL;
	b->no_room = t->n > UINT32_MAX || rows__alloc(u, t->n, &b->first_row);
	if (b->no_room && t->n <= UINT32_MAX) { /* make room: let go of every idle table */
		b->refs++; /* but not of b itself: nothing maps it yet, and it is in use here */
		unwinder__sweep(u, 0);
		b->refs--;
		b->no_room = rows__alloc(u, t->n, &b->first_row) != 0;
	}
	if (b->no_room) {
		u->st.no_room++;
		pr_debug("unwind: no room for the %zu rows of %s (unwind_rows holds %u)", t->n,
			 b->path, u->capacity);
		return;
	}
	memcpy(&u->rows[b->first_row], t->rows, t->n * sizeof(*t->rows));
	b->nrows = t->n;
	u->st.rows += t->n;
	u->st.tables++;
	if (u->st.rows > u->st.peak_rows)
		u->st.peak_rows = u->st.rows;
	if (u->st.tables > u->st.peak_tables)
		u->st.peak_tables = u->st.tables;
	u->st.text_bytes += t->text_bytes;
}

/*
 * Build and publish b's table from the file open at fd, mapped by pid (its debug file is looked
 * for in pid's root), or from the image at mem.
 */
static void unwinder__build(struct unwinder *u, struct ubin *b, int fd, pid_t pid, const void *mem,
			    size_t len)
{
	struct debuginfo_where where = { .path = b->path, .rootfd = -1 };
	struct unwind_table *t = NULL;
	double t0 = cpu_ms();
	char root[64];
	int err;

	if (!mem) {
		snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
		where.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	err = mem ? unwind_table__build_mem(mem, len, &t) : unwind_table__build(fd, &where, &t);
	if (where.rootfd >= 0)
		close(where.rootfd);
	b->build_ms = cpu_ms() - t0;
	u->st.build_ms += b->build_ms;
	if (err) {
		u->st.failed++;
		pr_debug("unwind: no table for %s: %s", b->path, strerror(-err));
		return;
	}
	u->st.built++;
	unwinder__publish(u, b, t);
	pr_debug("unwind: %s: %zu rows from %s in %.1f ms", b->path, t->n, t->source, b->build_ms);
	unwind_table__free(t);
}

static int open_mapping(pid_t pid, uint64_t start, uint64_t end)
{
	static const struct rootfs_policy pol = { UNWIND_MAX_FILE, ROOTFS_ANY_OWNER,
						  ROOTFS_NO_SYMLINKS };
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)start, (unsigned long long)end);
	fd = open(path, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : rootfs__reopen(fd, &pol);
}

/* Deferred: b goes on the pending stack, to be opened through pid's mapping e. */
static struct ubin *unwinder__defer(struct unwinder *u, struct ubin *b, pid_t pid,
				    const struct map_entry *e)
{
	if (b->pending)
		return b;
	if (array__grow((void **)&u->pending, &u->cap_pending, u->npending, sizeof(*u->pending)))
		return b; /* no memory: it stays without a table until another process maps it */
	b->pending = true;
	b->retry = false;
	b->src_pid = pid;
	b->src_start = e->start;
	b->src_end = e->end;
	u->pending[u->npending++] = b;
	return b;
}

/*
 * The binary behind e, built on first sight (or queued, deferred); NULL on ENOMEM, a key clash,
 * or a file that could not be opened (the process may have exec'd or unmapped it meanwhile: the
 * next process mapping it tries again, where a file without CFI is remembered as such).
 */
static struct ubin *unwinder__binary(struct unwinder *u, pid_t pid, const struct map_entry *e)
{
	uint64_t key = bin_key(e->dev, e->inode);
	struct ubin *b = u64map__get(u->bins, key);
	int fd;

	if (b && (b->dev != e->dev || b->inode != e->inode))
		return NULL;
	if (b && !b->no_room && !b->retry)
		return b;
	if (u->deferred) {
		if (!b) {
			b = calloc(1, sizeof(*b));
			if (!b || !(b->path = strdup(e->path)) || u64map__set(u->bins, key, b)) {
				ubin__free(b);
				return NULL;
			}
			b->dev = e->dev;
			b->inode = e->inode;
		}
		return unwinder__defer(u, b, pid, e);
	}
	fd = open_mapping(pid, e->start, e->end);
	if (fd < 0) {
		pr_debug("unwind: cannot open %s of pid %d: %s", e->path, (int)pid, strerror(-fd));
		return b;
	}
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b || !(b->path = strdup(e->path)) || u64map__set(u->bins, key, b)) {
			ubin__free(b);
			close(fd);
			return NULL;
		}
		b->dev = e->dev;
		b->inode = e->inode;
	}
	unwinder__build(u, b, fd, pid, NULL, 0); /* again after no room: rows may have been freed */
	close(fd);
	return b;
}

/* b's last mapping is gone: keep its table a while (UNWIND_IDLE_S) for the next process. */
static void unwinder__unref(struct unwinder *u, struct ubin *b)
{
	if (!--b->refs)
		b->idle_since = mono_s();
}

static void unwinder__evict(struct unwinder *u, struct ubin *b)
{
	if (b->nrows) {
		rows__release(u, b->first_row, b->nrows);
		u->st.rows -= b->nrows;
		u->st.tables--;
	}
	u64map__del(u->bins, bin_key(b->dev, b->inode));
	ubin__free(b);
}

struct sweep {
	struct ubin **victims;
	size_t n, cap;
	double before;
};

static void sweep__collect(uint64_t key, void *val, void *ctx)
{
	struct sweep *sw = ctx;
	struct ubin *b = val;

	if (b->refs || b->pending || b->idle_since > sw->before ||
	    array__grow((void **)&sw->victims, &sw->cap, sw->n, sizeof(*sw->victims)))
		return;
	sw->victims[sw->n++] = b;
}

/* Free the tables no process has mapped for idle_s seconds (0: every idle one). */
static void unwinder__sweep(struct unwinder *u, double idle_s)
{
	struct sweep sw = { .before = mono_s() - idle_s };

	u->last_sweep = mono_s();
	u64map__for_each(u->bins, sweep__collect, &sw);
	for (size_t i = 0; i < sw.n; i++)
		unwinder__evict(u, sw.victims[i]);
	free(sw.victims);
}

static struct ubin *vdso__build(struct unwinder *u)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct procmaps *pm;
	const struct map_entry *e;
	struct ubin *b;

	if (!base || !(pm = procmaps__read(getpid())))
		return NULL;
	e = procmaps__find(pm, base);
	b = calloc(1, sizeof(*b));
	if (b && !(b->path = strdup("[vdso]"))) {
		free(b);
		b = NULL;
	}
	if (b && e && !strcmp(e->path, "[vdso]")) {
		b->refs = 1;
		unwinder__build(u, b, -1, 0, (const void *)base, e->end - e->start);
	}
	procmaps__free(pm);
	return b;
}

/* ---- processes ---- */

static int uproc__claim(struct uproc *p, struct ubin *b)
{
	if (array__grow((void **)&p->bins, &p->cap, p->nbins, sizeof(*p->bins)))
		return -ENOMEM;
	p->bins[p->nbins++] = b;
	b->refs++;
	b->idle_since = 0;
	return 0;
}

/*
 * The BPF entry's mapping for e of binary b (NULL: JIT code): with rows when b has them and e a
 * bias, without (frame-pointer steps) otherwise. Mappings without rows are listed too, so that a
 * pc outside every mapping means one mapped since. True when it has rows.
 */
static bool proc_map(const struct ubin *b, const struct map_entry *e, struct unwind_map *m)
{
	struct unwind_table t = { .segs = b ? b->segs : NULL, .nsegs = b ? b->nsegs : 0 };
	uint64_t bias;

	*m = (struct unwind_map){ .start = e->start, .end = e->end };
	if (!b || !b->nrows || !unwind_table__bias(&t, e->start, e->offset, &bias))
		return false;
	m->bias = bias;
	m->first_row = b->first_row;
	m->nrows = b->nrows;
	return true;
}

/* Claim the binaries of pm's mappings for p and fill the BPF entry v; *rows: any with rows. */
static int unwinder__fill(struct unwinder *u, pid_t pid, const struct procmaps *pm, struct uproc *p,
			  struct unwind_proc *v, bool *rows)
{
	*rows = false;
	for (size_t i = 0; i < pm->n; i++) {
		const struct map_entry *e = &pm->e[i];
		struct ubin *b = NULL;

		if (!strcmp(e->path, "[vdso]"))
			b = u->vdso;
		else if (!map_entry__is_anon(e) && e->path[0] == '/')
			b = unwinder__binary(u, pid, e);
		if (b && uproc__claim(p, b))
			return -ENOMEM;
		if (v->nmaps < UNWIND_MAX_MAPS)
			*rows |= proc_map(b, e, &v->maps[v->nmaps++]);
		else /* frame-pointer steps there */
			v->flags |= UNWIND_PROC_TRUNCATED;
	}
	return 0;
}

static void uproc__release(struct unwinder *u, struct uproc *p)
{
	for (size_t i = 0; i < p->nbins; i++)
		unwinder__unref(u, p->bins[i]);
	free(p->bins);
	free(p);
}

/* Is pid running our own executable (ourselves, or a command not exec'd yet)? */
static bool unwinder__is_self(const struct unwinder *u, pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return !stat(path, &st) && st.st_dev == u->self_dev && st.st_ino == u->self_ino;
}

int unwinder__add_process(struct unwinder *u, pid_t pid, bool again)
{
	struct uproc *old = u64map__del(u->procs, pid), *p = NULL;
	struct unwind_proc *v = NULL;
	struct procmaps *pm;
	__u32 key = pid;
	bool rows = false;
	int err;

	if (unwinder__is_self(u, pid))
		return 0; /* frame pointers for us; a command gets its tables at its exec */
	if (mono_s() - u->last_sweep >= 1)
		unwinder__sweep(u, UNWIND_IDLE_S);
	/* An exec: the new image's claims come first, so tables both images map are kept. */
	pm = procmaps__read(pid);
	err = pm ? 0 : -errno;
	if (!err) {
		v = calloc(1, sizeof(*v));
		p = calloc(1, sizeof(*p));
		err = !v || !p ? -ENOMEM : unwinder__fill(u, pid, pm, p, v, &rows);
	}
	if (!err && rows) {
		v->refresh_ns =
			again ? (uint64_t)(mono_s() * 1e9) : 0; /* bpf_ktime_get_ns's clock */
		if (bpf_map_update_elem(u->procs_fd, &key, v, BPF_ANY))
			err = -errno;
	}
	if (!err && !rows && old)
		bpf_map_delete_elem(u->procs_fd, &key);
	if (!err)
		err = u64map__set(u->procs, pid, p);
	if (err) {
		bpf_map_delete_elem(u->procs_fd, &key);
		if (p)
			uproc__release(u, p);
	}
	u->st.processes += (!err && rows) - (old && old->published);
	if (!err)
		p->published = rows;
	if (old)
		uproc__release(u, old);
	free(v);
	procmaps__free(pm);
	return err;
}

void unwinder__set_deferred(struct unwinder *u, bool deferred)
{
	u->deferred = deferred;
}

struct claimants {
	const struct ubin *b;
	pid_t *pids;
	size_t n, cap;
};

static void claimants__collect(uint64_t pid, void *val, void *ctx)
{
	struct claimants *c = ctx;
	struct uproc *p = val;

	for (size_t i = 0; i < p->nbins; i++) {
		if (p->bins[i] != c->b)
			continue;
		if (!array__grow((void **)&c->pids, &c->cap, c->n, sizeof(*c->pids)))
			c->pids[c->n++] = pid;
		return;
	}
}

size_t unwinder__build_next(struct unwinder *u)
{
	struct claimants c = { 0 };
	struct ubin *b;
	int fd;

	if (!u->npending)
		return 0;
	b = u->pending[--u->npending];
	b->pending = false;
	if (!b->refs) { /* every process mapping it went meanwhile: the sweep takes it */
		b->idle_since = mono_s();
		return u->npending;
	}
	fd = open_mapping(b->src_pid, b->src_start, b->src_end);
	if (fd < 0) {
		b->retry = true;
		return u->npending;
	}
	unwinder__build(u, b, fd, b->src_pid, NULL, 0);
	close(fd);
	if (!b->nrows)
		return u->npending;
	/* its processes' entries get its rows: read each one's mappings again */
	c.b = b;
	u64map__for_each(u->procs, claimants__collect, &c);
	for (size_t i = 0; i < c.n; i++)
		unwinder__add_process(u, c.pids[i], false);
	free(c.pids);
	return u->npending;
}

void unwinder__remove_process(struct unwinder *u, pid_t pid)
{
	struct uproc *p = u64map__del(u->procs, pid);
	__u32 key = pid;

	if (!p)
		return;
	bpf_map_delete_elem(u->procs_fd, &key);
	u->st.processes -= p->published;
	uproc__release(u, p);
}

/* ---- lifecycle ---- */

/*
 * libc and ld.so are in almost every process: build their tables now, from our own mappings
 * (the same files, on the host), idle until a process claims them, so that a command's first
 * samples after its exec do not wait for them.
 */
static void unwinder__prebuild(struct unwinder *u)
{
	struct procmaps *pm = procmaps__read(getpid());
	struct ubin *b;

	for (size_t i = 0; pm && i < pm->n; i++) {
		const char *base = strrchr(pm->e[i].path, '/');

		if (!base || (strcmp(base, "/libc.so.6") && strncmp(base, "/ld-linux", 9)))
			continue;
		b = unwinder__binary(u, getpid(), &pm->e[i]);
		if (b && !b->refs)
			b->idle_since = mono_s();
	}
	procmaps__free(pm);
}

struct unwinder *unwinder__new(int rows_fd, uint32_t capacity, int procs_fd)
{
	struct unwinder *u = calloc(1, sizeof(*u));
	long page = sysconf(_SC_PAGESIZE);
	struct stat self;

	if (!u)
		return NULL;
	u->rows_fd = rows_fd;
	u->procs_fd = procs_fd;
	u->capacity = capacity;
	u->rows_len = ((size_t)capacity * sizeof(struct unwind_row) + page - 1) / page * page;
	u->rows = mmap(NULL, u->rows_len, PROT_READ | PROT_WRITE, MAP_SHARED, rows_fd, 0);
	u->bins = u64map__new();
	u->procs = u64map__new();
	if (u->rows == MAP_FAILED || !u->bins || !u->procs || rows__release(u, 0, capacity)) {
		if (u->rows == MAP_FAILED)
			u->rows = NULL;
		unwinder__free(u);
		return NULL;
	}
	u->st.capacity_rows = capacity;
	if (!stat("/proc/self/exe", &self)) {
		u->self_dev = self.st_dev;
		u->self_ino = self.st_ino;
	}
	u->vdso = vdso__build(u);
	unwinder__prebuild(u);
	return u;
}

void unwinder__stats(const struct unwinder *u, struct unwinder_stats *st)
{
	*st = u->st;
	st->row_bytes = st->rows * sizeof(struct unwind_row);
}

struct each_table {
	void (*fn)(const char *path, uint64_t rows, double build_ms, void *ctx);
	void *ctx;
};

static void each_table(uint64_t key, void *val, void *ctx)
{
	struct each_table *e = ctx;
	struct ubin *b = val;

	e->fn(b->path, b->nrows, b->build_ms, e->ctx);
}

void unwinder__for_each_table(const struct unwinder *u,
			      void (*fn)(const char *path, uint64_t rows, double build_ms,
					 void *ctx),
			      void *ctx)
{
	struct each_table e = { fn, ctx };

	if (u->vdso)
		fn(u->vdso->path, u->vdso->nrows, u->vdso->build_ms, ctx);
	u64map__for_each(u->bins, each_table, &e);
}

static void free_proc(uint64_t key, void *val, void *ctx)
{
	struct uproc *p = val;

	free(p->bins);
	free(p);
}

static void free_bin(uint64_t key, void *val, void *ctx)
{
	ubin__free(val);
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	if (u->procs)
		u64map__for_each(u->procs, free_proc, NULL);
	if (u->bins)
		u64map__for_each(u->bins, free_bin, NULL);
	u64map__free(u->procs);
	u64map__free(u->bins);
	ubin__free(u->vdso);
	free(u->pending);
	if (u->rows)
		munmap(u->rows, u->rows_len);
	free(u->free);
	free(u);
}
