// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * threads.c - the agent's /tmp/perf-PID.threads: which native thread runs which Java thread.
 *
 * The kernel keeps 15 bytes of a thread's name (HotSpot sets it to the first 15 bytes of the
 * Java name), so "request-worker-alpha" and "request-worker-beta" both sample as
 * "request-worker-". This file gives a profiler the whole name: one "TID NAME\n" line per thread
 * start, appended with one write() under a short lock, beside the perf map and opened the same
 * way (O_APPEND, O_NOFOLLOW, 0644). A reader takes the LAST line for a tid, and trusts it only
 * while the kernel's name for that tid is the name's 15-byte prefix: a line left by a thread that
 * ended, whose tid now runs another thread, is then not believed. Names keep their lines after
 * the thread ends, so a profile symbolized after the JVM exited still names them.
 *
 * A JVM that keeps starting threads would grow the file without end, so once it is past
 * THREADS_FLOOR and twice what the last rewrite wrote, it is rewritten (PATH.tmp renamed over it:
 * a reader sees either whole file) with the threads alive and those ended less than grace
 * seconds ago. The rewrite runs in the event that triggered it, under the lock, but its size is
 * that of the live threads and it happens only when the file doubled: amortized, a few bytes per
 * thread start. Names have control characters replaced and are cut at THREAD_NAME_MAX bytes.
 * After a write error the file is given up: threads keep their 15-character names.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define THREADS_FLOOR (64u << 10)

struct thread_rec {
	int tid;
	uint32_t ended; /* seconds on the monotonic clock, 0 while alive */
	char *name;
};

static struct {
	pthread_mutex_t lock;
	int fd;
	char path[PATH_MAX + 32];
	unsigned grace;
	uint64_t size, last_size;
	struct thread_rec *recs;
	size_t n, cap;
} tf = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static uint32_t threads__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec + 1; /* never 0: 0 means alive */
}

size_t threads__line(char *buf, size_t len, int tid, const char *name)
{
	int n = snprintf(buf, len, "%d ", tid);
	size_t i;

	if (n < 0 || (size_t)n + 2 > len)
		return 0;
	for (i = 0; name[i] && i < THREAD_NAME_MAX && n + 2 < (int)len; i++)
		buf[n++] = (unsigned char)name[i] < ' ' || name[i] == 0x7f ? '?' : name[i];
	buf[n++] = '\n';
	buf[n] = '\0';
	return i ? (size_t)n : 0; /* a nameless thread has nothing to add */
}

/* Caller holds tf.lock. The record of tid, created (alive, nameless) when new; NULL: no memory. */
static struct thread_rec *threads__rec_locked(int tid)
{
	for (size_t i = 0; i < tf.n; i++)
		if (tf.recs[i].tid == tid)
			return &tf.recs[i];
	if (tf.n == tf.cap) {
		size_t cap = tf.cap ? tf.cap * 2 : 64;
		struct thread_rec *r = realloc(tf.recs, cap * sizeof(*r));

		if (!r)
			return NULL;
		tf.recs = r;
		tf.cap = cap;
	}
	tf.recs[tf.n] = (struct thread_rec){ .tid = tid };
	return &tf.recs[tf.n++];
}

/* Caller holds tf.lock. Forget threads ended more than grace ago; write the rest to a new file. */
static void threads__rewrite_locked(void)
{
	char tmp[sizeof(tf.path) + 8], line[THREAD_NAME_MAX + 32];
	uint32_t now = threads__now();
	struct strbuf sb = { 0 };
	size_t kept = 0;
	int fd;

	for (size_t i = 0; i < tf.n; i++) {
		struct thread_rec *r = &tf.recs[i];

		if (r->ended && now - r->ended > tf.grace) {
			free(r->name);
			continue;
		}
		tf.recs[kept++] = *r;
		if (r->name)
			strbuf__add(&sb, line, threads__line(line, sizeof(line), r->tid, r->name));
	}
	tf.n = kept;
	snprintf(tmp, sizeof(tmp), "%s.tmp", tf.path);
	unlink(tmp); /* ours, left by a JVM with this pid that died rewriting; or nothing */
	fd = sb.failed ? -1
		       : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC,
			      0644);
	if (fd >= 0 && agent_file__write(fd, sb.buf ? sb.buf : "", sb.len) &&
	    !rename(tmp, tf.path)) {
		close(tf.fd);
		tf.fd = fd;
		tf.size = tf.last_size = sb.len;
	} else {
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		tf.last_size = tf.size; /* try again once it doubled */
	}
	strbuf__free(&sb);
}

int threads__open(const struct agent_opts *opts, int pid, char *err, size_t err_len)
{
	/* Every thread alive is written again (threads__start), so what an older file says goes. */
	int fd;

	pthread_mutex_lock(&tf.lock);
	fd = agent_file__create(tf.path, sizeof(tf.path), opts->dir, pid, "threads",
				"threads keep their 15-character names", err, err_len);
	if (fd < 0) {
		pthread_mutex_unlock(&tf.lock);
		return fd;
	}
	if (tf.fd >= 0)
		close(tf.fd);
	tf.fd = fd;
	tf.grace = opts->grace;
	tf.size = tf.last_size = 0;
	for (size_t i = 0; i < tf.n; i++)
		free(tf.recs[i].name);
	tf.n = 0;
	pthread_mutex_unlock(&tf.lock);
	return 0;
}

void threads__start(int tid, const char *name)
{
	char line[THREAD_NAME_MAX + 32], *copy;
	size_t len = threads__line(line, sizeof(line), tid, name);
	struct thread_rec *r;

	if (!len)
		return;
	copy = strndup(name, THREAD_NAME_MAX);
	pthread_mutex_lock(&tf.lock);
	r = tf.fd >= 0 && copy ? threads__rec_locked(tid) : NULL;
	if (r) {
		free(r->name);
		r->name = copy;
		r->ended = 0;
		copy = NULL;
	}
	if (tf.fd >= 0 && !agent_file__write(tf.fd, line, len)) {
		/* Quietly: the map, in the same directory, says it once (a full disk, ...). */
		close(tf.fd);
		tf.fd = -1;
	}
	tf.size += len;
	if (tf.fd >= 0 && tf.size > THREADS_FLOOR && tf.size > 2 * tf.last_size)
		threads__rewrite_locked();
	pthread_mutex_unlock(&tf.lock);
	free(copy);
}

void threads__end(int tid)
{
	pthread_mutex_lock(&tf.lock);
	for (size_t i = 0; i < tf.n; i++)
		if (tf.recs[i].tid == tid)
			tf.recs[i].ended = threads__now();
	pthread_mutex_unlock(&tf.lock);
}

const char *threads__path(void)
{
	return tf.path;
}
