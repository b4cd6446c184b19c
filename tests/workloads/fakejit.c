/*
 * fakejit.c - a tiny "JIT": copies a spin loop (x86-64 machine code) into an anonymous
 * executable mapping, announces it in /tmp/perf-<pid>.map as jit_spin, and runs it for SECONDS.
 * <pid> is getpid(), i.e. the pid in the process's own namespace, as real JITs write it; run
 * under `unshare --pid --fork` it checks that bpfprof reads the map by namespace pid.
 * With "nomap" it maps the code at NOMAP_ADDR and writes no map, so a test can plant its own
 * file at /tmp/perf-<pid>.map (a FIFO, a symlink, a map owned by someone else).
 * Usage: fakejit [SECONDS [nomap]] (default 3).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* mov rcx, 2000000; loop: dec rcx; jnz loop; ret */
static const unsigned char spin_code[] = {
	0x48, 0xb9, 0x80, 0x84, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x48, 0xff, 0xc9,
	0x75, 0xfb,
	0xc3,
};

#define NOMAP_ADDR 0x10000000UL	/* the spin loop then runs at NOMAP_ADDR + 64 */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 3);
	bool nomap = argc > 2 && !strcmp(argv[2], "nomap");
	void (*fn)(void);
	char path[64];
	FILE *map;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (nomap ? MAP_FIXED_NOREPLACE : 0);
	void *code = mmap(nomap ? (void *)NOMAP_ADDR : NULL, 4096,
			  PROT_READ | PROT_WRITE | PROT_EXEC, flags, -1, 0);

	if (code == MAP_FAILED)
		return perror("mmap"), 1;
	memcpy((char *)code + 64, spin_code, sizeof(spin_code));
	fn = (void (*)(void))((char *)code + 64);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	if (!nomap) {
		map = fopen(path, "w");
		if (!map)
			return perror(path), 1;
		fprintf(map, "%lx %zx jit_spin\n", (unsigned long)fn, sizeof(spin_code));
		fclose(map);
	}
	while (now() < end)
		fn();
	if (!nomap)
		unlink(path);
	printf("fakejit: pid %d done\n", getpid());
	return 0;
}
