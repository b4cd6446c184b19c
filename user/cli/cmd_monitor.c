// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_monitor.c - `bpfprof monitor`: continuous profiling of the host (or some processes) in
 * windows, kept on disk, served over HTTP, pushed to a Pyroscope-compatible backend.
 *
 * Every option is checked before anything is loaded (a bad --window, --retain, --max-disk,
 * --listen or --push is one line and exit 2); then daemon/monitor.h does the work until SIGINT,
 * SIGTERM or `bpfprof stop`. Sampling options are record's (cli/record_cfg.c), parsed by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/record.h"
#include "daemon/control.h"
#include "daemon/http.h"
#include "daemon/monitor.h"
#include "lib/log.h"
#include "lib/units.h"

#define DEFAULT_RETAIN "24h"
#define DEFAULT_MAX_DISK "1G"
#define DEFAULT_SPOOL_MAX "256M"

enum {
	OPT_WINDOW = 512,
	OPT_DIR,
	OPT_NO_HISTORY,
	OPT_RETAIN,
	OPT_MAX_DISK,
	OPT_LISTEN,
	OPT_LISTEN_ANY,
	OPT_PUSH,
	OPT_SERVICE_LABEL,
	OPT_PUSH_FORMAT,
	OPT_SPOOL_MAX,
	OPT_SOCKET,
	OPT_COMM,
	OPT_CGROUP,
	OPT_CONFIG,
	OPT_SHARED = 1024, /* record's options, handed over by name */
};

static const struct opt monitor_opts[] = {
	{ "pid", 'p', "PID[,PID...]", "only these processes (default: the whole host)" },
	{ "comm", OPT_COMM, "REGEX", "only processes whose name matches (extended regex)" },
	{ "cgroup", OPT_CGROUP, "PATH", "only processes under this cgroup v2 path" },
	{ "freq", 'F', "HZ", "samples per second per CPU", OPT_STR(MONITOR_DEFAULT_HZ) },
	{ "event", 'e', "EVENT", "what to sample (see 'bpfprof list'; default cpu)" },
	{ "window", OPT_WINDOW, "DURATION", "one profile per window, e.g. 10s, 1m", "10s" },
	{ "dir", OPT_DIR, "DIR", "history: one gzip'd pprof per window", HISTORY_DEFAULT_DIR },
	{ "no-history", OPT_NO_HISTORY, NULL, "keep no history on disk" },
	{ "retain", OPT_RETAIN, "DURATION", "delete windows older than this", DEFAULT_RETAIN },
	{ "max-disk", OPT_MAX_DISK, "SIZE", "keep the history under this size", DEFAULT_MAX_DISK },
	{ "listen", OPT_LISTEN, "ADDR:PORT",
	  "serve /debug/pprof/profile, /profile, /metrics, /healthz\n(loopback only unless --listen-any)" },
	{ "listen-any", OPT_LISTEN_ANY, NULL, "allow a non-loopback --listen address" },
	{ "push", OPT_PUSH, "URL", "push every window to a Pyroscope-compatible server" },
	{ "service-label", OPT_SERVICE_LABEL, "KEY",
	  "label whose value names a pushed series (comm, exe,\ncontainer_id, systemd_unit, ...)",
	  "comm" },
	{ "push-format", OPT_PUSH_FORMAT, "FMT", "pprof or folded", "pprof" },
	{ "spool-max", OPT_SPOOL_MAX, "SIZE", "windows kept for an unreachable push server",
	  DEFAULT_SPOOL_MAX },
	{ "socket", OPT_SOCKET, "PATH", "control socket for status, dump, stop",
	  CONTROL_MONITOR_SOCKET },
	{ "config", OPT_CONFIG, "FILE",
	  "more options, one per line ('window 10s'); read again on\nSIGHUP (window, retain, max-disk change at once)" },
	{ "java", OPT_SHARED + 1, "MODE", "JVM agent: auto (default), off" },
	{ "threads", OPT_SHARED + 2, NULL, "add a thread frame under each process" },
	{ "debug-dir", OPT_SHARED + 3, "DIR", "where separate debug files live" },
	{ "unwind", OPT_SHARED + 4, "MODE",
	  "user stacks: fp (frame pointers), or auto/cfi (whole stacks\nwithout them, but each new binary's tables cost CPU)",
	  "fp" },
	{ "min-block", OPT_SHARED + 5, "TIME", "-e offcpu: ignore blocks shorter than this" },
	{ "verbose", 'v', NULL, "log each window and libbpf's messages" },
	{ "help", 'h', NULL, "this help" },
	{},
};

