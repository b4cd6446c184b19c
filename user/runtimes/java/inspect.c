// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/inspect.c - look at a process without touching it (see jattach.h): is it a JVM,
 * which kind, its ids in its own namespace, the signals it catches, the -XX flags it was given,
 * whether our agent is loaded already. Everything comes from /proc; nothing is signalled or
 * written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtimes/java/jattach.h"
#include "lib/procfs.h"
#include "lib/rootfs.h"

/* ---- /proc ---- */

static enum jvm_kind maps__kind(pid_t pid, int *err)
{
	char path[64], *line = NULL;
	enum jvm_kind kind = JVM_NOT_JVM;
	bool openj9 = false;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		*err = -errno;
		return JVM_NOT_JVM;
	}
	while (getline(&line, &cap, f) > 0) {
		if (strstr(line, "/libjvm.so\n"))
			kind = JVM_HOTSPOT;
		if (strstr(line, "/libj9vm"))
			openj9 = true;
	}
	free(line);
	fclose(f);
	*err = 0;
	return kind == JVM_HOTSPOT && openj9 ? JVM_OPENJ9 : kind;
}

/* HotSpot names its threads: "VM Thread" runs in every HotSpot JVM. */
static bool threads__hotspot(pid_t pid)
{
	char path[64], comm[32];
	struct dirent *d;
	bool found = false;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && !found && (d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/comm", (int)pid, d->d_name);
		f = d->d_name[0] != '.' ? fopen(path, "re") : NULL;
		found = f && fgets(comm, sizeof(comm), f) && !strcmp(comm, "VM Thread\n");
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return found;
}

/*
 * /proc/PID/maps refused: not being root is the usual reason. As root, the kernel still refuses
 * a process that holds capabilities we lack or that a security module guards (a sandbox's init);
 * its thread names still tell whether it is a JVM at all, which is what the user needs to know.
 */
static int maps__explain(pid_t pid, int e, char *err, size_t err_len)
{
	char *comm = procfs__read(pid, "comm", NULL);

	if (comm)
		comm[strcspn(comm, "\n")] = '\0';
	if (e == -ENOENT || e == -ESRCH) {
		snprintf(err, err_len, "no process %d: check the pid (pgrep -a java)", (int)pid);
		e = -ESRCH;
	} else if (geteuid() != 0) {
		snprintf(err, err_len, "cannot read /proc/%d/maps: %s; run as root", (int)pid,
			 strerror(-e));
	} else if (!threads__hotspot(pid)) {
		snprintf(
			err, err_len,
			"process %d (%s) is not a JVM: it has no HotSpot 'VM Thread' (find JVMs with pgrep -a java)",
			(int)pid, comm ? comm : "?");
		e = -ENOEXEC;
	} else {
		snprintf(
			err, err_len,
			"JVM %d cannot be inspected even as root (/proc/%d/maps: %s): it holds capabilities we lack, or a security module guards it; start it with -agentpath:libbpfprof-agent.so",
			(int)pid, (int)pid, strerror(-e));
	}
	free(comm);
	return e;
}

int jvm__inspect(pid_t pid, struct jvm_target *t, char *err, size_t err_len)
{
	char *status;
	const char *sig;
	int e = 0;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	status = pid > 0 ? procfs__read(pid, "status", NULL) : NULL;
	if (!status) {
		snprintf(err, err_len, "no process %d: check the pid (pgrep -a java)", (int)pid);
		return -ESRCH;
	}
	t->nspid = procfs__nspid(status);
	t->uid = procfs__effective_id(status, "Uid:");
	t->gid = procfs__effective_id(status, "Gid:");
	sig = procfs__field(status, "SigCgt:");
	t->sigcgt = sig ? strtoull(sig, NULL, 16) : 0;
	free(status);
	t->kind = maps__kind(pid, &e);
	if (e)
		return maps__explain(pid, e, err, err_len);
	if (t->kind == JVM_NOT_JVM) {
		snprintf(err, err_len, "process %d is not a JVM (no libjvm.so mapped)", (int)pid);
		return -ENOEXEC;
	}
	if (t->kind == JVM_OPENJ9) {
		snprintf(
			err, err_len,
			"JVM %d is OpenJ9, not HotSpot: restart it with -Xjit:perfTool to get /tmp/perf-PID.map",
			(int)pid);
		return -ENOTSUP;
	}
	return 0;
}

/* ---- flags ---- */

int jvm__scan_flag(const char *args, size_t len, const char *seps, const char *flag, int current)
{
	size_t flen = strlen(flag);
	const char *p = args, *end = args + len;

	while (p < end) {
		size_t tok = 0;

		while (p < end && strchr(seps, *p) && *p)
			p++;
		while (p + tok < end && p[tok] && !strchr(seps, p[tok]))
			tok++;
		if (tok == 5 + flen && !strncmp(p, "-XX:", 4) && (p[4] == '+' || p[4] == '-') &&
		    !strncmp(p + 5, flag, flen))
			current = p[4] == '+';
		p += tok ? tok : 1;
	}
	return current;
}

/* The value of NAME=... in a NUL-separated environ block, or NULL. */
static const char *environ__get(const char *env, size_t len, const char *name)
{
	size_t nlen = strlen(name);

	for (const char *p = env; p < env + len; p += strlen(p) + 1)
		if (!strncmp(p, name, nlen) && p[nlen] == '=')
			return p + nlen + 1;
	return NULL;
}

int jvm__bool_flag(pid_t pid, const char *flag)
{
	static const char *const ws = " \t\n";
	size_t env_len = 0, cmd_len = 0;
	char *env = procfs__read(pid, "environ", &env_len);
	char *cmd = procfs__read(pid, "cmdline", &cmd_len);
	const char *v;
	int val = -1;

	if (env && (v = environ__get(env, env_len, "JAVA_TOOL_OPTIONS")))
		val = jvm__scan_flag(v, strlen(v), ws, flag, val);
	if (env && (v = environ__get(env, env_len, "JDK_JAVA_OPTIONS")))
		val = jvm__scan_flag(v, strlen(v), ws, flag, val);
	if (cmd)
		val = jvm__scan_flag(cmd, cmd_len, "", flag, val);
	if (env && (v = environ__get(env, env_len, "_JAVA_OPTIONS")))
		val = jvm__scan_flag(v, strlen(v), ws, flag, val);
	free(env);
	free(cmd);
	return val;
}

bool jvm__has_agent(pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	while (f && !found && getline(&line, &cap, f) > 0) {
		const char *name = strstr(line, "/" JVM_AGENT_FILE);

		/* the whole file name: "...agent.so\n", or "...agent.so (deleted)\n" for a copy */
		found = name && strchr(" \n", name[1 + strlen(JVM_AGENT_FILE)]);
	}
	free(line);
	if (f)
		fclose(f);
	return found;
}

bool jvm__has_perf_map(const struct jvm_target *t)
{
	static const struct rootfs_policy any = { 0, ROOTFS_ANY_OWNER, 0 };
	char path[64];
	int rootfd, fd;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)t->pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return false;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)t->nspid);
	fd = rootfs__open(rootfd, path, &any);
	close(rootfd);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}
