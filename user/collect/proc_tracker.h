/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/proc_tracker.h - what a recording does when the BPF side reports a process: a new
 * process or an exec is snapshotted by the symbolizer and its mappings read again on a schedule
 * (ld.so maps libraries after exec; a JIT keeps writing its perf map); an exit ends its
 * snapshot; new processes are counted and offered to the runtime watcher.
 *
 * Time is passed in (seconds, any monotonic origin) so the schedule can be tested without a
 * clock. The tracker never prints: the first out-of-file-descriptors error is kept for the
 * caller to report (proc_tracker__fd_error).
 */
#ifndef BPFPROF_PROC_TRACKER_H
#define BPFPROF_PROC_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symbolizer;
struct runtimes;
struct proc_tracker;

/* sym and rt are borrowed; rt (may be NULL) is offered each new or exec'd process. */
struct proc_tracker *proc_tracker__new(struct symbolizer *sym, struct runtimes *rt);
/*
 * A process met at time now: new (is_new) or exec'd, start in clock ticks after boot (with pid,
 * who it is), comm may be NULL. Snapshots it and schedules its refreshes.
 */
void proc_tracker__seen(struct proc_tracker *t, pid_t pid, pid_t nspid, const char *comm,
			unsigned long long start, bool is_new, double now);
/* The process (pid, start) has exited. */
void proc_tracker__exit(struct proc_tracker *t, pid_t pid, unsigned long long start);
/* Read again the mappings of every process that is due at now; drop the finished and gone. */
void proc_tracker__refresh(struct proc_tracker *t, double now);
/* Processes waiting for a refresh, and the earliest due time (0 when none). */
size_t proc_tracker__pending(const struct proc_tracker *t);
double proc_tracker__next_due(const struct proc_tracker *t);
/* Processes reported new (not exec) so far. */
uint64_t proc_tracker__new_processes(const struct proc_tracker *t);
/* The first -EMFILE or -ENFILE met while snapshotting, then 0 (report it once), or 0. */
int proc_tracker__fd_error(struct proc_tracker *t);
void proc_tracker__free(struct proc_tracker *t);

#endif /* BPFPROF_PROC_TRACKER_H */
