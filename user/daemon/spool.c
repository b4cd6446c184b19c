// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/spool.c - the on-disk FIFO behind push (rules in daemon/spool.h).
 *
 * The directory is the queue; the in-memory index (sequence number and size of every entry,
 * oldest first) only saves a directory scan per operation. Files are written by io/atomic_file,
 * the one writer that never leaves half a file under a visible name. A producer (the window
 * loop) and a consumer (the push worker) share the index under one mutex; the file I/O itself
 * runs outside it, so a slow disk write never stalls the consumer's bookkeeping for long.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/spool.h"
#include "io/atomic_file.h"
#include "io/dir.h"

#define SPOOL_SUFFIX ".spool"
#define SPOOL_DIGITS 16

struct spool_entry {
	uint64_t seq, size;
};

struct spool {
	char *dir;
	uint64_t max_bytes;
	pthread_mutex_t lock;	  /* the index and stats */
	pthread_mutex_t put_lock; /* one writer at a time: files appear in sequence order */
	struct spool_entry *ents; /* [head, n) live, oldest first */
	size_t head, n, cap;
	uint64_t next_seq;
	struct spool_stats st;
};

/* "0000000000000012.spool" -> 0x12; false for any other name. */
static bool name__seq(const char *name, uint64_t *seq)
{
	char *end;

	if (strlen(name) != SPOOL_DIGITS + strlen(SPOOL_SUFFIX) ||
	    strcmp(name + SPOOL_DIGITS, SPOOL_SUFFIX))
		return false;
	for (int i = 0; i < SPOOL_DIGITS; i++)
		if (!name[i] || !strchr("0123456789abcdef", name[i]))
			return false;
	*seq = strtoull(name, &end, 16);
	return end == name + SPOOL_DIGITS;
}

/* An atomic_file leftover of an entry: ".0000000000000012.spool.XXXXXX". */
static bool name__leftover(const char *name)
{
	uint64_t seq;
	char entry[SPOOL_DIGITS + sizeof(SPOOL_SUFFIX)];
	size_t len = strlen(name);

	if (name[0] != '.' || len != 1 + sizeof(entry) - 1 + 7 || name[len - 7] != '.')
		return false;
	memcpy(entry, name + 1, sizeof(entry) - 1);
	entry[sizeof(entry) - 1] = 0;
	return name__seq(entry, &seq);
}

static char *entry__path(const struct spool *s, uint64_t seq)
{
	char *path;

	if (asprintf(&path, "%s/%016" PRIx64 SPOOL_SUFFIX, s->dir, seq) < 0)
		return NULL;
	return path;
}

