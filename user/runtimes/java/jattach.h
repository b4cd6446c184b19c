/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/jattach.h - talk to a running HotSpot JVM through its dynamic attach mechanism, the way
 * jcmd and VirtualMachine.loadAgent do, without needing a JDK on our side.
 *
 * The protocol (HotSpot, Linux): create ".attach_pid<NSPID>" in the JVM's cwd or /tmp, send
 * SIGQUIT, wait for the UNIX socket /tmp/.java_pid<NSPID>, connect with the JVM's own uid/gid
 * (HotSpot checks the peer credentials), send "1\0<command>\0<arg0>\0<arg1>\0<arg2>\0" and read
 * "<status>\n<output>" until the JVM closes the connection.
 *
 * Containers: every path goes through /proc/PID/root and /proc/PID/cwd, the pid sent and looked up
 * is the JVM's pid in its own namespace (last NSpid), and an agent that the JVM cannot see or read
 * is copied into the JVM's /tmp first. A process that does not catch SIGQUIT is never sent it
 * (the default action would kill it).
 *
 * Every function that can fail returns 0 or -errno and writes one line naming the problem and its
 * fix into err (no "bpfprof:" prefix, no newline); nothing is printed.
 *
 * The parts: inspect.c (is it a JVM, ids, signals, flags), protocol.c (request and reply bytes),
 * attach_conn.c (trigger, SIGQUIT, socket with the JVM's creds), agent_file.c (the agent as the
 * JVM sees it, copied into its /tmp when needed), jattach.c (the commands below).
 */
#ifndef BPFPROF_JVM_ATTACH_H
#define BPFPROF_JVM_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtimes/java/protocol.h"

#define JVM_ATTACH_TIMEOUT_MS 5000
#define JVM_AGENT_FILE "libbpfprof-agent.so" /* the agent's file name, here and in a JVM's /tmp */

enum jvm_kind {
	JVM_NOT_JVM, /* no libjvm.so mapped */
	JVM_HOTSPOT,
	JVM_OPENJ9, /* maps libjvm.so as a redirector, speaks another attach protocol */
};

struct jvm_target {
	pid_t pid;   /* in our pid namespace */
	pid_t nspid; /* in the JVM's own pid namespace: names its files */
	uid_t uid;   /* effective ids, which HotSpot wants the attacher to have */
	gid_t gid;
	unsigned long long sigcgt; /* caught signals, bit N-1 for signal N */
	enum jvm_kind kind;
};

/*
 * Look at pid without touching it. -ESRCH: no such process; -ENOEXEC: not a JVM; -ENOTSUP: a JVM
 * other than HotSpot (kind says which); 0 and t filled for HotSpot.
 */
int jvm__inspect(pid_t pid, struct jvm_target *t, char *err, size_t err_len);

/*
 * Load an agent library into the JVM (absolute path on our side; copied into the JVM's /tmp when
 * the JVM cannot see or read it). options may be NULL. 0 when Agent_OnAttach returned 0.
 * -EPERM: attach is disabled; -ETIMEDOUT; -EIO: the JVM refused (err has its message).
 */
int jvm__load_agent(pid_t pid, const char *agent_path, const char *options, int timeout_ms,
		    char *err, size_t err_len);

/*
 * Run a diagnostic command as jcmd does ("Compiler.perfmap", "VM.version", ...). On 0, *output
 * (malloc'd, NUL-terminated, may be NULL) holds what the command printed; the caller frees it.
 */
int jvm__jcmd(pid_t pid, const char *command, char **output, int timeout_ms, char *err,
	      size_t err_len);

/* libbpfprof-agent.so next to the running binary (readlink /proc/self/exe). 0 or -errno. */
int jvm__default_agent(char *path, size_t len);
/* What to say when it is not there (the one wording; a command may add its own way out). */
#define JVM_NO_AGENT "no libbpfprof-agent.so next to the bpfprof binary; build it with make"

/*
 * The value of a boolean -XX flag as the JVM sees it: 1 (+), 0 (-) or -1 (not given), looking at
 * JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, the command line, then _JAVA_OPTIONS (last one wins, as
 * in HotSpot). flag is the bare name, e.g. "PreserveFramePointer".
 */
int jvm__bool_flag(pid_t pid, const char *flag);

/* True when pid maps a libbpfprof-agent.so (ours or another bpfprof's): its perf map has a writer. */
bool jvm__has_agent(pid_t pid);
/* True when the JVM's /tmp/perf-NSPID.map exists (read through the confined opener). */
bool jvm__has_perf_map(const struct jvm_target *t);

/*
 * Fold the -XX:[+-]flag tokens of args (len bytes, tokens separated by any of seps) into current
 * (1, 0 or -1) and return the result. Pure, exposed for the unit test.
 */
int jvm__scan_flag(const char *args, size_t len, const char *seps, const char *flag, int current);

#endif /* BPFPROF_JVM_ATTACH_H */
