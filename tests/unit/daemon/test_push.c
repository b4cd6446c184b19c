// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_push.c - daemon/push against a real HTTP receiver (tests/e2e/monitor/ingest_receiver.py,
 * python3's http.server), which records every request it gets into a directory; the query is
 * URL-decoded and multipart bodies split by Python, not by the code under test.
 *
 * Windows are built in code: per window k, service "alpha" (two pids, one container, one
 * systemd unit whose name needs URL escaping: 12 + k samples), "beta/2" (a pod: 11 samples) and stacks without labels
 * ("unknown": 3 samples). Checked: one request per service with name= carrying the service and
 * the series labels but never pid, from/until the window, sampleRate, a pprof body that gunzips
 * and unpacks to the submitted sample count (and that `go tool pprof -raw` reads, when go is
 * installed), folded bodies whose counts add up; an outage: everything arrives once and in
 * order when the receiver comes up; a tiny spool: the oldest dropped and counted, the newest
 * sent; 400: dropped, counted, not retried; 500: retried until taken; a restart: a new pusher
 * sends what the old one spooled; a receiver that never answers: pusher__free returns within
 * flush_s + 1 s and submit does not wait for it.
 */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "daemon/push.h"
#include "lib/log.h"
#include "pprof_decode.h"

#define T0 1700000000LL /* window k starts at T0 + 10 k (+ 0.25 s), lasts 10 s */
#define NSERIES 3

static char base[64];
static int dirno;

/* The pusher's log lines as TAP comments, so they never split a result line. */
static char logged[16384];

static void log_to_tap(enum log_level level, const char *msg, void *ctx)
{
	size_t n = strlen(logged);

	printf("# log: %s\n", msg);
	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static const char *const want_names[NSERIES] = {
	"alpha{host=node-1,container_id=c0ffee,systemd_unit=alpha@a+b&c_d.service}",
	"beta_2{host=node-1,pod_uid=1234-abcd}",
	"unknown{host=meta-host}",
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* ---- Windows ------------------------------------------------------------------------------ */

static uint64_t want_samples(int series, int k)
{
	return series == 0 ? 12 + k : series == 1 ? 11 : 3;
}

/* Window k; with only_alpha just the alpha stacks (one request per window). */
static struct profile *window(int k, bool only_alpha)
{
	static const char *const a1[] = { "comm",	  "alpha",
					  "pid",	  "101",
					  "host",	  "node-1",
					  "exe",	  "/usr/bin/alpha",
					  "container_id", "c0ffee",
					  "systemd_unit", "alpha@a+b&c d.service",
					  "cgroup",	  "/system.slice/alpha.service" };
	static const char *const a2[] = { "comm",	  "alpha",
					  "pid",	  "102",
					  "host",	  "node-1",
					  "exe",	  "/usr/bin/alpha",
					  "container_id", "c0ffee",
					  "systemd_unit", "alpha@a+b&c d.service",
					  "cgroup",	  "/system.slice/alpha.service" };
	static const char *const b[] = { "comm", "beta/2", "pid",     "201",
					 "host", "node-1", "pod_uid", "1234-abcd" };
	struct profile *p = profile__new();
	uint32_t pa = profile__frame(p, "alpha", FRAME_PROCESS, NULL, NULL);
	uint32_t m = profile__frame(p, "main", FRAME_NATIVE, "/usr/bin/alpha", NULL);
	uint32_t wa = profile__frame(p, "work_a", FRAME_NATIVE, "/usr/bin/alpha", NULL);
	uint32_t wb = profile__frame(p, "work_b", FRAME_NATIVE, "/usr/bin/alpha", NULL);
	uint32_t pb = profile__frame(p, "beta/2", FRAME_PROCESS, NULL, NULL);
	uint32_t wc = profile__frame(p, "work_c", FRAME_NATIVE, "/usr/bin/beta", NULL);
	uint32_t pu = profile__frame(p, "mystery", FRAME_PROCESS, NULL, NULL);
	uint32_t wu = profile__frame(p, "work_u", FRAME_KERNEL, "[kernel.kallsyms]", NULL);
	uint32_t l1 = profile__labelset(p, a1, 7), l2 = profile__labelset(p, a2, 7);
	uint32_t l3 = profile__labelset(p, b, 4);

	profile__add_labeled(p, (uint32_t[]){ pa, m, wa }, 3, l1, (uint64_t[]){ 5 + k });
	profile__add_labeled(p, (uint32_t[]){ pa, m, wb }, 3, l2, (uint64_t[]){ 7 });
	if (!only_alpha) {
		profile__add_labeled(p, (uint32_t[]){ pb, wc }, 2, l3, (uint64_t[]){ 11 });
		profile__add_stack(p, (uint32_t[]){ pu, wu }, 2, (uint64_t[]){ 3 });
	}
	strcpy(p->meta.event, "cpu");
	strcpy(p->meta.unit, "nanoseconds");
	p->meta.period = 52631579; /* 19 Hz */
	p->meta.start_ns = (uint64_t)(T0 + 10 * k) * 1000000000ULL + 250000000ULL;
	p->meta.duration_s = 10.0;
	strcpy(p->meta.host, "meta-host");
	return p;
}

static int submit(struct pusher *p, int k, bool only_alpha)
{
	struct profile *w = window(k, only_alpha);
	char err[256] = "";
	int rc = pusher__submit(p, w, err, sizeof(err));

	if (rc)
		printf("# submit: %s\n", err);
	profile__free(w);
	return rc;
}

/* ---- The receiver ------------------------------------------------------------------------- */

struct rx {
	int port;
	char dir[96];
	pid_t pid;
};

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool port_open(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));

	close(fd);
	return ok;
}

