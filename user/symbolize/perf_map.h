/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/perf_map.h - JIT symbols from /tmp/perf-PID.map, the text format every JIT runtime writes
 * for profilers (Java with our agent, Node --perf-basic-prof, Python 3.12 -X perf, .NET):
 * one "START SIZE name" line per code blob, START and SIZE in hex (0x optional).
 *
 * The map is append-only and code addresses get reused, so the LAST line covering an address
 * wins. A name "A->B->C" is an inline chain written by our agent: A is the compiled method,
 * B and C were inlined into it, outermost first. Malformed lines are skipped and counted.
 *
 * The map is written by the target, which may be hostile, so reading it is bounded: the file is
 * opened through rootfs (a regular file, owned by the target's user or root), at most
 * PERF_MAP_MAX_SIZE bytes are read, and a line longer than PERF_MAP_MAX_LINE (or holding a NUL)
 * is skipped and counted as bad, never buffered whole. 256 MiB is ten times the largest maps
 * seen (long-running JVMs with inlining unfolded write tens of MiB) and bounds the memory one
 * process can make us spend, which is about the size of its map. 16 KiB holds the longest
 * line a real runtime writes: our agent's deepest inline chains (HotSpot inlines 15 levels) of
 * long lambda names, with signatures; Node's names carry a file path.
 */
#ifndef BPFPROF_PERF_MAP_H
#define BPFPROF_PERF_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define PERF_MAP_MAX_SIZE (256ULL << 20)
#define PERF_MAP_MAX_LINE (16u << 10)

struct perf_map_entry {
	uint64_t start, size;
	const char *name;
	uint32_t seq; /* line order: larger is newer */
};

struct perf_map;

/*
 * Read the map at path, resolved inside rootfd (-1: the host's root), if owned by root or owner
 * (the target's uid). NULL with errno; rootfs__refused(-errno) tells a refusal (lib/rootfs.h).
 */
struct perf_map *perf_map__load(int rootfd, const char *path, uid_t owner);
/* Parse map text, at most max_bytes of it (tests feed fixtures here). NULL on ENOMEM. */
struct perf_map *perf_map__parse(FILE *f, uint64_t max_bytes);
/* The newest entry covering addr, or NULL. */
const struct perf_map_entry *perf_map__find(const struct perf_map *pm, uint64_t addr);
/* The newest entry whose name match() accepts, or NULL (a walk over every entry). */
const struct perf_map_entry *perf_map__find_named(const struct perf_map *pm,
						  bool (*match)(const char *name));
size_t perf_map__count(const struct perf_map *pm);
size_t perf_map__bad_lines(const struct perf_map *pm);
/* Was the text cut at max_bytes? (Its last, partial line is then dropped, not counted bad.) */
bool perf_map__truncated(const struct perf_map *pm);
void perf_map__free(struct perf_map *pm);

#endif /* BPFPROF_PERF_MAP_H */
