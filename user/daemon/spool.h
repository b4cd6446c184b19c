/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/spool.h - a bounded first-in first-out queue of byte blobs kept as files in one
 * directory, so that what a producer queued survives a backend outage and a restart: the push
 * stage spools each request here and its worker sends the oldest first.
 *
 * Invariants:
 *  - an entry is a whole file or absent: it is written unnamed (io/atomic_file, O_TMPFILE) and
 *    linked under its name only once complete; a crash leaves nothing a reader takes as an
 *    entry, and hidden leftovers (".NAME.XXXXXX") are removed at open;
 *  - entries are named by a sequence number, 16 hex digits + ".spool", so names sort oldest
 *    first; a reopened spool continues after the highest number it finds and serves the entries
 *    an earlier run left, in order;
 *  - the entries' total size stays within max_bytes: spool__put deletes the oldest entries to
 *    make room (counted in dropped) and refuses (-EFBIG) one entry larger than the bound;
 *  - the directory is created 0700; files of other names in it are left alone;
 *  - every function is safe to call from several threads (one producer, one consumer).
 */
#ifndef BPFPROF_SPOOL_H
#define BPFPROF_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool_stats {
	uint64_t files, bytes; /* waiting now */
	uint64_t put;	       /* entries written since open */
	uint64_t dropped;      /* entries deleted for room since open */
	uint64_t dropped_bytes;
};

struct spool;

/* Create (0700) or reopen dir and index the entries in it. 0 or -errno, message in err. */
int spool__open(struct spool **out, const char *dir, uint64_t max_bytes, char *err, size_t errlen);
/* Write data as the newest entry, first deleting the oldest ones if it would not fit. 0 or -errno
 * (-EFBIG: larger than the bound; -ENOSPC...: nothing written), message in err. */
int spool__put(struct spool *s, const void *data, size_t len, char *err, size_t errlen);
/* The sequence number of the oldest entry: 0, or -ENOENT when the spool is empty. */
int spool__oldest(struct spool *s, uint64_t *seq);
/*
 * Read entry seq into a malloc'd buffer (*data, NUL-terminated past *len; the caller frees).
 * 0, -ENOENT when it is gone (deleted for room: it leaves the index too), or -errno.
 */
int spool__read(struct spool *s, uint64_t seq, void **data, size_t *len);
/*
 * Replace the content of entry seq (whole, under the same name, so it keeps its place): for a
 * consumer that sent part of it. 0, -ENOENT if it is gone, or -errno (the old content stays).
 */
int spool__replace(struct spool *s, uint64_t seq, const void *data, size_t len);
/* Delete entry seq (sent, or refused by the backend). 0, or -ENOENT if it is gone already. */
int spool__remove(struct spool *s, uint64_t seq);
void spool__stats(struct spool *s, struct spool_stats *st);
/* Close the index; the files stay for the next open. NULL-safe. */
void spool__free(struct spool *s);

#endif /* BPFPROF_SPOOL_H */
