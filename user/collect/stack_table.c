// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/stack_table.c - raw stacks summed across drains (see collect/stack_table.h).
 *
 * Two interning tables share one shape: an array of records and an index of record numbers
 * keyed by a 64-bit hash kept with each record (lib/slot_index.h). Stacks are keyed by their ips;
 * entries by a key whose stacks are already interned stack numbers, so comparing two keys
 * compares whole stacks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "lib/array.h"
#include "lib/hash.h"
#include "lib/slot_index.h"
#include "collect/stack_table.h"

struct raw_stack {
	uint64_t *ips; /* leaf first, len entries, then a 0 */
	uint32_t len;
	uint64_t hash;
};

/* Hashed and compared as bytes: always zero-initialized, no padding left undefined. */
struct entry_key {
	uint32_t pid, tid;
	char tcomm[SAMPLE_COMM_LEN];
	int32_t kstack, ustack; /* interned stack numbers, -1 when empty or missing */
	uint32_t klost, ulost;	/* enum stack_lost */
	uint32_t kind;		/* enum sample_kind */
	const char *leaf;	/* the sampler's name (it outlives the table), or NULL */
};

struct raw_entry {
	struct entry_key key;
	uint64_t count, weight;
	uint64_t hash;
};

struct stack_table {
	struct raw_stack *stacks;
	size_t nstacks, stacks_cap;
	struct raw_entry *entries;
	size_t nentries, entries_cap;
	struct slot_index stack_ix, entry_ix;
};

static uint64_t hash_words(const void *data, size_t bytes)
{
	return fnv1a(FNV1A_INIT, data, bytes);
}

static uint32_t stack_len(const struct sample_stack *st)
{
	uint32_t n = 0;

	while (st->ips && n < st->len && n < SAMPLE_MAX_DEPTH && st->ips[n])
		n++;
	return n;
}

static uint64_t stack_hash_of(const void *records, size_t i)
{
	return ((const struct raw_stack *)records)[i].hash;
}

static uint64_t entry_hash_of(const void *records, size_t i)
{
	return ((const struct raw_entry *)records)[i].hash;
}

struct stack_table *stack_table__new(void)
{
	struct stack_table *t = calloc(1, sizeof(*t));

	if (!t || slot_index__init(&t->stack_ix, 256) || slot_index__init(&t->entry_ix, 256)) {
		stack_table__free(t);
		return NULL;
	}
	return t;
}

/* The interned number of ips[0..len), added when new; -ENOMEM on failure. */
static long stack_table__intern(struct stack_table *t, const uint64_t *ips, uint32_t len)
{
	uint64_t h = hash_words(ips, len * sizeof(*ips));
	struct raw_stack *rs;
	size_t j;

	if (slot_index__reserve(&t->stack_ix, t->nstacks, stack_hash_of, t->stacks))
		return -ENOMEM;
	for (j = slot_index__first(&t->stack_ix, h); t->stack_ix.slots[j] != SLOT_EMPTY;
	     j = slot_index__next(&t->stack_ix, j)) {
		rs = &t->stacks[t->stack_ix.slots[j]];
		if (rs->hash == h && rs->len == len && !memcmp(rs->ips, ips, len * sizeof(*ips)))
			return t->stack_ix.slots[j];
	}
	if (array__grow((void **)&t->stacks, &t->stacks_cap, t->nstacks, sizeof(*t->stacks)))
		return -ENOMEM;
	rs = &t->stacks[t->nstacks];
	rs->ips = malloc((len + 1) * sizeof(*ips));
	if (!rs->ips)
		return -ENOMEM;
	memcpy(rs->ips, ips, len * sizeof(*ips));
	rs->ips[len] = 0;
	rs->len = len;
	rs->hash = h;
	t->stack_ix.slots[j] = t->nstacks++;
	return t->nstacks - 1;
}

/* A stack becomes a table stack number, or -1 when it has no frames. */
static int stack_table__map(struct stack_table *t, const struct sample_stack *st, int32_t *id)
{
	uint32_t len = stack_len(st);
	long n = -1;

	if (len) {
		n = stack_table__intern(t, st->ips, len);
		if (n < 0)
			return n;
	}
	*id = n;
	return 0;
}

int stack_table__add(struct stack_table *t, const struct sample *s)
{
	struct entry_key k;
	struct raw_entry *e;
	uint64_t h;
	size_t j;

	memset(&k, 0, sizeof(k));
	k.pid = s->pid;
	k.tid = s->tid;
	k.kind = s->kind;
	k.leaf = s->leaf;
	memcpy(k.tcomm, s->tcomm, sizeof(k.tcomm));
	k.klost = s->kernel.lost;
	k.ulost = s->user.lost;
	if (stack_table__map(t, &s->kernel, &k.kstack) || stack_table__map(t, &s->user, &k.ustack))
		return -ENOMEM;
	h = hash_words(&k, sizeof(k));
	if (slot_index__reserve(&t->entry_ix, t->nentries, entry_hash_of, t->entries))
		return -ENOMEM;
	for (j = slot_index__first(&t->entry_ix, h); t->entry_ix.slots[j] != SLOT_EMPTY;
	     j = slot_index__next(&t->entry_ix, j)) {
		e = &t->entries[t->entry_ix.slots[j]];
		if (e->hash == h && !memcmp(&e->key, &k, sizeof(k))) {
			e->count += s->count;
			e->weight += s->weight;
			return 0;
		}
	}
	if (array__grow((void **)&t->entries, &t->entries_cap, t->nentries, sizeof(*t->entries)))
		return -ENOMEM;
	t->entries[t->nentries] =
		(struct raw_entry){ .key = k, .count = s->count, .weight = s->weight, .hash = h };
	t->entry_ix.slots[j] = t->nentries++;
	return 0;
}

static struct sample_stack stack_table__stack(const struct stack_table *t, int32_t id,
					      uint32_t lost)
{
	static const uint64_t none[1];

	if (id < 0 || (size_t)id >= t->nstacks)
		return (struct sample_stack){ .ips = none, .lost = lost };
	return (struct sample_stack){ .ips = t->stacks[id].ips,
				      .len = t->stacks[id].len,
				      .lost = lost };
}

void stack_table__for_each(const struct stack_table *t, sample_fn fn, void *ctx)
{
	struct sample s;

	for (size_t i = 0; t && i < t->nentries; i++) {
		const struct raw_entry *e = &t->entries[i];

		s = (struct sample){
			.pid = e->key.pid,
			.tid = e->key.tid,
			.kind = e->key.kind,
			.kernel = stack_table__stack(t, e->key.kstack, e->key.klost),
			.user = stack_table__stack(t, e->key.ustack, e->key.ulost),
			.leaf = e->key.leaf,
			.count = e->count,
			.weight = e->weight,
		};
		memcpy(s.tcomm, e->key.tcomm, sizeof(s.tcomm));
		fn(&s, ctx);
	}
}

size_t stack_table__entries(const struct stack_table *t)
{
	return t ? t->nentries : 0;
}

size_t stack_table__stacks(const struct stack_table *t)
{
	return t ? t->nstacks : 0;
}

void stack_table__free(struct stack_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nstacks; i++)
		free(t->stacks[i].ips);
	free(t->stacks);
	free(t->entries);
	slot_index__free(&t->stack_ix);
	slot_index__free(&t->entry_ix);
	free(t);
}
