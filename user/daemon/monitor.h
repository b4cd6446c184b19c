/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/monitor.h - `bpfprof monitor`: a session that never ends, cut into windows.
 *
 * Every window (aligned to the wall clock: a 10 s window ends at :00, :10, ...) the session's
 * current tap is closed and the next opened at the same cut, so no sample is lost or counted
 * twice at a boundary; the window is named with labels (pid, comm, exe, cgroup, container,
 * pod, unit, host), written to the history, handed to the pusher, and the processes that
 * exited before every open tap are let go. Between windows the loop sleeps on one epoll set:
 * the BPF ring buffer, a wake-up eventfd (requests from the HTTP threads), the control socket
 * and a signalfd (SIGINT/SIGTERM stop after writing the current window; SIGHUP reloads).
 *
 * window_s == 0 makes a background recording (`bpfprof start`): one tap from start to `stop`,
 * no history; `dump` returns what it holds so far and `stop` returns it all.
 *
 * Threads: the loop owns the session; the HTTP threads only queue requests to it (open or
 * close a tap) and read history files and counters under a lock.
 */
#ifndef BPFPROF_MONITOR_H
#define BPFPROF_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include "collect/session.h"
#include "daemon/history.h"
#include "daemon/push.h"

#define MONITOR_DEFAULT_HZ 19
#define MONITOR_DEFAULT_WINDOW_S 10

/* What a SIGHUP may change while the monitor runs. */
struct monitor_limits {
	double window_s, retain_s;
	uint64_t max_bytes;
};

struct monitor_cfg {
	struct session_cfg session; /* labels and taps_only are set by the monitor */
	double window_s;	    /* 0: one collection until stopped */
	struct history_cfg history; /* dir NULL: no history */
	const char *listen;	    /* NULL: no HTTP */
	bool listen_any;
	struct push_cfg push; /* url NULL: no push */
	const char *socket;   /* control socket */
	/*
	 * SIGHUP: read the options again into out (0), or -errno; msg names what changed but
	 * needs a restart, or why the options were refused. NULL: SIGHUP changes nothing.
	 */
	int (*reload)(void *ctx, struct monitor_limits *out, char *msg, size_t len);
	void *reload_ctx;
};

struct monitor;

/* Load the BPF side, open history, push, HTTP and the control socket. 0 or -errno + err. */
int monitor__new(struct monitor **out, const struct monitor_cfg *cfg, char *err, size_t errlen);
/* Run until stopped (a signal, `bpfprof stop`). 0, or -errno after logging why. */
int monitor__run(struct monitor *m);
void monitor__free(struct monitor *m);

#endif /* BPFPROF_MONITOR_H */
