// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/record_cfg.c - `bpfprof record` options: parsing, usage, and the checks that must pass
 * before anything is loaded or written (see cli/record.h). Every rejection is one line naming what
 * to type instead, and exit status 2.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/options.h"
#include "cli/record.h"
#include "collect/mode.h"
#include "collect/sampler.h"
#include "collect/session.h"
#include "lib/log.h"
#include "lib/procfs.h"
#include "lib/units.h"

#define DEFAULT_HZ 99

enum {
	OPT_THREADS = 256,
	OPT_IDLE,
	OPT_FORMAT,
	OPT_TITLE,
	OPT_STACK_STORAGE,
	OPT_MAX_STACKS,
	OPT_JAVA,
	OPT_AGENT_OPTS,
	OPT_DEBUG_DIR,
	OPT_NO_STATUS,
	OPT_FULL_NAMES,
	OPT_MIN_BLOCK,
	OPT_ALLOC_INTERVAL,
	OPT_UNWIND,
};

static const struct opt record_opts[] = {
	{ "pid", 'p', "PID[,PID...]", "profile these processes (all their threads)" },
	{ "freq", 'F', "HZ", "samples per second per CPU", OPT_STR(DEFAULT_HZ) },
	{ "count", 'c', "N", "one sample every N events instead of -F" },
	{ "duration", 'd', "SECONDS",
	  "stop after this long (default: Ctrl-C, or the command's exit)" },
	{ "output", 'o', "FILE",
	  "write here (default stdout); the extension picks the format:\n.folded .collapsed .html .pb.gz .pprof .speedscope.json .txt\n(repeat -o to write several formats from one recording)" },
	{ "format", OPT_FORMAT, "F", "the format, whatever the file name", NULL,
	  emit__format_list },
	{ "event", 'e', "EVENT",
	  "cpu (default), page-faults, context-switches, ...,\ntracepoint:CAT:NAME, kprobe:FUNC, uprobe:PATH:SYMBOL (see 'bpfprof list');\nor modes: offcpu (blocked time, ns), wall (-p/COMMAND: wall time, ns),\nlock (futex waits: ns, count), alloc (malloc bytes, objects);\ncombine with commas: -e cpu,offcpu" },
	{ "min-block", OPT_MIN_BLOCK, "TIME", "offcpu: ignore blocks shorter than this", "1us" },
	{ "alloc-interval", OPT_ALLOC_INTERVAL, "SIZE",
	  "alloc: one sample per this many bytes allocated, on average", "512K" },
	{ "user", 'U', NULL, "user-space stacks only" },
	{ "kernel", 'K', NULL, "kernel stacks only" },
	{ "threads", OPT_THREADS, NULL, "add a [thread-name tid=N] frame under each process" },
	{ "idle", OPT_IDLE, NULL, "include the idle task (swapper)" },
	{ "title", OPT_TITLE, "TEXT", "title for HTML output" },
	{ "java", OPT_JAVA, "MODE",
	  "JVM agent: auto (targets, and every JVM of a host-wide\nrecording; default), targets (-p/COMMAND only), off" },
	{ "agent-opts", OPT_AGENT_OPTS, "OPTS",
	  "options for the JVM agent, e.g. unfold=off,sig=on" },
	{ "debug-dir", OPT_DEBUG_DIR, "DIR",
	  "where separate debug files live (default /usr/lib/debug)" },
	{ "full-names", OPT_FULL_NAMES, NULL,
	  "C++ names whole (parameters, template arguments, clones);\ndefault: scope and name, Foo<...>::bar, as perf shows them" },
	{ "unwind", OPT_UNWIND, "MODE",
	  "user stacks: auto (CFI tables from .eh_frame, frame pointers\nwhere there is none; default), cfi (tables only), fp" },
	{ "stack-storage-size", OPT_STACK_STORAGE, "N", "stack map entries per table set",
	  OPT_STR(SAMPLER_STACK_STORAGE) },
	{ "max-stacks", OPT_MAX_STACKS, "N", "unique stacks per in-kernel table set",
	  OPT_STR(SAMPLER_MAX_STACKS) },
	{ "no-status", OPT_NO_STATUS, NULL, "no live status line on the terminal" },
	{ "verbose", 'v', NULL, "libbpf messages, symbol sources, timings" },
	{ "help", 'h', NULL, "this help" },
	{},
};

