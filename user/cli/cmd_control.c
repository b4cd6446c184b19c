// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_control.c - the session commands, as async-profiler's and Arthas' `profiler` has them:
 *   bpfprof start [record options]   record in the background until `stop`
 *   bpfprof status                   what is running: since when, samples, loss, disk, push
 *   bpfprof dump [--since 5m] -o F   the samples so far (a monitor: its history too)
 *   bpfprof stop [-o F]              end it (a background recording hands its profile over)
 * They talk to daemon/control.h's socket: the background recording's if one runs, else the
 * monitor's; --socket picks one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/record.h"
#include "daemon/control.h"
#include "daemon/monitor.h"
#include "emit/emit.h"
#include "io/atomic_file.h"
#include "lib/log.h"
#include "lib/units.h"

enum {
	OPT_SOCKET = 256,
	OPT_SINCE,
	OPT_FORMAT,
	OPT_COMM
};

static const struct opt control_opts[] = {
	{ "output", 'o', "FILE", "write the profile here; the extension picks the format" },
	{ "format", OPT_FORMAT, "F", "the format, whatever the file name", NULL,
	  emit__format_list },
	{ "since", OPT_SINCE, "DURATION", "dump: only the last DURATION of a monitor (e.g. 5m)" },
	{ "comm", OPT_COMM, "REGEX", "dump: only processes whose name matches" },
	{ "socket", OPT_SOCKET, "PATH",
	  "talk to this socket (default: the background recording's,\nelse the monitor's)" },
	{ "help", 'h', NULL, "this help" },
	{},
};

struct control_args {
	const char *output, *format, *since, *comm, *socket;
};

