/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * emit_fixture.h - a small known profile for the emitter tests and a helper that captures an
 * emitter's output in memory. The profile is the 60/30/10 split (plus a kernel frame under
 * hot_c) with a thread frame, so every emitter has kinds, labels and percentages to get right.
 * fixture__split_cpu is the same stacks with a second column, {"cpu","nanoseconds"}, whose
 * shares are the other way round (hot_a 10%, hot_b 30%, hot_c 60% of 1 s), so a reader that
 * picks the wrong column shows it.
 */
#ifndef BPFPROF_EMIT_FIXTURE_H
#define BPFPROF_EMIT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "model/profile.h"

/* The split's stacks with values v[hot_a, hot_b, hot_c][column] in columns types[0..n). */
static inline struct profile *fixture__columns(const struct pf_value_type *types, int n,
					       const uint64_t v[3][PROFILE_MAX_VALUES])
{
	struct profile *p = profile__new();
	uint32_t proc = profile__frame(p, "split", FRAME_PROCESS, NULL, NULL);
	uint32_t thr = profile__frame(p, "[split tid=42]", FRAME_THREAD, NULL, NULL);
	uint32_t mainf = profile__frame(p, "main", FRAME_NATIVE, "/bin/split", "beef01");
	uint32_t a = profile__frame(p, "hot_a", FRAME_NATIVE, "/bin/split", NULL);
	uint32_t b = profile__frame(p, "hot_b", FRAME_NATIVE, "/bin/split", NULL);
	uint32_t c = profile__frame(p, "hot_c", FRAME_NATIVE, "/bin/split", NULL);
	uint32_t k = profile__frame(p, "do_syscall_64", FRAME_KERNEL, "[kernel.kallsyms]", NULL);

	if (profile__set_types(p, types, n)) {
		profile__free(p);
		return NULL;
	}
	/* Inserted out of order on purpose: emitters must sort. */
	profile__add_stack(p, (uint32_t[]){ proc, thr, mainf, b }, 4, v[1]);
	profile__add_stack(p, (uint32_t[]){ proc, thr, mainf, c, k }, 5, v[2]);
	profile__add_stack(p, (uint32_t[]){ proc, thr, mainf, a }, 4, v[0]);
	strcpy(p->meta.event, "cpu");
	strcpy(p->meta.unit, "nanoseconds");
	p->meta.period = 10000000;
	p->meta.start_ns = 1700000000000000000ULL;
	p->meta.duration_s = 1.5;
	strcpy(p->meta.host, "testhost");
	return p;
}

static inline struct profile *fixture__split(void)
{
	static const struct pf_value_type samples = { "samples", "count" };
	static const uint64_t v[3][PROFILE_MAX_VALUES] = { { 60 }, { 30 }, { 10 } };

	return fixture__columns(&samples, 1, v);
}

static inline struct profile *fixture__split_cpu(void)
{
	static const struct pf_value_type types[] = { { "samples", "count" },
						      { "cpu", "nanoseconds" } };
	static const uint64_t v[3][PROFILE_MAX_VALUES] = { { 60, 100000000 },
							   { 30, 300000000 },
							   { 10, 600000000 } };

	return fixture__columns(types, 2, v);
}

/*
 * Run call, which writes to a FILE named `out`, into memory: *bufp gets the bytes (NUL-terminated,
 * the caller frees them) or NULL when call failed.
 */
#define fixture__capture(bufp, lenp, call)                  \
	do {                                                \
		FILE *out = open_memstream((bufp), (lenp)); \
		int ret_ = (call);                          \
		fclose(out);                                \
		if (ret_) {                                 \
			free(*(bufp));                      \
			*(bufp) = NULL;                     \
		}                                           \
	} while (0)

#endif /* BPFPROF_EMIT_FIXTURE_H */
