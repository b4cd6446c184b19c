// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_http.c - the monitor's HTTP endpoint with real clients on real sockets: libcurl for every
 * endpoint and refusal (404, 405, 400s, 414, handler errors as statuses), raw sockets for a
 * client that sends half a request and stalls (others are served meanwhile; the idle timeout
 * closes it) and for the connection limit, `go tool pprof -top` against /debug/pprof/profile
 * when go is installed, promtool on /metrics. The handlers are fakes: a profile with known
 * counts (fakeproc;fake_main;fake_hot_spin 75, fakeproc;fake_main 25, otherproc;other_main 10),
 * a live handler that really waits its seconds (or until cancelled), a range handler that
 * applies the filter it is given. Shutdown with a live request waiting must answer it 503 and
 * return at once when the handlers can cancel, and wait for the live call when they cannot.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "daemon/http.h"
#include "daemon/metrics.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/filter.h"
#include "model/profile.h"
#include "check.h"
#include "http_fixture.h"

#define S_NS 1000000000ULL

/* ---- the fake monitor ---- */

static struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool sleep;	/* live waits its seconds */
	bool cancelled; /* fake_cancel was called */
	int live_calls, live_running, live_returned;
	double live_seconds;
	int range_calls, range_rc;
	uint64_t from, to;
	char comm[64];
	pid_t pid;
	int nlabels;
	bool unhealthy;
	struct http_server *server;
} fake = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, true };

static void fake_stack(struct profile *p, const char *const *names, int n, uint64_t count,
		       const char *comm, const char *pid)
{
	const char *kv[] = { "comm", comm,   "pid",
			     pid,    "unit", !strcmp(comm, "fakeproc") ? "a.service" : "b.service" };
	uint32_t ids[4];

	for (int i = 0; i < n; i++)
		ids[i] = profile__frame(p, names[i], i ? FRAME_NATIVE : FRAME_PROCESS,
					i ? "/usr/bin/fake" : NULL, NULL);
	profile__add_labeled(p, ids, n, profile__labelset(p, kv, 3), &count);
}

static struct profile *fake_profile(void)
{
	static const char *const hot[] = { "fakeproc", "fake_main", "fake_hot_spin" };
	static const char *const other[] = { "otherproc", "other_main" };
	struct profile *p = profile__new();

	snprintf(p->meta.event, sizeof(p->meta.event), "cpu");
	snprintf(p->meta.unit, sizeof(p->meta.unit), "nanoseconds");
	p->meta.period = S_NS / 19;
	p->meta.start_ns = realtime_ns();
	p->meta.duration_s = 1;
	fake_stack(p, hot, 3, 75, "fakeproc", "100");
	fake_stack(p, hot, 2, 25, "fakeproc", "100");
	fake_stack(p, other, 2, 10, "otherproc", "200");
	return p;
}

/* handlers.ctx of the server whose one live profile outlasts the idle timeout */
static char long_ctx;

static int fake_live(void *ctx, double seconds, struct profile **out, char *err, size_t errlen)
{
	long long deadline = mono_ms() + (long long)(seconds * 1000);
	struct timespec ts;
	int rc;

	if (ctx == &long_ctx) {
		ts = (struct timespec){ (time_t)seconds, 0 };
		while (nanosleep(&ts, &ts))
			;
		*out = fake_profile();
		return 0;
	}
	pthread_mutex_lock(&fake.lock);
	fake.live_calls++;
	fake.live_running++;
	fake.live_seconds = seconds;
	pthread_cond_broadcast(&fake.cond);
	while (fake.sleep && !fake.cancelled && mono_ms() < deadline) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&fake.cond, &fake.lock, &ts);
	}
	rc = fake.cancelled ? -ECANCELED : 0;
	fake.live_running--;
	fake.live_returned++;
	pthread_cond_broadcast(&fake.cond);
	pthread_mutex_unlock(&fake.lock);
	if (rc) {
		snprintf(err, errlen, "cancelled");
		return rc;
	}
	*out = fake_profile();
	return 0;
}

static void fake_cancel(void *ctx)
{
	pthread_mutex_lock(&fake.lock);
	fake.cancelled = true;
	pthread_cond_broadcast(&fake.cond);
	pthread_mutex_unlock(&fake.lock);
}

static void fake__uncancel(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.cancelled = false;
	pthread_mutex_unlock(&fake.lock);
}

static int fake_range(void *ctx, uint64_t from_ns, uint64_t to_ns, const struct profile_filter *f,
		      struct profile **out, char *err, size_t errlen)
{
	struct profile *all, *p;
	bool *keep;

	pthread_mutex_lock(&fake.lock);
	fake.range_calls++;
	fake.from = from_ns;
	fake.to = to_ns;
	snprintf(fake.comm, sizeof(fake.comm), "%s", f->comm ? f->comm : "");
	fake.pid = f->pid;
	fake.nlabels = f->nlabels;
	pthread_mutex_unlock(&fake.lock);
	if (fake.range_rc) {
		snprintf(err, errlen, "fake range failure\nsecond line");
		return fake.range_rc;
	}
	all = fake_profile();
	p = profile__new();
	keep = profile_filter__select(f, all);
	p->meta = all->meta;
	profile__merge(p, all, keep, PROFILE_ALL_COLUMNS, 1.0);
	free(keep);
	profile__free(all);
	*out = p;
	return 0;
}

