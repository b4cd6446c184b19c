/*
 * calls.c - makes exactly N getppid() system calls over SECONDS, from four distinct call sites
 * in turn, and prints N. A recording on the getppid tracepoint must count exactly N: none lost
 * and none counted twice, however often the sampler empties its in-kernel tables meanwhile.
 * Usage: calls N SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) static void site_a(void) { syscall(SYS_getppid); }
__attribute__((noinline)) static void site_b(void) { syscall(SYS_getppid); }
__attribute__((noinline)) static void site_c(void) { syscall(SYS_getppid); }
__attribute__((noinline)) static void site_d(void) { syscall(SYS_getppid); }

int main(int argc, char **argv)
{
	static void (*const sites[])(void) = { site_a, site_b, site_c, site_d };
	long n = argc > 1 ? atol(argv[1]) : 1000, i;
	double secs = argc > 2 ? atof(argv[2]) : 1;
	struct timespec gap = { 0, (long)(secs * 1e9 / (n ? n : 1)) };

	for (i = 0; i < n; i++) {
		sites[i % 4]();
		nanosleep(&gap, NULL);
	}
	printf("%ld\n", n);
	return 0;
}
