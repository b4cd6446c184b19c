/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/push.h - send each window to a Pyroscope-compatible ingest endpoint (POST URL/ingest,
 * `name=SERVICE{labels}`, from, until, sampleRate, spyName, pprof or folded body), one series per
 * service (the value of one label, "comm" by default), with libcurl from a worker thread.
 *
 * Nothing is lost to a short outage: every window is first written to a spool directory (whole
 * files only, as daemon/history does), sent oldest first, and deleted once the backend accepted
 * it (2xx). Failures are retried with exponential backoff (1 s doubling to 5 min, with jitter);
 * a 4xx other than 408/429 drops that file (counted: the backend will never take it). The spool
 * is bounded (bytes): when full the oldest spooled windows are deleted and counted.
 */
#ifndef BPFPROF_PUSH_H
#define BPFPROF_PUSH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "model/profile.h"

struct push_cfg {
	const char *url;	   /* http(s)://host[:port][/prefix]; /ingest is appended */
	const char *service_label; /* label whose value names the series, NULL: "comm" */
	const char *spool_dir;	   /* created 0700 */
	uint64_t spool_max_bytes;  /* 0: 256 MiB */
	unsigned sample_rate;	   /* Hz, for sampleRate= */
	bool folded;		   /* send folded text instead of pprof */
	double backoff_min_s;	   /* first retry delay, 0: 1 s (tests shorten both) */
	double backoff_max_s;	   /* cap of the doubling, 0: 300 s */
};

struct push_stats {
	uint64_t sent, failures, retries, rejected; /* requests; rejected: 4xx, dropped */
	uint64_t spooled_files, spooled_bytes;	    /* waiting now: windows, one file each */
	uint64_t dropped_oldest;		    /* spooled windows deleted for room */
	double last_success_s;			    /* CLOCK_REALTIME, 0: never */
	char last_error[160];
};

struct pusher;

/* Check the URL (scheme http/https, a host). 0 or -EINVAL with a message. */
int push__check_url(const char *url, char *err, size_t errlen);
/* Create the spool and the worker (which sends what an earlier run left spooled). */
int pusher__new(struct pusher **out, const struct push_cfg *cfg, char *err, size_t errlen);
/* Spool one window (split by service) and wake the worker; returns at once. 0 or -errno. */
int pusher__submit(struct pusher *p, const struct profile *window, char *err, size_t errlen);
void pusher__stats(struct pusher *p, struct push_stats *st);
/* Give the worker up to flush_s to send what is spooled, then stop it. NULL-safe. */
void pusher__free(struct pusher *p, double flush_s);

#endif /* BPFPROF_PUSH_H */