static void fake_metrics(void *ctx, FILE *out)
{
	static const char *const causes[] = { "map_full", "ringbuf_full" };
	static const double lost[] = { 3, 4 };
	uint64_t served, refused;

	http_server__counts(fake.server, &served, &refused);
	prom__counter(out, "bpfprof_samples_total", "Samples taken.", 110);
	prom__counter_l(out, "bpfprof_samples_lost_total", "Samples lost, by cause.", "cause",
			causes, lost, 2);
	prom__counter(out, "bpfprof_http_requests_total", "HTTP requests answered 2xx.", served);
	prom__counter(out, "bpfprof_http_refused_total", "HTTP requests refused.", refused);
	metrics__process(out);
}

static bool fake_healthy(void *ctx, char *why, size_t len)
{
	if (fake.unhealthy)
		snprintf(why, len, "history: disk full\nsecond line");
	return !fake.unhealthy;
}

static const struct http_handlers handlers = {
	.live = fake_live,
	.range = fake_range,
	.metrics = fake_metrics,
	.healthy = fake_healthy,
	.cancel = fake_cancel,
};

/* Wait until pred() holds (under fake.lock), at most ms. */
static bool fake__wait(bool (*pred)(void), long long ms)
{
	long long deadline = mono_ms() + ms;
	bool ok;

	pthread_mutex_lock(&fake.lock);
	while (!(ok = pred()) && mono_ms() < deadline) {
		pthread_mutex_unlock(&fake.lock);
		usleep(10000);
		pthread_mutex_lock(&fake.lock);
	}
	pthread_mutex_unlock(&fake.lock);
	return ok;
}

static bool live_running(void)
{
	return fake.live_running > 0;
}

static bool live_idle(void)
{
	return fake.live_running == 0;
}

/* ---- the log ---- */

static struct {
	pthread_mutex_t lock;
	int lines, warnings;
	char last[256];
} logged = { PTHREAD_MUTEX_INITIALIZER };

static void log_sink(enum log_level level, const char *msg, void *ctx)
{
	pthread_mutex_lock(&logged.lock);
	logged.lines++;
	logged.warnings += level <= LOG_WARN;
	snprintf(logged.last, sizeof(logged.last), "%s", msg);
	pthread_mutex_unlock(&logged.lock);
}

/* A copy of the log counters, taken under their lock. */
static void logged__get(int *lines, int *warnings, char *last, size_t len)
{
	pthread_mutex_lock(&logged.lock);
	*lines = logged.lines;
	*warnings = logged.warnings;
	snprintf(last, len, "%s", logged.last);
	pthread_mutex_unlock(&logged.lock);
}

/* ---- clients ---- */

static int port;

struct resp {
	long status;
	CURLcode cc;
	char *body;
	size_t len;
	double secs;
	char type[128], disposition[128], allow[64], go_pprof[8];
};

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	char *b = realloc(r->body, r->len + size * n + 1);

	if (!b)
		return 0;
	memcpy(b + r->len, data, size * n);
	r->len += size * n;
	b[r->len] = '\0';
	r->body = b;
	return size * n;
}

static void header__value(const char *line, size_t n, const char *key, char *out, size_t outlen)
{
	size_t k = strlen(key);

	if (n <= k || strncasecmp(line, key, k) || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n && *line == ' ')
		line++, n--;
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	snprintf(out, outlen, "%.*s", (int)n, line);
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;

	header__value(line, n, "Content-Type", r->type, sizeof(r->type));
	header__value(line, n, "Content-Disposition", r->disposition, sizeof(r->disposition));
	header__value(line, n, "Allow", r->allow, sizeof(r->allow));
	header__value(line, n, "X-Go-Pprof", r->go_pprof, sizeof(r->go_pprof));
	return n;
}

/* method path on host:port (host NULL: 127.0.0.1, port 0: the test server's), into r. */
static void http_at(const char *host, int at, const char *method, const char *path, long ms,
		    struct resp *r)
{
	CURL *c = curl_easy_init();
	size_t plen = strlen(path);
	char *url = malloc(plen + 64);
	double t0 = mono_s();

	memset(r, 0, sizeof(*r));
	sprintf(url, "http://%s:%d%s", host ? host : "127.0.0.1", at ? at : port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (!strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "a=1");
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	r->cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->secs = mono_s() - t0;
	curl_easy_cleanup(c);
	free(url);
}

static void http(const char *method, const char *path, struct resp *r)
{
	http_at(NULL, 0, method, path, 10000, r);
}

/* A body of exactly one line ending in '\n'. */
static bool one_line(const struct resp *r)
{
	return r->body && r->len && r->body[r->len - 1] == '\n' &&
	       !memchr(r->body, '\n', r->len - 1);
}

/* The body for a message: at most 100 bytes, newlines as '|'. */
static const char *text(const struct resp *r)
{
	static __thread char buf[104];
	size_t n = r->body ? r->len : 0;

	n = n > 100 ? 100 : n;
	for (size_t i = 0; i < n; i++)
		buf[i] = r->body[i] == '\n' ? '|' : r->body[i];
	buf[n] = '\0';
	return r->body ? buf : "(none)";
}

static void resp__free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

static int raw_connect(int at)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(at) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Has the server closed fd (EOF or reset), waiting at most ms? */
static bool raw_closed(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char c;

	return poll(&p, 1, ms) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		p = ntohs(a.sin_port);
	close(fd);
	return p;
}

/* A server on a free loopback port (*at), retried if another process takes the port first. */
static struct http_server *server__start(const char *fmt, const struct http_handlers *h, int *at)
{
	struct http_server *s = NULL;
	char listen[64], err[256] = "";
	int rc = -EADDRINUSE;

