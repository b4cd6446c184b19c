// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rootfs.c - path resolution confined to a process's root (see rootfs.h), with openat2(2).
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "rootfs.h"

int rootfs__open(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };

	if (rootfd < 0)
		return open(path, O_RDONLY | O_CLOEXEC);
	return syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}
