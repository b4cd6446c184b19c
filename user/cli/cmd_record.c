// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_record.c - `bpfprof record`: sample stacks host-wide, for some pids, or for a command, and
 * write one profile.
 *
 * The steps, each a function below: parse and check the options (everything a user can get
 * wrong is rejected before any BPF is loaded or file written) -> open the output -> start the
 * command, held at a pipe -> load the sampler -> make JVM targets nameable -> attach -> run,
 * snapshotting each new process as the BPF side reports it -> stop -> drain and symbolize into
 * the profile model -> write it with the chosen emitter -> summary, naming any lost data and
 * its fix. Ctrl-C and SIGTERM only end the run step; everything after it still happens.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "io/atomic_file.h"
#include "cli/commands.h"
#include "emit/emit.h"
#include "collect/event_spec.h"
#include "runtimes/java/java.h"
#include "runtimes/java/watch.h"
#include "runtimes/java/jattach.h"
#include "lib/procfs.h"
#include "model/profile.h"
#include "cli/record.h"
#include "collect/sampler.h"
#include "collect/stack_table.h"
#include "symbolize/stack_builder.h"
#include "symbolize/symbolizer.h"
#include "lib/u64map.h"

struct recorder {
	struct record_cfg cfg;
	struct event_spec ev;
	enum out_format fmts[MAX_OUTPUTS];
	struct atomic_file *out[MAX_OUTPUTS]; /* out[0] is stdout when no -o was given */
	int nout;
	struct sampler *sampler;
	struct stack_table *raw; /* stacks drained so far, not yet named */
	struct symbolizer *sym;
	struct profile *profile;
	struct java_opts java;
	struct java_watch *jwatch; /* host-wide: attaches to JVMs as they appear */
	pid_t child;
	int child_status; /* wait status, valid when child_done */
	bool child_done;
	int go_fd; /* write end of the pipe the child waits on */
	double t_start, t_stop;
	struct record_stats st;
	struct u64map *pids_seen;
	struct refresh *refresh; /* processes whose mappings are read again soon */
	size_t nrefresh;
	bool warned_fds; /* said once that we ran out of file descriptors */
};

/*
 * A process is first seen at exec or at its first sample, often before ld.so has mapped its
 * libraries; its mappings are read again after these delays (seconds) to catch them.
 */
static const double refresh_delays[] = { 0.05, 0.3, 2.0 };
/*
 * After those, a process with a perf map is refreshed this often while it lives: its map cannot
 * be read once it has exited, and code compiled since the last read would go unnamed.
 */
#define JIT_REFRESH_S 2.0

struct refresh {
	pid_t pid;
	int step;
	double due;
};

static volatile sig_atomic_t stop_requested;
static volatile pid_t child_to_signal;

static void on_signal(int sig)
{
	stop_requested = sig;
	if (sig == SIGTERM && child_to_signal > 0)
		kill(child_to_signal, SIGTERM);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Root, or CAP_BPF + CAP_PERFMON: say so before anything else fails less clearly. */
static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};
	const int cap_perfmon = 38, cap_bpf = 39;

	if (geteuid() == 0)
		return 0;
	if (!syscall(SYS_capget, &hdr, data) && (data[1].effective & (1u << (cap_perfmon - 32))) &&
	    (data[1].effective & (1u << (cap_bpf - 32))))
		return 0;
	fprintf(stderr, "bpfprof: needs root (or CAP_BPF and CAP_PERFMON); run it with sudo\n");
	return -EPERM;
}

static void refresh__schedule(struct recorder *r, pid_t pid)
{
	struct refresh next = { pid, 0, now_s() + refresh_delays[0] }, *q;

	for (size_t i = 0; i < r->nrefresh; i++) {
		if (r->refresh[i].pid == pid) { /* an exec, or a new process under pid */
			r->refresh[i] = next;
			return;
		}
	}
	q = realloc(r->refresh, (r->nrefresh + 1) * sizeof(*q));
	if (!q)
		return;
	r->refresh = q;
	q[r->nrefresh++] = next;
}