	for (int i = 0; i < 10 && rc == -EADDRINUSE; i++) {
		*at = free_port();
		snprintf(listen, sizeof(listen), fmt, *at);
		rc = http_server__start(&s, listen, false, h, err, sizeof(err));
	}
	check(rc == 0, "server on %s%s%s", listen, rc ? ": " : "", err);
	return s;
}

/* ---- http__parse_listen ---- */

static void test_parse_listen(void)
{
	static const struct {
		const char *spec;
		int family;
		const char *addr; /* NULL: -EINVAL */
		int port;
		bool any; /* accepted only with listen_any */
	} cases[] = {
		{ "127.0.0.1:6060", AF_INET, "127.0.0.1", 6060 },
		{ "127.1.2.3:1", AF_INET, "127.1.2.3", 1 },
		{ "localhost:65535", AF_INET, "127.0.0.1", 65535 },
		{ ":8080", AF_INET, "127.0.0.1", 8080 },
		{ "[::1]:6060", AF_INET6, "::1", 6060 },
		{ "[::ffff:127.0.0.1]:6060", AF_INET, "127.0.0.1", 6060 },
		{ "0.0.0.0:6060", AF_INET, "0.0.0.0", 6060, true },
		{ "10.1.2.3:6060", AF_INET, "10.1.2.3", 6060, true },
		{ "[::]:6060", AF_INET6, "::", 6060, true },
		{ "[2001:db8::1]:80", AF_INET6, "2001:db8::1", 80, true },
		{ "" },
		{ "6060" },
		{ "127.0.0.1" },
		{ "127.0.0.1:" },
		{ "127.0.0.1:0" },
		{ "127.0.0.1:65536" },
		{ "127.0.0.1:99999999999999999999" },
		{ "127.0.0.1:80x" },
		{ "127.0.0.1: 80" },
		{ "127.0.0.1:+80" },
		{ "127.0.0.1:-1" },
		{ "::1:80" },
		{ "[::1]80" },
		{ "[::1]" },
		{ "[::1" },
		{ "[127.0.0.1]:80" },
		{ "[fe80::1%lo]:80" },
		{ "example.com:80" },
		{ "127.0.0.256:80" },
		{ "127.1:80" },
		{ " 127.0.0.1:80" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sockaddr_storage a;
		char err[256] = "", text[64] = "";
		int rc = http__parse_listen(cases[i].spec, false, &a, err, sizeof(err));
		int rc_any = http__parse_listen(cases[i].spec, true, &a, err + 128, 128);
		const void *ip = a.ss_family == AF_INET6
					 ? (void *)&((struct sockaddr_in6 *)&a)->sin6_addr
					 : (void *)&((struct sockaddr_in *)&a)->sin_addr;
		int got_port =
			ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port
						      : ((struct sockaddr_in *)&a)->sin_port);

		if (!cases[i].addr) {
			check(rc == -EINVAL && rc_any == -EINVAL && err[0] && !strchr(err, '\n'),
			      "'%s' refused: %s", cases[i].spec, err);
			continue;
		}
		inet_ntop(a.ss_family, ip, text, sizeof(text));
		check(rc_any == 0 && a.ss_family == cases[i].family &&
			      !strcmp(text, cases[i].addr) && got_port == cases[i].port,
		      "'%s' is %s port %d (got %s port %d)", cases[i].spec, cases[i].addr,
		      cases[i].port, text, got_port);
		if (cases[i].any)
			check(rc == -EINVAL && strstr(err, "--listen-any") && !strchr(err, '\n'),
			      "'%s' without --listen-any is refused naming it: %s", cases[i].spec,
			      err);
		else
			check(rc == 0, "'%s' is loopback", cases[i].spec);
	}
}

static void test_start_errors(void)
{
	struct http_server *s = NULL, *t = (struct http_server *)1;
	char listen[64], err[256] = "";
	int at, rc;

	at = free_port();
	snprintf(listen, sizeof(listen), "0.0.0.0:%d", at);
	rc = http_server__start(&t, listen, false, &handlers, err, sizeof(err));
	check(rc == -EINVAL && !t && strstr(err, "--listen-any"),
	      "start on 0.0.0.0 without listen_any: -EINVAL, nothing started: %s", err);
	check(raw_connect(at) < 0, "and nothing listens on port %d", at);

	s = server__start("127.0.0.1:%d", &handlers, &at);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", at);
	err[0] = '\0';
	rc = http_server__start(&t, listen, false, &handlers, err, sizeof(err));
	check(rc == -EADDRINUSE && !t && strstr(err, "cannot listen on") && strstr(err, listen),
	      "a second server on the same port: -EADDRINUSE: %s", err);
	http_server__free(s);
	http_server__free(NULL);
	fake__uncancel(); /* free called handlers.cancel */
}

/* ---- the endpoints ---- */

static void test_health_and_metrics(void)
{
	struct resp r;
	char out[4096];
	uint64_t served0, refused0, served1, refused1;
	int rc;

	http("GET", "/healthz", &r);
	check(r.status == 200 && r.body && !strcmp(r.body, "ok\n") &&
		      !strcmp(r.type, "text/plain; charset=utf-8"),
	      "/healthz: 200 \"ok\\n\" (%ld '%s' %s)", r.status, text(&r), r.type);
	resp__free(&r);
	fake.unhealthy = true;
	http("GET", "/healthz", &r);
	check(r.status == 503 && r.body && !strcmp(r.body, "history: disk full second line\n"),
	      "/healthz unhealthy: 503 with the reason on one line (%ld '%s')", r.status, text(&r));
	resp__free(&r);
	fake.unhealthy = false;

	http("HEAD", "/healthz", &r);
	check(r.status == 200 && r.len == 0 && r.cc == CURLE_OK, "HEAD /healthz: 200, no body");
	resp__free(&r);

	http_server__counts(fake.server, &served0, &refused0);
	http("GET", "/metrics", &r);
	check_str(r.type, "text/plain; version=0.0.4; charset=utf-8", "/metrics content type");
	check(r.status == 200 && r.body && metric__value(r.body, "bpfprof_samples_total") == 110 &&
		      metric__value(r.body, "bpfprof_samples_lost_total{cause=\"ringbuf_full\"}") ==
			      4 &&
		      metric__value(r.body, "process_resident_memory_bytes") > 1e6,
	      "/metrics has the handler's families and the process's");
	rc = promtool__check(r.body ? r.body : "", r.len, out, sizeof(out));
	if (rc < 0)
		printf("# promtool not installed: /metrics not linted\n");
	else
		check(rc == 0, "promtool check metrics passes on /metrics%s%s", rc ? ": " : "",
		      rc ? out : "");
	resp__free(&r);

	http("GET", "/nope", &r);
	resp__free(&r);
	http("DELETE", "/metrics", &r);
	resp__free(&r);
	http("GET", "/metrics", &r);
	check(metric__value(r.body ? r.body : "", "bpfprof_http_requests_total") == served0 + 1 &&
		      metric__value(r.body ? r.body : "", "bpfprof_http_refused_total") ==
			      refused0 + 2,
	      "counts: one more served (the first /metrics), two more refused (404, 405)");
	resp__free(&r);
	http_server__counts(fake.server, &served1, &refused1);
	check(served1 == served0 + 2 && refused1 == refused0 + 2,
	      "http_server__counts: served %llu -> %llu, refused %llu -> %llu",
	      (unsigned long long)served0, (unsigned long long)served1,
	      (unsigned long long)refused0, (unsigned long long)refused1);
}

static void test_refusals(void)
{
	static const struct {
		const char *method, *path;
		long status;
		const char *says;
	} cases[] = {
		{ "GET", "/", 404, "/debug/pprof/profile" },
		{ "GET", "/metricsx", 404, "no such path" },
		{ "GET", "/debug/pprof/heap", 404, "no such path" },
		{ "POST", "/metrics", 405, "POST" },
		{ "PUT", "/healthz", 405, "PUT" },
		{ "DELETE", "/profile", 405, "DELETE" },
		{ "OPTIONS", "/debug/pprof/profile", 405, "OPTIONS" },
		{ "GET", "/debug/pprof/profile?seconds=0", 400, "seconds" },
		{ "GET", "/debug/pprof/profile?seconds=3601", 400, "3600" },
		{ "GET", "/debug/pprof/profile?seconds=1.5", 400, "1.5" },
		{ "GET", "/debug/pprof/profile?seconds=-1", 400, "seconds" },
		{ "GET", "/debug/pprof/profile?seconds=abc", 400, "abc" },
		{ "GET", "/debug/pprof/profile?seconds=", 400, "seconds" },
		{ "GET", "/debug/pprof/profile?seconds=99999999999999999999", 400, "seconds" },
		{ "GET", "/profile?format=xml", 400, "pb.gz" },
		{ "GET", "/profile?from=yesterday-ish", 400, "from" },
		{ "GET", "/profile?to=garbage", 400, "to" },
		{ "GET", "/profile?from=-5m&to=-10m", 400, "before" },
		{ "GET", "/profile?from=now", 400, "before" },
		{ "GET", "/profile?from=-1h&from=-2h", 400, "twice" },
		{ "GET", "/profile?pid=abc", 400, "pid" },
		{ "GET", "/profile?pid=0", 400, "pid" },
		{ "GET", "/profile?pid=12x", 400, "pid" },
		{ "GET", "/profile?label=novalue", 400, "label" },
		{ "GET", "/profile?comm=(unclosed", 400, "regex" },
		{ "GET", "/profile?form=-1h", 400, "form" },
		{ "GET",
		  "/profile?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17&r=18&s=19&t=20&u=21&v=22&w=23&x=24&y=25&z=26&A=1&B=2&C=3&D=4&E=5&F=6&G=7",
		  400, "parameters" },
	};
	int live0 = fake.live_calls, range0 = fake.range_calls, lines0, lines1, warnings;
	char last[256];
	double t0;

	usleep(1100000); /* past the last logged refusal's second */
	logged__get(&lines0, &warnings, last, sizeof(last));
	t0 = mono_s();
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct resp r;

		http(cases[i].method, cases[i].path, &r);
		check(r.status == cases[i].status && one_line(&r) &&
			      strstr(r.body, cases[i].says) &&
			      !strcmp(r.type, "text/plain; charset=utf-8"),
		      "%s %.60s: %ld, one line naming '%s' (%ld: %s)", cases[i].method,
		      cases[i].path, cases[i].status, cases[i].says, r.status, text(&r));
		if (cases[i].status == 405)
			check_str(r.allow, "GET, HEAD", "405 says Allow: GET, HEAD");
		if (!strncmp(cases[i].path, "/debug/pprof/", 13) && cases[i].status == 400)
			check_str(r.go_pprof, "1", "a pprof error carries X-Go-Pprof: 1, as Go's");
		resp__free(&r);
	}
	check(fake.live_calls == live0 && fake.range_calls == range0,
	      "no refused request reached a handler");
	logged__get(&lines1, &warnings, last, sizeof(last));
	check(lines1 > lines0 && lines1 - lines0 <= 1 + (int)(mono_s() - t0),
	      "the refusals are logged, at most a line a second: %d lines in %.1f s (%s)",
	      lines1 - lines0, mono_s() - t0, last);
}

