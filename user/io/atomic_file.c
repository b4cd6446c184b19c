// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * io/atomic_file.c - the one writer of result files (record, report, diff); rules in io/atomic_file.h.
 *
 * A profiler runs as root, so "write the output" must not mean "turn whatever is at the path
 * into a regular file": that replaced /dev/null or /dev/full for the whole host, and a FIFO or
 * /dev/stdout with a file nobody reads. Only a regular file (or a new name) takes the
 * temporary-then-rename path that keeps readers from seeing half a profile; everything else is
 * opened as it is and written in place. All writes go through one stdio cookie that remembers
 * the first write(2) error, since stdio itself only keeps a sticky flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"

struct atomic_file {
	FILE *f;
	int fd;	      /* what f writes to; STDOUT_FILENO is not ours to close */
	int werr;     /* first write error, -errno */
	char *target; /* regular file: the name it gets at commit (a symlink's target) */
	char *hidden; /* regular file without O_TMPFILE: its visible temporary name */
	bool committed;
};

/* /dev/stdout, /dev/fd/N and the like name a descriptor: N, or -1 for any other path. */
static int fd_path__number(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/",
						"/proc/thread-self/fd/" };
	static const char *const std[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
		if (!strcmp(path, std[i]))
			return i;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t len = strlen(prefixes[i]);

		if (strncmp(path, prefixes[i], len) || path[len] < '0' || path[len] > '9')
			continue;
		n = strtol(path + len, &end, 10);
		return *end || n > 1 << 30 ? -1 : (int)n;
	}
	return -1;
}

static mode_t umask__get(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

/* Fill the trailing XXXXXX of name with random letters and digits. */
static void name__randomize(char *name)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6] = {};
	char *x = name + strlen(name) - 6;

	if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
		unsigned v = getpid() ^ (unsigned)(uintptr_t)name;

		for (int i = 0; i < 6; i++, v /= 62)
			r[i] ^= v;
	}
	for (int i = 0; i < 6; i++)
		x[i] = chars[r[i] % (sizeof(chars) - 1)];
}

/* "DIR/.BASE.XXXXXX" for target "DIR/BASE", or NULL. */
static char *hidden__pattern(const char *target)
{
	char *d = strdup(target), *b = strdup(target), *s = NULL;

	if (d && b && asprintf(&s, "%s/.%s.XXXXXX", dirname(d), basename(b)) < 0)
		s = NULL;
	free(d);
	free(b);
	return s;
}

