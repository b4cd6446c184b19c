// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_diff.c - `bpfprof diff BASE NEW`: what changed between two folded profiles.
 *
 * Output is a differential flame graph (frames as wide as in NEW, red where a frame's share of
 * samples grew since BASE, blue where it shrank), or folded lines "stack BASE NEW" as
 * difffolded.pl writes them, which flamegraph.pl and `bpfprof report` read back. Shares, not raw
 * counts, are compared, so two recordings of different lengths still compare; --normalize also
 * scales BASE's counts to NEW's total for tools that compare raw counts.
 */
#include <errno.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report_io.h"

enum {
	OPT_MINWIDTH = 256
};

static const struct opt diff_opts[] = {
	{ "output", 'o', "OUT",
	  "output file (default: stdout); .html gives a differential flame graph,\nanything else folded 'stack BASE NEW' lines" },
	{ "format", 'f', "F", "html or folded (overrides -o)" },
	{ "normalize", 'n', NULL, "scale BASE's counts so its total equals NEW's" },
	{ "title", 't', "T", "title of the flame graph" },
	{ "minwidth", OPT_MINWIDTH, "PCT",
	  "hide frames narrower than PCT percent of NEW's samples" },
	{ "help", 'h', NULL, "this help" },
	{},
};

static void diff_usage(const struct opts *o, FILE *out)
{
	fputs("usage: bpfprof diff BASE NEW [-o OUT] [--format html|folded] [--normalize] [--title T]\n"
	      "\n"
	      "Compare two folded profiles (BASE before, NEW after a change).\n"
	      "\n",
	      out);
	opts__usage(o, out);
	fputs("\n"
	      "In the flame graph, widths are NEW's samples; red frames grew, blue frames shrank (as a\n"
	      "share of all samples); the deeper the color, the larger the change.\n"
	      "\n"
	      "examples:\n"
	      "  bpfprof diff before.folded after.folded -o diff.html\n"
	      "  bpfprof diff --normalize before.folded after.folded > diff.folded\n"
	      "  flamegraph.pl diff.folded > diff.svg\n",
	      out);
}

struct diff_args {
	const char *base, *new, *out, *format;
	bool normalize;
	struct emit_opts opts;
};

static int diff_format__parse(const struct diff_args *a, enum out_format *fmt)
{
	const char *name = a->format;

	if (!name) {
		if (emit__parse_format(NULL, a->out, fmt))
			return -EINVAL;
		*fmt = *fmt == FMT_HTML ? FMT_DIFF_HTML : FMT_DIFF_FOLDED;
		return 0;
	}
	if (!strcmp(name, "html")) {
		*fmt = FMT_DIFF_HTML;
	} else if (!strcmp(name, "folded") || !strcmp(name, "collapsed")) {
		*fmt = FMT_DIFF_FOLDED;
	} else {
		fprintf(stderr, "bpfprof diff: unknown format '%s'; diff writes html or folded\n",
			name);
		return -EINVAL;
	}
	return 0;
}

/* 0, 1 when --help was printed, -EINVAL after a one-line error (cli/options.h). */
static int diff_args__parse(struct diff_args *a, int argc, char **argv)
{
	struct opts o;
	int c;

	opts__init(&o, "diff", diff_opts, false);
	while ((c = opts__next(&o, argc, argv)) != -1) {
		if (c == 'o') {
			a->out = optarg;
		} else if (c == 'f') {
			a->format = optarg;
		} else if (c == 't') {
			a->opts.title = optarg;
		} else if (c == 'n') {
			a->normalize = true;
		} else if (c == OPT_MINWIDTH) {
			if (report__minwidth("diff", optarg, &a->opts))
				return -EINVAL;
		} else if (c == 'h') {
			diff_usage(&o, stdout);
			return 1;
		} else {
			return -EINVAL;
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr,
			"bpfprof diff: give two input files, BASE and NEW; see 'bpfprof diff --help'\n");
		return -EINVAL;
	}
	a->base = argv[optind];
	a->new = argv[optind + 1];
	return 0;
}

/* Two columns of one unit, "base" and "new": BASE's column 0 goes to 0, NEW's to 1. */
static int diff__columns(struct profile *d, const struct profile *new)
{
	struct pf_value_type t[2] = { { "base", "" }, { "new", "" } };

	memcpy(t[0].unit, new->types[0].unit, sizeof(t[0].unit));
	memcpy(t[1].unit, new->types[0].unit, sizeof(t[1].unit));
	return profile__set_types(d, t, 2);
}

static struct profile *diff__load(const struct diff_args *a)
{
	struct profile *base = profile__new(), *new = profile__new(), *d = profile__new();
	double scale = 1.0;
	int err = !base || !new || !d ? -ENOMEM : 0;

	if (!err)
		err = report__read(base, "diff", a->base);
	if (!err)
		err = report__read(new, "diff", a->new);
	if (!err && strcmp(base->types[0].unit, new->types[0].unit)) {
		fprintf(stderr,
			"bpfprof diff: BASE is in %s (%s) and NEW in %s (%s); a diff compares one unit: record both with the same -e\n",
			base->types[0].unit, base->types[0].type, new->types[0].unit,
			new->types[0].type);
		err = -EINVAL;
	}
	if (!err && a->normalize && base->totals[0])
		scale = (double)new->totals[0] / base->totals[0];
	if (!err)
		err = diff__columns(d, new);
	if (!err)
		err = profile__merge(d, base, NULL, 0, scale);
	if (!err)
		err = profile__merge(d, new, NULL, 1, 1.0);
	if (!err) {
		d->meta = new->meta;
		snprintf(d->meta.title, sizeof(d->meta.title), "Differential flame graph: %s vs %s",
			 a->new, a->base);
	}
	profile__free(base);
	profile__free(new);
	if (err) {
		if (err == -ENOMEM)
			fprintf(stderr, "bpfprof diff: out of memory\n");
		profile__free(d);
		return NULL;
	}
	return d;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args a = {};
	struct atomic_file *out = NULL;
	enum out_format fmt;
	struct profile *d;
	int ret = diff_args__parse(&a, argc, argv);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (diff_format__parse(&a, &fmt))
		return 2;
	if (report__open_output(&out, "diff", a.out, fmt))
		return 1;
	d = diff__load(&a);
	ret = !d || report__write(out, "diff", a.out, d, fmt, &a.opts) ? 1 : 0;
	atomic_file__free(out);
	profile__free(d);
	return ret;
}
