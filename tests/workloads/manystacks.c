/*
 * manystacks.c - a CPU burner with thousands of distinct stacks, the load under which in-kernel
 * stack tables fill and collide: each round descends DEPTH levels through four functions, the
 * one called at each level chosen by two bits of a round counter, and spins briefly at the
 * bottom. Round r takes path r mod 4^DEPTH, so 4^DEPTH distinct stacks (65536 at the default 8)
 * come round again and again, each a few tens of microseconds long.
 * Usage: manystacks [SECONDS] [DEPTH] (default 5 s, depth 8, at most 12). Prints the rounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

__attribute__((noinline)) static void spin(void)
{
	uint64_t x = sink;

	for (int i = 0; i < 20000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

typedef void step_fn(unsigned path, int depth);
static step_fn step_a, step_b, step_c, step_d;
static step_fn *const steps[] = { step_a, step_b, step_c, step_d };

/* Each level leaves a frame of its own: the work after the call keeps it from being a tail call. */
static void descend(unsigned path, int depth)
{
	if (depth == 0) {
		spin();
		return;
	}
	steps[path & 3](path >> 2, depth - 1);
	sink += depth;
}

__attribute__((noinline)) static void step_a(unsigned path, int depth)
{
	descend(path, depth);
}
__attribute__((noinline)) static void step_b(unsigned path, int depth)
{
	descend(path, depth);
}
__attribute__((noinline)) static void step_c(unsigned path, int depth)
{
	descend(path, depth);
}
__attribute__((noinline)) static void step_d(unsigned path, int depth)
{
	descend(path, depth);
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
	int depth = argc > 2 ? atoi(argv[2]) : 8;
	unsigned long rounds = 0;

	if (depth < 1 || depth > 12) {
		fprintf(stderr, "manystacks: DEPTH must be 1 to 12\n");
		return 2;
	}
	while (now() < end)
		descend((unsigned)rounds++, depth);
	printf("manystacks: %lu rounds\n", rounds);
	return 0;
}
