/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/symbolizer.h - turn sampled instruction pointers into named frames.
 *
 * Kernel addresses are named from kallsyms; user addresses from the process's mappings: ELF
 * symbols of the binary mapped there (cached per binary, by device and inode, so a library
 * shared by 500 processes is read once), the vDSO, or the process's perf map for JIT code.
 *
 * Processes are snapshotted when first seen (symbolizer__add_process, called from the recorder
 * when the BPF side reports a new pid): mappings are read and binaries opened while the process
 * is alive, so one that exits before the recording ends is still named. Perf maps are read late
 * (at the first lookup) because JIT runtimes keep appending to them while we record.
 *
 * A process is (pid, start time): a pid is reused once its process is gone. The symbolizer holds
 * no file descriptor per process (but one per live JIT runtime: its root, for the last read of
 * its perf map), reads nothing from /proc/PID once told of the exit, and checks every read
 * against the start time, so the next process under that pid is never mistaken for the one we
 * met. Samples are keyed by pid only, so when a pid was reused during a recording its
 * samples are all named after the newest process's mappings.
 */
#ifndef BPFPROF_SYMBOLIZER_H
#define BPFPROF_SYMBOLIZER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "model/profile.h"

struct sym_frame {
	const char *name;     /* without suffix; "[libc.so.6]" when only the module is known */
	const char *module;   /* path, "[kernel.kallsyms]", "[vdso]", NULL */
	const char *build_id; /* NULL if unknown */
	enum frame_kind kind;
};

struct symbolizer_opts {
	const char *debug_dir; /* NULL: /usr/lib/debug */
	const char *kallsyms;  /* NULL: /proc/kallsyms */
	bool verbose;	       /* unused: -v raises lib/log's level, which decides */
	bool full_names;       /* C++ names whole; default: scope and name (symbolize/demangle.h) */
};

/* Why a target's perf map was refused (lib/rootfs.h). */
enum map_refusal {
	REFUSED_OWNER,
	REFUSED_TYPE,
	REFUSED_SIZE,
	REFUSED_MAX
};

/*
 * Files targets pointed us at that the rootfs policy refused (lib/rootfs.h), so names are missing:
 * perf maps counted once per process, by reason (REFUSED_TYPE: a FIFO, device, directory or
 * symlink); binaries and debug files (not regular, too big, or a symlink on the way).
 */
struct symbolizer_refusals {
	unsigned maps[REFUSED_MAX];
	pid_t map_pid[REFUSED_MAX]; /* the last process refused for each reason */
	uid_t file_uid, proc_uid;   /* the last REFUSED_OWNER: the map's owner, the process's */
	unsigned elf_files;
};

struct symbolizer;

struct symbolizer *symbolizer__new(const struct symbolizer_opts *opts);
void symbolizer__free(struct symbolizer *s);
/*
 * Has the process's newest snapshot more than ld.so's start-up shows (a library besides the
 * program and ld.so, or no ld.so)? Then its mappings need no timed re-reads: code mapped later
 * (dlopen) is found by the re-read on a miss.
 */
bool symbolizer__settled(struct symbolizer *s, pid_t pid);

/*
 * Snapshot pid now (mappings, binaries, perf map). nspid is its pid in its own namespace (0: read
 * it from /proc), comm its name (NULL: read /proc/PID/comm), start its start time in clock ticks
 * after boot as in /proc/PID/stat field 22 (0: read it now). Again on exec, to refresh. A start
 * other than the one recorded for pid means a new process: what was known under pid is dropped.
 * 0 or -errno (-ESRCH: already gone; -EMFILE, -ENFILE: out of file descriptors).
 */
int symbolizer__add_process(struct symbolizer *s, pid_t pid, pid_t nspid, const char *comm,
			    unsigned long long start);
/*
 * Snapshot a known process again (libraries loaded since, its perf map as it is now). 0 or
 * -errno (-ESRCH: gone).
 */
int symbolizer__refresh_process(struct symbolizer *s, pid_t pid);
/*
 * The process (pid, start; start 0: whichever is known) has exited: read its perf map a last
 * time through its root if held (a JIT runtime), close that, then keep only what naming its samples needs (one merged
 * table of its mappings, its perf map, its name). Nothing is read for it afterwards.
 */
void symbolizer__exit_process(struct symbolizer *s, pid_t pid, unsigned long long start);
/*
 * Eviction, for a recording that never ends (the monitor): an epoch is a point in the stream of
 * process events. symbolizer__new_epoch() starts one and returns its number; a process whose
 * exit was told during an epoch older than `before` is let go by symbolizer__evict(s, before),
 * with the binaries no remaining process maps. The caller picks `before` as the epoch at which
 * the oldest collection still open began: its samples cannot name a process that exited earlier.
 * Returns the binaries freed; symbolizer__evicted() counts the processes.
 */
unsigned long symbolizer__new_epoch(struct symbolizer *s);
unsigned long symbolizer__epoch(const struct symbolizer *s);
size_t symbolizer__evict(struct symbolizer *s, unsigned long before);
uint64_t symbolizer__evicted(const struct symbolizer *s);
/* Processes held after their exit, waiting for eviction. */
size_t symbolizer__exited(const struct symbolizer *s);
size_t symbolizer__binaries(const struct symbolizer *s);
/* Binaries known by path only, until a sample needs their symbols (or they are evicted). */
size_t symbolizer__binaries_unread(const struct symbolizer *s);
/* The process name captured for pid, or NULL. */
const char *symbolizer__comm(struct symbolizer *s, pid_t pid);
/*
 * The whole name pid's runtime gave thread tid (runtimes/thread_names.h), believed only while
 * comm, the kernel's name for tid, is its first 15 bytes; NULL: use comm.
 */
const char *symbolizer__thread_name(struct symbolizer *s, pid_t pid, pid_t tid, const char *comm);
size_t symbolizer__processes(const struct symbolizer *s);
/* What was refused so far; perf maps are counted over the processes known now. */
const struct symbolizer_refusals *symbolizer__refusals(struct symbolizer *s);

/*
 * Where pid's interpreter code lies (runtimes__is_interpreter names it in its perf map), as the
 * perf map was last read; reread: read the map again first when it has none.
 * 0, -ENOENT (none yet) or -ESRCH (unknown or gone).
 */
int symbolizer__interpreter(struct symbolizer *s, pid_t pid, bool reread, uint64_t *start,
			    uint64_t *end);

/* Name a kernel address. Always fills f (name "[unknown]" when kallsyms has nothing). */
void symbolizer__kernel(struct symbolizer *s, uint64_t ip, struct sym_frame *f);

/*
 * Name a user address of pid: fills up to max frames, outermost first (more than one for a JIT
 * frame with inlined methods), and returns how many (>= 1 when max >= 1).
 */
int symbolizer__user(struct symbolizer *s, pid_t pid, uint64_t ip, struct sym_frame *out, int max);

#endif /* BPFPROF_SYMBOLIZER_H */
