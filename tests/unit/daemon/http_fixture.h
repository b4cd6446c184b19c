/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * http_fixture.h - what the daemon's HTTP and metrics tests share: a text's metric value by
 * name, and promtool's verdict on a metrics text (the Prometheus project's own linter, so
 * "the format is right" is not our reading of the format).
 */
#ifndef BPFPROF_HTTP_FIXTURE_H
#define BPFPROF_HTTP_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The value of the sample line starting with series ("name" or "name{k=\"v\"}"), or NAN. */
static inline double metric__value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, series, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	}
	return __builtin_nan("");
}

/* promtool check metrics on text: its exit status (0: passes), its output in out. -1: none. */
static inline int promtool__check(const char *text, size_t len, char *out, size_t outlen)
{
	char path[] = "/tmp/bpfprof-prom-XXXXXX", cmd[256];
	FILE *p;
	size_t n = 0;
	int fd, rc;

	out[0] = '\0';
	if (access("/usr/bin/promtool", X_OK))
		return -1;
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < outlen && fgets(out + n, outlen - n, p))
		n += strlen(out + n);
	rc = pclose(p);
	unlink(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

#endif /* BPFPROF_HTTP_FIXTURE_H */