static int control_parse(const char *cmd, struct control_args *a, int argc, char **argv)
{
	struct opts o;
	int c;

	opts__init(&o, cmd, control_opts, false);
	while ((c = opts__next(&o, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: bpfprof %s [options]\n\n", cmd);
			opts__usage(&o, stdout);
			return 1;
		case 'o':
			a->output = optarg;
			break;
		case OPT_FORMAT:
			a->format = optarg;
			break;
		case OPT_SINCE:
			a->since = optarg;
			break;
		case OPT_COMM:
			a->comm = optarg;
			break;
		case OPT_SOCKET:
			a->socket = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bpfprof %s: unexpected '%s'; see 'bpfprof %s --help'\n", cmd,
			argv[optind], cmd);
		return -EINVAL;
	}
	return 0;
}

/* Send request to the chosen socket, the body to out. 0, or 1 after printing why. */
static int call(const struct control_args *a, const char *request, FILE *out)
{
	static const char *const defaults[] = { CONTROL_SESSION_SOCKET, CONTROL_MONITOR_SOCKET };
	char err[512] = "";
	int e = -ENOENT;

	if (a->socket)
		e = control__call(a->socket, request, out, err, sizeof(err));
	for (int i = 0; !a->socket && i < 2 && (e == -ENOENT || e == -ECONNREFUSED); i++)
		e = control__call(defaults[i], request, out, err, sizeof(err));
	if (e == -ENOENT || e == -ECONNREFUSED) {
		fprintf(stderr,
			"bpfprof: nothing is running at %s; start one with 'sudo bpfprof start' or 'sudo bpfprof monitor'\n",
			a->socket ? a->socket
				  : CONTROL_SESSION_SOCKET " or " CONTROL_MONITOR_SOCKET);
		return 1;
	}
	if (e == -EACCES) {
		fprintf(stderr,
			"bpfprof: permission denied on the control socket; run it with sudo\n");
		return 1;
	}
	if (e) {
		fprintf(stderr, "bpfprof: %s\n", err[0] ? err : strerror(-e));
		return 1;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct control_args a = {};
	int e = control_parse("status", &a, argc, argv);

	if (e)
		return e > 0 ? 0 : 2;
	return call(&a, "status", stdout);
}

/* dump and stop -o: the profile into the output, in the format its name or --format says. */
static int fetch_profile(const struct control_args *a, const char *verb, double since_s)
{
	struct atomic_file *af = NULL;
	enum out_format fmt;
	char req[CONTROL_MAX_LINE];
	int e, n;

	if (emit__parse_format(a->format, a->output, &fmt))
		return 2;
	if (fmt == FMT_PPROF && !a->output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "bpfprof %s: pprof output is binary; give -o FILE.pb.gz\n", verb);
		return 2;
	}
	if ((e = atomic_file__open(&af, a->output))) {
		fprintf(stderr, "bpfprof: cannot write '%s': %s\n",
			a->output ? a->output : "stdout", strerror(-e));
		return 1;
	}
	n = snprintf(req, sizeof(req), "%s format=%s", verb, emit__format_name(fmt));
	if (since_s > 0)
		n += snprintf(req + n, sizeof(req) - n, " since=%.3f", since_s);
	if (a->comm)
		snprintf(req + n, sizeof(req) - n, " comm=%s", a->comm);
	e = call(a, req, atomic_file__stream(af));
	if (!e && (e = atomic_file__commit(af)))
		fprintf(stderr, "bpfprof: cannot write '%s': %s\n",
			a->output ? a->output : "stdout", strerror(-e));
	atomic_file__free(af);
	if (!e && a->output)
		fprintf(stderr, "bpfprof: profile written to %s\n", a->output);
	return e ? 1 : 0;
}

int cmd_dump(int argc, char **argv)
{
	struct control_args a = {};
	double since = 0;
	int e = control_parse("dump", &a, argc, argv);

	if (e)
		return e > 0 ? 0 : 2;
	if (a.since && (units__duration(a.since, &since) || since <= 0)) {
		fprintf(stderr, "bpfprof: --since needs a duration (e.g. 5m, 1h), not '%s'\n",
			a.since);
		return 2;
	}
	if (a.comm && strchr(a.comm, ' ')) {
		fprintf(stderr, "bpfprof: --comm cannot contain spaces here; use [[:space:]]\n");
		return 2;
	}
	return fetch_profile(&a, "dump", since);
}

int cmd_stop(int argc, char **argv)
{
	struct control_args a = {};
	int e = control_parse("stop", &a, argc, argv);

	if (e)
		return e > 0 ? 0 : 2;
	if (a.output || a.format)
		return fetch_profile(&a, "stop", 0);
	e = call(&a, "stop", stdout);
	if (!e)
		fprintf(stderr, "bpfprof: stopped\n");
	return e;
}

/* ---- start: a background recording ---- */

/* The child: detach, run, report readiness (an empty line) or the error through ready_fd. */
static void start__child(struct monitor_cfg *mc, int ready_fd)
{
	struct monitor *m = NULL;
	char err[512] = "";
	int fd;

	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	fd = open(CONTROL_DIR "/session.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (monitor__new(&m, mc, err, sizeof(err))) {
		dprintf(ready_fd, "%s\n", err[0] ? err : "cannot start the recording");
		_exit(1);
	}
	dprintf(ready_fd, "\n");
	close(ready_fd);
	monitor__run(m);
	monitor__free(m);
	_exit(0);
}

static int start__wait(pid_t child, int ready_fd, const char *socket)
{
	char msg[512] = "";
	ssize_t n = read(ready_fd, msg, sizeof(msg) - 1);

	close(ready_fd);
	if (n <= 0 || msg[0] != '\n') {
		msg[n > 0 ? n : 0] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		fprintf(stderr, "bpfprof: %s\n", msg[0] ? msg : "the background recording died");
		waitpid(child, NULL, 0);
		return 1;
	}
	fprintf(stderr,
		"bpfprof: recording in the background (pid %d); 'bpfprof status', 'bpfprof dump -o F', 'bpfprof stop -o F'%s%s\n",
		child, strcmp(socket, CONTROL_SESSION_SOCKET) ? " --socket " : "",
		strcmp(socket, CONTROL_SESSION_SOCKET) ? socket : "");
	return 0;
}

int cmd_start(int argc, char **argv)
{
	struct record_cfg rc;
	struct event_spec ev;
	enum out_format fmts[MAX_OUTPUTS];
	struct monitor_cfg mc = {};
	const char *socket = getenv("BPFPROF_SOCKET");
	int e, pipefd[2];
	pid_t pid;

	e = record_cfg__parse(&rc, argc, argv);
	if (e)
		return free(rc.pids), e > 0 ? 0 : 2;
	if (rc.cmd || rc.noutputs || rc.duration > 0) {
		fprintf(stderr,
			"bpfprof start: takes record's sampling options only; the profile comes from 'bpfprof stop -o FILE' (for a command or -d, use 'bpfprof record')\n");
		return free(rc.pids), 2;
	}
	if (record_cfg__check(&rc, &ev, fmts))
		return free(rc.pids), 2;
	if (geteuid() != 0) {
		fprintf(stderr, "bpfprof: start needs root; run it with sudo\n");
		return free(rc.pids), 1;
	}
	record_cfg__session(&rc, &ev, &mc.session);
	mc.socket = socket ? socket : CONTROL_SESSION_SOCKET;
	if (pipe2(pipefd, O_CLOEXEC))
		return perror("bpfprof: pipe"), 1;
	pid = fork();
	if (pid < 0)
		return perror("bpfprof: fork"), 1;
	if (pid == 0) {
		close(pipefd[0]);
		start__child(&mc, pipefd[1]);
	}
	close(pipefd[1]);
	e = start__wait(pid, pipefd[0], mc.socket);
	free(rc.pids);
	return e;
}