/* A receiver's port and directory; not started. */
static void rx_init(struct rx *r)
{
	r->port = free_port();
	snprintf(r->dir, sizeof(r->dir), "%s/rx%d", base, ++dirno);
	mkdir(r->dir, 0700);
	r->pid = 0;
}

static bool rx_start(struct rx *r)
{
	const char *root = getenv("ROOT");
	char script[512], port[16];

	snprintf(script, sizeof(script), "%s/tests/e2e/monitor/ingest_receiver.py",
		 root ? root : ".");
	snprintf(port, sizeof(port), "%d", r->port);
	r->pid = fork();
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG,
		      SIGKILL); /* a test killed by its timeout leaves none behind */
		execlp("python3", "python3", script, "--port", port, "--dir", r->dir, NULL);
		_exit(127);
	}
	for (double t0 = now_s(); now_s() - t0 < 10; sleep_s(0.05))
		if (port_open(r->port))
			return true;
	printf("# receiver did not come up on port %d\n", r->port);
	return false;
}

static void rx_stop(struct rx *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

static void rx_mode(struct rx *r, const char *mode)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/MODE", r->dir);
	if ((f = fopen(path, "w"))) {
		fputs(mode, f);
		fclose(f);
	}
}

static int count_suffix(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t sl = strlen(suffix);
	int n = 0;

	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		n += l > sl && !strcmp(de->d_name + l - sl, suffix) && de->d_name[0] != '.';
	}
	if (d)
		closedir(d);
	return n;
}

static int rx_count(struct rx *r)
{
	return count_suffix(r->dir, ".meta");
}

/* Wait until the receiver recorded at least n requests; the count. */
static int rx_wait(struct rx *r, int n, double timeout)
{
	double t0 = now_s();

	while (rx_count(r) < n && now_s() - t0 < timeout)
		sleep_s(0.05);
	return rx_count(r);
}

/* Request i's "key value" line: the value (static buffer), or "" when absent. */
static const char *rx_meta(struct rx *r, int i, const char *key)
{
	static char val[1024];
	char path[160], line[1200];
	size_t kl = strlen(key);
	FILE *f;

	val[0] = 0;
	snprintf(path, sizeof(path), "%s/%06d.meta", r->dir, i);
	if (!(f = fopen(path, "r")))
		return val;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) || line[kl] != ' ')
			continue;
		snprintf(val, sizeof(val), "%s", line + kl + 1);
		val[strcspn(val, "\n")] = 0;
		break;
	}
	fclose(f);
	return val;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len + 4096 > cap && !(buf = realloc(buf, cap = cap * 2 + 8192)))
			break;
		size_t n = fread(buf + *len, 1, cap - *len - 1, f);

		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	if (buf)
		buf[*len] = 0;
	return buf;
}

