// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mapfile.c - the agent's /tmp/perf-PID.map: written as events happen, rewritten when mostly dead.
 *
 * Readers (perf, bpfprof) take the LAST line covering an address as the truth, so this file only
 * ever appends whole lines, one write() per event under a short lock. During a replay (the JVM
 * re-sending events for code that existed before an attach) events that other threads produce
 * for brand-new code are held back and applied after the replay: a replayed method must never
 * land after the method that has since reused its address.
 *
 * A JVM that keeps making and unloading code (generated classes, class loaders in a loop) would
 * grow the map without end, so every append is also a record in a live set (liveset.c). Once
 * dead bytes outnumber live ones (and the file is past opts->compact), a thread of our own
 * copies the live records, plus those dead for less than opts->grace seconds, to PATH.tmp and
 * renames it over the map: readers see the old file or the new one, each whole, and the same
 * name for every live address. The copy runs without the lock; only the last few KB appended
 * meanwhile, the rename and the switch to the new file happen under it, so callbacks never wait
 * for more than that. Any doubt (someone else writes the file, no memory, a failed rename) ends
 * rewriting for good: the map then just grows, as it always did.
 *
 * A full disk or a file that cannot be written logs one line and makes the agent quiet; the JVM
 * itself never notices.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define PENDING_MAX (8u << 20)	    /* beyond this, events from a replay window go straight out */
#define COPY_CHUNK (256u << 10)	    /* the rewrite reads and writes this much at a time */
#define TAIL_LOCKED_MAX (64u << 10) /* at most this is copied with the lock held */
#define HELD_UNLOAD UINT32_MAX

/* An event held back during a replay: this header in mf.pending, then len bytes of lines. */
struct held {
	uint64_t start, method;
	uint32_t size, len; /* len == HELD_UNLOAD: an unload, no lines */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the rewrite thread waits here for "due" */
	pthread_cond_t done; /* and says here that "due" is over */
	int fd;
	bool dead;
	int replaying;
	struct strbuf pending;
	char path[PATH_MAX + 32];

	struct liveset live;
	bool tracking;	    /* live accounts for every byte of the file: a rewrite is possible */
	bool never;	    /* rewriting was given up for good */
	bool due;	    /* a rewrite is asked for or running */
	bool thread;	    /* the rewrite thread exists */
	bool stop;	    /* the JVM exits: abandon a running rewrite (atomic) */
	uint64_t size;	    /* bytes in the file, all written by us while tracking */
	uint64_t last_size; /* what the last rewrite kept */
	uint64_t floor;
	unsigned grace;
	unsigned gen; /* bumped when the file is replaced by anyone but a rewrite */
	unsigned rewrites;
} mf = { .lock = PTHREAD_MUTEX_INITIALIZER,
	 .wake = PTHREAD_COND_INITIALIZER,
	 .done = PTHREAD_COND_INITIALIZER,
	 .fd = -1 };

static __thread bool mf_replay_thread;

static uint32_t mapfile__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec;
}

