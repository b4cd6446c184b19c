/*
 * nofp_unwind.c - a program built the way distributions build theirs (gcc -O2, no frame
 * pointers; see the Makefile's nofp_% rule), for the CFI unwinder's end-to-end test. Every hot
 * frame is reached through libc or through code without CFI, so a frame-pointer walk loses main:
 *   split SECONDS [ROUNDS]  60/30/10 of the CPU in cmp_a (a qsort comparator), cmp_b (a bsearch
 *                    comparator) and work_c, called back from a tiny FP-only "JIT" stub in
 *                    anonymous memory (named in /tmp/perf-PID.map as jit_tramp) that has no CFI;
 *                    prints each part's measured CPU share at the end, as "share NAME PCT".
 *                    Each part runs ROUNDS times in a row (default 1): phases long against the
 *                    sampling period, so sampled shares match measured ones closely.
 *   libc SECONDS [ROUNDS]  60/30/10 in cmp_a (qsort), cmp_b (bsearch) and once_c, a callback
 *                    through pthread_once: every hot frame under a libc function; shares printed
 *                    too. Long phases also let two profilers sampling one run at one rate see
 *                    the same split (unwind_perf.sh).
 *   recurse SECONDS  main -> recurse() 100 deep -> spin.
 *   signal SECONDS   the time in a SIGPROF handler (spin_in_handler) on top of main's loop.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "nofp_spin.h"

static double cpu_a, cpu_b, cpu_c;
static pthread_once_t once = PTHREAD_ONCE_INIT;

NOINLINE int cmp_a(const void *x, const void *y)
{
	spin(600000);
	NO_TAIL_CALL();
	return *(const int *)x - *(const int *)y;
}

NOINLINE int cmp_b(const void *x, const void *y)
{
	spin(300000);
	NO_TAIL_CALL();
	return *(const int *)x - *(const int *)y;
}

NOINLINE void work_c(void)
{
	spin(100000);
	NO_TAIL_CALL();
}

/* push rbp; mov rbp, rsp; call rdi; pop rbp; ret */
static const unsigned char tramp_code[] = { 0x55, 0x48, 0x89, 0xe5, 0xff, 0xd7, 0x5d, 0xc3 };

static void (*jit_tramp)(void (*fn)(void));

static void make_tramp(void)
{
	void *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[64];
	FILE *map;

	if (code == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memcpy(code, tramp_code, sizeof(tramp_code));
	jit_tramp = (void (*)(void (*)(void)))code;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	map = fopen(path, "w");
	if (map) {
		fprintf(map, "%lx %zx jit_tramp\n", (unsigned long)code, sizeof(tramp_code));
		fclose(map);
	}
}

NOINLINE void run_a(void)
{
	int v[2] = { 2, 1 };
	double t = now(CLOCK_THREAD_CPUTIME_ID);

	qsort(v, 2, sizeof(int), cmp_a);
	cpu_a += now(CLOCK_THREAD_CPUTIME_ID) - t;
}

NOINLINE void run_b(void)
{
	static const int v[1] = { 7 };
	/* through a pointer: glibc's headers would inline bsearch into this function */
	void *(*volatile search)(const void *, const void *, size_t, size_t,
				 int (*)(const void *, const void *)) = bsearch;
	int key = 7;
	double t = now(CLOCK_THREAD_CPUTIME_ID);

	sink += search(&key, v, 1, sizeof(int), cmp_b) != NULL;
	cpu_b += now(CLOCK_THREAD_CPUTIME_ID) - t;
}

NOINLINE void run_c(void)
{
	double t = now(CLOCK_THREAD_CPUTIME_ID);

	jit_tramp(work_c);
	cpu_c += now(CLOCK_THREAD_CPUTIME_ID) - t;
}

NOINLINE void once_c(void)
{
	spin(100000);
	NO_TAIL_CALL();
}

NOINLINE void run_once(void)
{
	double t = now(CLOCK_THREAD_CPUTIME_ID);

	once = (pthread_once_t)PTHREAD_ONCE_INIT; /* one caller: a fresh control runs it again */
	pthread_once(&once, once_c);
	cpu_c += now(CLOCK_THREAD_CPUTIME_ID) - t;
}

NOINLINE int recurse(int depth, unsigned long n)
{
	volatile int here = depth; /* a local each level keeps: no loop, no tail call */

	if (depth > 1)
		return recurse(depth - 1, n) + here;
	spin(n);
	NO_TAIL_CALL();
	return here;
}

NOINLINE void spin_in_handler(int sig)
{
	spin(2000000);
	NO_TAIL_CALL();
}

/* third: run_c (through the FP stub) or run_once (through pthread_once), named c */
static inline __attribute__((always_inline)) void split(double end, void (*third)(void),
							const char *c, int rounds)
{
	double all;

	make_tramp();
	while (now(CLOCK_MONOTONIC) < end) {
		for (int i = 0; i < rounds; i++)
			run_a();
		for (int i = 0; i < rounds; i++)
			run_b();
		for (int i = 0; i < rounds; i++)
			third();
	}
	all = cpu_a + cpu_b + cpu_c;
	printf("share cmp_a %.1f\nshare cmp_b %.1f\nshare %s %.1f\n", 100 * cpu_a / all,
	       100 * cpu_b / all, c, 100 * cpu_c / all);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "split";
	double end = now(CLOCK_MONOTONIC) + (argc > 2 ? atof(argv[2]) : 3);
	char path[64];

	if (!strcmp(mode, "split") || !strcmp(mode, "libc")) {
		if (!strcmp(mode, "split"))
			split(end, run_c, "work_c", argc > 3 ? atoi(argv[3]) : 1);
		else
			split(end, run_once, "once_c", argc > 3 ? atoi(argv[3]) : 1);
		snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
		unlink(path);
	} else if (!strcmp(mode, "recurse")) {
		while (now(CLOCK_MONOTONIC) < end)
			sink += recurse(100, 1000000);
	} else if (!strcmp(mode, "signal")) {
		struct itimerval it = { { 0, 20000 }, { 0, 20000 } };

		signal(SIGPROF, spin_in_handler);
		setitimer(ITIMER_PROF, &it, NULL);
		while (now(CLOCK_MONOTONIC) < end)
			spin(1000);
	} else {
		fprintf(stderr,
			"usage: nofp_unwind split|libc|recurse|signal [SECONDS] [ROUNDS]\n");
		return 2;
	}
	return 0;
}
