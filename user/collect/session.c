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
#include <regex.h>
#include <unistd.h>
#include "cli/record.h"
#include "collect/proc_info.h"
#include "collect/interp_watch.h"
#include "collect/alloc_target.h"
#include "collect/mode.h"
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

/* A collection: every stack drained while it is open (see session__tap_open). */
struct session_tap {
	struct session_tap *next;
	struct stack_table *raw; /* stacks drained while open, not yet named */
	uint64_t dropped;	 /* samples the raw table had no room for */
	unsigned long epoch;	 /* the symbolizer's epoch when opened */
	double t_open;		 /* monotonic seconds */
	uint64_t start_ns;	 /* wall clock at open */
};

struct session {
	struct session_cfg cfg;
	struct sampler *sampler;
	struct symbolizer *sym;
	struct proc_tracker *procs;
	struct workload *cmd;	   /* NULL without a command */
	struct runtimes *runtimes; /* NULL: --java off */
	struct proc_info *info;	   /* exe and cgroup per process, with cfg.labels */
	struct session_tap *taps;  /* open collections, newest first */
	struct session_tap *main;  /* record's: open from start to collect, unless cfg.taps_only */
	struct u64map *pids_seen;
	/* JVMs whose interpreter the BPF walk is still to be told of */
	struct interp_watch *interp;
	/* The profile's columns for the event and modes, and where each kind's values go. */
	struct pf_value_type types[PROFILE_MAX_VALUES];
	int ntypes;
	struct sample_columns cols;
	char alloc_shim[4096]; /* libbpfprof-alloc.so preloaded into the command, "": none */
	regex_t comm_re;
	bool comm_re_set;
	char host[256];
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
		interp_watch__exit(s->interp, e->pid);
		if (s->info)
			proc_info__exit(s->info, e->pid, start, symbolizer__epoch(s->sym));
		return;
	}
	proc_tracker__seen(s->procs, e->pid, e->nspid, e->comm, start, e->type == PROC_NEW,
			   mono_s());
	if (s->info)
		proc_info__seen(s->info, e->pid, start);
	interp_watch__seen(s->interp, e->pid, mono_s());
}

/* A drained stack goes into every open collection. */
static void on_raw_stack(const struct sample *smp, void *ctx)
{
	struct session *s = ctx;

	for (struct session_tap *t = s->taps; t; t = t->next)
		if (stack_table__add(t->raw, smp))
			t->dropped += smp->count;
}

/* Runtimes (JVMs) to make nameable; host-wide, each is watched for as processes appear. */
static struct runtimes *session__runtimes_new(const struct session_cfg *cfg)
{
	struct runtime_cfg rc = cfg->runtimes;

	if (cfg->java == SESSION_JAVA_OFF)
		return NULL;
	rc.watch = cfg->java == SESSION_JAVA_AUTO && !cfg->npids && !cfg->cmd;
	if (cfg->ev && (cfg->ev->modes & MODE_BIT(MODE_ALLOC))) /* Java allocations: the agent's */
		rc.alloc_interval = cfg->ev->alloc_interval ?: MODE_ALLOC_INTERVAL;
	rc.monitors = cfg->ev && (cfg->ev->modes & MODE_BIT(MODE_LOCK));
	return runtimes__new(&rc); /* NULL: no memory, JIT frames stay unnamed */
}

/* A JVM started by the command loads our agent itself, from its first compiled method on. */
static void session__command_env(void *ctx)
{
	struct session *s = ctx;

	if (s->runtimes)
		runtimes__command_env(s->runtimes);
	if (s->alloc_shim[0]) /* -e alloc: the command samples its allocations itself */
		alloc_target__preload(s->alloc_shim, s->cfg.ev->alloc_interval);
}

