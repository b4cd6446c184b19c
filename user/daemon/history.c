// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/history.c - the monitor's windows on disk and the reader that merges them back (see
 * daemon/history.h).
 *
 * A window file is named after its window, in UTC to the nanosecond:
 *     20261123T141500.000000000Z_20261123T141510.000000000Z.pb.gz
 * so `ls` sorts it by time, an operator reads it, and the reader selects by name alone. Files
 * are written through io/atomic_file (O_TMPFILE, linked in whole); the fallback's hidden
 * ".NAME.XXXXXX" temporaries a kill -9 may leave are not window names, so readers never see
 * them, and history__open() removes them. Nothing else in the directory is touched.
 *
 * Retention runs after each write: windows that ended more than retain_s ago go first, then the
 * oldest while the total is over max_bytes, except the newest window, which is always kept (a
 * bound smaller than one window would otherwise delete every window as it is written).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/history.h"
#include "emit/emitters.h"
#include "io/atomic_file.h"
#include "io/dir.h"
#include "io/pprof_input.h"
#include "lib/units.h"

#define NS_PER_S 1000000000ULL
#define SUFFIX ".pb.gz"
/* "YYYYMMDDTHHMMSS.NNNNNNNNNZ" */
#define STAMP_LEN 26
#define NAME_LEN (2 * STAMP_LEN + 1 + sizeof(SUFFIX) - 1)

struct window {
	uint64_t start, end, bytes;
	char name[NAME_LEN + 1];
};

struct history {
	struct history_cfg cfg;
	char *dir;
	int lock_fd;
	struct window *w; /* sorted by start */
	size_t n, cap;
	struct history_stats st;
};

static void stamp__format(uint64_t ns, char *out)
{
	time_t t = ns / NS_PER_S;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, STAMP_LEN + 1, "%.15s.%09uZ", buf, (unsigned)(ns % NS_PER_S));
}

/* A stamp as stamp__format writes it, to the letter (units__time reads it; the round trip
 * refuses every other spelling of the same time). */
static bool stamp__parse(const char *s, uint64_t *ns)
{
	char copy[STAMP_LEN + 1], back[STAMP_LEN + 1];

	memcpy(copy, s, STAMP_LEN);
	copy[STAMP_LEN] = '\0';
	if (units__time(copy, 0, ns))
		return false;
	stamp__format(*ns, back);
	return !strcmp(copy, back);
}

/* The window a file name stands for; false for any other name (temporaries, .lock...). */
static bool window__parse(const char *name, struct window *w)
{
	if (strlen(name) != NAME_LEN || name[STAMP_LEN] != '_' ||
	    strcmp(name + 2 * STAMP_LEN + 1, SUFFIX) || !stamp__parse(name, &w->start) ||
	    !stamp__parse(name + STAMP_LEN + 1, &w->end) || w->end < w->start)
		return false;
	memcpy(w->name, name, NAME_LEN + 1);
	return true;
}

static void window__name(struct window *w)
{
	stamp__format(w->start, w->name);
	w->name[STAMP_LEN] = '_';
	stamp__format(w->end, w->name + STAMP_LEN + 1);
	strcpy(w->name + 2 * STAMP_LEN + 1, SUFFIX);
}

/* A temporary io/atomic_file left for a window: ".NAME.XXXXXX". */
static bool is_leftover(const char *name)
{
	struct window w;
	char base[NAME_LEN + 1];

	if (name[0] != '.' || strlen(name) != 1 + NAME_LEN + 7 || name[1 + NAME_LEN] != '.')
		return false;
	memcpy(base, name + 1, NAME_LEN);
	base[NAME_LEN] = '\0';
	return window__parse(base, &w);
}

static int window_cmp(const void *a, const void *b)
{
	const struct window *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/*
 * The windows of dir, sorted by start (sizes filled in); leftovers removed when clean. 0 or
 * -errno with a message.
 */
static int dir__scan(const char *dir, bool clean, struct window **out, size_t *n, size_t *cap,
		     char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	*out = NULL;
	*n = *cap = 0;
	if (!d) {
		int rc = -errno;

		snprintf(err, errlen, "cannot read history directory '%s': %s", dir, strerror(-rc));
		return rc;
	}
	while ((e = readdir(d))) {
		struct window w;
		struct stat st;

		if (clean && is_leftover(e->d_name)) {
			unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (!window__parse(e->d_name, &w) || fstatat(dirfd(d), e->d_name, &st, 0) ||
		    !S_ISREG(st.st_mode))
			continue;
		w.bytes = st.st_size;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 64;
			struct window *nw = realloc(*out, nc * sizeof(*nw));

			if (!nw) {
				closedir(d);
				snprintf(err, errlen, "out of memory listing '%s'", dir);
				return -ENOMEM;
			}
			*out = nw;
			*cap = nc;
		}
		(*out)[(*n)++] = w;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), window_cmp);
	return 0;
}

