// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cpu.bpf.c - the sampler: runs on every sample of the chosen event and counts stacks.
 *
 * One shared body, record_sample(), behind three entry points so that any event can drive it:
 * perf_event (cpu-clock, software and hardware events), tracepoint, and kprobe/uprobe. Each run
 * takes the kernel and user stack ids and adds one sample and its weight (the perf event's
 * period, or 1) to the value keyed by (pid, [tid], stacks) in `counts`; user space drains only
 * unique stacks and their values. The first sample of a process, and every exec
 * of a tracked one, goes to the `events` ring buffer so the loader can snapshot its mappings
 * while it lives; so does its exit, after which the pid counts as unseen again (pids get reused,
 * and the loader holds nothing open for the dead). Filters are rodata and the `target_pids`
 * map: no recompilation per target.
 * The cost per sample is what matters here: the common path is two stack walks and one hash
 * lookup; new-process checks run only for new stacks, namespace pids and process names only
 * once per process, and counters are plain atomics in .bss.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "abi/sample.h"

#define ENOENT 2
#define EFAULT 14
#define EEXIST 17
#define PF_EXITING 0x00000004 /* task->flags: in do_exit(), from before its exit tracepoint */

const volatile bool filter_pids = false;  /* only pids in target_pids */
const volatile bool follow_forks = false; /* add children of targets to target_pids */
const volatile bool include_idle = false; /* pid 0 (the idle task) */
const volatile bool want_kernel = true;
const volatile bool want_user = true;
const volatile bool per_thread = false; /* tid and thread name in the key */
/* New entries after which a set is due to be drained: the sample that reaches it wakes user space. */
const volatile __u64 rotate_at = 0;

/*
 * Two sets of aggregation maps, 0 and 1: samples go to the set `active` names while user space
 * drains and empties the other one (sampler.c flips `active`, waits for programs in flight to
 * finish, then drains). So the tables only ever hold what arrived since the last flip, and a
 * long or busy run neither fills them nor loses stacks to stale buckets.
 */
#define STACK_MAP(name)                                                \
	struct {                                                       \
		__uint(type, BPF_MAP_TYPE_STACK_TRACE);                \
		__uint(key_size, sizeof(__u32));                       \
		__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));   \
		__uint(max_entries, 16384); /* --stack-storage-size */ \
	} name SEC(".maps")
#define COUNTS_MAP(name)                                       \
	struct {                                               \
		__uint(type, BPF_MAP_TYPE_HASH);               \
		__type(key, struct sample_key);                \
		__type(value, struct sample_value);            \
		__uint(max_entries, 16384); /* --max-stacks */ \
	} name SEC(".maps")

STACK_MAP(stacks0);
STACK_MAP(stacks1);
COUNTS_MAP(counts0);
COUNTS_MAP(counts1);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 4096);
} target_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 32768);
} seen_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} events SEC(".maps");

#include "unwind/native.bpf.h"

/*
 * Counters live in .bss, read by user space through the skeleton's mmap: an atomic add costs a
 * few instructions where a map lookup is a helper call (hundreds of ns in a VM).
 */
__u64 stats[STAT_MAX];
/* The set samples go to (user space flips it) and the entries each set gained since it was
 * last emptied, which tells user space when to flip. */
__u32 active;
__u64 fresh[2];

static __always_inline void stat_inc(__u32 idx)
{
	if (idx < STAT_MAX)
		__sync_fetch_and_add(&stats[idx], 1);
}

/* The tgid as the task's own pid namespace sees it: thread_pid->numbers[level].nr. */
static __always_inline __u32 task_nspid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	void *base;

	base = (void *)pid + bpf_core_field_offset(struct pid, numbers);
	bpf_probe_read_kernel(&up, sizeof(up), base + (__u64)(level & 31) * sizeof(struct upid));
	return up.nr;
}

static __always_inline void emit_bp_event(__u32 type, struct task_struct *task, __u32 pid)
{
	struct bp_event *e;

	unwind_notify(type, pid);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(STAT_EVENTS_LOST);
		return;
	}
	e->type = type;
	e->pid = pid;
	e->nspid = task_nspid(task);
	e->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	BPF_CORE_READ_STR_INTO(&e->comm, task, group_leader, comm);
	/*
	 * An exit can wait for the next wake-up; a new process must be read while it lives, so its
	 * notice wakes the reader even behind unread exits (an adaptive wake-up would not: the
	 * reader is not caught up to it).
	 */
	bpf_ringbuf_submit(e, type == BP_EVENT_EXIT ? BPF_RB_NO_WAKEUP : BPF_RB_FORCE_WAKEUP);
}

