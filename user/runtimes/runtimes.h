/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/runtimes.h - every language runtime behind one object: what a recording calls to make
 * JIT code nameable (runtime.h has the per-runtime ops; Java is the one today).
 *
 * Lifecycle: runtimes__new -> command_env (in the forked child) / prepare (each -p target) /
 * offer and forget (host-wide, as processes come and go) -> finish (before symbolization) ->
 * free. Every call takes NULL (runtimes off) and does nothing. runtimes__jit_name and
 * runtimes__thread_names need no object: the symbolizer calls them for perf-map names and for
 * thread frames.
 */
#ifndef BPFPROF_RUNTIMES_H
#define BPFPROF_RUNTIMES_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtimes/runtime.h"

struct runtimes;
struct strset;

/* Each runtime's state (Java finds its agent here, once). NULL on ENOMEM. */
struct runtimes *runtimes__new(const struct runtime_cfg *cfg);
void runtimes__free(struct runtimes *rt);

/* In the forked child before exec: add what runtimes want to this process's environment. */
void runtimes__command_env(const struct runtimes *rt);
/* A -p target: detect its runtime and prepare it now. 0, -ENOEXEC (no runtime) or -errno. */
int runtimes__prepare(struct runtimes *rt, pid_t pid);
/* Host-wide: a process was met / exited. Never blocks. */
void runtimes__offer(struct runtimes *rt, pid_t pid);
void runtimes__forget(struct runtimes *rt, pid_t pid);
/* Before symbolization: stop the host-wide workers, then finish every prepared process. */
void runtimes__finish(struct runtimes *rt);

/* The library whose probe points the modes attach to (runtime.h probe_lib), or NULL. */
const char *runtimes__probe_lib(const struct runtimes *rt);

/* name as the runtime that wrote it would have people read it (interned in strs), or name. */
const char *runtimes__jit_name(const char *name, struct strset *strs);

/*
 * The whole thread names a runtime published for a process (runtime.h thread_names), or NULL:
 * none (errno: ENOENT, a rootfs refusal, ENOMEM). Free with thread_names__free.
 */
struct thread_names *runtimes__thread_names(int rootfd, pid_t nspid, uid_t owner);

/*
 * Is name a runtime's perf-map name for its interpreter's code, whose frames the BPF walk
 * records by their method (runtime.h interpreter)?
 */
bool runtimes__is_interpreter(const char *name);
/* An interpreted frame whose method has no published name: HotSpot's name for its interpreter. */
#define RUNTIMES_UNNAMED_METHOD "Interpreter"
/*
 * The method names a runtime published for a process (runtime.h method_names), or NULL: none
 * (errno: ENOENT, a rootfs refusal, ENOMEM). Free with method_names__free.
 */
struct method_names *runtimes__method_names(int rootfd, pid_t nspid, uid_t owner);

#endif /* BPFPROF_RUNTIMES_H */