/* Field 22 of /proc/self/stat: when this process started, in clock ticks after boot. */
static unsigned long long mapfile__start_ticks(void)
{
	unsigned long long ticks = 0;
	char buf[1024], *p;
	int field = 2; /* p points at the ")" that ends field 2 */
	FILE *f;

	f = fopen("/proc/self/stat", "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	while (p && field < 22 && (p = strchr(p + 1, ' ')))
		field++;
	if (p && sscanf(p, " %llu", &ticks) != 1)
		ticks = 0;
	return ticks;
}

/* When this process started, in seconds since the epoch (0 if unknown). */
static time_t mapfile__process_start(void)
{
	unsigned long long ticks = mapfile__start_ticks(), btime = 0;
	char buf[256];
	FILE *f;

	f = ticks ? fopen("/proc/stat", "re") : NULL;
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return btime ? (time_t)(btime + ticks / sysconf(_SC_CLK_TCK)) : 0;
}

/* A map left by an earlier process with the same pid (common in containers) is stale. */
static bool mapfile__is_stale(const char *path)
{
	time_t start = mapfile__process_start();
	struct stat st;

	return start && stat(path, &st) == 0 && st.st_mtime + 2 < start;
}

/* Caller holds mf.lock. Stop tracking live code; for good (never) or until the next new file. */
static void mapfile__untrack_locked(bool never)
{
	liveset__free(&mf.live);
	mf.tracking = false;
	mf.never |= never;
}

/* Caller holds mf.lock. Append to fd from now on; what it holds already is not ours. */
static void mapfile__use_locked(int fd)
{
	struct stat st;

	if (mf.fd >= 0)
		close(mf.fd);
	mf.fd = fd;
	mf.dead = false;
	mf.gen++;
	liveset__free(&mf.live);
	mf.size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	mf.last_size = 0;
	mf.tracking = mf.floor && !mf.never;
}

int mapfile__open(const struct agent_opts *opts, int pid, char *err, size_t err_len)
{
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, fd;

	snprintf(mf.path, sizeof(mf.path), "%s/perf-%d.map", opts->dir, pid);
	if (mapfile__is_stale(mf.path))
		flags |= O_TRUNC;
	fd = open(mf.path, flags, 0644);
	if (fd < 0) {
		int e = errno;

		snprintf(err, err_len, "cannot open %s: %s; pass dir=WRITABLE_DIR", mf.path,
			 strerror(e));
		return -e;
	}
	pthread_mutex_lock(&mf.lock);
	mf.floor = opts->compact;
	mf.grace = opts->grace;
	mf.never = false;
	mapfile__use_locked(fd);
	pthread_mutex_unlock(&mf.lock);
	return 0;
}

/* Caller holds mf.lock. Is the file at our path the one we write (ours: its fstat)? */
static bool mapfile__is_ours(const struct stat *ours)
{
	struct stat now;

	return stat(mf.path, &now) == 0 && now.st_dev == ours->st_dev && now.st_ino == ours->st_ino;
}

int mapfile__reopen_if_gone(void)
{
	struct stat ours;
	int fd, ret = 0;

	pthread_mutex_lock(&mf.lock);
	if (mf.fd >= 0 && fstat(mf.fd, &ours) == 0 && mapfile__is_ours(&ours)) {
		ret = mf.dead; /* lines were lost after a write error: a replay restores them */
		mf.dead = false;
		goto out_unlock;
	}
	fd = open(mf.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out_unlock;
	}
	mapfile__use_locked(fd);
	ret = 1;
out_unlock:
	pthread_mutex_unlock(&mf.lock);
	return ret;
}

/* Caller holds mf.lock. False when the lines did not all reach the file. */
static bool mapfile__write_locked(const char *p, size_t len)
{
	while (len && !mf.dead) {
		ssize_t n = write(mf.fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			agent__log(
				"cannot write %s: %s; new JIT code stays unnamed until the next attach (free space or pass dir=WRITABLE_DIR)",
				mf.path, n < 0 ? strerror(errno) : "short write");
			mf.dead = true;
			mapfile__untrack_locked(false); /* a part of a line may be in the file */
			return false;
		}
		p += n;
		len -= n;
	}
	return !mf.dead;
}

static void *mapfile__rewriter(void *arg);

/* Caller holds mf.lock. Wake the rewrite thread (started now) when the file is mostly dead. */
static void mapfile__check_due_locked(void)
{
	sigset_t all, old;
	pthread_t th;
	int e;

	if (!mf.tracking || mf.due || !liveset__due(&mf.live, mf.size, mf.floor, mf.last_size))
		return;
	if (!mf.thread) {
		/* The JVM's signals (SIGQUIT for thread dumps, ...) are not for our thread. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		e = pthread_create(&th, NULL, mapfile__rewriter, NULL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (e) {
			agent__log("cannot start a thread to compact %s: %s; it keeps every line",
				   mf.path, strerror(e));
			mapfile__untrack_locked(true);
			return;
		}
		pthread_detach(th);
		mf.thread = true;
	}
	mf.due = true;
	pthread_cond_signal(&mf.wake);
}

/* Caller holds mf.lock. Write one event's lines and remember them as live. */
static void mapfile__add_locked(const struct held *h, const char *lines)
{
	uint64_t off = mf.size;

	if (!mapfile__write_locked(lines, h->len))
		return;
	mf.size += h->len;
	if (!mf.tracking)
		return;
	if (liveset__add(&mf.live, h->start, h->size, h->method, off, h->len)) {
		agent__log("out of memory for the live code of %s; it keeps every line", mf.path);
		mapfile__untrack_locked(true);
		return;
	}
	mapfile__check_due_locked();
}

static void mapfile__unload_locked(const struct held *h)
{
	if (!mf.tracking)
		return;
	liveset__unload(&mf.live, h->start, h->method, mapfile__now());
	mapfile__check_due_locked();
}

/* Caller holds mf.lock. Apply the events held back during a replay, in their order. */
static void mapfile__release_locked(void)
{
	const char *p = mf.pending.buf, *end = p + mf.pending.len;
	struct held h;

	while (p && p + sizeof(h) <= end) {
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.len == HELD_UNLOAD) {
			mapfile__unload_locked(&h);
			continue;
		}
		mapfile__add_locked(&h, p);
		p += h.len;
	}
	strbuf__reset(&mf.pending);
}

/* Caller holds mf.lock. True when the event waits for the end of a replay. */
static bool mapfile__hold_locked(const struct held *h, const char *lines)
{
	size_t len = h->len == HELD_UNLOAD ? 0 : h->len, was;

	if (!mf.replaying || mf_replay_thread || mf.pending.len + sizeof(*h) + len > PENDING_MAX)
		return false;
	was = mf.pending.len;
	strbuf__add(&mf.pending, (const char *)h, sizeof(*h));
	if (len)
		strbuf__add(&mf.pending, lines, len);
	if (!mf.pending.failed)
		return true;
	/* No memory: better out of order than lost. */
	mf.pending.failed = false;
	mf.pending.len = was;
	mapfile__release_locked();
	return false;
}

void mapfile__add(uintptr_t start, size_t size, uintptr_t method, const char *lines, size_t len)
{
	struct held h = { start, method, size > UINT32_MAX ? UINT32_MAX : size, len };

	if (len >= HELD_UNLOAD)
		return;
	pthread_mutex_lock(&mf.lock);
	if (mf.fd >= 0 && !mf.dead && !mapfile__hold_locked(&h, lines))
		mapfile__add_locked(&h, lines);
	pthread_mutex_unlock(&mf.lock);
}

void mapfile__unload(uintptr_t start, uintptr_t method)
{
	struct held h = { start, method, 0, HELD_UNLOAD };

	pthread_mutex_lock(&mf.lock);
	if (mf.tracking && !mapfile__hold_locked(&h, NULL))
		mapfile__unload_locked(&h);
	pthread_mutex_unlock(&mf.lock);
}

void mapfile__replay_begin(void)
{
	pthread_mutex_lock(&mf.lock);
	mf.replaying++;
	mf_replay_thread = true;
	pthread_mutex_unlock(&mf.lock);
}

void mapfile__replay_end(void)
{
	pthread_mutex_lock(&mf.lock);
	mf_replay_thread = false;
	if (--mf.replaying == 0) {
		mapfile__release_locked();
		strbuf__free(&mf.pending);
	}
	pthread_mutex_unlock(&mf.lock);
}

void mapfile__stop_rewrites(void)
{
	struct timespec until;

	pthread_mutex_lock(&mf.lock);
	mapfile__untrack_locked(true);
	__atomic_store_n(&mf.stop, true, __ATOMIC_RELAXED);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2; /* a rewrite notices within one read; never hold up an exit for long */
	while (mf.due && mf.thread && pthread_cond_timedwait(&mf.done, &mf.lock, &until) == 0)
		;
	pthread_mutex_unlock(&mf.lock);
}

const char *mapfile__path(void)
{
	return mf.path;
}

/* ---- the rewrite, on its own thread ---- */

struct rewrite {
	unsigned gen;	  /* mf.gen when planned: another file since means give up */
	uint64_t end;	  /* the file's size when planned: before it, only spans are kept */
	uint64_t copied;  /* bytes of the old file dealt with */
	uint64_t written; /* bytes of the new file */
	uint64_t kept;	  /* of which the spans */
	struct span *spans;
	ssize_t nspans;
	struct stat st; /* the old file's */
	int rfd, tfd;
	char *in, *out; /* a window [in_off, in_off + in_len) of the old file; what to write */
	uint64_t in_off;
	size_t in_len, out_len;
	char tmp[sizeof(mf.path) + 8];
};

static int rewrite__flush(struct rewrite *w)
{
	const char *p = w->out;

	while (w->out_len) {
		ssize_t n = write(w->tfd, p, w->out_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENOSPC;
		p += n;
		w->out_len -= n;
	}
	return 0;
}

/* Make the old file's bytes at off the window. */
static int rewrite__read(struct rewrite *w, uint64_t off)
{
	ssize_t n;

	if (__atomic_load_n(&mf.stop, __ATOMIC_RELAXED))
		return -ECANCELED;
	do
		n = pread(w->rfd, w->in, COPY_CHUNK, off);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n < 0 ? -errno : -EBUSY; /* shorter than we wrote: someone else's file */
	w->in_off = off;
	w->in_len = n;
	return 0;
}

/* Copy [off, off + len) of the old file, which must be whole map lines, to the new one. */
static int rewrite__copy(struct rewrite *w, uint64_t off, uint64_t len)
{
	bool first = true;
	int e;

	while (len) {
		size_t at, take;

		if ((off < w->in_off || off >= w->in_off + w->in_len) &&
		    (e = rewrite__read(w, off)))
			return e;
		at = off - w->in_off;
		take = w->in_len - at < len ? w->in_len - at : len;
		if (first && !isxdigit((unsigned char)w->in[at]))
			return -EBUSY;
		if (take == len && w->in[at + take - 1] != '\n')
			return -EBUSY;
		if (w->out_len + take > COPY_CHUNK && (e = rewrite__flush(w)))
			return e;
		memcpy(w->out + w->out_len, w->in + at, take);
		w->out_len += take;
		w->written += take;
		off += take;
		len -= take;
		first = false;
	}
	return 0;
}

/* A PATH.tmp of ours left by a JVM with this pid that died rewriting may go. */
static bool rewrite__leftover(const char *tmp)
{
	struct stat st;

	return lstat(tmp, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
}

static int rewrite__create(struct rewrite *w)
{
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", mf.path);
	for (int tries = 0; tries < 2; tries++) {
		w->tfd =
			open(w->tmp,
			     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
		if (w->tfd >= 0)
			return fchmod(w->tfd, w->st.st_mode & 0777) ? -errno : 0;
		if (errno != EEXIST || !rewrite__leftover(w->tmp))
			break;
		unlink(w->tmp);
	}
	return -errno;
}

/*
 * Dead code younger than grace stays, so a rewrite may win little: then wait until the file has
 * doubled (liveset__due) rather than copy it all for a few bytes.
 */
static int rewrite__worth_it(struct rewrite *w)
{
	uint64_t kept = 0;

	for (ssize_t i = 0; i < w->nspans; i++)
		kept += w->spans[i].len;
	if (w->end - kept >= w->end / 4)
		return 0;
	mf.last_size = w->end;
	return -ECANCELED;
}

/* Under the lock: what to keep of the file as it is now. */
static int rewrite__plan(struct rewrite *w)
{
	int e = 0;

	pthread_mutex_lock(&mf.lock);
	if (!mf.tracking || mf.dead || mf.fd < 0) {
		e = -ECANCELED;
	} else if (fstat(mf.fd, &w->st)) {
		e = -errno;
	} else if ((uint64_t)w->st.st_size != mf.size) {
		e = -EBUSY;
	} else {
		w->gen = mf.gen;
		w->end = w->copied = mf.size;
		w->nspans = liveset__plan(&mf.live, w->end, mapfile__now(), mf.grace, &w->spans);
		e = w->nspans < 0 ? -ENOMEM : rewrite__worth_it(w);
	}
	pthread_mutex_unlock(&mf.lock);
	return e;
}

/* Without the lock: open both files, copy the spans, then what was appended meanwhile. */
static int rewrite__copy_unlocked(struct rewrite *w)
{
	struct stat st;
	uint64_t size;
	int e;

	w->in = malloc(COPY_CHUNK);
	w->out = malloc(COPY_CHUNK);
	if (!w->in || !w->out)
		return -ENOMEM;
	w->rfd = open(mf.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (w->rfd < 0 || fstat(w->rfd, &st))
		return -errno;
	if (st.st_dev != w->st.st_dev || st.st_ino != w->st.st_ino)
		return -ENOENT;
	if ((e = rewrite__create(w)))
		return e;
	for (ssize_t i = 0; i < w->nspans; i++)
		if ((e = rewrite__copy(w, w->spans[i].off, w->spans[i].len)))
			return e;
	w->kept = w->written;
	for (int round = 0; round < 4; round++) {
		pthread_mutex_lock(&mf.lock);
		size = mf.size;
		e = mf.gen != w->gen || !mf.tracking ? -ECANCELED : 0;
		pthread_mutex_unlock(&mf.lock);
		if (e || size - w->copied <= TAIL_LOCKED_MAX)
			return e;
		if ((e = rewrite__copy(w, w->copied, size - w->copied)))
			return e;
		w->copied = size;
	}
	return 0;
}

/* Under the lock: the last appends, the rename, and appending to the new file from now on. */
static int rewrite__commit(struct rewrite *w)
{
	struct stat st;
	int e = 0;

	pthread_mutex_lock(&mf.lock);
	if (mf.gen != w->gen || !mf.tracking || mf.dead)
		e = -ECANCELED;
	else if (fstat(mf.fd, &st) || (uint64_t)st.st_size != mf.size)
		e = -EBUSY;
	else if (!mapfile__is_ours(&st))
		e = -ENOENT; /* the name went to another file meanwhile: leave that one be */
	if (!e && mf.size > w->copied)
		e = rewrite__copy(w, w->copied, mf.size - w->copied);
	if (!e)
		e = rewrite__flush(w);
	if (!e && w->written != w->kept + (mf.size - w->end))
		e = -EIO;
	if (!e && rename(w->tmp, mf.path))
		e = -errno;
	if (!e) {
		close(mf.fd);
		mf.fd = w->tfd;
		w->tfd = -1;
		mf.size = w->written;
		mf.last_size = w->kept; /* the tail is new: it may be as dead as it likes */
		mf.rewrites++;
		if (liveset__rebase(&mf.live, w->spans, w->nspans, w->end, w->kept))
			e = -ENOMEM;
	}
	pthread_mutex_unlock(&mf.lock);
	return e;
}

static void rewrite__finish(struct rewrite *w, int e)
{
	if (w->tfd >= 0) {
		close(w->tfd);
		unlink(w->tmp);
	}
	if (w->rfd >= 0)
		close(w->rfd);
	free(w->spans);
	free(w->in);
	free(w->out);
	if (!e || e == -ECANCELED)
		return;
	pthread_mutex_lock(&mf.lock);
	/* The map deleted or replaced: no rewrites until mapfile__reopen_if_gone finds a new one. */
	if (e != -ENOENT || mf.gen == w->gen)
		mapfile__untrack_locked(e != -ENOENT);
	pthread_mutex_unlock(&mf.lock);
	if (e == -ENOENT)
		return;
	if (e == -EBUSY)
		agent__log(
			"someone else writes %s too (a second agent from another path, jcmd Compiler.perfmap), so dead code cannot be told apart; the map keeps every line",
			mf.path);
	else
		agent__log(
			"cannot compact %s (via %s): %s; the map keeps every line (pass compact=off to keep it that way quietly)",
			mf.path, w->tmp, strerror(-e));
}

/* One rewrite: plan under the lock, copy without it, switch files under it. */
static void mapfile__rewrite(void)
{
	struct rewrite w = { .rfd = -1, .tfd = -1 };
	int e;

	e = rewrite__plan(&w);
	if (!e)
		e = rewrite__copy_unlocked(&w);
	if (!e)
		e = rewrite__commit(&w);
	rewrite__finish(&w, e);
}

static void *mapfile__rewriter(void *arg)
{
	prctl(PR_SET_NAME, "bpfprof-compact"); /* how it shows in top -H and jstack */
	pthread_mutex_lock(&mf.lock);
	for (;;) {
		while (!mf.due)
			pthread_cond_wait(&mf.wake, &mf.lock);
		pthread_mutex_unlock(&mf.lock);
		mapfile__rewrite();
		pthread_mutex_lock(&mf.lock);
		mf.due = false;
		pthread_cond_broadcast(&mf.done);
	}
	return NULL;
}
