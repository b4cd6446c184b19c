/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/watch.h - attach to JVMs as a host-wide recording meets them, off the recorder's thread.
 *
 * An attach takes from milliseconds to the attach timeout; the recorder must keep draining its
 * ring buffer meanwhile, so pids are handed to one worker thread that checks whether each is a
 * JVM and prepares it (the Java runtime's callback), once it has lived two seconds: a JVM met at its first
 * sample may not have loaded libjvm.so yet, and java -version and the like are over by then and
 * are left alone. Each process is looked at once.
 */
#ifndef BPFPROF_JAVA_WATCH_H
#define BPFPROF_JAVA_WATCH_H

#include <sys/types.h>

struct java_watch;

/* Called on the worker thread for each process, once old enough: detect and prepare it. */
typedef void (*java_watch_fn)(void *ctx, pid_t pid);

/* Start the worker. ctx must outlive the watch. NULL on failure (recording goes on). */
struct java_watch *java_watch__start(java_watch_fn look, void *ctx);
/* Queue pid unless it was offered before. Never blocks on an attach. */
void java_watch__offer(struct java_watch *w, pid_t pid);
/* pid's process exited: a process that reuses the pid will be offered afresh. */
void java_watch__forget(struct java_watch *w, pid_t pid);
/* Stop the worker (an attach under way finishes first); no callback runs after this returns. */
void java_watch__stop(struct java_watch *w);
void java_watch__free(struct java_watch *w);

#endif /* BPFPROF_JAVA_WATCH_H */
