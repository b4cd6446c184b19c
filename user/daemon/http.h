/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/http.h - the monitor's pull endpoint, on libmicrohttpd:
 *   /debug/pprof/profile?seconds=N   a fresh CPU profile of the next N seconds (default 30), gzip'd
 *                                    pprof, as Go's net/http/pprof serves it (go tool pprof, Parca)
 *   /profile?from=&to=&format=&comm=&pid=&label=k=v   a range of history in any output format
 *   /metrics                         Prometheus text exposition format 0.0.4
 *   /healthz                         200 "ok", or 503 with the reason
 * Only GET/HEAD; anything else, bad parameters, or a URL/query too long get 4xx with a one-line
 * body. The server owns its threads; the handlers it calls are the monitor's and must be thread
 * safe. Loopback only unless listen_any.
 *
 * /profile: from/to as lib/units.h reads times (default: the hour before to, to = now), format
 * html (default), folded, pb.gz, speedscope.json or txt, comm (regex), pid, label=k=v (repeated).
 * A handler's -errno becomes the status: -EINVAL 400, -ENOENT 404, -EBUSY/-EAGAIN/-ECANCELED
 * 503, anything else 500; its err message is the one-line body.
 */
#ifndef BPFPROF_HTTP_H
#define BPFPROF_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include "model/filter.h"
#include "model/profile.h"

struct http_handlers {
	void *ctx;
	/* Sample for the next `seconds` (blocks); *out is the caller's to free. 0 or -errno. */
	int (*live)(void *ctx, double seconds, struct profile **out, char *err, size_t errlen);
	/* Windows overlapping [from_ns, to_ns) passing f. 0 or -errno. */
	int (*range)(void *ctx, uint64_t from_ns, uint64_t to_ns, const struct profile_filter *f,
		     struct profile **out, char *err, size_t errlen);
	/* Write the metrics in the Prometheus text format. */
	void (*metrics)(void *ctx, FILE *out);
	/* True when healthy; else why in buf. */
	bool (*healthy)(void *ctx, char *why, size_t len);
	/*
	 * Optional: make live() calls running now or later return soon (-ECANCELED). Called once,
	 * by http_server__free, which then waits for them; without it, free waits until the
	 * running live() calls end on their own.
	 */
	void (*cancel)(void *ctx);
};

struct http_server;

/*
 * Check "HOST:PORT" / "[V6]:PORT" / ":PORT" (loopback) before anything starts: -EINVAL with a
 * message when malformed, or when not loopback and !listen_any (the message names --listen-any).
 */
int http__parse_listen(const char *listen, bool listen_any, struct sockaddr_storage *addr,
		       char *err, size_t errlen);
/* Bind and serve. 0 or -errno with a message (address in use...). */
int http_server__start(struct http_server **out, const char *listen, bool listen_any,
		       const struct http_handlers *h, char *err, size_t errlen);
/* Requests served and refused so far (for /metrics). */
void http_server__counts(const struct http_server *s, uint64_t *served, uint64_t *refused);
/*
 * Stop accepting, end the threads (a waiting live request gets 503 at once), call
 * handlers.cancel and wait for the live() calls still running. NULL-safe.
 */
void http_server__free(struct http_server *s);

#endif /* BPFPROF_HTTP_H */
