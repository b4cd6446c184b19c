// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/threads.c - /tmp/perf-PID.threads into a tid -> name table (see threads.h).
 *
 * The file is the target's to write, so it is read against a byte budget with lines in a fixed
 * buffer: a line longer than the agent ever writes is skipped, a file that keeps growing ends at
 * the budget, a line cut there is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtimes/java/threads.h"
#include "runtimes/thread_names.h"
#include "lib/rootfs.h"

#define LINE_MAX_LEN 512 /* the agent cuts names at 255 bytes */

/* "TID NAME": a decimal tid, one space, a name to the end of the line. */
static int java_threads__line(struct thread_names *tn, char *line)
{
	char *end;
	long tid;

	errno = 0;
	tid = strtol(line, &end, 10);
	if (end == line || *end != ' ' || !end[1] || tid <= 0 || tid > INT32_MAX || errno)
		return 0; /* not ours to judge: skip it */
	return thread_names__set(tn, (pid_t)tid, end + 1, strlen(end + 1));
}

struct thread_names *java_threads__parse(FILE *f, uint64_t max_bytes)
{
	struct thread_names *tn = thread_names__new();
	char line[LINE_MAX_LEN];
	size_t n = 0;
	bool bad = false;
	int c, err = 0;

	while (tn && !err && max_bytes-- && (c = getc_unlocked(f)) != EOF) {
		if (c != '\n') {
			bad |= c == '\0' || n == sizeof(line) - 1;
			if (!bad)
				line[n++] = c;
			continue;
		}
		line[n] = '\0';
		if (!bad)
			err = java_threads__line(tn, line);
		n = 0;
		bad = false;
	}
	if (err) {
		thread_names__free(tn);
		tn = NULL;
	}
	if (!tn)
		errno = ENOMEM;
	return tn;
}

struct thread_names *java__thread_names(int rootfd, pid_t nspid, uid_t owner)
{
	struct rootfs_policy pol = { .max_size = JAVA_THREADS_MAX_SIZE, .owner = owner };
	struct thread_names *tn;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/perf-%d.threads", (int)nspid);
	f = rootfs__fopen(rootfd, path, &pol);
	if (!f)
		return NULL;
	tn = java_threads__parse(f, JAVA_THREADS_MAX_SIZE);
	fclose(f);
	return tn;
}
