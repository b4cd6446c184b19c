// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/slot_index.c - open-addressing index of record numbers (see lib/slot_index.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/slot_index.h"

static uint32_t *slots_new(size_t cap)
{
	uint32_t *s = malloc(cap * sizeof(*s));

	if (s)
		memset(s, 0xff, cap * sizeof(*s));
	return s;
}

/* Records 0..n-1 into slots that are all empty. */
static void slot_index__fill(struct slot_index *ix, size_t n, slot_hash_fn hash_of, const void *ctx)
{
	for (size_t rec = 0; rec < n; rec++) {
		size_t i = slot_index__first(ix, hash_of(ctx, rec));

		while (ix->slots[i] != SLOT_EMPTY)
			i = slot_index__next(ix, i);
		ix->slots[i] = rec;
	}
}

int slot_index__init(struct slot_index *ix, size_t cap)
{
	ix->cap = cap;
	ix->slots = slots_new(cap);
	return ix->slots ? 0 : -ENOMEM;
}

int slot_index__reserve(struct slot_index *ix, size_t n, slot_hash_fn hash_of, const void *ctx)
{
	uint32_t *bigger;

	if ((n + 1) * 2 <= ix->cap)
		return 0;
	bigger = slots_new(ix->cap * 2);
	if (!bigger)
		return -ENOMEM;
	free(ix->slots);
	ix->slots = bigger;
	ix->cap *= 2;
	slot_index__fill(ix, n, hash_of, ctx);
	return 0;
}

void slot_index__rebuild(struct slot_index *ix, size_t n, slot_hash_fn hash_of, const void *ctx)
{
	memset(ix->slots, 0xff, ix->cap * sizeof(*ix->slots));
	slot_index__fill(ix, n, hash_of, ctx);
}

void slot_index__free(struct slot_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = 0;
}
