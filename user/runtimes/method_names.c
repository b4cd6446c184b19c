// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/method_names.c - method address -> name (see method_names.h): a map of addresses to
 * names interned once (a class's overloads share theirs).
 */
#include <errno.h>
#include <stdlib.h>

#include "runtimes/method_names.h"
#include "lib/strset.h"
#include "lib/u64map.h"

struct method_names {
	struct u64map *by_addr; /* address -> interned name */
	struct strset *strs;
};

struct method_names *method_names__new(void)
{
	struct method_names *mn = calloc(1, sizeof(*mn));

	if (!mn)
		return NULL;
	mn->by_addr = u64map__new();
	mn->strs = strset__new();
	if (!mn->by_addr || !mn->strs) {
		method_names__free(mn);
		return NULL;
	}
	return mn;
}

int method_names__set(struct method_names *mn, uint64_t addr, const char *name, size_t len)
{
	const char *in = strset__addn(mn->strs, name, len);

	return in && !u64map__set(mn->by_addr, addr, (void *)in) ? 0 : -ENOMEM;
}

const char *method_names__find(const struct method_names *mn, uint64_t addr)
{
	return mn && addr ? u64map__get(mn->by_addr, addr) : NULL;
}

size_t method_names__count(const struct method_names *mn)
{
	return mn ? u64map__count(mn->by_addr) : 0;
}

void method_names__free(struct method_names *mn)
{
	if (!mn)
		return;
	u64map__free(mn->by_addr);
	strset__free(mn->strs);
	free(mn);
}
