// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * procfs.c - /proc files of a process (see procfs.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "procfs.h"

char *procfs__read(pid_t pid, const char *what, size_t *len)
{
	char path[64], *buf = NULL;
	size_t size = 0;
	FILE *f, *mem;
	char chunk[4096];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	mem = open_memstream(&buf, &size);
	if (!mem) {
		fclose(f);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	if (len)
		*len = size;
	return buf;
}

const char *procfs__field(const char *s, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = s; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen))
			return p + klen;
	}
	return NULL;
}

pid_t procfs__nspid(const char *s)
{
	const char *p = procfs__field(s, "NSpid:");
	long last = 0;
	char *end;

	if (!p)
		p = procfs__field(s, "Pid:");
	while (p) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		last = v;
		p = end;
		if (*p == '\n')
			break;
	}
	return last;
}

unsigned procfs__effective_id(const char *s, const char *key)
{
	unsigned real = 0, eff = 0;
	const char *p = procfs__field(s, key);

	if (p && sscanf(p, "%u %u", &real, &eff) == 2)
		return eff;
	return real;
}
