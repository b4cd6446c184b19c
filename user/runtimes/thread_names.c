// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/thread_names.c - tid -> whole thread name (see thread_names.h): a map of tids to
 * names interned once, checked against the kernel's comm on every lookup.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtimes/thread_names.h"
#include "lib/strset.h"
#include "lib/u64map.h"

struct thread_names {
	struct u64map *by_tid; /* tid -> interned name */
	struct strset *strs;
};

struct thread_names *thread_names__new(void)
{
	struct thread_names *tn = calloc(1, sizeof(*tn));

	if (!tn)
		return NULL;
	tn->by_tid = u64map__new();
	tn->strs = strset__new();
	if (!tn->by_tid || !tn->strs) {
		thread_names__free(tn);
		return NULL;
	}
	return tn;
}

int thread_names__set(struct thread_names *tn, pid_t tid, const char *name, size_t len)
{
	const char *in = strset__addn(tn->strs, name, len);

	return in && !u64map__set(tn->by_tid, (uint64_t)tid, (void *)in) ? 0 : -ENOMEM;
}

const char *thread_names__find(const struct thread_names *tn, pid_t tid, const char *comm)
{
	const char *name = tn && tid > 0 ? u64map__get(tn->by_tid, (uint64_t)tid) : NULL;
	size_t n = comm ? strnlen(comm, THREAD_COMM_LEN + 1) : 0;

	if (!name || !n || n > THREAD_COMM_LEN)
		return NULL;
	if (strncmp(name, comm, n) || strnlen(name, THREAD_COMM_LEN) != n)
		return NULL;
	return name;
}

size_t thread_names__count(const struct thread_names *tn)
{
	return tn ? u64map__count(tn->by_tid) : 0;
}

void thread_names__free(struct thread_names *tn)
{
	if (!tn)
		return;
	u64map__free(tn->by_tid);
	strset__free(tn->strs);
	free(tn);
}
