// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/java.c - the Java runtime (runtime.h ops): attach our agent so /tmp/perf-PID.map
 * stays current while we sample; when the agent cannot load, ask a JDK 17+ JVM for its own
 * snapshot (jcmd Compiler.perfmap) now and again at finish; warn once when Java stacks cannot be
 * walked because the JVM omits frame pointers (as the JVM itself reports its flags). The whole
 * Java thread names the agent publishes beside the map are read by threads.c. A command we start gets the agent through
 * JAVA_TOOL_OPTIONS; a host-wide recording hands the processes it meets to the attach worker
 * (watch.c), which ends up in java__prepare too.
 *
 * The agent is preferred because the JVM's snapshot misses code compiled after it was taken and
 * knows nothing of inlining. A JVM that maps a libbpfprof-agent.so already (another bpfprof's,
 * or -agentpath) and has a perf map is left alone: two writers must never append to one map. Which JVMs fell
 * back is kept in the runtime's state, under a lock (the worker prepares too). A JVM gone by the
 * time something went wrong (java -version lives well under a second) is no news: what went
 * wrong with it is said only with -v.
 *
 * The modes' wishes (-e alloc: sample allocations; -e lock: name contended monitors) go to the
 * agent as options (alloc=SIZE, monitors=on); an agent already loaded gets them through a second
 * attach, and a JVM we switched them on in gets them switched off at finish. A JVM that cannot
 * load the agent cannot show its Java allocations: for -e alloc that is an error, not a fallback.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtimes/runtime.h"
#include "runtimes/java/jattach.h"
#include "runtimes/java/methods.h"
#include "runtimes/java/names.h"
#include "runtimes/java/threads.h"
#include "runtimes/java/watch.h"
#include "lib/log.h"
#include "lib/procfs.h"

struct java {
	struct runtime_cfg cfg;
	char agent[PATH_MAX]; /* libbpfprof-agent.so next to our binary, "" when there is none */
	char agent_env[PATH_MAX + 1100]; /* -agentpath:AGENT[=OPTS] */
	struct java_watch *watch;	 /* host-wide only */
	pthread_mutex_t lock;		 /* guards fallbacks */
	pid_t *fallbacks;		 /* JVMs using their own Compiler.perfmap */
	size_t nfallbacks;
	char opts[1024]; /* the agent's options: --agent-opts and the modes' wishes; "": none */
	pid_t *featured; /* -p JVMs whose agent samples for us, switched off at finish */
	size_t nfeatured;
};

static bool java__features(const struct java *j)
{
	return j->cfg.alloc_interval || j->cfg.monitors;
}

static bool java__detect(pid_t pid, const char *maps)
{
	return strstr(maps, "/libjvm.so\n") != NULL; /* OpenJ9 too: prepare says what to do */
}

/* One line about JVM pid, unless it is gone by now and -v was not given. */
__attribute__((format(printf, 2, 3))) static void java__say(pid_t pid, const char *fmt, ...)
{
	va_list ap;

	if (!log__enabled(LOG_DEBUG) && !procfs__alive(pid))
		return;
	va_start(ap, fmt);
	log__vmsg(LOG_WARN, fmt, ap);
	va_end(ap);
}

/*
 * Is -XX:+PreserveFramePointer on? Asked of the JVM (VM.flags lists the flags set), because the
 * flag may come from where a scan of the command line cannot see: javac -J-XX:..., an @argfile,
 * -XX:Flags=FILE, a later -XX:- in any of them. Only a JVM that cannot be asked (attach off) is
 * judged by its command line and environment. 1, 0, or -1: not given anywhere we could see.
 */
static int java__frame_pointers(const struct java *j, pid_t pid)
{
	char *out = NULL, err[256];
	int on;

	if (jvm__jcmd(pid, "VM.flags", &out, j->cfg.timeout_ms, err, sizeof(err)))
		return jvm__bool_flag(pid, "PreserveFramePointer");
	on = out ? jvm__scan_flag(out, strlen(out), " \t\n", "PreserveFramePointer", 0) : 0;
	free(out);
	return on;
}

