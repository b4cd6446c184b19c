// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/java.c - what `record` does for each JVM among its targets (see runtimes/java/java.h): attach our agent so
 * /tmp/perf-PID.map stays current while we sample; when the agent cannot load, ask a JDK 17+ JVM
 * for its own snapshot (jcmd Compiler.perfmap) now and again at the end; warn once when Java
 * stacks cannot be walked because the JVM omits frame pointers.
 *
 * The agent is preferred because the JVM's snapshot misses code compiled after it was taken and
 * knows nothing of inlining. Which JVMs fell back is remembered here so java__finish knows.
 * A JVM gone by the time something went wrong (java -version lives well under a second) is no
 * news: what went wrong with it is said only with -v.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtimes/java/java.h"
#include "runtimes/java/jattach.h"
#include "lib/procfs.h"

#define MAX_FALLBACKS 64

static pid_t fallback_pids[MAX_FALLBACKS];
static int fallback_count;

static bool java__is_fallback(pid_t pid)
{
	for (int i = 0; i < fallback_count; i++)
		if (fallback_pids[i] == pid)
			return true;
	return false;
}

static void java__remember_fallback(pid_t pid)
{
	if (!java__is_fallback(pid) && fallback_count < MAX_FALLBACKS)
		fallback_pids[fallback_count++] = pid;
}

bool java__is_jvm(pid_t pid)
{
	struct jvm_target t;
	char err[256];
	int e = jvm__inspect(pid, &t, err, sizeof(err));

	/* OpenJ9 counts: java__prepare then tells the user what to do instead. */
	return e == 0 || e == -ENOTSUP;
}

/* One line about JVM pid, unless it is gone by now and -v was not given. */
__attribute__((format(printf, 3, 4))) static void java__say(pid_t pid, const struct java_opts *opts,
							    const char *fmt, ...)
{
	va_list ap;

	if (!opts->verbose && !procfs__alive(pid))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void java__warn_frame_pointers(pid_t pid)
{
	if (procfs__alive(pid) && jvm__bool_flag(pid, "PreserveFramePointer") != 1)
		fprintf(stderr,
			"bpfprof: JVM %d runs without -XX:+PreserveFramePointer: Java stacks will be truncated; restart it with -XX:+PreserveFramePointer\n",
			(int)pid);
}

static int java__perfmap(pid_t pid, int timeout_ms, char *err, size_t err_len)
{
	char *out = NULL;
	int e = jvm__jcmd(pid, "Compiler.perfmap", &out, timeout_ms, err, err_len);

	free(out);
	return e;
}

static int java__load(pid_t pid, const struct java_opts *opts, char *err, size_t err_len)
{
	char path[PATH_MAX];
	const char *agent = opts->agent_path;

	if (!agent) {
		if (jvm__default_agent(path, sizeof(path))) {
			snprintf(
				err, err_len,
				"no libbpfprof-agent.so next to the bpfprof binary; build it with make");
			return -ENOENT;
		}
		agent = path;
	}
	return jvm__load_agent(pid, agent, opts->agent_opts, opts->timeout_ms, err, err_len);
}

int java__prepare(pid_t pid, const struct java_opts *opts)
{
	char err[1024], err2[1024];
	int e;

	e = jvm__inspect(pid, &(struct jvm_target){}, err, sizeof(err));
	if (e) {
		java__say(pid, opts, "bpfprof: %s\n", err);
		return e;
	}
	e = java__load(pid, opts, err, sizeof(err));
	java__warn_frame_pointers(pid);
	if (!e) {
		if (opts->verbose)
			fprintf(stderr, "bpfprof: agent active in JVM %d\n", (int)pid);
		return 0;
	}
	if (e == -EPERM || e == -ESRCH) { /* attach disabled, or gone: jcmd can't do better */
		java__say(pid, opts, "bpfprof: JVM %d: %s\n", (int)pid, err);
		return e;
	}
	if (java__perfmap(pid, opts->timeout_ms, err2, sizeof(err2))) {
		java__say(
			pid, opts,
			"bpfprof: JVM %d: %s; and Compiler.perfmap failed too (JDK 17+ only): Java frames stay unnamed\n",
			(int)pid, err);
		return e;
	}
	java__say(
		pid, opts,
		"bpfprof: JVM %d: %s; using its Compiler.perfmap snapshot instead (no inlined frames)\n",
		(int)pid, err);
	java__remember_fallback(pid);
	return 0;
}

int java__finish(pid_t pid, const struct java_opts *opts)
{
	char err[1024];
	int e;

	if (!java__is_fallback(pid))
		return 0;
	e = java__perfmap(pid, opts->timeout_ms, err, sizeof(err));
	if (e)
		java__say(pid, opts, "bpfprof: JVM %d: refreshing its perf map failed: %s\n",
			  (int)pid, err);
	return e;
}
