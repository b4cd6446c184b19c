// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_list.c - `bpfprof list [--tracepoints]`: the events this host supports for record -e.
 *
 * `list` does not guess: every perf event is checked by opening it on CPU 0, so a VM without a
 * PMU shows its hardware events as unavailable, as `perf list` and Arthas `profiler list` do.
 * The names come from collect/event_spec.c's table, the one the -e parser reads.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "collect/event_spec.h"
#include "collect/mode.h"
#include "lib/log.h"

enum {
	OPT_TRACEPOINTS = 256
};

static const struct opt list_opts[] = {
	{ "tracepoints", OPT_TRACEPOINTS, NULL,
	  "also list every tracepoint:CAT:NAME of the running kernel" },
	{ "help", 'h', NULL, "this help" },
	{},
};

static void list_usage(const struct opts *o, FILE *out)
{
	fprintf(out,
		"usage: bpfprof list [--tracepoints]\n\n"
		"Lists the events this host supports for record -e, each checked by opening it.\n");
	opts__usage(o, out);
}

static void list_perf(void)
{
	struct sample_rate rate = { .period = 1000000 };
	const char *name, *help;
	char why[256];

	printf("%-22s %-12s %s\n", "EVENT", "STATUS", "DESCRIPTION");
	for (size_t i = 0; (name = event__perf_name(i, &help)); i++) {
		struct event_spec ev;
		int fd;

		event__parse(name, &ev, why, sizeof(why));
		fd = event__open_perf(&ev, &rate, 0);
		if (fd >= 0)
			close(fd);
		else
			event__explain(&ev, fd, why, sizeof(why));
		printf("%-22s %-12s %s%s%s\n", name, fd >= 0 ? "available" : "unavailable", help,
		       fd >= 0 ? "" : ": ",
		       fd >= 0 ? ""
			       : (ev.type == PERF_TYPE_HARDWARE ? "no PMU on this host" : why));
	}
}

/* The modes (collect/mode.h): -e offcpu, -e cpu,offcpu, ... */
static void list_modes(void)
{
	const struct mode_info *m;

	printf("\n%-22s %s\n", "MODE", "DESCRIPTION (combine with commas: -e cpu,offcpu)");
	for (size_t i = 0; (m = mode__info(i)); i++)
		printf("%-22s %s\n", m->name, m->help);
}

static void print_tracepoint(const char *name, void *ctx)
{
	printf("tracepoint:%s\n", name);
}

static void list_tracepoints(bool all)
{
	char why[256];
	int n;

	if (event__mount_tracefs(why, sizeof(why)))
		pr_warn("%s", why);
	n = event__each_tracepoint(all ? print_tracepoint : NULL, NULL);
	if (!all)
		printf("\ntracepoint:CAT:NAME   %d tracepoints (bpfprof list --tracepoints)\n",
		       n < 0 ? 0 : n);
	printf("kprobe:FUNC            any kernel function, e.g. kprobe:do_sys_openat2\n");
	printf("uprobe:PATH:SYMBOL     a function in a binary, e.g. uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc\n");
}

/* 0, 1 when --help was printed, -EINVAL after a one-line error (cli/options.h). */
static int list_args__parse(bool *tracepoints, int argc, char **argv)
{
	struct opts o;
	int c;

	opts__init(&o, "list", list_opts, false);
	while ((c = opts__next(&o, argc, argv)) != -1) {
		if (c == OPT_TRACEPOINTS) {
			*tracepoints = true;
		} else if (c == 'h') {
			list_usage(&o, stdout);
			return 1;
		} else {
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bpfprof list: unknown argument '%s'; see 'bpfprof list --help'\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	bool tracepoints = false;
	int ret = list_args__parse(&tracepoints, argc, argv);

	if (ret)
		return ret > 0 ? 0 : 2;
	list_perf();
	list_modes();
	list_tracepoints(tracepoints);
	return 0;
}
