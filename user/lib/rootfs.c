// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/rootfs.c - the one opener for files a target process names (see lib/rootfs.h).
 *
 * Two steps, so a file is judged before anything happens to it: openat2() with O_PATH finds it
 * (O_PATH runs no driver's open and never blocks), fstat() checks it against the policy, and
 * only then is the very same inode opened for reading through /proc/self/fd/N. Opening the path
 * a second time instead would let the target swap the file in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/rootfs.h"

#define EAGAIN_TRIES 8

/* openat2 inside rootfd; EAGAIN means a racing rename under the root, and openat2(2) says retry. */
static int rootfs__resolve(int rootfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {
		.flags = flags | O_PATH | O_CLOEXEC,
		.resolve = resolve | RESOLVE_NO_MAGICLINKS | (rootfd >= 0 ? RESOLVE_IN_ROOT : 0),
	};
	int fd, tries = 0;

	do
		fd = syscall(SYS_openat2, rootfd >= 0 ? rootfd : AT_FDCWD, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < EAGAIN_TRIES);
	return fd < 0 ? -errno : fd;
}

static int rootfs__check(const struct stat *st, const struct rootfs_policy *pol)
{
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if (pol->max_size && (uint64_t)st->st_size > pol->max_size)
		return -EFBIG;
	if (pol->owner != ROOTFS_ANY_OWNER && st->st_uid != 0 && st->st_uid != pol->owner)
		return -EPERM;
	return 0;
}

int rootfs__reopen(int pathfd, const struct rootfs_policy *pol)
{
	char self[32];
	struct stat st;
	int fd, err;

	err = fstat(pathfd, &st) ? -errno : rootfs__check(&st, pol);
	if (!err) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
		fd = open(self, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		err = fd < 0 ? -errno : 0;
	}
	close(pathfd);
	return err ? err : fd;
}

int rootfs__open(int rootfd, const char *path, const struct rootfs_policy *pol)
{
	uint64_t resolve = pol->flags & ROOTFS_NO_SYMLINKS ? RESOLVE_NO_SYMLINKS : 0;
	int flags = pol->flags & ROOTFS_FOLLOW_LINK ? 0 : O_NOFOLLOW;
	int fd = rootfs__resolve(rootfd, path, flags, resolve);

	return fd < 0 ? fd : rootfs__reopen(fd, pol);
}

FILE *rootfs__fopen(int rootfd, const char *path, const struct rootfs_policy *pol)
{
	int fd = rootfs__open(rootfd, path, pol);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

int rootfs__open_dir(int rootfd, const char *path)
{
	return rootfs__resolve(rootfd, path, O_DIRECTORY, 0);
}

bool rootfs__refused(int err)
{
	return err == -ELOOP || err == -EINVAL || err == -EFBIG || err == -EPERM;
}
