// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_record.c - `bpfprof record`: sample stacks host-wide, for some pids, or for a command, and
 * write one profile.
 *
 * The steps, each a function below: parse and check the options (everything a user can get
 * wrong is rejected before any BPF is loaded or file written) -> check privileges -> open the
 * outputs -> a session (collect/session.h: the command held, the sampler loaded, JVM targets
 * made nameable) -> start it and run until Ctrl-C, the duration, the command's exit or the
 * targets' -> collect the profile -> write it with the chosen emitters -> summary, naming any
 * lost data and its fix. Ctrl-C and SIGTERM only end the run step; everything after it still
 * happens. Everything printed is printed here; the session only returns messages.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cli/commands.h"
#include "cli/record.h"
#include "collect/session.h"
#include "emit/emit.h"
#include "io/atomic_file.h"
#include "lib/units.h"
#include "lib/util.h"
#include "model/profile.h"

struct recorder {
	struct record_cfg cfg;
	struct event_spec ev;
	enum out_format fmts[MAX_OUTPUTS];
	struct atomic_file *out[MAX_OUTPUTS]; /* out[0] is stdout when no -o was given */
	int nout;
	struct session *session;
	struct profile *profile;
	double duration; /* seconds sampled */
	struct record_stats st;
	char err[512]; /* the session's last message */
};

static volatile sig_atomic_t stop_requested;
static volatile pid_t child_to_signal;

static void on_signal(int sig)
{
	stop_requested = sig;
	if (sig == SIGTERM && child_to_signal > 0)
		kill(child_to_signal, SIGTERM);
}

