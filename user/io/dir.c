// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * io/dir.c - mkdir -p for the monitor's state directories (see io/dir.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/dir.h"

int dir__make(const char *dir)
{
	char *path = strdup(dir), *s;
	struct stat st;
	int rc = 0;

	if (!path)
		return -ENOMEM;
	for (s = path + 1; *s && !rc; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			rc = -errno;
		*s = '/';
	}
	if (!rc && mkdir(path, 0700) && errno != EEXIST)
		rc = -errno;
	if (!rc && (stat(path, &st) || !S_ISDIR(st.st_mode)))
		rc = -ENOTDIR;
	free(path);
	return rc;
}
