/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/mode.h - the profiling modes beyond sampling one event, each answering its own
 * question in its own unit: offcpu (where threads block, ns), wall (where threads spend wall
 * time, running or not, ns), lock (where threads wait on futexes: ns and count), alloc (who
 * allocates: bytes and objects, sampled by bytes).
 *
 * One table (collect/mode.c) that `-e` parsing, help text, checks and the profile's columns all
 * read. A recording has at most one event (cpu by default) and any modes that combine: `-e
 * cpu,offcpu` keeps cpu samples and off-CPU time apart, in one column each; `wall` already holds
 * both and stands alone. The columns follow pprof's sample types: a single mode gets its value
 * column first and its count column next ({"delay","nanoseconds"}, {"contentions","count"});
 * several modes get one value column each, the event's first; the event alone keeps
 * {"samples","count"} as it always had.
 */
#ifndef BPFPROF_MODE_H
#define BPFPROF_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "collect/event_spec.h"
#include "collect/sample.h"
#include "model/profile.h"

enum mode {
	MODE_OFFCPU,
	MODE_WALL,
	MODE_LOCK,
	MODE_ALLOC,
	MODE_MAX,
};

#define MODE_BIT(m) (1u << (m))
#define MODE_MIN_BLOCK_NS 1000ULL	   /* --min-block default: 1 us */
#define MODE_ALLOC_INTERVAL (512ULL << 10) /* --alloc-interval default: 512 KiB */

struct mode_info {
	const char *name;	 /* as -e takes it */
	const char *help;	 /* for usage and `bpfprof list` */
	const char *type, *unit; /* the value column, as pprof names it */
	const char *count_type;	 /* the count column when alone, or NULL */
	enum sample_kind kind;	 /* what its BPF programs count as */
};

/* The mode called name, or -1. */
int mode__by_name(const char *name);
/* The i-th mode's description (help order); NULL past the end. */
const struct mode_info *mode__info(size_t i);

/*
 * The profile columns for ev (its event and modes) into types[], and where each sample kind's
 * count and weight go. The number of columns (1..PROFILE_MAX_VALUES).
 */
int mode__layout(const struct event_spec *ev, struct pf_value_type *types,
		 struct sample_columns *cols);

/*
 * What ev needs that this recording lacks: wall and alloc need a target (-p or a command). 0, or
 * -EINVAL with the reason and its fix in err.
 */
int mode__check(const struct event_spec *ev, bool has_target, char *err, size_t len);

#endif /* BPFPROF_MODE_H */
