// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/symbolizer.c - instruction pointers to frames (see symbolize/symbolizer.h).
 *
 * State: kallsyms (loaded on the first kernel frame), the vDSO's symbols (read from our own
 * process: every process maps the same kernel image), a cache of binaries keyed by
 * (device, inode), and one record per process: its mappings at first sight and, for processes
 * still alive when we symbolize, a fresh read to catch libraries loaded later.
 *
 * Nothing is held open per process, but for live JIT runtimes: /proc/PID/root is opened for the
 * reads that need it and closed after, and every read from /proc/PID is checked against the
 * start time recorded at first sight, so a reused pid is never read as the process we met. A
 * process running JIT code keeps its root open while it lives, for a last read of its perf map
 * once it has exited (the map grows to the end; the root outlives the process, /proc/PID not).
 * An exited process keeps one merged table of its mappings and its perf map; nothing more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "symbolize/elf_syms.h"
#include "symbolize/ksyms.h"
#include "symbolize/perf_map.h"
#include "runtimes/thread_names.h"
#include "runtimes/method_names.h"
#include "collect/sample.h"
#include "lib/log.h"
#include "lib/procfs.h"
#include "symbolize/procmaps.h"
#include "runtimes/runtimes.h"
#include "lib/rootfs.h"
#include "lib/strset.h"
#include "symbolize/symbolizer.h"
#include "lib/u64map.h"

#define MAX_SNAPS 4

struct sym_binary {
	struct sym_binary *next; /* same cache key, other file */
	uint64_t ino;
	uint32_t dev;
	bool mapped;		 /* mark of symbolizer__evict's sweep */
	unsigned long last_used; /* epoch it was last mapped by a held process or looked up */
	struct elf_syms *syms;	 /* NULL when the file could not be read (or not yet read) */
	int fd;			 /* opened while reachable, symbols not read yet; else -1 */
	char *path;		 /* while fd is open: its path in the maps, for .gnu_debuglink */
};

struct sym_proc {
	pid_t pid, nspid;
	unsigned long long start; /* in clock ticks: with pid, who this is; 0 unknown */
	const char *comm;
	struct procmaps *snaps[MAX_SNAPS]; /* newest first: first sight, refreshes, exec */
	int nsnaps;
	bool late_done;		  /* no re-read at symbolization time any more (exited) */
	unsigned long late_epoch; /* when last re-read at symbolization time, for a miss */
	bool exited;		  /* gone: nothing is read for it any more */
	unsigned long exit_epoch; /* the symbolizer's epoch when told of the exit */
	bool exit_told;		  /* symbolizer__exit_process() was called for it */
	bool jit;		  /* runs JIT code: its root is held while it lives */
	int rootfd;		  /* O_PATH fd of /proc/PID/root while entered or held, else -1 */
	int root_refs;		  /* nested sym_proc__enter() calls */
	struct perf_map *perf_map;
	bool perf_map_done;
	unsigned long perf_map_epoch; /* when it was last read */
	int perf_map_refused;	      /* -errno of the rootfs refusal of its perf map, or 0 */
	uid_t uid, perf_map_owner;    /* effective uid, and the map's owner when refused */
	struct thread_names *threads; /* whole thread names its runtime published, or NULL */
	bool threads_done;
	unsigned long threads_epoch;  /* when they were last read */
	struct method_names *methods; /* its runtime's method names (interpreted frames), or NULL */
	bool methods_done;
	unsigned long methods_epoch; /* when they were last read */
};

struct symbolizer {
	struct symbolizer_opts opts;
	struct ksyms *ksyms;
	bool ksyms_done;
	struct elf_syms *vdso;
	struct u64map *procs;	 /* pid -> struct sym_proc */
	struct u64map *binaries; /* dev/ino hash -> struct sym_binary chain */
	struct strset *strs;	 /* names made here: "[libc.so.6]", comms */
	struct symbolizer_refusals refused;
	unsigned long epoch; /* symbolizer__new_epoch() */
	uint64_t evicted;    /* processes let go by symbolizer__evict */
	size_t unread;	     /* binaries known by path, their symbols not read yet */
	dev_t root_dev;	     /* our own root, to tell a process that shares it */
	ino_t root_ino;
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
	struct stat st;

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
	if (!stat("/", &st))
		s->root_dev = st.st_dev, s->root_ino = st.st_ino;
	return s;
}

