/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/session.h - one recording's machinery, shared by `record` and the coming `monitor`:
 * the sampler, the symbolizer, the process tracker, the optional `-- COMMAND` workload, the JVM
 * policy, and the table of raw stacks drained while the run goes on.
 *
 * Lifecycle: session__new() (the command is forked and held; BPF loaded) -> session__start()
 * (attached; the command released) -> session__poll() in a loop -> session__stop() ->
 * session__collect() -> session__free(). Errors are returned as -errno with a one-line message
 * in err (empty when a lower layer already printed one); nothing here prints.
 *
 * What holds for collect: it names every stack drained since session__start() into the
 * profile, each sample exactly once (rotations during the run and the final drain hand over
 * disjoint sets); it is called once, after session__stop(). A monitor's windowed collect can
 * rest on the same invariants: rotate instead of drain, name the raw table, then empty it. The
 * symbolizer's snapshots and the pids seen outlive a window, and an exited process stays
 * nameable because the symbolizer keeps it (it does not evict yet): an eviction must wait until
 * the window holding the process's last stacks has been collected.
 */
#ifndef BPFPROF_SESSION_H
#define BPFPROF_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "bpf/abi/sample.h"
#include "bpf/abi/unwind.h"
#include "collect/event_spec.h"
#include "collect/sample.h"
#include "runtimes/runtime.h"

struct profile;
struct record_stats;
struct session;

enum session_java {
	SESSION_JAVA_AUTO, /* every JVM: the -p targets, the command's, or host-wide as they appear */
	SESSION_JAVA_TARGETS, /* only the -p targets and the command */
	SESSION_JAVA_OFF,
};

struct session_cfg {
	const pid_t *pids; /* -p targets, borrowed */
	int npids;
	char *const *cmd; /* NULL-terminated, or NULL: no command */
	const struct event_spec *ev;
	const struct sample_rate *rate;
	const char *debug_dir;
	enum session_java java;
	struct runtime_cfg runtimes; /* agent options, attach timeout (.watch is the session's) */
	uint32_t stack_storage, max_stacks;
	bool user_only, kernel_only, threads, idle, verbose;
	bool full_names;	 /* C++ names whole (symbolize/demangle.h) */
	enum unwind_mode unwind; /* --unwind: how user stacks are walked */
	bool labels;	    /* label stacks with pid, comm, exe, cgroup, container... (pprof) */
	bool taps_only;	    /* no collection from start to end: the caller opens taps (monitor) */
	const char *comm;   /* keep only processes whose name matches this ERE, NULL: all */
	const char *cgroup; /* keep only processes under this cgroup v2 path, NULL: all */
};

enum session_state {
	SESSION_RUNNING,
	SESSION_CMD_EXITED,   /* the command has exited */
	SESSION_TARGETS_GONE, /* every -p target has exited */
};

/* Fork the command (held), load the sampler, add the targets. NULL with err set on failure. */
struct session *session__new(const struct session_cfg *cfg, char *err, size_t errlen);
/* The command's pid, 0 when there is none (to forward a SIGTERM to it). */
pid_t session__child(const struct session *s);
/* Attach the sampling, then release the command. 0 or -errno. */
int session__start(struct session *s, char *err, size_t errlen);
/*
 * Deliver process events (waits up to timeout_ms), refresh mappings that are due, drain a
 * filling in-kernel set. The state, or -errno. err may hold a warning to show even when the
 * state is SESSION_RUNNING (an unreadable in-kernel set, running out of file descriptors).
 */
int session__poll(struct session *s, int timeout_ms, char *err, size_t errlen);
/*
 * For a caller that waits on several things: a descriptor readable when session__poll() has
 * work, and how long it may wait at most (ms, <= max_ms) before a poll is due anyway (a
 * process's mappings to read again, -p targets to check). Idle, a session needs no poll at all.
 */
int session__fd(const struct session *s);
int session__timeout_ms(const struct session *s, int max_ms);
/* Detach; no sample is taken after this. Seconds sampled since session__start(). */
double session__stop(struct session *s);
/* Samples, losses and the like so far: out[STAT_MAX]. */
void session__stats(struct session *s, uint64_t out[STAT_MAX]);
/* What the modes counted so far, per enum sample_kind: events and weight (ns, bytes). */
void session__mode_totals(struct session *s, uint64_t count[SAMPLE_KINDS],
			  uint64_t weight[SAMPLE_KINDS]);
/*
 * Finish the JVMs, drain what is left, name every stack into p and fill its meta (all but the
 * title) and st. 0 or -errno (p holds what could be read).
 */
int session__collect(struct session *s, struct profile *p, struct record_stats *st, char *err,
		     size_t errlen);
/*
 * Taps: collections that can be opened and closed while the session runs (the monitor's
 * windows, a pprof request for the next N seconds, a background recording). Every stack drained
 * while a tap is open is added to it; opening and closing cut the stream (the filling in-kernel
 * set is drained first), so a tap holds exactly the samples taken between its open and its close.
 * session__tap_close(..., reopen) ends one tap and begins the next at the same cut: consecutive
 * windows share no sample and lose none. Not thread safe: one thread drives the session.
 */
struct session_tap;
struct stack_builder_stats;
int session__tap_open(struct session *s, struct session_tap **out);
/* Cut, and name what t holds so far into p (meta: t's start until now) without closing it. */
int session__tap_peek(struct session *s, struct session_tap *t, struct profile *p,
		      struct stack_builder_stats *st);
/* Cut, name t into p (NULL: discard), free t; with reopen, a new tap begins at the cut. */
int session__tap_close(struct session *s, struct session_tap *t, struct profile *p,
		       struct stack_builder_stats *st, struct session_tap **reopen);
/* Let go of exited processes no open tap can name (their snapshots, binaries, labels). */
void session__evict(struct session *s);
/* Processes the symbolizer holds (for the summary). */
size_t session__processes(const struct session *s);
/* Of those, the ones that have exited and wait for eviction. */
size_t session__processes_exited(const struct session *s);
/* Binaries whose symbols the symbolizer holds. */
size_t session__binaries(const struct session *s);
/*
 * The command's exit status as a shell gives it; 0 without a command. A command still running
 * (the recording ended on -d or a signal to us alone) is ended first, SIGTERM then SIGKILL after
 * grace_s, and *ended says so; its status is then 0: the recording ended as asked.
 */
int session__exit_code(struct session *s, double grace_s, bool *ended);
/* Producers (sampler, JVM watcher) first, then what they fed; a held command exits 127. */
void session__free(struct session *s);

#endif /* BPFPROF_SESSION_H */
