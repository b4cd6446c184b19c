// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * daemon/metrics.c - Prometheus text format writers and this process's own metrics (see
 * daemon/metrics.h).
 *
 * A scrape that fails to parse loses every metric of the target, so the writers refuse a bad
 * name instead of writing it, and escape whatever text they are given. The process metrics are
 * the ones Prometheus' client libraries export under the same names, so the dashboards people
 * already have for any exporter's RSS and CPU work for bpfprof too.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/metrics.h"
#include "lib/procfs.h"

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

static bool ident__valid(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++) {
		if (!name_char(*p, p == s, colon))
			return false;
	}
	return true;
}

bool prom__valid_name(const char *name, bool counter)
{
	size_t n = name ? strlen(name) : 0;

	if (!ident__valid(name, true))
		return false;
	return !counter || (n > 6 && !strcmp(name + n - 6, "_total"));
}

/* Label names starting with "__" are reserved for Prometheus itself. */
static bool label_key__valid(const char *key)
{
	return ident__valid(key, false) && strncmp(key, "__", 2);
}

/* HELP escapes \ and newline; a label value also ". */
static void text__escaped(FILE *out, const char *s, bool quote)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (quote && *s == '"')
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

/* The shortest %g text that reads back as v; Prometheus' spellings of the special values. */
static void value__write(FILE *out, double v)
{
	char buf[32];

	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
}

static void family__header(FILE *out, const char *name, const char *help, const char *type)
{
	fprintf(out, "# HELP %s ", name);
	text__escaped(out, help, false);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

static int family__write(FILE *out, const char *name, const char *help, bool counter,
			 const char *key, const char *const *lvalues, const double *values, int n)
{
	if (!prom__valid_name(name, counter) || n < 0 || (key && !label_key__valid(key)))
		return -EINVAL;
	family__header(out, name, help, counter ? "counter" : "gauge");
	for (int i = 0; i < n; i++) {
		fputs(name, out);
		if (key) {
			fprintf(out, "{%s=\"", key);
			text__escaped(out, lvalues[i], true);
			fputs("\"}", out);
		}
		fputc(' ', out);
		value__write(out, values[i]);
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

int prom__counter(FILE *out, const char *name, const char *help, double value)
{
	return family__write(out, name, help, true, NULL, NULL, &value, 1);
}

int prom__gauge(FILE *out, const char *name, const char *help, double value)
{
	return family__write(out, name, help, false, NULL, NULL, &value, 1);
}

int prom__counter_l(FILE *out, const char *name, const char *help, const char *label_key,
		    const char *const *label_values, const double *values, int n)
{
	if (!label_key)
		return -EINVAL;
	return family__write(out, name, help, true, label_key, label_values, values, n);
}

int prom__gauge_l(FILE *out, const char *name, const char *help, const char *label_key,
		  const char *const *label_values, const double *values, int n)
{
	if (!label_key)
		return -EINVAL;
	return family__write(out, name, help, false, label_key, label_values, values, n);
}

/* Entries of /proc/self/fd, less the one the listing itself holds open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n - 1;
}

/* The boot time, seconds since the epoch ("btime" of /proc/stat); 0 if unreadable. */
static double boot_time_s(void)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[256];
	double v = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "btime ", 6)) {
			v = strtod(line + 6, NULL);
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

struct self_stat {
	unsigned long long utime, stime, starttime; /* clock ticks */
	unsigned long long vsize, rss;		    /* bytes, pages */
};

/* /proc/self/stat's fields after the command name, which may hold spaces and parentheses. */
static int self_stat__read(struct self_stat *st)
{
	char *text = procfs__read(getpid(), "stat", NULL);
	char *p = text ? strrchr(text, ')') : NULL;
	int n;

	/* fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
	 * stime cutime cstime priority nice threads itrealvalue starttime vsize rss */
	n = p ? sscanf(p + 1,
		       " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
		       "%*d %llu %llu %llu",
		       &st->utime, &st->stime, &st->starttime, &st->vsize, &st->rss)
	      : 0;
	free(text);
	return n == 5 ? 0 : -EIO;
}

int metrics__process(FILE *out)
{
	double tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	double boot = boot_time_s();
	struct self_stat st;
	struct rlimit rl;
	int fds = open_fds();

	if (!self_stat__read(&st)) {
		prom__counter(out, "process_cpu_seconds_total",
			      "Total user and system CPU time spent in seconds.",
			      (st.utime + st.stime) / tick);
		prom__gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
			    st.rss * page);
		prom__gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
			    st.vsize);
		if (boot > 0)
			prom__gauge(out, "process_start_time_seconds",
				    "Start time of the process since unix epoch in seconds.",
				    boot + st.starttime / tick);
	}
	if (fds >= 0)
		prom__gauge(out, "process_open_fds", "Number of open file descriptors.", fds);
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY)
		prom__gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
			    rl.rlim_cur);
	return ferror(out) ? -EIO : 0;
}