static void test_long_urls(void)
{
	size_t sizes[] = { 4000, 5000, 12000, 40000 };
	struct resp r;

	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		char *path = malloc(sizes[i] + 1);
		int range0 = fake.range_calls;

		memcpy(path, "/profile?comm=", 14);
		memset(path + 14, 'a', sizes[i] - 14);
		path[sizes[i]] = '\0';
		http("GET", path, &r);
		if (sizes[i] <= 4096)
			check(r.status == 200 && fake.range_calls == range0 + 1,
			      "a %zu-byte URL is served (%ld)", sizes[i], r.status);
		else if (sizes[i] < 16384)
			check(r.status == 414 && one_line(&r) && strstr(r.body, "4096") &&
				      fake.range_calls == range0,
			      "a %zu-byte URL: 414, one line, no handler called (%ld %s)", sizes[i],
			      r.status, text(&r));
		else
			check(r.status == 414 || r.status == 431 ||
				      (r.status == 0 && r.cc != CURLE_OPERATION_TIMEDOUT),
			      "a %zu-byte URL, over the connection's memory: refused at once (%ld, %s)",
			      sizes[i], r.status, curl_easy_strerror(r.cc));
		resp__free(&r);
		free(path);
	}
	http("GET", "/healthz", &r);
	check(r.status == 200, "served again after the long URLs");
	resp__free(&r);
}

