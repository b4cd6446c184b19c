/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/util.h - the small helpers several stages need, written once: monotonic clock readings
 * and percentages.
 *
 * The clock is CLOCK_MONOTONIC: durations and deadlines must not jump when the wall clock does.
 */
#ifndef BPFPROF_UTIL_H
#define BPFPROF_UTIL_H

#include <stdint.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Seconds on the monotonic clock, for durations. */
/* Wall-clock time, ns since the epoch. */
static inline uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Milliseconds on the monotonic clock, for deadlines. */
static inline long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* part as a percentage of whole; 0 when whole is 0. */
static inline double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

#endif /* BPFPROF_UTIL_H */
