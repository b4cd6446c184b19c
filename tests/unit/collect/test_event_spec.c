// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_event_spec.c - the -e parser against a table of names: perf events and their aliases,
 * tracepoints (present, missing, malformed), kprobes, uprobes (present, missing binary,
 * malformed) and junk, with the one-line reasons users read; and the hints event__explain gives.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "check.h"
#include "collect/event_spec.h"
#include "collect/mode.h"

struct row {
	const char *in;
	int ret;
	enum event_kind kind;
	const char *name;  /* canonical name, or NULL not to check */
	const char *func;  /* tracepoint name, kprobe function, uprobe symbol */
	const char *where; /* tracepoint category or uprobe path */
	const char *err;   /* a substring of the reason, when ret != 0 */
};

static const struct row rows[] = {
	{ "cpu", 0, EV_PERF, "cpu" },
	{ "cpu-clock", 0, EV_PERF, "cpu" },
	{ "page-faults", 0, EV_PERF, "page-faults" },
	{ "faults", 0, EV_PERF, "page-faults" },
	{ "cs", 0, EV_PERF, "context-switches" },
	{ "cycles", 0, EV_PERF, "cycles" },
	{ "kprobe:do_sys_openat2", 0, EV_KPROBE, NULL, "do_sys_openat2" },
	{ "uprobe:/proc/self/exe:main", 0, EV_UPROBE, NULL, "main", "/proc/self/exe" },
	{ "uprobe:/nonexistent/bin:malloc", -ENOENT, 0, NULL, NULL, NULL,
	  "uprobe binary /nonexistent/bin: No such file or directory" },
	{ "uprobe:nocolon", -EINVAL, 0, NULL, NULL, NULL,
	  "bad uprobe 'nocolon': use uprobe:PATH:SYMBOL" },
	{ "uprobe:/bin/true:", -EINVAL, 0, NULL, NULL, NULL, "bad uprobe" },
	{ "tracepoint:nosuch:thing", -ENOENT, 0, NULL, NULL, NULL,
	  "no tracepoint nosuch:thing on this kernel" },
	{ "tracepoint:sched", -EINVAL, 0, NULL, NULL, NULL,
	  "bad tracepoint 'sched': use tracepoint:CATEGORY:NAME" },
	{ "tracepoint::x", -EINVAL, 0, NULL, NULL, NULL, "bad tracepoint" },
	{ "tracepoint:a:b:c", -EINVAL, 0, NULL, NULL, NULL, "bad tracepoint" },
	{ "kprobe:", -EINVAL, 0, NULL, NULL, NULL, "unknown event 'kprobe:'" },
	{ "junk", -EINVAL, 0, NULL, NULL, NULL,
	  "unknown event 'junk'; run 'bpfprof list' to see the events this host supports" },
	{ "", -EINVAL, 0, NULL, NULL, NULL, "unknown event ''" },
	{ "CPU", -EINVAL, 0, NULL, NULL, NULL, "unknown event 'CPU'" },
};

static void check_row(const struct row *r)
{
	struct event_spec ev;
	char err[512] = "";
	int ret = event__parse(r->in, &ev, err, sizeof(err));

	check_int(ret, r->ret, r->in);
	if (ret) {
		if (!check(strstr(err, r->err) != NULL, "  '%s': the reason says what to type",
			   r->in))
			printf("#   got '%s', want '%s' in it\n", err, r->err);
		return;
	}
	check_int(ev.kind, r->kind, "  its kind");
	if (r->name)
		check_str(ev.name, r->name, "  its canonical name");
	if (r->func)
		check_str(ev.func, r->func, "  its function");
	if (r->where)
		check_str(r->kind == EV_UPROBE ? ev.path : ev.category, r->where, "  its path");
}

/* A tracepoint every kernel has, when tracefs can be mounted here (root). */
static void check_tracepoint(void)
{
	struct event_spec ev;
	char err[512] = "";
	struct stat st;

	if (event__mount_tracefs(err, sizeof(err)) ||
	    (stat("/sys/kernel/tracing/events/sched", &st) &&
	     stat("/sys/kernel/debug/tracing/events/sched", &st))) {
		printf("# skipped present tracepoints: %s\n", err[0] ? err : "no sched events");
		return;
	}
	check_int(event__parse("tracepoint:sched:sched_switch", &ev, err, sizeof(err)), 0,
		  "tracepoint:sched:sched_switch");
	check_int(ev.kind, EV_TRACEPOINT, "  is a tracepoint");
	check_str(ev.category, "sched", "  its category");
	check_str(ev.func, "sched_switch", "  its name");
	check_int(event__parse("t:sched:sched_switch", &ev, err, sizeof(err)), 0,
		  "t: is short for tracepoint:");
}

static void check_time_events(void)
{
	struct event_spec ev;
	char err[128];

	event__parse("cpu", &ev, err, sizeof(err));
	check(ev.is_time && ev.type == PERF_TYPE_SOFTWARE && ev.config == PERF_COUNT_SW_CPU_CLOCK,
	      "cpu counts time (-F applies)");
	event__parse("task-clock", &ev, err, sizeof(err));
	check(ev.is_time, "task-clock counts time");
	event__parse("page-faults", &ev, err, sizeof(err));
	check(!ev.is_time && ev.config == PERF_COUNT_SW_PAGE_FAULTS, "page-faults counts events");
	event__parse("cycles", &ev, err, sizeof(err));
	check(ev.type == PERF_TYPE_HARDWARE && ev.config == PERF_COUNT_HW_CPU_CYCLES,
	      "cycles is a hardware event");
}

