/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/threads.h - the Java thread names our agent publishes beside the perf map.
 *
 * /tmp/perf-PID.threads holds one "TID NAME" line per Java thread start (agent/threads.c); the
 * last line for a tid wins. It is read through lib/rootfs like the perf map: inside the target's
 * root, a regular file owned by root or the JVM's user, no larger than JAVA_THREADS_MAX_SIZE.
 */
#ifndef BPFPROF_JAVA_THREADS_H
#define BPFPROF_JAVA_THREADS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define JAVA_THREADS_MAX_SIZE (16u << 20)

struct thread_names;

/* Parse at most max_bytes of f; malformed lines are skipped. NULL on ENOMEM. */
struct thread_names *java_threads__parse(FILE *f, uint64_t max_bytes);
/*
 * /tmp/perf-NSPID.threads inside rootfd (< 0: the host's root), owned by root or owner. NULL with
 * errno set when there is none (ENOENT), it was refused (lib/rootfs.h) or on ENOMEM.
 */
struct thread_names *java__thread_names(int rootfd, pid_t nspid, uid_t owner);

#endif /* BPFPROF_JAVA_THREADS_H */
