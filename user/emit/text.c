// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/text.c - a plain-text summary for a terminal or a bug report, in the spirit of
 * async-profiler's flat and traces output: a header, the top functions by self samples (where
 * the CPU was) and by total samples (what was on the stack), then the hottest stacks, leaf first.
 *
 * A function is a frame of the model (name, kind, module). Total counts a stack once per
 * function even when recursion puts the function on it several times.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emitters.h"
#include "lib/units.h"
#include "lib/util.h"

#define TEXT_TOP_DEFAULT EMIT_TEXT_TOP

struct text_sums {
	const struct profile *p;
	uint64_t *self;	 /* per frame id */
	uint64_t *total; /* per frame id, each stack counted once */
};

static int text_sums__fill(struct text_sums *t)
{
	const struct profile *p = t->p;
	size_t *seen = malloc((p->nframes + 1) * sizeof(*seen));

	t->self = calloc(p->nframes + 1, sizeof(*t->self));
	t->total = calloc(p->nframes + 1, sizeof(*t->total));
	if (!seen || !t->self || !t->total) {
		free(seen);
		return -ENOMEM;
	}
	memset(seen, 0xff, (p->nframes + 1) * sizeof(*seen));
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pf_stack *s = &p->stacks[i];

		if (!s->depth)
			continue;
		t->self[s->ids[s->depth - 1]] += s->values[0];
		for (uint32_t d = 0; d < s->depth; d++) {
			if (seen[s->ids[d]] == i)
				continue;
			seen[s->ids[d]] = i;
			t->total[s->ids[d]] += s->values[0];
		}
	}
	free(seen);
	return 0;
}

static int by_value_r(const void *a, const void *b, void *values)
{
	const uint64_t *v = values;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (v[x] != v[y])
		return v[x] < v[y] ? 1 : -1;
	return (x > y) - (x < y);
}

/* A value of column 0, in its unit ("45.6 ms", "3.40 MiB", or the count), right-aligned. */
static void value__print(const struct profile *p, uint64_t v, FILE *out)
{
	char buf[32];

	fprintf(out, "%12s", units__format(v, p->types[0].unit, buf, sizeof(buf)));
}

static void frame__print(const struct pf_frame *f, FILE *out)
{
	fprintf(out, "%s%s", f->name, frame_kind__suffix(f->kind));
	if (f->module && f->kind != FRAME_KERNEL)
		fprintf(out, " (%s)", f->module);
	fputc('\n', out);
}

/* The top rows of frame ids sorted by values[], skipping zeros. */
static int table__print(const struct text_sums *t, const uint64_t *values, const char *what,
			int top, FILE *out)
{
	const struct profile *p = t->p;
	uint32_t *ids = malloc((p->nframes + 1) * sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->nframes; i++)
		ids[i] = i;
	qsort_r(ids, p->nframes, sizeof(*ids), by_value_r, (void *)values);
	fprintf(out, "\n--- top %d functions by %s %s\n", top, what,
		units__quantity(p->types[0].unit));
	fprintf(out, "%12s %8s  %s\n", units__quantity(p->types[0].unit), "percent", "function");
	for (size_t i = 0; i < p->nframes && i < (size_t)top && values[ids[i]]; i++) {
		value__print(p, values[ids[i]], out);
		fprintf(out, " %7.2f%%  ", pct(values[ids[i]], p->totals[0]));
		frame__print(&p->frames[ids[i]], out);
	}
	free(ids);
	return 0;
}

static int stack_by_count_r(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	const struct pf_stack *x = &p->stacks[*(const size_t *)a],
			      *y = &p->stacks[*(const size_t *)b];

	if (x->values[0] != y->values[0])
		return x->values[0] < y->values[0] ? 1 : -1;
	return (*(const size_t *)a > *(const size_t *)b) -
	       (*(const size_t *)a < *(const size_t *)b);
}

static int stacks__print(const struct profile *p, int top, FILE *out)
{
	size_t *order = malloc((p->nstacks + 1) * sizeof(*order));

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < p->nstacks; i++)
		order[i] = i;
	qsort_r(order, p->nstacks, sizeof(*order), stack_by_count_r, (void *)p);
	fprintf(out, "\n--- top %d stacks, leaf first\n", top);
	for (size_t i = 0; i < p->nstacks && i < (size_t)top && p->stacks[order[i]].values[0];
	     i++) {
		const struct pf_stack *s = &p->stacks[order[i]];

		fputc('\n', out);
		value__print(p, s->values[0], out);
		fprintf(out, " %7.2f%%  stack %zu\n", pct(s->values[0], p->totals[0]), i + 1);
		for (uint32_t d = s->depth; d-- > 0;) {
			fprintf(out, "  [%2u] ", s->depth - 1 - d);
			frame__print(&p->frames[s->ids[d]], out);
		}
	}
	free(order);
	return 0;
}

static void header__print(const struct profile *p, const struct emit_opts *opts, FILE *out)
{
	const struct profile_meta *m = &p->meta;
	const char *title = opts->title ? opts->title : m->title;

	if (title[0])
		fprintf(out, "%s\n", title);
	char total[32];

	if (strcmp(p->types[0].unit, "count"))
		fprintf(out, "event: %s, %s: %s", m->event, p->types[0].type,
			units__format(p->totals[0], p->types[0].unit, total, sizeof(total)));
	else
		fprintf(out, "event: %s, samples: %" PRIu64, m->event, p->totals[0]);
	if (m->duration_s > 0)
		fprintf(out, ", duration: %.2f s", m->duration_s);
	if (m->period)
		fprintf(out, ", period: %" PRIu64 " %s", m->period, m->unit);
	if (m->host[0])
		fprintf(out, ", host: %s", m->host);
	fprintf(out, "\nunique stacks: %zu, functions: %zu\n", p->nstacks, p->nframes);
}

int text__write(const struct profile *p, FILE *out, const struct emit_opts *opts)
{
	struct text_sums t = { .p = p };
	int top = opts->top > 0 ? opts->top : TEXT_TOP_DEFAULT;
	int err;

	err = text_sums__fill(&t);
	if (err)
		goto out_free;
	header__print(p, opts, out);
	err = table__print(&t, t.self, "self", top, out);
	if (!err)
		err = table__print(&t, t.total, "total", top, out);
	if (!err)
		err = stacks__print(p, top, out);
	fflush(out);
	if (!err && ferror(out))
		err = -EIO;
out_free:
	free(t.self);
	free(t.total);
	return err;
}