static bool gzip_contains(const struct resp *r, const char *needle)
{
	unsigned char out[1 << 16];
	z_stream z = { .next_in = (unsigned char *)r->body, .avail_in = r->len };
	bool found;

	if (r->len < 2 || (unsigned char)r->body[0] != 0x1f || (unsigned char)r->body[1] != 0x8b)
		return false;
	inflateInit2(&z, 16 + MAX_WBITS);
	z.next_out = out;
	z.avail_out = sizeof(out) - 1;
	found = inflate(&z, Z_FINISH) == Z_STREAM_END &&
		memmem(out, z.total_out, needle, strlen(needle));
	inflateEnd(&z);
	return found;
}

static void test_profile_range(void)
{
	static const struct {
		const char *format, *type, *disposition, *says;
	} formats[] = {
		{ "", "text/html; charset=utf-8", "", "fake_hot_spin" },
		{ "html", "text/html; charset=utf-8", "", "fake_hot_spin" },
		{ "folded", "text/plain; charset=utf-8", "",
		  "fakeproc;fake_main;fake_hot_spin 75\n" },
		{ "txt", "text/plain; charset=utf-8", "", "fake_hot_spin" },
		{ "speedscope.json", "application/json",
		  "attachment; filename=\"profile.speedscope.json\"", "\"fake_hot_spin\"" },
		{ "pb.gz", "application/octet-stream", "attachment; filename=\"profile.pb.gz\"",
		  NULL },
	};
	uint64_t now = realtime_ns();
	struct resp r;
	char path[256];

	for (size_t i = 0; i < ARRAY_LEN(formats); i++) {
		snprintf(path, sizeof(path), "/profile%s%s", formats[i].format[0] ? "?format=" : "",
			 formats[i].format);
		http("GET", path, &r);
		check(r.status == 200 && !strcmp(r.type, formats[i].type) &&
			      !strcmp(r.disposition, formats[i].disposition) &&
			      (formats[i].says ? r.body && strstr(r.body, formats[i].says) != NULL
					       : gzip_contains(&r, "fake_hot_spin")),
		      "%s: 200, %s, body has the hot function (%ld %s '%s')", path, formats[i].type,
		      r.status, r.type, r.disposition);
		resp__free(&r);
	}
	check(fake.to >= now && fake.to < now + 10 * S_NS && fake.to - fake.from == 3600 * S_NS,
	      "default range: to = now, from = to - 1h");

	http("GET", "/profile?from=1763907300&to=1763907360.5&format=folded", &r);
	check(r.status == 200 && fake.from == 1763907300 * S_NS &&
		      fake.to == 1763907360 * S_NS + S_NS / 2,
	      "from/to in unix seconds reach the handler as ns (%llu %llu)",
	      (unsigned long long)fake.from, (unsigned long long)fake.to);
	resp__free(&r);
	http("GET", "/profile?from=2026-11-23T14:15:00%2B01:00&to=now&format=folded", &r);
	check(r.status == 200 && fake.from == 1795439700 * S_NS,
	      "an RFC 3339 time with an offset (%%2B) (%llu)", (unsigned long long)fake.from);
	resp__free(&r);
	now = realtime_ns();
	http("GET", "/profile?from=-90m&to=-30m&format=folded", &r);
	check(r.status == 200 &&
		      llabs((long long)(now - 5400 * S_NS - fake.from)) < 5 * (long long)S_NS &&
		      fake.to - fake.from == 3600 * S_NS,
	      "relative times: from=-90m to=-30m");
	resp__free(&r);

	http("GET", "/profile?format=folded&comm=^fake", &r);
	check(r.status == 200 && r.body && strstr(r.body, "fake_hot_spin 75") &&
		      !strstr(r.body, "otherproc") && !strcmp(fake.comm, "^fake"),
	      "comm=^fake keeps fakeproc only: %s", text(&r));
	resp__free(&r);
	http("GET", "/profile?format=folded&pid=200", &r);
	check(r.status == 200 && r.body && !strcmp(r.body, "otherproc;other_main 10\n") &&
		      fake.pid == 200,
	      "pid=200 keeps otherproc only: %s", text(&r));
	resp__free(&r);
	http("GET", "/profile?format=folded&label=unit=a.service&label=pid=100", &r);
	check(r.status == 200 && r.body && strstr(r.body, "fakeproc;fake_main 25") &&
		      !strstr(r.body, "otherproc") && fake.nlabels == 2,
	      "two label=k=v filters, both applied: %s", text(&r));
	resp__free(&r);
	http("GET", "/profile?format=folded&label=unit=c.service", &r);
	check(r.status == 200 && r.body && r.body[0] == '#' && !strstr(r.body, "fake"),
	      "a filter nothing passes: 200, a folded body without stacks (%s)", text(&r));
	resp__free(&r);

	fake.range_rc = -ENOENT;
	http("GET", "/profile", &r);
	check(r.status == 404 && one_line(&r) && strstr(r.body, "fake range failure"),
	      "range -ENOENT: 404 with the handler's message on one line (%ld %s)", r.status,
	      text(&r));
	resp__free(&r);
	fake.range_rc = -EIO;
	http("GET", "/profile", &r);
	check(r.status == 500 && one_line(&r), "range -EIO: 500 (%ld)", r.status);
	resp__free(&r);
	fake.range_rc = -EBUSY;
	http("GET", "/profile", &r);
	check(r.status == 503 && one_line(&r), "range -EBUSY: 503 (%ld)", r.status);
	resp__free(&r);
	fake.range_rc = 0;
}