/* When to read q's process again, if ever. */
static bool refresh__next(struct recorder *r, struct refresh *q, double now)
{
	if (++q->step < (int)(sizeof(refresh_delays) / sizeof(refresh_delays[0])))
		q->due = now + refresh_delays[q->step];
	else if (symbolizer__has_jit(r->sym, q->pid))
		q->due = now + JIT_REFRESH_S;
	else
		return false;
	return true;
}

static void refresh__run(struct recorder *r)
{
	double now = now_s();
	size_t i = 0;

	while (i < r->nrefresh) {
		struct refresh *q = &r->refresh[i];

		if (q->due > now) {
			i++;
			continue;
		}
		if (symbolizer__refresh_process(r->sym, q->pid) == 0 && refresh__next(r, q, now)) {
			i++;
			continue;
		}
		*q = r->refresh[--r->nrefresh]; /* done, or the process is gone */
	}
}

/* Loud, once: without file descriptors every process met from now on goes unnamed. */
static void record__warn_fds(struct recorder *r, int err)
{
	struct rlimit rl = {};

	if (r->warned_fds)
		return;
	r->warned_fds = true;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (err == -ENFILE)
		fprintf(stderr,
			"bpfprof: the system is out of file descriptors (%s): processes met from now on stay unnamed; raise fs.file-max (sysctl -w fs.file-max=...)\n",
			strerror(-err));
	else
		fprintf(stderr,
			"bpfprof: out of file descriptors (%s, limit %llu): processes met from now on stay unnamed; raise the limit with ulimit -n (e.g. ulimit -n 65536)\n",
			strerror(-err), (unsigned long long)rl.rlim_cur);
}

static void on_proc_event(const struct bp_event *e, void *ctx)
{
	struct recorder *r = ctx;
	unsigned long long start = procfs__ticks(e->start_ns);
	char comm[TASK_COMM_LEN + 1];
	int err;

	if (e->type == BP_EVENT_EXIT) {
		symbolizer__exit_process(r->sym, e->pid, start);
		java_watch__forget(r->jwatch, e->pid);
		return;
	}
	memcpy(comm, e->comm, TASK_COMM_LEN);
	comm[TASK_COMM_LEN] = '\0';
	err = symbolizer__add_process(r->sym, e->pid, e->nspid, comm, start);
	if (!err)
		refresh__schedule(r, e->pid);
	else if (err == -EMFILE || err == -ENFILE)
		record__warn_fds(r, err);
	if (e->type == BP_EVENT_NEW)
		r->st.processes_seen++;
	java_watch__offer(r->jwatch, e->pid);
}

/* ---- the command: started before loading, held until sampling is attached ---- */

/* A JVM started by the command loads our agent itself, from its first compiled method on. */
static void java_env__add_agent(const char *agent)
{
	const char *old = getenv("JAVA_TOOL_OPTIONS");
	char *val;

	if (asprintf(&val, "%s%s-agentpath:%s", old ? old : "", old ? " " : "", agent) > 0)
		setenv("JAVA_TOOL_OPTIONS", val, 1);
}

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

