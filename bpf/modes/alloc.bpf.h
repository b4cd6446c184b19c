/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * modes/alloc.bpf.h - native allocations (-e alloc), sampled by bytes: uprobes on the target's
 * malloc, calloc, realloc, aligned_alloc, memalign and posix_memalign, and on mmap for the large
 * blocks a program maps itself (anonymous, private, writable: not files, not reservations).
 *
 * Sampling is a Poisson process on the bytes allocated (as tcmalloc and async-profiler sample):
 * the gaps between sample points are exponential with mean alloc_interval, drawn from a table
 * user space fills (alloc_draws: there is no log() here). An allocation of `size` bytes holds
 * n >= 0 points; with n > 0 it is sampled and weighs n * alloc_interval bytes, so the expected
 * weight of every allocation is its size, and totals are unbiased whatever the sizes. Its
 * objects are that weight / size, rounded.
 *
 * A command gets the sampling done in-process instead (agent/shim/alloc.c: no trap per call) and only
 * its samples come here, through on_alloc_sampled; -p targets get the uprobes below. Java heap
 * allocations are sampled by the JVM and come through our agent (on_java_alloc).
 *
 * The decision is made on entry, where the size is; the stack is taken at the return
 * (uretprobe), where the return address is the caller's pc and the frame-pointer walk starts
 * in the caller: on entry it would skip the allocating function itself. The per-CPU byte
 * counter is shared by the threads on that CPU, which changes no expectation.
 *
 * glibc serves huge mallocs with an mmap of its own, through the very function probed: an
 * allocator call of ALLOC_MMAP_INSIDE bytes or more is marked in alloc_inflight even when not
 * sampled (bytes 0), and an mmap inside one is not counted again. mmap has its own in-flight
 * map and return program, so a malloc's pending sample survives the mmap it makes.
 *
 * Attaching and detaching a dozen uprobes takes a good fraction of a second: the entry probes
 * count only while alloc_armed is set, which user space sets once all are attached and clears
 * before any is detached, so that every function is measured over the same time.
 */
#ifndef BPFPROF_MODES_ALLOC_BPF_H
#define BPFPROF_MODES_ALLOC_BPF_H

#include "modes/common.bpf.h"

#define ALLOC_DRAWS 4096    /* entries of alloc_draws (a power of 2) */
#define ALLOC_MAX_POINTS 32 /* points walked one by one; beyond, a huge block's rest is averaged */
#define ALLOC_MMAP_INSIDE (64 << 10) /* below glibc's least mmap threshold (128 KiB) */
#define MAP_PRIVATE_ 0x02	     /* uapi/asm-generic/mman-common.h, without its header */
#define MAP_ANONYMOUS_ 0x20
#define PROT_WRITE_ 0x2

const volatile __u64 alloc_interval = 512 * 1024;
__u32 alloc_armed; /* set while every allocation probe is attached (user space) */

/* exponential gaps with mean alloc_interval, bytes, >= 1 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, ALLOC_DRAWS);
} alloc_draws SEC(".maps");

/* bytes left until the next sample point, per CPU; 0: not drawn yet */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} alloc_left SEC(".maps");

struct alloc_pending {
	__u64 bytes, objects;
};

/* tid -> the sampled allocation in flight, counted when it returns (bytes 0: a large one, not
 * sampled, marked so that its own mmap is not counted) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct alloc_pending);
	__uint(max_entries, 16384);
} alloc_inflight SEC(".maps");

/* tid -> the sampled mmap in flight */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, struct alloc_pending);
	__uint(max_entries, 16384);
} mmap_inflight SEC(".maps");

static __always_inline __u64 alloc_draw(void)
{
	__u32 i = bpf_get_prandom_u32() & (ALLOC_DRAWS - 1);
	__u64 *d = bpf_map_lookup_elem(&alloc_draws, &i);

	return d && *d ? *d : alloc_interval;
}

/* The sample points in an allocation of size bytes, moving *left on. */
static __always_inline __u64 alloc_points(__u64 *left, __u64 size)
{
	__u64 rem, n = 1, d;
	int i;

	if (!*left)
		*left = alloc_draw();
	if (size < *left) {
		*left -= size;
		return 0;
	}
	rem = size - *left;
	for (i = 0; i < ALLOC_MAX_POINTS; i++) {
		d = alloc_draw();
		if (rem < d) {
			*left = d - rem;
			return n;
		}
		rem -= d;
		n++;
	}
	*left = alloc_draw();
	return n + rem / alloc_interval;
}

