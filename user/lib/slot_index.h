/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/slot_index.h - an open-addressing index over records kept in the caller's own array (the
 * profile's frames and stacks, the raw stack table's stacks and entries).
 *
 * Invariants: cap is a power of two; a slot holds a record number or SLOT_EMPTY; at most half the
 * slots are used, so a probe ends after a step or two. The caller probes from
 * slot_index__first() with slot_index__next() using its own equality, and stores the new record
 * number in the empty slot it stopped at -- after slot_index__reserve(), which may move
 * everything. Hashes come from the caller (hash_of(ctx, i) for record i) whenever slots are
 * rebuilt.
 */
#ifndef BPFPROF_SLOT_INDEX_H
#define BPFPROF_SLOT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define SLOT_EMPTY UINT32_MAX

struct slot_index {
	uint32_t *slots;
	size_t cap;
};

typedef uint64_t (*slot_hash_fn)(const void *ctx, size_t rec);

/* cap slots (a power of two), all empty. 0 or -ENOMEM. */
int slot_index__init(struct slot_index *ix, size_t cap);
/* Make room for one more record beside n: doubles and re-slots records 0..n-1 at half load. */
int slot_index__reserve(struct slot_index *ix, size_t n, slot_hash_fn hash_of, const void *ctx);
/* Empty every slot and re-slot records 0..n-1 (after the caller reordered them). */
void slot_index__rebuild(struct slot_index *ix, size_t n, slot_hash_fn hash_of, const void *ctx);
void slot_index__free(struct slot_index *ix);

static inline size_t slot_index__first(const struct slot_index *ix, uint64_t hash)
{
	return hash & (ix->cap - 1);
}

static inline size_t slot_index__next(const struct slot_index *ix, size_t i)
{
	return (i + 1) & (ix->cap - 1);
}

#endif /* BPFPROF_SLOT_INDEX_H */
