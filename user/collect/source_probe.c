// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/source_probe.c - a kprobe on a kernel function or a uprobe on a symbol of a binary
 * drives the sampling program (see collect/source.h): one sample per hit, each weighing 1.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cpu.skel.h"
#include "collect/source.h"

static const char *probe_unit(const struct event_spec *ev)
{
	return "count";
}

static int probe_configure(struct source *src, struct cpu_bpf *skel, const struct event_spec *ev)
{
	src->prog = skel->progs.on_probe;
	return 0;
}

static void probe_explain(const struct event_spec *ev, int err)
{
	if (ev->kind == EV_KPROBE && access("/sys/bus/event_source/devices/kprobe", F_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", F_OK))
		fprintf(stderr,
			"bpfprof: this kernel has no kprobe support (no kprobe PMU, no kprobe_events: CONFIG_KPROBE_EVENTS is off); use a tracepoint (bpfprof list --tracepoints)\n");
	else if (ev->kind == EV_KPROBE)
		fprintf(stderr,
			"bpfprof: cannot attach kprobe to '%s' (%s); it must be a kernel function listed in /proc/kallsyms and not inlined\n",
			ev->func, strerror(-err));
	else
		fprintf(stderr,
			"bpfprof: cannot attach uprobe to %s in %s (%s); check the symbol with 'nm -D %s'\n",
			ev->func, ev->path, strerror(-err), ev->path);
}

static int probe_start(struct source *src, const struct event_spec *ev,
		       const struct sample_rate *rate)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = ev->func);
	struct bpf_link *link;
	int err;

	if (ev->kind == EV_KPROBE)
		link = bpf_program__attach_kprobe(src->prog, false, ev->func);
	else
		link = bpf_program__attach_uprobe_opts(src->prog, -1, ev->path, 0, &uopts);
	err = source__keep_link(src, link);
	if (err)
		probe_explain(ev, err);
	return err;
}

const struct source_ops source_probe = {
	.name = "probe",
	.unit = probe_unit,
	.configure = probe_configure,
	.start = probe_start,
	.stop = source__release,
};
