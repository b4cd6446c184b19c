// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/control.c - the root-only Unix socket of the session commands (see daemon/control.h).
 * The server side never blocks the monitor for long: a client gets two seconds to send its
 * line and ten to take the answer, then it is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "daemon/control.h"
#include "io/dir.h"

struct control_conn {
	int fd;
	char line[CONTROL_MAX_LINE + 1];
};

static int fail(char *err, size_t errlen, int e, const char *what, const char *path)
{
	snprintf(err, errlen, "%s '%s': %s", what, path, strerror(-e));
	return e;
}

static int addr__set(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

/* The socket's directory, created 0700 when missing. */
static int dir__of_socket(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return dir__make(dir);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a;
	int fd, e;

	if ((e = addr__set(&a, path)))
		return e;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int control__listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a;
	int fd, e;

	if ((e = addr__set(&a, path)) || (e = dir__of_socket(path)))
		return fail(err, errlen, e, "cannot create the control socket", path);
	fd = connect_to(path);
	if (fd >= 0) {
		close(fd);
		snprintf(
			err, errlen,
			"another bpfprof already answers on '%s'; stop it first (bpfprof stop --socket %s)",
			path, path);
		return -EBUSY;
	}
	unlink(path); /* stale: its owner is gone */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(err, errlen, -errno, "cannot create the control socket", path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || chmod(path, 0600) || listen(fd, 16)) {
		e = -errno;
		close(fd);
		return fail(err, errlen, e, "cannot listen on", path);
	}
	return fd;
}

static void set_timeouts(int fd, int rcv_s, int snd_s)
{
	struct timeval r = { rcv_s, 0 }, s = { snd_s, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof(r));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &s, sizeof(s));
}

/* Read up to a newline; false on EOF, timeout, or an over-long line. */
static bool read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			return false;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return true;
		}
		n++;
	}
	return false;
}

static bool peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	return cr.uid == 0 || cr.uid == geteuid();
}

struct control_conn *control__accept(int lfd)
{
	struct control_conn *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	set_timeouts(fd, 2, 10);
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	if (!peer_allowed(fd)) {
		control_conn__reply(c, NULL, 0, "only root may control bpfprof");
		return NULL;
	}
	if (!read_line(fd, c->line, sizeof(c->line))) {
		control_conn__reply(c, NULL, 0, "expected one request line");
		return NULL;
	}
	return c;
}

const char *control_conn__line(const struct control_conn *c)
{
	return c->line;
}

const char *control_conn__arg(const struct control_conn *c, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = c->line; (p = strstr(p, key)); p += klen) {
		if ((p == c->line || p[-1] == ' ') && p[klen] == '=') {
			snprintf(buf, len, "%.*s", (int)strcspn(p + klen + 1, " "), p + klen + 1);
			return buf;
		}
	}
	return NULL;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w <= 0)
			return false;
		p += w;
		len -= w;
	}
	return true;
}

void control_conn__reply(struct control_conn *c, const void *body, size_t len, const char *error)
{
	char head[CONTROL_MAX_LINE];

	if (error)
		snprintf(head, sizeof(head), "err %s\n", error);
	else
		snprintf(head, sizeof(head), "ok %zu\n", len);
	if (write_all(c->fd, head, strlen(head)) && !error && len)
		write_all(c->fd, body, len);
	close(c->fd);
	free(c);
}

/* Copy the body of an "ok LENGTH" answer to out. */
static int read_body(int fd, size_t len, FILE *out)
{
	char buf[65536];

	while (len) {
		ssize_t r = read(fd, buf, len < sizeof(buf) ? len : sizeof(buf));

		if (r <= 0)
			return r ? -errno : -EPIPE;
		if (fwrite(buf, 1, r, out) != (size_t)r)
			return -EIO;
		len -= r;
	}
	return 0;
}

int control__call(const char *path, const char *request, FILE *out, char *err, size_t errlen)
{
	char line[CONTROL_MAX_LINE + 1];
	unsigned long long len;
	int fd = connect_to(path), e;

	if (fd < 0)
		return fd;
	set_timeouts(fd, 120, 10);
	if (!write_all(fd, request, strlen(request)) || !write_all(fd, "\n", 1) ||
	    !read_line(fd, line, sizeof(line))) {
		e = -EPIPE;
		snprintf(err, errlen, "no answer on '%s'", path);
	} else if (!strncmp(line, "err ", 4)) {
		e = -EPROTO;
		snprintf(err, errlen, "%s", line + 4);
	} else if (sscanf(line, "ok %llu", &len) != 1) {
		e = -EPROTO;
		snprintf(err, errlen, "unexpected answer '%.60s'", line);
	} else {
		e = read_body(fd, len, out);
		if (e)
			snprintf(err, errlen, "reading the answer: %s", strerror(-e));
	}
	close(fd);
	return e;
}
