/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rootfs.h - open files as a (containerized) process sees them, from its /proc/PID/root.
 *
 * A container's binaries, debug files and perf maps are read through the process's root
 * directory; RESOLVE_IN_ROOT makes "/" and ".." and every symlink resolve inside that root, so
 * a hostile container cannot point us at host files.
 */
#ifndef BPFPROF_ROOTFS_H
#define BPFPROF_ROOTFS_H

/* open(path, O_RDONLY) with path resolved inside rootfd; rootfd < 0 means the host's root. */
int rootfs__open(int rootfd, const char *path);

#endif /* BPFPROF_ROOTFS_H */