static void record_usage(const struct opts *o, FILE *out)
{
	fprintf(out,
		"usage: bpfprof record [options] [-- COMMAND [ARGS...]]\n"
		"\n"
		"Samples kernel and user stacks with eBPF and writes a profile (folded stacks by default).\n"
		"No target: the whole host. -p: those processes. COMMAND: run it, profile it until it exits.\n"
		"\n");
	opts__usage(o, out);
	fprintf(out,
		"\n"
		"examples:\n"
		"  sudo bpfprof record -d 10 -o host.folded           # the whole host for 10 s\n"
		"  sudo bpfprof record -p 1234 -o flame.html           # one process, until Ctrl-C\n"
		"  sudo bpfprof record -F 999 -o cmd.pb.gz -- ./a.out  # a command, as pprof\n"
		"  sudo bpfprof record -e page-faults -p 1234 -d 5     # where a process faults\n"
		"  sudo bpfprof record -e offcpu -p 1234 -d 5          # where it blocks, and how long\n"
		"  sudo bpfprof record -e wall -o wall.html -- ./a.out # where its threads spend wall time\n"
		"  sudo bpfprof record -e lock,alloc -p 1234 -o p.pb.gz  # who waits on locks, who allocates\n");
}

static int parse_u64(const char *s, const char *opt, uint64_t min, uint64_t max, uint64_t *out)
{
	bool rate = !strcmp(opt, "-F");
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || v < min || v > max) {
		fprintf(stderr, "bpfprof: %s needs a whole number from %llu to %llu%s, not '%s'\n",
			opt, (unsigned long long)min, (unsigned long long)max,
			rate ? " (kernel.perf_event_max_sample_rate)" : "", s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_pids(struct record_cfg *cfg, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	uint64_t v;
	int err = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		pid_t *p = realloc(cfg->pids, (cfg->npids + 1) * sizeof(*p));

		if (!p)
			err = -ENOMEM;
		else if (!strcmp(tok, "0"))
			err = -EINVAL,
			fprintf(stderr,
				"bpfprof: pid 0 is the idle task, not a process; record without -p (and with --idle) to see idle time\n");
		else if (!(err = parse_u64(tok, "-p", 1, 4194304, &v)))
			p[cfg->npids++] = v;
		if (p)
			cfg->pids = p;
	}
	if (!cfg->npids && !err)
		err = -EINVAL,
		fprintf(stderr, "bpfprof: -p needs a pid, e.g. -p 1234 or -p 1234,5678\n");
	free(copy);
	return err;
}

static uint64_t max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
	unsigned long long v = 100000;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 100000;
		fclose(f);
	}
	return v;
}

static int parse_duration(struct record_cfg *cfg, const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(d) || d <= 0 || d > 30 * 86400) {
		fprintf(stderr,
			"bpfprof: -d needs a positive number of seconds (up to 30 days), not '%s'\n",
			s);
		return -EINVAL;
	}
	cfg->duration = d;
	return 0;
}

static int parse_java(struct record_cfg *cfg, const char *s)
{
	if (!strcmp(s, "auto") || !strcmp(s, "on"))
		cfg->java = JAVA_AUTO;
	else if (!strcmp(s, "targets"))
		cfg->java = JAVA_TARGETS;
	else if (!strcmp(s, "off"))
		cfg->java = JAVA_OFF;
	else
		return fprintf(stderr, "bpfprof: --java takes auto, targets or off, not '%s'\n", s),
		       -EINVAL;
	return 0;
}

static int parse_unwind(struct record_cfg *cfg, const char *s)
{
	if (!strcmp(s, "auto"))
		cfg->unwind = UNWIND_MODE_AUTO;
	else if (!strcmp(s, "cfi"))
		cfg->unwind = UNWIND_MODE_CFI;
	else if (!strcmp(s, "fp"))
		cfg->unwind = UNWIND_MODE_FP;
	else
		return fprintf(stderr, "bpfprof: --unwind takes auto, cfi or fp, not '%s'\n", s),
		       -EINVAL;
	return 0;
}

static int parse_min_block(struct record_cfg *cfg, const char *s)
{
	double sec;

	if (units__duration(s, &sec) || sec > 3600)
		return fprintf(stderr,
			       "bpfprof: --min-block needs a duration up to 1h such as 10us, 1ms or 0, not '%s'\n",
			       s),
		       -EINVAL;
	cfg->min_block_ns = sec * 1e9 + 0.5;
	cfg->min_block_set = true;
	return 0;
}

static int parse_alloc_interval(struct record_cfg *cfg, const char *s)
{
	uint64_t bytes;

	if (units__size(s, &bytes) || !bytes || bytes > (1ULL << 40))
		return fprintf(stderr,
			       "bpfprof: --alloc-interval needs a size from 1 byte to 1T such as 512K or 1M, not '%s'\n",
			       s),
		       -EINVAL;
	cfg->alloc_interval = bytes;
	return 0;
}

