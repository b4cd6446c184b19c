/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unwind/unwind_worker.h - the unwinder (unwind/unwinder.h) on a thread of its own, fed by its
 * own ring buffer (`unwind_events`, bpf/unwind/native.bpf.h).
 *
 * A process's samples are walked by frame pointers until its tables are published, so the delay
 * from an exec to its entry is samples lost to CFI. Fed by the poll loop, that work waited behind
 * whatever the loop did first: the symbolizer's snapshot of a new process (200 ms for one that
 * maps thirty libraries: the command before its exec, which is bpfprof), draining, emitting.
 * Here it waits only on the notices before it.
 *
 * Invariants: notices run one at a time in the order the BPF side wrote them (an exit after its
 * add, a refresh after the exec it refreshes); the unwinder is touched only by the worker's thread
 * while it runs and by unwind_worker__stats() under one lock; unwind_worker__free() stops the
 * thread before freeing the unwinder it owns.
 */
#ifndef BPFPROF_UNWIND_WORKER_H
#define BPFPROF_UNWIND_WORKER_H

#include "unwind/unwinder.h"

struct unwind_worker;

/*
 * Run u (owned from now on, freed with the worker, even on failure) on a new thread that reads
 * the unwind_events ring buffer at events_fd (not closed). NULL with errno.
 */
struct unwind_worker *unwind_worker__new(struct unwinder *u, int events_fd);
void unwind_worker__stats(struct unwind_worker *w, struct unwinder_stats *st);
void unwind_worker__free(struct unwind_worker *w);

#endif /* BPFPROF_UNWIND_WORKER_H */
