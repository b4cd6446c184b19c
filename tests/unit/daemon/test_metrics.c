// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_metrics.c - the Prometheus text writers: exact text for counters, gauges and one-label
 * families (HELP/TYPE once, escapes, exact values, NaN/Inf), refusals of names Prometheus
 * rejects, promtool's verdict on the lot; and this process's own metrics against independent
 * readings: getrusage for CPU, a 32 MiB allocation for RSS, five dup'd descriptors for open
 * fds, setrlimit for max fds, the test's own start time for process_start_time_seconds.
 */
#include <errno.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "daemon/metrics.h"
#include "check.h"
#include "http_fixture.h"

static char *buf;
static size_t len;

static FILE *mem__open(void)
{
	free(buf);
	buf = NULL;
	return open_memstream(&buf, &len);
}

static void test_exact_text(void)
{
	static const char *const causes[] = { "map_full", "we\"ird\\one\nline" };
	static const double lost[] = { 3, 0.1 };
	FILE *f = mem__open();

	check_int(prom__counter(f, "bpfprof_samples_total", "Samples taken.", 42), 0, "a counter");
	check_int(prom__gauge(f, "bpfprof_rss_bytes", "Back\\slash and\nnewline in help.", 1.5e9),
		  0, "a gauge");
	check_int(prom__counter_l(f, "bpfprof_samples_lost_total", "Samples lost, by cause.",
				  "cause", causes, lost, 2),
		  0, "a labeled counter");
	check_int(prom__gauge_l(f, "bpfprof_windows", "Windows.", "state", NULL, NULL, 0), 0,
		  "a labeled family without series");
	fclose(f);
	check_str(
		buf,
		"# HELP bpfprof_samples_total Samples taken.\n"
		"# TYPE bpfprof_samples_total counter\n"
		"bpfprof_samples_total 42\n"
		"# HELP bpfprof_rss_bytes Back\\\\slash and\\nnewline in help.\n"
		"# TYPE bpfprof_rss_bytes gauge\n"
		"bpfprof_rss_bytes 1500000000\n"
		"# HELP bpfprof_samples_lost_total Samples lost, by cause.\n"
		"# TYPE bpfprof_samples_lost_total counter\n"
		"bpfprof_samples_lost_total{cause=\"map_full\"} 3\n"
		"bpfprof_samples_lost_total{cause=\"we\\\"ird\\\\one\\nline\"} 0.1\n"
		"# HELP bpfprof_windows Windows.\n"
		"# TYPE bpfprof_windows gauge\n",
		"HELP/TYPE once per family, escaped help and label values, shortest exact values");
}

static void test_values(void)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ 18446744073709551615.0, "1.8446744073709552e+19" },
		{ 9007199254740993.0, "9007199254740992" }, /* 2^53 + 1 is not a double */
		{ -2.5, "-2.5" },
		{ INFINITY, "+Inf" },
		{ -INFINITY, "-Inf" },
		{ NAN, "NaN" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = mem__open();
		char want[128];

		prom__gauge(f, "v", "v", cases[i].v);
		fclose(f);
		snprintf(want, sizeof(want), "# HELP v v\n# TYPE v gauge\nv %s\n", cases[i].text);
		check_str(buf, want, cases[i].text);
		if (isfinite(cases[i].v))
			check(strtod(cases[i].text, NULL) == cases[i].v, "%s reads back exactly",
			      cases[i].text);
	}
}

static void test_refusals(void)
{
	static const char *const one[] = { "x" };
	static const double v[] = { 1 };
	FILE *f = mem__open();

	check_int(prom__counter(f, "bpfprof_samples", "h", 1), -EINVAL,
		  "a counter not ending in _total is refused");
	check_int(prom__counter(f, "_total", "h", 1), -EINVAL, "a counter named only _total");
	check_int(prom__gauge(f, "9lives", "h", 1), -EINVAL, "a name starting with a digit");
	check_int(prom__gauge(f, "bad-name", "h", 1), -EINVAL, "a name with '-'");
	check_int(prom__gauge(f, "", "h", 1), -EINVAL, "an empty name");
	check_int(prom__gauge_l(f, "g", "h", "__reserved", one, v, 1), -EINVAL,
		  "a label key starting with __");
	check_int(prom__gauge_l(f, "g", "h", "a:b", one, v, 1), -EINVAL, "a label key with ':'");
	check_int(prom__gauge_l(f, "g", "h", NULL, one, v, 1), -EINVAL,
		  "a labeled family without key");
	check_int(prom__gauge_l(f, "g", "h", "k", one, v, -1), -EINVAL, "a negative count");
	check(prom__valid_name("node:cpu_seconds:rate5m", false), "a recording-rule name with ':'");
	fclose(f);
	check_int(len, 0, "nothing written for a refused family");
}