/* mkdir DIR (parents 0755, DIR itself 0700) unless it exists as a directory. */
static int history__mkdir(const char *dir, char *err, size_t errlen)
{
	int rc = dir__make(dir);

	if (rc)
		snprintf(
			err, errlen,
			"cannot create history directory '%s': %s; give --dir a writable directory",
			dir, strerror(-rc));
	return rc;
}

/* flock DIR/.lock and write our pid into it; -EBUSY naming the holder. */
static int dir__lock(struct history *h, char *err, size_t errlen)
{
	char path[4096], pid[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/.lock", h->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(-rc));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(
			err, errlen,
			"history directory '%s' is in use by another bpfprof monitor (pid %s); stop it or give another --dir",
			h->dir, pid[0] ? pid : "unknown");
		close(fd);
		return -EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n) {
		/* the lock holds without the pid; only the message of a second monitor is poorer */
	}
	h->lock_fd = fd;
	return 0;
}

static void stats__refresh(struct history *h)
{
	h->st.files = h->n;
	h->st.bytes = 0;
	for (size_t i = 0; i < h->n; i++)
		h->st.bytes += h->w[i].bytes;
	h->st.oldest_ns = h->n ? h->w[0].start : 0;
	h->st.newest_ns = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->w[i].end > h->st.newest_ns)
			h->st.newest_ns = h->w[i].end;
}

int history__open(struct history **out, const struct history_cfg *cfg, char *err, size_t errlen)
{
	struct history *h = calloc(1, sizeof(*h));
	int rc;

	*out = NULL;
	if (!h || !(h->dir = strdup(cfg->dir && *cfg->dir ? cfg->dir : HISTORY_DEFAULT_DIR))) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->cfg = *cfg;
	h->cfg.dir = h->dir;
	h->lock_fd = -1;
	rc = history__mkdir(h->dir, err, errlen);
	if (!rc)
		rc = dir__lock(h, err, errlen);
	if (!rc)
		rc = dir__scan(h->dir, true, &h->w, &h->n, &h->cap, err, errlen);
	if (rc) {
		history__free(h);
		return rc;
	}
	stats__refresh(h);
	*out = h;
	return 0;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Delete window i (from disk and the index). */
static void window__delete(struct history *h, size_t i)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", h->dir, h->w[i].name);
	if (unlink(path) && errno != ENOENT)
		return; /* keep it indexed: it still takes space */
	memmove(&h->w[i], &h->w[i + 1], (h->n - i - 1) * sizeof(*h->w));
	h->n--;
	h->st.deleted++;
}

/* Oldest first: by age, then by size; the newest window stays. */
static void retention__apply(struct history *h)
{
	uint64_t now = wall_ns(), keep_ns = h->cfg.retain_s * 1e9, total = 0;
	size_t i = 0;

	if (h->cfg.retain_s > 0)
		while (i + 1 < h->n) {
			size_t before = h->n;

			if (h->w[i].end + keep_ns >= now) {
				i++;
				continue;
			}
			window__delete(h, i);
			i += h->n == before; /* could not delete: look further */
		}
	for (i = 0; i < h->n; i++)
		total += h->w[i].bytes;
	for (i = 0; h->cfg.max_bytes && total > h->cfg.max_bytes && i + 1 < h->n;) {
		uint64_t bytes = h->w[i].bytes;
		size_t before = h->n;

		window__delete(h, i);
		if (h->n == before)
			i++;
		else
			total -= bytes;
	}
	stats__refresh(h);
}

/* Index w (replacing a window of the same name). */
static int index__add(struct history *h, const struct window *w)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->w[i].name, w->name)) {
			h->w[i] = *w;
			return 0;
		}
	if (h->n == h->cap) {
		size_t nc = h->cap ? 2 * h->cap : 64;
		struct window *nw = realloc(h->w, nc * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		h->w = nw;
		h->cap = nc;
	}
	h->w[h->n++] = *w;
	qsort(h->w, h->n, sizeof(*h->w), window_cmp);
	return 0;
}

/* Write p into path as one whole file: 0, or -errno with a message. */
static int window__write(const char *path, const struct profile *p, uint64_t *bytes, char *err,
			 size_t errlen)
{
	struct emit_opts opts = {};
	struct atomic_file *af;
	struct stat st;
	int rc = atomic_file__open(&af, path);

	if (!rc)
		rc = pprof__write(p, atomic_file__stream(af), &opts);
	/* the stream's own error (-ENOSPC) says more than the emitter's -EIO */
	if (af && atomic_file__error(af))
		rc = atomic_file__error(af);
	if (!rc)
		rc = atomic_file__commit(af);
	atomic_file__free(af);
	if (rc) {
		snprintf(
			err, errlen, "cannot write window '%s': %s%s", path, strerror(-rc),
			rc == -ENOSPC || rc == -EDQUOT
				? "; free some space, or lower --max-disk below what the disk holds"
				: "");
		return rc;
	}
	*bytes = stat(path, &st) ? 0 : st.st_size;
	return 0;
}

