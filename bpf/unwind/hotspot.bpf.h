/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unwind/hotspot.bpf.h - name the frames HotSpot's template interpreter runs: the walk
 * (native.bpf.h) asks, per frame, what to record for it; for a pc inside the process's
 * interpreter range (hotspot_procs, written by user space from the perf map) the answer is the
 * frame's Method*, tagged (bpf/abi/unwind.h), read from its fixed slot below the frame pointer.
 * Interpreter frames always keep rbp as their frame pointer, whatever -XX:+PreserveFramePointer
 * says, and the walk leaves it in s->bp for the frame whose pc it records. A leaf caught in the
 * interpreter's entry code before it set rbp reads its caller's slot: a wrong Method* there is
 * a caller's name or, not in the agent's table, the interpreter's.
 */
#ifndef BPFPROF_BPF_UNWIND_HOTSPOT_H
#define BPFPROF_BPF_UNWIND_HOTSPOT_H

#include "abi/unwind.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32); /* host tgid */
	__type(value, struct hotspot_interp);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* written from user space only */
} hotspot_procs SEC(".maps");

__u64 hotspot_stats[HOTSPOT_STAT_MAX];

/* The current process's interpreter range into *in ({0, 0}: not a JVM we know). */
static __always_inline void hotspot_walk_begin(struct hotspot_interp *in)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct hotspot_interp *v = bpf_map_lookup_elem(&hotspot_procs, &pid);

	in->start = v ? v->start : 0;
	in->end = v ? v->end : 0;
}

/*
 * Does the BPF walk take pid's stacks even before its unwind tables are built (a walk by frame
 * pointers, as the kernel's would be), so that its interpreted frames are named from the start?
 */
static __always_inline bool hotspot_walk_anyway(__u32 pid)
{
	return unwind_mode != UNWIND_MODE_FP && bpf_map_lookup_elem(&hotspot_procs, &pid);
}

/*
 * What the walk records for the frame at pc (look: pc, or pc - 1 for a return address) with
 * frame pointer bp: its tagged Method* when look is interpreter code, else pc.
 */
static __always_inline __u64 hotspot_frame(const struct hotspot_interp *in, __u64 pc, __u64 look,
					   __u64 bp)
{
	__u64 method = 0;

	if (look < in->start || look >= in->end)
		return pc;
	__sync_fetch_and_add(&hotspot_stats[HOTSPOT_STAT_FRAMES], 1);
	if (!bp || bpf_probe_read_user(&method, sizeof(method),
				       (const void *)(bp + HOTSPOT_METHOD_SLOT * 8)))
		return pc;
	if (!method || (method & 7) || (method & UNWIND_FRAME_TAG_MASK))
		return pc;
	__sync_fetch_and_add(&hotspot_stats[HOTSPOT_STAT_NAMED], 1);
	return UNWIND_FRAME_HOTSPOT | method;
}

#endif /* BPFPROF_BPF_UNWIND_HOTSPOT_H */
