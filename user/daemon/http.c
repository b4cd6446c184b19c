// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/http.c - the monitor's pull endpoint on libmicrohttpd (see daemon/http.h).
 *
 * One thread per connection, at most HTTP_MAX_CONNECTIONS of them, each with a small memory
 * pool and an idle timeout, so a client that sends half a request and stalls holds only its own
 * thread until the timeout, and a big history query never delays /healthz. We bind the socket
 * ourselves to report "address in use" as such, then hand it to the library.
 *
 * A live profile (/debug/pprof/profile) is not sampled in the connection's thread: a worker
 * thread calls handlers.live and the connection waits for it, for server shutdown, or for the
 * client to hang up, whichever comes first. That is what lets http_server__free answer waiting
 * clients with 503 and return, instead of sitting out an hour-long ?seconds=3600. Workers are
 * few (HTTP_MAX_LIVE, abandoned ones included), so clients that ask and hang up cannot pile up
 * samplers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/http.h"
#include "emit/emit.h"
#include "lib/log.h"
#include "lib/units.h"
#include "lib/util.h"

#define HTTP_MAX_CONNECTIONS 32
#define HTTP_IDLE_TIMEOUT_S 15	      /* a connection silent this long is closed */
#define HTTP_MEMORY_LIMIT (16 * 1024) /* per connection: request line and headers */
#define HTTP_MAX_URI 4096	      /* path and query, longer: 414 */
#define HTTP_MAX_ARGS 32	      /* query parameters */
#define HTTP_MAX_LIVE 4		      /* live profiles being sampled at once */
#define HTTP_LIVE_DEFAULT_S 30	      /* as Go's net/http/pprof */
#define HTTP_LIVE_MAX_S 3600
#define HTTP_RANGE_DEFAULT_S 3600   /* /profile without from: the hour before to */
#define HTTP_SHUTDOWN_GRACE_MS 2000 /* for waiting clients to get their 503 */

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define PATHS_HINT "/debug/pprof/profile, /profile, /metrics or /healthz"

struct http_server {
	struct MHD_Daemon *mhd;
	int listen_fd;
	struct http_handlers h;
	pthread_mutex_t lock;
	pthread_cond_t cond;   /* live jobs done, stopping, waiting requests gone */
	atomic_bool stopping;  /* free has begun */
	int live_jobs;	       /* workers inside handlers.live, abandoned ones too */
	int live_requests;     /* requests waiting for a live job or sending its answer */
	char live_marker;      /* its address marks a live request for on_completed */
	atomic_ullong served;  /* 2xx */
	atomic_ullong refused; /* everything else */
	atomic_llong last_log_ms[LOG_DEBUG + 1]; /* per level, for http__log's limit */
};

/* One live profile: shared by the worker sampling it and the request waiting for it. */
struct live_job {
	struct http_server *s;
	double seconds;
	int refs;
	bool done;
	int rc;
	struct profile *p;
	char err[256];
};

/* What a request gets: status, body (malloc'd) and the headers that vary. */
struct reply {
	unsigned status;
	const char *type;
	char *body;
	size_t len;
	const char *disposition; /* Content-Disposition */
	bool pprof;		 /* a /debug/pprof error: X-Go-Pprof, as Go marks them */
	bool close;		 /* Connection: close */
	bool drop;		 /* the client is gone: close without an answer */
};

/* ---- the listen address ---- */

static int listen__error(char *err, size_t errlen, const char *listen, const char *why)
{
	snprintf(err, errlen, "listen address '%s': %s", listen ? listen : "", why);
	return -EINVAL;
}

/*
 * A whole number in [min, max] written with digits only (no sign, blank or exponent: a port, a
 * number of seconds or a pid is meant exactly). 0 or -EINVAL.
 */
static int number__parse(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;

	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		n = n * 10 + (*p - '0');
	}
	if (n < min || n > max)
		return -EINVAL;
	*v = n;
	return 0;
}

static bool addr__loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24 == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

/* host (no brackets) into addr; "" and "localhost" are 127.0.0.1, an IPv4-mapped v6 is v4. */
static int host__parse(const char *host, bool v6, uint16_t port, struct sockaddr_storage *addr)
{
	struct sockaddr_in *in = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;

	memset(addr, 0, sizeof(*addr));
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(port);
			return 0;
		}
		memcpy(&in->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	} else if (v6) {
		return -EINVAL;
	} else if (!*host || !strcmp(host, "localhost")) {
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
		return -EINVAL;
	}
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	return 0;
}

