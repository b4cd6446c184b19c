/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unwind/native.bpf.h - walk a native user stack in BPF from the sampled registers, with the
 * unwind rows user space built from each binary's CFI (bpf/abi/unwind.h), and keep one copy of
 * each stack it builds in `ustacks`, keyed by its hash, the way BPF_MAP_TYPE_STACK_TRACE keeps
 * the kernel's frame-pointer walks.
 *
 * Per frame: find the pc's mapping in the process's sorted mappings, then the binary's last row at
 * or below the pc (both binary searches over bounded steps), and compute the caller's pc, sp and
 * bp from it; where there is no row (JIT code, a binary without CFI, a gap) take the
 * frame-pointer step instead, so JIT -> libjvm -> libc stacks come out whole. The frames run in a
 * bpf_loop callback (kernel 5.17+): verified once, up to UNWIND_MAX_DEPTH times. A walk stops at
 * the outermost frame (return address undefined in the CFI, or zero), a failed read, an sp that
 * does not move up, or the depth; the frames found so far are kept, and why it stopped is
 * counted in `unwind_stats`. Processes come to the loader's unwinder through `unwind_events`
 * (unwind_notify), a ring buffer of its own. The caller includes this after abi/sample.h.
 */
#ifndef BPFPROF_BPF_UNWIND_NATIVE_H
#define BPFPROF_BPF_UNWIND_NATIVE_H

#include "abi/unwind.h"

const volatile __u32 unwind_mode = UNWIND_MODE_FP;

#include "unwind/hotspot.bpf.h" /* interpreted Java frames: the walk asks it per frame */

/* Offsets in the ucontext the kernel leaves at rsp in a signal trampoline (rt_sigframe minus
 * its return address): uc_mcontext starts at 40; rbp, rsp, rip are its 11th, 16th, 17th words. */
#define UC_RBP 120
#define UC_RSP 160
#define UC_RIP 168
#ifndef ENOMEM
#define ENOMEM 12
#endif
#define UNWIND_SCRATCH_SLOTS 4 /* nesting depth on one CPU: a tracepoint, then an NMI inside */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct unwind_row);
	__uint(max_entries, UNWIND_DEFAULT_ROWS); /* set by the loader */
	__uint(map_flags, BPF_F_MMAPABLE);	  /* written in bulk through mmap */
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32); /* host tgid */
	__type(value, struct unwind_proc);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* written from user space only */
} unwind_procs SEC(".maps");

#define USTACK_MAP(name)                                       \
	struct {                                               \
		__uint(type, BPF_MAP_TYPE_HASH);               \
		__type(key, __u64);                            \
		__type(value, struct unwind_stack);            \
		__uint(max_entries, 16384); /* as stacks0/1 */ \
	} name SEC(".maps")

USTACK_MAP(ustacks0);
USTACK_MAP(ustacks1);

/*
 * User stacks that must outlive a set: an off-CPU block (modes/offcpu.bpf.h) is counted at a
 * later switch, after any number of drains. Never emptied by a drain; LRU makes room.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct unwind_stack);
	__uint(max_entries, 16384); /* as offcpu_stacks */
} offcpu_ustacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024); /* 4096 notices */
} unwind_events SEC(".maps");

struct unwind_scratch {
	struct unwind_stack st; /* the stack being built (ips, len), then stored */
	__u64 pc, sp, bp;
	__u64 hash;
	__u32 after_signal; /* the pc is exact (interrupted), not a return address */
	__u32 stop;	    /* why the walk ended: an enum unwind_stat, 0 while going */
	__u32 trusted;	    /* the pc is the leaf's or came from a CFI row, not a guess */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct unwind_scratch);
	__uint(max_entries, UNWIND_SCRATCH_SLOTS);
} unwind_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} unwind_depth SEC(".maps");

/* Sized to a power of two so that masking, which the verifier follows, bounds the index. */
__u64 unwind_stats[16];
_Static_assert(UNWIND_STAT_MAX <= 16, "unwind_stats holds every counter");

