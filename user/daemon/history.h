/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/history.h - the monitor's profiles on disk: one gzip'd pprof per window in a directory
 * (--dir, default /var/lib/bpfprof), kept by age (--retain) and total size (--max-disk), the
 * oldest deleted first; and the reader that merges any time range of them back into one profile
 * (`bpfprof report --dir`, the monitor's HTTP /profile, `bpfprof dump`).
 *
 * Invariants:
 *  - a window file is whole or absent: it is written unnamed (O_TMPFILE, io/atomic_file) and
 *    linked under its final name only once complete, so a crash or kill -9 leaves nothing a
 *    reader takes as a profile; leftovers of another kind (temp names) are ignored and removed;
 *  - a file's name carries its window, UTC to the ns, e.g.
 *    20261123T141500.000000000Z_20261123T141510.000000000Z.pb.gz: the reader selects files by
 *    name without opening them (and `report --from` takes such a stamp as it is);
 *  - one writer per directory: history__open() takes an exclusive lock (flock on DIR/.lock) and
 *    fails with -EBUSY naming the holder's pid; readers take no lock;
 *  - the directory is created 0700 (profiles name every process of the host).
 */
#ifndef BPFPROF_HISTORY_H
#define BPFPROF_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include "model/filter.h"
#include "model/profile.h"

#define HISTORY_DEFAULT_DIR "/var/lib/bpfprof"

struct history_cfg {
	const char *dir;
	double retain_s; /* delete windows that ended longer ago than this; 0: keep by size only */
	uint64_t max_bytes; /* keep the directory's window files under this (the newest window
			     * always stays); 0: no bound */
};

struct history_stats {
	uint64_t files, bytes;	       /* on disk now */
	uint64_t written, deleted;     /* since open */
	uint64_t write_errors;	       /* windows that could not be written (full disk...) */
	uint64_t oldest_ns, newest_ns; /* window starts/ends on disk, 0: none */
};

struct history;

/* Create/lock the directory and index the files in it. 0 or -errno, message in err. */
int history__open(struct history **out, const struct history_cfg *cfg, char *err, size_t errlen);
/*
 * Write p as one window (p->meta.start_ns, p->meta.duration_s say which), then apply retention.
 * 0 or -errno with a message in err; a failed write leaves no file and the history usable.
 */
int history__add(struct history *h, const struct profile *p, char *err, size_t errlen);
void history__stats(const struct history *h, struct history_stats *st);
/* New retention bounds (SIGHUP), applied from the next history__add(). */
void history__set_limits(struct history *h, double retain_s, uint64_t max_bytes);
void history__free(struct history *h);

/*
 * Merge every window of dir overlapping [from_ns, to_ns) (0, 0: all) that passes f (NULL: all
 * stacks) into out, with out's meta set to the range covered. Windows partly outside the range
 * count whole. *nwindows (may be NULL) gets how many were merged. 0 (also when none matched) or
 * -errno with a message in err.
 */
int history__load(const char *dir, uint64_t from_ns, uint64_t to_ns, const struct profile_filter *f,
		  struct profile *out, size_t *nwindows, char *err, size_t errlen);

/*
 * What dir holds: the first window's start and the last window's end (0, 0 when none) and how
 * many window files. 0 or -errno with a message in err (e.g. no such directory).
 */
int history__range(const char *dir, uint64_t *first_ns, uint64_t *last_ns, size_t *nfiles,
		   char *err, size_t errlen);

#endif /* BPFPROF_HISTORY_H */
