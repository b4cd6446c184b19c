// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/event_spec.c - event names, perf_event_open, and what `bpfprof list` lists (see
 * collect/event_spec.h).
 *
 * Parsing has no side effects: a tracepoint is looked up in tracefs as it is, and the caller
 * mounts tracefs first (event__mount_tracefs) when it is going to list or attach tracepoints.
 *
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "collect/event_spec.h"
#include "collect/mode.h"

struct perf_name {
	const char *name;
	const char *alias;
	uint32_t type;
	uint64_t config;
	const char *help;
};

static const struct perf_name perf_names[] = {
	{ "cpu", "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK,
	  "CPU time (software timer; works in VMs) [default]" },
	{ "task-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "task clock" },
	{ "page-faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "page faults" },
	{ "minor-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN,
	  "minor page faults" },
	{ "major-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ,
	  "major page faults (disk reads)" },
	{ "context-switches", "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES,
	  "context switches (where threads block)" },
	{ "cpu-migrations", "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
	  "CPU migrations" },
	{ "alignment-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS,
	  "alignment faults" },
	{ "emulation-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS,
	  "emulation faults" },
	{ "cycles", "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "CPU cycles" },
	{ "instructions", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
	  "instructions retired" },
	{ "cache-references", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES,
	  "last-level cache references" },
	{ "cache-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES,
	  "last-level cache misses" },
	{ "branches", "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
	  "branch instructions" },
	{ "branch-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES,
	  "mispredicted branches" },
	{ "bus-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES, "bus cycles" },
	{ "ref-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES,
	  "reference cycles" },
};

#define N_PERF_NAMES (sizeof(perf_names) / sizeof(perf_names[0]))

static int parse_perf(const char *s, struct event_spec *ev)
{
	size_t i;

	for (i = 0; i < N_PERF_NAMES; i++) {
		const struct perf_name *p = &perf_names[i];

		if (strcmp(s, p->name) && (!p->alias || strcmp(s, p->alias)))
			continue;
		ev->kind = EV_PERF;
		ev->type = p->type;
		ev->config = p->config;
		ev->is_time =
			p->type == PERF_TYPE_SOFTWARE && (p->config == PERF_COUNT_SW_CPU_CLOCK ||
							  p->config == PERF_COUNT_SW_TASK_CLOCK);
		snprintf(ev->name, sizeof(ev->name), "%s", p->name);
		return 0;
	}
	return -ENOENT;
}

int event__mount_tracefs(char *err, size_t len)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/events", &st) ||
	    !stat("/sys/kernel/debug/tracing/events", &st))
		return 0;
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return 0;
	snprintf(
		err, len,
		"tracefs is not mounted and mounting it failed (%s); run: mount -t tracefs tracefs /sys/kernel/tracing",
		strerror(errno));
	return -errno;
}

bool event__needs_tracefs(const char *s)
{
	return s && (!strncmp(s, "tracepoint:", 11) || !strncmp(s, "t:", 2));
}

static bool tracepoint_exists(const char *cat, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/id", cat, name);
	if (!stat(path, &st))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s/id", cat, name);
	return !stat(path, &st);
}

static int parse_tracepoint(const char *s, struct event_spec *ev, char *err, size_t len)
{
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || !colon[1] || (size_t)(colon - s) >= sizeof(ev->category) ||
	    strlen(colon + 1) >= sizeof(ev->func) || strchr(colon + 1, ':')) {
		snprintf(
			err, len,
			"bad tracepoint '%s': use tracepoint:CATEGORY:NAME, e.g. tracepoint:sched:sched_switch",
			s);
		return -EINVAL;
	}
	snprintf(ev->category, sizeof(ev->category), "%.*s", (int)(colon - s), s);
	snprintf(ev->func, sizeof(ev->func), "%s", colon + 1);
	if (!tracepoint_exists(ev->category, ev->func)) {
		snprintf(
			err, len,
			"no tracepoint %s:%s on this kernel; see /sys/kernel/tracing/available_events",
			ev->category, ev->func);
		return -ENOENT;
	}
	ev->kind = EV_TRACEPOINT;
	return 0;
}

static int parse_uprobe(const char *s, struct event_spec *ev, char *err, size_t len)
{
	const char *colon = strrchr(s, ':');

	if (!colon || colon == s || !colon[1] || (size_t)(colon - s) >= sizeof(ev->path) ||
	    strlen(colon + 1) >= sizeof(ev->func)) {
		snprintf(
			err, len,
			"bad uprobe '%s': use uprobe:PATH:SYMBOL, e.g. uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc",
			s);
		return -EINVAL;
	}
	snprintf(ev->path, sizeof(ev->path), "%.*s", (int)(colon - s), s);
	snprintf(ev->func, sizeof(ev->func), "%s", colon + 1);
	if (access(ev->path, R_OK)) {
		snprintf(err, len, "uprobe binary %s: %s", ev->path, strerror(errno));
		return -ENOENT;
	}
	ev->kind = EV_UPROBE;
	return 0;
}

/* One event name (no modes, no list) into ev, which is zeroed. */
static int parse_event(const char *s, struct event_spec *ev, char *err, size_t len)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->name, sizeof(ev->name), "%s", s);
	if (!parse_perf(s, ev))
		return 0;
	if (!strncmp(s, "tracepoint:", 11))
		return parse_tracepoint(s + 11, ev, err, len);
	if (!strncmp(s, "t:", 2))
		return parse_tracepoint(s + 2, ev, err, len);
	if (!strncmp(s, "kprobe:", 7) && s[7] && strlen(s + 7) < sizeof(ev->func)) {
		ev->kind = EV_KPROBE;
		snprintf(ev->func, sizeof(ev->func), "%s", s + 7);
		return 0;
	}
	if (!strncmp(s, "uprobe:", 7))
		return parse_uprobe(s + 7, ev, err, len);
	snprintf(err, len,
		 "unknown event '%s'; run 'bpfprof list' to see the events this host supports", s);
	return -EINVAL;
}

