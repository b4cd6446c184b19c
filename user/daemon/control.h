/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/control.h - the session commands' channel: a root-only Unix socket through which
 * `bpfprof status`, `dump`, `stop` talk to a running monitor or background recording (the way
 * async-profiler's and Arthas' `profiler status|dump|stop` talk to their agent).
 *
 * Protocol, one exchange per connection: the client sends one line "VERB key=value ...\n" (at
 * most CONTROL_MAX_LINE bytes); the server answers "ok LENGTH\n" followed by LENGTH bytes of
 * body, or "err MESSAGE\n". Only root (or the server's own uid) may connect: the peer's
 * credentials are checked (SO_PEERCRED) and the socket's directory is 0700.
 */
#ifndef BPFPROF_CONTROL_H
#define BPFPROF_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONTROL_MAX_LINE 1024
#define CONTROL_DIR "/run/bpfprof"
#define CONTROL_MONITOR_SOCKET CONTROL_DIR "/monitor.sock"
#define CONTROL_SESSION_SOCKET CONTROL_DIR "/session.sock"

/*
 * Listen at path (its directory created 0700). A socket someone still answers on is -EBUSY
 * ("already running"); a stale one is replaced. The listening fd (non-blocking), or -errno with
 * a message in err.
 */
int control__listen(const char *path, char *err, size_t errlen);

/* One accepted, authenticated client with its request line read; NULL when none is waiting. */
struct control_conn;
struct control_conn *control__accept(int lfd);
const char *control_conn__line(const struct control_conn *c);
/* The value of key=VALUE in the request, or NULL. */
const char *control_conn__arg(const struct control_conn *c, const char *key, char *buf, size_t len);
/* Answer and close: body of len bytes (ok), or an error message (body NULL). */
void control_conn__reply(struct control_conn *c, const void *body, size_t len, const char *error);

/*
 * Client: send request (one line, no newline) to path and write the body to out. 0; -ECONNREFUSED
 * / -ENOENT when nothing listens there; -EPROTO with the server's message in err.
 */
int control__call(const char *path, const char *request, FILE *out, char *err, size_t errlen);

#endif /* BPFPROF_CONTROL_H */
