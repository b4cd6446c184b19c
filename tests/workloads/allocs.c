/*
 * allocs.c - allocations with a known answer: alloc_big() asks malloc for 3000 bytes and
 * alloc_small() for 1000, the same number of times, so the two sites allocate bytes 3:1
 * (75 % / 25 %). Every block is freed at once. At the end it prints the bytes each site asked
 * for and the CPU time the loop took: "big_bytes=N small_bytes=N cpu_ns=N".
 * Usage: allocs [ROUNDS [WORK [stop]]] (default 50000 rounds; WORK: iterations of arithmetic per
 * round, default 0, for an allocation rate closer to a real program's; stop: stop itself before
 * the loop, for a profiler to attach with -p and SIGCONT it).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile char sink;
/* Through a volatile pointer: the compiler may not drop a malloc it can see freed unused. */
static void *(*volatile alloc)(size_t) = malloc;

__attribute__((noinline)) static uint64_t alloc_big(void)
{
	char *p = alloc(3000);

	p[0] = 1;
	sink = p[0];
	free(p);
	return 3000;
}

__attribute__((noinline)) static uint64_t alloc_small(void)
{
	char *p = alloc(1000);

	p[0] = 1;
	sink = p[0];
	free(p);
	return 1000;
}

/* Work between allocations, as a real program does. */
__attribute__((noinline)) static void work(long n)
{
	uint64_t x = sink;

	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 50000, n = argc > 2 ? atol(argv[2]) : 0;
	uint64_t big = 0, small = 0;
	struct timespec t0, t1;

	if (argc > 3 && !strcmp(argv[3], "stop"))
		raise(SIGSTOP);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (long i = 0; i < rounds; i++) {
		big += alloc_big();
		small += alloc_small();
		work(n);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	printf("big_bytes=%llu small_bytes=%llu cpu_ns=%llu\n", (unsigned long long)big,
	       (unsigned long long)small,
	       (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec));
	return 0;
}
