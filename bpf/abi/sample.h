/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sample.h - the ABI between the BPF programs (bpf/cpu.bpf.c) and the loader: map keys, values and events.
 *
 * The BPF side aggregates samples in the kernel: one `counts` entry per unique
 * (process, thread, kernel stack, user stack) with a count and a weight, so only unique stacks
 * and their values cross into user space. There are two sets of `stacks`/`counts` maps; samples go to the
 * set named by `active` while user space drains the other. `events` is a ring buffer telling the
 * loader about processes it has not seen yet (and execs), so it can snapshot their mappings while
 * they are alive, and about the exit of those it was told about, so it can let go of what it holds
 * for them.
 */
#ifndef BPFPROF_BPF_PROFILE_H
#define BPFPROF_BPF_PROFILE_H

#define TASK_COMM_LEN 16
#define MAX_STACK_DEPTH 127 /* PERF_MAX_STACK_DEPTH: the kernel walks no deeper */

/*
 * Small on purpose: it is hashed on every sample. Process names and namespace pids travel once
 * per process in struct bp_event instead.
 */
struct sample_key {
	__u32 pid;	 /* host tgid */
	__u32 tid;	 /* host tid, 0 unless --threads */
	__s32 kstack_id; /* -errno when missing (user-only, collision, ...) */
	__s32 ustack_id; /* in stacks0/1 (frame pointers), unless ustack is set */
	__u64 ustack;	 /* 0, or the key in ustacks0/1 of a stack walked by bpf/unwind/ */
	char tcomm[TASK_COMM_LEN]; /* thread name, only with --threads */
	__u32 kind;		   /* enum bp_kind: which mode's program counted it */
	__u32 leaf; /* 0, or the id of a name in leaf_names: a Java class, shown as the leaf */
};

/*
 * leaf_names' value: what a runtime named for a sample, under the id its agent gave it (a hash
 * of the name): the class a sampled Java allocation made (BP_KIND_ALLOC) or the class of the
 * monitor a futex wait waited for (BP_KIND_LOCK). NUL-terminated, cut at LEAF_NAME_LEN - 1.
 */
#define LEAF_NAME_LEN 128
struct leaf_name {
	char name[LEAF_NAME_LEN];
};

/*
 * What a counts entry measures, set by the program that counted it, so several modes can share
 * the maps (-e cpu,offcpu) without their stacks merging. Weights are in the kind's unit.
 */
enum bp_kind {
	BP_KIND_CPU,	/* a perf event, tracepoint or probe hit: weight in the event's unit */
	BP_KIND_OFFCPU, /* a thread blocked: weight in ns until it ran again */
	BP_KIND_LOCK,	/* a futex wait: weight in ns waited */
	BP_KIND_ALLOC,	/* sampled allocations: weight in bytes, count in objects (estimates) */
	BP_KIND_MAX,
};

/*
 * The `counts` value: samples taken, and what they weigh in the event's unit (the perf event's
 * sample period: nanoseconds for cpu-clock, events for a hardware counter; 1 for a tracepoint
 * or probe hit).
 */
struct sample_value {
	__u64 count;
	__u64 weight;
};

enum bp_event_type {
	BP_EVENT_NEW = 1,  /* first sample of this pid */
	BP_EVENT_EXEC = 2, /* a tracked pid called exec: its mappings changed */
	BP_EVENT_EXIT = 4, /* a reported process ended: a NEW for its pid is another one */
	BP_EVENT_FULL = 8, /* the filling set reached rotate_at: only the type is sent */
	BP_EVENT_MAPS =
		16, /* the unwinder met a pc outside the process's known mappings (dlopen) */
};

struct bp_event {
	__u32 type;
	__u32 pid;
	__u32 nspid;
	__u32 pad;
	char comm[TASK_COMM_LEN];
	__u64 start_ns; /* the process's start, ns after boot: with pid, who it is */
};

/* Counters in the .bss `stats` array (atomic adds, read through the skeleton): what was lost, and why. */
enum bp_stat {
	STAT_SAMPLES,	       /* program runs that were recorded */
	STAT_FILTERED,	       /* runs dropped by the pid filter or idle */
	STAT_KSTACK_LOST,      /* bpf_get_stackid failed for the kernel stack (not -EFAULT) */
	STAT_USTACK_LOST,      /* ... for the user stack */
	STAT_KSTACK_COLLISION, /* -EEXIST: the stack map bucket held another stack */
	STAT_USTACK_COLLISION,
	STAT_COUNTS_FULL, /* the counts map was full: samples dropped */
	STAT_EVENTS_LOST, /* the ring buffer was full: a process notice dropped */
	STAT_MAX,
};

#endif /* BPFPROF_BPF_PROFILE_H */
