/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * modes/common.bpf.h - what the off-CPU, lock and allocation programs share, included by each
 * (and compiled into bpf/cpu.bpf.c, after its maps and record_value()): the target filter at the
 * start of a measured interval, the per-kind totals the live status line reads, and the names
 * a runtime's agent gives samples as their leaf (Java classes: agent/probes.c).
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

/* id -> name (bpf/abi/sample.h), read once from the agent's memory; user space reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct leaf_name);
	__uint(max_entries, 16384);
} leaf_names SEC(".maps");

/* a leaf_name off the stack (512 bytes): the copy is made here */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct leaf_name);
	__uint(max_entries, 1);
} leaf_scratch SEC(".maps");

/*
 * The agent's name at user address name, known as id: kept in leaf_names the first time.
 * Returns id, or 0 when it is not there (a full map): the sample goes without a leaf.
 */
static __always_inline __u32 leaf_keep(const char *name, __u32 id)
{
	__u32 zero = 0;
	struct leaf_name *n;

	if (!id || bpf_map_lookup_elem(&leaf_names, &id))
		return id;
	n = bpf_map_lookup_elem(&leaf_scratch, &zero);
	if (!n || bpf_probe_read_user_str(n->name, sizeof(n->name), name) <= 1)
		return 0;
	bpf_map_update_elem(&leaf_names, &id, n, BPF_NOEXIST);
	return bpf_map_lookup_elem(&leaf_names, &id) ? id : 0;
}

/* record_value() for a mode, adding to the live totals; leaf: 0 or an id in leaf_names. */
static __always_inline int mode_record_leaf(void *ctx, __u32 kind, __u64 count, __u64 weight,
					    bool kernel, __u32 leaf)
{
	if (kind < BP_KIND_MAX) {
		__sync_fetch_and_add(&mode_count[kind], count);
		__sync_fetch_and_add(&mode_weight[kind], weight);
	}
	return record_value(ctx, kind, count, weight, kernel, leaf);
}

static __always_inline int mode_record(void *ctx, __u32 kind, __u64 count, __u64 weight,
				       bool kernel)
{
	return mode_record_leaf(ctx, kind, count, weight, kernel, 0);
}

#endif /* BPFPROF_MODES_COMMON_BPF_H */
