// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/flamegraph_html.c - write the interactive HTML flame graph: the page template
 * (user/flamegraph.html, built in as flamegraph_html[]) with the profile embedded as JSON.
 *
 * The page must open from a mail attachment or a CI artifact with no network, and stay fast
 * with 100k+ unique stacks, so the data is compact: a table of frame names and kinds, and the
 * sorted stacks, each as the number of frames it shares with the previous stack plus the ids
 * that follow. Sorted stacks share long prefixes, which keeps the page small and lets the page
 * build the merged tree in a single pass. In diff mode the stacks carry both counts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emit/emitters.h"
#include "flamegraph.html.h"
#include "emit/json.h"
#include "lib/units.h"

static void frames__write(const struct profile *p, FILE *out)
{
	fputs("\"names\":[", out);
	for (size_t i = 0; i < p->nframes; i++) {
		if (i)
			fputc(',', out);
		json__string(out, p->frames[i].name);
	}
	fputs("],\n\"kinds\":[", out);
	for (size_t i = 0; i < p->nframes; i++)
		fprintf(out, i ? ",%d" : "%d", p->frames[i].kind);
	fputs("],\n", out);
}

static uint32_t shared_prefix(const struct pf_stack *a, const struct pf_stack *b)
{
	uint32_t n = 0;

	while (n < a->depth && n < b->depth && a->ids[n] == b->ids[n])
		n++;
	return n;
}

static void stacks__write(const struct profile *p, const size_t *order, bool diff, FILE *out)
{
	const struct pf_stack *prev = NULL;

	fputs("\"stacks\":[", out);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pf_stack *s = &p->stacks[order[i]];
		uint32_t shared = prev ? shared_prefix(prev, s) : 0;

		fprintf(out, i ? ",\n[%u" : "\n[%u", shared);
		for (uint32_t d = shared; d < s->depth; d++)
			fprintf(out, ",%u", s->ids[d]);
		fputc(']', out);
		prev = s;
	}
	fputs("],\n\"counts\":[", out);
	for (size_t i = 0; i < p->nstacks; i++)
		fprintf(out, i ? ",%" PRIu64 : "%" PRIu64, p->stacks[order[i]].values[0]);
	fputs("]", out);
	if (diff) {
		fputs(",\n\"counts2\":[", out);
		for (size_t i = 0; i < p->nstacks; i++)
			fprintf(out, i ? ",%" PRIu64 : "%" PRIu64, p->stacks[order[i]].values[1]);
		fputs("]", out);
	}
}

/* Titles for the modes' profiles, by column 0's type (collect/mode.h). */
static const char *const mode_titles[][2] = {
	{ "off_cpu", "Off-CPU time flame graph" },
	{ "wall", "Wall-clock time flame graph" },
	{ "delay", "Lock contention flame graph" },
	{ "alloc_space", "Allocation flame graph" },
};

static const char *title__get(const struct profile *p, const struct emit_opts *opts, bool diff,
			      char *buf, size_t len)
{
	if (opts->title && opts->title[0])
		return opts->title;
	if (p->meta.title[0])
		return p->meta.title;
	if (diff)
		return "Differential flame graph";
	if (!strcmp(p->meta.event, "cpu"))
		return "CPU flame graph";
	for (size_t i = 0; i < sizeof(mode_titles) / sizeof(mode_titles[0]); i++)
		if (!strcmp(p->types[0].type, mode_titles[i][0]))
			return mode_titles[i][1];
	snprintf(buf, len, "%s flame graph", p->meta.event);
	return buf;
}

/* "1234 samples", or in the profile's unit: "45.6 ms", "3.40 MiB". */
static const char *amount(const struct profile *p, uint64_t v, char *buf, size_t len)
{
	if (!strcmp(p->types[0].unit, "count"))
		snprintf(buf, len, "%" PRIu64 " samples", v);
	else
		units__format(v, p->types[0].unit, buf, len);
	return buf;
}

static void subtitle__format(const struct profile *p, bool diff, char *buf, size_t len)
{
	const struct profile_meta *m = &p->meta;
	size_t n = 0;
	char when[64];

	char a[32], b[32];

	if (diff) {
		snprintf(buf, len,
			 "BASE %s, NEW %s; width = NEW, red = share grew, blue = share shrank",
			 amount(p, p->totals[0], a, sizeof(a)),
			 amount(p, p->totals[1], b, sizeof(b)));
		return;
	}
	n += snprintf(buf + n, len - n, "event %s, %s", m->event,
		      amount(p, p->totals[0], a, sizeof(a)));
	if (m->duration_s > 0 && n < len)
		n += snprintf(buf + n, len - n, ", %.2f s", m->duration_s);
	if (m->host[0] && n < len)
		n += snprintf(buf + n, len - n, ", host %s", m->host);
	if (m->start_ns && n < len) {
		time_t t = m->start_ns / 1000000000ULL;
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm));
		snprintf(buf + n, len - n, ", started %s", when);
	}
}

static void data__write(const struct profile *p, const struct emit_opts *opts, bool diff,
			const char *title, const size_t *order, FILE *out)
{
	char subtitle[768];

	subtitle__format(p, diff, subtitle, sizeof(subtitle));
	fputs("{\"title\":", out);
	json__string(out, title);
	fputs(",\n\"subtitle\":", out);
	json__string(out, subtitle);
	fprintf(out,
		",\n\"diff\":%s,\"minwidth\":%g,\"total\":%" PRIu64 ",\"total2\":%" PRIu64 ",\n",
		diff ? "true" : "false", opts->minwidth, p->totals[0], p->totals[1]);
	fputs("\"unit\":", out);
	json__string(out, p->types[0].unit);
	fputs(",\n", out);
	frames__write(p, out);
	stacks__write(p, order, diff, out);
	fputs("}", out);
}

/* Write the template from *pos up to marker; *pos moves past the marker. */
static int template__copy_to(const char *marker, size_t *pos, FILE *out)
{
	const char *t = (const char *)flamegraph_html, *end = t + flamegraph_html_len;
	const char *m = memmem(t + *pos, end - (t + *pos), marker, strlen(marker));

	if (!m)
		m = end;
	fwrite(t + *pos, 1, m - (t + *pos), out);
	*pos = m == end ? flamegraph_html_len : (size_t)(m - t) + strlen(marker);
	return m == end ? -EINVAL : 0;
}

int flamegraph_html__write(const struct profile *p, FILE *out, const struct emit_opts *opts,
			   bool diff)
{
	size_t *order = profile__sorted(p), pos = 0;
	char buf[320];
	const char *title = title__get(p, opts, diff, buf, sizeof(buf));
	int err = 0;

	if (!order)
		return -ENOMEM;
	if (template__copy_to("@TITLE@", &pos, out))
		err = -EINVAL;
	html__text(out, title);
	if (template__copy_to("@DATA@", &pos, out))
		err = -EINVAL;
	data__write(p, opts, diff, title, order, out);
	fwrite(flamegraph_html + pos, 1, flamegraph_html_len - pos, out);
	free(order);
	fflush(out);
	return err ? err : ferror(out) ? -EIO : 0;
}
