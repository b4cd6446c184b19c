// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * liveset.c - which parts of the map file still describe live code, so mapfile.c can rewrite the
 * map without the rest once most of it is dead.
 *
 * Every append to the map is one record: a code blob's whole-range line, then its inline lines,
 * at [off, off + len) of the file. A record dies when the JVM unloads its compiled method
 * (CompiledMethodUnload names the start and the method), or when a newer record starting at the
 * same address covers its whole range: readers take the newest line covering an address, so
 * such a record can never be picked again ("shadowed"). Stubs have no unload event; they only
 * die shadowed.
 *
 * The records sit in file order in one array; a hash from start address to array index finds
 * them for unloads and shadowing. Dead records stay in the array until a rewrite drops them, so
 * memory follows the file: the rewrite rule (dead bytes outnumber live ones) keeps both bounded.
 * Plain data, no I/O and no locking: mapfile.c holds its lock around every call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

#define REC_MAX (1u << 20) /* beyond this the set gives up: 32 MB of records */
#define DIED_SHADOWED 1u   /* died: 0 while live, this when shadowed, else now + 2 */

static uint32_t liveset__method_key(uintptr_t method)
{
	uint64_t m = method;
	uint32_t k = (uint32_t)(m ^ (m >> 32));

	return method && !k ? 1 : k; /* 0 stays "a stub" */
}

static size_t liveset__hash(uint64_t start, size_t nslots)
{
	return (size_t)((start >> 4) * 0x9e3779b97f4a7c15ull >> 20) & (nslots - 1);
}

static void liveset__slot_put(struct liveset *ls, uint32_t idx)
{
	size_t i = liveset__hash(ls->recs[idx].start, ls->nslots);

	while (ls->slots[i])
		i = (i + 1) & (ls->nslots - 1);
	ls->slots[i] = idx + 1;
}

/* Rebuild the hash for the records there are, with room for twice as many. */
static int liveset__rehash(struct liveset *ls, size_t want)
{
	size_t nslots = 64;
	uint32_t *slots;

	while (nslots < 2 * want)
		nslots *= 2;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	free(ls->slots);
	ls->slots = slots;
	ls->nslots = nslots;
	for (size_t i = 0; i < ls->n; i++)
		liveset__slot_put(ls, i);
	return 0;
}

static void liveset__kill(struct liveset *ls, struct live_rec *r, uint32_t died)
{
	r->died = died;
	ls->live_bytes -= r->len;
}

/* Records starting at start that the new range [start, start + size) shadows die. */
static void liveset__shadow(struct liveset *ls, uint64_t start, uint32_t size)
{
	for (size_t i = liveset__hash(start, ls->nslots); ls->slots[i];
	     i = (i + 1) & (ls->nslots - 1)) {
		struct live_rec *r = &ls->recs[ls->slots[i] - 1];

		if (r->start == start && r->size <= size && r->died != DIED_SHADOWED) {
			if (!r->died)
				ls->live_bytes -= r->len;
			r->died = DIED_SHADOWED;
		}
	}
}

static int liveset__grow(struct liveset *ls)
{
	size_t cap = ls->cap ? ls->cap * 2 : 256;
	struct live_rec *recs;

	if (ls->n >= REC_MAX)
		return -E2BIG;
	recs = realloc(ls->recs, cap * sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	ls->recs = recs;
	ls->cap = cap;
	return 0;
}

int liveset__add(struct liveset *ls, uint64_t start, uint32_t size, uintptr_t method, uint64_t off,
		 uint32_t len)
{
	if (ls->n == ls->cap && liveset__grow(ls))
		return -ENOMEM;
	if (2 * (ls->n + 1) > ls->nslots && liveset__rehash(ls, ls->n + 1))
		return -ENOMEM;
	liveset__shadow(ls, start, size);
	ls->recs[ls->n] = (struct live_rec){ .start = start,
					     .off = off,
					     .size = size,
					     .len = len,
					     .method = liveset__method_key(method) };
	liveset__slot_put(ls, ls->n++);
	ls->live_bytes += len;
	return 0;
}

void liveset__unload(struct liveset *ls, uint64_t start, uintptr_t method, uint32_t now)
{
	uint32_t key = liveset__method_key(method), newest = 0;

	if (!ls->nslots)
		return;
	for (size_t i = liveset__hash(start, ls->nslots); ls->slots[i];
	     i = (i + 1) & (ls->nslots - 1)) {
		uint32_t idx = ls->slots[i];
		const struct live_rec *r = &ls->recs[idx - 1];

		if (r->start == start && r->method == key && !r->died && idx > newest)
			newest = idx;
	}
	if (newest)
		liveset__kill(ls, &ls->recs[newest - 1], now + 2);
}

bool liveset__due(const struct liveset *ls, uint64_t file_size, uint64_t floor, uint64_t last_size)
{
	uint64_t live = ls->live_bytes;

	return floor && file_size >= floor && file_size >= 2 * last_size &&
	       file_size > 2 * live; /* dead bytes (file_size - live) outnumber live ones */
}

static bool liveset__keeps(const struct live_rec *r, uint32_t now, uint32_t grace)
{
	return !r->died || (r->died != DIED_SHADOWED && now + 2 - r->died < grace);
}

ssize_t liveset__plan(const struct liveset *ls, uint64_t end, uint32_t now, uint32_t grace,
		      struct span **out)
{
	struct span *spans = malloc((ls->n ? ls->n : 1) * sizeof(*spans));
	size_t n = 0;

	*out = spans;
	if (!spans)
		return -ENOMEM;
	for (size_t i = 0; i < ls->n && ls->recs[i].off < end; i++)
		if (liveset__keeps(&ls->recs[i], now, grace))
			spans[n++] = (struct span){ ls->recs[i].off, ls->recs[i].len };
	return n;
}

int liveset__rebase(struct liveset *ls, const struct span *kept, size_t nkept, uint64_t end,
		    uint64_t new_end)
{
	uint64_t at = 0;
	size_t n = 0, j = 0;

	for (size_t i = 0; i < ls->n; i++) {
		struct live_rec r = ls->recs[i];

		if (r.off >= end) {
			r.off = r.off - end + new_end; /* the tail was copied as it was */
		} else if (j < nkept && kept[j].off == r.off) {
			r.off = at;
			at += kept[j++].len;
		} else {
			continue; /* the rewrite dropped it */
		}
		ls->recs[n++] = r;
	}
	ls->n = n;
	return liveset__rehash(ls, n);
}

void liveset__free(struct liveset *ls)
{
	free(ls->recs);
	free(ls->slots);
	memset(ls, 0, sizeof(*ls));
}
