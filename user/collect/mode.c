// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/mode.c - the table of profiling modes and the profile columns a recording gets (see
 * collect/mode.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "collect/mode.h"

static const struct mode_info modes[MODE_MAX] = {
	[MODE_OFFCPU] = { "offcpu",
			  "where threads block (sleep, I/O, locks) and for how long, in ns (--min-block)",
			  "off_cpu", "nanoseconds", NULL, SAMPLE_OFFCPU },
	[MODE_WALL] = { "wall",
			"wall-clock time of each thread of -p/COMMAND, running or not, in ns",
			"wall", "nanoseconds", NULL, SAMPLE_OFFCPU },
	[MODE_LOCK] = { "lock",
			"contended futex waits (mutexes, condition variables, Java monitors with their class): ns and count",
			"delay", "nanoseconds", "contentions", SAMPLE_LOCK },
	[MODE_ALLOC] = { "alloc",
			 "allocations of -p/COMMAND (malloc, calloc, realloc, aligned_alloc, anonymous mmap; a JVM's heap through the agent, its class as the leaf): bytes and objects, one sample per --alloc-interval bytes",
			 "alloc_space", "bytes", "alloc_objects", SAMPLE_ALLOC },
};

int mode__by_name(const char *name)
{
	for (int m = 0; m < MODE_MAX; m++)
		if (!strcmp(name, modes[m].name))
			return m;
	return -1;
}

const struct mode_info *mode__info(size_t i)
{
	return i < MODE_MAX ? &modes[i] : NULL;
}

static void column__set(struct pf_value_type *t, const char *type, const char *unit)
{
	snprintf(t->type, sizeof(t->type), "%s", type);
	snprintf(t->unit, sizeof(t->unit), "%s", unit);
}

int mode__layout(const struct event_spec *ev, struct pf_value_type *types,
		 struct sample_columns *cols)
{
	int n = 0, nmodes = __builtin_popcount(ev->modes);
	bool several = nmodes + (ev->kind != EV_NONE) > 1;

	memset(cols, -1, sizeof(*cols));
	if (!ev->modes) { /* the event alone: samples, as before modes existed */
		column__set(&types[0], "samples", "count");
		cols->count[SAMPLE_CPU] = 0;
		return 1;
	}
	if (ev->modes & MODE_BIT(MODE_WALL)) { /* on-CPU samples and off-CPU time, both in ns */
		column__set(&types[0], "wall", "nanoseconds");
		cols->weight[SAMPLE_CPU] = cols->weight[SAMPLE_OFFCPU] = 0;
		return 1;
	}
	if (ev->kind != EV_NONE) {
		column__set(&types[n], ev->is_time ? "cpu" : "events",
			    ev->is_time ? "nanoseconds" : "count");
		cols->weight[SAMPLE_CPU] = n++;
	}
	for (int m = 0; m < MODE_MAX && n < PROFILE_MAX_VALUES; m++) {
		const struct mode_info *mi = &modes[m];

		if (!(ev->modes & MODE_BIT(m)))
			continue;
		column__set(&types[n], mi->type, mi->unit);
		cols->weight[mi->kind] = n++;
		if (!several && mi->count_type) {
			column__set(&types[n], mi->count_type, "count");
			cols->count[mi->kind] = n++;
		}
	}
	return n;
}

int mode__check(const struct event_spec *ev, bool has_target, char *err, size_t len)
{
	if ((ev->modes & MODE_BIT(MODE_WALL)) && !has_target) {
		snprintf(
			err, len,
			"-e wall needs a target: give -p PID or -- COMMAND (host-wide, wall time is mostly idle threads); for every thread of the host use -e cpu,offcpu");
		return -EINVAL;
	}
	if ((ev->modes & MODE_BIT(MODE_ALLOC)) && !has_target) {
		snprintf(
			err, len,
			"-e alloc needs a target: give -p PID or -- COMMAND (its uprobes trap on every malloc call: host-wide they would slow every process)");
		return -EINVAL;
	}
	return 0;
}
