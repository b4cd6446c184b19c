// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/monitor.c - the window loop of `bpfprof monitor` and of background recordings (see
 * daemon/monitor.h): one thread drives the session and everything that touches it; HTTP
 * threads queue requests and wait. What the operator must see is logged, one line an event.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "daemon/control.h"
#include "daemon/http.h"
#include "daemon/metrics.h"
#include "daemon/monitor.h"
#include "emit/emit.h"
#include "lib/log.h"
#include "lib/units.h"
#include "lib/util.h"
#include "model/filter.h"
#include "model/profile.h"
#include "symbolize/stack_builder.h"

enum req_type {
	REQ_OPEN,  /* open a tap (a pprof request's N seconds begin) */
	REQ_CLOSE, /* close it and name its stacks */
	REQ_PEEK,  /* name what the current window holds so far */
};

struct mon_req {
	enum req_type type;
	struct session_tap *tap;
	struct profile *out;
	int err;
	bool done;
	struct mon_req *next;
};

/* What /metrics and `status` show; written by the loop under m->lock. */
struct mon_counters {
	uint64_t started_ns;
	uint64_t windows, write_errors, push_submit_errors;
	uint64_t samples, stacks_dropped; /* samples: column 0's total (samples, or ns/bytes) */
	char unit[32];			  /* column 0's unit: "count" for samples */
	uint64_t bpf[STAT_MAX];
	double drain_s, write_s; /* sums over windows */
	double last_window_s;	 /* drain + name + write of the last window */
	uint64_t last_end_ns;	 /* wall clock at the last window's end, 0: none yet */
	uint64_t live_requests;
	size_t processes, exited, binaries;
	struct history_stats hist;
};

struct monitor {
	struct monitor_cfg cfg;
	struct session *s;
	struct history *hist;
	struct pusher *push;
	struct http_server *http;
	int ctl, wake, sig, ep;
	struct session_tap *cur; /* the window being filled */
	double cur_end;		 /* monotonic time at which it closes; 0: never (window_s 0) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mon_req *reqs;
	bool stopping;	 /* the loop is ending: no request is taken */
	bool canceled;	 /* live requests give up their wait */
	bool push_fails; /* the last push state logged was "failing" */
	bool write_fails;
	struct mon_counters c;
};

/* ---- requests from other threads ---- */

/* Queue r for the loop and wait until it is done. 0, or -ECANCELED when the loop has ended. */
static int monitor__submit(struct monitor *m, struct mon_req *r)
{
	uint64_t one = 1;
	int err = 0;

	pthread_mutex_lock(&m->lock);
	if (m->stopping) {
		pthread_mutex_unlock(&m->lock);
		return -ECANCELED;
	}
	r->next = m->reqs;
	m->reqs = r;
	pthread_mutex_unlock(&m->lock);
	if (write(m->wake, &one, sizeof(one)) < 0)
		return -errno;
	pthread_mutex_lock(&m->lock);
	while (!r->done && !m->stopping)
		pthread_cond_wait(&m->cond, &m->lock);
	if (!r->done) {
		/* the loop ended first: take r back out if it is still queued */
		for (struct mon_req **pp = &m->reqs; *pp; pp = &(*pp)->next)
			if (*pp == r) {
				*pp = r->next;
				break;
			}
		err = -ECANCELED;
	}
	pthread_mutex_unlock(&m->lock);
	return err ? err : r->err;
}

static void monitor__serve_request(struct monitor *m, struct mon_req *r)
{
	struct stack_builder_stats st = {};

	switch (r->type) {
	case REQ_OPEN:
		r->err = session__tap_open(m->s, &r->tap);
		break;
	case REQ_CLOSE:
		r->out = profile__new();
		r->err = r->out ? session__tap_close(m->s, r->tap, r->out, &st, NULL) : -ENOMEM;
		break;
	case REQ_PEEK:
		r->out = profile__new();
		if (!r->out)
			r->err = -ENOMEM;
		else if (m->cur)
			r->err = session__tap_peek(m->s, m->cur, r->out, &st);
		break;
	}
}

