/*
 * allocs.c - allocations with a known answer: alloc_big() asks malloc for 3000 bytes and
 * alloc_small() for 1000, the same number of times, so the two sites allocate bytes 3:1
 * (75 % / 25 %). Every block is freed at once. At the end it prints the bytes each site asked
 * for: "big_bytes=N small_bytes=N". Usage: allocs [ROUNDS] (default 50000).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 50000;
	uint64_t big = 0, small = 0;

	for (long i = 0; i < rounds; i++) {
		big += alloc_big();
		small += alloc_small();
	}
	printf("big_bytes=%llu small_bytes=%llu\n", (unsigned long long)big,
	       (unsigned long long)small);
	return 0;
}
