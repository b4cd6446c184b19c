// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/source_perf.c - a perf event on every online CPU drives the sampling program
 * (cpu-clock, software and hardware events; see collect/source.h). Each sample weighs the
 * period it closed: nanoseconds for a time event, events for a counter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cpu.skel.h"
#include "collect/source.h"

static const char *perf_unit(const struct event_spec *ev)
{
	return ev->is_time ? "nanoseconds" : "count";
}

static int perf_configure(struct source *src, struct cpu_bpf *skel, const struct event_spec *ev)
{
	src->prog = skel->progs.on_perf_event;
	return 0;
}

static int perf_start(struct source *src, const struct event_spec *ev,
		      const struct sample_rate *rate)
{
	char why[512];
	int *cpus = NULL, n = online_cpus(&cpus), i, fd, err = 0;

	if (n <= 0)
		return fprintf(stderr, "bpfprof: cannot read /sys/devices/system/cpu/online\n"),
		       -ENOENT;
	src->fds = calloc(n, sizeof(int));
	for (i = 0; src->fds && i < n && !err; i++) {
		fd = event__open_perf(ev, rate, cpus[i]);
		if (fd == -ENODEV) /* went offline meanwhile */
			continue;
		if (fd < 0) {
			event__explain(ev, fd, why, sizeof(why));
			fprintf(stderr, "bpfprof: %s\n", why);
			err = fd;
			break;
		}
		src->fds[src->nfds++] = fd;
		err = source__keep_link(src, bpf_program__attach_perf_event(src->prog, fd));
		if (err)
			fprintf(stderr, "bpfprof: cannot attach to perf event on CPU %d: %s\n",
				cpus[i], strerror(-err));
	}
	free(cpus);
	return src->fds ? err : -ENOMEM;
}

const struct source_ops source_perf = {
	.name = "perf event",
	.unit = perf_unit,
	.configure = perf_configure,
	.start = perf_start,
	.stop = source__release,
};