static int child__spawn(struct recorder *r)
{
	pid_t parent = getpid();
	int go[2];

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	r->child = fork();
	if (r->child < 0)
		return -errno;
	if (r->child == 0) {
		char c;

		child__die_with_parent(parent);
		close(go[1]);
		if (read(go[0], &c, 1) != 1) /* the recorder failed: never run unobserved */
			_exit(127);
		if (r->java.agent_path)
			java_env__add_agent(r->java.agent_path);
		execvp(r->cfg.cmd[0], r->cfg.cmd);
		fprintf(stderr, "bpfprof: cannot run '%s': %s\n", r->cfg.cmd[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	r->go_fd = go[1];
	child_to_signal = r->child;
	return 0;
}

static void child__release(struct recorder *r)
{
	if (r->go_fd >= 0 && write(r->go_fd, "g", 1) != 1)
		fprintf(stderr, "bpfprof: cannot start the command: %s\n", strerror(errno));
	if (r->go_fd >= 0)
		close(r->go_fd);
	r->go_fd = -1;
}

static void child__poll(struct recorder *r, int flags)
{
	if (r->child > 0 && !r->child_done &&
	    waitpid(r->child, &r->child_status, flags) == r->child)
		r->child_done = true;
}

static int child__exit_code(const struct recorder *r)
{
	if (WIFEXITED(r->child_status))
		return WEXITSTATUS(r->child_status);
	if (WIFSIGNALED(r->child_status))
		return 128 + WTERMSIG(r->child_status);
	return 1;
}

/* ---- set-up ---- */

static void record__java_prepare(struct recorder *r)
{
	int i;

	if (r->cfg.java == JAVA_OFF)
		return;
	if (r->cfg.java == JAVA_AUTO && !r->cfg.npids && !r->cfg.cmd)
		r->jwatch = java_watch__start(&r->java);
	for (i = 0; i < r->cfg.npids; i++) {
		if (java__is_jvm(r->cfg.pids[i]))
			java__prepare(r->cfg.pids[i], &r->java);
	}
}

static void record__java_finish(struct recorder *r)
{
	int i;

	java_watch__stop(r->jwatch);
	if (r->cfg.java == JAVA_OFF)
		return;
	for (i = 0; i < r->cfg.npids; i++) {
		if (java__is_jvm(r->cfg.pids[i]))
			java__finish(r->cfg.pids[i], &r->java);
	}
}

static int record__setup(struct recorder *r)
{
	struct sampler_cfg sc = {
		.filter_pids = r->cfg.npids > 0 || r->cfg.cmd,
		.follow_forks = r->cfg.cmd != NULL,
		.idle = r->cfg.idle,
		.kernel = !r->cfg.user_only,
		.user = !r->cfg.kernel_only,
		.threads = r->cfg.threads,
		.stack_storage = r->cfg.stack_storage,
		.max_stacks = r->cfg.max_stacks,
		.verbose = r->cfg.verbose,
	};
	int i, err;

	r->sym = symbolizer__new(
		&(struct symbolizer_opts){ r->cfg.debug_dir, NULL, r->cfg.verbose });
	r->profile = profile__new();
	r->pids_seen = u64map__new();
	r->raw = stack_table__new();
	if (!r->sym || !r->profile || !r->pids_seen || !r->raw)
		return -ENOMEM;
	if (r->cfg.cmd && (err = child__spawn(r)))
		return fprintf(stderr, "bpfprof: cannot start '%s': %s\n", r->cfg.cmd[0],
			       strerror(-err)),
		       err;
	r->sampler = sampler__new(&sc, on_proc_event, r);
	if (!r->sampler)
		return -EINVAL;
	for (i = 0; i < r->cfg.npids; i++) {
		if ((err = sampler__add_pid(r->sampler, r->cfg.pids[i])))
			return err;
		symbolizer__add_process(r->sym, r->cfg.pids[i], 0, NULL, 0);
	}
	if (r->child > 0 && (err = sampler__add_pid(r->sampler, r->child)))
		return err;
	record__java_prepare(r);
	return 0;
}

/* ---- run ---- */

static void record__status(struct recorder *r, double elapsed)
{
	uint64_t st[STAT_MAX];
	char total[32] = " (Ctrl-C to stop)";

	sampler__stats(r->sampler, st);
	if (r->cfg.duration > 0)
		snprintf(total, sizeof(total), " / %.0fs", r->cfg.duration);
	fprintf(stderr, "\rbpfprof: recording %.0fs%s, %llu samples, %llu lost\033[K", elapsed,
		total, (unsigned long long)st[STAT_SAMPLES],
		(unsigned long long)(st[STAT_COUNTS_FULL] + st[STAT_KSTACK_COLLISION] +
				     st[STAT_USTACK_COLLISION]));
}

/* -p targets: true once every one has exited (perf record -p stops then too). */
static bool targets__all_gone(const struct recorder *r)
{
	int i;

	if (!r->cfg.npids)
		return false;
	for (i = 0; i < r->cfg.npids; i++) {
		if (procfs__alive(r->cfg.pids[i]))
			return false;
	}
	fprintf(stderr, "bpfprof: the target process%s exited; stopping\n",
		r->cfg.npids > 1 ? "es" : "");
	return true;
}

static void on_raw_stack(const struct sample_key *k, uint64_t count, const uint64_t *kips,
			 const uint64_t *uips, void *ctx)
{
	struct recorder *r = ctx;

	if (stack_table__add(r->raw, k, count, kips, uips))
		r->st.dropped += count;
}

/* Empty the in-kernel set that is filling up into the raw table, before it loses stacks. */
static int record__rotate(struct recorder *r)
{
	int err = 0;

	if (sampler__wants_rotate(r->sampler))
		err = sampler__rotate(r->sampler, on_raw_stack, r);
	if (err)
		fprintf(stderr, "bpfprof: reading the in-kernel counts: %s\n", strerror(-err));
	return err;
}

static int record__run(struct recorder *r)
{
	double next_status = 0, next_check = 0.5, elapsed;
	bool status = r->cfg.status;
	int err;

	err = sampler__start(r->sampler, &r->ev, &r->cfg.rate);
	if (err)
		return err;
	r->t_start = now_s();
	child__release(r);
	while (!stop_requested) {
		err = sampler__poll(r->sampler, 100);
		if (err < 0) {
			fprintf(stderr, "bpfprof: polling events: %s\n", strerror(-err));
			break;
		}
		refresh__run(r);
		record__rotate(r);
		elapsed = now_s() - r->t_start;
		child__poll(r, WNOHANG);
		if (r->child_done || (r->cfg.duration > 0 && elapsed >= r->cfg.duration))
			break;
		if (elapsed >= next_check) {
			if (targets__all_gone(r))
				break;
			next_check = elapsed + 0.5;
		}
		if (status && elapsed >= next_status) {
			record__status(r, elapsed);
			next_status = elapsed + 1;
		}
	}
	if (status)
		fprintf(stderr, "\r\033[K");
	r->t_stop = now_s();
	sampler__stop(r->sampler);
	return 0;
}

static void record__fill_meta(struct recorder *r)
{
	struct profile_meta *m = &r->profile->meta;
	struct timespec ts;
	double dur = r->t_stop - r->t_start;

	snprintf(m->event, sizeof(m->event), "%.*s", (int)sizeof(m->event) - 1, r->ev.name);
	snprintf(m->unit, sizeof(m->unit), "%s", r->ev.is_time ? "nanoseconds" : "count");
	if (r->ev.kind != EV_PERF)
		m->period = 1;
	else if (r->cfg.rate.freq)
		m->period = r->ev.is_time ? 1000000000ULL / r->cfg.rate.freq : 1;
	else
		m->period = r->cfg.rate.period;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_ns = (ts.tv_sec - (time_t)dur) * 1000000000ULL;
	m->duration_s = dur;
	gethostname(m->host, sizeof(m->host) - 1);
	if (r->cfg.title)
		snprintf(m->title, sizeof(m->title), "%s", r->cfg.title);
}

static void on_stack(const struct sample_key *k, uint64_t count, const uint64_t *kips,
		     const uint64_t *uips, void *ctx)
{
	stack_builder__add(ctx, k, count, kips, uips);
}

static int record__collect(struct recorder *r)
{
	struct stack_builder b = {
		.profile = r->profile,
		.sym = r->sym,
		.st = &r->st,
		.threads = r->cfg.threads,
		.user = !r->cfg.kernel_only,
		.kernel = !r->cfg.user_only,
		.pids = r->pids_seen,
	};
	int err;

	record__java_finish(r);
	err = sampler__drain(r->sampler, on_raw_stack, r);
	if (err)
		fprintf(stderr, "bpfprof: reading the in-kernel counts: %s\n", strerror(-err));
	stack_table__for_each(r->raw, on_stack, &b);
	r->st.rotations = sampler__rotations(r->sampler);
	sampler__stats(r->sampler, r->st.bpf);
	sampler__prog_stats(r->sampler, &r->st.run_ns, &r->st.run_cnt);
	r->st.processes = u64map__count(r->pids_seen);
	record__fill_meta(r);
	profile__sort(r->profile);
	return err;
}

static int output__error(const char *path, int err)
{
	fprintf(stderr, "bpfprof: cannot write '%s': %s; %s\n", path ? path : "stdout",
		strerror(-err), atomic_file__hint(err));
	return err;
}

static int record__open_outputs(struct recorder *r)
{
	int i, err;

	r->nout = r->cfg.noutputs ? r->cfg.noutputs : 1;
	for (i = 0; i < r->nout; i++) {
		const char *path = r->cfg.noutputs ? r->cfg.outputs[i] : NULL;

		if ((err = atomic_file__open(&r->out[i], path)))
			return output__error(path, err);
	}
	return 0;
}

static int record__write(struct recorder *r)
{
	struct emit_opts eo = { .title = r->cfg.title };
	int i, err = 0;

	for (i = 0; i < r->nout && !err; i++) {
		err = emit__commit(r->profile, r->fmts[i], r->out[i], &eo);
		if (err)
			output__error(r->cfg.noutputs ? r->cfg.outputs[i] : NULL, err);
	}
	return err;
}

/* Producers first: once the sampler is gone, nothing calls on_proc_event() on what follows. */
static void record__free(struct recorder *r)
{
	sampler__free(r->sampler);
	java_watch__free(r->jwatch);
	stack_table__free(r->raw);
	symbolizer__free(r->sym);
	profile__free(r->profile);
	u64map__free(r->pids_seen);
	free(r->refresh);
	for (int i = 0; i < r->nout; i++)
		atomic_file__free(r->out[i]);
	if (r->go_fd >= 0)
		close(r->go_fd); /* a held child sees EOF and exits 127 */
	child__poll(r, 0);
	free(r->cfg.pids);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_record(int argc, char **argv)
{
	struct recorder r = { .go_fd = -1 };
	char agent[PATH_MAX];
	int err, status = 1;
	double t_post;

	err = record_cfg__parse(&r.cfg, argc, argv);
	if (err) {
		free(r.cfg.pids);
		return err > 0 ? 0 : 2; /* > 0: --help was printed */
	}
	if (record_cfg__check(&r.cfg, &r.ev, r.fmts) || check_privileges())
		goto out;
	if (record__open_outputs(&r))
		goto out;
	if (r.cfg.java != JAVA_OFF && jvm__default_agent(agent, sizeof(agent)) == 0)
		r.java.agent_path = agent;
	r.java.agent_opts = r.cfg.agent_opts;
	r.java.verbose = r.cfg.verbose;
	install_signals();
	if (record__setup(&r))
		goto out;
	if (record__run(&r))
		goto out;
	t_post = now_s();
	record__collect(&r);
	if (record__write(&r))
		goto out;
	r.st.post_s = now_s() - t_post;
	r.st.stacks = r.profile->nstacks;
	r.st.refused = *symbolizer__refusals(r.sym);
	record_stats__print(&r.st, &r.cfg, &r.ev, r.t_stop - r.t_start, r.profile->total,
			    symbolizer__processes(r.sym));
	status = 0;
	if (r.child > 0) {
		child__poll(&r, 0);
		status = child__exit_code(&r);
	}
out:
	record__free(&r);
	return status;
}
