// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_record_cfg.c - `bpfprof record`'s options against a table of command lines: what each
 * one sets, and for each rejection the return value and the one line printed (captured from
 * stderr), so a message users rely on cannot change unnoticed. Then the checks made before
 * recording: -F/-c exclusive, -U/-K exclusive, -p with a COMMAND, the default rate per event,
 * -F on a tracepoint, formats per output.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "cli/record.h"

static char captured[4096];
static int saved_fd = -1;
static FILE *capture_file;

static void capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

static const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	rewind(capture_file);
	n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	if (n && captured[n - 1] == '\n') /* the one line, without its newline */
		captured[n - 1] = '\0';
	fclose(capture_file);
	return captured;
}

#define MAX_ARGS 16

/* Split a command line at spaces into argv ("record" first), in a static buffer. */
static int split(const char *line, char **argv)
{
	static char buf[512];
	int argc = 0;

	snprintf(buf, sizeof(buf), "record %s", line);
	for (char *tok = strtok(buf, " "); tok && argc < MAX_ARGS; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

struct row {
	const char *args;
	int ret;
	const char *err; /* a substring of stderr, when ret < 0 */
	int npids;
	pid_t pid0, pid1;
	uint64_t freq, period;
	double duration;
	int noutputs;
	const char *event, *format, *cmd0;
};

static const struct row rows[] = {
	{ "", 0, NULL, .event = "cpu" },
	{ "-p 12", 0, NULL, 1, 12 },
	{ "-p 12,34", 0, NULL, 2, 12, 34 },
	{ "--pid 7 -p 8", 0, NULL, 2, 7, 8 },
	{ "-p 0", -EINVAL, "pid 0 is the idle task, not a process" },
	{ "-p abc", -EINVAL, "-p needs a whole number from 1 to 4194304, not 'abc'" },
	{ "-p 12,,x", -EINVAL, "-p needs a whole number" },
	{ "-p ,", -EINVAL, "-p needs a pid, e.g. -p 1234" },
	{ "-F 999", 0, NULL, .freq = 999 },
	{ "-F 0", -EINVAL, "-F needs a whole number from 1 to" },
	{ "-F junk", -EINVAL, "(kernel.perf_event_max_sample_rate), not 'junk'" },
	{ "-c 1000", 0, NULL, .period = 1000 },
	{ "-c -5", -EINVAL, "-c needs a whole number" },
	{ "-d 2.5", 0, NULL, .duration = 2.5 },
	{ "-d -1", -EINVAL, "-d needs a positive number of seconds (up to 30 days), not '-1'" },
	{ "-d soon", -EINVAL, "-d needs a positive number" },
	{ "-d 99999999", -EINVAL, "-d needs a positive number" },
	{ "-o a.html -o a.folded", 0, NULL, .noutputs = 2 },
	{ "-o 1 -o 2 -o 3 -o 4 -o 5", -EINVAL, "at most 4 -o outputs" },
	{ "--format pprof", 0, NULL, .format = "pprof" },
	{ "-e page-faults", 0, NULL, .event = "page-faults" },
	{ "--java maybe", -EINVAL, "--java takes auto, targets or off, not 'maybe'" },
	{ "--stack-storage-size 8", -EINVAL, "--stack-storage-size needs a whole number from 64" },
	{ "--bogus", -EINVAL,
	  "bpfprof record: unknown option '--bogus'; see 'bpfprof record --help'" },
	{ "-Z", -EINVAL, "unknown option '-Z'" },
	{ "-F", -EINVAL, "bpfprof record: missing value for '-F'" },
	{ "-d 1 -- sleep 1", 0, NULL, .duration = 1, .cmd0 = "sleep" },
	{ "-d 1 sleep -F 9", 0, NULL, .duration = 1,
	  .cmd0 = "sleep" }, /* options stop at COMMAND */
};

static void check_row(const struct row *r)
{
	struct record_cfg cfg;
	char *argv[MAX_ARGS + 1];
	int argc = split(r->args, argv), ret;
	const char *err;

	capture_begin();
	ret = record_cfg__parse(&cfg, argc, argv);
	err = capture_end();
	check_int(ret, r->ret, *r->args ? r->args : "(no options)");
	if (ret < 0) {
		if (!check(strstr(err, r->err) != NULL, "  says what to type instead"))
			printf("#   got '%s', want '%s' in it\n", err, r->err);
		check(!strchr(err, '\n'), "  in one line");
	} else {
		(void)(check(!err[0], "  prints nothing") || printf("#   got '%s'\n", err));
		check_int(cfg.npids, r->npids, "  pids");
		if (r->npids)
			check_int(cfg.pids[0], r->pid0, "  first pid");
		if (r->npids > 1)
			check_int(cfg.pids[1], r->pid1, "  second pid");
		check_int(cfg.rate.freq, r->freq, "  -F");
		check_int(cfg.rate.period, r->period, "  -c");
		check(cfg.duration == r->duration, "  -d %g", cfg.duration);
		check_int(cfg.noutputs, r->noutputs, "  outputs");
		check_str(cfg.event, r->event ? r->event : "cpu", "  event");
		if (r->format)
			check_str(cfg.format, r->format, "  format");
		if (r->cmd0)
			check(cfg.cmd && !strcmp(cfg.cmd[0], r->cmd0), "  the command");
		else
			check(!cfg.cmd, "  no command");
	}
	free(cfg.pids);
}

/* record_cfg__parse then record_cfg__check: the return, and what was printed. */
static int parse_check(const char *args, struct record_cfg *cfg, enum out_format *fmts,
		       const char **err)
{
	struct event_spec ev;
	char *argv[MAX_ARGS + 1];
	int argc = split(args, argv), ret;

	capture_begin();
	ret = record_cfg__parse(cfg, argc, argv);
	if (!ret)
		ret = record_cfg__check(cfg, &ev, fmts);
	*err = capture_end();
	return ret;
}

static void check_checks(void)
{
	enum out_format fmts[MAX_OUTPUTS];
	struct record_cfg cfg;
	char args[256];
	const char *err;

	check(parse_check("-F 99 -c 1000", &cfg, fmts, &err) == -EINVAL &&
		      strstr(err, "use -F (frequency) or -c (period), not both"),
	      "-F and -c exclude each other");
	check(parse_check("-U -K", &cfg, fmts, &err) == -EINVAL &&
		      strstr(err, "-U (user only) and -K (kernel only) exclude each other"),
	      "-U and -K exclude each other");
	snprintf(args, sizeof(args), "-p %d -- sleep 1", (int)getpid());
	check(parse_check(args, &cfg, fmts, &err) == -EINVAL &&
		      strstr(err, "give -p PID or a COMMAND, not both"),
	      "-p and a COMMAND exclude each other");
	free(cfg.pids);
	check(parse_check("-- no-such-command-xyz", &cfg, fmts, &err) == -ENOENT &&
		      strstr(err, "cannot run 'no-such-command-xyz': command not found in PATH"),
	      "a COMMAND not in PATH");
	check(parse_check("-e nosuch", &cfg, fmts, &err) == -EINVAL &&
		      strstr(err, "unknown event 'nosuch'"),
	      "an unknown event (%s)", err);
	check(parse_check("-e kprobe:vfs_read -F 99", &cfg, fmts, &err) == -EINVAL &&
		      strstr(err,
			     "-F and -c apply to perf events; kprobe:vfs_read counts every hit"),
	      "-F on a probe (%s)", err);
	check(!parse_check("", &cfg, fmts, &err) && cfg.rate.freq == 99 && !cfg.rate.period,
	      "cpu defaults to -F 99 (%s)", err);
	check(!parse_check("-e page-faults", &cfg, fmts, &err) && cfg.rate.period == 1 &&
		      !cfg.rate.freq,
	      "page-faults defaults to every event");
	check(!parse_check("-o a.html -o b.pb.gz -o c.txt", &cfg, fmts, &err) &&
		      fmts[0] == FMT_HTML && fmts[1] == FMT_PPROF && fmts[2] == FMT_TEXT,
	      "each -o gets the format its extension names");
	check(!parse_check("", &cfg, fmts, &err) && fmts[0] == FMT_FOLDED, "stdout is folded");
	check(parse_check("--format nope", &cfg, fmts, &err) == -EINVAL &&
		      strstr(err, "unknown format 'nope'; use one of: folded, collapsed, html"),
	      "an unknown --format lists the formats (%s)", err);
	snprintf(args, sizeof(args), "-p %d", (int)getpid());
	check(!parse_check(args, &cfg, fmts, &err) && cfg.pids[0] == getpid(), "a live pid passes");
	free(cfg.pids);
	check(parse_check("-p 4194303", &cfg, fmts, &err) == -ESRCH &&
		      strstr(err, "no such process: 4194303"),
	      "a missing pid (%s)", err);
	free(cfg.pids);
}

static void check_help(void)
{
	struct record_cfg cfg;
	char *argv[MAX_ARGS + 1];
	int argc = split("--help", argv);
	FILE *saved = stdout;
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	int ret;

	stdout = f;
	ret = record_cfg__parse(&cfg, argc, argv);
	fclose(f);
	stdout = saved;
	check_int(ret, 1, "--help returns 1");
	check(strstr(buf, "usage: bpfprof record") != NULL, "  prints the usage");
	check(strstr(buf, "samples per second per CPU (default 99)") != NULL,
	      "  -F's default from the same macro the check uses");
	check(strstr(buf, "--max-stacks N") && strstr(buf, "(default 16384)"),
	      "  the map sizes' defaults");
	check(strstr(buf, "folded, collapsed, html, pprof, speedscope, text") != NULL,
	      "  the format list from emit's table");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	check_checks();
	check_help();
	return check_done();
}
