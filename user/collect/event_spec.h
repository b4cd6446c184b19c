/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/event_spec.h - what drives sampling: `-e` names parsed into an event_spec, and the
 * events `bpfprof list` (cli/cmd_list.c) shows.
 *
 * Four kinds, each attached differently by the sampler: perf events (cpu-clock and the other
 * software events, hardware events where a PMU exists), tracepoints (tracepoint:CAT:NAME),
 * kprobes (kprobe:FUNC) and uprobes (uprobe:PATH:SYMBOL). Beside (or instead of) the event, an
 * -e list may name modes with programs of their own (collect/mode.h): "offcpu", "cpu,offcpu",
 * "wall", "lock,alloc".
 */
#ifndef BPFPROF_EVENTS_H
#define BPFPROF_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum event_kind {
	EV_PERF,
	EV_TRACEPOINT,
	EV_KPROBE,
	EV_UPROBE,
	EV_NONE, /* no event of its own: only modes (-e offcpu, -e lock,alloc) */
};

struct event_spec {
	enum event_kind kind;
	char name[256];	   /* as the user wrote it, canonical: "cpu", "page-faults", ... */
	uint32_t type;	   /* EV_PERF: PERF_TYPE_* */
	uint64_t config;   /* EV_PERF: PERF_COUNT_* */
	bool is_time;	   /* counts nanoseconds (cpu-clock): -F makes sense, unit is ns */
	char category[64]; /* EV_TRACEPOINT */
	char func[128];	   /* EV_TRACEPOINT name, EV_KPROBE function, EV_UPROBE symbol */
	char path[4096];   /* EV_UPROBE binary */
	/* Modes beyond the event (collect/mode.h): a bit per enum mode, with their settings. */
	uint32_t modes;
	uint64_t min_block_ns;	 /* offcpu: shorter blocks are not counted */
	uint64_t alloc_interval; /* alloc: one sample per this many bytes, on average */
};

struct sample_rate {
	uint64_t freq;	 /* samples per second per CPU (-F), 0 when period is used */
	uint64_t period; /* one sample every N events (-c), 0 when freq is used */
};

/*
 * Parse an -e name. 0, or -EINVAL/-ENOENT after writing a one-line reason into err. No side
 * effects: a tracepoint is looked up in tracefs only if it is mounted, so call
 * event__mount_tracefs() first when event__needs_tracefs(s).
 */
int event__parse(const char *s, struct event_spec *ev, char *err, size_t errlen);

/* Whether an -e name is a tracepoint, whose id lives in tracefs. */
bool event__needs_tracefs(const char *s);

/*
 * Mount tracefs at /sys/kernel/tracing unless it (or debugfs's tracing) is there, as perf and
 * bpftrace need too. 0, or -errno after writing the fix into err. For whoever lists or attaches
 * tracepoints: the CLI before parsing -e, the sampler before attaching.
 */
int event__mount_tracefs(char *err, size_t len);

/* perf_event_open(2) for a perf event on cpu (pid -1). fd, or -errno. */
int event__open_perf(const struct event_spec *ev, const struct sample_rate *rate, int cpu);

/* Explain why a perf event could not be opened, with the fix, into err. */
void event__explain(const struct event_spec *ev, int err, char *buf, size_t len);

/* The i-th perf event bpfprof knows (help order) and its one-line description; NULL past the end. */
const char *event__perf_name(size_t i, const char **help);

/*
 * Call fn (may be NULL) with each tracepoint "CAT:NAME" of the running kernel, from tracefs
 * (event__mount_tracefs first). The count, or -errno when tracefs cannot be read.
 */
int event__each_tracepoint(void (*fn)(const char *name, void *ctx), void *ctx);

/* The online CPUs, as a list. Returns the count, or -errno. *cpus is malloc'd. */
int online_cpus(int **cpus);

#endif /* BPFPROF_EVENTS_H */
