/*
 * pid_reuse.c - pid reuse on demand: starts one child under a chosen pid with clone3() and
 * set_tid (root only), which burns CPU for SECONDS in reuse_first() or reuse_second() and exits.
 * No exec: only its first sample can tell a profiler that a new process holds the pid. Run it
 * twice with the same pid for two processes in a row under one pid.
 * Usage: pid_reuse PID first|second SECONDS. Exits 0, 2 when the pid is taken or clone3 refused.
 */
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void spin(void)
{
	uint64_t x = sink;

	for (int i = 0; i < 100000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	sink = x;
}

__attribute__((noinline)) void reuse_first(double secs)
{
	double end = now() + secs;

	while (now() < end)
		spin();
}

__attribute__((noinline)) void reuse_second(double secs)
{
	double end = now() + secs;

	while (now() < end)
		spin();
}

int main(int argc, char **argv)
{
	pid_t want, child;
	struct clone_args args = { .exit_signal = SIGCHLD, .set_tid_size = 1 };
	int st;

	if (argc != 4) {
		fprintf(stderr, "usage: pid_reuse PID first|second SECONDS\n");
		return 2;
	}
	want = atoi(argv[1]);
	args.set_tid = (uint64_t)(uintptr_t)&want;
	child = syscall(SYS_clone3, &args, sizeof(args));
	if (child < 0) {
		perror("clone3");
		return 2;
	}
	if (child == 0) {
		if (!strcmp(argv[2], "first"))
			reuse_first(atof(argv[3]));
		else
			reuse_second(atof(argv[3]));
		_exit(0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