struct monitor_args {
	struct config_file *conf; /* --config's words, kept while pointers into them live */
	struct record_cfg rc;
	struct event_spec ev;
	struct monitor_cfg mc;
	const char *retain, *max_disk, *spool_max, *window, *push_format;
	char spool_dir[4096];
	bool no_history;
};

/* The options file as argv words: "window 10s" / "window = 10s" -> "--window" "10s". */
struct config_file {
	char *text;
	char **words;
	int n;
};

static void config_file__free(struct config_file *c)
{
	if (!c)
		return;
	free(c->text);
	free(c->words);
	free(c);
}

static int config_file__add(struct config_file *c, char *w)
{
	char **more = realloc(c->words, (c->n + 1) * sizeof(*more));

	if (!more)
		return -ENOMEM;
	c->words = more;
	c->words[c->n++] = w;
	return 0;
}

/* One line: "key", "key value" or "key = value"; # comments. */
static int config_file__line(struct config_file *c, char *line)
{
	char *key, *val, *save = NULL;
	int e;

	line[strcspn(line, "#")] = '\0';
	key = strtok_r(line, " \t\r\n=", &save);
	if (!key)
		return 0;
	val = strtok_r(NULL, " \t\r\n=", &save);
	key -= 2; /* the line is stored after "--" padding: see config_file__read */
	key[0] = key[1] = '-';
	if ((e = config_file__add(c, key)))
		return e;
	return val ? config_file__add(c, val) : 0;
}

/* NULL *out when path does not exist (the unit always names one). 0 or -errno. */
static int config_file__read(const char *path, struct config_file **out)
{
	struct config_file *c;
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t used = 0, cap = 0;
	int e = 0;

	*out = NULL;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	c = calloc(1, sizeof(*c));
	/* each line is copied with two spare bytes in front, for the "--" of its key */
	while (c && !e && fgets(line, sizeof(line), f)) {
		size_t len = strlen(line) + 3;

		if (used + len > cap) {
			e = -E2BIG; /* one buffer, never moved: the words point into it */
			if (!cap && (c->text = malloc(cap = 1 << 16)))
				e = 0;
			if (used + len > cap)
				break;
		}
		memcpy(c->text + used + 2, line, len - 2);
		e = config_file__line(c, c->text + used + 2);
		used += len;
	}
	fclose(f);
	if (!c)
		return -ENOMEM;
	if (e) {
		config_file__free(c);
		return e;
	}
	*out = c;
	return 0;
}

static void monitor_usage(const struct opts *o, FILE *out)
{
	fprintf(out,
		"usage: bpfprof monitor [options]\n"
		"\n"
		"Profiles the host continuously at a low rate and keeps every window: on disk (see\n"
		"'bpfprof report --dir'), over HTTP (go tool pprof, Prometheus), pushed to Pyroscope.\n"
		"Runs until SIGINT/SIGTERM or 'bpfprof stop'; see 'bpfprof status' and 'bpfprof dump'.\n"
		"\n");
	opts__usage(o, out);
	fprintf(out,
		"\n"
		"examples:\n"
		"  sudo bpfprof monitor --listen 127.0.0.1:6060     # then: go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=30\n"
		"  sudo bpfprof monitor --push http://pyroscope:4040 --window 15s\n"
		"  sudo bpfprof report --dir /var/lib/bpfprof --from -1h -o last-hour.html\n");
}

static int bad(const char *opt, const char *value, const char *want)
{
	fprintf(stderr, "bpfprof: %s needs %s, not '%s'\n", opt, want, value);
	return -EINVAL;
}

static int shared_option(struct monitor_args *a, int key, const char *arg)
{
	for (const struct opt *o = monitor_opts; o->name; o++)
		if (o->key == key)
			return record_cfg__option_named(&a->rc, o->name, arg);
	return -EINVAL;
}

