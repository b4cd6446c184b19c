// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/agent_file.c - the agent library as the JVM must see it (see agent_file.h): our
 * own path when the JVM's root shows that very file and its user can read it, else a copy in the
 * JVM's /tmp, removed again once the JVM answered. The JVM's /tmp is reached only through the
 * confined opener (lib/rootfs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtimes/java/agent_file.h"
#include "lib/rootfs.h"

#define AGENT_COPY JVM_AGENT_FILE

static bool mode_allows(const struct stat *st, uid_t uid, gid_t gid, mode_t u, mode_t g, mode_t o)
{
	if (st->st_uid == uid)
		return st->st_mode & u;
	if (st->st_gid == gid)
		return st->st_mode & g;
	return st->st_mode & o;
}

/* Can uid:gid read path (every directory searchable, the file readable)? */
static bool path_readable_by(const char *path, uid_t uid, gid_t gid)
{
	char prefix[PATH_MAX];
	struct stat st;

	if (uid == 0)
		return true;
	for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - path), path);
		if (stat(prefix, &st) || !mode_allows(&st, uid, gid, S_IXUSR, S_IXGRP, S_IXOTH))
			return false;
	}
	return stat(path, &st) == 0 && mode_allows(&st, uid, gid, S_IRUSR, S_IRGRP, S_IROTH);
}

/* Is path, opened inside the JVM's root, the very file we have? */
static bool visible_in_root(int rootfd, const char *path)
{
	static const struct rootfs_policy any = { 0, ROOTFS_ANY_OWNER, 0 };
	struct stat ours, theirs;
	int fd = rootfs__open(rootfd, path, &any);
	bool same;

	if (fd < 0)
		return false;
	same = fstat(fd, &theirs) == 0 && stat(path, &ours) == 0 && ours.st_dev == theirs.st_dev &&
	       ours.st_ino == theirs.st_ino;
	close(fd);
	return same;
}

static bool same_content(int a, int b)
{
	char x[16384], y[16384];
	ssize_t n, m;

	do {
		n = read(a, x, sizeof(x));
		m = n > 0 ? read(b, y, n) : read(b, y, 1);
		if (n != m || (n > 0 && memcmp(x, y, n)))
			return false;
	} while (n > 0);
	return n == 0;
}

static int copy_fd(int from, int to)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (!attach__write_all(to, buf, n))
			return -errno;
	return n < 0 ? -errno : 0;
}

/*
 * Put our agent at the JVM's /tmp/libbpfprof-agent.so (kept when identical: one copy per JVM).
 * A copy there is kept only if root or the JVM's user owns it: in a /tmp shared with other
 * users, someone else's identical file could be changed between our check and the JVM's load.
 */
static int agent__copy_in(const struct attach *a, const char *path)
{
	struct rootfs_policy mine = { 0, a->t.uid, 0 };
	char tmpname[64];
	int src, dst, e = 0;

	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	dst = rootfs__open(a->tmpfd, AGENT_COPY, &mine);
	if (dst >= 0 && same_content(src, dst))
		goto out_close;
	if (dst >= 0)
		close(dst);
	snprintf(tmpname, sizeof(tmpname), AGENT_COPY ".%d", (int)getpid());
	unlinkat(a->tmpfd, tmpname, 0);
	dst = openat(a->tmpfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (dst < 0 || lseek(src, 0, SEEK_SET) < 0) {
		e = -errno;
		goto out_close;
	}
	e = copy_fd(src, dst);
	if (!e && (fchmod(dst, 0644) || renameat(a->tmpfd, tmpname, a->tmpfd, AGENT_COPY)))
		e = -errno;
	if (e)
		unlinkat(a->tmpfd, tmpname, 0);
out_close:
	if (dst >= 0)
		close(dst);
	close(src);
	return e;
}

/*
 * The agent path to send: ours when the JVM sees and can read it, else a copy in its /tmp, which
 * *copy then identifies (st_ino 0: no copy).
 */
int agent__path_for(const struct attach *a, const char *agent, char *out, size_t len,
		    struct stat *copy, char *err, size_t err_len)
{
	char real[PATH_MAX];
	int e;

	copy->st_ino = 0;
	if (!realpath(agent, real)) {
		e = -errno;
		snprintf(err, err_len, "agent %s: %s; build it with make or pass --agent PATH",
			 agent, strerror(errno));
		return e;
	}
	if (visible_in_root(a->rootfd, real) && path_readable_by(real, a->t.uid, a->t.gid)) {
		snprintf(out, len, "%s", real);
		return 0;
	}
	e = agent__copy_in(a, real);
	if (e) {
		snprintf(err, err_len, "cannot copy the agent into /tmp of JVM %d: %s",
			 (int)a->t.pid, strerror(-e));
		return e;
	}
	if (fstatat(a->tmpfd, AGENT_COPY, copy, AT_SYMLINK_NOFOLLOW))
		copy->st_ino = 0;
	snprintf(out, len, "/tmp/" AGENT_COPY);
	return 0;
}

/*
 * Once the JVM answered, it has the agent mapped (or failed to), so the copy goes: nothing of ours
 * stays in a container's /tmp. A request that timed out may still reach the JVM; its load then
 * fails, which beats leaving the file. Only the file we used is removed, never a newer one.
 */
void agent__remove_copy(const struct attach *a, const struct stat *copy)
{
	struct stat st;

	if (copy->st_ino && !fstatat(a->tmpfd, AGENT_COPY, &st, AT_SYMLINK_NOFOLLOW) &&
	    st.st_dev == copy->st_dev && st.st_ino == copy->st_ino)
		unlinkat(a->tmpfd, AGENT_COPY, 0);
}
