/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unwind/unwinder.h - the unwind tables the BPF walk reads (bpf/unwind/native.bpf.h), kept per
 * binary and shared by every process that maps it.
 *
 * Invariants: a binary (device + inode) has at most one table, built once from its CFI
 * (unwind/unwind_table.h) the first time a process mapping it is added, and written as one
 * contiguous run of the shared `unwind_rows` array; a process's `unwind_procs` entry lists its
 * executable mappings that have a table, and exists from unwinder__add_process() until
 * unwinder__remove_process(); a table is freed, and its rows reused, once no process has
 * mapped it for 30 s (at once when its rows are needed), so short-lived processes that come and
 * go share their tables too. A binary whose table failed (no CFI, not ELF, no room) is remembered as
 * such while mapped, so it is not tried again per process. Only the rows' metadata (a few
 * hundred bytes per binary) stays in user space: the rows themselves live in the BPF map.
 *
 * Deferred (unwinder__set_deferred): adding a process builds nothing; it publishes the entry with
 * the tables there are and queues the binaries without one, which unwinder__build_next() builds
 * one at a time, newest first, each time adding again the processes that map it. So a process
 * met while a large program's thirty libraries are being built gets its own tables first.
 */
#ifndef BPFPROF_UNWINDER_H
#define BPFPROF_UNWINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct unwinder;

struct unwinder_stats {
	uint64_t processes;		 /* with an unwind_procs entry now */
	uint64_t tables;		 /* binaries with a table now */
	uint64_t rows, row_bytes;	 /* in use in unwind_rows now, and their size */
	uint64_t peak_rows, peak_tables; /* the most ever in use at once */
	uint64_t capacity_rows;		 /* unwind_rows size */
	uint64_t built, failed; /* tables built, and binaries without one, since the start */
	uint64_t no_room;	/* tables that did not fit in unwind_rows */
	double build_ms;	/* CPU time spent building tables */
	uint64_t text_bytes;	/* executable bytes of the binaries built */
};

/*
 * rows_fd: the unwind_rows array (BPF_F_MMAPABLE) with capacity entries; procs_fd: the
 * unwind_procs hash. Neither is closed by the unwinder. NULL with errno.
 */
struct unwinder *unwinder__new(int rows_fd, uint32_t capacity, int procs_fd);
/*
 * Read pid's mappings, build the tables it lacks, publish its entry. 0 or -errno (-ESRCH gone).
 * again: the BPF side asked (a pc outside the known mappings), so it may ask again only after
 * UNWIND_REFRESH_NS; otherwise (first sight, exec) at once, as ld.so has libraries to map yet.
 */
int unwinder__add_process(struct unwinder *u, pid_t pid, bool again);
/* Deferred or not (the default: tables are built by unwinder__add_process itself). */
void unwinder__set_deferred(struct unwinder *u, bool deferred);
/* Build the newest queued table, if any, and update the processes that map it; how many remain. */
size_t unwinder__build_next(struct unwinder *u);
/* Drop pid's entry and its claim on its tables (no-op for an unknown pid). */
void unwinder__remove_process(struct unwinder *u, pid_t pid);
void unwinder__stats(const struct unwinder *u, struct unwinder_stats *st);
/* Call fn for each table held: its file identity, rows and source ("eh_frame"...). */
void unwinder__for_each_table(const struct unwinder *u,
			      void (*fn)(const char *path, uint64_t rows, double build_ms,
					 void *ctx),
			      void *ctx);
void unwinder__free(struct unwinder *u);

#endif /* BPFPROF_UNWINDER_H */
