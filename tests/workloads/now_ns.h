/* now_ns.h - the workloads' monotonic clock in nanoseconds (header only: each workload is one .c). */
#ifndef BPFPROF_WORKLOAD_NOW_NS_H
#define BPFPROF_WORKLOAD_NOW_NS_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