static int session__spawn(struct session *s, char *err, size_t errlen)
{
	int e;

	if (!s->cfg.cmd)
		return 0;
	if (s->cfg.ev && (s->cfg.ev->modes & MODE_BIT(MODE_ALLOC)) &&
	    alloc_target__shim(s->cfg.cmd[0], s->alloc_shim, sizeof(s->alloc_shim)))
		s->alloc_shim[0] = '\0'; /* no shim, or a static program: uprobes on its malloc */
	e = workload__spawn(&s->cmd, s->cfg.cmd,
			    s->runtimes || s->alloc_shim[0] ? session__command_env : NULL, s);
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
		.unwind = s->cfg.unwind,
		.agent = runtimes__probe_lib(s->runtimes),
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
	if (s->cmd && (e = sampler__add_command(s->sampler, workload__pid(s->cmd), s->cfg.cmd[0],
						s->alloc_shim[0] ? s->alloc_shim : NULL)))
		return fail(err, errlen, e, "cannot watch the command: %s", strerror(-e));
	return 0;
}

static int session__compile_comm(struct session *s, char *err, size_t errlen)
{
	int rc = regcomp(&s->comm_re, s->cfg.comm, REG_EXTENDED | REG_NOSUB);
	char msg[128];

	if (!rc) {
		s->comm_re_set = true;
		return 0;
	}
	regerror(rc, &s->comm_re, msg, sizeof(msg));
	return fail(err, errlen, -EINVAL, "bad --comm regex '%s': %s", s->cfg.comm, msg);
}

struct session *session__new(const struct session_cfg *cfg, char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));

	err[0] = '\0';
	if (!s)
		return fail(err, errlen, 0, "out of memory"), NULL;
	s->cfg = *cfg;
	if (cfg->ev && mode__check(cfg->ev, cfg->npids || cfg->cmd, err, errlen))
		goto out_free;
	s->ntypes = cfg->ev ? mode__layout(cfg->ev, s->types, &s->cols) : 0;
	s->sym = symbolizer__new(
		&(struct symbolizer_opts){ cfg->debug_dir, NULL, cfg->verbose, cfg->full_names });
	s->pids_seen = u64map__new();
	s->info = cfg->labels ? proc_info__new() : NULL;
	if (!s->sym || !s->pids_seen || (cfg->labels && !s->info)) {
		fail(err, errlen, 0, "out of memory");
		goto out_free;
	}
	symbolizer__new_epoch(s->sym); /* epochs start at 1: 0 means "alive" to proc_info */
	gethostname(s->host, sizeof(s->host) - 1);
	if (cfg->comm && session__compile_comm(s, err, errlen))
		goto out_free;
	s->runtimes = session__runtimes_new(&s->cfg);
	if (session__spawn(s, err, errlen) || session__load(s, err, errlen))
		goto out_free;
	for (int i = 0; i < s->cfg.npids; i++) {
		int e = runtimes__prepare(s->runtimes, s->cfg.pids[i]);

		/* -e alloc in a JVM without the agent would miss its heap: said already */
		if (e && e != -ENOEXEC && s->cfg.ev && (s->cfg.ev->modes & MODE_BIT(MODE_ALLOC)))
			goto out_free;
	}
	/* The tracker offers the runtimes every process it meets. */
	s->procs = proc_tracker__new(s->sym, s->runtimes);
	/* with --unwind fp the kernel walks user stacks: no interpreter frame of ours to name */
	s->interp = interp_watch__new(s->sym, s->sampler, s->cfg.unwind != UNWIND_MODE_FP);
	if (!s->procs || !s->interp) {
		fail(err, errlen, 0, "out of memory");
		goto out_free;
	}
	for (int i = 0; i < s->cfg.npids; i++) /* a JVM's interpreter, before its first sample */
		interp_watch__seen(s->interp, s->cfg.pids[i], mono_s());
	return s;

out_free:
	session__free(s);
	return NULL;
}

pid_t session__child(const struct session *s)
{
	return workload__pid(s->cmd);
}