static __always_inline void unwind_stat(__u32 idx)
{
	__sync_fetch_and_add(&unwind_stats[idx & 15], 1);
}

struct unwind_walk {
	struct unwind_scratch *s;
	struct unwind_proc *proc;
	struct hotspot_interp hotspot; /* the interpreter's range: its frames record a Method* */
};

/*
 * The binary searches run as bpf_loop callbacks too: the verifier then checks one step of each,
 * instead of every path through every unrolled step (seconds per program otherwise).
 */
struct unwind_search {
	struct unwind_proc *proc; /* for the mapping search */
	__u64 key;		  /* the pc, or the ELF address */
	__u32 lo, hi;		  /* the answer is the last entry below lo */
	__u32 failed;
	__u32 pad;
};

static long unwind_map_step(__u64 i, void *arg)
{
	struct unwind_search *q = arg;
	__u32 mid;

	if (q->lo >= q->hi)
		return 1;
	mid = q->lo + (q->hi - q->lo) / 2;
	if (q->proc->maps[mid & (UNWIND_MAX_MAPS - 1)].start <= q->key)
		q->lo = mid + 1;
	else
		q->hi = mid;
	return 0;
}

/* The mapping holding pc, or NULL. */
static __always_inline struct unwind_map *unwind_find_map(struct unwind_proc *proc, __u64 pc)
{
	struct unwind_search q = { .proc = proc, .key = pc, .hi = proc->nmaps };
	struct unwind_map *m;

	if (q.hi > UNWIND_MAX_MAPS)
		q.hi = UNWIND_MAX_MAPS;
	bpf_loop(UNWIND_MAP_SEARCH, unwind_map_step, &q, 0);
	if (!q.lo || q.lo < q.hi)
		return NULL;
	m = &proc->maps[(q.lo - 1) & (UNWIND_MAX_MAPS - 1)];
	return pc < m->end ? m : NULL;
}

static long unwind_row_step(__u64 i, void *arg)
{
	struct unwind_search *q = arg;
	struct unwind_row *r;
	__u32 mid;

	if (q->lo >= q->hi)
		return 1;
	mid = q->lo + (q->hi - q->lo) / 2;
	r = bpf_map_lookup_elem(&unwind_rows, &mid);
	if (!r) {
		q->failed = 1;
		return 1;
	}
	if (r->pc <= q->key)
		q->lo = mid + 1;
	else
		q->hi = mid;
	return 0;
}

/* The last row of m's binary at or below vaddr, or NULL. */
static __always_inline struct unwind_row *unwind_find_row(struct unwind_map *m, __u64 vaddr)
{
	__u32 first = m->first_row;
	struct unwind_search q = { .key = vaddr, .lo = first, .hi = first + m->nrows };

	if (vaddr > 0xffffffffULL)
		return NULL;
	bpf_loop(UNWIND_ROW_SEARCH, unwind_row_step, &q, 0);
	/* before the first row, a failed read, or a search that did not finish */
	if (q.lo <= first || q.failed || q.lo < q.hi)
		return NULL;
	q.lo--;
	return bpf_map_lookup_elem(&unwind_rows, &q.lo);
}

static __always_inline bool unwind_read(__u64 *dst, __u64 addr)
{
	return !bpf_probe_read_user(dst, sizeof(*dst), (const void *)addr);
}

/* The caller's registers by the frame pointer. */
static __always_inline __u32 unwind_fp_step(struct unwind_scratch *s)
{
	__u64 frame[2];

	if (!s->bp || s->bp < s->sp || bpf_probe_read_user(frame, sizeof(frame), (void *)s->bp))
		return UNWIND_STAT_BAD_READ;
	s->sp = s->bp + 16;
	s->bp = frame[0];
	s->pc = frame[1];
	unwind_stat(UNWIND_STAT_FP_FRAMES);
	return 0;
}