/* What does not combine: wall stands alone; offcpu goes with cpu-like perf events only. */
static int check_modes(const struct event_spec *ev, char *err, size_t len)
{
	uint32_t wall = MODE_BIT(MODE_WALL), offcpu = MODE_BIT(MODE_OFFCPU);

	if ((ev->modes & wall) && (ev->modes != wall || ev->kind != EV_NONE))
		return snprintf(
			       err, len,
			       "-e wall already holds on-CPU and off-CPU time and stands alone; for both apart use -e cpu,offcpu"),
		       -EINVAL;
	if ((ev->modes & offcpu) && ev->kind != EV_NONE && ev->kind != EV_PERF)
		return snprintf(err, len, "-e offcpu combines with cpu or a perf event only"),
		       -EINVAL;
	if (ev->kind == EV_NONE && !ev->modes)
		return snprintf(err, len, "-e needs an event or a mode, e.g. cpu or offcpu"),
		       -EINVAL;
	return 0;
}

/* One token of a list: a mode, or the one event. */
static int parse_token(const char *tok, const char *all, struct event_spec *ev, char *err,
		       size_t len)
{
	uint32_t modes = ev->modes;
	int m = mode__by_name(tok), e;

	if (m >= 0 && (modes & MODE_BIT(m)))
		return snprintf(err, len, "-e '%s' names %s twice", all, tok), -EINVAL;
	if (m >= 0)
		return ev->modes |= MODE_BIT(m), 0;
	if (ev->kind != EV_NONE)
		return snprintf(
			       err, len,
			       "-e '%s': one event at a time (%s) besides the modes offcpu, lock, alloc",
			       all, ev->name),
		       -EINVAL;
	e = parse_event(tok, ev, err, len);
	ev->modes = modes;
	return e;
}