static void check_needs_tracefs(void)
{
	check(event__needs_tracefs("tracepoint:sched:sched_switch"), "tracepoint: needs tracefs");
	check(event__needs_tracefs("t:sched:sched_switch"), "t: needs tracefs");
	check(!event__needs_tracefs("cpu"), "cpu does not");
	check(!event__needs_tracefs("kprobe:vfs_read"), "kprobe: does not");
	check(!event__needs_tracefs(NULL), "NULL does not");
}

static void check_explain(void)
{
	struct event_spec ev;
	char err[128], why[512];

	event__parse("cycles", &ev, err, sizeof(err));
	event__explain(&ev, -ENOENT, why, sizeof(why));
	check(strstr(why, "needs a hardware PMU") && strstr(why, "use -e cpu"),
	      "no PMU: says to use -e cpu (%s)", why);
	event__parse("cpu", &ev, err, sizeof(err));
	event__explain(&ev, -EACCES, why, sizeof(why));
	check(strstr(why, "kernel.perf_event_paranoid=1") != NULL,
	      "not allowed: names the sysctl (%s)", why);
	event__explain(&ev, -EINVAL, why, sizeof(why));
	check(strstr(why, "lower -F") != NULL, "rate rejected: says to lower -F (%s)", why);
	event__explain(&ev, -EBUSY, why, sizeof(why));
	check(strstr(why, "cannot open perf event 'cpu'") != NULL, "otherwise: the error (%s)",
	      why);
}

static void check_online_cpus(void)
{
	int *cpus = NULL;
	int n = online_cpus(&cpus);

	check(n > 0 && cpus && cpus[0] >= 0, "online_cpus: %d CPUs, the first %d", n,
	      cpus ? cpus[0] : -1);
	free(cpus);
}

/* -e lists: modes with or without an event, what does not combine, and the profile columns. */
static void check_modes(void)
{
	static const struct {
		const char *in;
		enum event_kind kind;
		uint32_t modes;
		const char *col0, *col1; /* "type/unit" of columns 0 and 1 ("" none) */
		const char *err;	 /* a substring of the error, NULL: parses */
	} rows[] = {
		{ "offcpu", EV_NONE, MODE_BIT(MODE_OFFCPU), "off_cpu/nanoseconds", "", NULL },
		{ "wall", EV_PERF, MODE_BIT(MODE_WALL), "wall/nanoseconds", "", NULL },
		{ "lock", EV_NONE, MODE_BIT(MODE_LOCK), "delay/nanoseconds", "contentions/count",
		  NULL },
		{ "alloc", EV_NONE, MODE_BIT(MODE_ALLOC), "alloc_space/bytes",
		  "alloc_objects/count", NULL },
		{ "cpu,offcpu", EV_PERF, MODE_BIT(MODE_OFFCPU), "cpu/nanoseconds",
		  "off_cpu/nanoseconds", NULL },
		{ "offcpu,cpu", EV_PERF, MODE_BIT(MODE_OFFCPU), "cpu/nanoseconds",
		  "off_cpu/nanoseconds", NULL },
		{ "lock,alloc", EV_NONE, MODE_BIT(MODE_LOCK) | MODE_BIT(MODE_ALLOC),
		  "delay/nanoseconds", "alloc_space/bytes", NULL },
		{ "cpu", EV_PERF, 0, "samples/count", "", NULL },
		{ "wall,offcpu", EV_NONE, 0, "", "", "stands alone" },
		{ "cpu,wall", EV_NONE, 0, "", "", "stands alone" },
		{ "offcpu,offcpu", EV_NONE, 0, "", "", "names offcpu twice" },
		{ "cpu,page-faults", EV_NONE, 0, "", "", "one event at a time" },
		{ "offcpu,nosuch", EV_NONE, 0, "", "", "unknown event 'nosuch'" },
		{ "tracepoint:sched:sched_switch,offcpu", EV_NONE, 0, "", "", "combines with cpu" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pf_value_type t[PROFILE_MAX_VALUES] = {};
		struct sample_columns cols;
		struct event_spec ev;
		char err[512] = "", c0[80] = "", c1[80] = "";
		int rc = event__parse(rows[i].in, &ev, err, sizeof(err)), n;

		if (rows[i].err) {
			check(rc < 0 && strstr(err, rows[i].err), "'%s' refused: %s", rows[i].in,
			      err);
			continue;
		}
		n = mode__layout(&ev, t, &cols);
		if (n > 0)
			snprintf(c0, sizeof(c0), "%s/%s", t[0].type, t[0].unit);
		if (n > 1)
			snprintf(c1, sizeof(c1), "%s/%s", t[1].type, t[1].unit);
		check(rc == 0 && ev.kind == rows[i].kind && ev.modes == rows[i].modes &&
			      !strcmp(c0, rows[i].col0) && !strcmp(c1, rows[i].col1) &&
			      !strcmp(ev.name, rows[i].in),
		      "'%s': kind %d modes %#x columns '%s' '%s' (%s)", rows[i].in, ev.kind,
		      ev.modes, c0, c1, err);
	}
}

int main(void)
{
	check_modes();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	check_tracepoint();
	check_time_events();
	check_needs_tracefs();
	check_explain();
	check_online_cpus();
	return check_done();
}
