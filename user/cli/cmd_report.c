// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_report.c - `bpfprof report IN`: turn a folded profile (ours or any flamegraph.pl-style
 * file) or a pprof file into any output format, optionally keeping or dropping stacks by a frame
 * regex; `bpfprof report --dir DIR --from T --to T`: the same for any time range of a monitor's
 * history (daemon/history.h), merged into one profile, optionally only some processes, pids or
 * labels (model/filter.h).
 *
 * Recording and reporting are separate so a profile recorded once on a server as folded text can
 * be rendered later, elsewhere, as many times and in as many formats as wanted.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report_io.h"
#include "daemon/history.h"
#include "lib/units.h"
#include "model/filter.h"

enum {
	OPT_MINWIDTH = 256,
	OPT_DIR,
	OPT_FROM,
	OPT_TO,
	OPT_COMM,
	OPT_PID,
	OPT_LABEL,
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
	{ "dir", OPT_DIR, "DIR",
	  "read a monitor's history instead of IN: merge its windows in --from..--to" },
	{ "from", OPT_FROM, "T",
	  "--dir: start, e.g. 2026-11-23T14:15:00Z, '2026-11-23 14:15' (local),\n-1h, '30m ago', unix seconds (default: the first window)" },
	{ "to", OPT_TO, "T", "--dir: end, same forms as --from (default: the last window)" },
	{ "comm", OPT_COMM, "REGEX", "keep only processes whose name matches REGEX" },
	{ "pid", OPT_PID, "PID", "keep only that process (needs the monitor's pid label)" },
	{ "label", OPT_LABEL, "K=V",
	  "keep only stacks labeled K=V (container_id, systemd_unit, pod_uid...);\nrepeatable, all must match" },
	{ "help", 'h', NULL, "this help" },
	{},
};

static void report_usage(const struct opts *o, FILE *out)
{
	fputs("usage: bpfprof report IN [-o OUT] [--format F] [--title T] [--minwidth PCT]\n"
	      "                         [--include REGEX] [--exclude REGEX] [--top N]\n"
	      "       bpfprof report --dir DIR [--from T] [--to T] [--comm REGEX] [--pid PID]\n"
	      "                         [--label K=V]... [-o OUT] [other options as above]\n"
	      "\n"
	      "Read a folded or pprof profile (IN, or - for stdin), or a time range of a monitor's\n"
	      "history (--dir), and write it in another format.\n"
	      "\n",
	      out);
	opts__usage(o, out);
	fputs("\n"
	      "examples:\n"
	      "  bpfprof report cpu.folded -o cpu.html\n"
	      "  bpfprof report cpu.folded -o cpu.pb.gz && go tool pprof -top cpu.pb.gz\n"
	      "  bpfprof report cpu.folded --include 'Burn\\.' --exclude '_\\[k\\]$' -o burn.html\n"
	      "  perf script | stackcollapse-perf.pl | bpfprof report - --format text --top 10\n"
	      "  bpfprof report --dir /var/lib/bpfprof --from '2026-11-23 03:00' --to '2026-11-23 03:20' -o night.html\n"
	      "  bpfprof report --dir /var/lib/bpfprof --from -1h --comm '^nginx$' -o nginx.pb.gz\n",
	      out);
}

struct report_args {
	const char *in, *out, *format, *include, *exclude;
	const char *dir, *from, *to;
	struct profile_filter filter;
	struct emit_opts opts;
};

