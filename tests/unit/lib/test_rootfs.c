// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_rootfs.c - the opener for files a target names, against what a hostile target plants:
 * a FIFO (must not block), a symlink as the last component, a device node (made with mknod in a
 * scratch directory), a directory, a file too large or owned by someone else, /proc magic links,
 * and symlinks and ".." inside a fake root, which must resolve inside it and not on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "lib/rootfs.h"

static const struct rootfs_policy any = { 0, ROOTFS_ANY_OWNER, 0 };
static char base[] = "/tmp/test_rootfs.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *at(const char *rel)
{
	static char bufs[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", base, rel);
	return bufs[i];
}

/* Open rel (under base, from the host's root) with pol: the fd or -errno. */
static int open_rel(const char *rel, const struct rootfs_policy *pol)
{
	return rootfs__open(-1, at(rel), pol);
}

/* Does rel open under pol? (The descriptor is closed.) */
static bool opens(const char *rel, const struct rootfs_policy *pol)
{
	int fd = open_rel(rel, pol);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* The start of what fd holds (fd is closed), or "" */
static const char *slurp(int fd)
{
	static char buf[64];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_types(void)
{
	double t0;
	int fd;

	put("plain", "plain\n");
	check_str(slurp(open_rel("plain", &any)), "plain\n", "a regular file opens and reads");
	fd = open_rel("plain", &any);
	check(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "the descriptor is O_NONBLOCK and close-on-exec");
	close(fd);

	check(mkfifo(at("fifo"), 0666) == 0, "mkfifo");
	alarm(10); /* a blocking open would hang here: die instead, and fail */
	t0 = now();
	check_int(open_rel("fifo", &any), -EINVAL, "a FIFO is refused (-EINVAL)");
	check(now() - t0 < 1, "a FIFO is refused at once (%.3f s), no writer needed", now() - t0);
	alarm(0);

	check(mknod(at("zero"), S_IFCHR | 0666, makedev(1, 5)) == 0,
	      "mknod a copy of /dev/zero's node in the scratch directory");
	check_int(open_rel("zero", &any), -EINVAL, "a device node is refused (-EINVAL)");
	check(symlink(at("zero"), at("zero_link")) == 0, "symlink to the device node");
	check_int(open_rel("zero_link",
			   &(struct rootfs_policy){ 0, ROOTFS_ANY_OWNER, ROOTFS_FOLLOW_LINK }),
		  -EINVAL, "a device behind a followed symlink is refused too");
	check(mkdir(at("dir"), 0755) == 0, "mkdir");
	check_int(open_rel("dir", &any), -EINVAL, "a directory is refused (-EINVAL)");
}

static void test_links(void)
{
	struct rootfs_policy follow = { 0, ROOTFS_ANY_OWNER, ROOTFS_FOLLOW_LINK };
	struct rootfs_policy canonical = { 0, ROOTFS_ANY_OWNER, ROOTFS_NO_SYMLINKS };

	check(symlink(at("plain"), at("link")) == 0, "symlink to a regular file");
	check_int(open_rel("link", &any), -ELOOP, "a symlink as last component: refused (-ELOOP)");
	check_str(slurp(open_rel("link", &follow)), "plain\n", "ROOTFS_FOLLOW_LINK follows it");
	check(mkdir(at("real"), 0755) == 0 && symlink(at("real"), at("via")) == 0,
	      "a directory and a symlink to it");
	put("real/f", "f\n");
	check_str(slurp(open_rel("via/f", &any)), "f\n", "a symlink in the middle is followed");
	check_int(open_rel("via/f", &canonical), -ELOOP,
		  "ROOTFS_NO_SYMLINKS refuses a symlink in the middle");
	check_str(slurp(open_rel("real/f", &canonical)), "f\n",
		  "ROOTFS_NO_SYMLINKS opens a path without symlinks");
	check_int(rootfs__open(-1, "/proc/self/root/etc/hostname", &any), -ELOOP,
		  "a /proc magic link in the middle is refused");
	check_int(rootfs__open(-1, "/proc/self/exe", &follow), -ELOOP,
		  "a /proc magic link is refused even when links are followed");
}

static void test_policy(void)
{
	struct rootfs_policy nobody = { 0, 65534, 0 }, small = { 6, ROOTFS_ANY_OWNER, 0 };
	int fd;

	put("theirs", "x\n");
	check(chown(at("theirs"), 12345, 12345) == 0, "chown a file to uid 12345");
	check_int(open_rel("theirs", &nobody), -EPERM,
		  "owned by uid 12345, policy uid 65534: refused (-EPERM)");
	check(opens("theirs", &(struct rootfs_policy){ 0, 12345, 0 }),
	      "owned by uid 12345, policy uid 12345: opens");
	check(opens("plain", &nobody), "owned by root, policy uid 65534: opens");
	put("big", "1234567\n");
	check_int(open_rel("big", &small), -EFBIG, "8 bytes, max_size 6: refused (-EFBIG)");
	check(opens("plain", &small), "6 bytes, max_size 6: opens");

	check(mkfifo(at("fifo2"), 0666) == 0, "mkfifo");
	fd = open(at("fifo2"), O_PATH | O_CLOEXEC);
	check_int(rootfs__reopen(fd, &any), -EINVAL, "reopen of an O_PATH FIFO: refused");
	check(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "reopen closed the O_PATH descriptor");

	check(rootfs__refused(-EPERM) && rootfs__refused(-EFBIG) && rootfs__refused(-ELOOP) &&
		      rootfs__refused(-EINVAL),
	      "the policy's four refusals are told as refusals");
	check(!rootfs__refused(-ENOENT) && !rootfs__refused(-EACCES),
	      "a missing or unreadable file is not a refusal");
}

/*
 * A fake root R holding R<base>/host/f ("inside"); the host holds <base>/host/f ("host").
 * Absolute symlinks and ".." inside R must land on R's copy.
 */
static void test_in_root(void)
{
	char rpath[512], inner[1600], link[512];
	struct rootfs_policy follow = { 0, ROOTFS_ANY_OWNER, ROOTFS_FOLLOW_LINK };
	int rootfd, dirfd;

	check(mkdir(at("host"), 0755) == 0, "host directory");
	put("host/f", "host\n");
	snprintf(rpath, sizeof(rpath), "%s/root", base);
	snprintf(inner, sizeof(inner), "mkdir -p %s%s/host && echo inside > %s%s/host/f", rpath,
		 base, rpath, base);
	check(system(inner) == 0, "fake root with its own copy of the host's path");
	snprintf(link, sizeof(link), "%s/host", base);
	check(symlink(link, at("root/abs")) == 0, "absolute symlink inside the fake root");
	snprintf(inner, sizeof(inner), "%s/host/f", base);
	check(symlink(inner, at("root/abs_f")) == 0, "absolute symlink to a file inside the root");
	rootfd = open(rpath, O_PATH | O_DIRECTORY | O_CLOEXEC);

	check_str(slurp(rootfs__open(-1, at("root/abs/f"), &any)), "host\n",
		  "from the host's root, the link reaches the host's file");
	check_str(slurp(rootfs__open(rootfd, "/abs/f", &any)), "inside\n",
		  "inside the fake root, the same link resolves inside it");
	check_str(slurp(rootfs__open(rootfd, "/abs_f", &follow)), "inside\n",
		  "a followed last-component link resolves inside it too");
	snprintf(inner, sizeof(inner), "/../../../..%s/host/f", base);
	check_str(slurp(rootfs__open(rootfd, inner, &any)), "inside\n",
		  "\"..\" stops at the fake root");
	dirfd = rootfs__open_dir(rootfd, "/abs");
	check(dirfd >= 0, "open_dir through the link, inside the root");
	check_str(slurp(openat(dirfd, "f", O_RDONLY)), "inside\n",
		  "open_dir gave the root's directory");
	check_int(rootfs__open_dir(rootfd, "/abs_f"), -ENOTDIR, "open_dir of a file: -ENOTDIR");
	close(dirfd);
	close(rootfd);
}

/* A file found another way (an O_PATH descriptor, as from /proc/PID/map_files) gets the same checks. */
static void test_reopen(void)
{
	struct rootfs_policy tiny = { 3, ROOTFS_ANY_OWNER, 0 };
	int pathfd = open(at("plain"), O_PATH | O_CLOEXEC), fd;

	fd = rootfs__reopen(pathfd, &any);
	check(fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY &&
		      (fcntl(fd, F_GETFL) & O_NONBLOCK),
	      "reopen of a regular file: read-only, non-blocking");
	check_str(slurp(fd), "plain\n", "  and reads the file");
	check(fcntl(pathfd, F_GETFD) < 0 && errno == EBADF, "  the O_PATH descriptor is closed");
	pathfd = open(at("plain"), O_PATH | O_CLOEXEC);
	check_int(rootfs__reopen(pathfd, &tiny), -EFBIG, "reopen applies max_size (-EFBIG)");
	check(fcntl(pathfd, F_GETFD) < 0 && errno == EBADF, "  and closes the descriptor");
	check_int(rootfs__reopen(-1, &any), -EBADF, "reopen of no descriptor: -EBADF");
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(base))
		return check(0, "mkdtemp"), check_done();
	test_types();
	test_links();
	test_policy();
	test_in_root();
	test_reopen();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	check(system(cmd) == 0, "remove the scratch directory");
	return check_done();
}