/* The sample an allocation of size bytes holds, into pending (bytes 0: none). */
static __always_inline void alloc_sample(__u64 size, struct alloc_pending *p)
{
	__u32 zero = 0;
	__u64 *left = bpf_map_lookup_elem(&alloc_left, &zero), n;

	p->bytes = p->objects = 0;
	if (!left)
		return;
	n = alloc_points(left, size);
	if (!n)
		return;
	p->bytes = n * alloc_interval;
	p->objects = (p->bytes + size / 2) / size ?: 1;
}

static __always_inline int alloc_enter(__u64 size)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct alloc_pending p;

	if (!size || !alloc_armed || !mode_wants(id >> 32))
		return 0;
	alloc_sample(size, &p);
	if (p.bytes || size >= ALLOC_MMAP_INSIDE)
		bpf_map_update_elem(&alloc_inflight, &tid, &p, BPF_ANY);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(on_malloc, __u64 size)
{
	return alloc_enter(size);
}

SEC("uprobe")
int BPF_KPROBE(on_calloc, __u64 n, __u64 each)
{
	return alloc_enter(n * each);
}

SEC("uprobe")
int BPF_KPROBE(on_realloc, void *old, __u64 size)
{
	return alloc_enter(size);
}

/* aligned_alloc(alignment, size) and memalign(alignment, size) */
SEC("uprobe")
int BPF_KPROBE(on_memalign, __u64 alignment, __u64 size)
{
	return alloc_enter(size);
}

SEC("uprobe")
int BPF_KPROBE(on_posix_memalign, void **out, __u64 alignment, __u64 size)
{
	return alloc_enter(size);
}

/*
 * libbpfprof-alloc.so (agent/shim/alloc.c), preloaded into a command, samples in the process and
 * calls bpfprof_alloc_sampled(size, bytes) once per sample: the stack is taken there, the weight
 * is the shim's.
 */
SEC("uprobe")
int BPF_KPROBE(on_alloc_sampled, __u64 size, __u64 bytes)
{
	__u64 objects = size ? (bytes + size / 2) / size : 1;

	if (!bytes || !mode_wants(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return mode_record(ctx, BP_KIND_ALLOC, objects ?: 1, bytes, false);
}

/*
 * A JVM with our agent (agent/alloc.c) reports each allocation HotSpot sampled, already
 * weighed, to bpfprof_java_alloc(class, id, size, bytes): the stack is the allocating Java
 * thread's, and the class goes under it as the leaf.
 */
SEC("uprobe")
int BPF_KPROBE(on_java_alloc, const char *cls, __u32 id, __u64 size, __u64 bytes)
{
	__u64 objects = size ? (bytes + size / 2) / size : 1;

	if (!bytes || !mode_wants(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return mode_record_leaf(ctx, BP_KIND_ALLOC, objects ?: 1, bytes, false, leaf_keep(cls, id));
}

/* At a return: count the thread's allocation in flight in inflight, if sampled and not failed. */
static __always_inline int alloc_finish(struct pt_regs *ctx, void *inflight, bool failed)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct alloc_pending *p = bpf_map_lookup_elem(inflight, &tid);
	__u64 bytes, objects;

	if (!p)
		return 0;
	bytes = p->bytes;
	objects = p->objects;
	bpf_map_delete_elem(inflight, &tid);
	return bytes && !failed ? mode_record(ctx, BP_KIND_ALLOC, objects, bytes, false) : 0;
}

SEC("uretprobe")
int on_alloc_return(struct pt_regs *ctx)
{
	return alloc_finish(ctx, &alloc_inflight, false);
}

SEC("uprobe")
int BPF_KPROBE(on_mmap, void *addr, __u64 len, __u64 prot, __u64 flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct alloc_pending p;

	if (!len || !alloc_armed || !(flags & MAP_ANONYMOUS_) || !(flags & MAP_PRIVATE_) ||
	    !(prot & PROT_WRITE_) || !mode_wants(id >> 32) ||
	    bpf_map_lookup_elem(&alloc_inflight, &tid))
		return 0;
	alloc_sample(len, &p);
	if (p.bytes)
		bpf_map_update_elem(&mmap_inflight, &tid, &p, BPF_ANY);
	return 0;
}

/* MAP_FAILED: nothing was allocated */
SEC("uretprobe")
int on_mmap_return(struct pt_regs *ctx)
{
	return alloc_finish(ctx, &mmap_inflight, (long)PT_REGS_RC(ctx) == -1);
}

#endif /* BPFPROF_MODES_ALLOC_BPF_H */
