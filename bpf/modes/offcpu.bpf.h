/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * modes/offcpu.bpf.h - off-CPU time: where threads block and for how long (-e offcpu), and the
 * off-CPU half of wall-clock profiles (-e wall).
 *
 * One program on sched_switch does both halves. When a target thread leaves the CPU (prev), it
 * takes that thread's stacks (it is the current task: its kernel stack says why it blocked,
 * futex_wait, ep_poll, io_schedule) and notes the time. When a thread comes back (next), the
 * time it was away is counted, in nanoseconds, for the stacks it left with. This kernel may have
 * neither kprobes nor BPF trampolines, so no hook runs in the returning thread's own context;
 * and a thread can stay away across any number of drains, so its stacks go to `offcpu_stacks`,
 * a stack map that is not flipped with the sets (collect/sampler.c resolves kind OFFCPU there).
 *
 * -e offcpu counts blocks (the thread was not runnable: sleeping, waiting for I/O or a lock) of
 * at least offcpu_min_ns; -e wall sets offcpu_runnable so that time spent preempted, waiting for
 * a CPU, counts too, and every nanosecond off the CPU is accounted.
 */
#ifndef BPFPROF_MODES_OFFCPU_BPF_H
#define BPFPROF_MODES_OFFCPU_BPF_H

#include "modes/common.bpf.h"

#define TASK_RUNNING 0x0000
#define TASK_DEAD 0x0080
/* kernel frames of this program itself on a stack taken here: the program, bpf_trace_run4 */
#define OFFCPU_SKIP 2

const volatile __u64 offcpu_min_ns = 0;	     /* --min-block */
const volatile bool offcpu_runnable = false; /* wall: preempted time counts too */

struct offcpu_start {
	__u64 ns; /* bpf_ktime_get_ns() when it left */
	__s32 kstack_id, ustack_id;
	__u64 ustack; /* a CFI walk's key in offcpu_ustacks (bpf/unwind/native.bpf.h), or 0 */
};

/* tid -> when it left the CPU, and with which stacks */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct offcpu_start);
	__uint(max_entries, 65536);
} offcpu_starts SEC(".maps");

/* the stacks threads left with; kept across drains (--stack-storage-size) */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);
} offcpu_stacks SEC(".maps");

struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

/* prev is leaving: note when, and its stacks, if it blocks (or, for wall, at all). */
static __always_inline void offcpu_leave(void *ctx, struct task_struct *prev)
{
	__u32 pid = BPF_CORE_READ(prev, tgid), tid = BPF_CORE_READ(prev, pid);
	long state = task_state(prev);
	struct offcpu_start st = { .kstack_id = -ENOENT, .ustack_id = -ENOENT };

	if (!tid || (state & TASK_DEAD) || (state == TASK_RUNNING && !offcpu_runnable) ||
	    !mode_wants(pid))
		return;
	if (want_kernel)
		st.kstack_id = get_stack(ctx, &offcpu_stacks, OFFCPU_SKIP, STAT_KSTACK_LOST,
					 STAT_KSTACK_COLLISION);
	if (want_user)
		take_user_stack_kept(ctx, &offcpu_stacks, &st.ustack_id, &st.ustack);
	st.ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&offcpu_starts, &tid, &st, BPF_ANY);
}

/* next is back: count the time it was away for the stacks it left with. */
static __always_inline void offcpu_return(struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(next, pid), set;
	struct offcpu_start *st = bpf_map_lookup_elem(&offcpu_starts, &tid);
	struct sample_key key = { .kind = BP_KIND_OFFCPU };
	__u64 delta;

	if (!st)
		return;
	delta = bpf_ktime_get_ns() - st->ns;
	key.kstack_id = st->kstack_id;
	key.ustack_id = st->ustack_id;
	key.ustack = st->ustack;
	bpf_map_delete_elem(&offcpu_starts, &tid);
	if (delta < offcpu_min_ns)
		return;
	key.pid = BPF_CORE_READ(next, tgid);
	if (per_thread) {
		key.tid = tid;
		BPF_CORE_READ_STR_INTO(&key.tcomm, next, comm);
	}
	stat_inc(STAT_SAMPLES);
	__sync_fetch_and_add(&mode_count[BP_KIND_OFFCPU], 1);
	__sync_fetch_and_add(&mode_weight[BP_KIND_OFFCPU], delta);
	set = *(volatile __u32 *)&active & 1;
	count_stack(set ? (void *)&counts1 : (void *)&counts0, &key, set, 1, delta, next);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	offcpu_leave(ctx, prev);
	offcpu_return(next);
	return 0;
}

#endif /* BPFPROF_MODES_OFFCPU_BPF_H */
