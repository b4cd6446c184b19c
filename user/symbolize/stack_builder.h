/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/stack_builder.h - one unique stack from the BPF side (pid, tid, kernel and user instruction
 * pointers, count) into the profile model: process frame, optional thread frame, user frames
 * root first, then kernel frames, each named by the symbolizer; accounts unnamed and lost
 * frames on the way for the summary.
 */
#ifndef BPFPROF_STACKS_H
#define BPFPROF_STACKS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/abi/sample.h"
#include "model/profile.h"
#include "cli/record.h"
#include "symbolize/symbolizer.h"

struct stack_builder {
	struct profile *profile;
	struct symbolizer *sym;
	struct record_stats *st;    /* frame and loss counters, weighted by samples */
	bool threads, user, kernel; /* which frames the recording asked for */
	struct u64map *pids;	    /* pids seen, to count processes */
};

/* Add one BPF stack (ips leaf first, 0-terminated) with its count to b->profile. */
void stack_builder__add(struct stack_builder *b, const struct sample_key *k, uint64_t count,
			const uint64_t *kips, const uint64_t *uips);

#endif /* BPFPROF_STACKS_H */