/* Take every queued request, serve it, wake its thread. */
static void monitor__serve_requests(struct monitor *m)
{
	struct mon_req *list, *next;
	uint64_t n;

	if (read(m->wake, &n, sizeof(n)) < 0 && errno != EAGAIN)
		pr_debug("wake-up read: %s", strerror(errno));
	pthread_mutex_lock(&m->lock);
	list = m->reqs;
	m->reqs = NULL;
	pthread_mutex_unlock(&m->lock);
	for (; list; list = next) {
		next = list->next;
		monitor__serve_request(m, list);
		pthread_mutex_lock(&m->lock);
		list->done = true;
		pthread_cond_broadcast(&m->cond);
		pthread_mutex_unlock(&m->lock);
	}
}

/* ---- HTTP handlers (HTTP threads) ---- */

static int mon_live(void *ctx, double seconds, struct profile **out, char *err, size_t errlen)
{
	struct monitor *m = ctx;
	struct mon_req open = { REQ_OPEN }, close = { REQ_CLOSE };
	struct timespec until;
	int e;

	if ((e = monitor__submit(m, &open))) {
		snprintf(err, errlen, "the monitor is stopping");
		return e;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)seconds;
	until.tv_nsec += (long)((seconds - floor(seconds)) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->lock);
	m->c.live_requests++;
	while (!m->canceled && !m->stopping &&
	       pthread_cond_timedwait(&m->cond, &m->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&m->lock);
	close.tap = open.tap;
	if ((e = monitor__submit(m, &close))) {
		snprintf(err, errlen, "the monitor is stopping");
		return e;
	}
	*out = close.out;
	return 0;
}

/* dst gets src's stacks that pass f; an empty dst first takes src's columns and meta. */
static int merge_into(struct profile *dst, const struct profile *src,
		      const struct profile_filter *f)
{
	bool *keep = NULL;
	int e;

	if (!dst->nstacks && dst->nvalues != src->nvalues) {
		profile__set_types(dst, src->types, src->nvalues);
		dst->meta = src->meta;
	}
	if (f && !profile_filter__empty(f) && !(keep = profile_filter__select(f, src)))
		return -ENOMEM;
	e = profile__merge(dst, src, keep, dst->nvalues == src->nvalues ? PROFILE_ALL_COLUMNS : 0,
			   1.0);
	free(keep);
	return e;
}

static int mon_range(void *ctx, uint64_t from_ns, uint64_t to_ns, const struct profile_filter *f,
		     struct profile **out, char *err, size_t errlen)
{
	struct monitor *m = ctx;
	struct profile *p = profile__new();
	int e;

	if (!p)
		return -ENOMEM;
	if (!m->cfg.history.dir) {
		profile__free(p);
		snprintf(err, errlen, "this monitor keeps no history (started without --dir)");
		return -ENOENT;
	}
	e = history__load(m->cfg.history.dir, from_ns, to_ns, f, p, NULL, err, errlen);
	if (e) {
		profile__free(p);
		return e;
	}
	*out = p;
	return 0;
}

static void mon_metrics(void *ctx, FILE *out)
{
	static const char *const causes[] = { "counts_full",	  "kstack_collision",
					      "ustack_collision", "kstack_lost",
					      "ustack_lost",	  "events_lost",
					      "symbolizer_full" };
	struct monitor *m = ctx;
	struct mon_counters c;
	struct push_stats ps = {};
	uint64_t served = 0, refused = 0;
	double lost[7];

	pthread_mutex_lock(&m->lock);
	c = m->c;
	pthread_mutex_unlock(&m->lock);
	if (m->push)
		pusher__stats(m->push, &ps);
	if (m->http)
		http_server__counts(m->http, &served, &refused);
	lost[0] = c.bpf[STAT_COUNTS_FULL];
	lost[1] = c.bpf[STAT_KSTACK_COLLISION];
	lost[2] = c.bpf[STAT_USTACK_COLLISION];
	lost[3] = c.bpf[STAT_KSTACK_LOST];
	lost[4] = c.bpf[STAT_USTACK_LOST];
	lost[5] = c.bpf[STAT_EVENTS_LOST];
	lost[6] = c.stacks_dropped;
	prom__counter(out, "bpfprof_samples_total", "Samples taken by the BPF program.",
		      c.bpf[STAT_SAMPLES]);
	prom__counter(out, "bpfprof_samples_named_total", "Samples written into windows.",
		      c.samples);
	prom__counter_l(out, "bpfprof_samples_lost_total",
			"Samples or stacks lost, by cause (events_lost: process notices).", "cause",
			causes, lost, 7);
	prom__counter(out, "bpfprof_windows_written_total", "Windows written to the history.",
		      c.windows);
	prom__counter(out, "bpfprof_window_write_errors_total",
		      "Windows that could not be written (full disk...).", c.write_errors);
	prom__counter(out, "bpfprof_drain_symbolize_seconds_total",
		      "Time spent draining and naming windows.", c.drain_s);
	prom__counter(out, "bpfprof_write_seconds_total",
		      "Time spent writing and handing windows to the pusher.", c.write_s);
	prom__gauge(out, "bpfprof_last_window_seconds",
		    "Drain, symbolize and write time of the last window.", c.last_window_s);
	prom__gauge(out, "bpfprof_last_window_end_timestamp_seconds",
		    "Wall clock at the end of the last window written.", c.last_end_ns / 1e9);
	prom__gauge(out, "bpfprof_processes_tracked", "Processes the symbolizer holds.",
		    c.processes);
	prom__gauge(out, "bpfprof_processes_exited",
		    "Processes held after their exit until no open window can name them.",
		    c.exited);
	prom__gauge(out, "bpfprof_binaries_cached", "Binaries whose symbols are loaded.",
		    c.binaries);
	prom__gauge(out, "bpfprof_history_files", "Window files on disk.", c.hist.files);
	prom__gauge(out, "bpfprof_history_bytes", "Bytes of window files on disk.", c.hist.bytes);
	prom__counter(out, "bpfprof_history_deleted_total", "Windows deleted by retention.",
		      c.hist.deleted);
	prom__counter(out, "bpfprof_push_requests_total", "Windows accepted by the push backend.",
		      ps.sent);
	prom__counter(out, "bpfprof_push_failures_total", "Push requests that failed.",
		      ps.failures);
	prom__counter(out, "bpfprof_push_rejected_total",
		      "Windows the push backend refused (4xx), dropped.", ps.rejected);
	prom__counter(out, "bpfprof_push_dropped_total",
		      "Spooled windows deleted to stay under the spool bound.", ps.dropped_oldest);
	prom__gauge(out, "bpfprof_push_spooled_bytes", "Windows waiting in the push spool.",
		    ps.spooled_bytes);
	prom__counter(out, "bpfprof_http_requests_total", "HTTP requests served.", served);
	prom__counter(out, "bpfprof_http_refused_total", "HTTP requests refused (4xx).", refused);
	metrics__process(out);
}

static bool mon_healthy(void *ctx, char *why, size_t len)
{
	struct monitor *m = ctx;
	uint64_t now = realtime_ns(), last, started;
	double slack = 3 * m->cfg.window_s + 5;

	pthread_mutex_lock(&m->lock);
	last = m->c.last_end_ns;
	started = m->c.started_ns;
	pthread_mutex_unlock(&m->lock);
	if (m->cfg.window_s && (now - (last ? last : started)) / 1e9 > slack) {
		snprintf(why, len, "no window written for %.0f s",
			 (now - (last ? last : started)) / 1e9);
		return false;
	}
	return true;
}

static void mon_cancel(void *ctx)
{
	struct monitor *m = ctx;

	pthread_mutex_lock(&m->lock);
	m->canceled = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

/* ---- windows ---- */

/* Monotonic time of the next wall-clock multiple of the window. */
static double next_boundary(double window_s)
{
	double now_wall = realtime_ns() / 1e9, end = (floor(now_wall / window_s) + 1) * window_s;

	if (end - now_wall < window_s / 10) /* too close: fold it into the next one */
		end += window_s;
	return mono_s() + (end - now_wall);
}

static void monitor__log_push(struct monitor *m)
{
	struct push_stats ps;

	pusher__stats(m->push, &ps);
	if (ps.spooled_files > 1 && ps.last_error[0] && !m->push_fails) {
		pr_warn("push to %s failing (%s); windows are spooled and retried", m->cfg.push.url,
			ps.last_error);
		m->push_fails = true;
	} else if (m->push_fails && ps.spooled_files <= 1) {
		pr_info("push to %s works again; the spooled windows were sent", m->cfg.push.url);
		m->push_fails = false;
	}
}

/* Hand a closed window to the history and the pusher. */
static void monitor__store(struct monitor *m, const struct profile *p, uint64_t *errors)
{
	char err[256];

	if (m->hist && history__add(m->hist, p, err, sizeof(err))) {
		(*errors)++;
		if (!m->write_fails)
			pr_error(
				"cannot write a window: %s (sampling goes on; retried each window)",
				err);
		m->write_fails = true;
	} else if (m->hist && m->write_fails) {
		pr_info("windows are written again to %s", m->cfg.history.dir);
		m->write_fails = false;
	}
	if (m->push && pusher__submit(m->push, p, err, sizeof(err)))
		pr_warn("cannot queue a window for push: %s", err);
	if (m->push)
		monitor__log_push(m);
}

static void monitor__account(struct monitor *m, const struct profile *p,
			     const struct stack_builder_stats *st, double t_name, double t_write,
			     uint64_t errors)
{
	pthread_mutex_lock(&m->lock);
	m->c.windows += !errors && m->hist;
	m->c.write_errors += errors;
	m->c.samples += p->totals[0];
	snprintf(m->c.unit, sizeof(m->c.unit), "%s", p->types[0].unit);
	m->c.stacks_dropped += st->dropped;
	m->c.drain_s += t_name;
	m->c.write_s += t_write;
	m->c.last_window_s = t_name + t_write;
	m->c.last_end_ns = p->meta.start_ns + (uint64_t)(p->meta.duration_s * 1e9);
	session__stats(m->s, m->c.bpf);
	m->c.processes = session__processes(m->s);
	m->c.exited = session__processes_exited(m->s);
	m->c.binaries = session__binaries(m->s);
	if (m->hist)
		history__stats(m->hist, &m->c.hist);
	pthread_mutex_unlock(&m->lock);
}

/* Close the current window (and open the next one unless last); store it. */
static int monitor__close_window(struct monitor *m, bool last)
{
	struct stack_builder_stats st = {};
	struct profile *p = profile__new();
	double t0 = mono_s(), t1;
	uint64_t errors = 0;
	int e;

	if (!p)
		return -ENOMEM;
	e = session__tap_close(m->s, m->cur, p, &st, last ? NULL : &m->cur);
	if (last)
		m->cur = NULL;
	if (e)
		pr_warn("reading the in-kernel counts: %s", strerror(-e));
	t1 = mono_s();
	monitor__store(m, p, &errors);
	monitor__account(m, p, &st, t1 - t0, mono_s() - t1, errors);
	pr_debug("window: %llu samples, %zu stacks, named in %.3f s, stored in %.3f s",
		 (unsigned long long)p->totals[0], p->nstacks, t1 - t0, mono_s() - t1);
	profile__free(p);
	session__evict(m->s);
	return 0;
}

/* ---- control socket (the loop's thread) ---- */

static void status__write(struct monitor *m, FILE *out)
{
	struct mon_counters c;
	struct push_stats ps = {};

	pthread_mutex_lock(&m->lock);
	c = m->c;
	pthread_mutex_unlock(&m->lock);
	session__stats(m->s, c.bpf);
	fprintf(out, "mode: %s\n", m->cfg.window_s ? "monitor" : "background recording");
	fprintf(out, "pid: %d\n", getpid());
	fprintf(out, "running: %.0f s\n", (realtime_ns() - c.started_ns) / 1e9);
	if (m->cfg.window_s)
		fprintf(out, "window: %g s, written: %llu, write errors: %llu\n", m->cfg.window_s,
			(unsigned long long)c.windows, (unsigned long long)c.write_errors);
	fprintf(out, "samples: %llu\n", (unsigned long long)c.bpf[STAT_SAMPLES]);
	fprintf(out, "lost: %llu (table full %llu, stack collisions %llu)\n",
		(unsigned long long)(c.bpf[STAT_COUNTS_FULL] + c.bpf[STAT_KSTACK_COLLISION] +
				     c.bpf[STAT_USTACK_COLLISION] + c.stacks_dropped),
		(unsigned long long)c.bpf[STAT_COUNTS_FULL],
		(unsigned long long)(c.bpf[STAT_KSTACK_COLLISION] + c.bpf[STAT_USTACK_COLLISION]));
	if (m->hist)
		fprintf(out, "history: %s, %llu files, %.1f MB\n", m->cfg.history.dir,
			(unsigned long long)c.hist.files, c.hist.bytes / 1e6);
	if (m->push) {
		pusher__stats(m->push, &ps);
		fprintf(out, "push: %s, sent %llu, spooled %llu, failures %llu%s%s\n",
			m->cfg.push.url, (unsigned long long)ps.sent,
			(unsigned long long)ps.spooled_files, (unsigned long long)ps.failures,
			ps.last_error[0] ? ", last error: " : "", ps.last_error);
	}
	if (m->cfg.listen)
		fprintf(out, "http: %s\n", m->cfg.listen);
}

/* The profile `dump` and `stop` return: history since `since`, plus the current window. */
static struct profile *monitor__dump(struct monitor *m, double since_s,
				     const struct profile_filter *f, char *err, size_t errlen)
{
	struct mon_req peek = { REQ_PEEK };
	struct profile *p = profile__new();
	uint64_t now = realtime_ns();

	if (!p)
		return NULL;
	if (m->cfg.history.dir && m->cfg.window_s &&
	    history__load(m->cfg.history.dir, since_s > 0 ? now - (uint64_t)(since_s * 1e9) : 0,
			  now, f, p, NULL, err, errlen)) {
		profile__free(p);
		return NULL;
	}
	monitor__serve_request(m, &peek);
	if (peek.out && !peek.err && merge_into(p, peek.out, f))
		snprintf(err, errlen, "out of memory");
	if (peek.out && !p->meta.start_ns)
		p->meta = peek.out->meta;
	profile__free(peek.out);
	profile__sort(p);
	return p;
}

/* Write p in the format named fmt_name into a malloc'd buffer. 0 or -errno. */
static int render(const struct profile *p, const char *fmt_name, char **buf, size_t *len)
{
	enum out_format fmt = FMT_FOLDED;
	FILE *f;
	int e;

	if (fmt_name && emit__parse_format(fmt_name, NULL, &fmt))
		return -EINVAL;
	f = open_memstream(buf, len);
	if (!f)
		return -errno;
	e = emit__write(p, fmt, f, NULL);
	if (fclose(f) && !e)
		e = -EIO;
	return e;
}

static void control__dump(struct monitor *m, struct control_conn *c, bool stop)
{
	char since[32], fmt[32], comm[256], err[256] = "";
	struct profile_filter f = {};
	struct profile *p;
	char *buf = NULL;
	size_t len = 0;
	double since_s = 0;

	if (control_conn__arg(c, "since", since, sizeof(since)))
		since_s = atof(since);
	f.comm = control_conn__arg(c, "comm", comm, sizeof(comm));
	if (profile_filter__compile(&f, err, sizeof(err)))
		return control_conn__reply(c, NULL, 0, err);
	if (stop && !m->cfg.window_s) {
		/* a background recording hands over everything it holds */
		struct mon_req close = { REQ_CLOSE, .tap = m->cur };

		m->cur = NULL;
		monitor__serve_request(m, &close);
		p = close.out;
	} else {
		p = monitor__dump(m, since_s, &f, err, sizeof(err));
	}
	profile_filter__free(&f);
	if (!p)
		return control_conn__reply(c, NULL, 0, err[0] ? err : "out of memory");
	if (render(p, control_conn__arg(c, "format", fmt, sizeof(fmt)), &buf, &len))
		control_conn__reply(c, NULL, 0, "cannot render the profile in that format");
	else
		control_conn__reply(c, buf, len, NULL);
	free(buf);
	profile__free(p);
}

static void monitor__control(struct monitor *m)
{
	struct control_conn *c;

	while ((c = control__accept(m->ctl))) {
		const char *line = control_conn__line(c);
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		if (!strncmp(line, "status", 6)) {
			f = open_memstream(&buf, &len);
			if (f) {
				status__write(m, f);
				fclose(f);
			}
			control_conn__reply(c, buf, len, f ? NULL : "out of memory");
			free(buf);
		} else if (!strncmp(line, "dump", 4)) {
			control__dump(m, c, false);
		} else if (!strncmp(line, "stop", 4)) {
			pr_info("stop requested");
			if (!m->cfg.window_s || strstr(line, "format="))
				control__dump(m, c, true);
			else
				control_conn__reply(c, "", 0, NULL);
			m->stopping = true;
		} else {
			control_conn__reply(c, NULL, 0, "unknown request (status, dump, stop)");
		}
	}
}

/* ---- setup ---- */

static int monitor__fds(struct monitor *m, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;
	int fds[4], i;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	m->sig = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	m->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	m->ep = epoll_create1(EPOLL_CLOEXEC);
	if (m->sig < 0 || m->wake < 0 || m->ep < 0)
		return snprintf(err, errlen, "cannot set up the event loop: %s", strerror(errno)),
		       -errno;
	fds[0] = session__fd(m->s);
	fds[1] = m->wake;
	fds[2] = m->sig;
	fds[3] = m->ctl;
	for (i = 0; i < 4; i++) {
		ev.data.fd = fds[i];
		if (fds[i] >= 0 && epoll_ctl(m->ep, EPOLL_CTL_ADD, fds[i], &ev))
			return snprintf(err, errlen, "epoll: %s", strerror(errno)), -errno;
	}
	return 0;
}

static int monitor__outputs(struct monitor *m, char *err, size_t errlen)
{
	struct http_handlers h = { m, mon_live, mon_range, mon_metrics, mon_healthy, mon_cancel };
	int e;

	if (m->cfg.history.dir && (e = history__open(&m->hist, &m->cfg.history, err, errlen)))
		return e;
	if (m->cfg.push.url && (e = pusher__new(&m->push, &m->cfg.push, err, errlen)))
		return e;
	m->ctl = control__listen(m->cfg.socket, err, errlen);
	if (m->ctl < 0)
		return m->ctl;
	if (m->cfg.listen &&
	    (e = http_server__start(&m->http, m->cfg.listen, m->cfg.listen_any, &h, err, errlen)))
		return e;
	return 0;
}

int monitor__new(struct monitor **out, const struct monitor_cfg *cfg, char *err, size_t errlen)
{
	struct monitor *m = calloc(1, sizeof(*m));
	sigset_t set;
	int e;

	if (!m)
		return snprintf(err, errlen, "out of memory"), -ENOMEM;
	m->cfg = *cfg;
	m->ctl = m->wake = m->sig = m->ep = -1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	/* Blocked before any thread starts, so the signals reach only the loop's signalfd. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->cfg.session.labels = true;
	m->cfg.session.taps_only = true;
	m->s = session__new(&m->cfg.session, err, errlen);
	if (!m->s) {
		e = -EINVAL;
		goto out_free;
	}
	if ((e = monitor__outputs(m, err, errlen)) || (e = monitor__fds(m, err, errlen)))
		goto out_free;
	*out = m;
	return 0;
out_free:
	monitor__free(m);
	return e;
}

/* ---- the loop ---- */

static int monitor__timeout_ms(const struct monitor *m)
{
	int ms = session__timeout_ms(m->s, 60000);

	if (m->cur_end) {
		double left = (m->cur_end - mono_s()) * 1000;

		if (left < ms)
			ms = left < 0 ? 0 : (int)left + 1;
	}
	return ms;
}

/* SIGHUP: the window and the retention bounds change at once; the rest needs a restart. */
static void monitor__reload(struct monitor *m)
{
	struct monitor_limits l;
	char msg[256] = "";

	if (!m->cfg.reload) {
		pr_info("SIGHUP: no options file to read again; nothing changed");
		return;
	}
	if (m->cfg.reload(m->cfg.reload_ctx, &l, msg, sizeof(msg))) {
		pr_error("SIGHUP: options not reloaded: %s", msg);
		return;
	}
	if (m->cfg.window_s && l.window_s != m->cfg.window_s) {
		m->cfg.window_s = l.window_s;
		m->cur_end = next_boundary(l.window_s);
	}
	m->cfg.history.retain_s = l.retain_s;
	m->cfg.history.max_bytes = l.max_bytes;
	if (m->hist)
		history__set_limits(m->hist, l.retain_s, l.max_bytes);
	pr_info("SIGHUP: options read again: window %gs, retain %gs, max-disk %llu bytes%s%s",
		m->cfg.window_s, l.retain_s, (unsigned long long)l.max_bytes, msg[0] ? "; " : "",
		msg);
}

static void monitor__signal(struct monitor *m)
{
	struct signalfd_siginfo si;

	while (read(m->sig, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			monitor__reload(m);
			continue;
		}
		pr_info("%s: writing the current window and stopping",
			si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
		m->stopping = true;
	}
}

static int monitor__step(struct monitor *m)
{
	struct epoll_event evs[8];
	char err[256];
	int n = epoll_wait(m->ep, evs, 8, monitor__timeout_ms(m)), state;

	if (n < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < n; i++) {
		if (evs[i].data.fd == m->sig)
			monitor__signal(m);
		else if (evs[i].data.fd == m->wake)
			monitor__serve_requests(m);
		else if (evs[i].data.fd == m->ctl)
			monitor__control(m);
	}
	state = session__poll(m->s, 0, err, sizeof(err));
	if (state < 0 || err[0])
		pr_warn("%s", err);
	if (state == SESSION_TARGETS_GONE) {
		pr_info("the target process%s exited; stopping",
			m->cfg.session.npids > 1 ? "es" : "");
		m->stopping = true;
	}
	if (m->cur_end && mono_s() >= m->cur_end) {
		monitor__close_window(m, false);
		m->cur_end = next_boundary(m->cfg.window_s);
	}
	return 0;
}

/* The last line: what the BPF side counted against what the windows hold. */
static void monitor__log_end(struct monitor *m, double dur)
{
	struct mon_counters c;

	pthread_mutex_lock(&m->lock);
	c = m->c;
	pthread_mutex_unlock(&m->lock);
	session__stats(m->s, c.bpf);
	char held[48];

	/* a mode's windows hold ns or bytes: then say them in that unit */
	if (!c.unit[0] || !strcmp(c.unit, "count"))
		snprintf(held, sizeof(held), "%llu", (unsigned long long)c.samples);
	else
		units__format(c.samples, c.unit, held, sizeof(held));
	pr_info("stopped after %.2f s: samples taken %llu, in windows %s, lost %llu, %llu windows written",
		dur, (unsigned long long)c.bpf[STAT_SAMPLES], held,
		(unsigned long long)(c.bpf[STAT_COUNTS_FULL] + c.stacks_dropped),
		(unsigned long long)c.windows);
}

int monitor__run(struct monitor *m)
{
	char err[256];
	double dur;
	int e;

	m->c.started_ns = realtime_ns();
	if ((e = session__tap_open(m->s, &m->cur)) ||
	    (e = session__start(m->s, err, sizeof(err)))) {
		pr_error("%s", err[0] ? err : strerror(-e));
		return e;
	}
	if (m->cfg.window_s)
		m->cur_end = next_boundary(m->cfg.window_s);
	pr_info("%s: %s, window %gs%s%s%s%s", m->cfg.window_s ? "monitoring" : "recording",
		m->cfg.session.npids ? "selected processes" : "the whole host", m->cfg.window_s,
		m->hist ? ", history in " : "", m->hist ? m->cfg.history.dir : "",
		m->cfg.listen ? ", http on " : "", m->cfg.listen ? m->cfg.listen : "");
	while (!m->stopping && !(e = monitor__step(m)))
		;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	dur = session__stop(m->s);
	if (m->cur && m->cfg.window_s)
		monitor__close_window(m, true);
	monitor__log_end(m, dur);
	return e;
}

void monitor__free(struct monitor *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
	http_server__free(m->http); /* its live requests see stopping and return */
	pusher__free(m->push, 5.0);
	history__free(m->hist);
	session__free(m->s);
	if (m->ctl >= 0) {
		close(m->ctl);
		unlink(m->cfg.socket);
	}
	if (m->wake >= 0)
		close(m->wake);
	if (m->sig >= 0)
		close(m->sig);
	if (m->ep >= 0)
		close(m->ep);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
