// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_atomic_file.c - the output writer on every kind of path, in a scratch directory: new and
 * replaced regular files (content, mode, nothing visible before commit, nothing left after an
 * abort, with O_TMPFILE and with the hidden-file fallback), a FIFO with and without a reader,
 * copies of /dev/full and /dev/null made with mknod, symlinks, a directory and /dev/fd/N.
 * Every case also checks that the path kept its type.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "check.h"

static char dir[64];

static char *path_of(const char *name)
{
	static char buf[4][256];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* How many entries dir holds: all of them, or only hidden (dot) ones. */
static int dir__count(bool hidden_only)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!hidden_only || e->d_name[0] == '.')
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void spit(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd >= 0) {
		(void)!write(fd, text, strlen(text));
		fchmod(fd, mode);
		close(fd);
	}
}

static mode_t type_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_mode & S_IFMT;
}

/* Open path, write text, then commit (or free when commit is false). Returns the first error. */
static int write_all(const char *path, const char *text, bool commit)
{
	struct atomic_file *af;
	int err = atomic_file__open(&af, path);

	if (err)
		return err;
	fputs(text, atomic_file__stream(af));
	if (commit)
		err = atomic_file__commit(af);
	atomic_file__free(af);
	return err;
}

/* A new file and a replaced one: complete content, 0644 / the old mode, nothing seen early. */
static void test_regular(const char *how)
{
	char *big = malloc(300000), *p = path_of("new.folded"), *old = path_of("old.folded");
	struct atomic_file *af;
	struct stat st;
	int before;

	unlink(p);
	unlink(old);
	before = dir__count(false);
	check(!atomic_file__open(&af, p), "%s: open a new path", how);
	memset(big, 'x', 299999);
	big[299999] = '\0';
	fputs(big,
	      atomic_file__stream(af)); /* larger than the stream buffer: data reaches the fd */
	check(dir__count(false) - dir__count(true) == before && type_of(p) == 0,
	      "%s: no new visible name before commit", how);
	if (!getenv("BPFPROF_TEST_NO_TMPFILE"))
		check(dir__count(false) == before, "%s: no new name at all before commit", how);
	check(!atomic_file__commit(af), "%s: commit", how);
	atomic_file__free(af);
	check(!stat(p, &st) && st.st_size == 299999, "%s: complete content after commit", how);
	check((st.st_mode & 07777) == 0644, "%s: a new file is 0644 under umask 022 (got %o)", how,
	      st.st_mode & 07777);
	check(dir__count(true) == 0, "%s: no hidden file left", how);

	spit(old, "old content\n", 0600);
	check(!write_all(old, "new content\n", true), "%s: replace a 0600 file", how);
	check(!stat(old, &st) && (st.st_mode & 07777) == 0600 && S_ISREG(st.st_mode),
	      "%s: the replaced file keeps mode 0600 (got %o)", how, st.st_mode & 07777);
	check_str(slurp(old), "new content\n", "replaced file's content");

	check(!write_all(old, "half", false), "%s: write without commit", how);
	check_str(slurp(old), "new content\n", "an aborted write leaves the old file as it was");
	check(!write_all(path_of("never"), "half", false), "%s: new path, no commit", how);
	check(type_of(path_of("never")) == 0 && dir__count(true) == 0,
	      "%s: abort leaves no file and no hidden temporary file", how);
	unlink(p);
	unlink(old);
	free(big);
}

/* Hidden fallback: a dot-file exists until commit or abort, then is gone. */
static void test_hidden_fallback(void)
{
	struct atomic_file *af;

	setenv("BPFPROF_TEST_NO_TMPFILE", "1", 1);
	test_regular("no O_TMPFILE");
	check_int(atomic_file__open(&af, path_of("h.txt")), 0, "fallback: open");
	check_int(dir__count(true), 1, "fallback: one hidden temporary file while open");
	atomic_file__free(af);
	check_int(dir__count(true), 0, "fallback: the hidden file is removed on abort");
	unsetenv("BPFPROF_TEST_NO_TMPFILE");
}

