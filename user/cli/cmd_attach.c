// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/cmd_attach.c - `bpfprof attach PID [AGENT_OPTIONS]`: load libbpfprof-agent.so into a running
 * HotSpot JVM so that /tmp/perf-PID.map names its JIT code from then on, or run one jcmd command
 * in it (--jcmd). `record -p` does the same by itself; this command is for doing it ahead of time,
 * for perf or another profiler, and for checking that a JVM can be attached to at all.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "runtimes/java/jattach.h"

struct attach_cfg {
	pid_t pid;
	const char *agent; /* NULL: next to the binary */
	const char *agent_opts;
	const char *jcmd;
	int timeout_ms;
};

enum {
	OPT_AGENT = 256,
	OPT_JCMD,
	OPT_TIMEOUT
};

static const struct opt attach_opts[] = {
	{ "agent", OPT_AGENT, "PATH",
	  "agent library (default: " JVM_AGENT_FILE " next to the bpfprof binary)" },
	{ "jcmd", OPT_JCMD, "COMMAND",
	  "run a diagnostic command as jcmd does and print its output instead" },
	{ "timeout", OPT_TIMEOUT, "MS", "how long to wait for the JVM",
	  OPT_STR(JVM_ATTACH_TIMEOUT_MS) },
	{ "help", 'h', NULL, "this text" },
	{},
};

static void attach_usage(const struct opts *o, FILE *out)
{
	fputs("Usage: bpfprof attach [OPTIONS] PID [AGENT_OPTIONS]\n"
	      "\n"
	      "Load bpfprof's JVMTI agent into a running HotSpot JVM (JDK 8 to 25): from then on it keeps\n"
	      "/tmp/perf-PID.map current, so profilers name JIT-compiled Java frames; code compiled before the\n"
	      "attach is written at once. Attaching twice is harmless. Works across containers (run as root).\n"
	      "\n"
	      "Options:\n",
	      out);
	opts__usage(o, out);
	fputs("\n"
	      "Agent options (comma-separated):\n"
	      "  unfold=on|off    inlined methods as \"outer->inner\" ranges (default on)\n"
	      "  sig=on|off       parameter types in names, Burn.mix(long,int) (default off)\n"
	      "  dir=PATH         map directory as the JVM sees it (default /tmp)\n"
	      "  quiet            no agent messages on the JVM's stderr\n"
	      "\n"
	      "Examples:\n"
	      "  sudo bpfprof attach 1234\n"
	      "  sudo bpfprof attach 1234 sig=on,unfold=off\n"
	      "  sudo bpfprof attach --jcmd Compiler.perfmap 1234   # JDK 17+: the JVM's own one-shot map\n"
	      "  sudo bpfprof attach --jcmd VM.version 1234\n",
	      out);
}

/* 0, 1 when --help was printed, -EINVAL after a one-line error (cli/options.h). */
static int attach_cfg__parse(struct attach_cfg *cfg, int argc, char **argv)
{
	struct opts o;
	char *end;
	int c;

	opts__init(&o, "attach", attach_opts, true);
	while ((c = opts__next(&o, argc, argv)) != -1) {
		switch (c) {
		case OPT_AGENT:
			cfg->agent = optarg;
			break;
		case OPT_JCMD:
			cfg->jcmd = optarg;
			break;
		case OPT_TIMEOUT:
			cfg->timeout_ms = strtol(optarg, &end, 10);
			if (*end || cfg->timeout_ms <= 0) {
				fprintf(stderr,
					"bpfprof attach: --timeout wants milliseconds, e.g. --timeout 10000\n");
				return -EINVAL;
			}
			break;
		case 'h':
			attach_usage(&o, stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		fprintf(stderr,
			"bpfprof attach: want PID [AGENT_OPTIONS], e.g. bpfprof attach 1234 (see --help)\n");
		return -EINVAL;
	}
	cfg->pid = strtol(argv[optind], &end, 10);
	if (*end || cfg->pid <= 0) {
		fprintf(stderr, "bpfprof attach: '%s' is not a pid (find one with pgrep -a java)\n",
			argv[optind]);
		return -EINVAL;
	}
	cfg->agent_opts = optind + 1 < argc ? argv[optind + 1] : NULL;
	return 0;
}

static int attach__jcmd(const struct attach_cfg *cfg)
{
	char err[1024], *out = NULL;

	if (jvm__jcmd(cfg->pid, cfg->jcmd, &out, cfg->timeout_ms, err, sizeof(err))) {
		fprintf(stderr, "bpfprof attach: %s\n", err);
		return 1;
	}
	if (out)
		fputs(out, stdout);
	free(out);
	return 0;
}

/* Where the agent's map is, seen from here (a container's /tmp is under /proc/PID/root). */
static void attach__print_map(const struct attach_cfg *cfg)
{
	const char *dir = cfg->agent_opts ? strstr(cfg->agent_opts, "dir=") : NULL;
	struct jvm_target t;
	char err[256];
	int dlen = 4;

	if (jvm__inspect(cfg->pid, &t, err, sizeof(err)))
		return;
	if (dir) {
		dir += 4;
		dlen = strcspn(dir, ",");
	} else {
		dir = "/tmp";
	}
	if (t.nspid == t.pid)
		printf("bpfprof: agent active in JVM %d: %.*s/perf-%d.map\n", (int)t.pid, dlen, dir,
		       (int)t.nspid);
	else
		printf("bpfprof: agent active in JVM %d: /proc/%d/root%.*s/perf-%d.map\n",
		       (int)t.pid, (int)t.pid, dlen, dir, (int)t.nspid);
}

static int attach__agent(const struct attach_cfg *cfg)
{
	char path[PATH_MAX], err[1024];
	const char *agent = cfg->agent;

	if (!agent) {
		if (jvm__default_agent(path, sizeof(path))) {
			fprintf(stderr, "bpfprof attach: " JVM_NO_AGENT " or pass --agent PATH\n");
			return 1;
		}
		agent = path;
	}
	if (jvm__load_agent(cfg->pid, agent, cfg->agent_opts, cfg->timeout_ms, err, sizeof(err))) {
		fprintf(stderr, "bpfprof attach: %s\n", err);
		return 1;
	}
	attach__print_map(cfg);
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_cfg cfg = { 0 };
	int err = attach_cfg__parse(&cfg, argc, argv);

	if (err)
		return err > 0 ? 0 : 2;
	return cfg.jcmd ? attach__jcmd(&cfg) : attach__agent(&cfg);
}
