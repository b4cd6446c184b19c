/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/rootfs.h - open the files a target process names, as it sees them and safely against it.
 *
 * bpfprof runs as root and reads files because a target process points at them: its
 * /tmp/perf-PID.map, the binaries behind its mappings, their debug files, a JVM's /tmp. The
 * target may belong to any user and may be hostile: a FIFO there would block us forever,
 * /dev/zero would be read without end, and a symlink to a root-only file would copy that file's
 * lines into a world-readable profile. Every such file is opened here, and only here.
 *
 * Invariants of every descriptor rootfs__open() and rootfs__reopen() return:
 *  - the path was resolved inside rootfd (openat2 RESOLVE_IN_ROOT): "/", ".." and symlinks stay
 *    under the target's root, so a container cannot point at host files; /proc magic links are
 *    never followed; there is no fallback for kernels without openat2 (Linux 5.6);
 *  - its last component was not a symlink (unless ROOTFS_FOLLOW_LINK);
 *  - it is a regular file, checked before it was opened for reading (the path is opened O_PATH,
 *    checked with fstat, then reopened through /proc/self/fd): opening never blocks on a FIFO,
 *    never runs a device driver's open, and reading it ends;
 *  - it was no larger than the policy's max_size and, when the policy names an owner, owned by
 *    root or that owner;
 *  - it is O_RDONLY | O_NONBLOCK | O_CLOEXEC.
 * A file may still grow after the check: readers of growing files bound what they read too.
 */
#ifndef BPFPROF_ROOTFS_H
#define BPFPROF_ROOTFS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#define ROOTFS_ANY_OWNER ((uid_t)-1)

/*
 * Flags. ROOTFS_FOLLOW_LINK: a symlink as the last component is followed; only for trees that
 * only root writes, like /usr/lib/debug/.build-id, where distributions ship such links.
 * ROOTFS_NO_SYMLINKS: no symlink anywhere on the path; for paths from /proc/PID/maps, which the
 * kernel prints resolved, so a symlink there was put in since.
 */
#define ROOTFS_FOLLOW_LINK 1u
#define ROOTFS_NO_SYMLINKS 2u

struct rootfs_policy {
	uint64_t max_size; /* larger files are refused; 0: any size */
	uid_t owner;	   /* root or this uid must own it; ROOTFS_ANY_OWNER: anyone */
	unsigned flags;	   /* ROOTFS_* */
};

/*
 * Open path for reading, resolved inside rootfd (an O_PATH descriptor of the target's root,
 * /proc/PID/root; < 0: the host's root, path resolved as open(2) would). A descriptor, or -errno;
 * the policy's refusals are -ELOOP (a symlink where none may be), -EINVAL (not a regular file),
 * -EFBIG (larger than max_size) and -EPERM (wrong owner).
 */
int rootfs__open(int rootfd, const char *path, const struct rootfs_policy *pol);
/* The same, as a stream for reading; NULL with errno set (the refusal's, or fdopen's). */
FILE *rootfs__fopen(int rootfd, const char *path, const struct rootfs_policy *pol);

/*
 * The same checks for a file already found another way (e.g. an O_PATH descriptor of
 * /proc/PID/map_files/...), then opened for reading. pathfd is closed in every case.
 */
int rootfs__reopen(int pathfd, const struct rootfs_policy *pol);

/* An O_PATH | O_DIRECTORY descriptor of the directory path, resolved inside rootfd; or -errno. */
int rootfs__open_dir(int rootfd, const char *path);

/* Was err (a negative return of the above) a refusal by the policy, not a missing file? */
bool rootfs__refused(int err);

#endif /* BPFPROF_ROOTFS_H */
