// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/jattach.c - HotSpot's dynamic attach in C: load an agent into a running JVM or run
 * a jcmd command in it, also when the JVM runs in a container (see runtimes/java/jattach.h for
 * the protocol). Each command is the same few steps: encode the request (protocol.c), open the
 * JVM (attach_conn.c), make the agent visible to it (agent_file.c), converse, read the reply.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtimes/java/jattach.h"
#include "runtimes/java/agent_file.h"
#include "runtimes/java/attach_conn.h"

static int jvm__command(pid_t pid, const char *cmd, const char *const args[3], int timeout_ms,
			char **reply, char *err, size_t err_len)
{
	char req[5 * JVM_ARG_MAX_LEN];
	struct attach a;
	int len, e;

	len = jvm__request(req, sizeof(req), cmd, args);
	if (len < 0) {
		snprintf(
			err, err_len,
			"attach argument longer than %d bytes; use a shorter path or fewer options",
			JVM_ARG_MAX_LEN - 1);
		return len;
	}
	e = attach__open(&a, pid, timeout_ms, err, err_len);
	if (!e)
		e = attach__execute(&a, req, len, reply, err, err_len);
	attach__close(&a);
	return e;
}

int jvm__load_agent(pid_t pid, const char *agent_path, const char *options, int timeout_ms,
		    char *err, size_t err_len)
{
	struct attach a;
	char path[PATH_MAX], req[5 * JVM_ARG_MAX_LEN], *reply = NULL;
	const char *args[3] = { path, "true", options };
	struct stat copy = { 0 };
	int e, len;

	e = attach__open(&a, pid, timeout_ms, err, err_len);
	if (!e)
		e = agent__path_for(&a, agent_path, path, sizeof(path), &copy, err, err_len);
	if (!e) {
		len = jvm__request(req, sizeof(req), "load", args);
		if (len < 0) {
			snprintf(err, err_len,
				 "agent path or options longer than %d bytes; shorten them",
				 JVM_ARG_MAX_LEN - 1);
			e = len;
		}
	}
	if (!e)
		e = attach__execute(&a, req, len, &reply, err, err_len);
	if (!e)
		e = jvm__parse_load_reply(reply, err, err_len);
	agent__remove_copy(&a, &copy);
	free(reply);
	attach__close(&a);
	return e;
}

int jvm__jcmd(pid_t pid, const char *command, char **output, int timeout_ms, char *err,
	      size_t err_len)
{
	const char *args[3] = { command, NULL, NULL };
	const char *body;
	char *reply = NULL;
	int e, status;

	*output = NULL;
	e = jvm__command(pid, "jcmd", args, timeout_ms, &reply, err, err_len);
	if (e)
		return e;
	if (jvm__parse_reply(reply, &status, &body)) {
		jvm__one_line(err, err_len, "unexpected jcmd reply: ", reply ? reply : "(nothing)");
		e = -EIO;
	} else if (status != 0) {
		jvm__one_line(err, err_len, "jcmd failed in the JVM: ", body);
		e = -EIO;
	} else {
		*output = strdup(body);
	}
	free(reply);
	return e;
}

int jvm__default_agent(char *path, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(path, len, "%s/" JVM_AGENT_FILE, exe) >= len)
		return -ENAMETOOLONG;
	return access(path, R_OK) ? -errno : 0;
}