/* Move to the caller a CFI row found; signal: its pc is exact, not a return address. */
static __always_inline __u32 unwind_cfi_caller(struct unwind_scratch *s, __u64 pc, __u64 sp,
					       __u64 bp, __u32 signal)
{
	s->pc = pc;
	s->sp = sp;
	s->bp = bp;
	s->after_signal = signal;
	s->trusted = 1;
	unwind_stat(UNWIND_STAT_CFI_FRAMES);
	return 0;
}

/* The caller's registers by the row r. */
static __always_inline __u32 unwind_cfi_step(struct unwind_scratch *s, struct unwind_row *r)
{
	__u64 cfa, ra, bp = s->bp;

	switch (r->cfa_type) {
	case UNWIND_CFA_END:
		return UNWIND_STAT_END;
	case UNWIND_CFA_SIGNAL:
		if (!unwind_read(&ra, s->sp + UC_RIP) || !unwind_read(&cfa, s->sp + UC_RSP) ||
		    !unwind_read(&bp, s->sp + UC_RBP))
			return UNWIND_STAT_BAD_READ;
		return unwind_cfi_caller(s, ra, cfa, bp, 1);
	case UNWIND_CFA_RSP:
		cfa = s->sp + r->cfa_off;
		break;
	case UNWIND_CFA_RBP:
		cfa = s->bp + r->cfa_off;
		break;
	case UNWIND_CFA_RSP8:
		cfa = s->sp + (__s64)r->cfa_off * 8;
		break;
	case UNWIND_CFA_PLT:
		cfa = s->sp + r->cfa_off + ((s->pc & 15) >= (__u64)r->rbp ? 8 : 0);
		break;
	default:
		return UNWIND_STAT_BAD_READ;
	}
	if (cfa <= s->sp)
		return UNWIND_STAT_LOOP;
	if (!unwind_read(&ra, cfa - 8))
		return UNWIND_STAT_BAD_READ;
	if (r->cfa_type != UNWIND_CFA_PLT && r->rbp == UNWIND_RBP_UNDEF)
		bp = 0;
	else if (r->cfa_type != UNWIND_CFA_PLT && r->rbp != UNWIND_RBP_SAME &&
		 !unwind_read(&bp, cfa + (__s64)r->rbp * 8))
		return UNWIND_STAT_BAD_READ;
	return unwind_cfi_caller(s, ra, cfa, bp, 0);
}

/* Tell the unwinder about process pid: a BP_EVENT_* (struct unwind_event). */
static __always_inline void unwind_notify(__u32 type, __u32 pid)
{
	struct unwind_event *e;

	if (unwind_mode == UNWIND_MODE_FP)
		return;
	e = bpf_ringbuf_reserve(&unwind_events, sizeof(*e), 0);
	if (!e)
		return; /* that process keeps frame pointers, or its tables (an exit) a while */
	e->type = type;
	e->pid = pid;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP); /* its samples lose frames until then */
}

/*
 * A sure pc outside every mapping the process had when its entry was written: it mapped
 * something since (dlopen), so ask user space to read its mappings again, once a second at most.
 */
static __always_inline void unwind_ask_refresh(struct unwind_proc *proc)
{
	__u64 now = bpf_ktime_get_ns();

	if (now - proc->refresh_ns < UNWIND_REFRESH_NS || (proc->flags & UNWIND_PROC_TRUNCATED))
		return;
	proc->refresh_ns = now;
	unwind_notify(BP_EVENT_MAPS, bpf_get_current_pid_tgid() >> 32);
}

