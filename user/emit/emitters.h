/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * emit/emitters.h - one writer per output format, each in its own file; emit__write() (emit/emit.c) is
 * the only caller outside the tests. Each reads the profile and never changes it, writes the
 * whole file to out and returns 0 or -errno (-EIO when out reports a write error).
 */
#ifndef BPFPROF_EMITTERS_H
#define BPFPROF_EMITTERS_H

#include <stdbool.h>
#include <stdio.h>

#include "emit/emit.h"
#include "model/profile.h"

/* emit/flamegraph_html.c: the interactive page; diff: column 1 (NEW) against 0 (BASE). */
int flamegraph_html__write(const struct profile *p, FILE *out, const struct emit_opts *opts,
			   bool diff);

/* emit/pprof.c: gzip'd perftools.profiles.Profile protobuf, as `go tool pprof` reads. */
int pprof__write(const struct profile *p, FILE *out, const struct emit_opts *opts);

/* emit/speedscope.c: speedscope's JSON file format, one "sampled" profile. */
int speedscope__write(const struct profile *p, FILE *out, const struct emit_opts *opts);

/* emit/text.c: flat top-N by self and total, then the hottest stacks. */
int text__write(const struct profile *p, FILE *out, const struct emit_opts *opts);

#endif /* BPFPROF_EMITTERS_H */
