// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/u64map.c - open-addressing hash map, uint64_t -> pointer (see lib/u64map.h).
 * Linear probing; a deletion shifts the rest of its run back, so probing needs no tombstones.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "lib/u64map.h"

struct slot {
	uint64_t key;
	void *val;
	bool used;
};

struct u64map {
	struct slot *slots;
	size_t cap, count; /* cap is a power of two */
};

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL; /* murmur3 finalizer: pids are sequential */
	key ^= key >> 33;
	return key & (cap - 1);
}

struct u64map *u64map__new(void)
{
	struct u64map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

static struct slot *u64map__slot(const struct u64map *m, uint64_t key)
{
	size_t i = slot_of(key, m->cap);

	while (m->slots[i].used && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void *u64map__get(const struct u64map *m, uint64_t key)
{
	struct slot *s = u64map__slot(m, key);

	return s->used ? s->val : NULL;
}

static int u64map__grow(struct u64map *m)
{
	struct u64map bigger = { .cap = m->cap * 2 };
	size_t i;

	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].used)
			*u64map__slot(&bigger, m->slots[i].key) = m->slots[i];
	}
	free(m->slots);
	m->slots = bigger.slots;
	m->cap = bigger.cap;
	return 0;
}

int u64map__set(struct u64map *m, uint64_t key, void *val)
{
	struct slot *s;

	if (m->count * 2 >= m->cap && u64map__grow(m))
		return -ENOMEM;
	s = u64map__slot(m, key);
	if (!s->used) {
		s->used = true;
		s->key = key;
		m->count++;
	}
	s->val = val;
	return 0;
}

/* Linear probing: close the gap by moving later entries of the run back (no tombstones). */
void *u64map__del(struct u64map *m, uint64_t key)
{
	struct slot *s = u64map__slot(m, key);
	size_t hole, i;
	void *val;

	if (!s->used)
		return NULL;
	val = s->val;
	hole = s - m->slots;
	m->slots[hole].used = false;
	m->count--;
	for (i = (hole + 1) & (m->cap - 1); m->slots[i].used; i = (i + 1) & (m->cap - 1)) {
		size_t home = slot_of(m->slots[i].key, m->cap);

		/* the entry may move into the hole unless its home lies in (hole, i] */
		if (((i - home) & (m->cap - 1)) >= ((i - hole) & (m->cap - 1))) {
			m->slots[hole] = m->slots[i];
			m->slots[i].used = false;
			hole = i;
		}
	}
	return val;
}

void u64map__for_each(const struct u64map *m, void (*fn)(uint64_t, void *, void *), void *ctx)
{
	size_t i;

	for (i = 0; m && i < m->cap; i++) {
		if (m->slots[i].used)
			fn(m->slots[i].key, m->slots[i].val, ctx);
	}
}

size_t u64map__count(const struct u64map *m)
{
	return m ? m->count : 0;
}

void u64map__free(struct u64map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}