int record_cfg__option(struct record_cfg *cfg, int c, const char *arg)
{
	uint64_t v;
	int err = 0;

	switch (c) {
	case 'p':
		return parse_pids(cfg, arg);
	case 'F':
		err = parse_u64(arg, "-F", 1, max_sample_rate(), &v);
		cfg->rate.freq = v;
		return err;
	case 'c':
		err = parse_u64(arg, "-c", 1, UINT64_MAX / 2, &v);
		cfg->rate.period = v;
		return err;
	case 'd':
		return parse_duration(cfg, arg);
	case 'o':
		if (cfg->noutputs == MAX_OUTPUTS)
			return fprintf(stderr, "bpfprof: at most %d -o outputs\n", MAX_OUTPUTS),
			       -EINVAL;
		cfg->outputs[cfg->noutputs++] = arg;
		return 0;
	case 'e':
		cfg->event = arg;
		return 0;
	case 'U':
		cfg->user_only = true;
		return 0;
	case 'K':
		cfg->kernel_only = true;
		return 0;
	case 'v':
		cfg->verbose = true;
		log__set_level(LOG_DEBUG); /* the one place -v decides what is shown */
		cfg->status = false;
		return 0;
	case OPT_THREADS:
		cfg->threads = true;
		return 0;
	case OPT_IDLE:
		cfg->idle = true;
		return 0;
	case OPT_FORMAT:
		cfg->format = arg;
		return 0;
	case OPT_TITLE:
		cfg->title = arg;
		return 0;
	case OPT_STACK_STORAGE:
		err = parse_u64(arg, "--stack-storage-size", 64, 1 << 22, &v);
		cfg->stack_storage = v;
		return err;
	case OPT_MAX_STACKS:
		err = parse_u64(arg, "--max-stacks", 64, 1 << 24, &v);
		cfg->max_stacks = v;
		return err;
	case OPT_JAVA:
		return parse_java(cfg, arg);
	case OPT_AGENT_OPTS:
		cfg->agent_opts = arg;
		return 0;
	case OPT_DEBUG_DIR:
		cfg->debug_dir = arg;
		return 0;
	case OPT_NO_STATUS:
		cfg->status = false;
		return 0;
	case OPT_FULL_NAMES:
		cfg->full_names = true;
		return 0;
	case OPT_UNWIND:
		return parse_unwind(cfg, arg);
	case OPT_MIN_BLOCK:
		return parse_min_block(cfg, arg);
	case OPT_ALLOC_INTERVAL:
		return parse_alloc_interval(cfg, arg);
	default:
		return -EINVAL;
	}
}

int record_cfg__option_named(struct record_cfg *cfg, const char *name, const char *arg)
{
	for (const struct opt *o = record_opts; o->name; o++)
		if (!strcmp(o->name, name))
			return record_cfg__option(cfg, o->key, arg);
	return -EINVAL;
}

void record_cfg__defaults(struct record_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->event = "cpu";
	cfg->status = isatty(STDERR_FILENO) && !getenv("CI");
}

void record_cfg__session(const struct record_cfg *cfg, const struct event_spec *ev,
			 struct session_cfg *sc)
{
	static const enum session_java java[] = {
		[JAVA_AUTO] = SESSION_JAVA_AUTO,
		[JAVA_TARGETS] = SESSION_JAVA_TARGETS,
		[JAVA_OFF] = SESSION_JAVA_OFF,
	};

	*sc = (struct session_cfg){
		.pids = cfg->pids,
		.npids = cfg->npids,
		.cmd = cfg->cmd,
		.ev = ev,
		.rate = &cfg->rate,
		.debug_dir = cfg->debug_dir,
		.java = java[cfg->java],
		.runtimes = { .agent_opts = cfg->agent_opts },
		.stack_storage = cfg->stack_storage,
		.max_stacks = cfg->max_stacks,
		.user_only = cfg->user_only,
		.kernel_only = cfg->kernel_only,
		.threads = cfg->threads,
		.idle = cfg->idle,
		.verbose = cfg->verbose,
		.full_names = cfg->full_names,
		.unwind = cfg->unwind,
	};
}