static void sym_proc__free(uint64_t key, void *val, void *ctx)
{
	struct sym_proc *p = val;

	while (p->nsnaps)
		procmaps__free(p->snaps[--p->nsnaps]);
	perf_map__free(p->perf_map);
	thread_names__free(p->threads);
	method_names__free(p->methods);
	if (p->rootfd >= 0)
		close(p->rootfd);
	free(p);
}

static void sym_binary__free_one(struct sym_binary *b)
{
	free(b->path);
	elf_syms__free(b->syms);
	free(b);
}

static void sym_binary__free(uint64_t key, void *val, void *ctx)
{
	struct sym_binary *b = val, *next;

	for (; b; b = next) {
		next = b->next;
		sym_binary__free_one(b);
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

/* Does the process (entered) see our root? Then its files and debug files are ours too. */
static bool symbolizer__shares_root(const struct symbolizer *s, const struct sym_proc *p)
{
	struct stat st;

	return p->rootfd >= 0 && !fstat(p->rootfd, &st) && st.st_dev == s->root_dev &&
	       st.st_ino == s->root_ino;
}

/* Read b's symbols from fd (closed here); rootfd: where its debug files are (-1: our root). */
static void sym_binary__read(struct symbolizer *s, struct sym_binary *b, int fd, const char *path,
			     int rootfd)
{
	struct elf_load_opts lo = { path, rootfd, s->opts.debug_dir, &s->refused.elf_files,
				    s->opts.full_names };

	if (fd >= 0) {
		b->syms = elf_syms__load(fd, &lo);
		close(fd);
	} else if (rootfs__refused(fd)) {
		s->refused.elf_files++;
	}
	pr_debug("%s: %zu symbols from %s", path, elf_syms__count(b->syms),
		 b->syms ? elf_syms__source(b->syms) : "nowhere");
	free(b->path);
	b->path = NULL;
}

/*
 * The file of a binary met in a process that shares our root, at its path, if it is still the
 * file that was mapped (same device and inode); -errno otherwise.
 */
static int sym_binary__open_path(const struct sym_binary *b)
{
	static const struct rootfs_policy pol = { ELF_SYMS_MAX_SIZE, ROOTFS_ANY_OWNER,
						  ROOTFS_NO_SYMLINKS };
	int fd = rootfs__open(-1, b->path, &pol);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) || st.st_ino != b->ino ||
			(uint32_t)makedev(major(st.st_dev), minor(st.st_dev)) != b->dev)) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

static int sym_proc__enter(struct sym_proc *p);
static void sym_proc__leave(struct sym_proc *p);

/*
 * Read the symbols of a binary kept unread (b->path set), for a lookup in p's mapping e: from
 * its path, or through p (entered here) when the file there is another now.
 */
static void sym_binary__read_late(struct symbolizer *s, struct sym_binary *b, struct sym_proc *p,
				  const struct map_entry *e)
{
	int fd = sym_binary__open_path(b);

	if (fd < 0 && !sym_proc__enter(p)) {
		fd = mapping__open(p, e);
		sym_proc__leave(p);
	}
	sym_binary__read(s, b, fd, e->path, -1);
}

enum binary_want {
	BINARY_FIND, /* only if known */
	BINARY_KEEP, /* known from now on: its symbols read when first needed */
	BINARY_READ, /* known, and its symbols read */
};

/*
 * The binary e maps, from the cache or (p entered) from its file. Most of a host's short-lived
 * processes map a dozen libraries and are sampled in one, so for a process that shares our root
 * only the path is kept, and the symbols are read when a sample needs them (nothing is held
 * open). A process in another root, or a deleted file, has them read at once, through the
 * process, while it is there.
 */