/*
 * How often -p targets are checked: record stops within half a second of their exit; a monitor,
 * which runs for days, looks every 5 s so that it wakes up less than once a second when idle.
 */
static double session__check_every(const struct session *s)
{
	return s->cfg.taps_only ? 5.0 : 0.5;
}

int session__start(struct session *s, char *err, size_t errlen)
{
	int e;

	err[0] = '\0';
	if (!s->cfg.taps_only && (e = session__tap_open(s, &s->main)))
		return fail(err, errlen, e, "out of memory");
	e = sampler__start(s->sampler, s->cfg.ev, s->cfg.rate);
	if (e)
		return e; /* the sampler said why */
	s->t_start = mono_s();
	s->next_check = session__check_every(s);
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
	interp_watch__run(s->interp, mono_s());
	if ((e = proc_tracker__fd_error(s->procs)))
		fd_warning(e, err, errlen);
	/* Empty the in-kernel set that is filling up into the raw table, before it loses stacks. */
	if (sampler__wants_rotate(s->sampler) && (e = sampler__rotate(s->sampler, on_raw_stack, s)))
		fail(err, errlen, 0, "reading the in-kernel counts: %s", strerror(-e));
	if (s->cmd && workload__poll(s->cmd, false))
		return SESSION_CMD_EXITED;
	elapsed = mono_s() - s->t_start;
	if (elapsed >= s->next_check) {
		s->next_check = elapsed + session__check_every(s);
		if (targets__all_gone(s))
			return SESSION_TARGETS_GONE;
	}
	return SESSION_RUNNING;
}

int session__fd(const struct session *s)
{
	return sampler__fd(s->sampler);
}