int record_cfg__parse(struct record_cfg *cfg, int argc, char **argv)
{
	struct opts o;
	int c, err;

	record_cfg__defaults(cfg);
	opts__init(&o, "record", record_opts, true);
	while ((c = opts__next(&o, argc, argv)) != -1) {
		if (c == 'h') {
			record_usage(&o, stdout);
			return 1;
		}
		if (c == '?')
			return -EINVAL;
		err = record_cfg__option(cfg, c, optarg);
		if (err)
			return err;
	}
	if (optind < argc)
		cfg->cmd = &argv[optind];
	return 0;
}

/* A pid given with -p: must exist and not be a zombie, and a thread id means its process. */
static int check_pid(pid_t *pid)
{
	char *status = procfs__read(*pid, "status", NULL);
	const char *tgid = status ? procfs__field(status, "Tgid:") : NULL;

	if (!status) {
		fprintf(stderr, "bpfprof: no such process: %d (check the pid with 'ps -p %d')\n",
			*pid, *pid);
		return -ESRCH;
	}
	if (tgid)
		*pid = atoi(tgid);
	free(status);
	if (!procfs__alive(*pid)) {
		fprintf(stderr,
			"bpfprof: process %d has exited (a zombie its parent has not reaped; see 'ps -o ppid= -p %d'): nothing to record\n",
			*pid, *pid);
		return -ESRCH;
	}
	return 0;
}

static int record_cfg__check_combos(const struct record_cfg *cfg)
{
	if (cfg->rate.freq && cfg->rate.period)
		return fprintf(stderr, "bpfprof: use -F (frequency) or -c (period), not both\n"),
		       -EINVAL;
	if (cfg->user_only && cfg->kernel_only)
		return fprintf(stderr,
			       "bpfprof: -U (user only) and -K (kernel only) exclude each other; drop both for full stacks\n"),
		       -EINVAL;
	if (cfg->npids && cfg->cmd)
		return fprintf(stderr, "bpfprof: give -p PID or a COMMAND, not both\n"), -EINVAL;
	return 0;
}

/* The command must be runnable: found now, not after BPF is loaded and the output opened. */
static int check_command(char *const *cmd)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!cmd)
		return 0;
	if (strchr(cmd[0], '/')) {
		if (!access(cmd[0], X_OK))
			return 0;
		return fprintf(stderr, "bpfprof: cannot run '%s': %s\n", cmd[0], strerror(errno)),
		       -ENOENT;
	}
	while (path && *path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", cmd[0]);
		if (!access(buf, X_OK))
			return 0;
		path += len + (path[len] == ':');
	}
	fprintf(stderr, "bpfprof: cannot run '%s': command not found in PATH\n", cmd[0]);
	return -ENOENT;
}

int record_cfg__check(struct record_cfg *cfg, struct event_spec *ev, enum out_format *fmts)
{
	char why[512];
	int i, err;

	if ((err = record_cfg__check_combos(cfg)) || (err = check_command(cfg->cmd)))
		return err;
	if (event__needs_tracefs(cfg->event) && event__mount_tracefs(why, sizeof(why)))
		pr_warn("%s", why); /* the parse below says which tracepoint is missing */
	if (event__parse(cfg->event, ev, why, sizeof(why)))
		return fprintf(stderr, "bpfprof: %s\n", why), -EINVAL;
	if (cfg->min_block_set)
		ev->min_block_ns = cfg->min_block_ns;
	if (cfg->alloc_interval)
		ev->alloc_interval = cfg->alloc_interval;
	if (mode__check(ev, cfg->npids || cfg->cmd, why, sizeof(why)))
		return fprintf(stderr, "bpfprof: %s\n", why), -EINVAL;
	if (ev->kind == EV_PERF && !cfg->rate.freq && !cfg->rate.period) {
		if (ev->is_time)
			cfg->rate.freq = DEFAULT_HZ;
		else
			cfg->rate.period = 1; /* every fault / switch: exact counts */
	}
	if (ev->kind == EV_NONE) /* modes only: each counts every event; a default -F is moot */
		cfg->rate = (struct sample_rate){ 0 };
	if (ev->kind != EV_PERF && (cfg->rate.freq || cfg->rate.period))
		return fprintf(stderr,
			       "bpfprof: -F and -c apply to perf events; %s counts every hit\n",
			       ev->name),
		       -EINVAL;
	for (i = 0; i < cfg->npids; i++) {
		if ((err = check_pid(&cfg->pids[i])))
			return err;
	}
	if (!cfg->noutputs)
		return emit__parse_format(cfg->format, NULL, &fmts[0]);
	for (i = 0; i < cfg->noutputs; i++) {
		if ((err = emit__parse_format(cfg->format, cfg->outputs[i], &fmts[i])))
			return err;
	}
	return 0;
}
