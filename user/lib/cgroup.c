// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/cgroup.c - container id, pod uid and systemd unit from a cgroup path (see lib/cgroup.h).
 * Each path component is looked at on its own, outermost first, so the innermost match wins.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "lib/cgroup.h"

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

/* "docker-<64hex>.scope", "cri-containerd-<64hex>.scope", "<64hex>": the id, or false. */
static bool component__container(const char *c, size_t n, char *id)
{
	const char *dash;

	if (ends_with(c, n, ".scope"))
		n -= strlen(".scope");
	dash = memrchr(c, '-', n);
	if (dash && (size_t)(c + n - dash - 1) == 64) {
		n = c + n - dash - 1;
		c = dash + 1;
	}
	if (n != 64 || !all_hex(c, n))
		return false;
	memcpy(id, c, 64);
	id[64] = '\0';
	return true;
}

/* "kubepods-burstable-pod1a2b_3c4d....slice" or "pod1a2b-3c4d-...": the uid, or false. */
static bool component__pod(const char *c, size_t n, char *uid)
{
	const char *pod = n >= 3 && !memcmp(c, "pod", 3) ? c : memmem(c, n, "-pod", 4);
	size_t len;

	if (!pod)
		return false;
	pod += pod == c ? 3 : 4;
	len = c + n - pod;
	if (ends_with(pod, len, ".slice"))
		len -= strlen(".slice");
	if (len != 36)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = pod[i] == '_' ? '-' : pod[i];

		if (!(isxdigit((unsigned char)ch) || ch == '-'))
			return false;
		uid[i] = ch;
	}
	uid[len] = '\0';
	return true;
}

void cgroup__ids(const char *path, struct cgroup_ids *ids)
{
	const char *c = path;
	char scope[sizeof(ids->unit)] = "";

	memset(ids, 0, sizeof(*ids));
	while (c && *c) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);

		if (n && n < sizeof(ids->unit)) {
			if (component__container(c, n, ids->container_id))
				; /* a container's scope is not its unit */
			else if (component__pod(c, n, ids->pod_uid))
				;
			else if (ends_with(c, n, ".service"))
				snprintf(ids->unit, sizeof(ids->unit), "%.*s", (int)n, c);
			else if (ends_with(c, n, ".scope"))
				snprintf(scope, sizeof(scope), "%.*s", (int)n, c);
		}
		c = end ? end + 1 : NULL;
	}
	if (!ids->unit[0] && !ids->container_id[0])
		memcpy(ids->unit, scope, sizeof(scope));
}

int cgroup__of_pid(int pid, char *buf, unsigned long len)
{
	char path[64], line[4096];
	FILE *f;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + 3);
		err = 0;
		break;
	}
	fclose(f);
	return err;
}
