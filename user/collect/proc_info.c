// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/proc_info.c - exe and cgroup of each sampled process, kept until it has exited and
 * no open collection can name it any more (see collect/proc_info.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/proc_info.h"
#include "lib/u64map.h"

struct proc_info {
	struct u64map *by_pid; /* pid -> struct proc_info_entry */
};

struct proc_info *proc_info__new(void)
{
	struct proc_info *pi = calloc(1, sizeof(*pi));

	if (pi && !(pi->by_pid = u64map__new())) {
		free(pi);
		return NULL;
	}
	return pi;
}

static void entry__read(struct proc_info_entry *e, pid_t pid)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, e->exe, sizeof(e->exe) - 1);
	e->exe[n > 0 ? n : 0] = '\0';
	if (cgroup__of_pid(pid, e->cgroup, sizeof(e->cgroup)))
		e->cgroup[0] = '\0';
	cgroup__ids(e->cgroup, &e->ids);
}

void proc_info__seen(struct proc_info *pi, pid_t pid, unsigned long long start)
{
	struct proc_info_entry *e = u64map__get(pi->by_pid, pid);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || u64map__set(pi->by_pid, pid, e)) {
			free(e);
			return;
		}
	}
	memset(e, 0, sizeof(*e));
	e->start = start;
	entry__read(e, pid);
}

void proc_info__exit(struct proc_info *pi, pid_t pid, unsigned long long start, unsigned long epoch)
{
	struct proc_info_entry *e = u64map__get(pi->by_pid, pid);

	if (e && (!start || !e->start || e->start == start))
		e->exit_epoch = epoch ? epoch : 1;
}

const struct proc_info_entry *proc_info__get(const struct proc_info *pi, pid_t pid)
{
	return u64map__get(pi->by_pid, pid);
}

struct evict_list {
	unsigned long before;
	pid_t *pids;
	size_t n, cap;
};

static void evict__note(uint64_t key, void *val, void *ctx)
{
	struct proc_info_entry *e = val;
	struct evict_list *l = ctx;

	if (e->exit_epoch && e->exit_epoch < l->before && l->n < l->cap)
		l->pids[l->n++] = key;
}

size_t proc_info__evict(struct proc_info *pi, unsigned long before)
{
	struct evict_list l = { .before = before, .cap = u64map__count(pi->by_pid) };

	l.pids = malloc((l.cap ? l.cap : 1) * sizeof(*l.pids));
	if (!l.pids)
		return 0;
	u64map__for_each(pi->by_pid, evict__note, &l);
	for (size_t i = 0; i < l.n; i++)
		free(u64map__del(pi->by_pid, l.pids[i]));
	free(l.pids);
	return l.n;
}

size_t proc_info__count(const struct proc_info *pi)
{
	return u64map__count(pi->by_pid);
}

static void entry__free(uint64_t key, void *val, void *ctx)
{
	free(val);
}

void proc_info__free(struct proc_info *pi)
{
	if (!pi)
		return;
	u64map__for_each(pi->by_pid, entry__free, NULL);
	u64map__free(pi->by_pid);
	free(pi);
}