/* Copies of /dev/full and /dev/null: written in place, errors kept, still devices. */
static void test_devices(void)
{
	static const struct {
		const char *name;
		unsigned minor;
		int err;
	} rows[] = {
		{ "full", 7, -ENOSPC },
		{ "null", 3, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *p = path_of(rows[i].name);
		struct stat st;

		if (!check(!mknod(p, S_IFCHR | 0666, makedev(1, rows[i].minor)), "mknod %s copy",
			   p))
			continue;
		check_int(write_all(p, "a;b 1\n", true), rows[i].err, rows[i].name);
		check(!stat(p, &st) && S_ISCHR(st.st_mode) &&
			      st.st_rdev == makedev(1, rows[i].minor),
		      "%s stays a character device 1,%u", rows[i].name, rows[i].minor);
		unlink(p);
	}
}

static void test_fifo(void)
{
	char *p = path_of("fifo"), buf[64] = "";
	int rd;

	mkfifo(p, 0644);
	check_int(write_all(p, "x", true), -ENXIO, "a FIFO nobody reads is -ENXIO at open");
	rd = open(p, O_RDONLY | O_NONBLOCK);
	check_int(write_all(p, "a;b 1\n", true), 0, "a FIFO with a reader");
	check(read(rd, buf, sizeof(buf) - 1) == 6 && !strcmp(buf, "a;b 1\n"),
	      "the reader got the bytes (got '%.5s')", buf);
	check(type_of(p) == S_IFIFO, "the FIFO stays a FIFO");
	close(rd);
	unlink(p);
}

static void test_symlinks(void)
{
	char *link = path_of("link"), *target = path_of("target"), *dang = path_of("dangling");
	char got[256] = "";

	spit(target, "old\n", 0640);
	(void)!symlink("target", link);
	check_int(write_all(link, "through\n", true), 0, "write through a symlink");
	check(type_of(link) == S_IFLNK && readlink(link, got, sizeof(got) - 1) == 6 &&
		      !strcmp(got, "target"),
	      "the symlink stays a symlink to the same target");
	check_str(slurp(target), "through\n", "its target got the content");
	check_int(dir__count(false), 2, "no other file appeared");
	(void)!symlink("nowhere", dang);
	check_int(write_all(dang, "x", true), -ENOENT, "a dangling symlink is refused");
	check(type_of(dang) == S_IFLNK && type_of(path_of("nowhere")) == 0,
	      "the dangling symlink is left as it was");
	check_int(write_all(dir, "x", true), -EISDIR, "a directory is -EISDIR");
	unlink(link);
	unlink(target);
	unlink(dang);
}

/* /dev/fd/N is that descriptor, even when it is a pipe (bash's >(cmd)). */
static void test_fd_path(void)
{
	char name[32], buf[32] = "";
	int fds[2];

	if (!check(!pipe(fds), "pipe"))
		return;
	snprintf(name, sizeof(name), "/dev/fd/%d", fds[1]);
	check_int(write_all(name, "piped\n", true), 0, "write to /dev/fd/N");
	close(fds[1]);
	check(read(fds[0], buf, sizeof(buf) - 1) == 6 && !strcmp(buf, "piped\n"),
	      "the pipe got the bytes (got '%.5s')", buf);
	close(fds[0]);
	check(atomic_file__hint(-ENOSPC) && strstr(atomic_file__hint(-ENOSPC), "space"),
	      "ENOSPC's hint is about space");
	atomic_file__free(NULL);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_atomic_file.XXXXXX");
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	umask(022);
	test_regular("O_TMPFILE");
	test_hidden_fallback();
	test_devices();
	test_fifo();
	test_symlinks();
	test_fd_path();
	check_int(dir__count(false), 0, "the scratch directory is empty at the end");
	rmdir(dir);
	return check_done();
}