/* ---- Bodies ------------------------------------------------------------------------------- */

/*
 * Sum of value[0] over the samples of request i's "profile" part, -1 if it does not parse;
 * *nlabels: labels other than process=PROCESS.
 */
static long long pprof_samples(struct rx *r, int i, const char *process, size_t *nlabels)
{
	char path[160], *gz;
	size_t len;
	pb_profile *m;
	long long sum = 0;

	snprintf(path, sizeof(path), "%s/%06d.profile", r->dir, i);
	gz = slurp(path, &len);
	m = gz ? pprof_decode_gz(gz, len) : NULL;
	free(gz);
	if (!m)
		return -1;
	*nlabels = 0;
	for (size_t s = 0; s < m->n_sample; s++) {
		sum += m->sample[s]->n_value ? m->sample[s]->value[0] : 0;
		for (size_t l = 0; l < m->sample[s]->n_label; l++) {
			const Perftools__Profiles__Label *lb = m->sample[s]->label[l];
			int64_t k = lb->key, v = lb->str;

			/* The emitter's "process" label (the root frame) is the only one kept. */
			if (k < 0 || (size_t)k >= m->n_string_table || v < 0 ||
			    (size_t)v >= m->n_string_table ||
			    strcmp(m->string_table[k], "process") ||
			    strcmp(m->string_table[v], process))
				++*nlabels;
		}
	}
	perftools__profiles__profile__free_unpacked(m, NULL);
	return sum;
}

/* Sum of the counts of request i's folded body; -1 for a line that is not "stack N". */
static long long folded_samples(struct rx *r, int i, const char *must_have)
{
	char path[160], *body, *line, *save = NULL;
	size_t len;
	long long sum = 0;
	bool seen = false;

	snprintf(path, sizeof(path), "%s/%06d.body", r->dir, i);
	if (!(body = slurp(path, &len)))
		return -1;
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' '), *end;
		long long n = sp ? strtoll(sp + 1, &end, 10) : -1;

		if (!sp || *end || n <= 0) {
			sum = -1;
			break;
		}
		sum += n;
		seen |= strstr(line, must_have) != NULL;
	}
	free(body);
	return seen ? sum : -2;
}

/* ---- Tests -------------------------------------------------------------------------------- */

static struct push_cfg cfg_for(struct rx *r, const char *spool, bool folded)
{
	static char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", r->port);
	return (struct push_cfg){ .url = url,
				  .spool_dir = spool,
				  .folded = folded,
				  .backoff_min_s = 0.2,
				  .backoff_max_s = 0.8 };
}

static char *spool_path(const char *name)
{
	static char path[8][128];
	static int n;
	char *s = path[n++ % 8];

	snprintf(s, 128, "%s/%s", base, name);
	return s;
}

static struct pusher *new_pusher(const struct push_cfg *cfg)
{
	struct pusher *p = NULL;
	char err[256] = "";

	if (pusher__new(&p, cfg, err, sizeof(err)))
		printf("# pusher__new: %s\n", err);
	return p;
}

/*
 * The receiver records a request before it answers, and the pusher counts it (and deletes its
 * file) after the answer: wait for the pusher's side too. The stats then.
 */
static struct push_stats wait_sent(struct pusher *p, uint64_t sent, uint64_t rejected)
{
	struct push_stats st;
	double t0 = now_s();

	do {
		sleep_s(0.02);
		pusher__stats(p, &st);
	} while ((st.sent < sent || st.rejected < rejected) && now_s() - t0 < 5);
	return st;
}

