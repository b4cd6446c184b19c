// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/runtimes.c - the facade over every runtime (see runtimes.h): one table lists them, each
 * call goes to every runtime that has the op, and /proc/PID/maps is read once per process for
 * all their detect()s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtimes/runtimes.h"
#include "lib/procfs.h"
#include "lib/util.h"

static const struct runtime_ops *const all_runtimes[] = { &java_runtime };

#define NRUNTIMES ARRAY_LEN(all_runtimes)

struct runtimes {
	void *state[NRUNTIMES]; /* NULL: that runtime is left out */
};

struct runtimes *runtimes__new(const struct runtime_cfg *cfg)
{
	struct runtimes *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	for (size_t i = 0; i < NRUNTIMES; i++)
		rt->state[i] = all_runtimes[i]->new (cfg);
	return rt;
}

void runtimes__free(struct runtimes *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; i < NRUNTIMES; i++)
		if (rt->state[i] && all_runtimes[i]->free)
			all_runtimes[i]->free(rt->state[i]);
	free(rt);
}

/* Append text to the environment variable var, space-separated. */
static void env__append(const char *var, const char *text)
{
	const char *old = getenv(var);
	char *val;

	if (asprintf(&val, "%s%s%s", old ? old : "", old ? " " : "", text) > 0) {
		setenv(var, val, 1);
		free(val);
	}
}

void runtimes__command_env(const struct runtimes *rt)
{
	const char *var, *text;

	for (size_t i = 0; rt && i < NRUNTIMES; i++) {
		if (!rt->state[i] || !all_runtimes[i]->command_env)
			continue;
		text = all_runtimes[i]->command_env(rt->state[i], &var);
		if (text)
			env__append(var, text);
	}
}

const char *runtimes__probe_lib(const struct runtimes *rt)
{
	const char *lib = NULL;

	for (size_t i = 0; rt && !lib && i < NRUNTIMES; i++)
		if (rt->state[i] && all_runtimes[i]->probe_lib)
			lib = all_runtimes[i]->probe_lib(rt->state[i]);
	return lib;
}

int runtimes__prepare(struct runtimes *rt, pid_t pid)
{
	char *maps;
	int e = -ENOEXEC;

	if (!rt)
		return -ENOEXEC;
	maps = procfs__read(pid, "maps", NULL);
	for (size_t i = 0; maps && i < NRUNTIMES; i++) {
		const struct runtime_ops *ops = all_runtimes[i];

		if (rt->state[i] && ops->prepare && ops->detect(pid, maps)) {
			e = ops->prepare(rt->state[i], pid);
			break;
		}
	}
	free(maps);
	return e;
}

void runtimes__offer(struct runtimes *rt, pid_t pid)
{
	for (size_t i = 0; rt && i < NRUNTIMES; i++)
		if (rt->state[i] && all_runtimes[i]->offer)
			all_runtimes[i]->offer(rt->state[i], pid);
}

void runtimes__forget(struct runtimes *rt, pid_t pid)
{
	for (size_t i = 0; rt && i < NRUNTIMES; i++)
		if (rt->state[i] && all_runtimes[i]->forget)
			all_runtimes[i]->forget(rt->state[i], pid);
}

void runtimes__finish(struct runtimes *rt)
{
	for (size_t i = 0; rt && i < NRUNTIMES; i++)
		if (rt->state[i] && all_runtimes[i]->finish)
			all_runtimes[i]->finish(rt->state[i]);
}

const char *runtimes__jit_name(const char *name, struct strset *strs)
{
	for (size_t i = 0; i < NRUNTIMES; i++) {
		const char *better = all_runtimes[i]->jit_name(name, strs);

		if (better)
			return better;
	}
	return name;
}

struct thread_names *runtimes__thread_names(int rootfd, pid_t nspid, uid_t owner)
{
	struct thread_names *tn;

	errno = ENOENT;
	for (size_t i = 0; i < NRUNTIMES; i++) {
		if (!all_runtimes[i]->thread_names)
			continue;
		tn = all_runtimes[i]->thread_names(rootfd, nspid, owner);
		if (tn)
			return tn;
	}
	return NULL;
}

bool runtimes__is_interpreter(const char *name)
{
	for (size_t i = 0; i < NRUNTIMES; i++)
		if (all_runtimes[i]->interpreter && !strcmp(name, all_runtimes[i]->interpreter))
			return true;
	return false;
}

struct method_names *runtimes__method_names(int rootfd, pid_t nspid, uid_t owner)
{
	struct method_names *mn;

	errno = ENOENT;
	for (size_t i = 0; i < NRUNTIMES; i++) {
		if (!all_runtimes[i]->method_names)
			continue;
		mn = all_runtimes[i]->method_names(rootfd, nspid, owner);
		if (mn)
			return mn;
	}
	return NULL;
}