static struct sym_binary *symbolizer__binary(struct symbolizer *s, struct sym_proc *p,
					     const struct map_entry *e, enum binary_want want)
{
	uint64_t key = binary_key(e->dev, e->inode);
	struct sym_binary *head = u64map__get(s->binaries, key), *b;

	for (b = head; b; b = b->next) {
		if (b->dev == e->dev && b->ino == e->inode) {
			b->last_used = s->epoch;
			return b;
		}
	}
	if (want == BINARY_FIND || !(b = calloc(1, sizeof(*b))))
		return NULL;
	b->dev = e->dev;
	b->ino = e->inode;
	b->last_used = s->epoch;
	if (want == BINARY_KEEP && !strstr(e->path, " (deleted)") &&
	    symbolizer__shares_root(s, p) && (b->path = strdup(e->path))) {
		s->unread++;
	} else {
		sym_binary__read(s, b, mapping__open(p, e), e->path, p->rootfd);
	}
	b->next = head;
	if (u64map__set(s->binaries, key, b)) {
		sym_binary__free_one(b);
		return NULL;
	}
	return b;
}

/* Know every file-backed executable mapping now, while the files are reachable. */
static void symbolizer__keep_binaries(struct symbolizer *s, struct sym_proc *p,
				      const struct procmaps *pm)
{
	size_t i;

	for (i = 0; i < pm->n; i++) {
		if (!map_entry__is_anon(&pm->e[i]))
			symbolizer__binary(s, p, &pm->e[i], BINARY_KEEP);
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

/* Forget what we knew under this pid: another process holds it now. */
static void sym_proc__reset(struct sym_proc *p, unsigned long long start)
{
	while (p->nsnaps)
		procmaps__free(p->snaps[--p->nsnaps]);
	perf_map__free(p->perf_map);
	thread_names__free(p->threads);
	method_names__free(p->methods);
	if (p->rootfd >= 0)
		close(p->rootfd);
	*p = (struct sym_proc){ .pid = p->pid, .start = start, .rootfd = -1 };
}

/*
 * The record of pid, created at first sight. start (0: read it now) tells a reused pid: a new
 * process under a known pid replaces the old one's record, because the in-kernel counts are
 * keyed by pid alone; the newest process wins.
 */
static struct sym_proc *symbolizer__proc(struct symbolizer *s, pid_t pid, unsigned long long start)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	struct procfs_stat st;

	if (!start && (!p || !p->start) && !procfs__stat(pid, &st))
		start = st.start; /* first sight, or one that could not tell (EMFILE) */
	if (p && start && p->start != start)
		sym_proc__reset(p, start);
	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->start = start;
	p->rootfd = -1;
	if (u64map__set(s->procs, pid, p)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Does pid still name the process we met? Asked after a read from /proc/PID, vouches for it. */
static bool sym_proc__same(const struct sym_proc *p)
{
	struct procfs_stat st;

	return !p->exited && p->start && !procfs__stat(p->pid, &st) && st.start == p->start;
}

static void sym_proc__read_perf_map(struct sym_proc *p);

/* Its runtime's thread names as they are now; the copy we had stays when there are none. */
static void sym_proc__read_threads(struct sym_proc *p)
{
	struct thread_names *tn =
		runtimes__thread_names(p->rootfd, p->nspid ? p->nspid : p->pid, p->uid);

	if (!tn)
		return;
	thread_names__free(p->threads);
	p->threads = tn;
}

/* Its runtime's method names as they are now; the copy we had stays when there are none. */
static void sym_proc__read_methods(struct sym_proc *p)
{
	struct method_names *mn =
		runtimes__method_names(p->rootfd, p->nspid ? p->nspid : p->pid, p->uid);

	if (!mn)
		return;
	method_names__free(p->methods);
	p->methods = mn;
}

/*
 * pid no longer names the process: a last read of its perf map (thread names, method names)
 * through a held root, then none.
 */
static void sym_proc__let_go(struct sym_proc *p)
{
	p->exited = true;
	if (p->rootfd < 0 || p->root_refs)
		return;
	sym_proc__read_perf_map(p);
	sym_proc__read_threads(p);
	sym_proc__read_methods(p);
	close(p->rootfd);
	p->rootfd = -1;
}

/*
 * Open the process's root for the reads that follow (or use the one held); nested calls share
 * it. 0, -ESRCH when pid no longer names the process we met (or it has no root left: a zombie),
 * -EMFILE/-ENFILE. A root we may not open (not root ourselves) leaves rootfd -1: paths then
 * resolve from our own root.
 */

static int sym_proc__enter(struct sym_proc *p)
{
	bool held = p->rootfd >= 0;
	char path[64];
	int err = 0;

	if (p->root_refs) {
		p->root_refs++;
		return 0;
	}
	if (p->exited)
		return -ESRCH;
	if (!held) {
		snprintf(path, sizeof(path), "/proc/%d/root", p->pid);
		p->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (p->rootfd < 0 && errno != EACCES && errno != EPERM)
			err = errno == EMFILE || errno == ENFILE ? -errno : -ESRCH;
	}
	if (!err && !sym_proc__same(p)) {
		err = -ESRCH;
		if (held && p->start)
			sym_proc__let_go(p); /* gone, its exit notice not here yet */
	}
	if (err) {
		if (p->rootfd >= 0)
			close(p->rootfd);
		p->rootfd = -1;
		return err;
	}
	p->root_refs = 1;
	return 0;
}

static void sym_proc__leave(struct sym_proc *p)
{
	if (--p->root_refs == 0 && p->rootfd >= 0 && !p->jit) {
		close(p->rootfd);
		p->rootfd = -1;
	}
}

/* Anonymous executable memory, the kernel's pages aside: JIT code, named by a perf map only. */
static bool procmaps__runs_jit(const struct procmaps *pm)
{
	for (size_t i = 0; i < pm->n; i++) {
		const struct map_entry *e = &pm->e[i];

		if (map_entry__is_anon(e) && strcmp(e->path, "[vdso]") &&
		    strcmp(e->path, "[vsyscall]"))
			return true;
	}
	return false;
}

/* The process's mappings now; NULL with errno (ESRCH: gone, or the pid is another's now). */
static struct procmaps *sym_proc__read_maps(struct sym_proc *p)
{
	struct procmaps *pm = p->exited ? NULL : procmaps__read(p->pid);

	if (p->exited)
		errno = ESRCH;
	if (pm && !sym_proc__same(p)) {
		procmaps__free(pm);
		pm = NULL;
		errno = ESRCH;
	}
	return pm;
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
 * (the owner of the files it creates) is read. A process gone is judged by the uid it had when
 * last read (0, root's files only, if never): its pid may be another process's by now.
 */
static void sym_proc__read_perf_map(struct sym_proc *p)
{
	char path[64], *status = p->exited ? NULL : procfs__read(p->pid, "status", NULL);
	struct perf_map *pm;

	if (!status && !p->exited)
		return;
	if (status)
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

/* Run read(p) with p's root entered (no-op when the process cannot be entered any more). */
static void sym_proc__read_entered(struct sym_proc *p, void (*read)(struct sym_proc *p))
{
	if (!sym_proc__enter(p)) {
		read(p);
		sym_proc__leave(p);
	}
}

/*
 * A JIT keeps appending to its perf map: read it at the first lookup, and again when an address
 * the map we hold does not know turns up, at most once an epoch (a monitor's window), while the
 * process lives.
 */
static const struct perf_map_entry *sym_proc__jit_lookup(struct sym_proc *p, uint64_t ip,
							 unsigned long epoch)
{
	const struct perf_map_entry *e = p->perf_map_done ? perf_map__find(p->perf_map, ip) : NULL;

	if (e || (p->perf_map_done && (p->exited || p->perf_map_epoch == epoch)))
		return e;
	p->perf_map_done = true;
	p->perf_map_epoch = epoch;
	sym_proc__read_entered(p, sym_proc__read_perf_map);
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

/* Read the mappings and load what they map, while the process is there to read them from. */
static int sym_proc__snapshot(struct symbolizer *s, struct sym_proc *p)
{
	struct procmaps *pm;
	int err = sym_proc__enter(p);

	if (err)
		return err;
	pm = sym_proc__read_maps(p);
	err = pm ? 0 : -errno;
	if (pm && p->nsnaps && procmaps__equal(pm, p->snaps[0])) {
		procmaps__free(pm); /* nothing new: keep the older, different snapshots */
	} else if (pm) {
		sym_proc__push_snapshot(p, pm);
		symbolizer__keep_binaries(s, p, pm);
	}
	/* a perf map names anonymous code only: none, no map to look for (the first lookup would) */
	if (pm && !p->jit)
		p->jit = procmaps__runs_jit(p->snaps[0]);
	if (!err && p->jit)
		sym_proc__read_perf_map(p);
	sym_proc__leave(p);
	return err;
}

int symbolizer__add_process(struct symbolizer *s, pid_t pid, pid_t nspid, const char *comm,
			    unsigned long long start)
{
	struct sym_proc *p = symbolizer__proc(s, pid, start);

	if (!p)
		return -ENOMEM;
	if (p->exited)
		return -ESRCH;
	p->nspid = nspid > 0 ? nspid : read_nspid(pid);
	if (comm && *comm)
		p->comm = strset__add(s->strs, comm);
	else if (!p->comm)
		p->comm = read_comm(s, pid);
	return sym_proc__snapshot(s, p);
}

/* Does a mapping's path end in suffix? */
static bool procmaps__maps_file(const struct procmaps *pm, const char *suffix)
{
	size_t n = strlen(suffix);

	for (size_t i = 0; i < pm->n; i++) {
		size_t len = strlen(pm->e[i].path);

		if (len >= n && !strcmp(pm->e[i].path + len - n, suffix))
			return true;
	}
	return false;
}

/* Is ld.so done with it: a library besides the program and ld.so mapped, or no ld.so at all? */
static bool procmaps__settled(const struct procmaps *pm)
{
	size_t files = 0;
	bool ldso = false;
	uint64_t last = 0;

	for (size_t i = 0; i < pm->n; i++) {
		const struct map_entry *e = &pm->e[i];
		const char *base = strrchr(e->path, '/');

		if (map_entry__is_anon(e) || e->inode == last)
			continue;
		last = e->inode;
		files++;
		ldso |= base && !strncmp(base, "/ld-", 4) && strstr(base, ".so");
	}
	return !ldso || files > 2;
}

bool symbolizer__settled(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *p = u64map__get(s->procs, pid);

	return p && p->nsnaps && procmaps__settled(p->snaps[0]);
}

int symbolizer__refresh_process(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *p = u64map__get(s->procs, pid);

	return p ? sym_proc__snapshot(s, p) : -ESRCH;
}

void symbolizer__exit_process(struct symbolizer *s, pid_t pid, unsigned long long start)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	struct procmaps *merged;

	/* Told once per process; a process already re-read at symbolization time exits too. */
	if (!p || (start && p->start != start) || p->exit_told)
		return;
	p->exit_told = true;
	sym_proc__let_go(p);
	p->exit_epoch = s->epoch;
	p->late_done = p->perf_map_done = true;
	merged = p->nsnaps > 1 ? procmaps__merge(p->snaps, p->nsnaps) : NULL;
	if (!merged)
		return;
	while (p->nsnaps)
		procmaps__free(p->snaps[--p->nsnaps]);
	p->snaps[p->nsnaps++] = merged;
}

unsigned long symbolizer__new_epoch(struct symbolizer *s)
{
	return ++s->epoch;
}

unsigned long symbolizer__epoch(const struct symbolizer *s)
{
	return s->epoch;
}

struct evict_ctx {
	struct symbolizer *s;
	unsigned long before;
	pid_t *pids; /* exited before the epoch: deleted after the walk */
	size_t n, cap;
};

static void evict__collect(uint64_t key, void *val, void *ctx)
{
	struct sym_proc *p = val;
	struct evict_ctx *c = ctx;

	/*
	 * A process met without an exit notice to come (sampled while already exiting, so the BPF
	 * side never announced it) is found gone here, and evicted one epoch later like the rest.
	 */
	if (!p->exit_told && !sym_proc__same(p)) {
		p->exit_told = true;
		sym_proc__let_go(p);
		p->exit_epoch = c->s->epoch;
	}
	if (!p->exited || p->exit_epoch >= c->before)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		pid_t *bigger = realloc(c->pids, cap * sizeof(*bigger));

		if (!bigger)
			return; /* evicted next time */
		c->pids = bigger;
		c->cap = cap;
	}
	c->pids[c->n++] = key;
}

/* Mark every binary a remaining process maps (one snapshot entry at a time). */
static void evict__mark(uint64_t key, void *val, void *ctx)
{
	struct sym_proc *p = val;
	struct symbolizer *s = ctx;

	for (int i = 0; i < p->nsnaps; i++) {
		for (size_t j = 0; j < p->snaps[i]->n; j++) {
			const struct map_entry *e = &p->snaps[i]->e[j];
			struct sym_binary *b =
				u64map__get(s->binaries, binary_key(e->dev, e->inode));

			for (; b; b = b->next)
				if (b->dev == e->dev && b->ino == e->inode)
					b->mapped = true, b->last_used = s->epoch;
		}
	}
}

/*
 * Binaries no held process maps are kept this many epochs more: under churn the same few
 * programs (sh, true, a build's compilers) start again and again, and reading their symbols
 * each time cost more than keeping them.
 */
#define BINARY_GRACE_EPOCHS 6

struct key_list {
	uint64_t *keys;
	size_t n, cap;
	unsigned long epoch;
};

/* Chains with a binary no process maps any more; the marks of the others are cleared. */
static void evict__note_binary(uint64_t key, void *val, void *ctx)
{
	struct key_list *l = ctx;
	bool stale = false;

	for (struct sym_binary *b = val; b; b = b->next)
		stale |= !b->mapped && l->epoch - b->last_used > BINARY_GRACE_EPOCHS;
	if (stale && l->n < l->cap) {
		l->keys[l->n++] = key;
		return;
	}
	for (struct sym_binary *b = val; b; b = b->next)
		b->mapped = false;
}

/* Free the unmarked binaries of the chain at key; clear the marks of the others. */
static size_t evict__binary_chain(struct symbolizer *s, uint64_t key)
{
	struct sym_binary *head = u64map__del(s->binaries, key), *b, *next, *keep = NULL;
	size_t freed = 0;

	for (b = head; b; b = next) {
		next = b->next;
		if (b->mapped || s->epoch - b->last_used <= BINARY_GRACE_EPOCHS) {
			b->mapped = false;
			b->next = keep;
			keep = b;
			continue;
		}
		s->unread -= b->path != NULL;
		sym_binary__free_one(b);
		freed++;
	}
	if (keep && u64map__set(s->binaries, key, keep))
		sym_binary__free(key, keep, NULL);
	return freed;
}

struct held_count {
	size_t alive, exited_old, exited_new, unknown;
};

static void held__count(uint64_t key, void *val, void *ctx)
{
	struct sym_proc *p = val;
	struct held_count *h = ctx;

	if (!p->exited)
		h->alive += procfs__alive(p->pid) ? 1 : 0,
			h->unknown += procfs__alive(p->pid) ? 0 : 1;
	else if (p->exit_told)
		h->exited_new++;
	else
		h->exited_old++;
}

static void symbolizer__log_held(struct symbolizer *s, unsigned long before)
{
	struct held_count h = {};

	u64map__for_each(s->procs, held__count, &h);
	pr_debug(
		"symbolizer: %zu alive, %zu gone without an exit notice, %zu exited (told), %zu exited (found), epoch %lu/%lu",
		h.alive, h.unknown, h.exited_new, h.exited_old, before, s->epoch);
}

size_t symbolizer__evict(struct symbolizer *s, unsigned long before)
{
	struct evict_ctx c = { .s = s, .before = before };
	struct key_list l = { .epoch = s->epoch };
	size_t freed = 0;

	u64map__for_each(s->procs, evict__collect, &c);
	if (log__enabled(LOG_DEBUG))
		symbolizer__log_held(s, before);
	for (size_t i = 0; i < c.n; i++)
		sym_proc__free(c.pids[i], u64map__del(s->procs, c.pids[i]), NULL);
	s->evicted += c.n;
	/* Binaries no remaining process maps go too (a later process reads them again). */
	u64map__for_each(s->procs, evict__mark, s);
	l.cap = u64map__count(s->binaries);
	l.keys = malloc((l.cap ? l.cap : 1) * sizeof(*l.keys));
	if (!l.keys)
		l.cap = 0;
	u64map__for_each(s->binaries, evict__note_binary, &l);
	for (size_t i = 0; i < l.n; i++)
		freed += evict__binary_chain(s, l.keys[i]);
	free(l.keys);
	free(c.pids);
	return freed;
}

const char *symbolizer__comm(struct symbolizer *s, pid_t pid)
{
	struct sym_proc *p = u64map__get(s->procs, pid);

	if (p && p->comm)
		return p->comm;
	if (!p)
		p = symbolizer__proc(s, pid, 0);
	if (p && !p->comm && !p->exited)
		p->comm = read_comm(s, pid);
	return p ? p->comm : NULL;
}

/* tid's name in p's published thread names; tid as p's own pid namespace numbers it there. */
static const char *sym_proc__thread_name(const struct sym_proc *p, pid_t tid, const char *comm)
{
	if (!p->threads)
		return NULL;
	if (p->nspid && p->nspid != p->pid && !p->exited)
		tid = read_nspid(tid);
	return thread_names__find(p->threads, tid, comm);
}

const char *symbolizer__thread_name(struct symbolizer *s, pid_t pid, pid_t tid, const char *comm)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	const char *name;

	if (!p)
		return NULL;
	name = sym_proc__thread_name(p, tid, comm);
	if (name || (p->threads_done && (p->exited || p->threads_epoch == s->epoch)))
		return name;
	/* Read when first asked, again at most once an epoch for a thread not known yet. */
	p->threads_done = true;
	p->threads_epoch = s->epoch;
	sym_proc__read_entered(p, sym_proc__read_threads);
	return sym_proc__thread_name(p, tid, comm);
}

static void count_exited(uint64_t key, void *val, void *ctx)
{
	*(size_t *)ctx += ((struct sym_proc *)val)->exited;
}

size_t symbolizer__exited(const struct symbolizer *s)
{
	size_t n = 0;

	u64map__for_each(s->procs, count_exited, &n);
	return n;
}

uint64_t symbolizer__evicted(const struct symbolizer *s)
{
	return s->evicted;
}

size_t symbolizer__binaries(const struct symbolizer *s)
{
	return u64map__count(s->binaries);
}

size_t symbolizer__binaries_unread(const struct symbolizer *s)
{
	return s->unread;
}

size_t symbolizer__processes(const struct symbolizer *s)
{
	return u64map__count(s->procs);
}

static void sym_proc__count_refusal(uint64_t key, void *val, void *ctx)
{
	const struct sym_proc *p = val;
	struct symbolizer_refusals *r = ctx;
	int why = p->perf_map_refused == -EPERM	  ? REFUSED_OWNER
		  : p->perf_map_refused == -EFBIG ? REFUSED_SIZE
						  : REFUSED_TYPE;

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
			pr_warn("cannot read kernel symbols (%s): kernel frames stay unnamed; run as root with kernel.kptr_restrict=0",
				strerror(errno));
	}
	k = ksyms__find(s->ksyms, ip);
	f->kind = FRAME_KERNEL;
	f->build_id = NULL;
	f->name = k ? k->name : "[unknown]";
	f->module = k ? k->module : "[kernel.kallsyms]";
}

/*
 * The mapping holding ip: newest snapshot first, then a re-read for code mapped since (dlopen),
 * at most once an epoch (a monitor's window) while the process lives.
 */
static const struct map_entry *sym_proc__mapping(struct symbolizer *s, struct sym_proc *p,
						 uint64_t ip)
{
	const struct map_entry *e = NULL;
	struct procmaps *pm;
	int i;

	for (i = 0; i < p->nsnaps && !e; i++)
		e = procmaps__find(p->snaps[i], ip);
	if (e || p->late_done || (p->late_epoch && p->late_epoch == s->epoch + 1))
		return e;
	p->late_epoch = s->epoch + 1; /* + 1: epoch 0 is a real one */
	pm = sym_proc__read_maps(p);
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
	struct sym_binary *b = symbolizer__binary(s, p, e, BINARY_FIND);
	uint64_t vaddr;
	const char *name = NULL;

	if (b && b->path) {
		sym_binary__read_late(s, b, p, e);
		s->unread--;
	} else if (!b && !sym_proc__enter(p)) { /* a file mapped since the snapshot */
		b = symbolizer__binary(s, p, e, BINARY_READ);
		sym_proc__leave(p);
	}
	if (b && elf_syms__vaddr(b->syms, ip - e->start + e->offset, &vaddr))
		name = elf_syms__find(b->syms, vaddr);
	return frame__set(f, name ? name : module_label(s, e->path), FRAME_NATIVE, e->path,
			  b ? elf_syms__build_id(b->syms) : NULL);
}

/* "A->B->C": A compiled (JIT), B and C inlined into it, outermost first. */
static int symbolizer__jit(struct symbolizer *s, const char *name, struct sym_frame *out, int max)
{
	int n = 0;

	name = runtimes__jit_name(name, s->strs); /* e.g. HotSpot's "long A.b(long)" */
	while (n < max) {
		const char *arrow = strstr(name, "->");
		size_t len = arrow ? (size_t)(arrow - name) : strlen(name);

		frame__set(&out[n], strset__addn(s->strs, name, len), n ? FRAME_INLINED : FRAME_JIT,
			   NULL, NULL);
		n++;
		if (!arrow)
			break;
		name = arrow + 2;
	}
	return n;
}

/*
 * An interpreted frame (collect/sample.h SAMPLE_IP_METHOD): its method's name from what the
 * runtime published, read when first asked and again at most once an epoch on a miss.
 */
static int symbolizer__method(struct symbolizer *s, struct sym_proc *p, uint64_t ip,
			      struct sym_frame *out)
{
	uint64_t addr = ((ip & ~SAMPLE_IP_TAG_MASK) + 7) & ~7ULL;
	const char *name = method_names__find(p->methods, addr);

	if (!name && !(p->methods_done && (p->exited || p->methods_epoch == s->epoch))) {
		p->methods_done = true;
		p->methods_epoch = s->epoch;
		sym_proc__read_entered(p, sym_proc__read_methods);
		name = method_names__find(p->methods, addr);
	}
	return frame__set(out, name ? name : RUNTIMES_UNNAMED_METHOD, FRAME_JIT, NULL, NULL);
}

int symbolizer__interpreter(struct symbolizer *s, pid_t pid, bool reread, uint64_t *start,
			    uint64_t *end)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	const struct perf_map_entry *e;

	if (!p || p->exited)
		return -ESRCH;
	e = perf_map__find_named(p->perf_map, runtimes__is_interpreter);
	/*
	 * Only a JVM's map has an interpreter, and every process a host-wide recording meets is
	 * asked: re-read where libjvm.so is mapped, or JIT code runs.
	 */
	if (!e && reread &&
	    (p->jit || (p->nsnaps && procmaps__maps_file(p->snaps[0], "/libjvm.so")))) {
		sym_proc__read_entered(p, sym_proc__read_perf_map);
		e = perf_map__find_named(p->perf_map, runtimes__is_interpreter);
	}
	if (!e)
		return -ENOENT;
	*start = e->start;
	*end = e->start + e->size;
	return 0;
}

int symbolizer__user(struct symbolizer *s, pid_t pid, uint64_t ip, struct sym_frame *out, int max)
{
	struct sym_proc *p = u64map__get(s->procs, pid);
	const struct perf_map_entry *jit;
	const struct map_entry *e;

	if (max < 1)
		return 0;
	if (!p && symbolizer__add_process(s, pid, 0, NULL, 0) != -ENOMEM)
		p = u64map__get(s->procs, pid);
	if (!p)
		return frame__set(out, "[unknown]", FRAME_UNKNOWN, NULL, NULL);
	if ((ip & SAMPLE_IP_TAG_MASK) == SAMPLE_IP_METHOD)
		return symbolizer__method(s, p, ip, out);
	e = sym_proc__mapping(s, p, ip);
	if (e && !strcmp(e->path, "[vdso]")) {
		const char *name = elf_syms__find(s->vdso, ip - e->start + e->offset);

		return frame__set(out, name ? name : "[vdso]", FRAME_NATIVE, "[vdso]", NULL);
	}
	if (e && !map_entry__is_anon(e))
		return symbolizer__elf(s, p, e, ip, out);
	jit = sym_proc__jit_lookup(p, ip, s->epoch);
	if (jit)
		return symbolizer__jit(s, jit->name, out, max);
	if (e)
		return frame__set(out, "[anon]", FRAME_NATIVE, NULL, NULL);
	return frame__set(out, "[unknown]", FRAME_UNKNOWN, NULL, NULL);
}