/* A whole number from lo to hi for option opt. 0, or -EINVAL after a one-line error. */
static int whole__parse(const char *opt, const char *arg, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		fprintf(stderr,
			"bpfprof report: %s wants a whole number from %ld to %ld, not '%s'\n", opt,
			lo, hi, arg);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* --dir/--comm/--pid/--label: 0, or -EINVAL after a one-line error. */
static int report_args__history(struct report_args *a, int c, const char *arg)
{
	char err[256];
	long v;

	switch (c) {
	case OPT_DIR:
		a->dir = arg;
		return 0;
	case OPT_FROM:
		a->from = arg;
		return 0;
	case OPT_TO:
		a->to = arg;
		return 0;
	case OPT_COMM:
		a->filter.comm = arg;
		return 0;
	case OPT_PID:
		if (whole__parse("--pid", arg, 1, 4194304, &v))
			return -EINVAL;
		a->filter.pid = v;
		return 0;
	default: /* OPT_LABEL */
		if (profile_filter__add_label(&a->filter, arg, err, sizeof(err))) {
			fprintf(stderr, "bpfprof report: --label: %s\n", err);
			return -EINVAL;
		}
		return 0;
	}
}

/* 0, 1 when --help was printed, -EINVAL after a one-line error (cli/options.h). */
static int report_args__parse(struct report_args *a, int argc, char **argv)
{
	struct opts o;
	long top;
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
			if (whole__parse("--top", optarg, 1, 100000, &top))
				return -EINVAL;
			a->opts.top = top;
			break;
		case OPT_DIR:
		case OPT_FROM:
		case OPT_TO:
		case OPT_COMM:
		case OPT_PID:
		case OPT_LABEL:
			if (report_args__history(a, c, optarg))
				return -EINVAL;
			break;
		case 'h':
			report_usage(&o, stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (a->dir && optind != argc) {
		fprintf(stderr,
			"bpfprof report: give either an input file or --dir, not both; see 'bpfprof report --help'\n");
		return -EINVAL;
	}
	if (!a->dir && (a->from || a->to)) {
		fprintf(stderr,
			"bpfprof report: --from/--to select windows of a history; add --dir DIR\n");
		return -EINVAL;
	}
	if (a->dir)
		return 0;
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

	bool by_labels = !a->dir && !profile_filter__empty(&a->filter);

	if ((!a->include && !a->exclude && !by_labels) || !p->nstacks)
		return p; /* an empty profile stays empty, not "filtered to nothing" */
	keep = malloc((p->nstacks + 1) * sizeof(*keep));
	kept = profile__new();
	if (!keep || !kept)
		goto out_fail;
	memset(keep, 1, (p->nstacks + 1) * sizeof(*keep));
	if (filter__apply(p, keep, a->include, true) || filter__apply(p, keep, a->exclude, false))
		goto out_fail;
	for (size_t i = 0; by_labels && i < p->nstacks; i++)
		keep[i] = keep[i] && profile_filter__keep(&a->filter, p, &p->stacks[i]);
	kept->meta = p->meta;
	if (profile__set_types(kept, p->types, p->nvalues) ||
	    profile__merge(kept, p, keep, PROFILE_ALL_COLUMNS, 1.0))
		goto out_fail;
	free(keep);
	if (!kept->totals[0]) {
		fprintf(stderr,
			"bpfprof report: --include/--exclude/--comm/--pid/--label left no samples; loosen them\n");
		profile__free(kept);
		return NULL;
	}
	return kept;
out_fail:
	free(keep);
	profile__free(kept);
	return NULL;
}

/* ns since the epoch as "2026-11-23T14:15:00Z" (UTC), for messages. */
static const char *time__str(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* One of --from/--to into ns; 0 for an absent one. 0, or -EINVAL after a one-line error. */
static int time__parse(const char *opt, const char *arg, uint64_t now, uint64_t *ns)
{
	*ns = 0;
	if (!arg || !units__time(arg, now, ns))
		return 0;
	fprintf(stderr,
		"bpfprof report: %s '%s' is not a time; give e.g. 2026-11-23T14:15:00Z, '2026-11-23 14:15' (local), -1h, '30m ago', now or unix seconds\n",
		opt, arg);
	return -EINVAL;
}

/* --from/--to into ns (0: open end). 0, or -EINVAL after a one-line error. */
static int report__range(const struct report_args *a, uint64_t *from, uint64_t *to)
{
	struct timespec ts;
	uint64_t now;
	char b1[32], b2[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (time__parse("--from", a->from, now, from) || time__parse("--to", a->to, now, to))
		return -EINVAL;
	if (a->to && *from >= *to) {
		fprintf(stderr, "bpfprof report: --from %s is not before --to %s\n",
			time__str(*from, b1, sizeof(b1)), time__str(*to, b2, sizeof(b2)));
		return -EINVAL;
	}
	return 0;
}

/* The windows of a->dir in range merged into p (filtered). 0, or -errno after a one-line error. */
static int report__read_history(struct profile *p, const struct report_args *a)
{
	uint64_t from, to, first, last;
	char err[512], b1[32], b2[32], b3[32], b4[32];
	size_t nfiles, nw;
	int ret = report__range(a, &from, &to);

	if (ret)
		return ret;
	ret = history__range(a->dir, &first, &last, &nfiles, err, sizeof(err));
	if (ret == -ENOENT || ret == -ENOTDIR) {
		fprintf(stderr,
			"bpfprof report: no history directory '%s'; give the --dir that `bpfprof monitor` writes (default %s)\n",
			a->dir, HISTORY_DEFAULT_DIR);
		return ret;
	}
	if (ret) {
		fprintf(stderr, "bpfprof report: %s\n", err);
		return ret;
	}
	if (!nfiles) {
		fprintf(stderr,
			"bpfprof report: '%s' holds no windows yet; is `bpfprof monitor --dir %s` running?\n",
			a->dir, a->dir);
		return -ENODATA;
	}
	ret = history__load(a->dir, from, to, &a->filter, p, &nw, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "bpfprof report: %s\n", err);
		return ret;
	}
	if (!nw) {
		fprintf(stderr,
			"bpfprof report: no windows of '%s' in %s .. %s; it holds %s .. %s (%zu windows)\n",
			a->dir, from ? time__str(from, b1, sizeof(b1)) : "the start",
			to ? time__str(to, b2, sizeof(b2)) : "the end",
			time__str(first, b3, sizeof(b3)), time__str(last, b4, sizeof(b4)), nfiles);
		return -ENODATA;
	}
	if (!p->totals[0] && !profile_filter__empty(&a->filter)) {
		fprintf(stderr,
			"bpfprof report: --comm/--pid/--label kept no samples of the %zu windows in range; loosen them\n",
			nw);
		return -ENODATA;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {};
	struct profile *p = NULL, *out_p = NULL;
	struct atomic_file *out = NULL;
	enum out_format fmt;
	char err[256];
	int ret = report_args__parse(&a, argc, argv);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (emit__parse_format(a.format, a.out, &fmt))
		return 2;
	if (profile_filter__compile(&a.filter, err, sizeof(err))) {
		fprintf(stderr, "bpfprof report: --comm: %s\n", err);
		return 2;
	}
	if (a.dir && report__range(&a, &(uint64_t){ 0 }, &(uint64_t){ 0 })) {
		profile_filter__free(&a.filter);
		return 2;
	}
	if (report__open_output(&out, "report", a.out, fmt)) {
		profile_filter__free(&a.filter);
		return 1;
	}
	ret = 1;
	p = profile__new();
	if (!p || (a.dir ? report__read_history(p, &a) : report__read(p, "report", a.in)))
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
	profile_filter__free(&a.filter);
	return ret;
}
