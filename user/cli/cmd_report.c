// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_report.c - `bpfprof report IN`: turn a folded profile (ours or any flamegraph.pl-style
 * file) into any output format, optionally keeping or dropping stacks by a frame regex.
 *
 * Recording and reporting are separate so a profile recorded once on a server as folded text can
 * be rendered later, elsewhere, as many times and in as many formats as wanted.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report_io.h"

enum {
	OPT_MINWIDTH = 256
};

static const struct opt report_opts[] = {
	{ "output", 'o', "OUT",
	  "output file (default: stdout); its extension picks the format:\n.html .pb.gz/.pprof .speedscope.json .txt .folded/.collapsed" },
	{ "format", 'f', "F", "overrides -o's extension", NULL, emit__format_list },
	{ "title", 't', "T", "title of the flame graph or report" },
	{ "minwidth", OPT_MINWIDTH, "PCT",
	  "html: hide frames narrower than PCT percent of all samples" },
	{ "include", 'i', "REGEX",
	  "keep only stacks with a frame matching REGEX (POSIX extended)" },
	{ "exclude", 'x', "REGEX", "drop stacks with a frame matching REGEX" },
	{ "top", 'n', "N", "text: rows per table", OPT_STR(EMIT_TEXT_TOP) },
	{ "help", 'h', NULL, "this help" },
	{},
};

static void report_usage(const struct opts *o, FILE *out)
{
	fputs("usage: bpfprof report IN [-o OUT] [--format F] [--title T] [--minwidth PCT]\n"
	      "                         [--include REGEX] [--exclude REGEX] [--top N]\n"
	      "\n"
	      "Read a folded profile (IN, or - for stdin) and write it in another format.\n"
	      "\n",
	      out);
	opts__usage(o, out);
	fputs("\n"
	      "examples:\n"
	      "  bpfprof report cpu.folded -o cpu.html\n"
	      "  bpfprof report cpu.folded -o cpu.pb.gz && go tool pprof -top cpu.pb.gz\n"
	      "  bpfprof report cpu.folded --include 'Burn\\.' --exclude '_\\[k\\]$' -o burn.html\n"
	      "  perf script | stackcollapse-perf.pl | bpfprof report - --format text --top 10\n",
	      out);
}

struct report_args {
	const char *in, *out, *format, *include, *exclude;
	struct emit_opts opts;
};

static int top__parse(const char *arg, struct emit_opts *opts)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > 100000) {
		fprintf(stderr,
			"bpfprof report: --top wants a whole number from 1 to 100000, not '%s'\n",
			arg);
		return -EINVAL;
	}
	opts->top = v;
	return 0;
}

/* 0, 1 when --help was printed, -EINVAL after a one-line error (cli/options.h). */
static int report_args__parse(struct report_args *a, int argc, char **argv)
{
	struct opts o;
	int c;

	opts__init(&o, "report", report_opts, false);
	while ((c = opts__next(&o, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 'f':
			a->format = optarg;
			break;
		case 't':
			a->opts.title = optarg;
			break;
		case 'i':
			a->include = optarg;
			break;
		case 'x':
			a->exclude = optarg;
			break;
		case OPT_MINWIDTH:
			if (report__minwidth("report", optarg, &a->opts))
				return -EINVAL;
			break;
		case 'n':
			if (top__parse(optarg, &a->opts))
				return -EINVAL;
			break;
		case 'h':
			report_usage(&o, stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr,
			"bpfprof report: give exactly one input file (or - for stdin); see 'bpfprof report --help'\n");
		return -EINVAL;
	}
	a->in = argv[optind];
	return 0;
}

static int regex__compile(regex_t *re, const char *pattern, const char *opt)
{
	char msg[256];
	int err = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (err) {
		regerror(err, re, msg, sizeof(msg));
		fprintf(stderr, "bpfprof report: %s '%s': %s; it is a POSIX extended regex\n", opt,
			pattern, msg);
		return -EINVAL;
	}
	return 0;
}

/* Per stack: does any frame's name match re? Each frame is matched once. */
static bool *stacks__match(const struct profile *p, const regex_t *re)
{
	bool *frame_hit = calloc(p->nframes + 1, sizeof(*frame_hit));
	bool *hit = calloc(p->nstacks + 1, sizeof(*hit));

	if (!frame_hit || !hit) {
		free(frame_hit);
		free(hit);
		return NULL;
	}
	for (size_t i = 0; i < p->nframes; i++)
		frame_hit[i] = !regexec(re, p->frames[i].name, 0, NULL, 0);
	for (size_t i = 0; i < p->nstacks; i++)
		for (uint32_t d = 0; d < p->stacks[i].depth && !hit[i]; d++)
			hit[i] = frame_hit[p->stacks[i].ids[d]];
	free(frame_hit);
	return hit;
}

/* Apply the pattern to keep[]: include keeps matches, exclude drops them. */
static int filter__apply(const struct profile *p, bool *keep, const char *pattern, bool include)
{
	regex_t re;
	bool *hit;

	if (!pattern)
		return 0;
	if (regex__compile(&re, pattern, include ? "--include" : "--exclude"))
		return -EINVAL;
	hit = stacks__match(p, &re);
	regfree(&re);
	if (!hit)
		return -ENOMEM;
	for (size_t i = 0; i < p->nstacks; i++)
		keep[i] = keep[i] && hit[i] == include;
	free(hit);
	return 0;
}

/* A profile with only the stacks the filters keep (or p itself without filters). */
static struct profile *report__filter(struct profile *p, const struct report_args *a)
{
	struct profile *kept;
	bool *keep;

	if ((!a->include && !a->exclude) || !p->nstacks)
		return p; /* an empty profile stays empty, not "filtered to nothing" */
	keep = malloc((p->nstacks + 1) * sizeof(*keep));
	kept = profile__new();
	if (!keep || !kept)
		goto out_fail;
	memset(keep, 1, (p->nstacks + 1) * sizeof(*keep));
	if (filter__apply(p, keep, a->include, true) || filter__apply(p, keep, a->exclude, false))
		goto out_fail;
	kept->meta = p->meta;
	if (profile__set_types(kept, p->types, p->nvalues) ||
	    profile__merge(kept, p, keep, PROFILE_ALL_COLUMNS, 1.0))
		goto out_fail;
	free(keep);
	if (!kept->totals[0]) {
		fprintf(stderr,
			"bpfprof report: --include/--exclude left no samples; loosen the patterns\n");
		profile__free(kept);
		return NULL;
	}
	return kept;
out_fail:
	free(keep);
	profile__free(kept);
	return NULL;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {};
	struct profile *p = NULL, *out_p = NULL;
	struct atomic_file *out = NULL;
	enum out_format fmt;
	int ret = report_args__parse(&a, argc, argv);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (emit__parse_format(a.format, a.out, &fmt))
		return 2;
	if (report__open_output(&out, "report", a.out, fmt))
		return 1;
	ret = 1;
	p = profile__new();
	if (!p || report__read(p, "report", a.in))
		goto out_free;
	out_p = report__filter(p, &a);
	if (!out_p)
		goto out_free;
	ret = report__write(out, "report", a.out, out_p, fmt, &a.opts) ? 1 : 0;
out_free:
	atomic_file__free(out);
	if (out_p != p)
		profile__free(out_p);
	profile__free(p);
	return ret;
}
