/*
 * vdso.c - spends its time in the vDSO: clock_gettime(CLOCK_MONOTONIC) in a loop, called from
 * a named function, for SECONDS (default 2). Its profile must name the vDSO's functions.
 */
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) static double read_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = read_clock() + (argc > 1 ? atof(argv[1]) : 2);

	while (read_clock() < end)
		;
	return 0;
}
