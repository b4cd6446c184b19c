// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/source_tracepoint.c - a kernel tracepoint drives the sampling program (see
 * collect/source.h): one sample per hit, each weighing 1.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cpu.skel.h"
#include "collect/source.h"

static const char *tracepoint_unit(const struct event_spec *ev)
{
	return "count";
}

static int tracepoint_configure(struct source *src, struct cpu_bpf *skel,
				const struct event_spec *ev)
{
	src->prog = skel->progs.on_tracepoint;
	return 0;
}

static int tracepoint_start(struct source *src, const struct event_spec *ev,
			    const struct sample_rate *rate)
{
	int err = source__keep_link(
		src, bpf_program__attach_tracepoint(src->prog, ev->category, ev->func));

	if (err)
		fprintf(stderr, "bpfprof: cannot attach to tracepoint %s:%s: %s\n", ev->category,
			ev->func, strerror(-err));
	return err;
}

const struct source_ops source_tracepoint = {
	.name = "tracepoint",
	.unit = tracepoint_unit,
	.configure = tracepoint_configure,
	.start = tracepoint_start,
	.stop = source__release,
};
