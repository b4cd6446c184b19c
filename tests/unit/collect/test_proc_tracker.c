// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_proc_tracker.c - the refresh schedule, with time passed in: a process met is read again
 * 0.05, 0.3 and 2 s later and then dropped, unless it has a perf map (a JIT), which is read every
 * 2 s while it lives; an exec reschedules rather than adds; a process gone before its snapshot
 * is not scheduled; only new processes are counted; running out of file descriptors is kept
 * for the caller, once.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "fds.h"
#include "collect/proc_tracker.h"
#include "symbolize/symbolizer.h"

#define near(a, b) (fabs((a) - (b)) < 1e-9)

static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	usleep(50 * 1000);
	return pid;
}

/*
 * A process stopped right after its exec, before ld.so has run: its maps show the program, ld.so
 * and the vDSO, no library yet (as when a process's first sample lands in ld.so's start-up).
 */
static pid_t unsettled(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* never outlive the test, nor hold its output open (the runner reads to its end) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl("/bin/sleep", "sleep", "100", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0); /* stopped at the exec (SIGTRAP) */
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_schedule(struct symbolizer *sym)
{
	struct proc_tracker *t = proc_tracker__new(sym, NULL);
	pid_t pid = sleeper();

	proc_tracker__seen(t, pid, 0, "sleeper", 0, true, 50);
	check(proc_tracker__pending(t) == 1 && near(proc_tracker__next_due(t), 52),
	      "a process met past ld.so's start-up (libc mapped) is read again once, 2 s on");
	reap(pid);
	proc_tracker__refresh(t, 52);
	check_int(proc_tracker__pending(t), 0, "(and dropped once gone)");
	pid = unsettled();
	proc_tracker__seen(t, pid, 0, "sleep", 0, true, 100);
	check_int(proc_tracker__pending(t), 1, "a new process is scheduled");
	check(near(proc_tracker__next_due(t), 100.05), "first refresh after 0.05 s");
	proc_tracker__refresh(t, 100.04);
	check(near(proc_tracker__next_due(t), 100.05), "not before it is due");
	proc_tracker__refresh(t, 100.05);
	check(near(proc_tracker__next_due(t), 100.35), "then 0.3 s later");
	proc_tracker__refresh(t, 100.35);
	check(near(proc_tracker__next_due(t), 102.35), "then 2 s later");
	proc_tracker__refresh(t, 102.35);
	check_int(proc_tracker__pending(t), 0, "then done: no perf map, no more refreshes");

	proc_tracker__seen(t, pid, 0, "sleep", 0, false, 200);
	proc_tracker__seen(t, pid, 0, "sleep", 0, false, 201);
	check_int(proc_tracker__pending(t), 1, "an exec reschedules the pid, once");
	check(near(proc_tracker__next_due(t), 201.05), "from the last exec");
	check_int(proc_tracker__new_processes(t), 2,
		  "execs are not new processes (2 processes met)");
	reap(pid);
	proc_tracker__refresh(t, 202);
	check_int(proc_tracker__pending(t), 0, "a process gone is dropped at its refresh");

	proc_tracker__seen(t, pid, 0, "gone", 0, true, 300);
	check_int(proc_tracker__pending(t), 0, "gone before its snapshot: not scheduled");
	check(proc_tracker__next_due(t) == 0, "nothing due");
	proc_tracker__free(t);
}

static void test_jit(struct symbolizer *sym)
{
	struct proc_tracker *t = proc_tracker__new(sym, NULL);
	pid_t pid = unsettled();
	char map[64];
	FILE *m;

	snprintf(map, sizeof(map), "/tmp/perf-%d.map", pid);
	m = fopen(map, "w");
	fprintf(m, "1000 100 Foo.bar\n");
	fclose(m);
	proc_tracker__seen(t, pid, 0, "jit", 0, true, 10);
	proc_tracker__refresh(t, 10.1);
	check_int(proc_tracker__pending(t), 1, "a process with a perf map is scheduled");
	proc_tracker__exit(t, pid, 0);
	reap(pid);
	proc_tracker__refresh(t, 10.4);
	check_int(proc_tracker__pending(t), 0, "until it exits");
	unlink(map);
	proc_tracker__free(t);
}

static void test_fd_error(struct symbolizer *sym)
{
	struct proc_tracker *t = proc_tracker__new(sym, NULL);
	pid_t pid = unsettled();
	struct fds_held h;

	fds__exhaust(&h);
	proc_tracker__seen(t, pid, 0, NULL, 0, true, 0);
	proc_tracker__seen(t, pid, 0, NULL, 0, true, 0);
	fds__restore(&h);
	check_int(proc_tracker__fd_error(t), -EMFILE, "out of descriptors: kept for the caller");
	check_int(proc_tracker__fd_error(t), 0, "and reported once");
	proc_tracker__seen(t, pid, 0, NULL, 0, true, 0);
	check_int(proc_tracker__pending(t), 1, "descriptors back: scheduled again");
	reap(pid);
	proc_tracker__free(t);
	proc_tracker__free(NULL);
}

int main(void)
{
	struct symbolizer *sym = symbolizer__new(NULL);

	test_schedule(sym);
	test_jit(sym);
	test_fd_error(sym);
	symbolizer__free(sym);
	return check_done();
}