/* Requests [first, first + 3 n) are windows k0.. in order, NSERIES each, in name order. */
static bool check_order(struct rx *r, int first, int nwin, int k0, int per)
{
	bool ok = true;

	for (int i = 0; i < nwin * per; i++) {
		int k = k0 + i / per;
		char want[32];

		snprintf(want, sizeof(want), "%lld", T0 + 10 * k);
		if (strcmp(rx_meta(r, first + i, "q.from"), want) ||
		    strcmp(rx_meta(r, first + i, "q.name"), want_names[i % per])) {
			printf("#   request %d: from %s name %s, want window %d %s\n", first + i,
			       rx_meta(r, first + i, "q.from"), rx_meta(r, first + i, "q.name"), k,
			       want_names[i % per]);
			ok = false;
		}
	}
	return ok;
}

static bool go_reads(struct rx *r, int i)
{
	char cmd[512], out[4096] = "";
	size_t n;
	FILE *f;
	int rc;

	snprintf(cmd, sizeof(cmd), "go tool pprof -raw %s/%06d.profile 2>&1", r->dir, i);
	if (!(f = popen(cmd, "r")))
		return false;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	rc = pclose(f);
	if (rc || !strstr(out, "work_a"))
		printf("#   go tool pprof -raw said: %.300s\n", out);
	return rc == 0 && strstr(out, "work_a");
}

