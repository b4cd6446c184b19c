/*
 * manystacks.c - a CPU burner with thousands of distinct stacks, the load under which in-kernel
 * stack tables fill and collide: each round descends DEPTH levels through four functions, the
 * one called at each level chosen by two bits of a round counter, and spins briefly at the
 * bottom. Round r takes path r mod 4^DEPTH, so 4^DEPTH distinct stacks (65536 at the default 8)
 * come round again and again, each a few tens of microseconds long.
 * Usage: manystacks [SECONDS] [DEPTH] (whole seconds, default 5; depth 8, at most 12). Prints
 * the rounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>

static volatile uint64_t sink;
static volatile sig_atomic_t stop;

/* The bottom of every path: some 20 us of xorshift rounds, no calls. */
__attribute__((noinline)) static void leaf(void)
{
	uint64_t x = sink | 1;

	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	sink = x;
}

static void on_alarm(int sig)
{
	stop = 1;
}

typedef void step_fn(unsigned path, int depth);
static step_fn step_a, step_b, step_c, step_d;
static step_fn *const steps[] = { step_a, step_b, step_c, step_d };

/* Each level leaves a frame of its own: the work after the call keeps it from being a tail call. */
static void descend(unsigned path, int depth)
{
	if (depth == 0) {
		leaf();
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

int main(int argc, char **argv)
{
	unsigned secs = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	int depth = argc > 2 ? atoi(argv[2]) : 8;
	unsigned long rounds = 0;

	if (depth < 1 || depth > 12 || secs < 1) {
		fprintf(stderr, "manystacks: SECONDS must be 1 or more, DEPTH 1 to 12\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(secs);
	while (!stop)
		descend((unsigned)rounds++, depth);
	printf("manystacks: %lu rounds\n", rounds);
	return 0;
}