/* An unnamed file in target's directory, or a hidden named one where O_TMPFILE is missing. */
static int tmpfile__create(struct atomic_file *af)
{
	char *dir = strdup(af->target);
	int err = EOPNOTSUPP;

	if (!dir)
		return -ENOMEM;
	if (!getenv("BPFPROF_TEST_NO_TMPFILE")) { /* tests reach the fallback with it */
		af->fd = open(dirname(dir), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
		err = errno;
	}
	free(dir);
	if (af->fd >= 0)
		return 0;
	if (err != EOPNOTSUPP && err != EISDIR && err != EINVAL)
		return -err;
	af->hidden = hidden__pattern(af->target);
	if (!af->hidden)
		return -ENOMEM;
	af->fd = mkostemp(af->hidden, O_CLOEXEC);
	if (af->fd < 0) {
		free(af->hidden);
		af->hidden = NULL;
		return -errno;
	}
	return 0;
}

/* A new name (old == NULL) or a regular file replaced at commit, with its mode and owner. */
static int tmpfile__open(struct atomic_file *af, char *target, const struct stat *old)
{
	int err;

	af->target = target;
	if (!target)
		return errno ? -errno : -ENOMEM;
	err = tmpfile__create(af);
	if (err)
		return err;
	if (old && geteuid() == 0)
		(void)!fchown(af->fd, old->st_uid, old->st_gid);
	if (old || af->hidden) {
		mode_t mode = old ? old->st_mode & 07777 : 0644 & ~umask__get();

		if (fchmod(af->fd, mode))
			return -errno;
	}
	return 0;
}

/* A device, FIFO or socket: opened as it is, never created or truncated. */
static int special__open(struct atomic_file *af, const char *path, const struct stat *st)
{
	bool fifo = S_ISFIFO(st->st_mode);
	struct stat now;

	af->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
	if (af->fd < 0)
		return -errno;
	/* Replaced since stat()? Then its type is unknown: never write into it unchecked. */
	if (fstat(af->fd, &now) || now.st_dev != st->st_dev || now.st_ino != st->st_ino)
		return -EAGAIN;
	if (fifo && fcntl(af->fd, F_SETFL, fcntl(af->fd, F_GETFL) & ~O_NONBLOCK))
		return -errno;
	return 0;
}

static int target__open(struct atomic_file *af, const char *path)
{
	int fdn = fd_path__number(path);
	struct stat lst, st;

	if (fdn >= 0) {
		af->fd = fcntl(fdn, F_DUPFD_CLOEXEC, 3);
		return af->fd < 0 ? -errno : 0;
	}
	if (lstat(path, &lst))
		return errno == ENOENT ? tmpfile__open(af, strdup(path), NULL) : -errno;
	if (stat(path, &st))
		return -errno; /* a dangling symlink is ENOENT */
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return special__open(af, path, &st);
	errno = 0;
	return tmpfile__open(af, S_ISLNK(lst.st_mode) ? realpath(path, NULL) : strdup(path), &st);
}

static ssize_t cookie__write(void *cookie, const char *buf, size_t len)
{
	struct atomic_file *af = cookie;
	size_t done = 0;

	while (done < len && !af->werr) {
		ssize_t n = write(af->fd, buf + done, len - done);

		if (n > 0)
			done += n;
		else if (n < 0 && errno != EINTR)
			af->werr = -errno;
		else if (n == 0)
			af->werr = -EIO;
	}
	return af->werr ? 0 : (ssize_t)done; /* 0: stdio marks the stream as failed */
}

static int stream__open(struct atomic_file *af)
{
	af->f = fopencookie(af, "w", (cookie_io_functions_t){ .write = cookie__write });
	if (!af->f)
		return -errno;
	setvbuf(af->f, NULL, _IOFBF, 64 * 1024);
	return 0;
}

int atomic_file__open(struct atomic_file **afp, const char *path)
{
	struct atomic_file *af = calloc(1, sizeof(*af));
	int err = 0;

	*afp = NULL;
	if (!af)
		return -ENOMEM;
	af->fd = STDOUT_FILENO;
	if (path && strcmp(path, "-")) {
		af->fd = -1;
		err = target__open(af, path);
	}
	if (!err)
		err = stream__open(af);
	if (err) {
		atomic_file__free(af);
		return err;
	}
	*afp = af;
	return 0;
}

FILE *atomic_file__stream(struct atomic_file *af)
{
	return af->f;
}

int atomic_file__error(const struct atomic_file *af)
{
	return af->werr;
}

/* Give the unnamed (O_TMPFILE) file fd the name target, replacing a file already there. */
static int tmpfile__link(int fd, const char *target)
{
	char proc[64], *tmp = hidden__pattern(target);
	int err = -EEXIST;

	if (!tmp)
		return -ENOMEM;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int i = 0; i < 100 && err == -EEXIST; i++) {
		/* Under a fresh hidden name first: linkat never replaces, rename does. */
		name__randomize(tmp);
		err = 0;
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) &&
		    (errno != ENOENT || linkat(fd, "", AT_FDCWD, tmp, AT_EMPTY_PATH)))
			err = -errno; /* ENOENT: no /proc; AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH */
	}
	if (!err && rename(tmp, target)) {
		err = -errno;
		unlink(tmp);
	}
	free(tmp);
	return err;
}

static int target__commit(struct atomic_file *af)
{
	if (fsync(af->fd))
		return -errno;
	if (af->hidden)
		return rename(af->hidden, af->target) ? -errno : 0;
	return tmpfile__link(af->fd, af->target);
}

int atomic_file__commit(struct atomic_file *af)
{
	int err;

	if (af->committed || !af->f)
		return -EINVAL;
	if (fclose(af->f) && !af->werr)
		af->werr = -errno;
	af->f = NULL;
	if (af->werr)
		return af->werr;
	err = af->target ? target__commit(af) : 0;
	if (af->fd != STDOUT_FILENO && close(af->fd) && !err)
		err = -errno;
	af->fd = -1;
	if (err)
		return err;
	af->committed = true;
	return 0;
}

void atomic_file__free(struct atomic_file *af)
{
	if (!af)
		return;
	if (af->f)
		fclose(af->f);
	if (af->fd >= 0 && af->fd != STDOUT_FILENO)
		close(af->fd);
	if (af->hidden && !af->committed)
		unlink(af->hidden);
	free(af->hidden);
	free(af->target);
	free(af);
}

const char *atomic_file__hint(int err)
{
	switch (-err) {
	case EISDIR:
		return "give a file name inside it";
	case ENOSPC:
	case EDQUOT:
		return "free some space or choose another -o path";
	case ENXIO:
		return "nothing reads it: start the FIFO's reader before bpfprof";
	case ENOENT:
		return "check that its directory (or a symlink's target) exists";
	case EACCES:
	case EPERM:
	case EROFS:
		return "choose a writable -o path";
	case EPIPE:
		return "the reader went away before the profile was written";
	case EAGAIN:
		return "it was replaced while being opened; try again";
	case EBADF:
		return "that descriptor is not open for writing";
	default:
		return "choose another -o path";
	}
}
