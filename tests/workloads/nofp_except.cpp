/*
 * nofp_except.cpp - C++ built the way distributions build it (g++ -O2, no frame pointers; see the
 * Makefile's nofp_% rule), for the CFI unwinder: exceptions in flight, so that many samples land
 * inside libgcc_s's unwinder and libstdc++'s personality routine, themselves without frame
 * pointers, walking the very stack being sampled.
 *   nofp_except SECONDS [ROUNDS]   part a: throw from 8 frames down and catch (run_throw); part
 *                         b: a std::sort whose comparator spins (run_sort), each ROUNDS times in a
 *                         row (default 1). Prints each part's CPU share as measured by the
 *                         thread's own clock: "share run_throw PCT".
 */
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "nofp_spin.h"

NOINLINE int thrower(int depth)
{
	volatile int here = depth; /* a frame at each level: no loop, no tail call */

	if (depth > 0)
		return thrower(depth - 1) + here;
	throw std::runtime_error("unwind me");
}

NOINLINE void run_throw(double *cpu)
{
	double t = now(CLOCK_THREAD_CPUTIME_ID);

	for (int i = 0; i < 200; i++) {
		try {
			sink += thrower(8);
		} catch (const std::exception &e) {
			sink += e.what()[0];
		}
	}
	*cpu += now(CLOCK_THREAD_CPUTIME_ID) - t;
}

NOINLINE bool less_spin(int x, int y)
{
	spin(2000);
	NO_TAIL_CALL();
	return x < y;
}

NOINLINE void run_sort(double *cpu)
{
	std::vector<int> v(64);
	double t = now(CLOCK_THREAD_CPUTIME_ID);

	for (size_t i = 0; i < v.size(); i++)
		v[i] = (int)((i * 7919) % 64);
	std::sort(v.begin(), v.end(), less_spin);
	sink += v[0];
	*cpu += now(CLOCK_THREAD_CPUTIME_ID) - t;
}

int main(int argc, char **argv)
{
	double end = now(CLOCK_MONOTONIC) + (argc > 1 ? atof(argv[1]) : 3), a = 0, b = 0;
	int rounds = argc > 2 ? atoi(argv[2]) : 1;

	while (now(CLOCK_MONOTONIC) < end) {
		for (int i = 0; i < rounds; i++)
			run_throw(&a);
		for (int i = 0; i < rounds; i++)
			run_sort(&b);
	}
	printf("share run_throw %.1f\nshare run_sort %.1f\n", 100 * a / (a + b), 100 * b / (a + b));
	return 0;
}
