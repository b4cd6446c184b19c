/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/published.h - the files our agent publishes beside the perf map
 * (/tmp/perf-PID.threads, /tmp/perf-PID.methods): opened and read the way perf maps are.
 *
 * The files are the target's to write, so they are opened through lib/rootfs (inside the
 * target's root, a regular file owned by root or the JVM's user, no larger than a budget) and
 * read a line at a time into a fixed buffer against a byte budget: a line longer than the agent
 * ever writes (or holding a NUL) is skipped, a file that keeps growing ends at the budget, a line
 * cut there is dropped.
 */
#ifndef BPFPROF_JAVA_PUBLISHED_H
#define BPFPROF_JAVA_PUBLISHED_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * /tmp/perf-NSPID.SUFFIX inside rootfd (< 0: the host's root), owned by root or owner, at most
 * max_size bytes. NULL with errno set: ENOENT, a refusal (lib/rootfs.h).
 */
FILE *java_published__open(int rootfd, pid_t nspid, const char *suffix, uid_t owner,
			   uint64_t max_size);
/*
 * Each whole line of f (at most max_bytes read, lines below line_max bytes) to fn, NUL-terminated
 * without its newline; fn returns 0 or -errno, which ends the read. 0 or fn's -errno.
 */
int java_published__lines(FILE *f, uint64_t max_bytes, size_t line_max,
			  int (*fn)(char *line, void *ctx), void *ctx);

/*
 * A table filled from f's lines by line(line, table): table itself, or NULL with errno ENOMEM
 * (table NULL, or line failed: drop(table) frees it).
 */
void *java_published__fill(FILE *f, uint64_t max_bytes, size_t line_max, void *table,
			   int (*line)(char *line, void *table), void (*drop)(void *table));
/*
 * parse(f, max_size) on /tmp/perf-NSPID.SUFFIX, opened as java_published__open does. NULL with
 * errno: no file (ENOENT), a refusal, ENOMEM.
 */
void *java_published__load(int rootfd, pid_t nspid, const char *suffix, uid_t owner,
			   uint64_t max_size, void *(*parse)(FILE *f, uint64_t max_bytes));

#endif /* BPFPROF_JAVA_PUBLISHED_H */