static void on_child(int sig)
{
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

/* The session's message, if it left one (a lower layer may have printed its own). */
static void record__say(const struct recorder *r)
{
	if (r->err[0])
		fprintf(stderr, "bpfprof: %s\n", r->err);
}

static int record__setup(struct recorder *r)
{
	struct session_cfg sc;

	record_cfg__session(&r->cfg, &r->ev, &sc);
	r->profile = profile__new();
	if (!r->profile)
		return -ENOMEM;
	r->session = session__new(&sc, r->err, sizeof(r->err));
	if (!r->session)
		return record__say(r), -EINVAL;
	child_to_signal = session__child(r->session);
	return 0;
}

/* What the modes measured so far, in their units: ", off-CPU 466 ms, lock waits 1.20 s". */
static void record__status_modes(struct recorder *r, char *buf, size_t len)
{
	static const char *const what[SAMPLE_KINDS] = {
		[SAMPLE_OFFCPU] = "off-CPU",
		[SAMPLE_LOCK] = "lock waits",
		[SAMPLE_ALLOC] = "allocated",
	};
	static const char *const unit[SAMPLE_KINDS] = {
		[SAMPLE_OFFCPU] = "nanoseconds",
		[SAMPLE_LOCK] = "nanoseconds",
		[SAMPLE_ALLOC] = "bytes",
	};
	uint64_t count[SAMPLE_KINDS], weight[SAMPLE_KINDS];
	size_t n = 0;
	char v[32];

	buf[0] = '\0';
	if (!r->ev.modes)
		return;
	session__mode_totals(r->session, count, weight);
	for (int k = 0; k < SAMPLE_KINDS && n < len; k++)
		if (what[k] && count[k])
			n += snprintf(buf + n, len - n, ", %s %s", what[k],
				      units__format(weight[k], unit[k], v, sizeof(v)));
}

static void record__status(struct recorder *r, double elapsed)
{
	uint64_t st[STAT_MAX];
	char total[32] = " (Ctrl-C to stop)", modes[128];

	session__stats(r->session, st);
	record__status_modes(r, modes, sizeof(modes));
	if (r->cfg.duration > 0)
		snprintf(total, sizeof(total), " / %.0fs", r->cfg.duration);
	fprintf(stderr, "\rbpfprof: recording %.0fs%s, %llu samples%s, %llu lost\033[K", elapsed,
		total, (unsigned long long)st[STAT_SAMPLES], modes,
		(unsigned long long)(st[STAT_COUNTS_FULL] + st[STAT_KSTACK_COLLISION] +
				     st[STAT_USTACK_COLLISION]));
}

/* One poll: false once the run is over (the command or the targets gone, the duration up). */
static bool record__step(struct recorder *r, double t_start, double *elapsed)
{
	double left = r->cfg.duration > 0 ? r->cfg.duration - (mono_s() - t_start) : 1;
	int wait = session__timeout_ms(r->session, left < 1 ? (int)(left * 1000) + 1 : 1000);
	int state = session__poll(r->session, wait, r->err, sizeof(r->err));

	record__say(r);
	if (state == SESSION_TARGETS_GONE)
		fprintf(stderr, "bpfprof: the target process%s exited; stopping\n",
			r->cfg.npids > 1 ? "es" : "");
	*elapsed = mono_s() - t_start;
	return state == SESSION_RUNNING && !(r->cfg.duration > 0 && *elapsed >= r->cfg.duration);
}

static int record__run(struct recorder *r)
{
	double t_start, next_status = 0, elapsed;
	bool status = r->cfg.status;
	int err;

	err = session__start(r->session, r->err, sizeof(r->err));
	if (err)
		return record__say(r), err;
	t_start = mono_s();
	while (!stop_requested && record__step(r, t_start, &elapsed)) {
		if (status && elapsed >= next_status) {
			record__status(r, elapsed);
			next_status = elapsed + 1;
		}
	}
	if (status)
		fprintf(stderr, "\r\033[K");
	r->duration = session__stop(r->session);
	return 0;
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

	if (r->cfg.title)
		snprintf(r->profile->meta.title, sizeof(r->profile->meta.title), "%s",
			 r->cfg.title);
	for (i = 0; i < r->nout && !err; i++) {
		err = emit__commit(r->profile, r->fmts[i], r->out[i], &eo);
		if (err)
			output__error(r->cfg.noutputs ? r->cfg.outputs[i] : NULL, err);
	}
	return err;
}

/*
 * The command's exit code. When the recording ended first (-d, or SIGINT/SIGTERM sent to bpfprof
 * alone) the command is ended with SIGTERM (SIGKILL 5 s later), as it would be if we died, and
 * the code is 0: a profile already written never waits on a command that runs on.
 */
static int record__end_command(struct recorder *r)
{
	bool ended;
	int code = session__exit_code(r->session, 5.0, &ended);

	if (ended)
		fprintf(stderr, "bpfprof: the command was still running when the recording ended; "
				"it was sent SIGTERM\n");
	return code;
}

/* Collect, write, sum up: the command's exit code (0 without one), or 1. */
static int record__finish(struct recorder *r)
{
	double t_post = mono_s();

	session__collect(r->session, r->profile, &r->st, r->err, sizeof(r->err));
	record__say(r);
	if (record__write(r))
		return 1;
	r->st.post_s = mono_s() - t_post;
	record_stats__print(&r->st, &r->cfg, &r->ev, r->duration, r->profile,
			    session__processes(r->session));
	return record__end_command(r);
}

/* The session (its producers first, then what they fed), then what it wrote into. */
static void record__free(struct recorder *r)
{
	session__free(r->session);
	profile__free(r->profile);
	for (int i = 0; i < r->nout; i++)
		atomic_file__free(r->out[i]);
	free(r->cfg.pids);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The command's exit interrupts the wait for events, so the run ends at once. */
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
}

int cmd_record(int argc, char **argv)
{
	struct recorder r = {};
	int err, status = 1;

	err = record_cfg__parse(&r.cfg, argc, argv);
	if (err) {
		free(r.cfg.pids);
		return err > 0 ? 0 : 2; /* > 0: --help was printed */
	}
	if (record_cfg__check(&r.cfg, &r.ev, r.fmts) || check_privileges())
		goto out;
	if (record__open_outputs(&r))
		goto out;
	install_signals();
	if (record__setup(&r) || record__run(&r))
		goto out;
	status = record__finish(&r);
out:
	record__free(&r);
	return status;
}
