// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/attach_conn.c - one attach conversation with a HotSpot JVM (see attach_conn.h):
 * open its root and /tmp, create the trigger file and send SIGQUIT when its attach listener is not
 * up yet, connect to its socket with its own credentials, send one request, read the reply.
 *
 * The conversation itself runs in a forked child that takes the JVM's uid/gid, because HotSpot
 * only answers peers with its own credentials (or root, since JDK 11) and a user-namespaced JVM
 * sees our root as "nobody"; the child also keeps seteuid games out of a multithreaded recorder.
 * Files are created in the JVM's directories through O_PATH descriptors, /tmp opened with the
 * confined opener (lib/rootfs.h), so a container's symlinks cannot send our root writes to host
 * paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtimes/java/attach_conn.h"
#include "lib/procfs.h"
#include "lib/rootfs.h"
#include "lib/util.h"

#define REPLY_MAX (16u << 20) /* a reply larger than this is cut */
#define POLL_MS 20

enum child_exit {
	CHILD_OK = 0,
	CHILD_CREDS = 64,
	CHILD_CONNECT,
	CHILD_IO
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- the JVM's directories ---- */

int attach__open(struct attach *a, pid_t pid, int timeout_ms, char *err, size_t err_len)
{
	char path[64];
	int e;

	memset(a, 0, sizeof(*a));
	a->timeout_ms = timeout_ms > 0 ? timeout_ms : JVM_ATTACH_TIMEOUT_MS;
	a->rootfd = a->tmpfd = a->trigger_dirfd = -1;
	e = jvm__inspect(pid, &a->t, err, err_len);
	if (e)
		return e;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	a->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	e = a->rootfd < 0 ? -errno : rootfs__open_dir(a->rootfd, "/tmp");
	if (e < 0) {
		snprintf(err, err_len, "cannot open /tmp of JVM %d: %s; run as root", (int)pid,
			 strerror(-e));
		return e;
	}
	a->tmpfd = e;
	snprintf(a->sock_name, sizeof(a->sock_name), ".java_pid%d", (int)a->t.nspid);
	snprintf(a->trigger_name, sizeof(a->trigger_name), ".attach_pid%d", (int)a->t.nspid);
	return 0;
}

void attach__close(struct attach *a)
{
	if (a->trigger_dirfd >= 0)
		unlinkat(a->trigger_dirfd, a->trigger_name, 0);
	close_fd(&a->trigger_dirfd);
	close_fd(&a->tmpfd);
	close_fd(&a->rootfd);
}

/* The JVM's socket exists and belongs to it (not planted by someone else). */
static bool attach__socket_ready(const struct attach *a)
{
	struct stat st;

	return fstatat(a->tmpfd, a->sock_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISSOCK(st.st_mode) && st.st_uid == a->t.uid;
}

/*
 * Create the trigger file in dirfd, owned by the JVM's user (JDK 8 insists). The directory may be
 * the JVM user's to write: a FIFO planted under the name must not block us (O_NONBLOCK), and
 * anything there that is not a regular file is left alone.
 */
static bool attach__create_trigger(struct attach *a, int dirfd)
{
	int fd = openat(dirfd, a->trigger_name,
			O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EEXIST;
		return false;
	}
	/* Failing means we are not root: then the file is ours, the JVM's user anyway. */
	(void)!fchown(fd, a->t.uid, a->t.gid);
	close(fd);
	a->trigger_dirfd = dirfd;
	return true;
}

/*
 * A JVM starting up catches SIGQUIT only once its signal handling is set up (a loaded host can
 * take seconds): wait for that up to the timeout. 0 when it catches SIGQUIT, -ESRCH when it is
 * gone, -EPERM when it still does not (-Xrs).
 */
static int attach__await_sigquit(struct attach *a)
{
	long long deadline = mono_ms() + a->timeout_ms;
	const char *sig;
	char *status;

	while (!(a->t.sigcgt & (1ULL << (SIGQUIT - 1)))) {
		if (mono_ms() >= deadline)
			return -EPERM;
		usleep(POLL_MS * 1000);
		status = procfs__read(a->t.pid, "status", NULL);
		if (!status || !procfs__alive(a->t.pid)) {
			free(status);
			return -ESRCH;
		}
		sig = procfs__field(status, "SigCgt:");
		a->t.sigcgt = sig ? strtoull(sig, NULL, 16) : 0;
		free(status);
	}
	return 0;
}

/* Ask the JVM to start its attach listener: trigger file in its cwd (else /tmp), then SIGQUIT. */
static int attach__trigger(struct attach *a, char *err, size_t err_len)
{
	char path[64];
	int cwdfd, e;

	if (jvm__bool_flag(a->t.pid, "DisableAttachMechanism") == 1) {
		snprintf(
			err, err_len,
			"attach is disabled in this JVM (-XX:+DisableAttachMechanism): restart it without the flag, or with -agentpath:libbpfprof-agent.so");
		return -EPERM;
	}
	e = attach__await_sigquit(a);
	if (e == -ESRCH)
		snprintf(err, err_len, "JVM %d exited during the attach", (int)a->t.pid);
	else if (e)
		snprintf(
			err, err_len,
			"JVM %d does not catch SIGQUIT (started with -Xrs, or still starting), so attaching would kill it: start it with -agentpath:libbpfprof-agent.so",
			(int)a->t.pid);
	if (e)
		return e;
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)a->t.pid);
	cwdfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwdfd >= 0 && !attach__create_trigger(a, cwdfd))
		close(cwdfd);
	if (a->trigger_dirfd < 0) {
		int tmp = dup(a->tmpfd);

		if (tmp < 0 || !attach__create_trigger(a, tmp)) {
			if (tmp >= 0)
				close(tmp);
			snprintf(err, err_len, "cannot create %s in the cwd or /tmp of JVM %d: %s",
				 a->trigger_name, (int)a->t.pid, strerror(errno));
			return -errno;
		}
	}
	if (kill(a->t.pid, SIGQUIT)) {
		snprintf(err, err_len, "cannot signal JVM %d: %s; run as root or as its user",
			 (int)a->t.pid, strerror(errno));
		return -errno;
	}
	return 0;
}

