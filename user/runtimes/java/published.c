// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/published.c - open and read the agent's files beside the perf map (see
 * published.h): one reader for the threads and methods files.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "runtimes/java/published.h"
#include "lib/rootfs.h"

FILE *java_published__open(int rootfd, pid_t nspid, const char *suffix, uid_t owner,
			   uint64_t max_size)
{
	struct rootfs_policy pol = { .max_size = max_size, .owner = owner };
	char path[64];

	snprintf(path, sizeof(path), "/tmp/perf-%d.%s", (int)nspid, suffix);
	return rootfs__fopen(rootfd, path, &pol);
}

int java_published__lines(FILE *f, uint64_t max_bytes, size_t line_max,
			  int (*fn)(char *line, void *ctx), void *ctx)
{
	char *line = malloc(line_max);
	size_t n = 0;
	bool bad = false;
	int c, err = 0;

	if (!line)
		return -ENOMEM;
	while (!err && max_bytes-- && (c = getc_unlocked(f)) != EOF) {
		if (c != '\n') {
			bad |= c == '\0' || n == line_max - 1;
			if (!bad)
				line[n++] = c;
			continue;
		}
		line[n] = '\0';
		if (!bad)
			err = fn(line, ctx);
		n = 0;
		bad = false;
	}
	free(line);
	return err;
}

void *java_published__fill(FILE *f, uint64_t max_bytes, size_t line_max, void *table,
			   int (*line)(char *line, void *table), void (*drop)(void *table))
{
	if (table && java_published__lines(f, max_bytes, line_max, line, table)) {
		drop(table);
		table = NULL;
	}
	if (!table)
		errno = ENOMEM;
	return table;
}

void *java_published__load(int rootfd, pid_t nspid, const char *suffix, uid_t owner,
			   uint64_t max_size, void *(*parse)(FILE *f, uint64_t max_bytes))
{
	FILE *f = java_published__open(rootfd, nspid, suffix, owner, max_size);
	void *table;

	if (!f)
		return NULL;
	table = parse(f, max_size);
	fclose(f);
	return table;
}
