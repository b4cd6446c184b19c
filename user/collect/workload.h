/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/workload.h - the `-- COMMAND` child of a recording: forked before the sampler is loaded
 * (so its pid can be filtered on), held at a pipe until sampling is attached (so its first
 * instruction is seen), then released; polled for its exit, whose status becomes ours.
 *
 * Invariants: the child never runs unobserved — it waits for workload__release(), exits 127 when
 * the pipe closes without it (workload__free() before release, or our own death), and gets
 * SIGTERM when we die (PR_SET_PDEATHSIG). It knows no runtime: a caller that must change the
 * command's environment (a Java agent in JAVA_TOOL_OPTIONS) passes a hook run in the child
 * just before exec.
 */
#ifndef BPFPROF_WORKLOAD_H
#define BPFPROF_WORKLOAD_H

#include <stdbool.h>
#include <sys/types.h>

struct workload;

/* Runs in the child after release, before exec: setenv() and the like only. */
typedef void (*workload_env_fn)(void *ctx);

/*
 * Fork argv[0] (found on PATH) held at a pipe; env_fn (may be NULL) runs in the child before
 * exec. 0 and *out, or -errno. A failed exec exits the child with 127, after one line on stderr.
 */
int workload__spawn(struct workload **out, char *const *argv, workload_env_fn env_fn, void *ctx);
pid_t workload__pid(const struct workload *w);
/* Let the child run (once). 0 or -errno; on error the child sees EOF and exits 127. */
int workload__release(struct workload *w);
/* True once the child has exited; wait blocks until it does. */
bool workload__poll(struct workload *w, bool wait);
/*
 * End a child that is still running: SIGTERM, then SIGKILL after grace_s seconds, and reap it.
 * True if it had to be ended, false if it had already exited.
 */
bool workload__end(struct workload *w, double grace_s);
/* The exit status as a shell gives it: the code, 128 + signal, or 1. Valid once poll is true. */
int workload__exit_code(const struct workload *w);
/* Close the pipe (a held child exits 127), reap the child, free. NULL is fine. */
void workload__free(struct workload *w);

#endif /* BPFPROF_WORKLOAD_H */
