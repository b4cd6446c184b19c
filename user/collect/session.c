// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/session.c - a recording without its command line: start the command held, load the
 * sampler, make JVM targets nameable, attach, and while it runs turn process events into
 * snapshots and drain filling in-kernel sets; at the end, drain and name every stack into the
 * profile model. cli/cmd_record.c drives it; the monitor will too. See session.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "cli/record.h"
#include "collect/proc_tracker.h"
#include "collect/sampler.h"
#include "collect/session.h"
#include "collect/stack_table.h"
#include "collect/workload.h"
#include "lib/procfs.h"
#include "lib/util.h"
#include "lib/u64map.h"
#include "model/profile.h"
#include "runtimes/runtimes.h"
#include "symbolize/stack_builder.h"
#include "symbolize/symbolizer.h"

struct session {
	struct session_cfg cfg;
	struct sampler *sampler;
	struct symbolizer *sym;
	struct proc_tracker *procs;
	struct workload *cmd;	   /* NULL without a command */
	struct runtimes *runtimes; /* NULL: --java off */
	struct stack_table *raw;   /* stacks drained so far, not yet named */
	struct u64map *pids_seen;
	uint64_t dropped; /* samples the raw table had no room for */
	double t_start, t_stop, next_check;
};

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return e;
}

static void on_proc_event(const struct proc_event *e, void *ctx)
{
	struct session *s = ctx;
	unsigned long long start = procfs__ticks(e->start_ns);

	if (!s->procs) /* only before session__new() returns, when no event is delivered */
		return;
	if (e->type == PROC_EXIT) {
		proc_tracker__exit(s->procs, e->pid, start);
		return;
	}
	proc_tracker__seen(s->procs, e->pid, e->nspid, e->comm, start, e->type == PROC_NEW,
			   mono_s());
}

static void on_raw_stack(const struct sample *smp, void *ctx)
{
	struct session *s = ctx;

	if (stack_table__add(s->raw, smp))
		s->dropped += smp->count;
}

/* Runtimes (JVMs) to make nameable; host-wide, each is watched for as processes appear. */
static struct runtimes *session__runtimes_new(const struct session_cfg *cfg)
{
	struct runtime_cfg rc = cfg->runtimes;

	if (cfg->java == SESSION_JAVA_OFF)
		return NULL;
	rc.watch = cfg->java == SESSION_JAVA_AUTO && !cfg->npids && !cfg->cmd;
	return runtimes__new(&rc); /* NULL: no memory, JIT frames stay unnamed */
}

/* A JVM started by the command loads our agent itself, from its first compiled method on. */
static void session__command_env(void *ctx)
{
	runtimes__command_env(ctx);
}

static int session__spawn(struct session *s, char *err, size_t errlen)
{
	int e;

	if (!s->cfg.cmd)
		return 0;
	e = workload__spawn(&s->cmd, s->cfg.cmd, s->runtimes ? session__command_env : NULL,
			    s->runtimes);
	if (e)
		return fail(err, errlen, e, "cannot start '%s': %s", s->cfg.cmd[0], strerror(-e));
	return 0;
}

static int session__load(struct session *s, char *err, size_t errlen)
{
	struct sampler_cfg sc = {
		.filter_pids = s->cfg.npids > 0 || s->cfg.cmd,
		.follow_forks = s->cfg.cmd != NULL,
		.idle = s->cfg.idle,
		.kernel = !s->cfg.user_only,
		.user = !s->cfg.kernel_only,
		.threads = s->cfg.threads,
		.stack_storage = s->cfg.stack_storage,
		.max_stacks = s->cfg.max_stacks,
		.verbose = s->cfg.verbose,
		.event = s->cfg.ev,
	};
	int i, e;

	s->sampler = sampler__new(&sc, on_proc_event, s);
	if (!s->sampler)
		return -EINVAL; /* the sampler said why */
	for (i = 0; i < s->cfg.npids; i++) {
		if ((e = sampler__add_pid(s->sampler, s->cfg.pids[i])))
			return fail(err, errlen, e, "cannot watch pid %d: %s", s->cfg.pids[i],
				    strerror(-e));
		symbolizer__add_process(s->sym, s->cfg.pids[i], 0, NULL, 0);
	}
	if (s->cmd && (e = sampler__add_pid(s->sampler, workload__pid(s->cmd))))
		return fail(err, errlen, e, "cannot watch the command: %s", strerror(-e));
	return 0;
}

