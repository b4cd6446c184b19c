// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/workload.c - the command a recording runs: fork, hold at a pipe, release, reap. Held
 * so that the sampler, loaded between fork and release, sees the command from its first
 * instruction; released by one byte on the pipe. See workload.h for the invariants.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "collect/workload.h"

struct workload {
	pid_t pid;
	int go_fd;  /* write end of the pipe the child waits on, -1 once released */
	int status; /* wait status, valid when done */
	bool done;
};

/*
 * The command dies with us: SIGTERM when the recorder dies, even by SIGKILL, so it is never left
 * running unobserved. SIGTERM rather than SIGKILL, as when the recorder itself gets SIGTERM: the
 * command may clean up (a JVM runs its shutdown hooks). A command that ignores SIGTERM, or a
 * set-uid one (the kernel drops the setting at exec), can still outlive a killed recorder.
 */
static void child__die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
		_exit(127); /* the recorder is already gone */
}

static void __attribute__((noreturn))
child__run(int go_fd, char *const *argv, workload_env_fn env_fn, void *ctx, pid_t parent)
{
	char c;

	child__die_with_parent(parent);
	if (read(go_fd, &c, 1) != 1) /* the recorder failed: never run unobserved */
		_exit(127);
	if (env_fn)
		env_fn(ctx);
	execvp(argv[0], argv);
	/* The child's only way to say why; the parent sees exit code 127. */
	fprintf(stderr, "bpfprof: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int workload__spawn(struct workload **out, char *const *argv, workload_env_fn env_fn, void *ctx)
{
	pid_t parent = getpid();
	struct workload *w;
	int go[2], err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (pipe2(go, O_CLOEXEC)) {
		err = -errno;
		goto out_free;
	}
	w->pid = fork();
	if (w->pid < 0) {
		err = -errno;
		goto out_close;
	}
	if (w->pid == 0) {
		close(go[1]);
		child__run(go[0], argv, env_fn, ctx, parent);
	}
	close(go[0]);
	w->go_fd = go[1];
	*out = w;
	return 0;

out_close:
	close(go[0]);
	close(go[1]);
out_free:
	free(w);
	return err;
}

pid_t workload__pid(const struct workload *w)
{
	return w ? w->pid : 0;
}

int workload__release(struct workload *w)
{
	int err = 0;

	if (w->go_fd < 0)
		return 0;
	if (write(w->go_fd, "g", 1) != 1)
		err = -errno;
	close(w->go_fd);
	w->go_fd = -1;
	return err;
}

bool workload__poll(struct workload *w, bool wait)
{
	if (!w->done && waitpid(w->pid, &w->status, wait ? 0 : WNOHANG) == w->pid)
		w->done = true;
	return w->done;
}

bool workload__end(struct workload *w, double grace_s)
{
	int waited_ms = 0;

	if (workload__poll(w, false))
		return false;
	kill(w->pid, SIGTERM);
	while (!workload__poll(w, false)) {
		if (waited_ms >= grace_s * 1000) {
			kill(w->pid, SIGKILL);
			workload__poll(w, true);
			break;
		}
		usleep(20 * 1000);
		waited_ms += 20;
	}
	return true;
}

int workload__exit_code(const struct workload *w)
{
	if (WIFEXITED(w->status))
		return WEXITSTATUS(w->status);
	if (WIFSIGNALED(w->status))
		return 128 + WTERMSIG(w->status);
	return 1;
}

void workload__free(struct workload *w)
{
	if (!w)
		return;
	if (w->go_fd >= 0)
		close(w->go_fd); /* a held child sees EOF and exits 127 */
	workload__poll(w, true);
	free(w);
}
