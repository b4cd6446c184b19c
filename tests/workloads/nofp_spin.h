/*
 * nofp_spin.h - what the nofp_ workloads (C and C++) share: a clock in seconds and spin(), the
 * CPU burner at the top of their hot stacks (header only: each workload is one file).
 */
#ifndef BPFPROF_WORKLOAD_NOFP_SPIN_H
#define BPFPROF_WORKLOAD_NOFP_SPIN_H

#include <time.h>

#define NOINLINE __attribute__((noinline, noclone))
/* After a call: keeps gcc from turning it into a jump (a tail call leaves no frame behind). */
#define NO_TAIL_CALL() __asm__ volatile("" ::: "memory")

volatile unsigned long sink;

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

NOINLINE void spin(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i ^ (sink >> 3);
}

#endif