/* A list "cpu,offcpu", or one mode: at most one event, and modes. */
static int parse_list(const char *s, struct event_spec *ev, char *err, size_t len)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int e = 0;

	if (!copy)
		return -ENOMEM;
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_NONE;
	for (tok = strtok_r(copy, ",", &save); tok && !e; tok = strtok_r(NULL, ",", &save))
		e = parse_token(tok, s, ev, err, len);
	free(copy);
	if (!e)
		e = check_modes(ev, err, len);
	if (!e && (ev->modes & MODE_BIT(MODE_WALL)))
		e = parse_perf("cpu", ev); /* wall's on-CPU half */
	snprintf(ev->name, sizeof(ev->name), "%s", s);
	ev->min_block_ns = MODE_MIN_BLOCK_NS;
	ev->alloc_interval = MODE_ALLOC_INTERVAL;
	return e;
}

int event__parse(const char *s, struct event_spec *ev, char *err, size_t len)
{
	/* a list, or one mode; a uprobe's path may hold commas, so it is never a list */
	if ((strchr(s, ',') && strncmp(s, "uprobe:", 7)) || mode__by_name(s) >= 0)
		return parse_list(s, ev, err, len);
	return parse_event(s, ev, err, len);
}

int event__open_perf(const struct event_spec *ev, const struct sample_rate *rate, int cpu)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = ev->type,
		.config = ev->config,
	};
	int fd;

	if (rate && rate->freq) {
		attr.freq = 1;
		attr.sample_freq = rate->freq;
	} else {
		attr.sample_period = rate && rate->period ? rate->period : 1;
	}
	fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void event__explain(const struct event_spec *ev, int err, char *buf, size_t len)
{
	if (ev->type == PERF_TYPE_HARDWARE &&
	    (err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV || err == -EINVAL))
		snprintf(
			buf, len,
			"event '%s' needs a hardware PMU, which this host does not have (common in VMs); use -e cpu",
			ev->name);
	else if (err == -EACCES || err == -EPERM)
		snprintf(
			buf, len,
			"not allowed to open perf event '%s' (%s); run as root, or grant CAP_PERFMON and set sysctl kernel.perf_event_paranoid=1",
			ev->name, strerror(-err));
	else if (err == -EINVAL)
		snprintf(
			buf, len,
			"perf event '%s' rejected the sampling rate (%s); lower -F (see /proc/sys/kernel/perf_event_max_sample_rate)",
			ev->name, strerror(-err));
	else
		snprintf(buf, len, "cannot open perf event '%s': %s", ev->name, strerror(-err));
}

int online_cpus(int **cpus)
{
	char buf[4096], *p = buf, *end;
	int n = 0, cap = 64, a, b;
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");

	*cpus = malloc(cap * sizeof(int));
	if (!f || !*cpus || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		free(*cpus);
		*cpus = NULL;
		return -ENOENT;
	}
	fclose(f);
	while (*p && *p != '\n') { /* "0-3,5,7-8" */
		a = b = strtol(p, &end, 10);
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b; a++) {
			if (n == cap) {
				int *m = realloc(*cpus, (cap *= 2) * sizeof(int));

				if (!m)
					return free(*cpus), *cpus = NULL, -ENOMEM;
				*cpus = m;
			}
			(*cpus)[n++] = a;
		}
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p != ',')
			break;
	}
	return n;
}

const char *event__perf_name(size_t i, const char **help)
{
	if (i >= N_PERF_NAMES)
		return NULL;
	if (help)
		*help = perf_names[i].help;
	return perf_names[i].name;
}

int event__each_tracepoint(void (*fn)(const char *name, void *ctx), void *ctx)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/sys/kernel/tracing/available_events", "re");

	if (!f)
		f = fopen("/sys/kernel/debug/tracing/available_events", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (fn)
			fn(line, ctx);
		n++;
	}
	fclose(f);
	return n;
}
