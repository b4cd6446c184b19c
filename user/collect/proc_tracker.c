// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/proc_tracker.c - process events into symbolizer snapshots and a refresh schedule. A
 * process is first seen at exec or at its first sample, sometimes before ld.so has mapped its
 * libraries: then its mappings are read again after each of refresh_delays. One met past its
 * start-up is read again once, 2 s on, for a runtime's code and libraries (a JVM's libjvm.so and
 * code cache): most processes of a busy host live less, and cost one read. A JIT runtime's perf map is
 * read a last time when it exits (the symbolizer holds its root for that).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "collect/proc_tracker.h"
#include "lib/util.h"
#include "runtimes/runtimes.h"
#include "symbolize/symbolizer.h"

/* Seconds after the first sight of a process at which its mappings are read again. */
static const double refresh_delays[] = { 0.05, 0.3, 2.0 };

struct refresh {
	pid_t pid;
	int step;
	double due;
};

struct proc_tracker {
	struct symbolizer *sym;
	struct runtimes *runtimes;
	struct refresh *refresh; /* processes whose mappings are read again soon */
	size_t nrefresh;
	uint64_t new_processes;
	int fd_err;	  /* first out-of-descriptors error, until taken */
	bool fd_reported; /* taken once: later ones are not news */
};

struct proc_tracker *proc_tracker__new(struct symbolizer *sym, struct runtimes *rt)
{
	struct proc_tracker *t = calloc(1, sizeof(*t));

	if (t) {
		t->sym = sym;
		t->runtimes = rt;
	}
	return t;
}

static void refresh__schedule(struct proc_tracker *t, pid_t pid, double now, int step)
{
	struct refresh next = { pid, step, now + refresh_delays[step] }, *q;

	for (size_t i = 0; i < t->nrefresh; i++) {
		if (t->refresh[i].pid == pid) { /* an exec, or a new process under pid */
			t->refresh[i] = next;
			return;
		}
	}
	q = realloc(t->refresh, (t->nrefresh + 1) * sizeof(*q));
	if (!q)
		return;
	t->refresh = q;
	q[t->nrefresh++] = next;
}

/* When to read q's process again, if ever. */
static bool refresh__next(struct refresh *q, double now)
{
	if (++q->step >= (int)ARRAY_LEN(refresh_delays))
		return false;
	q->due = now + refresh_delays[q->step];
	return true;
}

void proc_tracker__refresh(struct proc_tracker *t, double now)
{
	size_t i = 0;

	while (i < t->nrefresh) {
		struct refresh *q = &t->refresh[i];

		if (q->due > now) {
			i++;
			continue;
		}
		if (symbolizer__refresh_process(t->sym, q->pid) == 0 && refresh__next(q, now)) {
			i++;
			continue;
		}
		*q = t->refresh[--t->nrefresh]; /* done, or the process is gone */
	}
}

void proc_tracker__seen(struct proc_tracker *t, pid_t pid, pid_t nspid, const char *comm,
			unsigned long long start, bool is_new, double now)
{
	int err = symbolizer__add_process(t->sym, pid, nspid, comm, start);

	if (!err) /* met at its exec, or in ld.so's start-up: read it again soon */
		refresh__schedule(t, pid, now,
				  is_new && symbolizer__settled(t->sym, pid)
					  ? (int)ARRAY_LEN(refresh_delays) - 1
					  : 0);
	else if ((err == -EMFILE || err == -ENFILE) && !t->fd_err && !t->fd_reported)
		t->fd_err = err;
	if (is_new)
		t->new_processes++;
	runtimes__offer(t->runtimes, pid);
}

void proc_tracker__exit(struct proc_tracker *t, pid_t pid, unsigned long long start)
{
	symbolizer__exit_process(t->sym, pid, start);
	runtimes__forget(t->runtimes, pid);
}

size_t proc_tracker__pending(const struct proc_tracker *t)
{
	return t->nrefresh;
}

double proc_tracker__next_due(const struct proc_tracker *t)
{
	double due = 0;

	for (size_t i = 0; i < t->nrefresh; i++) {
		if (!due || t->refresh[i].due < due)
			due = t->refresh[i].due;
	}
	return due;
}

uint64_t proc_tracker__new_processes(const struct proc_tracker *t)
{
	return t->new_processes;
}

int proc_tracker__fd_error(struct proc_tracker *t)
{
	int err = t->fd_err;

	if (err)
		t->fd_reported = true;
	t->fd_err = 0;
	return err;
}

void proc_tracker__free(struct proc_tracker *t)
{
	if (!t)
		return;
	free(t->refresh);
	free(t);
}
