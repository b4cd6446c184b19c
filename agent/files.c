// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * files.c - the files the agent keeps beside the perf map (threads.c, methods.c): created the
 * same way (emptied, appended to, never through a symlink, 0644) and written whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

int agent_file__create(char *path, size_t path_len, const char *dir, int pid, const char *suffix,
		       const char *without, char *err, size_t err_len)
{
	int fd, e;

	snprintf(path, path_len, "%s/perf-%d.%s", dir, pid, suffix);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd >= 0)
		return fd;
	e = errno;
	snprintf(err, err_len, "cannot open %s: %s; %s", path, strerror(e), without);
	return -e;
}

bool agent_file__write(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}