/* ---- live profiles ---- */

struct bg {
	pthread_t tid;
	int port; /* 0: the test server's */
	const char *path;
	long timeout_ms;
	struct resp r;
	double done_at; /* mono_s() */
};

static void *bg__run(void *arg)
{
	struct bg *b = arg;

	http_at(NULL, b->port, "GET", b->path, b->timeout_ms, &b->r);
	b->done_at = mono_s();
	return NULL;
}

static void bg__start(struct bg *b, const char *path, long timeout_ms)
{
	b->path = path;
	b->timeout_ms = timeout_ms;
	pthread_create(&b->tid, NULL, bg__run, b);
}

static void test_live(void)
{
	struct resp r, h;
	struct bg b = {};
	int calls;

	http("GET", "/debug/pprof/profile?seconds=1", &r);
	check(r.status == 200 && r.secs >= 0.98 && r.secs < 3 && fake.live_seconds == 1,
	      "seconds=1: 200 after %.2f s (the live handler's 1 s)", r.secs);
	check_str(r.type, "application/octet-stream", "live content type, as Go's");
	check_str(r.disposition, "attachment; filename=\"profile\"", "live disposition, as Go's");
	check(gzip_contains(&r, "fake_hot_spin"), "the body is gzip'd pprof naming fake_hot_spin");
	resp__free(&r);

	fake.sleep = false;
	calls = fake.live_calls;
	http("GET", "/debug/pprof/profile", &r);
	check(r.status == 200 && fake.live_seconds == 30 && fake.live_calls == calls + 1,
	      "no seconds: the handler is asked for 30 s, as Go's default");
	resp__free(&r);
	http("GET", "/debug/pprof/profile?seconds=3600&debug=1", &r);
	check(r.status == 200 && fake.live_seconds == 3600,
	      "seconds=3600 (the most) with another parameter, ignored as Go does");
	resp__free(&r);
	fake.sleep = true;

	bg__start(&b, "/debug/pprof/profile?seconds=2", 10000);
	fake__wait(live_running, 2000);
	http("GET", "/healthz", &h);
	check(h.status == 200 && h.secs < 1, "/healthz during a live profile: %.3f s", h.secs);
	resp__free(&h);
	http("GET", "/profile?format=folded", &h);
	check(h.status == 200 && h.secs < 1, "/profile during a live profile: %.3f s", h.secs);
	resp__free(&h);
	pthread_join(b.tid, NULL);
	check(b.r.status == 200 && b.r.secs >= 1.98, "the live profile still came after %.2f s",
	      b.r.secs);
	resp__free(&b.r);
}

