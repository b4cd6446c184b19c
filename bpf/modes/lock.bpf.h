/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * modes/lock.bpf.h - lock contention (-e lock): futex waits of target threads, with the waiter's
 * stack, counted once each and weighted by the nanoseconds waited.
 *
 * User-space locks (pthread mutexes, condition variables, semaphores, Java monitors parked in
 * the JVM) take no syscall while uncontended; a thread that must wait calls futex(FUTEX_WAIT*)
 * or futex(FUTEX_LOCK_PI*). The syscall's entry notes the time, its exit counts the wait, taking
 * the stack there: the user stack is the one that called futex (the kernel stack at a syscall's
 * exit says nothing, so it is not taken).
 *
 * A JVM with our agent (agent/monitors.c) names the class of the monitor a thread is about to
 * wait for (bpfprof_monitor_wait) and says when it got it (bpfprof_monitor_done): the futex
 * waits in between carry that class as their leaf.
 */
#ifndef BPFPROF_MODES_LOCK_BPF_H
#define BPFPROF_MODES_LOCK_BPF_H

#include "modes/common.bpf.h"

#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2 13
#define FUTEX_CMD_MASK 127 /* without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256) */

/* tid -> when its futex wait began */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 65536);
} lock_start SEC(".maps");

/* tid -> the leaf_names id of the Java monitor's class it waits for */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 65536);
} lock_monitor SEC(".maps");

static __always_inline bool futex_waits(long op)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_LOCK_PI:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_LOCK_PI2:
		return true;
	}
	return false;
}

SEC("tracepoint/syscalls/sys_enter_futex")
int on_futex_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tid = (__u32)id;

	if (!futex_waits(ctx->args[1]) || !mode_wants(id >> 32))
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&lock_start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_futex")
int on_futex_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&lock_start, &tid), delta;
	__u32 *monitor;

	if (!start)
		return 0;
	delta = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&lock_start, &tid);
	monitor = bpf_map_lookup_elem(&lock_monitor, &tid);
	return mode_record_leaf(ctx, BP_KIND_LOCK, 1, delta, false, monitor ? *monitor : 0);
}

SEC("uprobe")
int BPF_KPROBE(on_monitor_wait, const char *cls, __u32 id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (!mode_wants(pid_tgid >> 32))
		return 0;
	id = leaf_keep(cls, id);
	if (id)
		bpf_map_update_elem(&lock_monitor, &tid, &id, BPF_ANY);
	return 0;
}

SEC("uprobe")
int on_monitor_done(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&lock_monitor, &tid);
	return 0;
}

#endif /* BPFPROF_MODES_LOCK_BPF_H */