int http__parse_listen(const char *listen, bool listen_any, struct sockaddr_storage *addr,
		       char *err, size_t errlen)
{
	const char *end, *port_s;
	char host[INET6_ADDRSTRLEN + 1];
	unsigned long port;
	bool v6;

	if (!listen || !*listen)
		return listen__error(err, errlen, listen,
				     "empty; use HOST:PORT, e.g. 127.0.0.1:6060");
	v6 = listen[0] == '[';
	end = v6 ? strchr(listen, ']') : strrchr(listen, ':');
	if (!end || (v6 && end[1] != ':'))
		return listen__error(
			err, errlen, listen,
			"expected HOST:PORT, [IPV6]:PORT or :PORT, e.g. 127.0.0.1:6060");
	if (!v6 && strchr(listen, ':') != end)
		return listen__error(err, errlen, listen,
				     "an IPv6 address goes in brackets: [::1]:PORT");
	port_s = end + (v6 ? 2 : 1);
	if (number__parse(port_s, 1, 65535, &port))
		return listen__error(err, errlen, listen,
				     "the port must be a number from 1 to 65535");
	if ((size_t)(end - listen) > sizeof(host) - 1)
		return listen__error(err, errlen, listen,
				     "HOST must be an IP address or localhost");
	memcpy(host, listen + v6, end - listen - v6);
	host[end - listen - v6] = '\0';
	if (host__parse(host, v6, port, addr))
		return listen__error(err, errlen, listen,
				     "HOST must be an IP address or localhost");
	if (!listen_any && !addr__loopback(addr))
		return listen__error(
			err, errlen, listen,
			"not a loopback address; profiles name every process of the host, so serving them beyond this machine needs --listen-any");
	return 0;
}

static int listen__socket(const struct sockaddr_storage *addr, const char *spec, char *err,
			  size_t errlen)
{
	socklen_t len = addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in);
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, rc;

	if (fd < 0)
		goto out_err;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, len) || listen(fd, 64))
		goto out_err;
	return fd;
out_err:
	rc = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s%s", spec, strerror(-rc),
		 rc == -EADDRINUSE ? " (another bpfprof monitor, or pick another --listen port)"
				   : "");
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- replies ---- */

/* At most one line a second per level, so a flood of bad requests cannot flood the log. */
static void http__log(struct http_server *s, enum log_level level, const char *fmt, ...)
{
	long long now = mono_ms(), last = atomic_load(&s->last_log_ms[level]);
	char msg[512];
	va_list ap;

	if (!log__enabled(level) || now - last < 1000 ||
	    !atomic_compare_exchange_strong(&s->last_log_ms[level], &last, now))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log__msg(level, "http: %s", msg);
}

/* A one-line text body: newlines and other control characters of msg become spaces. */
static void reply__text(struct reply *r, unsigned status, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n > (int)sizeof(line) - 2 ? (int)sizeof(line) - 2 : n;
	for (int i = 0; i < n; i++) {
		if ((unsigned char)line[i] < ' ' || line[i] == 0x7f)
			line[i] = ' ';
	}
	line[n++] = '\n';
	line[n] = '\0';
	free(r->body);
	r->body = strdup(line);
	r->len = r->body ? (size_t)n : 0;
	r->status = status;
	r->type = TEXT_PLAIN;
}

