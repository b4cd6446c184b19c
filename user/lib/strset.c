// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/strset.c - interned strings (see lib/strset.h): an open-addressing hash of pointers into a chunked
 * arena. Chunks never move, so returned pointers stay valid while the table grows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hash.h"
#include "lib/strset.h"

#define CHUNK_SIZE (256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct strset {
	const char **slots; /* power-of-two sized, NULL = empty */
	size_t nslots, count;
	struct chunk *chunks;
};

struct strset *strset__new(void)
{
	struct strset *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->nslots = 1024;
	set->slots = calloc(set->nslots, sizeof(*set->slots));
	if (!set->slots) {
		free(set);
		return NULL;
	}
	return set;
}

static char *strset__alloc(struct strset *set, size_t len)
{
	struct chunk *c = set->chunks;
	char *p;

	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = set->chunks;
		c->used = 0;
		c->size = size;
		set->chunks = c;
	}
	p = c->data + c->used;
	c->used += len + 1;
	return p;
}

static int strset__grow(struct strset *set)
{
	size_t n = set->nslots * 2, i;
	const char **slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (i = 0; i < set->nslots; i++) {
		const char *s = set->slots[i];
		size_t j;

		if (!s)
			continue;
		j = fnv1a(FNV1A_INIT, s, strlen(s)) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = s;
	}
	free(set->slots);
	set->slots = slots;
	set->nslots = n;
	return 0;
}

const char *strset__addn(struct strset *set, const char *s, size_t len)
{
	size_t i;
	char *copy;

	if (set->count * 2 >= set->nslots && strset__grow(set))
		return NULL;
	i = fnv1a(FNV1A_INIT, s, len) & (set->nslots - 1);
	for (; set->slots[i]; i = (i + 1) & (set->nslots - 1)) {
		if (!strncmp(set->slots[i], s, len) && set->slots[i][len] == '\0')
			return set->slots[i];
	}
	copy = strset__alloc(set, len);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	set->slots[i] = copy;
	set->count++;
	return copy;
}

const char *strset__add(struct strset *set, const char *s)
{
	return strset__addn(set, s, strlen(s));
}

void strset__free(struct strset *set)
{
	struct chunk *c, *next;

	if (!set)
		return;
	for (c = set->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(set->slots);
	free(set);
}
