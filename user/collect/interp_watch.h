/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/interp_watch.h - tell the BPF walk where each JVM's interpreter is, so it records
 * interpreted frames by their method (bpf/unwind/hotspot.bpf.h) rather than as "Interpreter".
 *
 * The range is in the process's perf map (symbolizer__interpreter), which the agent writes a
 * moment after the JVM starts; a process met (new, exec'd) is asked about at once, then every
 * INTERP_WATCH_EVERY seconds, less often as it ages (a quarter of its age), until its map names
 * the interpreter or INTERP_WATCH_FOR seconds have passed (not a JVM with our agent): some twenty
 * reads of a perf map that is not there for a process that is no JVM. Once found, the range is
 * published with sampler__hotspot_interp. Time is passed in.
 */
#ifndef BPFPROF_INTERP_WATCH_H
#define BPFPROF_INTERP_WATCH_H

#include <sys/types.h>

#define INTERP_WATCH_EVERY 0.1
#define INTERP_WATCH_FOR 30.0

#include <stdbool.h>

struct interp_watch;
struct symbolizer;
struct sampler;

/* sym and smp are borrowed; !on: nothing is watched (the kernel walks user stacks). NULL on ENOMEM. */
struct interp_watch *interp_watch__new(struct symbolizer *sym, struct sampler *smp, bool on);
/* pid was met (new or exec'd) at now: look for its interpreter from now on. */
void interp_watch__seen(struct interp_watch *w, pid_t pid, double now);
/* pid exited: stop looking. */
void interp_watch__exit(struct interp_watch *w, pid_t pid);
/* Ask about every process due at now; publish those found. */
void interp_watch__run(struct interp_watch *w, double now);
/* When the next question is due (0: none pending), for the caller's poll timeout. */
double interp_watch__next_due(const struct interp_watch *w);
void interp_watch__free(struct interp_watch *w);

#endif /* BPFPROF_INTERP_WATCH_H */
