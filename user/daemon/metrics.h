/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemon/metrics.h - writing the monitor's /metrics in the Prometheus text exposition format
 * 0.0.4, correctly by construction: one call writes one metric family, its "# HELP" and
 * "# TYPE" lines once, then its samples.
 *
 * Invariants the writers check (-EINVAL, nothing written, when broken):
 *  - names match [a-zA-Z_:][a-zA-Z0-9_:]* and label keys [a-zA-Z_][a-zA-Z0-9_]* (not "__" first);
 *  - a counter's name ends in "_total"; units are in the name, in base units (_seconds, _bytes);
 *  - help text and label values are escaped as the format says (\\, \n, and \" in values);
 *  - values are written exactly (the shortest text that reads back as the same double; NaN and
 *    ±Inf as Prometheus spells them).
 * Writers return 0, -EINVAL, or -EIO when out has failed.
 */
#ifndef BPFPROF_METRICS_H
#define BPFPROF_METRICS_H

#include <stdbool.h>
#include <stdio.h>

/* One unlabeled counter (name ends in _total) or gauge. */
int prom__counter(FILE *out, const char *name, const char *help, double value);
int prom__gauge(FILE *out, const char *name, const char *help, double value);

/*
 * One family with one label: n samples name{key="values_of_label[i]"} values[i], e.g.
 * bpfprof_samples_lost_total{cause="map_full"}. n may be 0 (HELP and TYPE only, which
 * Prometheus accepts: the family exists and has no series yet).
 */
int prom__counter_l(FILE *out, const char *name, const char *help, const char *label_key,
		    const char *const *label_values, const double *values, int n);
int prom__gauge_l(FILE *out, const char *name, const char *help, const char *label_key,
		  const char *const *label_values, const double *values, int n);

/* A valid metric name (counter: also ending in _total)? */
bool prom__valid_name(const char *name, bool counter);

/*
 * This process, as Prometheus' own process collector reports it (from /proc/self):
 * process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_open_fds, process_max_fds, process_start_time_seconds. A value that cannot be read is
 * left out. 0 or -EIO.
 */
int metrics__process(FILE *out);

#endif /* BPFPROF_METRICS_H */
