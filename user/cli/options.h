/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli/options.h - one option table per command drives getopt_long, the usage text and the
 * errors, so an option, its help line and its default are written once.
 *
 * The convention every command follows: its parser returns 0 (parsed), 1 (--help was printed to
 * stdout: exit 0) or -EINVAL (a one-line error was printed: exit 2). Unknown options and missing
 * values are reported by opts__next() as "bpfprof CMD: unknown option '--x'; see 'bpfprof CMD
 * --help'". A default shown in help is the same macro the code falls back to (OPT_STR()).
 */
#ifndef BPFPROF_OPTIONS_H
#define BPFPROF_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* A numeric macro as the string help shows: OPT_STR(SAMPLER_MAX_STACKS) is "16384". */
#define OPT_STR_(x) #x
#define OPT_STR(x) OPT_STR_(x)

#define OPTS_MAX 32

struct opt {
	const char *name;	   /* long name, without "--" */
	int key;		   /* the short letter, or a value >= 256 for a long-only option */
	const char *arg;	   /* the value's name in help ("HZ"), NULL for a flag */
	const char *help;	   /* the help line; "\n" continues it on the next line, aligned */
	const char *def;	   /* shown as " (default DEF)"; NULL: none */
	const char *(*list)(void); /* its accepted values, shown after the help: NULL: none */
};

/* getopt_long's tables, built from an opt array ending in { NULL }. */
struct opts {
	const char *cmd; /* "record": for errors */
	const struct opt *table;
	struct option longs[OPTS_MAX + 1];
	char shorts[2 * OPTS_MAX + 3];
};

/*
 * Build o from table for command cmd. in_order: stop at the first non-option (record's
 * `-- COMMAND` and `record -p 1 ./cmd`); otherwise options and operands may mix (report IN -o X).
 * Resets getopt's state; call before the first opts__next().
 */
void opts__init(struct opts *o, const char *cmd, const struct opt *table, bool in_order);

/* getopt_long over argv: the option's key, -1 at the end, '?' after printing the error. */
int opts__next(struct opts *o, int argc, char **argv);

/* The options part of a usage text, one aligned line (or more) per option. */
void opts__usage(const struct opts *o, FILE *out);

#endif /* BPFPROF_OPTIONS_H */
