/*
 * split.c - a CPU burner with a known answer: hot_a, hot_b and hot_c take 60%, 30% and 10% of
 * its CPU time, each called from main through one named frame (work). Usage: split [SECONDS]
 * (default 5). Built with clang -fno-omit-frame-pointer so every stack reaches main.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

/* Spin for n iterations of an integer hash: pure CPU, no calls, no syscalls. */
__attribute__((noinline)) static void spin(uint64_t n)
{
	uint64_t x = sink;

	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

/*
 * Each round's length is scaled by a pseudo-random factor in [0.5, 1.5): the shares stay exactly
 * 60/30/10, but the rounds are not a fixed period that a fixed sampling rate could alias with (a
 * 1 s window of 199 samples once saw hot_a at 76%).
 */
static uint64_t scale = 1000;

__attribute__((noinline)) void hot_a(void) { spin(600 * scale); }
__attribute__((noinline)) void hot_b(void) { spin(300 * scale); }
__attribute__((noinline)) void hot_c(void) { spin(100 * scale); }

__attribute__((noinline)) void work(void)
{
	static uint64_t r = 88172645463325252ULL;

	r ^= r << 13, r ^= r >> 7, r ^= r << 17; /* xorshift64 */
	scale = 500 + r % 1000;
	hot_a();
	hot_b();
	hot_c();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5, end = now() + secs;
	unsigned long rounds = 0;

	while (now() < end) {
		work();
		rounds++;
	}
	printf("split: %lu rounds\n", rounds);
	return 0;
}
