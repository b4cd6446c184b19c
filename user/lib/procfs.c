// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/procfs.c - /proc files of a process (see lib/procfs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/procfs.h"

/* Read the open fd to its end into buf (cap bytes, grown by realloc when *grow); -errno or n. */
static ssize_t read_all(int fd, char **buf, size_t cap, bool grow)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len + 1 >= cap) {
			char *bigger;

			if (!grow)
				return len;
			bigger = realloc(*buf, 2 * cap);
			if (!bigger)
				return -ENOMEM;
			*buf = bigger, cap *= 2;
		}
		n = read(fd, *buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return len;
		len += n;
	}
}

/* Plain open and read, no stdio: the symbolizer reads these for every process it meets. */
char *procfs__read(pid_t pid, const char *what, size_t *len)
{
	char path[64], *buf;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(4096);
	n = buf ? read_all(fd, &buf, 4096, true) : -ENOMEM;
	close(fd);
	if (n < 0) {
		free(buf);
		errno = -n;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
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
	char path[64], line[1024], *buf = line, *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read_all(fd, &buf, sizeof(line), false); /* the fields we need come well within */
	close(fd);
	if (n <= 0)
		return -ESRCH;
	line[n] = '\0';
	/* after "pid (comm)" (comm may hold anything, even ") "): the fields, space-separated */
	p = strrchr(line, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -ESRCH;
	st->state = p[2];
	p += 2; /* field 3, the state; 19 spaces on is field 22 */
	for (int i = 0; i < 19 && p; i++)
		if ((p = strchr(p, ' ')))
			p++;
	if (!p || *p < '0' || *p > '9')
		return -ESRCH;
	st->start = strtoull(p, NULL, 10);
	return 0;
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
