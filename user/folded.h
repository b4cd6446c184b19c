/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * folded.h - the folded-stack text format (flamegraph.pl, speedscope, inferno): one line per
 * unique stack, "frame;frame;...;leaf COUNT", root first, kinds carried as _[k]/_[j]/_[i].
 *
 * The writer is the default emitter; the reader feeds `report` and `diff` with ours or any
 * flamegraph.pl-style input. The first frame of a line is taken as the process frame, and a
 * frame "[name tid=N]" right after it as the thread frame.
 */
#ifndef BPFPROF_FOLDED_H
#define BPFPROF_FOLDED_H

#include <stdio.h>
#include "profile.h"

/* Write every stack of p, sorted, as folded lines. With two_counts: "stack COUNT COUNT2". */
int folded__write(const struct profile *p, FILE *out, int two_counts);

/*
 * Read folded lines from in into p (adding to what it holds). Lines may carry one count, or two
 * ("BASE NEW", as difffolded.pl writes; the second goes to count2). Blank lines and lines starting
 * with '#' are skipped. On a malformed line: -EINVAL and err says "NAME:LINE: why". An input with
 * no valid line is -ENODATA. 0 on success.
 */
int folded__read(struct profile *p, FILE *in, const char *name, char *err, size_t errlen);

#endif /* BPFPROF_FOLDED_H */
