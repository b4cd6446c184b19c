// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * probes.c - the agent's probe points: empty exported functions that bpfprof's BPF side
 * uprobes (bpf/modes/alloc.bpf.h, bpf/modes/lock.bpf.h) to learn what only the JVM knows, on
 * the thread it concerns, with that thread's stack: a sampled Java allocation (its class and
 * weight) and the class of a monitor a thread is about to wait for.
 *
 * Names travel as a pointer the probe reads (valid during the call) and a hash of the name,
 * the id bpfprof keeps the name under: the BPF side reads each name only the first time.
 * Nothing here calls JVMTI, so the unit tests compile it as is. On x86-64 each starts with a
 * 5-byte nop, which the kernel probes far more cheaply than an ordinary instruction
 * (agent/shim/probe_point.h).
 */
#include <stdint.h>

#include "agent.h"
#include "shim/probe_point.h"

#ifdef PROBE_POINT_NOP5
PROBE_POINT(bpfprof_java_alloc);
PROBE_POINT(bpfprof_monitor_wait);
PROBE_POINT(bpfprof_monitor_done);
#else
#define EXPORT __attribute__((visibility("default"), used, noinline))

EXPORT void bpfprof_java_alloc(const char *cls, uint32_t id, uint64_t size, uint64_t bytes)
{
	__asm__ volatile("" : : "r"(cls), "r"(id), "r"(size), "r"(bytes) : "memory");
}

EXPORT void bpfprof_monitor_wait(const char *cls, uint32_t id)
{
	__asm__ volatile("" : : "r"(cls), "r"(id) : "memory");
}

EXPORT void bpfprof_monitor_done(void)
{
	__asm__ volatile("" : : : "memory");
}
#endif

uint32_t probes__id(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h ? h : 1; /* 0: no name */
}

/* 1 - e^-x without libm, for x >= 0: a Taylor series on x / 1024, squared back 10 times. */
static double neg_expm1(double x)
{
	double y = x / 1024, e;

	if (x < 1e-4)
		return x - x * x / 2;
	if (x > 40)
		return 1;
	e = 1 - y + y * y / 2 - y * y * y / 6 + y * y * y * y / 24;
	for (int i = 0; i < 10; i++)
		e *= e;
	return 1 - e;
}

uint64_t probes__alloc_weight(uint64_t size, uint64_t interval)
{
	if (!size)
		return 0;
	if (!interval)
		return size;
	return (uint64_t)((double)size / neg_expm1((double)size / (double)interval) + 0.5);
}
