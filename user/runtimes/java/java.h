/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/java.h - what `record` does for JVMs among its targets: find them, make their JIT code
 * nameable (attach our agent so /tmp/perf-PID.map stays current, or fall back to the JVM's own
 * Compiler.perfmap), and warn once when Java stacks cannot be walked.
 *
 * Calls never block longer than the attach timeout and never harm the target JVM.
 */
#ifndef BPFPROF_JAVA_H
#define BPFPROF_JAVA_H

#include <stdbool.h>
#include <sys/types.h>

struct java_opts {
	const char *agent_path; /* absolute path of libbpfprof-agent.so */
	const char *agent_opts; /* agent options ("key=value,..."), NULL for defaults */
	int timeout_ms;		/* per attach, 0 = default (5000) */
	bool verbose;
};

/* True when pid runs a HotSpot JVM (libjvm.so is mapped). */
bool java__is_jvm(pid_t pid);

/*
 * Prepare a JVM for profiling: attach the agent (a second attach is harmless), else fall back
 * to Compiler.perfmap on JDK 17+; print one warning naming the fix when the JVM runs without
 * -XX:+PreserveFramePointer. 0 when JIT frames will be nameable, -errno otherwise (an error line
 * was printed).
 */
int java__prepare(pid_t pid, const struct java_opts *opts);

/* Before symbolization: refresh what a fallback left (re-run Compiler.perfmap). 0 or -errno. */
int java__finish(pid_t pid, const struct java_opts *opts);

#endif /* BPFPROF_JAVA_H */