int session__timeout_ms(const struct session *s, int max_ms)
{
	double now = mono_s(), due = proc_tracker__next_due(s->procs), ms = max_ms;
	double interp = interp_watch__next_due(s->interp);

	if (interp && (!due || interp < due))
		due = interp;
	if (due && (due - now) * 1000 < ms)
		ms = (due - now) * 1000;
	if (s->cfg.npids && (s->t_start + s->next_check - now) * 1000 < ms)
		ms = (s->t_start + s->next_check - now) * 1000;
	return ms < 0 ? 0 : (int)(ms + 0.999);
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

void session__mode_totals(struct session *s, uint64_t count[SAMPLE_KINDS],
			  uint64_t weight[SAMPLE_KINDS])
{
	sampler__mode_totals(s->sampler, count, weight);
}

/* What one sample stands for, and the window [start_ns, start_ns + dur). */
static void fill_meta(const struct session *s, struct profile_meta *m, uint64_t start_ns,
		      double dur)
{
	const struct event_spec *ev = s->cfg.ev;

	snprintf(m->event, sizeof(m->event), "%.*s", (int)sizeof(m->event) - 1, ev->name);
	snprintf(m->unit, sizeof(m->unit), "%s", sampler__unit(s->sampler, ev));
	if (ev->modes) /* the columns hold the unit itself: ns, bytes (collect/mode.h) */
		snprintf(m->unit, sizeof(m->unit), "%s", s->types[0].unit), m->period = 0;
	else if (ev->kind != EV_PERF)
		m->period = 1;
	else if (s->cfg.rate->freq)
		m->period = ev->is_time ? 1000000000ULL / s->cfg.rate->freq : 1;
	else
		m->period = s->cfg.rate->period;
	m->start_ns = start_ns;
	m->duration_s = dur;
	snprintf(m->host, sizeof(m->host), "%s", s->host);
}

static void on_stack(const struct sample *smp, void *ctx)
{
	stack_builder__add(ctx, smp);
}

/* The monitor's labels: who the process is, where it runs. */
static int64_t session__labels(void *ctx, struct profile *p, uint32_t pid)
{
	struct session *s = ctx;
	const struct proc_info_entry *e = s->info ? proc_info__get(s->info, pid) : NULL;
	const char *comm = symbolizer__comm(s->sym, pid);
	char pidbuf[16];
	const char *kv[] = {
		"host",		s->host,
		"pid",		pidbuf,
		"comm",		comm,
		"exe",		e && e->exe[0] ? e->exe : NULL,
		"cgroup",	e && e->cgroup[0] ? e->cgroup : NULL,
		"container_id", e && e->ids.container_id[0] ? e->ids.container_id : NULL,
		"pod_uid",	e && e->ids.pod_uid[0] ? e->ids.pod_uid : NULL,
		"systemd_unit", e && e->ids.unit[0] ? e->ids.unit : NULL,
	};

	snprintf(pidbuf, sizeof(pidbuf), "%u", pid);
	return profile__labelset(p, kv, sizeof(kv) / sizeof(kv[0]) / 2);
}

/* --comm and --cgroup: samples of other processes are dropped before naming. */
static bool session__keep(void *ctx, uint32_t pid)
{
	struct session *s = ctx;
	const struct proc_info_entry *e;
	const char *comm;

	if (s->comm_re_set) {
		comm = symbolizer__comm(s->sym, pid);
		if (!comm || regexec(&s->comm_re, comm, 0, NULL, 0))
			return false;
	}
	if (s->cfg.cgroup) {
		e = s->info ? proc_info__get(s->info, pid) : NULL;
		if (!e || strncmp(e->cgroup, s->cfg.cgroup, strlen(s->cfg.cgroup)))
			return false;
	}
	return true;
}

/* Name every stack of t into p (with labels when asked for). */
static void session__name(struct session *s, const struct session_tap *t, struct profile *p,
			  struct stack_builder_stats *st)
{
	struct stack_builder b = {
		.profile = p,
		.sym = s->sym,
		.st = st,
		.threads = s->cfg.threads,
		.user = !s->cfg.kernel_only,
		.kernel = !s->cfg.user_only,
		.pids = s->pids_seen,
		.labels = s->cfg.labels ? session__labels : NULL,
		.labels_ctx = s,
		.keep = s->comm_re_set || s->cfg.cgroup ? session__keep : NULL,
		.cols = s->ntypes ? &s->cols : NULL,
	};

	/* A fresh profile gets the recording's columns; one already filled keeps its own. */
	if (s->ntypes && !p->nstacks)
		profile__set_types(p, s->types, s->ntypes);

	stack_table__for_each(t->raw, on_stack, &b);
	st->dropped += t->dropped;
}

static int session__cut(struct session *s)
{
	if (s->t_stop) /* stopped: drain what is left (nothing is written after this) */
		return sampler__drain(s->sampler, on_raw_stack, s);
	return sampler__rotate(s->sampler, on_raw_stack, s);
}

static struct session_tap *tap__new(struct session *s)
{
	struct session_tap *t = calloc(1, sizeof(*t));
	struct timespec ts;

	if (!t || !(t->raw = stack_table__new())) {
		free(t);
		return NULL;
	}
	t->epoch = symbolizer__new_epoch(s->sym);
	t->t_open = mono_s();
	clock_gettime(CLOCK_REALTIME, &ts);
	t->start_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return t;
}

static void tap__free(struct session_tap *t)
{
	if (!t)
		return;
	stack_table__free(t->raw);
	free(t);
}

static void session__unlink(struct session *s, struct session_tap *t)
{
	for (struct session_tap **pp = &s->taps; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

int session__tap_open(struct session *s, struct session_tap **out)
{
	struct session_tap *t = tap__new(s);
	int e = 0;

	if (!t)
		return -ENOMEM;
	/* Samples taken before now belong to the taps already open. */
	if (s->taps && s->t_start)
		e = session__cut(s);
	t->next = s->taps;
	s->taps = t;
	*out = t;
	return e;
}

/* Name t into p with its window's meta: [open, cut). */
static void session__name_tap(struct session *s, struct session_tap *t, struct profile *p,
			      struct stack_builder_stats *st, double t_cut)
{
	session__name(s, t, p, st);
	fill_meta(s, &p->meta, t->start_ns, t_cut - t->t_open);
	profile__sort(p);
}

int session__tap_peek(struct session *s, struct session_tap *t, struct profile *p,
		      struct stack_builder_stats *st)
{
	int e = session__cut(s);

	session__name_tap(s, t, p, st, mono_s());
	return e;
}

int session__tap_close(struct session *s, struct session_tap *t, struct profile *p,
		       struct stack_builder_stats *st, struct session_tap **reopen)
{
	struct session_tap *next = NULL;
	double t_cut;
	int e;

	if (reopen && !(next = tap__new(s)))
		return -ENOMEM;
	e = session__cut(s);
	t_cut = mono_s();
	/* The same cut ends t and begins next: no sample in both, none in neither. */
	session__unlink(s, t);
	if (next) {
		next->t_open = t_cut;
		next->start_ns = t->start_ns + (uint64_t)((t_cut - t->t_open) * 1e9);
		next->next = s->taps;
		s->taps = next;
		*reopen = next;
	}
	if (p)
		session__name_tap(s, t, p, st, t_cut);
	tap__free(t);
	return e;
}

void session__evict(struct session *s)
{
	unsigned long before = symbolizer__epoch(s->sym);

	for (struct session_tap *t = s->taps; t; t = t->next)
		if (t->epoch < before)
			before = t->epoch;
	symbolizer__evict(s->sym, before);
	if (s->info)
		proc_info__evict(s->info, before);
	/* The pids counted for a summary would grow forever in a monitor. */
	if (s->cfg.taps_only) {
		u64map__free(s->pids_seen);
		s->pids_seen = u64map__new();
	}
}

int session__collect(struct session *s, struct profile *p, struct record_stats *st, char *err,
		     size_t errlen)
{
	uint64_t start_ns = 0;
	int e;

	err[0] = '\0';
	runtimes__finish(s->runtimes);
	e = sampler__drain(s->sampler, on_raw_stack, s);
	if (e)
		fail(err, errlen, e, "reading the in-kernel counts: %s", strerror(-e));
	if (s->main) {
		start_ns = s->main->start_ns;
		session__name(s, s->main, p, &st->frames);
		session__unlink(s, s->main);
		tap__free(s->main);
		s->main = NULL;
	}
	st->processes_seen = proc_tracker__new_processes(s->procs);
	st->rotations = sampler__rotations(s->sampler);
	sampler__stats(s->sampler, st->bpf);
	sampler__prog_stats(s->sampler, &st->run_ns, &st->run_cnt);
	st->processes = u64map__count(s->pids_seen);
	st->refused = *symbolizer__refusals(s->sym);
	fill_meta(s, &p->meta, start_ns, s->t_stop - s->t_start);
	profile__sort(p);
	st->stacks = p->nstacks;
	return e;
}

size_t session__binaries(const struct session *s)
{
	return symbolizer__binaries(s->sym);
}

size_t session__processes_exited(const struct session *s)
{
	return symbolizer__exited(s->sym);
}

size_t session__processes(const struct session *s)
{
	return symbolizer__processes(s->sym);
}

int session__exit_code(struct session *s, double grace_s, bool *ended)
{
	*ended = false;
	if (!s->cmd)
		return 0;
	if ((*ended = workload__end(s->cmd, grace_s)))
		return 0;
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
	interp_watch__free(s->interp);
	while (s->taps) {
		struct session_tap *t = s->taps;

		s->taps = t->next;
		tap__free(t);
	}
	proc_info__free(s->info);
	if (s->comm_re_set)
		regfree(&s->comm_re);
	symbolizer__free(s->sym);
	u64map__free(s->pids_seen);
	workload__free(s->cmd);
	free(s);
}