/* ---- the conversation ---- */

bool attach__write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* In the forked child: become the JVM's user, connect, send, copy the reply to out. */
static void __attribute__((noreturn))
attach__child(const struct attach *a, const char *req, size_t len, int out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[8192];
	ssize_t n;
	int s;

	if (setgroups(0, NULL) && errno != EPERM)
		_exit(CHILD_CREDS);
	if (setresgid(a->t.gid, a->t.gid, a->t.gid) || setresuid(a->t.uid, a->t.uid, a->t.uid))
		_exit(CHILD_CREDS);
	memcpy(sa.sun_path, a->sock_name, strlen(a->sock_name) + 1);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || fchdir(a->tmpfd) || connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		_exit(CHILD_CONNECT);
	if (!attach__write_all(s, req, len))
		_exit(CHILD_IO);
	while ((n = read(s, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && !attach__write_all(out, buf, n))
			_exit(CHILD_IO);
	_exit(n < 0 ? CHILD_IO : CHILD_OK);
}

/* Read the child's pipe until EOF or the deadline; the reply is NUL-terminated. */
static int attach__collect(int fd, long long deadline, char **reply, size_t *size)
{
	FILE *mem = open_memstream(reply, size);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[8192];
	int err = 0;

	if (!mem)
		return -ENOMEM;
	for (;;) {
		long long left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (*size + n <= REPLY_MAX)
			fwrite(buf, 1, n, mem);
	}
	fclose(mem);
	return err;
}

static int attach__child_status(pid_t child, bool kill_it)
{
	int st = 0;

	if (kill_it)
		kill(child, SIGKILL);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st))
		return -EIO;
	switch (WEXITSTATUS(st)) {
	case CHILD_OK:
		return 0;
	case CHILD_CREDS:
		return -EPERM;
	case CHILD_CONNECT:
		return -ECONNREFUSED;
	default:
		return -EIO;
	}
}

/* One request/reply. -ECONNREFUSED when nobody listens yet (the caller may keep waiting). */
static int attach__converse(const struct attach *a, const char *req, size_t len, char **reply)
{
	long long deadline = mono_ms() + a->timeout_ms;
	size_t size = 0;
	int pfd[2], err, cerr;
	pid_t child;

	*reply = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	child = fork();
	if (child < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (child == 0)
		attach__child(a, req, len, pfd[1]);
	close(pfd[1]);
	err = attach__collect(pfd[0], deadline, reply, &size);
	close(pfd[0]);
	cerr = attach__child_status(child, err == -ETIMEDOUT);
	if (!err)
		err = cerr;
	if (err) {
		free(*reply);
		*reply = NULL;
	}
	return err;
}

/* "1\0cmd\0a0\0a1\0a2\0" into buf; its length, or -E2BIG. */

/* -ESRCH when the JVM is gone, else -ETIMEDOUT; err says which. */
static int attach__timeout_error(const struct attach *a, char *err, size_t err_len)
{
	if (!procfs__alive(a->t.pid)) {
		snprintf(err, err_len, "JVM %d exited during the attach", (int)a->t.pid);
		return -ESRCH;
	}
	snprintf(
		err, err_len,
		"JVM %d did not open /tmp/%s within %d ms: it may still be starting or be started with -XX:+DisableAttachMechanism; retry with a longer --timeout, or start it with -agentpath:libbpfprof-agent.so",
		(int)a->t.pid, a->sock_name, a->timeout_ms);
	return -ETIMEDOUT;
}

/* Connect (starting the JVM's attach listener if needed), send req, return the reply. */
int attach__execute(struct attach *a, const char *req, size_t len, char **reply, char *err,
		    size_t err_len)
{
	long long deadline = mono_ms() + a->timeout_ms;
	bool triggered = false;
	int e = -ECONNREFUSED;

	for (;;) {
		if (attach__socket_ready(a)) {
			e = attach__converse(a, req, len, reply);
			if (e != -ECONNREFUSED)
				break;
		}
		if (!triggered) {
			e = attach__trigger(a, err, err_len);
			if (e)
				return e;
			triggered = true;
			continue;
		}
		if (mono_ms() >= deadline || !procfs__alive(a->t.pid))
			return attach__timeout_error(a, err, err_len);
		usleep(POLL_MS * 1000);
	}
	if (e == -ETIMEDOUT)
		snprintf(
			err, err_len,
			"JVM %d accepted the attach but did not answer within %d ms; retry with a longer --timeout",
			(int)a->t.pid, a->timeout_ms);
	else if (e == -EPERM)
		snprintf(err, err_len, "cannot take the uid/gid %u/%u of JVM %d; run as root",
			 a->t.uid, a->t.gid, (int)a->t.pid);
	else if (e)
		snprintf(err, err_len, "attach conversation with JVM %d failed: %s", (int)a->t.pid,
			 strerror(-e));
	return e;
}
