/*
 * churn.c - many short-lived processes, the load under which a host-wide recording used to run
 * out of file descriptors: starts COUNT children, each burning MS milliseconds of CPU in
 * churn_burn() and exiting, at most PAR at a time. Usage: churn COUNT MS [PAR] (default PAR 2).
 * The children are forked, not exec'd: each is a new process whose frames have known names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

__attribute__((noinline)) static void spin(void)
{
	uint64_t x = sink;

	for (int i = 0; i < 100000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) void churn_burn(double ms)
{
	double end = cpu_ms() + ms;

	while (cpu_ms() < end)
		spin();
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 200, par = argc > 3 ? atoi(argv[3]) : 2, running = 0;
	double ms = argc > 2 ? atof(argv[2]) : 10;

	for (int i = 0; i < count; i++) {
		if (running >= par && wait(NULL) > 0)
			running--;
		if (fork() == 0) {
			churn_burn(ms);
			_exit(0);
		}
		running++;
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