static void burn_cpu(double s)
{
	struct timespec t0, t;
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < s);
}

static double process__read(const char *series)
{
	FILE *f = mem__open();

	metrics__process(f);
	fclose(f);
	return metric__value(buf, series);
}

static void test_process(double started)
{
	struct rlimit rl, old;
	struct rusage ru;
	double cpu, rss0, rss1, fds0, fds1, start, used;
	int fds[5];
	char *big;

	burn_cpu(0.3);
	getrusage(RUSAGE_SELF, &ru);
	used = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
	cpu = process__read("process_cpu_seconds_total");
	check(fabs(cpu - used) < 0.05, "process_cpu_seconds_total %.2f is getrusage's %.2f", cpu,
	      used);

	rss0 = process__read("process_resident_memory_bytes");
	big = malloc(32 << 20);
	memset(big, 1, 32 << 20);
	rss1 = process__read("process_resident_memory_bytes");
	check(fabs(rss1 - rss0 - (32 << 20)) < (2 << 20),
	      "process_resident_memory_bytes grew by %.1f MiB after touching 32 MiB",
	      (rss1 - rss0) / (1 << 20));
	free(big);

	fds0 = process__read("process_open_fds");
	for (int i = 0; i < 5; i++)
		fds[i] = dup(1);
	fds1 = process__read("process_open_fds");
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	check(fds0 >= 3 && fds1 - fds0 == 5, "process_open_fds %.0f -> %.0f after 5 dups", fds0,
	      fds1);

	getrlimit(RLIMIT_NOFILE, &old);
	rl = (struct rlimit){ 777, old.rlim_max };
	setrlimit(RLIMIT_NOFILE, &rl);
	check_int(process__read("process_max_fds"), 777,
		  "process_max_fds is the soft RLIMIT_NOFILE");
	setrlimit(RLIMIT_NOFILE, &old);

	start = process__read("process_start_time_seconds");
	check(start <= started + 1 && start > started - 5,
	      "process_start_time_seconds %.2f is at or just before main's %.2f", start, started);
}

/* Everything the writers produce, as one scrape, through promtool. */
static void test_promtool(void)
{
	static const char *const causes[] = { "map_full", "we\"ird\\one\nline" };
	static const double lost[] = { 3, 0.1 };
	char out[4096];
	FILE *f = mem__open();
	int rc;

	prom__counter(f, "bpfprof_samples_total", "Samples taken.", 42);
	prom__gauge(f, "bpfprof_window_seconds", "Window length.", 10);
	prom__counter_l(f, "bpfprof_samples_lost_total", "Samples lost, by cause.", "cause", causes,
			lost, 2);
	metrics__process(f);
	fclose(f);
	rc = promtool__check(buf, len, out, sizeof(out));
	if (rc < 0) {
		printf("# promtool not installed: not checked\n");
		return;
	}
	check(rc == 0, "promtool check metrics passes%s%s", rc ? ": " : "", rc ? out : "");
	f = mem__open();
	fputs("# HELP bpfprof_samples Bad.\n# TYPE bpfprof_samples counter\nbpfprof_samples 1\n",
	      f);
	fclose(f);
	check(promtool__check(buf, len, out, sizeof(out)) != 0,
	      "promtool fails a counter without _total (the check can fail)");
}

int main(void)
{
	struct timespec ts;
	double started;

	clock_gettime(CLOCK_REALTIME, &ts);
	started = ts.tv_sec + ts.tv_nsec / 1e9;
	test_exact_text();
	test_values();
	test_refusals();
	test_process(started);
	test_promtool();
	free(buf);
	return check_done();
}
