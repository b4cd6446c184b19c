/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * io/atomic_file.h - open an output path so that what is there is never damaged: a regular file
 * appears whole or not at all, and anything else is written as it is, never replaced.
 *
 * What the path names when it is opened decides how it is written:
 *   NULL or "-"             stdout.
 *   /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N
 *                           that open descriptor (a pipe such as bash's >(gzip > x), a terminal, a
 *                           file the shell opened), written directly, as a shell redirection would.
 *   nothing (a new name)    an unnamed file in its directory (O_TMPFILE), linked in at commit; mode
 *                           0644 less the umask.
 *   a regular file          the same, replacing it at commit (rename), keeping its mode and, when
 *                           root, its owner.
 *   a symlink               followed (the kernel's fs.protected_symlinks applies): the rules apply
 *                           to its target and the link itself stays. A dangling link is -ENOENT.
 *   a directory             -EISDIR.
 *   a device, FIFO, socket  opened O_WRONLY, without O_CREAT or O_TRUNC, and written in place. A
 *                           FIFO is opened O_NONBLOCK first so that one nobody reads is -ENXIO at
 *                           open (before a long recording) rather than a hang; then writes block.
 *
 * Invariants: the type of an existing path never changes; before commit no new visible name
 * appears in the directory; with O_TMPFILE a crash or SIGKILL leaves nothing behind. On a
 * filesystem without O_TMPFILE a hidden ".NAME.XXXXXX" beside the target is used instead and
 * removed on failure (a SIGKILL can leave it). The first failed write(2) keeps its errno, so a
 * full disk or /dev/full is -ENOSPC, not stdio's generic error.
 *
 * This layer prints nothing: functions return 0 or -errno, and atomic_file__hint() names the
 * fix for the caller's message.
 */
#ifndef BPFPROF_ATOMIC_FILE_H
#define BPFPROF_ATOMIC_FILE_H

#include <stdio.h>

struct atomic_file;

/* Open path (see above) for writing. 0 and *afp set, or -errno and *afp NULL. */
int atomic_file__open(struct atomic_file **afp, const char *path);

/* The stream to write into; valid until commit or free. */
FILE *atomic_file__stream(struct atomic_file *af);

/* The first write error so far (-errno), or 0. */
int atomic_file__error(const struct atomic_file *af);

/*
 * Flush, then move a regular file into place (fsync'd first) or close a direct target.
 * 0, or -errno (the first write error if any); after an error nothing was moved into place.
 */
int atomic_file__commit(struct atomic_file *af);

/* Discard whatever was not committed and free af. NULL-safe. */
void atomic_file__free(struct atomic_file *af);

/* A short phrase naming the fix for an error from this module, e.g. "free space or ...". */
const char *atomic_file__hint(int err);

#endif /* BPFPROF_ATOMIC_FILE_H */
