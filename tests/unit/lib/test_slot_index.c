// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_slot_index.c - the index the profile and the raw stack table intern through: records
 * stay findable across doublings, load stays at or under half, colliding hashes each get a
 * slot, and a rebuild after the records were reordered finds each at its new number.
 */
#include <stdlib.h>
#include "check.h"
#include "lib/slot_index.h"

static uint64_t keys[5000];

static uint64_t key_of(const void *ctx, size_t rec)
{
	return ((const uint64_t *)ctx)[rec] * 0x9e3779b97f4a7c15ULL;
}

/* The record number holding key k, or -1. */
static long find(const struct slot_index *ix, uint64_t k)
{
	for (size_t i = slot_index__first(ix, key_of(&k, 0)); ix->slots[i] != SLOT_EMPTY;
	     i = slot_index__next(ix, i))
		if (keys[ix->slots[i]] == k)
			return ix->slots[i];
	return -1;
}

static int insert(struct slot_index *ix, size_t n, uint64_t k)
{
	size_t i;

	if (slot_index__reserve(ix, n, key_of, keys))
		return -1;
	for (i = slot_index__first(ix, key_of(&k, 0)); ix->slots[i] != SLOT_EMPTY;
	     i = slot_index__next(ix, i))
		;
	keys[n] = k;
	ix->slots[i] = n;
	return 0;
}

int main(void)
{
	struct slot_index ix;
	size_t n, bad = 0, over_half = 0;

	check(slot_index__init(&ix, 4) == 0, "init 4 slots");
	for (n = 0; n < 5000; n++) {
		bad += insert(&ix, n, n % 2 ? n : n << 32) != 0; /* some share low bits */
		over_half += (n + 1) * 2 > ix.cap;
	}
	check_int(bad, 0, "5000 inserts");
	check_int(over_half, 0, "never more than half the slots used");
	check_int(ix.cap, 16384, "doubled from 4 to 16384");
	for (n = 0, bad = 0; n < 5000; n++)
		bad += find(&ix, n % 2 ? n : n << 32) != (long)n;
	check_int(bad, 0, "every record found at its number after the doublings");
	check_int(find(&ix, 7777777), -1, "an absent key is not found");
	for (n = 0; n < 2500; n++) { /* reverse the records, as a sort would move them */
		uint64_t t = keys[n];

		keys[n] = keys[4999 - n];
		keys[4999 - n] = t;
	}
	slot_index__rebuild(&ix, 5000, key_of, keys);
	check_int(find(&ix, 0), 4999, "after a rebuild, record 0 is found at its new number");
	check_int(find(&ix, 4999), 0, "and the last at 0");
	slot_index__free(&ix);
	check(ix.slots == NULL && ix.cap == 0, "free leaves an empty index");
	return check_done();
}