/* go tool pprof, as a user runs it, against the endpoint. */
static void test_go_pprof(void)
{
	char dir[] = "/tmp/bpfprof-gopprof-XXXXXX", cmd[1024], out[8192] = "";
	size_t n = 0;
	double t0 = mono_s(), secs;
	FILE *p;
	int rc;

	if (system("command -v go >/dev/null 2>&1")) {
		printf("# go not installed: go tool pprof not run\n");
		return;
	}
	if (!mkdtemp(dir))
		return;
	snprintf(
		cmd, sizeof(cmd),
		"cd %s && HOME=%s GOCACHE=%s/cache GOPATH=%s/go PPROF_TMPDIR=%s timeout 120 go tool pprof -top 'http://127.0.0.1:%d/debug/pprof/profile?seconds=1' 2>&1",
		dir, dir, dir, dir, dir, port);
	p = popen(cmd, "r");
	while (p && n + 1 < sizeof(out) && fgets(out + n, sizeof(out) - n, p))
		n += strlen(out + n);
	rc = p ? pclose(p) : -1;
	secs = mono_s() - t0;
	check(rc == 0 && strstr(out, "fake_hot_spin") && strstr(out, "68.18%") && secs >= 1,
	      "go tool pprof -top names fake_hot_spin at 68.18%% (75 of 110), after %.1f s", secs);
	if (rc || !strstr(out, "fake_hot_spin"))
		printf("# %s\n", out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
}

/* Clients that ask for a live profile and hang up leave their workers sampling: bounded. */
static void test_live_bound(void)
{
	struct bg b[4] = {};
	struct resp r;

	for (int i = 0; i < 4; i++)
		bg__start(&b[i], "/debug/pprof/profile?seconds=2", 300);
	for (int i = 0; i < 4; i++)
		pthread_join(b[i].tid, NULL);
	check(b[0].r.cc == CURLE_OPERATION_TIMEDOUT && b[3].r.cc == CURLE_OPERATION_TIMEDOUT,
	      "four clients gave up on seconds=2 after 0.3 s");
	http("GET", "/debug/pprof/profile?seconds=1", &r);
	check(r.status == 503 && r.secs < 1 && one_line(&r) && strstr(r.body, "too many"),
	      "a fifth while their four workers still sample: 503 at once (%ld %.2f s %s)",
	      r.status, r.secs, text(&r));
	resp__free(&r);
	check(fake__wait(live_idle, 4000), "the abandoned workers end with their seconds");
	usleep(50000);
	http("GET", "/debug/pprof/profile?seconds=1", &r);
	check(r.status == 200, "then live profiles are served again (%ld)", r.status);
	resp__free(&r);
}

/* ---- slow clients, the connection limit, the idle timeout ---- */

static void test_stalled_client(int stalled)
{
	struct resp r;

	http("GET", "/healthz", &r);
	check(stalled >= 0 && r.status == 200 && r.secs < 2,
	      "a client stalled after half a request line does not hold up /healthz (%.3f s)",
	      r.secs);
	resp__free(&r);
	check(!raw_closed(stalled, 0), "the stalled client is still connected");
}

static void test_connection_limit(void)
{
	int fds[40], closed = 0, lines, warnings0, warnings;
	char last[256];
	struct resp r;

	logged__get(&lines, &warnings0, last, sizeof(last));
	for (int i = 0; i < 40; i++)
		fds[i] = raw_connect(port);
	/* the server accepts and closes the extra ones one by one: give it up to 3 s */
	for (long long end = mono_ms() + 3000; closed < 8 && mono_ms() < end;) {
		usleep(100000);
		closed = 0;
		for (int i = 0; i < 40; i++)
			closed += fds[i] < 0 || raw_closed(fds[i], 0);
	}
	check(closed >= 8 && closed <= 9,
	      "40 idle connections (and the stalled one): the server keeps 32, closes %d", closed);
	logged__get(&lines, &warnings, last, sizeof(last));
	check(warnings == warnings0 + 1 && strstr(last, "connection limit"),
	      "one warning for the lot: %s", last);
	http_at(NULL, 0, "GET", "/healthz", 2000, &r);
	check(r.status == 0 && r.secs < 1.5,
	      "a request while all 32 are taken is refused, not queued (%s, %.2f s)",
	      curl_easy_strerror(r.cc), r.secs);
	resp__free(&r);
	for (int i = 0; i < 40; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	usleep(200000);
	http("GET", "/healthz", &r);
	check(r.status == 200, "served again once they close (%ld)", r.status);
	resp__free(&r);
}

/* A live profile longer than the idle timeout: the connection waits, it is not idle. */
static struct http_server *long_live__start(struct bg *b)
{
	struct http_handlers h = handlers;
	struct http_server *s;

	h.ctx = &long_ctx;
	h.cancel = NULL;
	s = server__start("127.0.0.1:%d", &h, &b->port);
	if (s)
		bg__start(b, "/debug/pprof/profile?seconds=17", 40000);
	return s;
}

static void long_live__check(struct http_server *s, struct bg *b)
{
	if (!s)
		return;
	pthread_join(b->tid, NULL);
	check(b->r.status == 200 && b->r.secs >= 17 && gzip_contains(&b->r, "fake_hot_spin"),
	      "seconds=17, past the 15 s idle timeout: the profile arrives after %.1f s (%ld %s)",
	      b->r.secs, b->r.status, curl_easy_strerror(b->r.cc));
	resp__free(&b->r);
	http_server__free(s);
}

static void test_idle_timeout(int stalled, double opened)
{
	bool closed = raw_closed(stalled, (int)((opened + 25 - mono_s()) * 1000));
	double after = mono_s() - opened;

	check(closed && after >= 14 && after < 20,
	      "the stalled client is closed by the idle timeout (15 s) after %.1f s", after);
	close(stalled);
}

/* ---- shutdown ---- */

struct free_arg {
	struct http_server *s;
	double done_at;
};

static void test_shutdown(bool can_cancel)
{
	struct http_handlers h = handlers;
	struct http_server *s;
	struct bg b = {};
	double t0, took;
	int old_port = port, returned;

	if (!can_cancel)
		h.cancel = NULL;
	s = server__start("127.0.0.1:%d", &h, &port);
	fake__uncancel();
	bg__start(&b,
		  can_cancel ? "/debug/pprof/profile?seconds=30" : "/debug/pprof/profile?seconds=2",
		  20000);
	check(fake__wait(live_running, 3000), "a live request is waiting");
	pthread_mutex_lock(&fake.lock);
	returned = fake.live_returned;
	pthread_mutex_unlock(&fake.lock);
	t0 = mono_s();
	http_server__free(s);
	took = mono_s() - t0;
	pthread_join(b.tid, NULL);
	check(b.r.status == 503 && one_line(&b.r) && b.done_at - t0 < 1,
	      "%s: the waiting client gets 503 within %.2f s (%ld %s)",
	      can_cancel ? "with cancel" : "without cancel", b.done_at - t0, b.r.status,
	      text(&b.r));
	if (can_cancel)
		check(took < 1.5 && fake.cancelled,
		      "with cancel: http_server__free returns in %.2f s of a 30 s profile", took);
	else
		check(took >= 1 && took < 4 && !fake.cancelled,
		      "without cancel: http_server__free waits out the live call (%.2f s of 2 s)",
		      took);
	check(fake.live_running == 0 && fake.live_returned == returned + 1,
	      "no live call runs after free returned");
	check(raw_connect(port) < 0, "nothing listens after free");
	resp__free(&b.r);
	port = old_port;
	fake__uncancel();
}

static void test_ipv6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM, 0), at;
	struct http_server *s;
	struct resp r;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		printf("# no IPv6 loopback: [::1] not tested\n");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	s = server__start("[::1]:%d", &handlers, &at);
	http_at("[::1]", at, "GET", "/healthz", 5000, &r);
	check(r.status == 200 && r.body && !strcmp(r.body, "ok\n"), "[::1]: /healthz over IPv6");
	resp__free(&r);
	http_at(NULL, at, "GET", "/healthz", 2000, &r);
	check(r.status == 0, "and not on 127.0.0.1 (v6 only)");
	resp__free(&r);
	http_server__free(s);
}

int main(void)
{
	struct http_server *long_s;
	struct bg long_bg = {};
	double opened;
	int stalled;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	log__set_sink(log_sink, NULL);
	test_parse_listen();
	test_start_errors();
	fake.server = server__start("127.0.0.1:%d", &handlers, &port);
	if (!fake.server)
		return check_done();

	long_s = long_live__start(&long_bg);
	stalled = raw_connect(port);
	opened = mono_s();
	if (stalled >= 0)
		send(stalled, "GET /hea", 8, MSG_NOSIGNAL);
	test_stalled_client(stalled);
	test_health_and_metrics();
	test_refusals();
	test_long_urls();
	test_profile_range();
	test_live();
	test_go_pprof();
	test_live_bound();
	test_connection_limit();
	test_idle_timeout(stalled, opened);
	long_live__check(long_s, &long_bg);
	test_ipv6();
	test_shutdown(true);
	test_shutdown(false);

	http_server__free(fake.server);
	curl_global_cleanup();
	return check_done();
}
