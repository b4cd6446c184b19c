// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent/shim/alloc.c - libbpfprof-alloc.so: -e alloc's sampler inside the process, preloaded into a
 * command (LD_PRELOAD), so that an allocation costs a few instructions, not a uprobe trap.
 *
 * malloc, calloc, realloc, aligned_alloc, memalign and posix_memalign are passed to glibc's own
 * (__libc_malloc ...) after a byte count: each thread walks a Poisson process on the bytes it
 * allocates (exponential gaps with mean BPFPROF_ALLOC_INTERVAL, as tcmalloc samples), and only
 * an allocation that holds n >= 1 sample points calls bpfprof_alloc_sampled(size, n * interval),
 * an empty function bpfprof's BPF side probes (bpf/modes/alloc.bpf.h): one trap per sample.
 * mmap of anonymous private writable memory is counted the same way (a program's own large
 * blocks). free() is glibc's, untouched. Built with frame pointers, so the walk from the probe
 * reaches the allocating caller.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include "ln_unit.h"
#include "probe_point.h"

#define EXPORT __attribute__((visibility("default")))
#define DEFAULT_INTERVAL (512 << 10)

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static uint64_t interval = DEFAULT_INTERVAL;
static __thread int64_t left; /* bytes to the next sample point; 0: not drawn yet */
static __thread uint64_t rng; /* xorshift64 state; 0: not seeded yet */

/* The probe point: bpfprof reads its arguments. Never inlined, never emptied away. */
#ifdef PROBE_POINT_NOP5
EXPORT void bpfprof_alloc_sampled(uint64_t size, uint64_t bytes);
PROBE_POINT(bpfprof_alloc_sampled);
#else
EXPORT __attribute__((noinline)) void bpfprof_alloc_sampled(uint64_t size, uint64_t bytes)
{
	__asm__ volatile("" : : "r"(size), "r"(bytes) : "memory");
}
#endif

/* The next exponential gap, >= 1 byte. */
static int64_t draw(void)
{
	double u;
	int64_t gap;

	if (!rng)
		rng = ((uint64_t)gettid() << 32) ^ (uint64_t)(uintptr_t)&left ^
		      0x9e3779b97f4a7c15ULL;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	u = ((rng >> 11) + 1) * (1.0 / 9007199254740992.0); /* (0, 1] */
	gap = (int64_t)(-ln_unit(u) * (double)interval + 0.5);
	return gap > 0 ? gap : 1;
}

/* The slow path: the allocation reached a sample point; count the points it holds. */
static __attribute__((noinline)) void sample(uint64_t size)
{
	uint64_t n = 0;

	if (left + (int64_t)size == 0) /* the thread's first allocation: no gap drawn yet */
		left = draw() - (int64_t)size;
	while (left <= 0) {
		n++;
		left += draw();
	}
	if (n)
		bpfprof_alloc_sampled(size, n * interval);
}

static inline void account(size_t size)
{
	if ((left -= (int64_t)size) <= 0)
		sample(size);
}

EXPORT void *malloc(size_t size)
{
	account(size);
	return __libc_malloc(size);
}

EXPORT void *calloc(size_t n, size_t size)
{
	account(n * size);
	return __libc_calloc(n, size);
}

EXPORT void *realloc(void *p, size_t size)
{
	account(size);
	return __libc_realloc(p, size);
}

EXPORT void *memalign(size_t alignment, size_t size)
{
	account(size);
	return __libc_memalign(alignment, size);
}

EXPORT void *aligned_alloc(size_t alignment, size_t size)
{
	account(size);
	return __libc_memalign(alignment, size);
}

EXPORT int posix_memalign(void **out, size_t alignment, size_t size)
{
	void *p;

	if (alignment < sizeof(void *) || (alignment & (alignment - 1)))
		return EINVAL;
	account(size);
	p = __libc_memalign(alignment, size);
	if (!p && size)
		return ENOMEM;
	*out = p;
	return 0;
}

/*
 * Large blocks a program maps itself: anonymous, private and writable (not a file, not a
 * reservation). glibc's own mmap calls (malloc's huge blocks) do not come through here: they are
 * counted once, as the malloc.
 */
EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && (flags & MAP_ANONYMOUS) && (flags & MAP_PRIVATE) &&
	    (prot & PROT_WRITE))
		account(len);
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

__attribute__((constructor)) static void init(void)
{
	const char *s = getenv("BPFPROF_ALLOC_INTERVAL");
	char *end;
	unsigned long long v = s ? strtoull(s, &end, 10) : 0;

	if (s && *s && !*end && v > 0)
		interval = v;
}