static void test_pprof(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;
	bool names_ok = true, times_ok = true, params_ok = true, counts_ok = true;
	size_t labels = 0;

	rx_init(&r);
	cfg = cfg_for(&r, spool_path("spool-pprof"), false);
	if (!check(rx_start(&r), "pprof: receiver up") || !(p = new_pusher(&cfg)))
		return;
	for (int k = 0; k < 3; k++)
		check_int(submit(p, k, false), 0, "pprof: submit window");
	check_int(rx_wait(&r, 3 * NSERIES, 15), 3 * NSERIES,
		  "pprof: 3 windows x 3 services arrive");
	check(check_order(&r, 1, 3, 0, NSERIES),
	      "pprof: windows in order, one request per service");
	for (int i = 1; i <= 3 * NSERIES; i++) {
		int k = (i - 1) / NSERIES, s = (i - 1) % NSERIES;
		char from[32], until[32];
		size_t nl = 0;
		static const char *const process[] = { "alpha", "beta/2", "mystery" };
		long long got = pprof_samples(&r, i, process[s], &nl);

		snprintf(from, sizeof(from), "%lld", T0 + 10 * k);
		snprintf(until, sizeof(until), "%lld", T0 + 10 * k + 10);
		names_ok &= !strstr(rx_meta(&r, i, "query"), "pid") &&
			    !strstr(rx_meta(&r, i, "q.name"), "cgroup");
		times_ok &= !strcmp(rx_meta(&r, i, "q.from"), from) &&
			    !strcmp(rx_meta(&r, i, "q.until"), until);
		params_ok &= !strcmp(rx_meta(&r, i, "path"), "/ingest") &&
			     !strcmp(rx_meta(&r, i, "q.format"), "pprof") &&
			     !strcmp(rx_meta(&r, i, "q.sampleRate"), "19") &&
			     !strcmp(rx_meta(&r, i, "q.spyName"), "bpfprof") &&
			     !strncmp(rx_meta(&r, i, "h.content-type"),
				      "multipart/form-data; boundary=", 30);
		if (got != (long long)want_samples(s, k)) {
			printf("#   request %d (%s): %lld samples, want %llu\n", i,
			       rx_meta(&r, i, "q.name"), got,
			       (unsigned long long)want_samples(s, k));
			counts_ok = false;
		}
		labels += nl;
	}
	check(names_ok, "pprof: no pid or cgroup in the query");
	check(times_ok, "pprof: from/until are the window's whole seconds");
	check(params_ok, "pprof: path, format, sampleRate (from the period), spyName, multipart");
	check(counts_ok, "pprof: each body unpacks to its service's samples");
	check_int(labels, 0, "pprof: no sample labels but process=NAME (no pid, exe, cgroup)");
	{
		size_t len;
		char path[160], *cfgjson;

		snprintf(path, sizeof(path), "%s/%06d.sample_type_config", r.dir, 1);
		cfgjson = slurp(path, &len);
		check(cfgjson && strstr(cfgjson, "\"samples\"") &&
			      strstr(cfgjson, "\"display-name\":\"cpu\""),
		      "pprof: sample_type_config names the samples column cpu");
		free(cfgjson);
	}
	if (system("go version >/dev/null 2>&1"))
		printf("# go not installed: go tool pprof check skipped\n");
	else
		check(go_reads(&r, 1), "pprof: go tool pprof -raw reads a pushed body");
	st = wait_sent(p, 3 * NSERIES, 0);
	check_int(st.sent, 3 * NSERIES, "pprof: stats.sent");
	check(st.last_success_s > 0 && !st.failures && !st.spooled_files,
	      "pprof: no failures, spool empty, last success set");
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_folded(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	bool ok = true;

	rx_init(&r);
	cfg = cfg_for(&r, spool_path("spool-folded"), true);
	cfg.sample_rate = 97;
	if (!check(rx_start(&r), "folded: receiver up") || !(p = new_pusher(&cfg)))
		return;
	for (int k = 0; k < 2; k++)
		submit(p, k, false);
	check_int(rx_wait(&r, 2 * NSERIES, 15), 2 * NSERIES, "folded: 2 windows x 3 services");
	check(check_order(&r, 1, 2, 0, NSERIES), "folded: in order");
	for (int i = 1; i <= 2 * NSERIES; i++) {
		int k = (i - 1) / NSERIES, s = (i - 1) % NSERIES;
		static const char *const frame[] = { "alpha;main;work_a", "beta/2;work_c",
						     "mystery;work_u_[k]" };
		long long got = folded_samples(&r, i, frame[s]);

		if (got != (long long)want_samples(s, k) ||
		    strcmp(rx_meta(&r, i, "q.format"), "folded") ||
		    strcmp(rx_meta(&r, i, "q.sampleRate"), "97") ||
		    strcmp(rx_meta(&r, i, "h.content-type"), "text/plain")) {
			printf("#   request %d: %lld samples (want %llu), format %s, rate %s, type %s\n",
			       i, got, (unsigned long long)want_samples(s, k),
			       rx_meta(&r, i, "q.format"), rx_meta(&r, i, "q.sampleRate"),
			       rx_meta(&r, i, "h.content-type"));
			ok = false;
		}
	}
	check(ok,
	      "folded: line totals per service, format=folded, sampleRate from cfg, text/plain");
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_outage(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;

	char url[96];

	rx_init(&r);
	cfg = cfg_for(&r, spool_path("spool-outage"), false);
	snprintf(url, sizeof(url), "http://user:s3cret@127.0.0.1:%d", r.port);
	cfg.url = url;
	logged[0] = 0;
	if (!(p = new_pusher(&cfg)))
		return;
	for (int k = 0; k < 4; k++)
		submit(p, k, false);
	sleep_s(1.2);
	pusher__stats(p, &st);
	check(st.failures >= 2 && st.sent == 0 && st.spooled_files == 4,
	      "outage: failures counted (%llu), nothing sent, 4 windows spooled (%llu)",
	      (unsigned long long)st.failures, (unsigned long long)st.spooled_files);
	check(strstr(st.last_error, "onnect") != NULL, "outage: last_error says why: %s",
	      st.last_error);
	check(strstr(logged, "127.0.0.1") && strstr(logged, "retrying") &&
		      !strstr(logged, "s3cret"),
	      "outage: logged once, without the password in the URL");
	check(rx_start(&r), "outage: receiver up");
	check_int(rx_wait(&r, 4 * NSERIES, 15), 4 * NSERIES, "outage: all 12 arrive");
	sleep_s(0.5);
	check_int(rx_count(&r), 4 * NSERIES, "outage: exactly once");
	check(check_order(&r, 1, 4, 0, NSERIES), "outage: in order");
	/* base64("user:s3cret") */
	check_str(rx_meta(&r, 1, "h.authorization"),
		  "Basic dXNlcjpzM2NyZXQ=", "outage: the URL's credentials reach the backend");
	st = wait_sent(p, 4 * NSERIES, 0);
	check(st.sent == 4 * NSERIES && st.retries >= 1 && !st.spooled_files,
	      "outage: stats sent 12 (%llu), retries (%llu), spool empty",
	      (unsigned long long)st.sent, (unsigned long long)st.retries);
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_spool_bound(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;
	uint64_t one;

	rx_init(&r);
	/* The size of one spooled request (folded: every window's is the same length). */
	cfg = cfg_for(&r, spool_path("spool-probe"), true);
	if (!(p = new_pusher(&cfg)))
		return;
	submit(p, 0, true);
	pusher__stats(p, &st);
	one = st.spooled_bytes;
	pusher__free(p, 0);
	check(one > 0, "bound: one request is %llu bytes", (unsigned long long)one);

	cfg = cfg_for(&r, spool_path("spool-bound"), true);
	cfg.spool_max_bytes = 3 * one + one / 2;
	if (!(p = new_pusher(&cfg)))
		return;
	for (int k = 0; k < 10; k++)
		submit(p, k, true);
	pusher__stats(p, &st);
	check_int(st.dropped_oldest, 7, "bound: 7 oldest dropped and counted");
	check_int(st.spooled_files, 3, "bound: 3 newest kept");
	check(st.spooled_bytes <= cfg.spool_max_bytes, "bound: %llu bytes within the bound",
	      (unsigned long long)st.spooled_bytes);
	check_int(count_suffix(cfg.spool_dir, ".spool"), 3, "bound: 3 files on disk");
	check(rx_start(&r), "bound: receiver up");
	check_int(rx_wait(&r, 3, 15), 3, "bound: 3 arrive");
	sleep_s(0.3);
	check_int(rx_count(&r), 3, "bound: no more");
	check(check_order(&r, 1, 3, 7, 1), "bound: windows 7, 8, 9 in order");
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_rejected(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;

	rx_init(&r);
	rx_mode(&r, "400");
	cfg = cfg_for(&r, spool_path("spool-400"), false);
	if (!check(rx_start(&r), "400: receiver up") || !(p = new_pusher(&cfg)))
		return;
	submit(p, 0, false);
	submit(p, 1, false);
	check_int(rx_wait(&r, 2 * NSERIES, 15), 2 * NSERIES, "400: each request tried");
	sleep_s(1.5); /* backoff 0.2 s: a retry would have come by now */
	check_int(rx_count(&r), 2 * NSERIES, "400: never retried");
	st = wait_sent(p, 0, 2 * NSERIES);
	check(st.rejected == 2 * NSERIES && !st.sent && !st.failures && !st.spooled_files,
	      "400: %llu rejected, none sent or failed, spool empty",
	      (unsigned long long)st.rejected);
	check(strstr(st.last_error, "HTTP 400") != NULL, "400: last_error: %s", st.last_error);
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_retry_5xx(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;
	int n, ok = 0, last_ok = 0;

	rx_init(&r);
	rx_mode(&r, "500");
	cfg = cfg_for(&r, spool_path("spool-500"), false);
	if (!check(rx_start(&r), "500: receiver up") || !(p = new_pusher(&cfg)))
		return;
	submit(p, 0, false);
	check(rx_wait(&r, 3, 15) >= 3, "500: the first request is retried");
	rx_mode(&r, "ok");
	n = rx_wait(&r, 1000, 3);
	for (int i = 1; i <= n; i++) {
		if (strcmp(rx_meta(&r, i, "status"), "200"))
			continue;
		ok++;
		last_ok = i;
		if (strcmp(rx_meta(&r, i, "q.name"), want_names[ok - 1]))
			ok = -100;
	}
	check_int(ok, NSERIES, "500: then all 3 taken, in order");
	wait_sent(p, NSERIES, 0);
	check(!strcmp(rx_meta(&r, 1, "q.name"), want_names[0]) &&
		      !strcmp(rx_meta(&r, 2, "q.name"), want_names[0]),
	      "500: the oldest is retried, not skipped");
	pusher__stats(p, &st);
	check(st.sent == NSERIES && st.failures >= 2 && st.retries >= 2 && !st.rejected,
	      "500: sent %llu, failures %llu, retries %llu", (unsigned long long)st.sent,
	      (unsigned long long)st.failures, (unsigned long long)st.retries);
	(void)last_ok;
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_restart(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;
	double t;

	rx_init(&r);
	cfg = cfg_for(&r, spool_path("spool-restart"), false);
	if (!(p = new_pusher(&cfg)))
		return;
	for (int k = 0; k < 3; k++)
		submit(p, k, false);
	sleep_s(0.3);
	t = now_s();
	pusher__free(p, 0.5);
	t = now_s() - t;
	check(t < 1.5, "restart: free with the backend down took %.2f s (flush 0.5 s)", t);
	check_int(count_suffix(cfg.spool_dir, ".spool"), 3, "restart: 3 window files left");
	if (!(p = new_pusher(&cfg)))
		return;
	pusher__stats(p, &st);
	check_int(st.spooled_files, 3, "restart: the new pusher finds them");
	check(rx_start(&r), "restart: receiver up");
	check_int(rx_wait(&r, 3 * NSERIES, 15), 3 * NSERIES, "restart: all arrive");
	sleep_s(0.3);
	check_int(rx_count(&r), 3 * NSERIES, "restart: once");
	check(check_order(&r, 1, 3, 0, NSERIES), "restart: in order");
	pusher__free(p, 2);
	check_int(count_suffix(cfg.spool_dir, ".spool"), 0, "restart: spool empty on disk");
	rx_stop(&r);
}

static void test_hung_backend(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	double t;

	rx_init(&r);
	rx_mode(&r, "hang");
	cfg = cfg_for(&r, spool_path("spool-hang"), false);
	if (!check(rx_start(&r), "hang: receiver up") || !(p = new_pusher(&cfg)))
		return;
	submit(p, 0, false);
	check_int(rx_wait(&r, 1, 15), 1, "hang: the receiver got a request and holds it");
	t = now_s();
	submit(p, 1, false);
	t = now_s() - t;
	check(t < 0.5, "hang: submit returned in %.3f s while the worker waits", t);
	t = now_s();
	pusher__free(p, 1.0);
	t = now_s() - t;
	check(t < 1.3, "hang: free(flush 1 s) returned in %.2f s", t);
	check_int(count_suffix(cfg.spool_dir, ".spool"), 2,
		  "hang: the window of the unanswered request stays spooled, and the next");
	rx_stop(&r);
}

/* Stopped half-way through a window: the next run sends the rest of it, not the part taken. */
static void test_partial(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;
	uint64_t whole;

	rx_init(&r);
	rx_mode(&r, "ok\nhang\n");
	cfg = cfg_for(&r, spool_path("spool-partial"), false);
	if (!check(rx_start(&r), "partial: receiver up") || !(p = new_pusher(&cfg)))
		return;
	pusher__stats(p, &st);
	submit(p, 0, false);
	pusher__stats(p, &st);
	whole = st.spooled_bytes;
	check_int(rx_wait(&r, 2, 15), 2, "partial: alpha taken, beta held");
	pusher__free(p, 0.3);
	rx_mode(&r, "ok");
	if (!(p = new_pusher(&cfg)))
		return;
	pusher__stats(p, &st);
	check(st.spooled_files == 1 && st.spooled_bytes < whole,
	      "partial: the entry was rewritten smaller (%llu < %llu bytes)",
	      (unsigned long long)st.spooled_bytes, (unsigned long long)whole);
	check_int(rx_wait(&r, 4, 15), 4, "partial: the rest arrives");
	sleep_s(0.3);
	check_int(rx_count(&r), 4, "partial: nothing more");
	check(!strcmp(rx_meta(&r, 1, "q.name"), want_names[0]) &&
		      !strcmp(rx_meta(&r, 3, "q.name"), want_names[1]) &&
		      !strcmp(rx_meta(&r, 4, "q.name"), want_names[2]),
	      "partial: alpha once, then beta (again: it was never answered) and unknown");
	st = wait_sent(p, 2, 0);
	check_int(st.spooled_files, 0, "partial: spool empty");
	pusher__free(p, 2);
	rx_stop(&r);
}

/* Leftovers of a crash: a hidden temp file is removed, a file that is no request dropped. */
static void test_leftovers(void)
{
	struct rx r;
	struct push_cfg cfg;
	struct pusher *p;
	struct push_stats st;
	char path[256];
	FILE *f;

	rx_init(&r);
	cfg = cfg_for(&r, spool_path("spool-left"), false);
	mkdir(cfg.spool_dir, 0700);
	snprintf(path, sizeof(path), "%s/.0000000000000007.spool.Ab3dEf", cfg.spool_dir);
	if ((f = fopen(path, "w")))
		fclose(f);
	snprintf(path, sizeof(path), "%s/0000000000000001.spool", cfg.spool_dir);
	if ((f = fopen(path, "w"))) {
		fputs("not a request", f);
		fclose(f);
	}
	if (!check(rx_start(&r), "leftovers: receiver up") || !(p = new_pusher(&cfg)))
		return;
	check_int(count_suffix(cfg.spool_dir, ".Ab3dEf"), 0, "leftovers: hidden temp removed");
	submit(p, 0, false);
	check_int(rx_wait(&r, NSERIES, 15), NSERIES, "leftovers: the window arrives");
	check(check_order(&r, 1, 1, 0, NSERIES), "leftovers: only the real requests");
	st = wait_sent(p, NSERIES, 1);
	check_int(st.rejected, 1, "leftovers: the bad file counted as rejected");
	check_int(count_suffix(cfg.spool_dir, ".spool"), 0, "leftovers: and deleted");
	pusher__free(p, 2);
	rx_stop(&r);
}

static void test_bad_config(void)
{
	static const struct {
		const char *url;
		int rc;
	} urls[] = {
		{ "http://localhost:4040", 0 },
		{ "https://pyroscope.example.com/prefix/", 0 },
		{ "http://user:pw@[::1]:4040", 0 },
		{ "HTTP://10.0.0.1", 0 },
		{ "", -EINVAL },
		{ "localhost:4040", -EINVAL },
		{ "ftp://host", -EINVAL },
		{ "http://", -EINVAL },
		{ "http://:4040", -EINVAL },
		{ "http://host:0", -EINVAL },
		{ "http://host:65536", -EINVAL },
		{ "http://host:80x", -EINVAL },
		{ "http://host/ingest?x=1", -EINVAL },
		{ "http://ho st", -EINVAL },
		{ "http://[::1", -EINVAL },
	};
	struct push_cfg cfg = { .url = "http://127.0.0.1:1" };
	struct pusher *p = NULL;
	char err[256];

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		err[0] = 0;
		int rc = push__check_url(urls[i].url, err, sizeof(err));

		check(rc == urls[i].rc && (!rc || (err[0] && !strchr(err, '\n'))),
		      "url '%s': %d %s", urls[i].url, rc, err);
	}
	snprintf(err, sizeof(err), "%s/a-file", base);
	fclose(fopen(err, "w"));
	cfg.spool_dir = strdup(err);
	err[0] = 0;
	check(pusher__new(&p, &cfg, err, sizeof(err)) < 0 && !p && strstr(err, "a-file"),
	      "a file as spool dir: %s", err);
	free((char *)cfg.spool_dir);
	pusher__free(NULL, 1);
}

int main(void)
{
	char cmd[128];

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	log__set_sink(log_to_tap, NULL);
	snprintf(base, sizeof(base), "/tmp/test_push.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	if (system("python3 --version >/dev/null 2>&1")) {
		printf("# python3 missing: the receiver cannot run\n");
		check(0, "python3 installed");
		return check_done();
	}
	test_bad_config();
	test_pprof();
	test_folded();
	test_outage();
	test_spool_bound();
	test_rejected();
	test_retry_5xx();
	test_restart();
	test_hung_backend();
	test_partial();
	test_leftovers();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (!check__failed)
		(void)!system(cmd);
	else
		printf("# kept %s\n", base);
	return check_done();
}
