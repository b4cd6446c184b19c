/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report_io.h - the input and output files of `report` and `diff`.
 *
 * An input is a folded file or "-" for stdin; errors are printed as one line that names the
 * file (and line). An output is written to "OUT.tmp" and renamed over OUT only when the whole
 * profile was written, so a failed run never leaves a half-written file; a NULL or "-" path is
 * stdout. The temporary file is created before the input is read, so an unwritable output fails
 * before a long read.
 */
#ifndef BPFPROF_REPORT_IO_H
#define BPFPROF_REPORT_IO_H

#include <stdio.h>

#include "emit.h"
#include "profile.h"

/* Read the folded file path (or "-") into p. 0, or -errno after printing "CMD: why". */
int report__read(struct profile *p, const char *cmd, const char *path);

/* Parse --minwidth ARG (a percent, 0 to 100) into opts. 0, or -EINVAL after printing why. */
int report__minwidth(const char *cmd, const char *arg, struct emit_opts *opts);

struct outfile {
	FILE *f;
	const char *path; /* NULL for stdout */
	char *tmp;	  /* path + ".tmp" */
};

/* Create OUT.tmp (or use stdout). 0, or -errno after printing a one-line error. */
int outfile__open(struct outfile *o, const char *cmd, const char *path, enum out_format fmt);

/* Write p to o in fmt, then rename OUT.tmp to OUT; on any failure remove OUT.tmp. 0 or -errno. */
int outfile__write(struct outfile *o, const char *cmd, const struct profile *p, enum out_format fmt,
		   const struct emit_opts *opts);

/* Remove OUT.tmp without writing (an error came up after outfile__open). NULL-safe. */
void outfile__abort(struct outfile *o);

#endif /* BPFPROF_REPORT_IO_H */
