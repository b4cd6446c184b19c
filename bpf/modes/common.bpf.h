/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * modes/common.bpf.h - what the off-CPU, lock and allocation programs share, included by each
 * (and compiled into bpf/cpu.bpf.c, after its maps and record_value()): the target filter at the
 * start of a measured interval, and the per-kind totals the live status line reads.
 */
#ifndef BPFPROF_MODES_COMMON_BPF_H
#define BPFPROF_MODES_COMMON_BPF_H

/* Per kind: events counted and their summed weight (bp_kind's unit), read through the skeleton. */
__u64 mode_count[BP_KIND_MAX];
__u64 mode_weight[BP_KIND_MAX];

/* Whether the process pid is one we measure: the same rule record_value() applies. */
static __always_inline bool mode_wants(__u32 pid)
{
	if (!pid && !include_idle)
		return false;
	return !filter_pids || bpf_map_lookup_elem(&target_pids, &pid);
}

/* record_value() for a mode, adding to the live totals. */
static __always_inline int mode_record(void *ctx, __u32 kind, __u64 count, __u64 weight,
				       bool kernel)
{
	if (kind < BP_KIND_MAX) {
		__sync_fetch_and_add(&mode_count[kind], count);
		__sync_fetch_and_add(&mode_weight[kind], weight);
	}
	return record_value(ctx, kind, count, weight, kernel);
}

#endif /* BPFPROF_MODES_COMMON_BPF_H */
