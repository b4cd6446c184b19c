// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/procfs.c - /proc files of a process (see lib/procfs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/procfs.h"

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

/* Fields from 3 (state) on follow the last ')': the command name may hold anything. */
int procfs__stat(pid_t pid, struct procfs_stat *st)
{
	char *stat = procfs__read(pid, "stat", NULL);
	const char *p = stat ? strrchr(stat, ')') : NULL;
	int n = 0;

	if (p)
		n = sscanf(p + 1,
			   " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			   "%*s %*s %*s %llu",
			   &st->state, &st->start);
	free(stat);
	return n == 2 ? 0 : -ESRCH;
}

bool procfs__alive(pid_t pid)
{
	struct procfs_stat st;

	return !procfs__stat(pid, &st) && st.state != 'Z' && st.state != 'X';
}

unsigned long long procfs__ticks(uint64_t boot_ns)
{
	static long hz;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	return boot_ns / (1000000000ULL / hz);
}

unsigned procfs__effective_id(const char *s, const char *key)
{
	unsigned real = 0, eff = 0;
	const char *p = procfs__field(s, key);

	if (p && sscanf(p, "%u %u", &real, &eff) == 2)
		return eff;
	return real;
}