struct session *session__new(const struct session_cfg *cfg, char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));

	err[0] = '\0';
	if (!s)
		return fail(err, errlen, 0, "out of memory"), NULL;
	s->cfg = *cfg;
	s->sym = symbolizer__new(&(struct symbolizer_opts){ cfg->debug_dir, NULL, cfg->verbose });
	s->pids_seen = u64map__new();
	s->raw = stack_table__new();
	if (!s->sym || !s->pids_seen || !s->raw) {
		fail(err, errlen, 0, "out of memory");
		goto out_free;
	}
	s->runtimes = session__runtimes_new(&s->cfg);
	if (session__spawn(s, err, errlen) || session__load(s, err, errlen))
		goto out_free;
	for (int i = 0; i < s->cfg.npids; i++)
		runtimes__prepare(s->runtimes, s->cfg.pids[i]);
	/* The tracker offers the runtimes every process it meets. */
	s->procs = proc_tracker__new(s->sym, s->runtimes);
	if (!s->procs) {
		fail(err, errlen, 0, "out of memory");
		goto out_free;
	}
	return s;

out_free:
	session__free(s);
	return NULL;
}

pid_t session__child(const struct session *s)
{
	return workload__pid(s->cmd);
}

int session__start(struct session *s, char *err, size_t errlen)
{
	int e;

	err[0] = '\0';
	e = sampler__start(s->sampler, s->cfg.ev, s->cfg.rate);
	if (e)
		return e; /* the sampler said why */
	s->t_start = mono_s();
	s->next_check = 0.5;
	if (s->cmd && (e = workload__release(s->cmd)))
		return fail(err, errlen, e, "cannot start the command: %s", strerror(-e));
	return 0;
}

/* Loud, once: without file descriptors every process met from now on goes unnamed. */
static void fd_warning(int e, char *err, size_t errlen)
{
	struct rlimit rl = {};

	getrlimit(RLIMIT_NOFILE, &rl);
	if (e == -ENFILE)
		fail(err, errlen, 0,
		     "the system is out of file descriptors (%s): processes met from now on stay unnamed; raise fs.file-max (sysctl -w fs.file-max=...)",
		     strerror(-e));
	else
		fail(err, errlen, 0,
		     "out of file descriptors (%s, limit %llu): processes met from now on stay unnamed; raise the limit with ulimit -n (e.g. ulimit -n 65536)",
		     strerror(-e), (unsigned long long)rl.rlim_cur);
}

/* -p targets: true once every one has exited (perf record -p stops then too). */
static bool targets__all_gone(const struct session *s)
{
	int i;

	if (!s->cfg.npids)
		return false;
	for (i = 0; i < s->cfg.npids; i++) {
		if (procfs__alive(s->cfg.pids[i]))
			return false;
	}
	return true;
}

int session__poll(struct session *s, int timeout_ms, char *err, size_t errlen)
{
	double elapsed;
	int e;

	err[0] = '\0';
	e = sampler__poll(s->sampler, timeout_ms);
	if (e < 0)
		return fail(err, errlen, e, "polling events: %s", strerror(-e));
	proc_tracker__refresh(s->procs, mono_s());
	if ((e = proc_tracker__fd_error(s->procs)))
		fd_warning(e, err, errlen);
	/* Empty the in-kernel set that is filling up into the raw table, before it loses stacks. */
	if (sampler__wants_rotate(s->sampler) && (e = sampler__rotate(s->sampler, on_raw_stack, s)))
		fail(err, errlen, 0, "reading the in-kernel counts: %s", strerror(-e));
	if (s->cmd && workload__poll(s->cmd, false))
		return SESSION_CMD_EXITED;
	elapsed = mono_s() - s->t_start;
	if (elapsed >= s->next_check) {
		s->next_check = elapsed + 0.5;
		if (targets__all_gone(s))
			return SESSION_TARGETS_GONE;
	}
	return SESSION_RUNNING;
}

