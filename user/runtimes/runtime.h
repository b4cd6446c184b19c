/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/runtime.h - what one language runtime (a JVM today) needs from a recording, behind one
 * ops struct, so the session and the symbolizer name no runtime. runtimes.h is the facade they
 * call; each runtime lives in its own folder (runtimes/java/) and is listed once in runtimes.c.
 *
 * Invariants: every op but jit_name may be NULL (nothing to do); state is the runtime's own
 * object (from new), never a global, and ops on it may be called from the recorder's thread only
 * (a runtime that works off that thread, as Java's attach worker does, locks its own state);
 * nothing here blocks longer than an attach timeout or harms the target process.
 *
 * Java is the only full implementation. Node (--perf-basic-prof), Python 3.12+ (-X perf) and
 * .NET (DOTNET_PerfMapEnabled) write perf maps themselves: they need only a jit_name rule (and
 * perhaps a command_env), and the coming HotSpot interpreter support plugs into prepare/finish.
 */
#ifndef BPFPROF_RUNTIME_H
#define BPFPROF_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct strset;
struct thread_names;
struct method_names;

struct runtime_cfg {
	const char *agent_opts; /* the runtime's agent options ("key=value,..."), NULL: defaults */
	int timeout_ms;		/* per attach, 0: the runtime's default */
	bool watch;		/* host-wide: offered processes are detected and prepared */
	/* What the modes ask of the runtime's agent (its probe points, probe_lib) */
	uint64_t alloc_interval; /* sample allocations every this many bytes; 0: none */
	bool monitors;		 /* name the monitors lock waits wait for */
};

struct runtime_ops {
	const char *name; /* "java" */
	/* The runtime's state for one recording; NULL on failure (the runtime is left out). */
	void *(*new)(const struct runtime_cfg *cfg);
	void (*free)(void *state);
	/* Is pid this runtime's? Cheap: maps is /proc/PID/maps, read once for every runtime. */
	bool (*detect)(pid_t pid, const char *maps);
	/*
	 * What a command we start needs in its environment: the text to append to *var (space-
	 * separated), e.g. JAVA_TOOL_OPTIONS += "-agentpath:...". NULL: nothing.
	 */
	const char *(*command_env)(void *state, const char **var);
	/* Make a detected process nameable now (attach an agent...). 0 or -errno (said already). */
	int (*prepare)(void *state, pid_t pid);
	/* Host-wide: a process was met (detect and prepare it later, off this thread) / exited. */
	void (*offer)(void *state, pid_t pid);
	void (*forget)(void *state, pid_t pid);
	/* Before symbolization, for every process prepared: complete what a fallback left. */
	void (*finish)(void *state);
	/* A raw perf-map name -> the name people expect (interned in strs); NULL: keep it. Pure. */
	const char *(*jit_name)(const char *name, struct strset *strs);
	/*
	 * The whole thread names the runtime published for process nspid (its pid in its own
	 * namespace), read inside rootfd (< 0: the host's root) from a file root or owner owns; NULL:
	 * none. Pure, like jit_name: the symbolizer keeps the table with the process.
	 */
	struct thread_names *(*thread_names)(int rootfd, pid_t nspid, uid_t owner);
	/*
	 * The library (the agent) whose exported probe points the modes attach to in every process
	 * that loads it (bpf/modes/: allocations, monitors), or NULL.
	 */
	const char *(*probe_lib)(void *state);
	/*
	 * Interpreted frames (bpf/abi/unwind.h): the perf-map name of the interpreter's code, whose
	 * frames the BPF walk records by their method (NULL: none), and the method names the runtime
	 * published for process nspid, read as thread_names are.
	 */
	const char *interpreter;
	struct method_names *(*method_names)(int rootfd, pid_t nspid, uid_t owner);
};

extern const struct runtime_ops java_runtime;

#endif /* BPFPROF_RUNTIME_H */