static int monitor_option(struct monitor_args *a, int c, const char *arg)
{
	struct monitor_cfg *mc = &a->mc;

	switch (c) {
	case OPT_WINDOW:
		a->window = arg;
		return 0;
	case OPT_DIR:
		mc->history.dir = arg;
		return 0;
	case OPT_NO_HISTORY:
		a->no_history = true;
		return 0;
	case OPT_RETAIN:
		a->retain = arg;
		return 0;
	case OPT_MAX_DISK:
		a->max_disk = arg;
		return 0;
	case OPT_LISTEN:
		mc->listen = arg;
		return 0;
	case OPT_LISTEN_ANY:
		mc->listen_any = true;
		return 0;
	case OPT_PUSH:
		mc->push.url = arg;
		return 0;
	case OPT_SERVICE_LABEL:
		mc->push.service_label = arg;
		return 0;
	case OPT_PUSH_FORMAT:
		a->push_format = arg;
		return 0;
	case OPT_SPOOL_MAX:
		a->spool_max = arg;
		return 0;
	case OPT_SOCKET:
		mc->socket = arg;
		return 0;
	case OPT_COMM:
		mc->session.comm = arg;
		return 0;
	case OPT_CGROUP:
		mc->session.cgroup = arg;
		return 0;
	case OPT_CONFIG:
		return 0; /* read before parsing (monitor_load) */
	case 'p':
	case 'F':
	case 'e':
	case 'v':
		return record_cfg__option(&a->rc, c, arg);
	default:
		return c > OPT_SHARED ? shared_option(a, c, arg) : -EINVAL;
	}
}

/* --config's value from the command line, or NULL. */
static const char *config_path(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--config=", 9))
			return argv[i] + 9;
	}
	return NULL;
}

static void monitor_defaults(struct monitor_args *a)
{
	record_cfg__defaults(&a->rc);
	a->rc.status = false;
	a->rc.rate.freq = MONITOR_DEFAULT_HZ;
	/*
	 * Building CFI tables for every new binary took 7.7 % of a core on a churning build host
	 * against 1.9 % with frame pointers: too much for an always-on monitor until they are
	 * cached across runs. --unwind auto asks for them.
	 */
	a->rc.unwind = UNWIND_MODE_FP;
	a->window = "10s";
	a->retain = DEFAULT_RETAIN;
	a->max_disk = DEFAULT_MAX_DISK;
	a->spool_max = DEFAULT_SPOOL_MAX;
	a->push_format = "pprof";
	a->mc.history.dir = HISTORY_DEFAULT_DIR;
	a->mc.socket = CONTROL_MONITOR_SOCKET;
}

