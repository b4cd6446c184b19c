/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/source.h - event sources: what drives the sampling program, behind one small ops table
 * chosen at run time from the -e event (the way async-profiler's Engine hides perf vs itimer).
 *
 * One file per family: collect/source_perf.c (a perf event on every online CPU: cpu-clock,
 * software and hardware counters), collect/source_tracepoint.c, collect/source_probe.c (kprobe
 * and uprobe). A source knows its event's unit, the unit of a sample's weight: a perf event
 * weighs each sample by its period (nanoseconds for cpu-clock and other time events, events for
 * a counter), a tracepoint or probe hit weighs 1 ("count").
 *
 * Lifecycle, driven by collect/sampler.c: configure (between open and load: picks the BPF entry
 * point, sets rodata or map sizes it needs) -> start (attach; samples flow) -> stop (detach and
 * release; safe to call twice, and after a failed start). Errors are printed in one line that
 * names the fix, as the rest of the sampler does.
 */
#ifndef BPFPROF_SOURCE_H
#define BPFPROF_SOURCE_H

#include "collect/event_spec.h"

struct cpu_bpf;
struct bpf_link;
struct bpf_program;

/* What a started source holds: its entry point, its links and (perf) its event fds. */
struct source {
	const struct source_ops *ops;
	struct bpf_program *prog;
	struct bpf_link **links;
	int nlinks;
	int *fds;
	int nfds;
	/* collect/source_modes.c only: the skeleton, and the targets (none: host-wide). */
	struct cpu_bpf *skel;
	const int *pids;
	int npids;
	int cmd_pid;		/* among pids: the command, held before its exec (0: none) */
	const char *cmd_exe;	/* its program, as given */
	const char *alloc_shim; /* libbpfprof-alloc.so preloaded into it (-e alloc), or NULL */
	const char *agent;	/* the JVM agent whose probe points the modes attach to, or NULL */
};

struct source_ops {
	const char *name;
	/* The unit of a sample's weight for ev: "nanoseconds" or "count". */
	const char *(*unit)(const struct event_spec *ev);
	/* Before load: choose src->prog in skel; 0 or -errno. */
	int (*configure)(struct source *src, struct cpu_bpf *skel, const struct event_spec *ev);
	/* Attach src->prog to ev; 0 or -errno (error printed). */
	int (*start)(struct source *src, const struct event_spec *ev,
		     const struct sample_rate *rate);
	/* Detach and release what start made; no sample is taken after it returns. */
	void (*stop)(struct source *src);
};

extern const struct source_ops source_perf, source_tracepoint, source_probe;
/*
 * The modes' programs (collect/mode.h), beside whatever source drives the event: configure
 * (with ev NULL: none) leaves only the programs of ev->modes to be loaded; start attaches them.
 */
extern const struct source_ops source_modes;
/* No event of its own (EV_NONE): starts nothing, for a recording of modes only. */
extern const struct source_ops source_none;

/* The ops for ev's kind. */
const struct source_ops *source__for(const struct event_spec *ev);
/* Keep link (NULL: the attach failed, errno says why) for stop (the sampler keeps its
 * process watchers the same way). 0 or -errno. */
int source__keep_link(struct source *src, struct bpf_link *link);
/* Destroy the links and close the fds: the stop of every family. */
void source__release(struct source *src);

#endif /* BPFPROF_SOURCE_H */