static void java__warn_frame_pointers(const struct java *j, pid_t pid)
{
	if (procfs__alive(pid) && java__frame_pointers(j, pid) != 1)
		pr_warn("JVM %d runs without -XX:+PreserveFramePointer: Java stacks will be truncated; restart it with -XX:+PreserveFramePointer",
			(int)pid);
}

static int java__perfmap(const struct java *j, pid_t pid, char *err, size_t err_len)
{
	char *out = NULL;
	int e = jvm__jcmd(pid, "Compiler.perfmap", &out, j->cfg.timeout_ms, err, err_len);

	free(out);
	return e;
}

static int java__load(const struct java *j, pid_t pid, char *err, size_t err_len)
{
	if (!j->agent[0]) {
		snprintf(err, err_len, JVM_NO_AGENT);
		return -ENOENT;
	}
	return jvm__load_agent(pid, j->agent, j->opts[0] ? j->opts : NULL, j->cfg.timeout_ms, err,
			       err_len);
}

/* pid appended to *list (under j's lock). */
static void java__remember(struct java *j, pid_t **list, size_t *n, pid_t pid)
{
	pid_t *p;

	pthread_mutex_lock(&j->lock);
	p = realloc(*list, (*n + 1) * sizeof(*p));
	if (p) {
		*list = p;
		(*list)[(*n)++] = pid;
	}
	pthread_mutex_unlock(&j->lock);
}

/* The agent could not load and -e alloc needs it: one line, and the recording fails. */
static int java__no_features(pid_t pid, int e, const char *err)
{
	pr_error("JVM %d: %s; -e alloc sees its Java allocations only through the agent", (int)pid,
		 err);
	return e;
}

/* The agent could not load: fall back to the JVM's own snapshot where that can help. */
static int java__fall_back(struct java *j, pid_t pid, int e, const char *err)
{
	char err2[1024];

	if (e == -EPERM || e == -ESRCH) { /* attach disabled, or gone: jcmd can't do better */
		java__say(pid, "JVM %d: %s", (int)pid, err);
		return e;
	}
	if (java__perfmap(j, pid, err2, sizeof(err2))) {
		java__say(
			pid,
			"JVM %d: %s; and Compiler.perfmap failed too (JDK 17+ only): Java frames stay unnamed",
			(int)pid, err);
		return e;
	}
	java__say(pid,
		  "JVM %d: %s; using its Compiler.perfmap snapshot instead (no inlined frames)",
		  (int)pid, err);
	java__remember(j, &j->fallbacks, &j->nfallbacks, pid);
	return 0;
}

static int java__prepare(void *state, pid_t pid)
{
	struct java *j = state;
	struct jvm_target t;
	char err[1024];
	int e;

	e = jvm__inspect(pid, &t, err, sizeof(err));
	if (e) {
		java__say(pid, "%s", err);
		return e;
	}
	/* An agent whose map is gone (removed, or its load failed) writes nothing: attach ours. */
	if (jvm__has_agent(pid) && jvm__has_perf_map(&t)) {
		pr_debug(
			"JVM %d maps a libbpfprof-agent.so already (another bpfprof's, or -agentpath) and has a perf map: not attaching a second writer to it",
			(int)pid);
		java__warn_frame_pointers(j, pid);
		if (!java__features(j))
			return 0;
		/* a second load of our agent only switches its sampling (agent/agent.c) */
	}
	e = java__load(j, pid, err, sizeof(err));
	if (e && j->cfg.alloc_interval)
		return java__no_features(pid, e, err);
	java__warn_frame_pointers(j, pid);
	if (!e) {
		pr_debug("agent active in JVM %d", (int)pid);
		if (java__features(j))
			java__remember(j, &j->featured, &j->nfeatured, pid);
		return 0;
	}
	return java__fall_back(j, pid, e, err);
}

/* The attach worker's step for each process it met, once old enough. */
static void java__offered(void *state, pid_t pid)
{
	char *maps = procfs__read(pid, "maps", NULL);
	bool jvm = maps && java__detect(pid, maps);

	free(maps);
	if (jvm)
		java__prepare(state, pid);
}

