/*
 * mmaps.c - large allocations with a known answer: map_big() maps 3 MiB and map_small() 1 MiB of
 * anonymous private memory, the same number of times (3:1 by bytes), each touched and unmapped
 * at once; malloc_huge() asks malloc for 2 MiB, which glibc serves with an mmap of its own (to be
 * counted once, as the malloc); map_file() maps a file (not an allocation: not to be counted).
 * Prints "mmap_bytes=N malloc_bytes=N". Usage: mmaps [ROUNDS [PAUSE_US]] (default 400 rounds; a
 * pause after each round keeps a -p recording's target alive).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile char sink;
static void *(*volatile alloc)(size_t) = malloc;
static int file_fd = -1;

static uint64_t map_anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	p[0] = 1;
	sink = p[0];
	munmap(p, len);
	return len;
}

__attribute__((noinline)) static uint64_t map_big(void)
{
	return map_anon(3 << 20);
}

__attribute__((noinline)) static uint64_t map_small(void)
{
	return map_anon(1 << 20);
}

__attribute__((noinline)) static uint64_t malloc_huge(void)
{
	char *p = alloc(2 << 20);

	p[0] = 1;
	sink = p[0];
	free(p);
	return 2 << 20;
}

__attribute__((noinline)) static void map_file(void)
{
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE, file_fd, 0);

	if (p != MAP_FAILED)
		munmap(p, 1 << 20);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 400, pause = argc > 2 ? atol(argv[2]) : 0;
	uint64_t mapped = 0, malloced = 0;
	char tmp[] = "/tmp/mmaps.XXXXXX";

	file_fd = mkstemp(tmp);
	if (file_fd >= 0) {
		unlink(tmp);
		if (ftruncate(file_fd, 1 << 20))
			return 1;
	}
	for (long i = 0; i < rounds; i++) {
		mapped += map_big() + map_small();
		malloced += malloc_huge();
		map_file();
		if (pause)
			usleep(pause);
	}
	printf("mmap_bytes=%llu malloc_bytes=%llu\n", (unsigned long long)mapped,
	       (unsigned long long)malloced);
	return 0;
}
