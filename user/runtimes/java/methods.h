/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/methods.h - the Java method names our agent publishes beside the perf map, by
 * HotSpot Method*: what names the interpreted frames the BPF walk records.
 *
 * /tmp/perf-PID.methods holds one "METHOD_PTR Class.method" line (the pointer in hex) per method
 * of every class the JVM prepared (agent/methods.c); the last line for a pointer wins. Read as
 * the threads file is (published.h), no larger than JAVA_METHODS_MAX_SIZE (the agent's cap).
 */
#ifndef BPFPROF_JAVA_METHODS_H
#define BPFPROF_JAVA_METHODS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define JAVA_METHODS_MAX_SIZE (64u << 20)
#define JAVA_INTERPRETER "Interpreter" /* HotSpot's perf-map name for its interpreter's code */

struct method_names;

/* Parse at most max_bytes of f; malformed lines are skipped. NULL on ENOMEM. */
struct method_names *java_methods__parse(FILE *f, uint64_t max_bytes);
/*
 * /tmp/perf-NSPID.methods inside rootfd (< 0: the host's root), owned by root or owner. NULL with
 * errno set when there is none (ENOENT), it was refused (lib/rootfs.h) or on ENOMEM.
 */
struct method_names *java__method_names(int rootfd, pid_t nspid, uid_t owner);

#endif /* BPFPROF_JAVA_METHODS_H */
