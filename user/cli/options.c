// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/options.c - getopt_long tables, errors and usage lines from one option table (see
 * cli/options.h).
 *
 * Commands used to keep three lists that had to agree (the struct option array, the short-option
 * string and the help text) and three ways of reporting a bad option; deriving all of them from
 * one table keeps them from drifting.
 */
#include <string.h>
#include "cli/options.h"

void opts__init(struct opts *o, const char *cmd, const struct opt *table, bool in_order)
{
	char *s = o->shorts;
	int n = 0;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->table = table;
	s = o->shorts;
	if (in_order)
		*s++ = '+';
	*s++ = ':'; /* a missing value is reported as such, not as an unknown option */
	for (const struct opt *t = table; t->name && n < OPTS_MAX; t++, n++) {
		o->longs[n] = (struct option){ t->name, t->arg ? required_argument : no_argument,
					       NULL, t->key };
		if (t->key < 256) {
			*s++ = t->key;
			if (t->arg)
				*s++ = ':';
		}
	}
	optind = 0; /* glibc re-reads the ordering ('+') only on a full reset */
	opterr = 0;
}

int opts__next(struct opts *o, int argc, char **argv)
{
	int c = getopt_long(argc, argv, o->shorts, o->longs, NULL);

	if (c != '?' && c != ':')
		return c;
	fprintf(stderr, "bpfprof %s: %s '%s'; see 'bpfprof %s --help'\n", o->cmd,
		c == '?' ? "unknown option" : "missing value for", argv[optind - 1], o->cmd);
	return '?';
}

/* "  -p, --pid PID" or "      --idle": the left column of a usage line. */
static int opt__left(const struct opt *t, char *buf, size_t len)
{
	if (t->key < 256)
		return snprintf(buf, len, "  -%c, --%s%s%s", t->key, t->name, t->arg ? " " : "",
				t->arg ? t->arg : "");
	return snprintf(buf, len, "      --%s%s%s", t->name, t->arg ? " " : "",
			t->arg ? t->arg : "");
}

void opts__usage(const struct opts *o, FILE *out)
{
	char left[128];
	int width = 0;

	for (const struct opt *t = o->table; t->name; t++) {
		int n = opt__left(t, left, sizeof(left));

		if (n > width && n <= 28)
			width = n;
	}
	for (const struct opt *t = o->table; t->name; t++) {
		const char *h = t->help, *nl;

		opt__left(t, left, sizeof(left));
		fprintf(out, "%-*s  ", width, left);
		while ((nl = strchr(h, '\n'))) {
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h, width + 2, "");
			h = nl + 1;
		}
		fputs(h, out);
		if (t->list)
			fprintf(out, ": %s", t->list());
		if (t->def)
			fprintf(out, " (default %s)", t->def);
		fputc('\n', out);
	}
}
