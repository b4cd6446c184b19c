/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/stack_builder.h - one collected sample (pid, tid, kernel and user instruction
 * pointers, count and weight; collect/sample.h) into the profile model: process frame, optional
 * thread frame, user frames root first, then kernel frames, each named by the symbolizer; a
 * stack the kernel could not give becomes one "[user stack lost]"/"[kernel stack lost]" frame.
 * Accounts named, unnamed and lost frames on the way (struct stack_builder_stats) for a summary.
 */
#ifndef BPFPROF_STACK_BUILDER_H
#define BPFPROF_STACK_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include "collect/sample.h"
#include "model/profile.h"
#include "symbolize/symbolizer.h"

/* Frame and loss counters, each weighted by samples (a frame in a stack of 5 samples counts 5). */
struct stack_builder_stats {
	uint64_t user_frames, user_unnamed, user_anon; /* unnamed: "[module]"; anon: "[anon]" */
	uint64_t kernel_frames, kernel_unnamed;
	uint64_t truncated; /* stacks cut at SAMPLE_MAX_DEPTH */
	uint64_t garbage;   /* of those, mostly frames no mapping holds: a walk gone astray */
	uint64_t dropped;   /* samples the profile could not take (out of memory) */
};

struct stack_builder {
	struct profile *profile;
	struct symbolizer *sym;
	struct stack_builder_stats *st; /* added to, never reset */
	bool threads, user, kernel;	/* which frames the recording asked for */
	struct u64map *pids;		/* pids seen, to count processes; may be NULL */
	/* The label set of pid's samples in b->profile (profile__labelset), 0: none. May be NULL. */
	int64_t (*labels)(void *ctx, struct profile *p, uint32_t pid);
	void *labels_ctx;
	bool (*keep)(void *ctx, uint32_t pid); /* NULL: every sample; false drops the sample */
	/* Where each kind's count and weight go (collect/mode.h); NULL: {count, weight}. */
	const struct sample_columns *cols;
};

/* Add one sample's stack with its count and weight to b->profile. */
void stack_builder__add(struct stack_builder *b, const struct sample *s);

#endif /* BPFPROF_STACK_BUILDER_H */
