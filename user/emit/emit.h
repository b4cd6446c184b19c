/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * emit/emit.h - choose an output format and write a profile in it.
 *
 * The recorder and `report` both end here: they hold a struct profile and an output path (or
 * stdout), and emit__write() picks the emitter. A format comes from --format, else from the
 * output file's extension, else folded.
 */
#ifndef BPFPROF_EMIT_H
#define BPFPROF_EMIT_H

#include <stdbool.h>
#include <stdio.h>
#include "model/profile.h"

struct atomic_file;

enum out_format {
	FMT_FOLDED,	 /* .folded .collapsed, and stdout */
	FMT_HTML,	 /* .html */
	FMT_PPROF,	 /* .pb.gz .pprof */
	FMT_SPEEDSCOPE,	 /* .speedscope.json */
	FMT_TEXT,	 /* .txt */
	FMT_DIFF_HTML,	 /* diff only */
	FMT_DIFF_FOLDED, /* diff only: "stack BASE NEW" */
};

struct emit_opts {
	const char *title; /* NULL: a default title from meta */
	double minwidth;   /* HTML: hide frames narrower than this percent; 0 = all */
	int top;	   /* text: rows per table, 0 = EMIT_TEXT_TOP */
};

#define EMIT_TEXT_TOP 20

/*
 * Resolve the format: name (from --format; NULL if not given) wins, else path's extension
 * (NULL path = stdout = folded). 0, or -EINVAL after printing a one-line error naming the
 * accepted formats.
 */
int emit__parse_format(const char *name, const char *path, enum out_format *fmt);

/* The --format name of fmt ("pprof" for FMT_PPROF), as emit__parse_format() takes it. */
const char *emit__format_name(enum out_format fmt);

/* The --format names, comma-separated, from the one table the parser reads: for help and errors. */
const char *emit__format_list(void);

/* Write p in fmt to out (binary formats too: out is opened "wb"). 0 or -errno. */
int emit__write(const struct profile *p, enum out_format fmt, FILE *out,
		const struct emit_opts *opts);

/*
 * Write p in fmt into af and commit it (io/atomic_file.h). 0, or -errno: the first failed write's
 * error (-ENOSPC, -EPIPE...) rather than the emitter's generic -EIO; nothing committed then.
 */
int emit__commit(const struct profile *p, enum out_format fmt, struct atomic_file *af,
		 const struct emit_opts *opts);

#endif /* BPFPROF_EMIT_H */
