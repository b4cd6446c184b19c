/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * io/pprof_input.h - read a pprof profile (perftools.profiles.Profile, gzip'd or plain protobuf)
 * into the profile model: the monitor's window files read back by `report --dir` and the HTTP
 * queries, and `bpfprof report FILE.pb.gz` for any pprof file (Go's runtime/pprof included).
 *
 * Invariants:
 *  - a file written by emit/pprof.c comes back exactly: the same stacks with the same frame
 *    names, kinds, modules and build-ids, label sets, value columns and types, and meta (event,
 *    unit, period, start, duration, host, title); frame ids and stack order may differ;
 *  - any other pprof reads sensibly: each Location's Lines become frames (the last Line a native
 *    frame, the ones before it frames inlined into it), Mapping files become modules, string
 *    labels stay labels, numeric labels become decimal strings, at most PROFILE_MAX_VALUES
 *    sample types are kept (the first ones), and the period type gives the event and unit;
 *  - input is bounded: more than PPROF_INPUT_MAX bytes after gunzip is refused before it is
 *    unpacked; a file that is not a well-formed profile is -EINVAL with a one-line reason, never
 *    a crash.
 */
#ifndef BPFPROF_PPROF_INPUT_H
#define BPFPROF_PPROF_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "model/profile.h"

#define PPROF_INPUT_MAX (512ULL << 20)

/*
 * Read the pprof in f into p, which must hold no stacks yet (its columns are replaced by the
 * file's sample types). 0, or -errno with a one-line reason in err: -EINVAL (not a profile,
 * corrupt), -EFBIG (over PPROF_INPUT_MAX), -ENOMEM, or a read error.
 */
int pprof_input__read(FILE *f, struct profile *p, char *err, size_t errlen);

/* Does an input starting with byte c look like pprof rather than folded text? (gzip's 0x1f) */
static inline bool pprof_input__sniff(int c)
{
	return c == 0x1f;
}

#endif /* BPFPROF_PPROF_INPUT_H */