static void java__finish(void *state)
{
	struct java *j = state;
	char err[1024];

	java_watch__stop(j->watch); /* no prepare runs after this: fallbacks are ours alone */
	for (size_t i = 0; i < j->nfallbacks; i++) {
		pid_t pid = j->fallbacks[i];

		if (java__perfmap(j, pid, err, sizeof(err)))
			java__say(pid, "JVM %d: refreshing its perf map failed: %s", (int)pid, err);
	}
	/* the agent's options without the modes' wishes: sampling off, the map as it was */
	for (size_t i = 0; i < j->nfeatured; i++)
		if (jvm__load_agent(j->featured[i], j->agent, j->cfg.agent_opts, j->cfg.timeout_ms,
				    err, sizeof(err)))
			java__say(j->featured[i], "JVM %d: cannot switch its sampling off: %s",
				  (int)j->featured[i], err);
}

static const char *java__command_env(void *state, const char **var)
{
	struct java *j = state;

	*var = "JAVA_TOOL_OPTIONS";
	return j->agent_env[0] ? j->agent_env : NULL;
}

static void java__offer(void *state, pid_t pid)
{
	java_watch__offer(((struct java *)state)->watch, pid);
}

static void java__forget(void *state, pid_t pid)
{
	java_watch__forget(((struct java *)state)->watch, pid);
}

static void java__free(void *state)
{
	struct java *j = state;

	if (!j)
		return;
	java_watch__free(j->watch);
	pthread_mutex_destroy(&j->lock);
	free(j->fallbacks);
	free(j->featured);
	free(j);
}

/* The agent's options: the user's, then what the modes ask ("alloc=524288,monitors=on"). */
static void java__opts(struct java *j, const char *user)
{
	size_t n = snprintf(j->opts, sizeof(j->opts), "%s", user ? user : "");

	if (j->cfg.alloc_interval && n < sizeof(j->opts))
		n += snprintf(j->opts + n, sizeof(j->opts) - n, "%salloc=%llu", n ? "," : "",
			      (unsigned long long)j->cfg.alloc_interval);
	if (j->cfg.monitors && n < sizeof(j->opts))
		snprintf(j->opts + n, sizeof(j->opts) - n, "%smonitors=on", n ? "," : "");
}

static const char *java__probe_lib(void *state)
{
	struct java *j = state;

	return j->agent[0] ? j->agent : NULL;
}

/* -agentpath:AGENT[=OPTS] for a command's JAVA_TOOL_OPTIONS, which splits at blanks. */
static void java__agent_env(struct java *j, const char *opts)
{
	if (opts && opts[strcspn(opts, " \t\n")]) {
		/* a piece the JVM does not know would stop it from starting */
		pr_warn("--agent-opts '%s' has a blank: a command's JVM gets the agent's defaults",
			opts);
		opts = NULL;
	}
	snprintf(j->agent_env, sizeof(j->agent_env), "-agentpath:%s%s%s", j->agent, opts ? "=" : "",
		 opts ? opts : "");
}

static void *java__new(const struct runtime_cfg *cfg)
{
	struct java *j = calloc(1, sizeof(*j));
	const char *opts = cfg->agent_opts && *cfg->agent_opts ? cfg->agent_opts : NULL;

	if (!j)
		return NULL;
	j->cfg = *cfg;
	pthread_mutex_init(&j->lock, NULL);
	java__opts(j, opts);
	if (jvm__default_agent(j->agent, sizeof(j->agent)))
		j->agent[0] = '\0'; /* prepare says so; a command runs without it */
	else
		java__agent_env(j, j->opts[0] ? j->opts : NULL);
	if (cfg->watch)
		j->watch = java_watch__start(java__offered, j); /* NULL: recording goes on */
	return j;
}

const struct runtime_ops java_runtime = {
	.name = "java",
	.new = java__new,
	.free = java__free,
	.detect = java__detect,
	.command_env = java__command_env,
	.prepare = java__prepare,
	.probe_lib = java__probe_lib,
	.offer = java__offer,
	.forget = java__forget,
	.finish = java__finish,
	.jit_name = java__jit_name,
	.thread_names = java__thread_names,
	.interpreter = JAVA_INTERPRETER,
	.method_names = java__method_names,
};