double session__stop(struct session *s)
{
	if (!s->t_stop) {
		s->t_stop = mono_s();
		sampler__stop(s->sampler);
	}
	return s->t_stop - s->t_start;
}

void session__stats(struct session *s, uint64_t out[STAT_MAX])
{
	sampler__stats(s->sampler, out);
}

static void fill_meta(const struct session *s, struct profile_meta *m)
{
	const struct event_spec *ev = s->cfg.ev;
	double dur = s->t_stop - s->t_start;
	struct timespec ts;

	snprintf(m->event, sizeof(m->event), "%.*s", (int)sizeof(m->event) - 1, ev->name);
	snprintf(m->unit, sizeof(m->unit), "%s", sampler__unit(s->sampler, ev));
	if (ev->kind != EV_PERF)
		m->period = 1;
	else if (s->cfg.rate->freq)
		m->period = ev->is_time ? 1000000000ULL / s->cfg.rate->freq : 1;
	else
		m->period = s->cfg.rate->period;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_ns = (ts.tv_sec - (time_t)dur) * 1000000000ULL;
	m->duration_s = dur;
	gethostname(m->host, sizeof(m->host) - 1);
}

static void on_stack(const struct sample *smp, void *ctx)
{
	stack_builder__add(ctx, smp);
}

int session__collect(struct session *s, struct profile *p, struct record_stats *st, char *err,
		     size_t errlen)
{
	struct stack_builder b = {
		.profile = p,
		.sym = s->sym,
		.st = &st->frames,
		.threads = s->cfg.threads,
		.user = !s->cfg.kernel_only,
		.kernel = !s->cfg.user_only,
		.pids = s->pids_seen,
	};
	int e;

	err[0] = '\0';
	runtimes__finish(s->runtimes);
	e = sampler__drain(s->sampler, on_raw_stack, s);
	if (e)
		fail(err, errlen, e, "reading the in-kernel counts: %s", strerror(-e));
	stack_table__for_each(s->raw, on_stack, &b);
	st->frames.dropped += s->dropped;
	st->processes_seen = proc_tracker__new_processes(s->procs);
	st->rotations = sampler__rotations(s->sampler);
	sampler__stats(s->sampler, st->bpf);
	sampler__prog_stats(s->sampler, &st->run_ns, &st->run_cnt);
	st->processes = u64map__count(s->pids_seen);
	st->refused = *symbolizer__refusals(s->sym);
	fill_meta(s, &p->meta);
	profile__sort(p);
	st->stacks = p->nstacks;
	return e;
}

size_t session__processes(const struct session *s)
{
	return symbolizer__processes(s->sym);
}

int session__exit_code(struct session *s)
{
	if (!s->cmd)
		return 0;
	workload__poll(s->cmd, true);
	return workload__exit_code(s->cmd);
}

/*
 * Producers first: once the sampler is gone nothing calls on_proc_event(), and once the watcher
 * is gone nothing is offered to it (issue 7: freeing the symbolizer under a live producer).
 */
void session__free(struct session *s)
{
	if (!s)
		return;
	sampler__free(s->sampler);
	runtimes__free(s->runtimes);
	proc_tracker__free(s->procs);
	stack_table__free(s->raw);
	symbolizer__free(s->sym);
	u64map__free(s->pids_seen);
	workload__free(s->cmd);
	free(s);
}