int history__add(struct history *h, const struct profile *p, char *err, size_t errlen)
{
	struct window w = {};
	char path[4096];
	int rc;

	if (!p->meta.start_ns) {
		snprintf(err, errlen, "a window without a start time cannot be stored");
		h->st.write_errors++;
		return -EINVAL;
	}
	w.start = p->meta.start_ns;
	w.end = w.start + (uint64_t)(p->meta.duration_s > 0 ? p->meta.duration_s * 1e9 : 0);
	window__name(&w);
	snprintf(path, sizeof(path), "%s/%s", h->dir, w.name);
	rc = window__write(path, p, &w.bytes, err, errlen);
	if (!rc && index__add(h, &w)) {
		snprintf(err, errlen, "out of memory indexing '%s'", path);
		rc = -ENOMEM;
	}
	if (rc)
		h->st.write_errors++;
	else
		h->st.written++;
	retention__apply(h);
	return rc;
}

void history__stats(const struct history *h, struct history_stats *st)
{
	*st = h->st;
}

void history__free(struct history *h)
{
	if (!h)
		return;
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	free(h->w);
	free(h->dir);
	free(h);
}

static bool types__equal(const struct profile *a, const struct profile *b)
{
	if (a->nvalues != b->nvalues)
		return false;
	for (int c = 0; c < a->nvalues; c++)
		if (strcmp(a->types[c].type, b->types[c].type) ||
		    strcmp(a->types[c].unit, b->types[c].unit))
			return false;
	return true;
}

/* Read window w of dir; *gone when it was deleted meanwhile (retention racing the reader). */
static int window__read(const char *dir, const struct window *w, struct profile *p, bool *gone,
			char *err, size_t errlen)
{
	char path[4096], why[256];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, w->name);
	f = fopen(path, "r");
	*gone = !f && errno == ENOENT;
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "cannot read window '%s': %s", path, strerror(-rc));
		return rc;
	}
	rc = pprof_input__read(f, p, why, sizeof(why));
	fclose(f);
	if (rc)
		snprintf(err, errlen, "window '%s': %s; delete that file", path, why);
	return rc;
}

/* Merge window w into out (the first one sets out's columns and meta). */
static int window__merge(const struct profile *w, const struct profile_filter *f,
			 struct profile *out, bool first, const char *name, char *err,
			 size_t errlen)
{
	bool *keep = NULL;
	int rc;

	if (first) {
		out->meta = w->meta;
		out->meta.title[0] = '\0';
		if (profile__set_types(out, w->types, w->nvalues)) {
			snprintf(err, errlen, "history__load wants an empty profile to merge into");
			return -EINVAL;
		}
	} else if (!types__equal(out, w)) {
		snprintf(
			err, errlen,
			"window '%s' has other sample types than the windows before it (another event?); narrow --from/--to to one recording",
			name);
		return -EINVAL;
	}
	if (!profile_filter__empty(f) && !(keep = profile_filter__select(f, w)))
		return -ENOMEM;
	rc = profile__merge(out, w, keep, PROFILE_ALL_COLUMNS, 1.0);
	free(keep);
	return rc;
}

int history__range(const char *dir, uint64_t *first_ns, uint64_t *last_ns, size_t *nfiles,
		   char *err, size_t errlen)
{
	struct window *w;
	size_t n, cap;
	int rc = dir__scan(dir, false, &w, &n, &cap, err, errlen);

	if (rc)
		return rc;
	*first_ns = n ? w[0].start : 0;
	*last_ns = 0;
	for (size_t i = 0; i < n; i++)
		if (w[i].end > *last_ns)
			*last_ns = w[i].end;
	*nfiles = n;
	free(w);
	return 0;
}

int history__load(const char *dir, uint64_t from_ns, uint64_t to_ns, const struct profile_filter *f,
		  struct profile *out, size_t *nwindows, char *err, size_t errlen)
{
	struct window *w;
	size_t n, cap, merged = 0;
	uint64_t first = 0, last = 0;
	int rc = dir__scan(dir, false, &w, &n, &cap, err, errlen);

	for (size_t i = 0; !rc && i < n; i++) {
		struct profile *p;
		bool gone;

		/* overlap with [from, to); a zero-length window counts at its start */
		if ((to_ns && w[i].start >= to_ns) ||
		    (from_ns && w[i].end <= from_ns &&
		     !(w[i].end == w[i].start && w[i].start == from_ns)))
			continue;
		if (!(p = profile__new())) {
			rc = -ENOMEM;
			break;
		}
		rc = window__read(dir, &w[i], p, &gone, err, errlen);
		if (rc && gone)
			rc = 0;
		else if (!rc)
			rc = window__merge(p, f, out, !merged, w[i].name, err, errlen);
		if (!rc && !gone) {
			first = merged ? first : w[i].start;
			last = w[i].end > last ? w[i].end : last;
			merged++;
		}
		profile__free(p);
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory merging the windows of '%s'", dir);
	if (!rc && merged) {
		out->meta.start_ns = first;
		out->meta.duration_s = (last - first) / 1e9;
	}
	if (nwindows)
		*nwindows = merged;
	free(w);
	return rc;
}

void history__set_limits(struct history *h, double retain_s, uint64_t max_bytes)
{
	h->cfg.retain_s = retain_s;
	h->cfg.max_bytes = max_bytes;
}
