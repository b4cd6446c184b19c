/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * perf_map.h - JIT symbols from /tmp/perf-PID.map, the text format every JIT runtime writes
 * for profilers (Java with our agent, Node --perf-basic-prof, Python 3.12 -X perf, .NET):
 * one "START SIZE name" line per code blob, START and SIZE in hex (0x optional).
 *
 * The map is append-only and code addresses get reused, so the LAST line covering an address
 * wins. A name "A->B->C" is an inline chain written by our agent: A is the compiled method,
 * B and C were inlined into it, outermost first. Malformed lines are skipped and counted.
 */
#ifndef BPFPROF_PERF_MAP_H
#define BPFPROF_PERF_MAP_H

#include <stdint.h>
#include <stdio.h>

struct perf_map_entry {
	uint64_t start, size;
	const char *name;
	uint32_t seq;		/* line order: larger is newer */
};

struct perf_map;

/* Read the map at path, resolved inside rootfd (-1: the host's root). NULL with errno. */
struct perf_map *perf_map__load(int rootfd, const char *path);
/* Parse map text (tests feed fixtures here). NULL on ENOMEM. */
struct perf_map *perf_map__parse(FILE *f);
/* The newest entry covering addr, or NULL. */
const struct perf_map_entry *perf_map__find(const struct perf_map *pm, uint64_t addr);
size_t perf_map__count(const struct perf_map *pm);
size_t perf_map__bad_lines(const struct perf_map *pm);
void perf_map__free(struct perf_map *pm);

#endif /* BPFPROF_PERF_MAP_H */
