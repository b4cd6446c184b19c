// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/push.c - each window to a Pyroscope-compatible /ingest endpoint (see daemon/push.h).
 *
 * Two halves that meet only in the spool directory (daemon/spool.h):
 *  - pusher__submit (the window loop's thread) splits the window into series, one per service
 *    and set of low-cardinality labels, encodes each as one complete HTTP request (query string,
 *    content type, body) and spools the window's requests as one entry: one file and one fsync
 *    per window, however many services it has. It never touches the network.
 *  - one worker thread sends the requests of the oldest entry in order, each with a libcurl easy
 *    handle driven by a multi handle, so that pusher__free can wake and abort a transfer stuck on
 *    a backend that accepted the connection and never answers (curl_multi_wakeup) instead of
 *    waiting for a timeout. The entry is deleted once every request in it was taken (2xx) or
 *    refused (4xx); if pusher__free stops the worker half-way through one, the entry is
 *    rewritten under its own name with the requests not yet taken, so the next run neither
 *    repeats nor skips any. (After a kill -9 the next run repeats that entry's first requests:
 *    at least once, never lost.)
 *
 * The wire format is Pyroscope's documented ingest API: POST URL/ingest?name=APP{k=v,...}&from=
 * &until=&format=&sampleRate=&spyName=&units=&aggregationType=. With format=pprof, name is the
 * prefix of the series name (Pyroscope appends the profile type: APP.cpu{...}) and the body is
 * multipart/form-data with the gzip'd profile in a file field "profile" and the meaning of our
 * "samples" column in "sample_type_config"; with format=folded the body is "a;b;c N" lines.
 * Pushed profiles carry none of the window's label sets: Pyroscope turns pprof sample labels
 * into series labels, and pid would make a new series per process. The series labels are the
 * ones in name=: host, container_id, systemd_unit, pod_uid. The pprof emitter's own "process"
 * label (the root frame, the process name) stays; "thread" would too, were the window recorded
 * with thread frames, which a monitor meant for a push should not be.
 *
 * A spool entry is "bpfprof-push 2\n" and then, per request, QUERY "\n" CONTENT-TYPE "\n" LENGTH
 * "\n" BODY, so that a later run (another URL, another format setting) still sends exactly what
 * was spooled.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "daemon/push.h"
#include "daemon/spool.h"
#include "emit/emit.h"
#include "lib/log.h"

#define SPOOL_DEFAULT_BYTES (256ULL << 20)
#define BACKOFF_MIN_S 1.0
#define BACKOFF_MAX_S 300.0
#define CONNECT_TIMEOUT_S 5L
#define REQUEST_TIMEOUT_S 30L
#define LOG_EVERY_S 60.0
#define SPOOL_MAGIC "bpfprof-push 2\n"
#define SERVICE_MAX 100
#define VALUE_MAX 200

/* The labels that name a series next to the service; everything else stays off the wire. */
static const char *const series_labels[] = { "host", "container_id", "systemd_unit", "pod_uid" };

/* One request of a spool entry, pointing into the entry's buffer. */
struct request {
	char *query, *ctype, *body;
	size_t blen;
};

/* The spool entry (one window) the worker is working through, and how many requests are done. */
struct current {
	uint64_t seq;
	bool loaded;
	char *data;
	struct request *reqs;
	size_t n, done;
};

struct pusher {
	char *url;   /* without a trailing '/' */
	char *shown; /* url for logs: without user:password@ */
	char *service_label;
	bool folded;
	unsigned sample_rate;
	double backoff_min, backoff_max;
	struct spool *spool;
	CURLM *multi;

	pthread_t worker;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;  /* CLOCK_MONOTONIC */
	bool draining, worker_done;
	double drain_deadline;
	atomic_bool abort; /* read by the worker's transfer loop without the lock */

	double backoff, retry_at; /* current delay (0: none) and when to try again */
	uint64_t failed_seq;	  /* entry and request that failed last, to count retries */
	size_t failed_idx;
	bool failed_seq_valid, down;
	double last_drop_log, last_reject_log;
	uint64_t drops_logged;
	unsigned rng;
	struct push_stats st;
	struct current cur; /* the worker's alone */
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- URL check ---------------------------------------------------------------------------- */

static int url__fail(char *err, size_t errlen, const char *url, const char *why)
{
	snprintf(err, errlen, "push URL '%s': %s (e.g. http://localhost:4040)", url, why);
	return -EINVAL;
}

/* host[:port] after an optional user:password@; IPv6 in brackets. */
static int url__check_authority(const char *url, const char *a, size_t len, char *err,
				size_t errlen)
{
	const char *at = memrchr(a, '@', len), *host, *end = a + len, *colon;

	host = at ? at + 1 : a;
	if (host < end && *host == '[') {
		const char *close = memchr(host, ']', end - host);

		if (!close || close == host + 1)
			return url__fail(err, errlen, url, "an IPv6 address needs [brackets]");
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon && *colon != ':')
			return url__fail(err, errlen, url, "unexpected text after ']'");
	} else {
		colon = memchr(host, ':', end - host);
		if ((colon ? colon : end) == host)
			return url__fail(err, errlen, url, "no host name");
	}
	if (colon) {
		char *stop;
		long port = strtol(colon + 1, &stop, 10);

		if (colon + 1 == end || stop != end || port < 1 || port > 65535)
			return url__fail(err, errlen, url,
					 "the port must be a number from 1 to 65535");
	}
	return 0;
}

int push__check_url(const char *url, char *err, size_t errlen)
{
	const char *rest, *slash;

	if (!url || !*url)
		return url__fail(err, errlen, url ? url : "", "empty");
	for (const char *c = url; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return url__fail(err, errlen, url, "spaces or control characters");
		if (*c == '?' || *c == '#')
			return url__fail(err, errlen, url,
					 "no query or fragment: /ingest?... is added");
	}
	if (!strncasecmp(url, "http://", 7))
		rest = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		rest = url + 8;
	else
		return url__fail(err, errlen, url, "the scheme must be http:// or https://");
	slash = strchr(rest, '/');
	return url__check_authority(url, rest, slash ? (size_t)(slash - rest) : strlen(rest), err,
				    errlen);
}

/* url without the user:password@ of its authority: logs must not show credentials. */
static char *url__redact(const char *url)
{
	const char *auth = strstr(url, "://"), *slash, *at;
	char *out;

	if (!auth)
		return strdup(url);
	auth += 3;
	slash = strchr(auth, '/');
	at = memrchr(auth, '@', slash ? (size_t)(slash - auth) : strlen(auth));
	if (!at)
		return strdup(url);
	if (asprintf(&out, "%.*s%s", (int)(auth - url), url, at + 1) < 0)
		return NULL;
	return out;
}

/* ---- Windows into requests ---------------------------------------------------------------- */

/* The value of key in label set ls, or NULL. */
static const char *labelset__get(const struct pf_labelset *ls, const char *key)
{
	for (uint32_t i = 0; i < ls->n; i++)
		if (!strcmp(ls->kv[2 * i], key))
			return ls->kv[2 * i + 1];
	return NULL;
}

/* Pyroscope's application names take letters, digits, '_', '-' and '.'. */
static void name__put_service(FILE *f, const char *s)
{
	int n = 0;

	for (; *s && n < SERVICE_MAX; s++, n++) {
		unsigned char c = *s;

		fputc(c >= 0x80 || strchr("_-.", c) || (c >= '0' && c <= '9') ||
				      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			      ? c
			      : '_',
		      f);
	}
}

/* A label value ends at ',' or '}' in name=; keep those and other syntax out. */
static void name__put_value(FILE *f, const char *s)
{
	int n = 0;

	for (; *s && n < VALUE_MAX; s++, n++) {
		unsigned char c = *s;

		fputc(c <= ' ' || c == 0x7f || strchr(",{}=\"\\", c) ? '_' : c, f);
	}
}

/* "SERVICE{host=h,container_id=c}" for the stacks of label set ls. malloc'd, NULL: -ENOMEM. */
static char *series__name(const struct pusher *p, const struct profile *w,
			  const struct pf_labelset *ls)
{
	const char *svc = labelset__get(ls, p->service_label);
	char *name = NULL;
	size_t len;
	FILE *f = open_memstream(&name, &len);
	int n = 0;

	if (!f)
		return NULL;
	name__put_service(f, svc && *svc ? svc : "unknown");
	fputc('{', f);
	for (size_t i = 0; i < sizeof(series_labels) / sizeof(series_labels[0]); i++) {
		const char *v = labelset__get(ls, series_labels[i]);

		if (!v && !strcmp(series_labels[i], "host") && w->meta.host[0])
			v = w->meta.host;
		if (!v || !*v)
			continue;
		fprintf(f, "%s%s=", n++ ? "," : "", series_labels[i]);
		name__put_value(f, v);
	}
	fputc('}', f);
	if (fclose(f)) {
		free(name);
		return NULL;
	}
	return name;
}

/* The stacks of one series: a profile of the window's columns, without sample labels. */
static struct profile *series__profile(const struct profile *w, const bool *keep)
{
	struct profile *sub = profile__new(), *u = NULL;

	if (!sub)
		return NULL;
	sub->meta = w->meta;
	if (!profile__set_types(sub, w->types, w->nvalues) &&
	    !profile__merge(sub, w, keep, PROFILE_ALL_COLUMNS, 1.0))
		u = profile__unlabeled(sub);
	profile__free(sub);
	return u;
}

static unsigned pusher__sample_rate(const struct pusher *p, const struct profile *w)
{
	if (p->sample_rate)
		return p->sample_rate;
	if (w->meta.period && !strcmp(w->meta.unit, "nanoseconds"))
		return (unsigned)(1e9 / w->meta.period + 0.5);
	return 0;
}

/* "name=...&from=...": the query string of one series of window w. */
static char *request__query(const struct pusher *p, const struct profile *w, const char *name)
{
	char *esc = curl_easy_escape(NULL, name, 0), *q = NULL, rate[32] = "";
	double start = w->meta.start_ns ? w->meta.start_ns / 1e9 : now_real() - w->meta.duration_s;
	/* Truncation is floor here: times since the epoch are positive. (No libm in LDLIBS.) */
	long long from = (long long)start, until = (long long)(start + w->meta.duration_s);
	unsigned hz = pusher__sample_rate(p, w);

	if (!esc)
		return NULL;
	if (until <= from)
		until = from + 1;
	if (hz)
		snprintf(rate, sizeof(rate), "&sampleRate=%u", hz);
	if (asprintf(
		    &q,
		    "name=%s&from=%lld&until=%lld&format=%s%s&spyName=bpfprof&units=samples&aggregationType=sum",
		    esc, from, until, p->folded ? "folded" : "pprof", rate) < 0)
		q = NULL;
	curl_free(esc);
	return q;
}

/* "cpu" for CPU samples, else the event reduced to a name Pyroscope takes. */
static void display_name(const struct profile *w, char *out, size_t len)
{
	const char *ev = w->meta.event[0] ? w->meta.event : "cpu";
	size_t i = 0;

	for (; ev[i] && i + 1 < len; i++)
		out[i] = (ev[i] >= 'a' && ev[i] <= 'z') || (ev[i] >= '0' && ev[i] <= '9') ? ev[i]
											  : '_';
	out[i] = 0;
}

static void random_token(char *out, size_t n)
{
	static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char r[64];

	if (n > sizeof(r))
		n = sizeof(r);
	if (getrandom(r, n, 0) != (ssize_t)n)
		for (size_t i = 0; i < n; i++)
			r[i] = rand();
	for (size_t i = 0; i < n; i++)
		out[i] = chars[r[i] % (sizeof(chars) - 1)];
	out[n] = 0;
}

/* One multipart/form-data file field. */
static void form__field(FILE *f, const char *boundary, const char *name, const char *file,
			const void *data, size_t len)
{
	fprintf(f,
		"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n",
		boundary, name, file);
	fwrite(data, 1, len, f);
	fputs("\r\n", f);
}

/* The body of one series: folded text, or a multipart form with the gzip'd pprof. */
static int request__body(const struct pusher *p, const struct profile *sub, FILE *out, char *ctype,
			 size_t ctlen)
{
	char *prof = NULL, boundary[41], cfg[256], disp[64];
	size_t plen = 0;
	FILE *f = open_memstream(&prof, &plen);
	int err;

	if (!f)
		return -ENOMEM;
	err = emit__write(sub, p->folded ? FMT_FOLDED : FMT_PPROF, p->folded ? out : f, NULL);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (!err && p->folded)
		snprintf(ctype, ctlen, "text/plain");
	if (err || p->folded)
		goto out_free;
	do
		random_token(boundary, 40);
	while (memmem(prof, plen, boundary, 40));
	display_name(sub, disp, sizeof(disp));
	snprintf(
		cfg, sizeof(cfg),
		"{\"samples\":{\"units\":\"samples\",\"aggregation\":\"sum\",\"display-name\":\"%s\",\"sampled\":true}}",
		disp);
	form__field(out, boundary, "profile", "profile.pprof", prof, plen);
	form__field(out, boundary, "sample_type_config", "sample_type_config.json", cfg,
		    strlen(cfg));
	fprintf(out, "--%s--\r\n", boundary);
	snprintf(ctype, ctlen, "multipart/form-data; boundary=%s", boundary);
out_free:
	free(prof);
	return err;
}

/* Append the request of one series to a spool entry: "QUERY\nCONTENT-TYPE\nLENGTH\n" BODY. */
static int request__append(const struct pusher *p, const struct profile *sub, const char *query,
			   FILE *entry)
{
	char *body = NULL, ctype[96];
	size_t blen = 0;
	FILE *f = open_memstream(&body, &blen);
	int err;

	if (!f)
		return -ENOMEM;
	err = request__body(p, sub, f, ctype, sizeof(ctype));
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (!err) {
		fprintf(entry, "%s\n%s\n%zu\n", query, ctype, blen);
		fwrite(body, 1, blen, entry);
	}
	free(body);
	return err;
}

struct series_ref {
	const char *name;
	size_t labelset;
};

static int series_ref__cmp(const void *a, const void *b)
{
	return strcmp(((const struct series_ref *)a)->name, ((const struct series_ref *)b)->name);
}

/*
 * Series of w: *group[labelset] = the series of that label set (stacks of equal names share
 * one), *names[g] its name (pointers into *owned). Returns the number of series or -ENOMEM.
 */
static long series__group(const struct pusher *p, const struct profile *w, size_t **group,
			  char ***owned)
{
	size_t n = w->nlabelsets ? w->nlabelsets : 1;
	struct series_ref *refs = calloc(n, sizeof(*refs));
	long ng = 0;

	*group = calloc(n, sizeof(**group));
	*owned = calloc(n, sizeof(**owned));
	if (!refs || !*group || !*owned)
		goto out_nomem;
	for (size_t i = 0; i < w->nlabelsets; i++) {
		if (!((*owned)[i] = series__name(p, w, &w->labelsets[i])))
			goto out_nomem;
		refs[i] = (struct series_ref){ (*owned)[i], i };
	}
	qsort(refs, w->nlabelsets, sizeof(*refs), series_ref__cmp);
	for (size_t i = 0; i < w->nlabelsets; i++) {
		if (i && strcmp(refs[i].name, refs[i - 1].name))
			ng++;
		(*group)[refs[i].labelset] = ng;
	}
	free(refs);
	return w->nlabelsets ? ng + 1 : 0;
out_nomem:
	free(refs);
	return -ENOMEM;
}

static void owned__free(char **owned, size_t n)
{
	for (size_t i = 0; owned && i < n; i++)
		free(owned[i]);
	free(owned);
}

/* Log a full spool at most once a minute: how many windows it cost so far. */
static void pusher__log_drops(struct pusher *p)
{
	struct spool_stats ss;
	double now = now_mono();

	spool__stats(p->spool, &ss);
	pthread_mutex_lock(&p->lock);
	if (ss.dropped > p->drops_logged && now - p->last_drop_log >= LOG_EVERY_S) {
		pr_warn("push: spool full: %llu unsent windows (%llu bytes) deleted so far, oldest first, to make room; the backend at %s has not taken them (%s)",
			(unsigned long long)ss.dropped, (unsigned long long)ss.dropped_bytes,
			p->shown, p->st.last_error[0] ? p->st.last_error : "no answer yet");
		p->drops_logged = ss.dropped;
		p->last_drop_log = now;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Append the request of the series that the stacks with keep[] true make up. */
static int pusher__encode_series(struct pusher *p, const struct profile *w, const bool *keep,
				 const char *name, FILE *entry, char *err, size_t errlen)
{
	struct profile *sub = series__profile(w, keep);
	char *query = sub ? request__query(p, w, name) : NULL;
	int rc = query ? request__append(p, sub, query, entry) : -ENOMEM;

	if (rc)
		snprintf(err, errlen, "push: cannot encode the window of %s: %s", name,
			 strerror(-rc));
	free(query);
	profile__free(sub);
	return rc;
}

/* Every series of window into entry, one request each, in name order. The count or -errno. */
static long pusher__encode_window(struct pusher *p, const struct profile *window, FILE *entry,
				  char *err, size_t errlen)
{
	size_t *group = NULL;
	char **owned = NULL;
	bool *keep = calloc(window->nstacks ? window->nstacks : 1, sizeof(*keep));
	long ng = keep ? series__group(p, window, &group, &owned) : -ENOMEM, n = 0;
	int rc = ng < 0 ? (int)ng : 0;

	if (rc)
		snprintf(err, errlen, "push: out of memory");
	for (long g = 0; g < ng && !rc && window->nstacks; g++) {
		const char *name = NULL;

		for (size_t i = 0; i < window->nstacks; i++) {
			keep[i] = group[window->stacks[i].labels] == (size_t)g;
			if (keep[i] && !name)
				name = owned[window->stacks[i].labels];
		}
		if (!name) /* a label set no stack uses is no series */
			continue;
		rc = pusher__encode_series(p, window, keep, name, entry, err, errlen);
		n++;
	}
	owned__free(owned, window->nlabelsets);
	free(group);
	free(keep);
	return rc ? rc : n;
}

int pusher__submit(struct pusher *p, const struct profile *window, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *entry = open_memstream(&buf, &len);
	long n = entry ? (fputs(SPOOL_MAGIC, entry),
			  pusher__encode_window(p, window, entry, err, errlen))
		       : -ENOMEM;

	if (entry && fclose(entry) && n >= 0)
		n = -ENOMEM;
	if (n == -ENOMEM)
		snprintf(err, errlen, "push: out of memory");
	if (n > 0)
		n = spool__put(p->spool, buf, len, err, errlen);
	free(buf);
	pusher__log_drops(p);
	pthread_mutex_lock(&p->lock);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return n < 0 ? (int)n : 0;
}

/* ---- The worker --------------------------------------------------------------------------- */

enum send_result {
	SEND_OK,      /* 2xx: delete */
	SEND_REJECT,  /* 4xx but 408/429, or a spool file we cannot read: delete, counted */
	SEND_RETRY,   /* no connection, timeout, 5xx, 408, 429, other: keep, back off */
	SEND_ABORTED, /* pusher__free ran out of time */
};

struct response {
	char text[96];
	size_t len;
};

static size_t response__write(char *data, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n;

	for (size_t i = 0; i < len && r->len + 1 < sizeof(r->text); i++)
		r->text[r->len++] = (unsigned char)data[i] < ' ' ? ' ' : data[i];
	r->text[r->len] = 0;
	return len;
}

/* Drive one easy handle to its end, or until pusher__free aborts. */
static CURLcode pusher__perform(struct pusher *p, CURL *e, bool *aborted)
{
	CURLcode rc = CURLE_FAILED_INIT;
	CURLMsg *msg;
	int running = 1, left;

	if (curl_multi_add_handle(p->multi, e))
		return rc;
	while (running) {
		if ((*aborted = atomic_load(&p->abort)))
			break;
		if (curl_multi_perform(p->multi, &running) != CURLM_OK)
			break;
		if (running && curl_multi_poll(p->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			break;
	}
	while ((msg = curl_multi_info_read(p->multi, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == e)
			rc = msg->data.result;
	curl_multi_remove_handle(p->multi, e);
	return rc;
}

/* POST one request; the reason for anything but SEND_OK goes to why. */
static enum send_result pusher__post(struct pusher *p, const char *query, const char *ctype,
				     const char *body, size_t blen, char *why, size_t whylen)
{
	CURL *e = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct response resp = {};
	char *url = NULL, *ct = NULL;
	bool aborted = false;
	enum send_result res = SEND_RETRY;
	long code = 0;
	CURLcode rc;

	if (!e || asprintf(&url, "%s/ingest?%s", p->url, query) < 0 ||
	    asprintf(&ct, "Content-Type: %s", ctype) < 0) {
		snprintf(why, whylen, "out of memory");
		goto out_free;
	}
	hdrs = curl_slist_append(hdrs, ct);
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "bpfprof/" BPFPROF_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, response__write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
	rc = pusher__perform(p, e, &aborted);
	if (aborted) {
		res = SEND_ABORTED;
		goto out_free;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK)
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
	else if (code >= 200 && code < 300)
		res = SEND_OK;
	else if (code >= 400 && code < 500 && code != 408 && code != 429)
		res = SEND_REJECT;
	while (resp.len && resp.text[resp.len - 1] == ' ')
		resp.text[--resp.len] = 0;
	if (rc == CURLE_OK && res != SEND_OK)
		snprintf(why, whylen, "HTTP %ld%s%s", code, resp.len ? ": " : "", resp.text);
out_free:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	free(url);
	free(ct);
	return res;
}

/* Split a spool entry into its requests (in place). false: not one of ours. */
static bool entry__parse(char *data, size_t len, struct request **reqs, size_t *n)
{
	size_t magic = strlen(SPOOL_MAGIC), cap = 0;
	char *at = data + magic, *end = data + len;

	*reqs = NULL;
	*n = 0;
	if (len < magic || memcmp(data, SPOOL_MAGIC, magic))
		return false;
	while (at < end) {
		struct request r = { .query = at };
		char *nl1 = memchr(at, '\n', end - at), *nl2, *nl3, *stop;

		if (!nl1 || !(nl2 = memchr(nl1 + 1, '\n', end - nl1 - 1)) ||
		    !(nl3 = memchr(nl2 + 1, '\n', end - nl2 - 1)))
			return false;
		*nl1 = *nl2 = *nl3 = 0;
		r.ctype = nl1 + 1;
		r.blen = strtoull(nl2 + 1, &stop, 10);
		if (stop != nl3 || r.blen > (size_t)(end - nl3 - 1))
			return false;
		r.body = nl3 + 1;
		at = r.body + r.blen;
		if (*n == cap) {
			struct request *bigger = realloc(*reqs, (cap = cap * 2 + 8) * sizeof(r));

			if (!bigger)
				return false;
			*reqs = bigger;
		}
		(*reqs)[(*n)++] = r;
	}
	return *n > 0;
}

static void current__reset(struct current *c)
{
	free(c->data);
	free(c->reqs);
	*c = (struct current){};
}

/* Read and split spool entry seq. 0, -ENOENT (gone), or -EINVAL/-errno with why. */
static int current__load(struct pusher *p, uint64_t seq, char *why, size_t whylen)
{
	struct current *c = &p->cur;
	size_t len;
	int rc;

	current__reset(c);
	rc = spool__read(p->spool, seq, (void **)&c->data, &len);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		snprintf(why, whylen, "unreadable spool file: %s", strerror(-rc));
		return rc;
	}
	if (!entry__parse(c->data, len, &c->reqs, &c->n)) {
		snprintf(why, whylen, "spool file %016" PRIx64 " is not a list of requests", seq);
		current__reset(c);
		return -EINVAL;
	}
	c->seq = seq;
	c->loaded = true;
	return 0;
}

static double jitter(struct pusher *p, double s)
{
	/* +-20%: a fleet that lost its backend together does not come back in lockstep. */
	return s * (0.8 + 0.4 * (rand_r(&p->rng) / (double)RAND_MAX));
}

/* Bookkeeping after one attempt. Under p->lock. */
static void pusher__account(struct pusher *p, uint64_t seq, size_t idx, enum send_result res,
			    bool local, const char *why)
{
	double now = now_mono();

	if (p->failed_seq_valid && p->failed_seq == seq && p->failed_idx == idx &&
	    res != SEND_ABORTED)
		p->st.retries++;
	p->failed_seq_valid = false;
	switch (res) {
	case SEND_OK:
		p->st.sent++;
		p->st.last_success_s = now_real();
		p->backoff = p->retry_at = 0;
		if (p->down)
			pr_info("push: %s accepts profiles again", p->shown);
		p->down = false;
		break;
	case SEND_REJECT:
		p->st.rejected++;
		snprintf(p->st.last_error, sizeof(p->st.last_error), "%s", why);
		if (now - p->last_reject_log >= LOG_EVERY_S) {
			pr_warn("push: dropped a profile that %s (%s); %llu dropped so far",
				local ? "could not be sent" : "the backend refused", why,
				(unsigned long long)p->st.rejected);
			p->last_reject_log = now;
		}
		break;
	case SEND_RETRY:
		p->st.failures++;
		p->failed_seq = seq;
		p->failed_idx = idx;
		p->failed_seq_valid = true;
		snprintf(p->st.last_error, sizeof(p->st.last_error), "%s", why);
		p->backoff = p->backoff ? p->backoff * 2 : p->backoff_min;
		if (p->backoff > p->backoff_max)
			p->backoff = p->backoff_max;
		p->retry_at = now + jitter(p, p->backoff);
		if (!p->down)
			pr_warn("push: %s: %s; keeping windows in the spool and retrying with backoff",
				p->shown, why);
		p->down = true;
		break;
	case SEND_ABORTED:
		break;
	}
}

/* A spool entry that cannot be read or parsed: delete it, counted with the refused ones. */
static void pusher__drop_entry(struct pusher *p, uint64_t seq, const char *why)
{
	spool__remove(p->spool, seq);
	pthread_mutex_lock(&p->lock);
	pusher__account(p, seq, 0, SEND_REJECT, true, why);
	pthread_mutex_unlock(&p->lock);
}

/* Send the next request of the oldest spool entry once. */
static void pusher__send_oldest(struct pusher *p)
{
	struct current *c = &p->cur;
	char why[160] = "";
	enum send_result res;
	struct request *r;
	uint64_t seq;
	size_t idx;
	int rc;

	if (spool__oldest(p->spool, &seq))
		return;
	if (!c->loaded || c->seq != seq) {
		if ((rc = current__load(p, seq, why, sizeof(why))))
			if (rc != -ENOENT)
				pusher__drop_entry(p, seq, why);
		if (rc)
			return;
	}
	idx = c->done;
	r = &c->reqs[idx];
	res = pusher__post(p, r->query, r->ctype, r->body, r->blen, why, sizeof(why));
	if (res == SEND_OK || res == SEND_REJECT)
		c->done++;
	if (c->done == c->n) {
		spool__remove(p->spool, seq);
		current__reset(c);
	}
	pthread_mutex_lock(&p->lock);
	pusher__account(p, seq, idx, res, false, why);
	pthread_mutex_unlock(&p->lock);
}

static bool pusher__spool_empty(struct pusher *p)
{
	struct spool_stats ss;

	spool__stats(p->spool, &ss);
	return !ss.files;
}

static void cond__wait_until(struct pusher *p, double until)
{
	struct timespec ts;

	if (isinf(until)) {
		pthread_cond_wait(&p->cond, &p->lock);
		return;
	}
	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&p->cond, &p->lock, &ts);
}

/* Wait until there is something to send and no backoff holds it. false: time to stop. */
static bool pusher__wait_work(struct pusher *p)
{
	for (;;) {
		double now = now_mono(), until;
		bool empty = pusher__spool_empty(p);

		if (atomic_load(&p->abort) || (p->draining && (empty || now >= p->drain_deadline)))
			return false;
		if (!empty && now >= p->retry_at)
			return true;
		until = empty ? INFINITY : p->retry_at;
		if (p->draining && until > p->drain_deadline)
			until = p->drain_deadline;
		cond__wait_until(p, until);
	}
}

/* Stopped half-way through an entry: keep only its requests not yet taken, in its place. */
static void pusher__save_rest(struct pusher *p)
{
	struct current *c = &p->cur;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!c->loaded || !c->done || c->done >= c->n || !(f = open_memstream(&buf, &len)))
		return;
	fputs(SPOOL_MAGIC, f);
	for (size_t i = c->done; i < c->n; i++) {
		fprintf(f, "%s\n%s\n%zu\n", c->reqs[i].query, c->reqs[i].ctype, c->reqs[i].blen);
		fwrite(c->reqs[i].body, 1, c->reqs[i].blen, f);
	}
	if (!fclose(f))
		spool__replace(p->spool, c->seq, buf, len);
	free(buf);
}

static void *pusher__main(void *arg)
{
	struct pusher *p = arg;

	pthread_mutex_lock(&p->lock);
	while (pusher__wait_work(p)) {
		pthread_mutex_unlock(&p->lock);
		pusher__send_oldest(p);
		pthread_mutex_lock(&p->lock);
	}
	p->worker_done = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pusher__save_rest(p);
	return NULL;
}

/* ---- Lifecycle ---------------------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl__init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int pusher__init(struct pusher *p, const struct push_cfg *cfg)
{
	pthread_condattr_t ca;
	size_t n;

	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	p->url = strdup(cfg->url);
	p->service_label = strdup(cfg->service_label ? cfg->service_label : "comm");
	if (!p->url || !p->service_label)
		return -ENOMEM;
	n = strlen(p->url);
	while (n && p->url[n - 1] == '/')
		p->url[--n] = 0;
	if (!(p->shown = url__redact(p->url)))
		return -ENOMEM;
	p->folded = cfg->folded;
	p->sample_rate = cfg->sample_rate;
	p->backoff_min = cfg->backoff_min_s > 0 ? cfg->backoff_min_s : BACKOFF_MIN_S;
	p->backoff_max = cfg->backoff_max_s > 0 ? cfg->backoff_max_s : BACKOFF_MAX_S;
	if (p->backoff_max < p->backoff_min)
		p->backoff_max = p->backoff_min;
	p->rng = (unsigned)getpid() ^ (unsigned)now_real();
	p->last_drop_log = p->last_reject_log = -LOG_EVERY_S;
	return 0;
}

int pusher__new(struct pusher **out, const struct push_cfg *cfg, char *err, size_t errlen)
{
	struct pusher *p;
	int rc;

	*out = NULL;
	if ((rc = push__check_url(cfg->url, err, errlen)))
		return rc;
	if (!cfg->spool_dir || !*cfg->spool_dir) {
		snprintf(err, errlen, "push: no spool directory given");
		return -EINVAL;
	}
	pthread_once(&curl_once, curl__init);
	if (curl_init_rc) {
		snprintf(err, errlen, "push: libcurl: %s", curl_easy_strerror(curl_init_rc));
		return -EIO;
	}
	if (!(p = calloc(1, sizeof(*p))) || pusher__init(p, cfg) ||
	    !(p->multi = curl_multi_init())) {
		snprintf(err, errlen, "push: out of memory");
		goto out_free;
	}
	rc = spool__open(&p->spool, cfg->spool_dir,
			 cfg->spool_max_bytes ? cfg->spool_max_bytes : SPOOL_DEFAULT_BYTES, err,
			 errlen);
	if (rc)
		goto out_free;
	if ((rc = -pthread_create(&p->worker, NULL, pusher__main, p))) {
		snprintf(err, errlen, "push: cannot start the worker thread: %s", strerror(-rc));
		goto out_free;
	}
	*out = p;
	return 0;
out_free:
	if (p)
		p->worker_done = true; /* no thread to join */
	pusher__free(p, 0);
	return rc ? rc : -ENOMEM;
}

void pusher__stats(struct pusher *p, struct push_stats *st)
{
	struct spool_stats ss;

	spool__stats(p->spool, &ss);
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	pthread_mutex_unlock(&p->lock);
	st->spooled_files = ss.files;
	st->spooled_bytes = ss.bytes;
	st->dropped_oldest = ss.dropped;
}

void pusher__free(struct pusher *p, double flush_s)
{
	bool joinable;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	joinable = !p->worker_done;
	p->draining = true;
	p->drain_deadline = now_mono() + (flush_s > 0 ? flush_s : 0);
	pthread_cond_broadcast(&p->cond);
	while (!p->worker_done && now_mono() < p->drain_deadline)
		cond__wait_until(p, p->drain_deadline);
	if (!p->worker_done) {
		/* A transfer is still running: cut it; what it carried stays spooled. */
		atomic_store(&p->abort, true);
		pthread_cond_broadcast(&p->cond);
		curl_multi_wakeup(p->multi);
	}
	pthread_mutex_unlock(&p->lock);
	if (joinable)
		pthread_join(p->worker, NULL);
	current__reset(&p->cur);
	if (p->multi)
		curl_multi_cleanup(p->multi);
	spool__free(p->spool);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->service_label);
	free(p->shown);
	free(p->url);
	free(p);
}