/* A handler's -errno as a status: bad query 400, nothing there 404, busy 503, else 500. */
static unsigned status__of(int rc)
{
	switch (-rc) {
	case EINVAL:
	case ERANGE:
		return MHD_HTTP_BAD_REQUEST;
	case ENOENT:
		return MHD_HTTP_NOT_FOUND;
	case EBUSY:
	case EAGAIN:
	case ECANCELED:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static void reply__failed(struct http_server *s, struct reply *r, const char *what, int rc,
			  const char *err)
{
	const char *why = err && *err ? err : strerror(rc < 0 ? -rc : EIO);

	reply__text(r, status__of(rc), "%s: %s", what, why);
	if (r->status == MHD_HTTP_INTERNAL_SERVER_ERROR)
		http__log(s, LOG_WARN, "%s failed: %s", what, why);
}

/* Write p in fmt into r's body. */
static int reply__profile(struct reply *r, const struct profile *p, enum out_format fmt)
{
	FILE *f = open_memstream(&r->body, &r->len);
	int rc;

	if (!f)
		return -errno;
	rc = emit__write(p, fmt, f, NULL);
	if (fclose(f) && !rc)
		rc = -ENOMEM;
	if (rc) {
		free(r->body);
		r->body = NULL;
		r->len = 0;
	}
	r->status = MHD_HTTP_OK;
	return rc;
}

static void header__add(struct MHD_Response *resp, const char *key, const char *value)
{
	if (value)
		MHD_add_response_header(resp, key, value);
}

static enum MHD_Result reply__send(struct http_server *s, struct MHD_Connection *c, struct reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->drop) {
		free(r->body);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(r->len, r->body ? r->body : "",
					       r->body ? MHD_RESPMEM_MUST_FREE
						       : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(r->body);
		return MHD_NO;
	}
	header__add(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type ? r->type : TEXT_PLAIN);
	header__add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	header__add(resp, "X-Content-Type-Options", "nosniff");
	header__add(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->disposition);
	if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED)
		header__add(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (r->pprof && r->status >= 400)
		header__add(resp, "X-Go-Pprof", "1");
	if (r->status == MHD_HTTP_SERVICE_UNAVAILABLE)
		header__add(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
	if (r->close)
		header__add(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	atomic_fetch_add(r->status < 400 ? &s->served : &s->refused, 1);
	return ret;
}

/* ---- the query ---- */

struct query {
	const char *key[HTTP_MAX_ARGS];
	const char *value[HTTP_MAX_ARGS];
	int n;
	bool overflow;
};

static enum MHD_Result query__collect(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	struct query *q = cls;

	if (q->n == HTTP_MAX_ARGS) {
		q->overflow = true;
		return MHD_NO;
	}
	q->key[q->n] = key;
	q->value[q->n++] = value ? value : "";
	return MHD_YES;
}

/* ---- /debug/pprof/profile ---- */

/* Drop one reference; the last frees the job. Under s->lock. */
static void live_job__put(struct live_job *j)
{
	if (--j->refs)
		return;
	profile__free(j->p);
	free(j);
}

static void *live__run(void *arg)
{
	struct live_job *j = arg;
	struct http_server *s = j->s;
	struct profile *p = NULL;
	char err[sizeof(j->err)] = "";
	int rc;

	rc = s->h.live(s->h.ctx, j->seconds, &p, err, sizeof(err));
	pthread_mutex_lock(&s->lock);
	j->rc = rc;
	j->p = rc ? (profile__free(p), NULL) : p;
	memcpy(j->err, err, sizeof(err));
	j->done = true;
	live_job__put(j);
	s->live_jobs--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* A job whose worker runs, or NULL: -EBUSY (HTTP_MAX_LIVE running) or -errno in *rc. */
static struct live_job *live__start(struct http_server *s, unsigned long seconds, int *rc)
{
	struct live_job *j = calloc(1, sizeof(*j));
	pthread_attr_t attr;
	pthread_t tid;

	if (!j) {
		*rc = -ENOMEM;
		return NULL;
	}
	*j = (struct live_job){ .s = s, .seconds = seconds, .refs = 2 };
	pthread_mutex_lock(&s->lock);
	*rc = s->stopping ? -ECANCELED : s->live_jobs >= HTTP_MAX_LIVE ? -EBUSY : 0;
	if (!*rc) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		*rc = -pthread_create(&tid, &attr, live__run, j);
		pthread_attr_destroy(&attr);
	}
	/* counted before the worker can be seen running, so free waits for this request */
	if (!*rc) {
		s->live_jobs++;
		s->live_requests++;
	}
	pthread_mutex_unlock(&s->lock);
	if (*rc) {
		free(j);
		return NULL;
	}
	return j;
}

static const char *live__refusal(int rc)
{
	if (rc == -EBUSY)
		return "too many live profiles in progress; retry later";
	return rc == -ECANCELED ? "the monitor is shutting down" : NULL;
}

/* Did the client close its end (a pprof client that gave up)? */
static bool client__gone(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd pfd;

	if (!ci)
		return false;
	pfd = (struct pollfd){ .fd = ci->connect_fd, .events = POLLRDHUP };
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Wait for j: 0 when done, -ECANCELED when the server stops, -ECONNRESET when the client left. */
static int live__wait(struct http_server *s, struct MHD_Connection *c, struct live_job *j)
{
	struct timespec ts;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	while (!j->done && !s->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250 * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		pthread_mutex_unlock(&s->lock);
		if (client__gone(c))
			rc = -ECONNRESET;
		pthread_mutex_lock(&s->lock);
		if (rc)
			break;
	}
	if (!rc && !j->done)
		rc = -ECANCELED;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void serve_live(struct http_server *s, struct MHD_Connection *c, void **req, struct reply *r)
{
	const char *arg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seconds");
	unsigned long seconds = HTTP_LIVE_DEFAULT_S;
	struct live_job *j;
	int rc;

	r->pprof = true;
	if (arg && number__parse(arg, 1, HTTP_LIVE_MAX_S, &seconds)) {
		reply__text(r, MHD_HTTP_BAD_REQUEST,
			    "seconds must be a whole number from 1 to %d, not '%.40s'",
			    HTTP_LIVE_MAX_S, arg);
		return;
	}
	if (!s->h.live) {
		reply__text(r, MHD_HTTP_NOT_IMPLEMENTED, "live profiles are not served here");
		return;
	}
	j = live__start(s, seconds, &rc);
	if (!j) {
		reply__failed(s, r, "live profile", rc, live__refusal(rc));
		return;
	}
	*req = &s->live_marker;
	rc = live__wait(s, c, j);
	if (rc == -ECONNRESET) {
		r->drop = true;
	} else if (rc) {
		reply__text(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the monitor is shutting down");
		r->close = true;
	} else if (j->rc) {
		reply__failed(s, r, "live profile", j->rc, j->err);
		r->close = j->rc == -ECANCELED;
	} else if ((rc = reply__profile(r, j->p, FMT_PPROF))) {
		reply__failed(s, r, "writing the profile", rc, NULL);
	} else {
		r->type = "application/octet-stream";
		r->disposition = "attachment; filename=\"profile\"";
	}
	pthread_mutex_lock(&s->lock);
	live_job__put(j);
	pthread_mutex_unlock(&s->lock);
}

/* ---- /profile ---- */

static const struct http_format {
	const char *name;
	enum out_format fmt;
	const char *type;
	const char *disposition;
} http_formats[] = {
	{ "html", FMT_HTML, "text/html; charset=utf-8", NULL },
	{ "folded", FMT_FOLDED, TEXT_PLAIN, NULL },
	{ "pb.gz", FMT_PPROF, "application/octet-stream",
	  "attachment; filename=\"profile.pb.gz\"" },
	{ "speedscope.json", FMT_SPEEDSCOPE, "application/json",
	  "attachment; filename=\"profile.speedscope.json\"" },
	{ "txt", FMT_TEXT, TEXT_PLAIN, NULL },
};

#define FORMAT_NAMES "html, folded, pb.gz, speedscope.json, txt"
#define RANGE_PARAMS "from, to, format, comm, pid, label"

struct range_query {
	uint64_t from, to;
	const struct http_format *fmt;
	struct profile_filter f;
	bool seen_from, seen_to, seen_comm, seen_pid;
};

static const struct http_format *format__find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(http_formats); i++) {
		if (!strcmp(name, http_formats[i].name))
			return &http_formats[i];
	}
	return NULL;
}

static int time__arg(const char *key, const char *value, uint64_t now, uint64_t *ns, char *err,
		     size_t errlen)
{
	if (!units__time(value, now, ns))
		return 0;
	snprintf(
		err, errlen,
		"%s: cannot read '%.60s' as a time; use e.g. -1h, now, unix seconds or 2026-11-23T14:15:00Z",
		key, value);
	return -EINVAL;
}

static int pid__arg(const char *value, pid_t *pid, char *err, size_t errlen)
{
	unsigned long v;

	if (number__parse(value, 1, 0x3fffffff, &v)) {
		snprintf(err, errlen, "pid must be a process id (a positive number), not '%.40s'",
			 value);
		return -EINVAL;
	}
	*pid = v;
	return 0;
}

/* One parameter into q; single-valued ones may appear once. */
static int range__arg(struct range_query *q, const char *key, const char *value, uint64_t now,
		      char *err, size_t errlen)
{
	bool *seen = !strcmp(key, "from")   ? &q->seen_from
		     : !strcmp(key, "to")   ? &q->seen_to
		     : !strcmp(key, "comm") ? &q->seen_comm
		     : !strcmp(key, "pid")  ? &q->seen_pid
					    : NULL;

	if (seen && *seen) {
		snprintf(err, errlen, "'%s' given twice", key);
		return -EINVAL;
	}
	if (seen)
		*seen = true;
	if (!strcmp(key, "from"))
		return time__arg(key, value, now, &q->from, err, errlen);
	if (!strcmp(key, "to"))
		return time__arg(key, value, now, &q->to, err, errlen);
	if (!strcmp(key, "comm")) {
		q->f.comm = value;
		return 0;
	}
	if (!strcmp(key, "pid"))
		return pid__arg(value, &q->f.pid, err, errlen);
	if (!strcmp(key, "label"))
		return profile_filter__add_label(&q->f, value, err, errlen);
	if (!strcmp(key, "format")) {
		q->fmt = format__find(value);
		if (q->fmt)
			return 0;
		snprintf(err, errlen, "unknown format '%.40s'; use one of: %s", value,
			 FORMAT_NAMES);
		return -EINVAL;
	}
	snprintf(err, errlen, "unknown parameter '%.40s'; use %s", key, RANGE_PARAMS);
	return -EINVAL;
}

static int range__parse(struct MHD_Connection *c, struct range_query *q, char *err, size_t errlen)
{
	uint64_t now = realtime_ns();
	struct query args = {};
	int rc;

	q->fmt = &http_formats[0];
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query__collect, &args);
	if (args.overflow) {
		snprintf(err, errlen, "more than %d query parameters", HTTP_MAX_ARGS);
		return -EINVAL;
	}
	for (int i = 0; i < args.n; i++) {
		rc = range__arg(q, args.key[i], args.value[i], now, err, errlen);
		if (rc)
			return rc;
	}
	if (!q->seen_to)
		q->to = now;
	if (!q->seen_from)
		q->from = q->to > HTTP_RANGE_DEFAULT_S * 1000000000ULL
				  ? q->to - HTTP_RANGE_DEFAULT_S * 1000000000ULL
				  : 0;
	if (q->from >= q->to) {
		snprintf(err, errlen, "from must be before to");
		return -EINVAL;
	}
	return profile_filter__compile(&q->f, err, errlen);
}

static void serve_range(struct http_server *s, struct MHD_Connection *c, struct reply *r)
{
	struct range_query q = {};
	struct profile *p = NULL;
	char err[256] = "";
	int rc;

	rc = range__parse(c, &q, err, sizeof(err));
	if (rc) {
		reply__text(r, MHD_HTTP_BAD_REQUEST, "%s", err);
		goto out_filter;
	}
	if (!s->h.range) {
		reply__text(r, MHD_HTTP_NOT_IMPLEMENTED, "history is not served here");
		goto out_filter;
	}
	rc = s->h.range(s->h.ctx, q.from, q.to, &q.f, &p, err, sizeof(err));
	if (rc) {
		reply__failed(s, r, "history", rc, err);
		goto out_filter;
	}
	rc = reply__profile(r, p, q.fmt->fmt);
	if (rc) {
		reply__failed(s, r, "writing the profile", rc, NULL);
		goto out_profile;
	}
	r->type = q.fmt->type;
	r->disposition = q.fmt->disposition;
out_profile:
	profile__free(p);
out_filter:
	profile_filter__free(&q.f);
}

/* ---- /metrics, /healthz ---- */

static void serve_metrics(struct http_server *s, struct MHD_Connection *c, struct reply *r)
{
	FILE *f;

	if (!s->h.metrics) {
		reply__text(r, MHD_HTTP_NOT_IMPLEMENTED, "metrics are not served here");
		return;
	}
	f = open_memstream(&r->body, &r->len);
	if (!f) {
		reply__failed(s, r, "metrics", -errno, NULL);
		return;
	}
	s->h.metrics(s->h.ctx, f);
	if (fclose(f)) {
		free(r->body);
		r->body = NULL;
		reply__failed(s, r, "metrics", -ENOMEM, NULL);
		return;
	}
	r->status = MHD_HTTP_OK;
	r->type = "text/plain; version=0.0.4; charset=utf-8";
}

static void serve_health(struct http_server *s, struct MHD_Connection *c, struct reply *r)
{
	char why[256] = "";

	if (!s->h.healthy || s->h.healthy(s->h.ctx, why, sizeof(why)))
		reply__text(r, MHD_HTTP_OK, "ok");
	else
		reply__text(r, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", why[0] ? why : "unhealthy");
}

/* ---- the library's callbacks ---- */

/* The raw URI's length, before the library splits off the query: carried in *req as len + 1. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	return (void *)(uintptr_t)(strlen(uri) + 1);
}

static void route(struct http_server *s, struct MHD_Connection *c, const char *url,
		  const char *method, void **req, struct reply *r)
{
	bool live = !strcmp(url, "/debug/pprof/profile");
	size_t uri_len = *req ? (uintptr_t)*req - 1 : 0;

	if (uri_len > HTTP_MAX_URI) {
		reply__text(r, MHD_HTTP_URI_TOO_LONG, "URL longer than %d bytes", HTTP_MAX_URI);
		http__log(s, LOG_INFO, "refused a URL of %zu bytes", uri_len);
	} else if (!live && strcmp(url, "/profile") && strcmp(url, "/metrics") &&
		   strcmp(url, "/healthz")) {
		reply__text(r, MHD_HTTP_NOT_FOUND, "no such path '%.80s'; use %s", url, PATHS_HINT);
	} else if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		reply__text(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method %.20s not allowed; use GET",
			    method);
		http__log(s, LOG_INFO, "refused method %.20s on %.80s", method, url);
	} else if (s->stopping) {
		reply__text(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the monitor is shutting down");
		r->close = true;
	} else if (live) {
		serve_live(s, c, req, r);
	} else if (!strcmp(url, "/profile")) {
		serve_range(s, c, r);
	} else if (!strcmp(url, "/metrics")) {
		serve_metrics(s, c, r);
	} else {
		serve_health(s, c, r);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct http_server *s = cls;
	struct reply r = {};

	/* Answered on the first call, before any body: the rest of one is discarded. */
	route(s, c, url, method, req, &r);
	return reply__send(s, c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;

	if (*req != &s->live_marker)
		return;
	pthread_mutex_lock(&s->lock);
	s->live_requests--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* The library's own messages (a client that reset, the connection limit), without the '\n'. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (strstr(msg, "connection limit"))
		http__log(s, LOG_WARN, "%s (%d connections at most)", msg, HTTP_MAX_CONNECTIONS);
	else
		pr_debug("http: %s", msg);
}

/* ---- the server ---- */

static int server__init_sync(struct http_server *s)
{
	pthread_condattr_t attr;
	int rc;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	rc = -pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (!rc)
		rc = -pthread_mutex_init(&s->lock, NULL);
	return rc;
}

int http_server__start(struct http_server **out, const char *listen, bool listen_any,
		       const struct http_handlers *h, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ITC | MHD_USE_POLL | MHD_USE_ERROR_LOG;
	struct sockaddr_storage addr;
	struct http_server *s;
	int rc;

	*out = NULL;
	rc = http__parse_listen(listen, listen_any, &addr, err, errlen);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->h = *h;
	rc = server__init_sync(s);
	if (rc) {
		free(s);
		return rc;
	}
	s->listen_fd = listen__socket(&addr, listen, err, errlen);
	if (s->listen_fd < 0) {
		rc = s->listen_fd;
		goto out_sync;
	}
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
				  on_log, s, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->mhd) {
		rc = -EIO;
		snprintf(err, errlen, "cannot start the HTTP server on %s", listen);
		goto out_socket;
	}
	*out = s;
	return 0;
out_socket:
	close(s->listen_fd);
out_sync:
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
	return rc;
}

void http_server__counts(const struct http_server *s, uint64_t *served, uint64_t *refused)
{
	*served = s ? atomic_load(&((struct http_server *)s)->served) : 0;
	*refused = s ? atomic_load(&((struct http_server *)s)->refused) : 0;
}

/* Wait under s->lock until *count is 0, at most ms (< 0: no bound). */
static void server__drain(struct http_server *s, const int *count, long long ms)
{
	long long deadline = mono_ms() + ms;
	struct timespec ts;

	while (*count > 0 && (ms < 0 || mono_ms() < deadline)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
}

void http_server__free(struct http_server *s)
{
	MHD_socket fd;

	if (!s)
		return;
	fd = MHD_quiesce_daemon(s->mhd);
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	if (s->h.cancel)
		s->h.cancel(s->h.ctx);
	pthread_mutex_lock(&s->lock);
	server__drain(s, &s->live_requests, HTTP_SHUTDOWN_GRACE_MS);
	pthread_mutex_unlock(&s->lock);
	MHD_stop_daemon(s->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* Workers still inside handlers.live use s and the handlers' ctx: wait for them. */
	pthread_mutex_lock(&s->lock);
	server__drain(s, &s->live_jobs, -1);
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
