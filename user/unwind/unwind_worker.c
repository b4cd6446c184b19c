// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * unwind/unwind_worker.c - the unwinder's thread (see unwind_worker.h).
 *
 * The thread polls its ring buffer with a short timeout, so that stopping needs no wake-up
 * channel, and handles each notice in libbpf's callback under the lock stats take (they read the
 * tables between notices, never half-built). The unwinder is deferred: a notice only publishes
 * what is built and queues the rest, and between polls the thread builds one queued table at a
 * time, so a notice waits for one table at most, never for another process's thirty.
 *
 * A process just exec'd has only its executable and ld.so mapped; the libraries come next. The
 * BPF walk asks for a refresh when it meets one (BP_EVENT_MAPS), but the walk that asks has lost
 * its frames, and an off-CPU block is walked once, at its start: a JVM launcher that blocks in
 * pthread_join for the JVM's whole life would keep a one-frame stack. So the mappings of an
 * exec'd process are read again on a schedule, UNWIND_WORKER_RECHECK_MS after the notice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "bpf/abi/sample.h"
#include "bpf/abi/unwind.h"
#include "lib/array.h"
#include "lib/log.h"
#include "lib/util.h"
#include "unwind/unwind_worker.h"

#define UNWIND_WORKER_POLL_MS 50 /* how late a stop is seen */
static const int recheck_ms[] = { 2, 10, 30, 100, 300 };

struct recheck {
	pid_t pid;
	double due; /* monotonic s */
};

struct unwind_worker {
	struct unwinder *u;
	struct ring_buffer *rb;
	pthread_t thread;
	pthread_mutex_t lock; /* the unwinder */
	atomic_bool stopping;
	struct recheck *rechecks; /* the worker thread's own: unordered */
	size_t nrechecks, cap_rechecks;
};

static void unwind_worker__schedule(struct unwind_worker *w, pid_t pid)
{
	double now = mono_s();

	for (size_t i = 0; i < sizeof(recheck_ms) / sizeof(recheck_ms[0]); i++) {
		if (array__grow((void **)&w->rechecks, &w->cap_rechecks, w->nrechecks,
				sizeof(*w->rechecks)))
			return;
		w->rechecks[w->nrechecks++] = (struct recheck){ pid, now + recheck_ms[i] / 1e3 };
	}
}

/* Read again the mappings of processes due; the ms until the next one is (at most max_ms). */
static int unwind_worker__recheck(struct unwind_worker *w, int max_ms)
{
	double now = mono_s(), next = now + max_ms / 1e3;
	size_t i = 0;

	while (i < w->nrechecks) {
		struct recheck *r = &w->rechecks[i];

		if (r->due > now) {
			if (r->due < next)
				next = r->due;
			i++;
			continue;
		}
		pthread_mutex_lock(&w->lock);
		unwinder__add_process(w->u, r->pid, false); /* gone meanwhile: -ESRCH */
		pthread_mutex_unlock(&w->lock);
		*r = w->rechecks[--w->nrechecks];
	}
	return (int)((next - now) * 1e3) + 1;
}

static int unwind_worker__notice(void *ctx, void *data, size_t size)
{
	struct unwind_worker *w = ctx;
	const struct unwind_event *e = data;
	int err = 0;

	if (size < sizeof(*e))
		return 0;
	pthread_mutex_lock(&w->lock);
	if (e->type == BP_EVENT_EXIT)
		unwinder__remove_process(w->u, e->pid);
	else
		err = unwinder__add_process(w->u, e->pid, e->type == BP_EVENT_MAPS);
	pthread_mutex_unlock(&w->lock);
	if (e->type == BP_EVENT_EXEC || e->type == BP_EVENT_NEW)
		unwind_worker__schedule(w, e->pid);
	if (err && err != -ESRCH && err != -ENOENT)
		pr_debug("unwind: no tables for pid %u: %s", e->pid, strerror(-err));
	return 0;
}

static void *unwind_worker__main(void *arg)
{
	struct unwind_worker *w = arg;

	size_t pending = 0;
	int wait_ms;

	while (!atomic_load(&w->stopping)) {
		wait_ms = unwind_worker__recheck(w, UNWIND_WORKER_POLL_MS);
		ring_buffer__poll(w->rb, pending ? 0 : wait_ms);
		pthread_mutex_lock(&w->lock);
		pending = unwinder__build_next(w->u);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

struct unwind_worker *unwind_worker__new(struct unwinder *u, int events_fd)
{
	struct unwind_worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w) {
		unwinder__free(u);
		return NULL;
	}
	w->u = u;
	unwinder__set_deferred(u, true);
	pthread_mutex_init(&w->lock, NULL);
	w->rb = ring_buffer__new(events_fd, unwind_worker__notice, w, NULL);
	if (!w->rb) {
		err = errno;
		goto err_free;
	}
	err = pthread_create(&w->thread, NULL, unwind_worker__main, w);
	if (!err)
		return w;
	ring_buffer__free(w->rb);
err_free:
	pthread_mutex_destroy(&w->lock);
	unwinder__free(u);
	free(w);
	errno = err;
	return NULL;
}

void unwind_worker__stats(struct unwind_worker *w, struct unwinder_stats *st)
{
	pthread_mutex_lock(&w->lock);
	unwinder__stats(w->u, st);
	pthread_mutex_unlock(&w->lock);
}

void unwind_worker__free(struct unwind_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, true);
	pthread_join(w->thread, NULL);
	ring_buffer__free(w->rb);
	pthread_mutex_destroy(&w->lock);
	unwinder__free(w->u);
	free(w->rechecks);
	free(w);
}
