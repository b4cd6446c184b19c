// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mapfile.c - the agent's /tmp/perf-PID.map: append-only, written as events happen.
 *
 * Readers (perf, bpfprof) take the LAST line covering an address as the truth, so this file only
 * ever appends whole lines, one write() per event under a short lock. During a replay (the JVM
 * re-sending events for code that existed before an attach) lines that other threads produce for
 * brand-new code are held back and appended after the replay: a replayed method must never land
 * after the method that has since reused its address.
 *
 * A full disk or a file that cannot be written logs one line and makes the agent quiet; the JVM
 * itself never notices.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define PENDING_MAX (8u << 20)	/* beyond this, lines from a replay window go straight out */

static struct {
	pthread_mutex_t lock;
	int fd;
	bool dead;
	int replaying;
	struct strbuf pending;
	char path[PATH_MAX + 32];
} mf = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static __thread bool mf_replay_thread;

/* Field 22 of /proc/self/stat: when this process started, in clock ticks after boot. */
static unsigned long long mapfile__start_ticks(void)
{
	unsigned long long ticks = 0;
	char buf[1024], *p;
	int field = 2;	/* p points at the ")" that ends field 2 */
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

int mapfile__open(const char *dir, int pid, char *err, size_t err_len)
{
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, fd;

	snprintf(mf.path, sizeof(mf.path), "%s/perf-%d.map", dir, pid);
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
	mf.fd = fd;
	mf.dead = false;
	pthread_mutex_unlock(&mf.lock);
	return 0;
}

int mapfile__reopen_if_gone(void)
{
	struct stat now, ours;
	int fd, ret = 0;

	pthread_mutex_lock(&mf.lock);
	if (mf.fd >= 0 && fstat(mf.fd, &ours) == 0 && stat(mf.path, &now) == 0 &&
	    now.st_dev == ours.st_dev && now.st_ino == ours.st_ino) {
		ret = mf.dead;	/* lines were lost after a write error: a replay restores them */
		mf.dead = false;
		goto out_unlock;
	}
	fd = open(mf.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = -errno;
		goto out_unlock;
	}
	if (mf.fd >= 0)
		close(mf.fd);
	mf.fd = fd;
	mf.dead = false;
	ret = 1;
out_unlock:
	pthread_mutex_unlock(&mf.lock);
	return ret;
}

/* Caller holds mf.lock. */
static void mapfile__write_locked(const char *p, size_t len)
{
	while (len && !mf.dead) {
		ssize_t n = write(mf.fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			agent__log("cannot write %s: %s; new JIT code stays unnamed until the next attach (free space or pass dir=WRITABLE_DIR)",
				   mf.path, n < 0 ? strerror(errno) : "short write");
			mf.dead = true;
			return;
		}
		p += n;
		len -= n;
	}
}

void mapfile__append(const char *lines, size_t len)
{
	pthread_mutex_lock(&mf.lock);
	if (mf.fd < 0 || mf.dead)
		goto out_unlock;
	if (mf.replaying && !mf_replay_thread && mf.pending.len + len <= PENDING_MAX) {
		strbuf__add(&mf.pending, lines, len);
		if (!mf.pending.failed)
			goto out_unlock;
		strbuf__reset(&mf.pending);	/* no memory: better out of order than lost */
	}
	mapfile__write_locked(lines, len);
out_unlock:
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
		if (mf.pending.len && mf.fd >= 0)
			mapfile__write_locked(mf.pending.buf, mf.pending.len);
		strbuf__free(&mf.pending);
	}
	pthread_mutex_unlock(&mf.lock);
}

const char *mapfile__path(void)
{
	return mf.path;
}
