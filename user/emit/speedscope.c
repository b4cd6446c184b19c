// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/speedscope.c - write speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json).
 *
 * One "sampled" profile: shared.frames holds every frame once, each unique stack is one sample
 * (frame indexes, root first) with one weight. speedscope takes one weight per sample, so of the
 * profile's columns this writes the first time column (unit "nanoseconds", e.g. {"cpu",
 * "nanoseconds"} next to {"samples","count"}): a measured time is what speedscope's time axis
 * means, and it shows it as ms. Else the first "bytes" column (-e alloc), which speedscope shows
 * as KB/MB. Without either it writes column 0, the sample counts the folded output has, with
 * unit "none"; the period is in the profile name for the reader.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emitters.h"
#include "emit/json.h"

#ifndef BPFPROF_VERSION
#define BPFPROF_VERSION "dev"
#endif

static void frames__write(const struct profile *p, FILE *out)
{
	fputs("\"shared\":{\"frames\":[", out);
	for (size_t i = 0; i < p->nframes; i++) {
		const struct pf_frame *f = &p->frames[i];

		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", out);
		json__string(out, f->name);
		if (f->module) {
			fputs(",\"file\":", out);
			json__string(out, f->module);
		}
		fputc('}', out);
	}
	fputs("]},\n", out);
}

/* The column speedscope weighs samples by (see the top of the file). */
static int weight__column(const struct profile *p)
{
	for (int c = 0; c < p->nvalues; c++)
		if (!strcmp(p->types[c].unit, "nanoseconds"))
			return c;
	for (int c = 0; c < p->nvalues; c++)
		if (!strcmp(p->types[c].unit, "bytes")) /* -e alloc */
			return c;
	return 0;
}

/* speedscope's name for the column's unit: nanoseconds and bytes it knows, the rest is "none". */
static const char *weight__unit(const struct profile *p, int col)
{
	const char *u = p->types[col].unit;

	return !strcmp(u, "nanoseconds") || !strcmp(u, "bytes") ? u : "none";
}

static void samples__write(const struct profile *p, const size_t *order, int col, FILE *out)
{
	fputs("\"samples\":[", out);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pf_stack *s = &p->stacks[order[i]];

		fputs(i ? ",\n[" : "\n[", out);
		for (uint32_t d = 0; d < s->depth; d++)
			fprintf(out, d ? ",%u" : "%u", s->ids[d]);
		fputc(']', out);
	}
	fputs("],\n\"weights\":[", out);
	for (size_t i = 0; i < p->nstacks; i++)
		fprintf(out, i ? ",%" PRIu64 : "%" PRIu64, p->stacks[order[i]].values[col]);
	fputs("]", out);
}

static void name__write(const struct profile *p, const struct emit_opts *opts, FILE *out)
{
	const char *title = opts->title ? opts->title : p->meta.title;
	char name[512];

	if (!title[0]) {
		snprintf(name, sizeof(name), "%s %s (%s%s)", p->meta.event,
			 strcmp(p->types[0].unit, "count") ? p->types[0].type : "samples",
			 p->meta.host[0] ? "host " : "", p->meta.host);
		title = name;
	}
	json__string(out, title);
}

int speedscope__write(const struct profile *p, FILE *out, const struct emit_opts *opts)
{
	size_t *order = profile__sorted(p);
	int col = weight__column(p);

	if (!order)
		return -ENOMEM;
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n", out);
	fputs("\"exporter\":\"bpfprof " BPFPROF_VERSION "\",\n\"name\":", out);
	name__write(p, opts, out);
	fputs(",\n\"activeProfileIndex\":0,\n", out);
	frames__write(p, out);
	fputs("\"profiles\":[{\"type\":\"sampled\",\"name\":", out);
	name__write(p, opts, out);
	fprintf(out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64 ",\n",
		weight__unit(p, col), p->totals[col]);
	samples__write(p, order, col, out);
	fputs("}]}\n", out);
	free(order);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