/* One frame: record the pc, then step to the caller. Returns 1 to end the loop. */
static long unwind_frame(__u64 i, void *arg)
{
	struct unwind_walk *w = arg;
	struct unwind_scratch *s = w->s;
	struct unwind_map *m = NULL;
	struct unwind_row *r = NULL;
	__u32 n = s->st.len;
	__u64 pc = s->pc, look, ip;

	if (n >= UNWIND_MAX_DEPTH) {
		s->stop = UNWIND_STAT_DEPTH;
		return 1;
	}
	/* A return address is past the call: look up the call itself (not so after a signal). */
	look = n && !s->after_signal ? pc - 1 : pc;
	ip = hotspot_frame(&w->hotspot, pc, look, s->bp);
	s->st.ips[n] = ip;
	s->st.len = n + 1;
	s->hash = (s->hash ^ ip) * 0x100000001b3ULL;
	s->st.hash2 = (s->st.hash2 + ip) * 0x9e3779b97f4a7c15ULL;
	s->st.hash2 ^= s->st.hash2 >> 29;
	if (w->proc) {
		m = unwind_find_map(w->proc, look);
		if (!m && s->trusted)
			unwind_ask_refresh(w->proc);
	}
	s->trusted = 0;
	if (m && m->nrows)
		r = unwind_find_row(m, look - m->bias);
	else if (m)
		unwind_stat(UNWIND_STAT_NO_TABLE);
	if (r && r->cfa_type != UNWIND_CFA_NONE)
		s->stop = unwind_cfi_step(s, r);
	else if (unwind_mode == UNWIND_MODE_CFI && m)
		s->stop = UNWIND_STAT_BAD_READ;
	else
		s->stop = unwind_fp_step(s);
	if (!s->stop && !s->pc)
		s->stop = UNWIND_STAT_PC_ZERO;
	return s->stop ? 1 : 0;
}

/*
 * Walk the current task's user stack with the tables of proc (NULL: frame pointers only) into
 * a scratch slot and store it in ustacks. The stack's key, or 0 with *err set: -EFAULT no user
 * stack (a kernel thread), -EEXIST a collision, -ENOMEM the map was full.
 */
static __always_inline __u64 unwind_user(struct unwind_proc *proc, void *ustacks, __s32 *err)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct unwind_walk w = { .proc = proc };
	struct unwind_stack *old;
	__u32 zero = 0, slot, *depth;
	__u64 key = 0;
	long ret;

	*err = -ENOMEM;
	if (!task->mm) {
		unwind_stat(UNWIND_STAT_NO_REGS);
		*err = -EFAULT;
		return 0;
	}
	depth = bpf_map_lookup_elem(&unwind_depth, &zero);
	if (!depth)
		return 0;
	slot = (*depth)++;
	w.s = bpf_map_lookup_elem(&unwind_scratch, &slot);
	if (!w.s)
		goto out;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		goto out;
	w.s->pc = BPF_CORE_READ(regs, ip);
	w.s->sp = BPF_CORE_READ(regs, sp);
	w.s->bp = BPF_CORE_READ(regs, bp);
	w.s->st.len = 0;
	w.s->st.hash2 = 0;
	w.s->hash = 0xcbf29ce484222325ULL;
	w.s->after_signal = 0;
	w.s->stop = 0;
	w.s->trusted = 1;
	unwind_stat(UNWIND_STAT_WALKS);
	hotspot_walk_begin(&w.hotspot);
	bpf_loop(UNWIND_MAX_DEPTH + 1, unwind_frame, &w, 0);
	if (w.s->stop)
		unwind_stat(w.s->stop);
	key = w.s->hash ?: 1;
	old = bpf_map_lookup_elem(ustacks, &key);
	if (old) {
		if (old->hash2 != w.s->st.hash2 || old->len != w.s->st.len) {
			unwind_stat(UNWIND_STAT_COLLISION);
			*err = -EEXIST;
			key = 0;
		}
		goto out;
	}
	ret = bpf_map_update_elem(ustacks, &key, &w.s->st, BPF_NOEXIST);
	if (ret && ret != -EEXIST) {
		unwind_stat(UNWIND_STAT_FULL);
		key = 0;
	}
out:
	(*depth)--;
	return key;
}

#endif /* BPFPROF_BPF_UNWIND_NATIVE_H */
