// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/main.c - the bpfprof command: dispatch to a subcommand (cli/commands.h), global --help, version.
 */
#include <stdio.h>
#include <string.h>
#include "cli/commands.h"

#ifndef BPFPROF_VERSION
#define BPFPROF_VERSION "0.1"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "record", cmd_record, "sample stacks of the host, some pids, or a command" },
	{ "report", cmd_report, "convert a folded profile to HTML, pprof, speedscope, text" },
	{ "diff", cmd_diff, "differential flame graph of two folded profiles" },
	{ "attach", cmd_attach, "load the JVM agent into a running JVM (perf map for Java)" },
	{ "list", cmd_list, "events this host supports, each checked" },
	{ "monitor", cmd_monitor, "profile continuously: history, HTTP pull, Pyroscope push" },
	{ "start", cmd_start, "record in the background until 'bpfprof stop'" },
	{ "status", cmd_status, "what a monitor or background recording is doing" },
	{ "dump", cmd_dump, "the profile so far of a monitor or background recording" },
	{ "stop", cmd_stop, "end a background recording (-o FILE) or a monitor" },
};

static int usage(FILE *out, int status)
{
	size_t i;

	fprintf(out, "usage: bpfprof COMMAND [options]\n\n"
		     "A sampling CPU profiler for Linux built on eBPF.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "  %-8s %s\n", "version", "print the version");
	fprintf(out,
		"\nexamples:\n"
		"  sudo bpfprof record -d 10 -o flame.html             # whole host, 10 s\n"
		"  sudo bpfprof record -p 1234 -d 30 -o app.pb.gz      # one process, as pprof\n"
		"  sudo bpfprof record -F 999 -- ./my-program          # a command, folded on stdout\n"
		"  bpfprof report app.folded -o app.html               # folded to a flame graph\n"
		"\n'bpfprof COMMAND --help' shows a command's options.\n");
	return status;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("bpfprof %s\n", BPFPROF_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "bpfprof: unknown command '%s'; see 'bpfprof --help'\n", argv[1]);
	return 2;
}
