// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/interp_watch.c - processes whose interpreter range is still to be found (see
 * interp_watch.h): a small array, scanned at each poll; most entries leave it within a second
 * (found, or a process without a JIT, which the symbolizer answers without reading anything).
 */
#include <errno.h>
#include <stdlib.h>

#include "collect/interp_watch.h"
#include "collect/sampler.h"
#include "lib/array.h"
#include "lib/log.h"
#include "symbolize/symbolizer.h"

struct watched {
	pid_t pid;
	double first, next; /* first sight, next question */
};

struct interp_watch {
	struct symbolizer *sym;
	struct sampler *smp;
	struct watched *w;
	size_t n, cap;
	bool off; /* the walk is not ours (--unwind fp): nothing to publish */
};

struct interp_watch *interp_watch__new(struct symbolizer *sym, struct sampler *smp, bool on)
{
	struct interp_watch *w = calloc(1, sizeof(*w));

	if (w) {
		w->sym = sym;
		w->smp = smp;
		w->off = !on;
	}
	return w;
}

static void interp_watch__drop(struct interp_watch *w, size_t i)
{
	w->w[i] = w->w[--w->n];
}

void interp_watch__exit(struct interp_watch *w, pid_t pid)
{
	for (size_t i = 0; w && i < w->n; i++)
		if (w->w[i].pid == pid) {
			interp_watch__drop(w, i);
			return;
		}
}

/* Ask about one process; true when it is done with (published, gone, or given up). */
static bool interp_watch__ask(struct interp_watch *w, struct watched *p, double now)
{
	uint64_t start, end;
	int err = symbolizer__interpreter(w->sym, p->pid, true, &start, &end);

	if (!err) {
		err = sampler__hotspot_interp(w->smp, p->pid, start, end);
		w->off = err == -ENOENT;
		pr_debug("hotspot: pid %d: interpreter at %#llx-%#llx, %.2f s after first sight%s",
			 (int)p->pid, (unsigned long long)start, (unsigned long long)end,
			 now - p->first, err ? ": not published" : "");
		return true;
	}
	p->next = now + ((now - p->first) / 4 > INTERP_WATCH_EVERY ? (now - p->first) / 4
								   : INTERP_WATCH_EVERY);
	return err != -ENOENT || now - p->first > INTERP_WATCH_FOR;
}

void interp_watch__seen(struct interp_watch *w, pid_t pid, double now)
{
	if (!w || w->off)
		return;
	interp_watch__exit(w, pid); /* an exec: start again */
	if (array__grow((void **)&w->w, &w->cap, w->n, sizeof(*w->w)))
		return; /* no memory: its interpreted frames stay "Interpreter" */
	w->w[w->n] = (struct watched){ pid, now, now };
	/* At once: a JVM met late (record -p) is told of before its unwind tables are built. */
	if (!interp_watch__ask(w, &w->w[w->n], now))
		w->n++;
}

void interp_watch__run(struct interp_watch *w, double now)
{
	size_t i = 0;

	while (w && i < w->n) {
		if (w->off || (w->w[i].next <= now && interp_watch__ask(w, &w->w[i], now)))
			interp_watch__drop(w, i);
		else
			i++;
	}
}

double interp_watch__next_due(const struct interp_watch *w)
{
	double due = 0;

	for (size_t i = 0; w && !w->off && i < w->n; i++)
		if (!due || w->w[i].next < due)
			due = w->w[i].next;
	return due;
}

void interp_watch__free(struct interp_watch *w)
{
	if (!w)
		return;
	free(w->w);
	free(w);
}
