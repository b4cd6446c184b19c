/*
 * spinsleep.c - a thread with a known on/off-CPU split: it spins in spin_half() for 10 ms, then
 * sleeps in sleep_half() for 10 ms, over and over, so half its wall time is on the CPU and half
 * blocked in nanosleep. At the end it prints what it measured itself:
 * "slept_ns=N spun_ns=N". Usage: spinsleep [SECONDS] (default 3).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "now_ns.h"

static volatile uint64_t sink;

__attribute__((noinline)) static uint64_t spin_half(uint64_t ns)
{
	uint64_t t0 = now_ns(), x = sink;

	while (now_ns() - t0 < ns)
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
	return now_ns() - t0;
}

__attribute__((noinline)) static uint64_t sleep_half(uint64_t ns)
{
	struct timespec ts = { 0, (long)ns };
	uint64_t t0 = now_ns();

	nanosleep(&ts, NULL);
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9), slept = 0, spun = 0;

	while (now_ns() < end) {
		spun += spin_half(10000000);
		slept += sleep_half(10000000);
	}
	printf("slept_ns=%llu spun_ns=%llu\n", (unsigned long long)slept, (unsigned long long)spun);
	return 0;
}