/*
 * Tell user space once about each new process, so it snapshots /proc/PID/maps in time. Not for
 * a thread already exiting: a sample taken after the exit notice would mark the pid seen again,
 * and the next process to get the pid would never be announced.
 */
static __always_inline void note_pid(__u32 pid, struct task_struct *task)
{
	__u8 one = 1;

	if (!task) /* the current task's sample */
		task = (struct task_struct *)bpf_get_current_task();

	if (bpf_map_lookup_elem(&seen_pids, &pid) || (BPF_CORE_READ(task, flags) & PF_EXITING))
		return;
	bpf_map_update_elem(&seen_pids, &pid, &one, BPF_ANY);
	emit_bp_event(BP_EVENT_NEW, task, pid);
}

static __always_inline __s32 get_stack(void *ctx, void *map, __u64 flags, __u32 lost,
				       __u32 collision)
{
	long id = bpf_get_stackid(ctx, map, flags);

	if (id == -EEXIST)
		stat_inc(collision);
	else if (id < 0 && id != -EFAULT) /* -EFAULT: no stack of this kind (kernel thread) */
		stat_inc(lost);
	return id;
}

static __always_inline void add_value(struct sample_value *v, __u64 count, __u64 weight)
{
	__sync_fetch_and_add(&v->count, count);
	__sync_fetch_and_add(&v->weight, weight);
}

/* Once per set and window: a bare notice on the ring buffer, so the poll returns and drains now. */
static __noinline void wake_for_rotation(void)
{
	__u32 *type = bpf_ringbuf_reserve(&events, sizeof(*type), 0);

	if (!type)
		return;
	*type = BP_EVENT_FULL;
	bpf_ringbuf_submit(type, BPF_RB_FORCE_WAKEUP);
}

/* Add to key's value in counts; task: whose stack it is, when not the current task's (NULL). */
static __always_inline void count_stack(void *counts, struct sample_key *key, __u32 set,
					__u64 count, __u64 weight, struct task_struct *task)
{
	struct sample_value first = { count, weight }, *v;
	long err;

	v = bpf_map_lookup_elem(counts, key);
	if (v) {
		add_value(v, count, weight);
		return;
	}
	/* A new stack: the only path where a new process can show up, so check for one here. */
	note_pid(key->pid, task);
	err = bpf_map_update_elem(counts, key, &first, BPF_NOEXIST);
	if (err == -EEXIST) { /* another CPU inserted it first */
		v = bpf_map_lookup_elem(counts, key);
		if (v)
			add_value(v, count, weight);
	} else if (err) {
		stat_inc(STAT_COUNTS_FULL);
	} else if (__sync_fetch_and_add(&fresh[set & 1], 1) + 1 == rotate_at) {
		wake_for_rotation();
	}
}

/*
 * The user stack: walked here with the CFI tables of its process (bpf/unwind/native.bpf.h) when
 * it has them and --unwind allows, else by the kernel's frame-pointer walk into `stacks`.
 */
static __always_inline void take_user_stack(void *ctx, void *stacks, struct sample_key *key,
					    __u32 set)
{
	struct unwind_proc *proc = NULL;

	if (unwind_mode != UNWIND_MODE_FP)
		proc = bpf_map_lookup_elem(&unwind_procs, &key->pid);
	if (!proc && !hotspot_walk_anyway(key->pid)) {
		if (unwind_mode != UNWIND_MODE_FP)
			unwind_stat(UNWIND_STAT_FP_ONLY);
		key->ustack_id = get_stack(ctx, stacks, BPF_F_USER_STACK, STAT_USTACK_LOST,
					   STAT_USTACK_COLLISION);
		return;
	}
	key->ustack =
		unwind_user(proc, set ? (void *)&ustacks1 : (void *)&ustacks0, &key->ustack_id);
	if (key->ustack)
		key->ustack_id = 0;
}

/*
 * The same for a stack that must outlive the sets (off-CPU): frame-pointer walks into fp_map,
 * CFI walks into offcpu_ustacks. *id and *ustack as in struct sample_key.
 */
static __always_inline void take_user_stack_kept(void *ctx, void *fp_map, __s32 *id, __u64 *ustack)
{
	struct unwind_proc *proc = NULL;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (unwind_mode != UNWIND_MODE_FP)
		proc = bpf_map_lookup_elem(&unwind_procs, &pid);
	if (!proc && !hotspot_walk_anyway(pid)) {
		*id = get_stack(ctx, fp_map, BPF_F_USER_STACK, STAT_USTACK_LOST,
				STAT_USTACK_COLLISION);
		return;
	}
	*ustack = unwind_user(proc, &offcpu_ustacks, id);
	if (*ustack)
		*id = 0;
}

