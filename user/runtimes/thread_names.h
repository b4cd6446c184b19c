/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/thread_names.h - the whole names a runtime gives its threads, by tid, where the
 * kernel keeps only 15 bytes (comm). A runtime fills one from what it publishes (Java: the
 * agent's /tmp/perf-PID.threads) and the symbolizer keeps it with the process.
 *
 * Invariants: a later name for a tid replaces an earlier one; a name is given out only while the
 * comm the caller saw for the tid is that name's first 15 bytes, which is how the runtime named
 * the thread to the kernel, so a name left by a thread that ended never lands on another thread
 * that reuses its tid (it falls back to its comm).
 */
#ifndef BPFPROF_THREAD_NAMES_H
#define BPFPROF_THREAD_NAMES_H

#include <stddef.h>
#include <sys/types.h>

#define THREAD_COMM_LEN 15 /* bytes of a thread's name the kernel keeps (TASK_COMM_LEN - 1) */

struct thread_names;

/* An empty table; NULL on ENOMEM. */
struct thread_names *thread_names__new(void);
/* tid runs the thread called name (len bytes, no NUL needed). 0 or -ENOMEM. */
int thread_names__set(struct thread_names *tn, pid_t tid, const char *name, size_t len);
/* The name of tid when comm (the kernel's name for it) agrees with it; NULL otherwise. */
const char *thread_names__find(const struct thread_names *tn, pid_t tid, const char *comm);
size_t thread_names__count(const struct thread_names *tn);
void thread_names__free(struct thread_names *tn);

#endif /* BPFPROF_THREAD_NAMES_H */
