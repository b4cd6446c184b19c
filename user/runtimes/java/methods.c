// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/methods.c - /tmp/perf-PID.methods into a Method* -> name table (see methods.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtimes/java/methods.h"
#include "runtimes/java/published.h"
#include "runtimes/method_names.h"

#define LINE_MAX_LEN 4096 /* a method's name with its parameter types (sig=on) */

/* "PTR NAME": a hex pointer (8-byte aligned, not 0), one space, a name to the end of the line. */
static int java_methods__line(char *line, void *mn)
{
	unsigned long long ptr;
	char *end;

	errno = 0;
	ptr = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || !end[1] || !ptr || (ptr & 7) || errno)
		return 0; /* not ours to judge: skip it */
	return method_names__set(mn, ptr, end + 1, strlen(end + 1));
}

static void java_methods__drop(void *table)
{
	method_names__free(table);
}

struct method_names *java_methods__parse(FILE *f, uint64_t max_bytes)
{
	return java_published__fill(f, max_bytes, LINE_MAX_LEN, method_names__new(),
				    java_methods__line, java_methods__drop);
}

static void *java_methods__parse_any(FILE *f, uint64_t max_bytes)
{
	return java_methods__parse(f, max_bytes);
}

struct method_names *java__method_names(int rootfd, pid_t nspid, uid_t owner)
{
	return java_published__load(rootfd, nspid, "methods", owner, JAVA_METHODS_MAX_SIZE,
				    java_methods__parse_any);
}