/*
 * The stacks of the current task into key: the one place every mode takes them (cpu samples,
 * off-CPU switches, futex waits, allocations), so how stacks are walked is decided here once.
 */
static __always_inline void take_stacks(void *ctx, void *stacks, struct sample_key *key,
					bool kernel, __u32 set)
{
	key->kstack_id = key->ustack_id = -ENOENT;
	if (want_kernel && kernel)
		key->kstack_id = get_stack(ctx, stacks, 0, STAT_KSTACK_LOST, STAT_KSTACK_COLLISION);
	if (want_user)
		take_user_stack(ctx, stacks, key, set);
}

/*
 * Count one event of `kind` (bp_kind: cpu samples are kind 0) for the current task: `count`
 * occurrences weighing `weight` in the kind's unit. kernel: whether its kernel stack says
 * anything (not at a uprobe or a syscall's exit). leaf: a name in leaf_names shown under the
 * stack (bpf/modes/common.bpf.h), 0: none. Constants inline away for the cpu path.
 */
static __always_inline int record_value(void *ctx, __u32 kind, __u64 count, __u64 weight,
					bool kernel, __u32 leaf)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sample_key key = { .kind = kind, .leaf = leaf };
	__u32 set = *(volatile __u32 *)&active & 1;
	void *stacks = set ? (void *)&stacks1 : (void *)&stacks0;

	key.pid = id >> 32;
	if ((!key.pid && !include_idle) ||
	    (filter_pids && !bpf_map_lookup_elem(&target_pids, &key.pid))) {
		stat_inc(STAT_FILTERED);
		return 0;
	}
	stat_inc(STAT_SAMPLES);
	if (per_thread) {
		key.tid = (__u32)id;
		bpf_get_current_comm(&key.tcomm, sizeof(key.tcomm));
	} else if (BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), flags) &
		   PF_EXITING) {
		/* no new-process notice for an exiting task (note_pid): its name comes with it */
		bpf_get_current_comm(&key.tcomm, sizeof(key.tcomm));
	}
	take_stacks(ctx, stacks, &key, kernel, set);
	count_stack(set ? (void *)&counts1 : (void *)&counts0, &key, set, count, weight, NULL);
	return 0;
}

static __always_inline int record_sample(void *ctx, __u64 weight)
{
	return record_value(ctx, BP_KIND_CPU, 1, weight, true, 0);
}

SEC("perf_event")
int on_perf_event(struct bpf_perf_event_data *ctx)
{
	/* the period this sample closed: ns for cpu-clock (varies under -F), events otherwise */
	return record_sample(ctx, ctx->sample_period);
}

SEC("tracepoint")
int on_tracepoint(void *ctx)
{
	return record_sample(ctx, 1);
}

SEC("kprobe")
int on_probe(struct pt_regs *ctx)
{
	return record_sample(ctx, 1);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid = BPF_CORE_READ(parent, tgid), cpid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!follow_forks || ppid == cpid || !bpf_map_lookup_elem(&target_pids, &ppid))
		return 0;
	bpf_map_update_elem(&target_pids, &cpid, &one, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (!bpf_map_lookup_elem(&seen_pids, &pid)) {
		/* a target not sampled yet (a command's child before its exec): its tables now,
		 * before its first samples and blocks (host-wide, only processes that are sampled) */
		if (filter_pids && bpf_map_lookup_elem(&target_pids, &pid))
			unwind_notify(BP_EVENT_EXEC, pid);
		return 0;
	}
	emit_bp_event(BP_EVENT_EXEC, p, pid);
	return 0;
}

/*
 * The last thread of a process we told user space about is exiting. Not "the leader exits":
 * a leader can exit before its threads, and a non-leader exec kills the leader while the process
 * goes on. signal->live counts the threads not yet past this point in do_exit(). Deleting from
 * seen_pids both dedups (two last threads racing) and lets a reused pid raise a fresh NEW.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, tgid);

	if (BPF_CORE_READ(p, signal, live.counter) > 0 || bpf_map_delete_elem(&seen_pids, &pid))
		return 0;
	emit_bp_event(BP_EVENT_EXIT, p, pid);
	return 0;
}

/* The other modes' programs, loaded only when asked for (collect/source_modes.c). */
#include "modes/offcpu.bpf.h"
#include "modes/lock.bpf.h"
#include "modes/alloc.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
