/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli/report_io.h - the input and output files of `report` and `diff`.
 *
 * An input is a folded file, a pprof file (gzip'd, or plain protobuf named .pb/.pprof), or "-"
 * for stdin (either kind, told apart by gzip's magic); errors are printed as one line that names
 * the file (and line). An output follows io/atomic_file.h: a regular file appears only complete, a
 * device, FIFO or descriptor path is written in place; a NULL or "-" path is stdout.
 */
#ifndef BPFPROF_REPORT_IO_H
#define BPFPROF_REPORT_IO_H

#include <stdio.h>

#include "io/atomic_file.h"
#include "emit/emit.h"
#include "model/profile.h"

/* Read the folded or pprof file path (or "-") into p, which holds no stacks yet. 0, or -errno after printing "CMD: why". */
int report__read(struct profile *p, const char *cmd, const char *path);

/* Parse --minwidth ARG (a percent, 0 to 100) into opts. 0, or -EINVAL after printing why. */
int report__minwidth(const char *cmd, const char *arg, struct emit_opts *opts);

/*
 * Open the output OUT (io/atomic_file.h: NULL or "-" is stdout) before the input is read, so a
 * bad -o fails before a long read. 0, or -errno after a one-line error.
 */
int report__open_output(struct atomic_file **afp, const char *cmd, const char *path,
			enum out_format fmt);

/* Write p in fmt into af (opened for path) and commit it. 0, or -errno after a one-line error. */
int report__write(struct atomic_file *af, const char *cmd, const char *path,
		  const struct profile *p, enum out_format fmt, const struct emit_opts *opts);

#endif /* BPFPROF_REPORT_IO_H */
