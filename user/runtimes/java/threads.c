// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/threads.c - /tmp/perf-PID.threads into a tid -> name table (see threads.h),
 * read as every file the agent publishes is (published.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtimes/java/published.h"
#include "runtimes/java/threads.h"
#include "runtimes/thread_names.h"

#define LINE_MAX_LEN 512 /* the agent cuts names at 255 bytes */

/* "TID NAME": a decimal tid, one space, a name to the end of the line. */
static int java_threads__line(char *line, void *tn)
{
	char *end;
	long tid;

	errno = 0;
	tid = strtol(line, &end, 10);
	if (end == line || *end != ' ' || !end[1] || tid <= 0 || tid > INT32_MAX || errno)
		return 0; /* not ours to judge: skip it */
	return thread_names__set(tn, (pid_t)tid, end + 1, strlen(end + 1));
}

static void java_threads__drop(void *table)
{
	thread_names__free(table);
}

struct thread_names *java_threads__parse(FILE *f, uint64_t max_bytes)
{
	return java_published__fill(f, max_bytes, LINE_MAX_LEN, thread_names__new(),
				    java_threads__line, java_threads__drop);
}

static void *java_threads__parse_any(FILE *f, uint64_t max_bytes)
{
	return java_threads__parse(f, max_bytes);
}

struct thread_names *java__thread_names(int rootfd, pid_t nspid, uid_t owner)
{
	return java_published__load(rootfd, nspid, "threads", owner, JAVA_THREADS_MAX_SIZE,
				    java_threads__parse_any);
}
