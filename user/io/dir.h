/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * io/dir.h - the directories the monitor keeps its state in (history, push spool, control
 * socket): created with their parents, the last one private (0700), and checked to be a
 * directory, so a file or a dangling name in the way is a clear error rather than a later one.
 */
#ifndef BPFPROF_IO_DIR_H
#define BPFPROF_IO_DIR_H

/* mkdir -p path: parents 0755 when missing, path itself 0700. 0, -ENOTDIR, or -errno. */
int dir__make(const char *path);

#endif /* BPFPROF_IO_DIR_H */
