// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/emit.c - pick an output format from --format or the file name, and hand the profile to the
 * emitter for it.
 *
 * Format names and extensions live in one table each so the error message, the parser and
 * `--help` can never disagree. An unknown extension means folded, because a profile written to
 * "out" or "out.data" should still be something every flame graph tool reads.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "io/atomic_file.h"
#include "emit/emit.h"
#include "emit/emitters.h"
#include "emit/folded.h"
#include "lib/log.h"
#include "lib/util.h"

/* hidden: accepted, but not advertised in help or errors. */
static const struct {
	const char *name;
	enum out_format fmt;
	bool hidden;
} format_names[] = {
	{ "folded", FMT_FOLDED },  { "collapsed", FMT_FOLDED },	     { "html", FMT_HTML },
	{ "pprof", FMT_PPROF },	   { "speedscope", FMT_SPEEDSCOPE }, { "text", FMT_TEXT },
	{ "txt", FMT_TEXT, true },
};

/* Longest first: ".speedscope.json" must win over a plain ".json". */
static const struct {
	const char *ext;
	enum out_format fmt;
} format_exts[] = {
	{ ".speedscope.json", FMT_SPEEDSCOPE },
	{ ".collapsed", FMT_FOLDED },
	{ ".folded", FMT_FOLDED },
	{ ".pprof", FMT_PPROF },
	{ ".pb.gz", FMT_PPROF },
	{ ".html", FMT_HTML },
	{ ".htm", FMT_HTML },
	{ ".txt", FMT_TEXT },
};

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

const char *emit__format_list(void)
{
	static char list[128];

	if (!list[0]) {
		for (size_t i = 0, n = 0; i < ARRAY_LEN(format_names); i++) {
			if (!format_names[i].hidden)
				n += snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
					      format_names[i].name);
		}
	}
	return list;
}

const char *emit__format_name(enum out_format fmt)
{
	for (size_t i = 0; i < ARRAY_LEN(format_names); i++)
		if (format_names[i].fmt == fmt)
			return format_names[i].name;
	return "folded";
}

int emit__parse_format(const char *name, const char *path, enum out_format *fmt)
{
	if (name) {
		for (size_t i = 0; i < ARRAY_LEN(format_names); i++) {
			if (!strcasecmp(name, format_names[i].name)) {
				*fmt = format_names[i].fmt;
				return 0;
			}
		}
		pr_error("unknown format '%s'; use one of: %s", name, emit__format_list());
		return -EINVAL;
	}
	*fmt = FMT_FOLDED;
	if (!path || !strcmp(path, "-"))
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(format_exts); i++) {
		if (has_suffix(path, format_exts[i].ext)) {
			*fmt = format_exts[i].fmt;
			break;
		}
	}
	return 0;
}

static int emit__format(const struct profile *p, enum out_format fmt, FILE *out,
			const struct emit_opts *opts)
{
	switch (fmt) {
	case FMT_FOLDED:
		return folded__write(p, out, 0);
	case FMT_DIFF_FOLDED:
		return folded__write(p, out, 1);
	case FMT_HTML:
		return flamegraph_html__write(p, out, opts, false);
	case FMT_DIFF_HTML:
		return flamegraph_html__write(p, out, opts, true);
	case FMT_PPROF:
		return pprof__write(p, out, opts);
	case FMT_SPEEDSCOPE:
		return speedscope__write(p, out, opts);
	case FMT_TEXT:
		return text__write(p, out, opts);
	}
	return -EINVAL;
}

/* Only pprof carries labels; the other formats see stacks that differ only by labels as one. */
int emit__write(const struct profile *p, enum out_format fmt, FILE *out,
		const struct emit_opts *opts)
{
	static const struct emit_opts defaults;
	struct profile *u;
	int err;

	if (!opts)
		opts = &defaults;
	if (fmt == FMT_PPROF || !profile__has_labels(p))
		return emit__format(p, fmt, out, opts);
	u = profile__unlabeled(p);
	if (!u)
		return -ENOMEM;
	profile__sort(u);
	err = emit__format(u, fmt, out, opts);
	profile__free(u);
	return err;
}

int emit__commit(const struct profile *p, enum out_format fmt, struct atomic_file *af,
		 const struct emit_opts *opts)
{
	int err = emit__write(p, fmt, atomic_file__stream(af), opts);

	if (!err)
		return atomic_file__commit(af);
	return atomic_file__error(af) ? atomic_file__error(af) : err;
}
