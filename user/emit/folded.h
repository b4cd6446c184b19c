/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * emit/folded.h - the folded-stack text format (flamegraph.pl, speedscope, inferno): one line per
 * unique stack, "frame;frame;...;leaf COUNT", root first, kinds carried as _[k]/_[j]/_[i].
 *
 * The writer is the default emitter; the reader feeds `report` and `diff` with ours or any
 * flamegraph.pl-style input. The first frame of a line is taken as the process frame, and a
 * frame "[name tid=N]" right after it as the thread frame.
 */
#ifndef BPFPROF_FOLDED_H
#define BPFPROF_FOLDED_H

#include <stdint.h>
#include <stdio.h>
#include "model/profile.h"

/*
 * A line longer than this is an error, not a reason to grow without end (/dev/zero, a pipe that
 * never sends "\n"). Our longest line has 2 + 2 * 127 frames (process, thread, user, kernel):
 * 4 MiB leaves 16 KiB per frame name, far above the longest demangled C++ names (a few KiB), and
 * async-profiler's deepest default Java stack (2048 frames) still gets 2 KiB a frame.
 */
#define FOLDED_MAX_LINE (4u << 20)
/* Counts and their sum stop here: pprof stores them as int64. */
#define FOLDED_MAX_COUNT INT64_MAX
/*
 * A profile whose values are not sample counts carries its unit in comment lines before its
 * stacks (flamegraph.pl and the like skip them): the event, column 0's type and the unit, e.g.
 * "# event: offcpu", "# type: off_cpu", "# unit: nanoseconds". The reader gives column 0 (and a
 * second "new" column) that type and unit; a unit line after stacks of another unit is an error.
 */
#define FOLDED_EVENT "# event: "
#define FOLDED_TYPE "# type: "
#define FOLDED_UNIT "# unit: "
/* What folded__write writes for a profile without samples, and folded__read accepts as one. */
#define FOLDED_EMPTY "# empty profile: no samples were recorded"

/*
 * Write every stack of p, sorted, as folded lines; a profile without samples is the single line
 * FOLDED_EMPTY. Lines carry column 0; with two_counts, columns 0 and 1: "stack BASE NEW". A
 * unit other than "count" is written first (FOLDED_UNIT).
 */
int folded__write(const struct profile *p, FILE *out, int two_counts);

/*
 * Read folded lines from in into p (adding to what it holds). Lines may carry one count, or two
 * ("BASE NEW", as difffolded.pl writes). One count goes to column 0; two go to columns 0 and 1,
 * and give a profile without stacks two columns {"base", unit}, {"new", unit} (a two-count line
 * after one-count lines is -EINVAL). Blank lines and lines starting with '#' are skipped. On a malformed line (or one longer than FOLDED_MAX_LINE, or counts above
 * FOLDED_MAX_COUNT): -EINVAL and err says "NAME:LINE: why". A read error is -errno. An input with
 * no valid line is -ENODATA, unless it holds the FOLDED_EMPTY line: then it is an empty profile
 * and 0. 0 on success.
 */
int folded__read(struct profile *p, FILE *in, const char *name, char *err, size_t errlen);

#endif /* BPFPROF_FOLDED_H */