/* The options file first, the command line after it (so it wins), as one argv. */
static int monitor_parse(struct monitor_args *a, int argc, char **argv)
{
	const char *conf = config_path(argc, argv);
	char **all;
	int n = 1, c, err = 0;
	struct opts o;

	monitor_defaults(a);
	if (conf && (err = config_file__read(conf, &a->conf))) {
		fprintf(stderr, "bpfprof: cannot read --config '%s': %s\n", conf, strerror(-err));
		return -EINVAL;
	}
	all = calloc(argc + (a->conf ? a->conf->n : 0) + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	all[0] = argv[0];
	for (int i = 0; a->conf && i < a->conf->n; i++)
		all[n++] = a->conf->words[i];
	for (int i = 1; i < argc; i++)
		all[n++] = argv[i];
	opts__init(&o, "monitor", monitor_opts, false);
	while (!err && (c = opts__next(&o, n, all)) != -1) {
		if (c == 'h')
			err = 1, monitor_usage(&o, stdout);
		else if (c == '?')
			err = -EINVAL;
		else
			err = monitor_option(a, c, optarg);
	}
	if (!err && optind < n) {
		fprintf(stderr,
			"bpfprof: monitor takes no operands ('%s'); see 'bpfprof monitor --help'\n",
			all[optind]);
		err = -EINVAL;
	}
	free(all);
	return err;
}

/* Everything a user can get wrong, before anything is loaded. */
static int monitor_check(struct monitor_args *a)
{
	struct monitor_cfg *mc = &a->mc;
	struct sockaddr_storage ss;
	enum out_format fmts[MAX_OUTPUTS];
	char err[256];

	if (units__duration(a->window, &mc->window_s) || mc->window_s < 1 || mc->window_s > 3600)
		return bad("--window", a->window, "a duration from 1s to 1h (e.g. 10s, 1m)");
	if (units__duration(a->retain, &mc->history.retain_s) || mc->history.retain_s < 0)
		return bad("--retain", a->retain, "a duration (e.g. 24h, 7d)");
	if (units__size(a->max_disk, &mc->history.max_bytes))
		return bad("--max-disk", a->max_disk, "a size (e.g. 500M, 1G)");
	if (units__size(a->spool_max, &mc->push.spool_max_bytes))
		return bad("--spool-max", a->spool_max, "a size (e.g. 256M)");
	if (strcmp(a->push_format, "pprof") && strcmp(a->push_format, "folded"))
		return bad("--push-format", a->push_format, "pprof or folded");
	mc->push.folded = !strcmp(a->push_format, "folded");
	if (mc->listen && http__parse_listen(mc->listen, mc->listen_any, &ss, err, sizeof(err)))
		return fprintf(stderr, "bpfprof: %s\n", err), -EINVAL;
	if (mc->push.url && push__check_url(mc->push.url, err, sizeof(err)))
		return fprintf(stderr, "bpfprof: %s\n", err), -EINVAL;
	if (record_cfg__check(&a->rc, &a->ev, fmts))
		return -EINVAL;
	if (a->no_history)
		mc->history.dir = NULL;
	snprintf(a->spool_dir, sizeof(a->spool_dir), "%s/spool",
		 mc->history.dir ? mc->history.dir : HISTORY_DEFAULT_DIR);
	mc->push.spool_dir = a->spool_dir;
	mc->push.sample_rate = a->rc.rate.freq;
	return 0;
}

struct reload_ctx {
	int argc;
	char **argv;
	struct monitor_args *now;
};

static void args__free(struct monitor_args *a)
{
	free(a->rc.pids);
	config_file__free(a->conf);
}

static bool str_differs(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b));
}

/* SIGHUP: parse the file and the command line again; say what needs a restart. */
static int monitor_reload(void *ctx, struct monitor_limits *out, char *msg, size_t len)
{
	struct reload_ctx *r = ctx;
	struct monitor_args b = {}, *a = r->now;
	const struct monitor_cfg *x = &a->mc, *y = &b.mc;
	int e = monitor_parse(&b, r->argc, r->argv);

	if (e || monitor_check(&b)) {
		snprintf(msg, len,
			 "fix the options file (the error is above); the old options stay");
		args__free(&b);
		return -EINVAL;
	}
	out->window_s = y->window_s;
	out->retain_s = y->history.retain_s;
	out->max_bytes = y->history.max_bytes;
	if (str_differs(x->listen, y->listen) || str_differs(x->push.url, y->push.url) ||
	    str_differs(x->history.dir, y->history.dir) || a->rc.rate.freq != b.rc.rate.freq ||
	    str_differs(a->rc.event, b.rc.event) || a->rc.npids != b.rc.npids ||
	    str_differs(x->session.comm, y->session.comm) ||
	    str_differs(x->session.cgroup, y->session.cgroup))
		snprintf(msg, len, "other changed options apply at the next restart");
	args__free(&b);
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	struct monitor_args a = {};
	struct reload_ctx rc = { argc, argv, &a };
	struct monitor *m = NULL;
	char err[512] = "";
	int e, status = 1;

	e = monitor_parse(&a, argc, argv);
	if (e) {
		args__free(&a);
		return e > 0 ? 0 : 2;
	}
	if (monitor_check(&a)) {
		args__free(&a);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr,
			"bpfprof: monitor needs root; run it with sudo or as the systemd unit\n");
		goto out;
	}
	record_cfg__session(&a.rc, &a.ev, &a.mc.session);
	a.mc.reload = monitor_reload;
	a.mc.reload_ctx = &rc;
	e = monitor__new(&m, &a.mc, err, sizeof(err));
	if (e) {
		if (err[0])
			fprintf(stderr, "bpfprof: %s\n", err);
		goto out;
	}
	status = monitor__run(m) ? 1 : 0;
	monitor__free(m);
out:
	args__free(&a);
	return status;
}
