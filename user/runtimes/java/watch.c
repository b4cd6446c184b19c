// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/watch.c - the JVM attach worker of host-wide recordings (see runtimes/java/watch.h).
 *
 * A mutex-guarded FIFO of pids feeds one thread; `offered` remembers every pid queued (until its
 * process exits) so a busy process is not re-checked at each new event. A process younger than
 * two seconds is looked at when it reaches that age, if it still lives, by the callback the Java
 * runtime gave (detect, then prepare).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "runtimes/java/watch.h"
#include "lib/procfs.h"
#include "lib/u64map.h"

#define JVM_MIN_AGE_S 2.0 /* a process is looked at once it has lived this long */

struct java_watch {
	java_watch_fn look;
	void *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pid_t *queue; /* FIFO: queue[head..tail) */
	size_t head, tail, cap;
	struct u64map *offered;
	bool stopping, started;
};

/*
 * Wait until pid is JVM_MIN_AGE_S old. False when it is gone by then, or we are stopping. A
 * process met at its first sample may not have mapped libjvm.so yet; a JVM still starting may
 * refuse the agent; most JVMs that young are java -version and the like, over before an attach
 * could finish. Waiting costs no names: the agent writes out the code compiled before it came.
 * Pids come in the order their processes were met, so the worker trails them by that age.
 */
static bool java_watch__await_age(struct java_watch *w, pid_t pid)
{
	unsigned long long hz = procfs__ticks(1000000000ULL), now_ticks;
	struct procfs_stat st;
	struct timespec now, until;
	double wait_s;
	bool stopping = false;

	if (procfs__stat(pid, &st) || !hz)
		return false;
	clock_gettime(CLOCK_BOOTTIME, &now);
	now_ticks = procfs__ticks(now.tv_sec * 1000000000ULL + now.tv_nsec);
	wait_s = JVM_MIN_AGE_S - (double)(now_ticks - st.start) / hz;
	if (wait_s > 0) {
		clock_gettime(CLOCK_REALTIME, &until); /* the condition variable's clock */
		until.tv_sec += (time_t)wait_s;
		until.tv_nsec += (long)((wait_s - (time_t)wait_s) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&w->lock);
		while (!w->stopping &&
		       pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
			;
		stopping = w->stopping;
		pthread_mutex_unlock(&w->lock);
	}
	return !stopping && procfs__alive(pid);
}

static void java_watch__look(struct java_watch *w, pid_t pid)
{
	if (java_watch__await_age(w, pid))
		w->look(w->ctx, pid);
}

static void *java_watch__run(void *arg)
{
	struct java_watch *w = arg;
	pid_t pid;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && w->head == w->tail)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping)
			break;
		pid = w->queue[w->head++];
		pthread_mutex_unlock(&w->lock);
		java_watch__look(w, pid);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct java_watch *java_watch__start(java_watch_fn look, void *ctx)
{
	struct java_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->look = look;
	w->ctx = ctx;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	w->offered = u64map__new();
	if (!w->offered || pthread_create(&w->thread, NULL, java_watch__run, w)) {
		java_watch__free(w);
		return NULL;
	}
	w->started = true;
	return w;
}

static int java_watch__push(struct java_watch *w, pid_t pid)
{
	if (w->tail == w->cap) {
		size_t live = w->tail - w->head, cap = live * 2 + 16;
		pid_t *q = malloc(cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < live; i++)
			q[i] = w->queue[w->head + i];
		free(w->queue);
		w->queue = q;
		w->head = 0;
		w->tail = live;
		w->cap = cap;
	}
	w->queue[w->tail++] = pid;
	return 0;
}

void java_watch__offer(struct java_watch *w, pid_t pid)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	if (!u64map__get(w->offered, pid) && !u64map__set(w->offered, pid, w) &&
	    !java_watch__push(w, pid))
		pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void java_watch__forget(struct java_watch *w, pid_t pid)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	u64map__del(w->offered, pid); /* not kept: over days, pids cycle through millions */
	pthread_mutex_unlock(&w->lock);
}

void java_watch__stop(struct java_watch *w)
{
	if (!w || !w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void java_watch__free(struct java_watch *w)
{
	if (!w)
		return;
	java_watch__stop(w);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	u64map__free(w->offered);
	free(w->queue);
	free(w);
}