static int index__append(struct spool *s, uint64_t seq, uint64_t size)
{
	if (s->head && s->head == s->n) {
		s->head = s->n = 0;
	} else if (s->n == s->cap && s->head > s->cap / 2) {
		memmove(s->ents, s->ents + s->head, (s->n - s->head) * sizeof(*s->ents));
		s->n -= s->head;
		s->head = 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct spool_entry *e = realloc(s->ents, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->ents = e;
		s->cap = cap;
	}
	s->ents[s->n++] = (struct spool_entry){ .seq = seq, .size = size };
	s->st.files++;
	s->st.bytes += size;
	return 0;
}

static int entry__cmp(const void *a, const void *b)
{
	const struct spool_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int dir__usable(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) ? -errno : 0;
}

/* Index every entry in the directory, remove leftovers of interrupted writes. */
static int spool__scan(struct spool *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		struct stat st;
		uint64_t seq;

		if (name__leftover(de->d_name)) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (!name__seq(de->d_name, &seq) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		err = index__append(s, seq, st.st_size);
		if (seq >= s->next_seq)
			s->next_seq = seq + 1;
	}
	closedir(d);
	if (s->n)
		qsort(s->ents, s->n, sizeof(*s->ents), entry__cmp);
	return err;
}

int spool__open(struct spool **out, const char *dir, uint64_t max_bytes, char *err, size_t errlen)
{
	struct spool *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->max_bytes = max_bytes;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->put_lock, NULL);
	rc = dir__make(dir);
	if (!rc)
		rc = dir__usable(dir);
	if (!rc)
		rc = spool__scan(s);
	if (rc) {
		snprintf(err, errlen, "spool directory %s: %s (it must be a writable directory)",
			 dir, strerror(-rc));
		spool__free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* Delete the oldest entries until len more bytes fit. Under s->lock. */
static void spool__make_room(struct spool *s, uint64_t len)
{
	while (s->head < s->n && s->st.bytes + len > s->max_bytes) {
		struct spool_entry *e = &s->ents[s->head++];
		char *path = entry__path(s, e->seq);

		if (path)
			unlink(path);
		free(path);
		s->st.files--;
		s->st.bytes -= e->size;
		s->st.dropped++;
		s->st.dropped_bytes += e->size;
	}
}

static int entry__write(const char *path, const void *data, size_t len)
{
	struct atomic_file *af;
	int rc = atomic_file__open(&af, path);

	if (rc)
		return rc;
	if (len && fwrite(data, 1, len, atomic_file__stream(af)) != len)
		rc = atomic_file__error(af) ?: -EIO;
	if (!rc)
		rc = atomic_file__commit(af);
	atomic_file__free(af);
	return rc;
}

int spool__put(struct spool *s, const void *data, size_t len, char *err, size_t errlen)
{
	char *path = NULL;
	uint64_t seq;
	int rc;

	if (s->max_bytes && len > s->max_bytes) {
		snprintf(err, errlen,
			 "a spool entry of %zu bytes exceeds the spool bound of %llu bytes", len,
			 (unsigned long long)s->max_bytes);
		return -EFBIG;
	}
	pthread_mutex_lock(&s->put_lock);
	pthread_mutex_lock(&s->lock);
	if (s->max_bytes)
		spool__make_room(s, len);
	seq = s->next_seq++;
	pthread_mutex_unlock(&s->lock);
	rc = (path = entry__path(s, seq)) ? entry__write(path, data, len) : -ENOMEM;
	pthread_mutex_lock(&s->lock);
	if (!rc)
		rc = index__append(s, seq, len);
	if (!rc)
		s->st.put++;
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_unlock(&s->put_lock);
	if (rc)
		snprintf(err, errlen, "cannot write spool file %s: %s (%s)", path ? path : s->dir,
			 strerror(-rc), atomic_file__hint(rc));
	free(path);
	return rc;
}

static int file__read(const char *path, void **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		rc = -errno;
	else if (!(buf = malloc(st.st_size + 1)))
		rc = -ENOMEM;
	while (!rc && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			rc = r < 0 ? -errno : -EIO;
		else
			got += r;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[got] = 0; /* a terminator for text headers; not counted */
	*data = buf;
	*len = got;
	return 0;
}

int spool__oldest(struct spool *s, uint64_t *seq)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&s->lock);
	if (s->head < s->n) {
		*seq = s->ents[s->head].seq;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int spool__read(struct spool *s, uint64_t seq, void **data, size_t *len)
{
	char *path = entry__path(s, seq);
	int rc = path ? file__read(path, data, len) : -ENOMEM;

	free(path);
	if (rc == -ENOENT)
		spool__remove(s, seq); /* deleted for room (or by hand) meanwhile */
	return rc;
}

/* The index slot of entry seq, or NULL. Under s->lock. */
static struct spool_entry *index__find(struct spool *s, uint64_t seq)
{
	for (size_t i = s->head; i < s->n; i++)
		if (s->ents[i].seq == seq)
			return &s->ents[i];
	return NULL;
}

int spool__replace(struct spool *s, uint64_t seq, const void *data, size_t len)
{
	char *path = entry__path(s, seq);
	struct spool_entry *e;
	int rc;

	if (!path)
		return -ENOMEM;
	pthread_mutex_lock(&s->put_lock);
	pthread_mutex_lock(&s->lock);
	rc = index__find(s, seq) ? 0 : -ENOENT;
	pthread_mutex_unlock(&s->lock);
	if (!rc)
		rc = entry__write(path, data, len);
	pthread_mutex_lock(&s->lock);
	if (!rc && (e = index__find(s, seq))) {
		s->st.bytes += len - e->size;
		e->size = len;
	}
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_unlock(&s->put_lock);
	free(path);
	return rc;
}

int spool__remove(struct spool *s, uint64_t seq)
{
	struct spool_entry *e;
	char *path;

	pthread_mutex_lock(&s->lock);
	if (!(e = index__find(s, seq))) {
		pthread_mutex_unlock(&s->lock);
		return -ENOENT;
	}
	if ((path = entry__path(s, seq)))
		unlink(path);
	free(path);
	s->st.files--;
	s->st.bytes -= e->size;
	if (e == &s->ents[s->head]) { /* the usual case: the consumer is done with the oldest */
		s->head++;
	} else {
		memmove(e, e + 1, (&s->ents[s->n] - e - 1) * sizeof(*e));
		s->n--;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void spool__stats(struct spool *s, struct spool_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->st;
	pthread_mutex_unlock(&s->lock);
}

void spool__free(struct spool *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->put_lock);
	free(s->ents);
	free(s->dir);
	free(s);
}
