/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/procmaps.h - a process's executable mappings from /proc/PID/maps, to find which binary (and
 * which file offset) a user-space address belongs to.
 *
 * Only executable mappings are kept: they are all a sampled instruction pointer can hit.
 * Entries are sorted by start and do not overlap.
 */
#ifndef BPFPROF_PROCMAPS_H
#define BPFPROF_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct map_entry {
	uint64_t start, end; /* [start, end) */
	uint64_t offset;     /* file offset of start */
	uint64_t inode;
	uint32_t dev; /* makedev(major, minor) as printed */
	char *path;   /* "/usr/lib/x.so", "[vdso]", "" for anonymous memory */
};

struct procmaps {
	struct map_entry *e;
	size_t n;
};

/* Read /proc/PID/maps. NULL with errno set (ESRCH when the process is gone). */
struct procmaps *procmaps__read(pid_t pid);
/* Parse maps text from f (tests feed fixtures here). NULL with errno on ENOMEM. */
struct procmaps *procmaps__parse(FILE *f);
const struct map_entry *procmaps__find(const struct procmaps *pm, uint64_t addr);
/*
 * One table for snapshots of one process taken over time (pms[0] newest): an entry is kept unless
 * it overlaps an entry of a newer snapshot, so a lookup answers as looking through pms newest
 * first would, except inside an old mapping partly covered by a newer one. The entries move: on
 * success pms are left empty (still to be freed); NULL on ENOMEM, pms untouched.
 */
struct procmaps *procmaps__merge(struct procmaps *const *pms, int n);
/* Same mappings (addresses, offsets, files)? */
bool procmaps__equal(const struct procmaps *a, const struct procmaps *b);
/* Anonymous or JIT-ish memory: no file behind it ("", "[anon:...]", memfd, deleted /tmp file). */
int map_entry__is_anon(const struct map_entry *e);
void procmaps__free(struct procmaps *pm);

#endif /* BPFPROF_PROCMAPS_H */
