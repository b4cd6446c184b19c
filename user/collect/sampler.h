/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/sampler.h - the BPF side's lifecycle, seen from user space: open the skeleton, configure it
 * (filters, sizes), load, attach to the chosen event, poll process events, stop, and drain the
 * in-kernel counts. One cleanup path: sampler__free() undoes whatever was done.
 *
 * The event source is picked at run time behind a small ops table (collect/source.h: perf event
 * on every CPU, tracepoint, kprobe/uprobe), the way async-profiler's Engine hides perf vs itimer.
 */
#ifndef BPFPROF_SAMPLER_H
#define BPFPROF_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "bpf/abi/sample.h"
#include "bpf/abi/unwind.h"
#include "collect/event_spec.h"
#include "collect/sample.h"

/*
 * In-kernel table sizes, per set (there are two: one fills while the other is drained). A set
 * is drained once it has gained storage / SAMPLER_ROTATE_DIVISOR new entries (the sample that
 * gets there wakes user space through the ring buffer): its stack map
 * then stays under about 1 % full, so few stacks are lost to bucket collisions.
 */
#define SAMPLER_STACK_STORAGE 16384
#define SAMPLER_MAX_STACKS 16384
#define SAMPLER_ROTATE_DIVISOR 256
/* How often the off-CPU stacks, kept across sets, are emptied (seconds; at a rotation). */
#define SAMPLER_OFFCPU_SWEEP_S 600

struct sampler_cfg {
	bool filter_pids;  /* only pids added with sampler__add_pid() (and, with */
	bool follow_forks; /* follow_forks, their children) */
	bool idle, kernel, user, threads;
	uint32_t stack_storage;	 /* stack map entries per set, 0: SAMPLER_STACK_STORAGE */
	uint32_t max_stacks;	 /* counts map entries per set, 0: SAMPLER_MAX_STACKS */
	bool verbose;		 /* libbpf debug output */
	enum unwind_mode unwind; /* --unwind: user stacks by frame pointers, CFI, or both */
	uint32_t unwind_rows;	 /* unwind_rows entries, 0: UNWIND_DEFAULT_ROWS */
	/* The event, when known before load: its source configures the program then. Optional. */
	const struct event_spec *event;
	/* The JVM agent (runtimes__probe_lib): -e alloc and lock probe it in every JVM. Optional. */
	const char *agent;
};

struct sampler;

/* Open, configure and load. NULL after printing a one-line error naming the fix. */
/* Process events (new pid, exec, exit) go to fn, in sampler__poll() and sampler__stop(). */
struct sampler *sampler__new(const struct sampler_cfg *cfg, proc_event_fn fn, void *ctx);
int sampler__add_pid(struct sampler *s, pid_t pid);
/*
 * sampler__add_pid() for the held command, whose program exe is not exec'd yet (-e alloc), with
 * the allocation shim preloaded into it (NULL: none; its malloc is probed instead).
 */
int sampler__add_command(struct sampler *s, pid_t pid, const char *exe, const char *alloc_shim);
/* Attach to ev; samples flow from here on. 0 or -errno (error printed). */
int sampler__start(struct sampler *s, const struct event_spec *ev, const struct sample_rate *rate);
/* The unit of a sample's weight for ev: "nanoseconds" (cpu-clock) or "count". */
const char *sampler__unit(const struct sampler *s, const struct event_spec *ev);
/* Deliver pending process events; waits up to timeout_ms. Events handled, or -errno. */
int sampler__poll(struct sampler *s, int timeout_ms);
/* A descriptor that polls readable when sampler__poll() has events to deliver, or -1. */
int sampler__fd(const struct sampler *s);
/*
 * Detach the sampling and the process watchers, then deliver the events still queued: no sample
 * is taken and no event delivered after this returns. Safe to call twice.
 */
void sampler__stop(struct sampler *s);
/* True when the set being filled is due to be drained (sampler__rotate). */
bool sampler__wants_rotate(const struct sampler *s);
/*
 * Send new samples to the other set, wait until no program still writes the old one, then
 * hand each of its unique stacks to fn as a struct sample, and empty it. Every sample is visited exactly once
 * across rotations and the final drain. 0 or -errno.
 */
int sampler__rotate(struct sampler *s, sample_fn fn, void *ctx);
/* After sampler__stop(): visit and empty both sets. 0 or -errno. */
int sampler__drain(struct sampler *s, sample_fn fn, void *ctx);
unsigned long sampler__rotations(const struct sampler *s);
/* Events counted by the modes' programs so far, and their weight, per enum sample_kind. */
void sampler__mode_totals(struct sampler *s, uint64_t count[SAMPLE_KINDS],
			  uint64_t weight[SAMPLE_KINDS]);
/* Read the BPF side's loss counters into out[STAT_MAX]. */
void sampler__stats(struct sampler *s, uint64_t out[STAT_MAX]);
/* The BPF unwinder's counters (out[UNWIND_STAT_MAX]) and its tables' memory; -ENOENT with
 * --unwind fp. */
struct unwinder_stats;
int sampler__unwind_stats(struct sampler *s, uint64_t out[UNWIND_STAT_MAX],
			  struct unwinder_stats *tables);
/*
 * pid runs HotSpot with its interpreter's code at [start, end): the BPF walk (--unwind auto,
 * cfi) records its interpreted frames as Method* (bpf/abi/unwind.h). Forgotten at its exit or
 * exec. 0 or -errno (-ENOENT with --unwind fp: nothing to do).
 */
int sampler__hotspot_interp(struct sampler *s, pid_t pid, uint64_t start, uint64_t end);
/*
 * BPF run time and run count of the sampling program, counted over the whole run (a
 * BPF_ENABLE_STATS descriptor held since before its first run: with cfg.verbose only);
 * -ENODATA otherwise.
 */
int sampler__prog_stats(struct sampler *s, uint64_t *run_ns, uint64_t *run_cnt);
/* Detach and free without delivering any event (the callback's context may be gone). */
void sampler__free(struct sampler *s);

#endif /* BPFPROF_SAMPLER_H */
