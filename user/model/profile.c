// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model/profile.c - the profile model: interned frames and unique stacks with value columns.
 *
 * A recording sees the same few thousand frames and stacks millions of times, so both are
 * interned through open-addressing hash tables kept in struct profile_index: a frame is keyed
 * by (name, kind, module), a stack by its sequence of frame ids. Tables double at half load, so
 * a lookup stays a probe or two. Stacks keep insertion order until profile__sort() orders them
 * by frame names (the order flame graphs and folded output want).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"
#include "lib/hash.h"
#include "lib/slot_index.h"
#include "model/profile.h"

#define UNMAPPED UINT32_MAX

struct profile_index {
	struct slot_index frames; /* frame ids */
	struct slot_index stacks; /* indexes into p->stacks */
	size_t frames_alloc;	  /* allocated length of p->frames */
	size_t stacks_alloc;	  /* allocated length of p->stacks */
};

static uint64_t hash_str(uint64_t h, const char *s)
{
	return fnv1a(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint64_t frame_hash(const char *name, enum frame_kind kind, const char *module)
{
	uint64_t h = FNV1A_INIT;

	h = hash_str(h, name);
	h = fnv1a(h, &kind, sizeof(kind));
	return hash_str(h, module);
}

static uint64_t ids_hash(const uint32_t *ids, uint32_t depth)
{
	return fnv1a(FNV1A_INIT, ids, depth * sizeof(*ids));
}

/* A src frame id -> dst frame id map for merging, every entry UNMAPPED. */
static uint32_t *frame_map_new(size_t n)
{
	uint32_t *m = malloc(n * sizeof(*m));

	if (m)
		memset(m, 0xff, n * sizeof(*m));
	return m;
}

struct profile *profile__new(void)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->index = calloc(1, sizeof(*p->index));
	if (!p->index)
		goto out_free;
	if (slot_index__init(&p->index->frames, 1024) || slot_index__init(&p->index->stacks, 1024))
		goto out_free;
	strcpy(p->meta.event, "cpu");
	strcpy(p->meta.unit, "nanoseconds");
	p->nvalues = 1;
	p->types[0] = (struct pf_value_type){ "samples", "count" };
	return p;
out_free:
	profile__free(p);
	return NULL;
}

void profile__free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nframes; i++) {
		free((char *)p->frames[i].name);
		free((char *)p->frames[i].module);
		free((char *)p->frames[i].build_id);
	}
	for (size_t i = 0; i < p->nstacks; i++)
		free(p->stacks[i].ids);
	free(p->frames);
	free(p->stacks);
	if (p->index) {
		slot_index__free(&p->index->frames);
		slot_index__free(&p->index->stacks);
		free(p->index);
	}
	free(p);
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static uint64_t frame_key(const void *ctx, size_t id)
{
	const struct pf_frame *f = &((const struct profile *)ctx)->frames[id];

	return frame_hash(f->name, f->kind, f->module);
}

static uint64_t stack_key(const void *ctx, size_t n)
{
	const struct pf_stack *s = &((const struct profile *)ctx)->stacks[n];

	return ids_hash(s->ids, s->depth);
}

/* Make room for one more element in an array of *alloc elements of size sz. */
static char *dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*failed = true;
	return d;
}

static int64_t frame_append(struct profile *p, const char *name, enum frame_kind kind,
			    const char *module, const char *build_id)
{
	struct pf_frame *f;
	bool failed = false;

	if (array__grow((void **)&p->frames, &p->index->frames_alloc, p->nframes,
			sizeof(*p->frames)))
		return -ENOMEM;
	f = &p->frames[p->nframes];
	f->name = dup_or_null(name ? name : "", &failed);
	f->module = dup_or_null(module, &failed);
	f->build_id = dup_or_null(build_id, &failed);
	f->kind = kind;
	if (failed) {
		free((char *)f->name);
		free((char *)f->module);
		free((char *)f->build_id);
		return -ENOMEM;
	}
	return p->nframes++;
}

int64_t profile__frame(struct profile *p, const char *name, enum frame_kind kind,
		       const char *module, const char *build_id)
{
	struct profile_index *ix = p->index;
	size_t i;
	int64_t id;

	if (!name)
		name = "";
	if (slot_index__reserve(&ix->frames, p->nframes, frame_key, p))
		return -ENOMEM;
	for (i = slot_index__first(&ix->frames, frame_hash(name, kind, module));
	     ix->frames.slots[i] != SLOT_EMPTY; i = slot_index__next(&ix->frames, i)) {
		struct pf_frame *f = &p->frames[ix->frames.slots[i]];

		if (f->kind == kind && !strcmp(f->name, name) && str_eq(f->module, module)) {
			/* A later sighting may know the build-id an earlier one did not. */
			if (!f->build_id && build_id)
				f->build_id = strdup(build_id);
			return ix->frames.slots[i];
		}
	}
	id = frame_append(p, name, kind, module, build_id);
	if (id >= 0)
		ix->frames.slots[i] = id;
	return id;
}

static int stack_append(struct profile *p, const uint32_t *ids, uint32_t depth)
{
	struct pf_stack *s;

	if (array__grow((void **)&p->stacks, &p->index->stacks_alloc, p->nstacks,
			sizeof(*p->stacks)))
		return -ENOMEM;
	s = &p->stacks[p->nstacks];
	s->ids = malloc((depth ? depth : 1) * sizeof(*ids));
	if (!s->ids)
		return -ENOMEM;
	memcpy(s->ids, ids, depth * sizeof(*ids));
	s->depth = depth;
	memset(s->values, 0, sizeof(s->values));
	p->nstacks++;
	return 0;
}

int profile__set_types(struct profile *p, const struct pf_value_type *types, int n)
{
	if (n < 1 || n > PROFILE_MAX_VALUES)
		return -EINVAL;
	if (p->nstacks)
		return -EBUSY;
	memset(p->types, 0, sizeof(p->types));
	memcpy(p->types, types, n * sizeof(*types));
	p->nvalues = n;
	return 0;
}

int profile__column(const struct profile *p, const char *type)
{
	for (int c = 0; c < p->nvalues; c++)
		if (!strcmp(p->types[c].type, type))
			return c;
	return -1;
}

int profile__add_stack(struct profile *p, const uint32_t *ids, uint32_t depth,
		       const uint64_t *values)
{
	struct profile_index *ix = p->index;
	struct pf_stack *s = NULL;
	size_t i;

	for (uint32_t d = 0; d < depth; d++)
		if (ids[d] >= p->nframes)
			return -EINVAL;
	if (slot_index__reserve(&ix->stacks, p->nstacks, stack_key, p))
		return -ENOMEM;
	for (i = slot_index__first(&ix->stacks, ids_hash(ids, depth));
	     ix->stacks.slots[i] != SLOT_EMPTY; i = slot_index__next(&ix->stacks, i)) {
		struct pf_stack *c = &p->stacks[ix->stacks.slots[i]];

		if (c->depth == depth && !memcmp(c->ids, ids, depth * sizeof(*ids))) {
			s = c;
			break;
		}
	}
	if (!s) {
		if (stack_append(p, ids, depth))
			return -ENOMEM;
		ix->stacks.slots[i] = p->nstacks - 1;
		s = &p->stacks[p->nstacks - 1];
	}
	for (int c = 0; c < p->nvalues; c++) {
		s->values[c] += values[c];
		p->totals[c] += values[c];
	}
	return 0;
}

const char *frame_kind__suffix(enum frame_kind kind)
{
	switch (kind) {
	case FRAME_KERNEL:
		return "_[k]";
	case FRAME_JIT:
		return "_[j]";
	case FRAME_INLINED:
		return "_[i]";
	default:
		return "";
	}
}

static int frame_cmp(const struct profile *p, uint32_t a, uint32_t b)
{
	const struct pf_frame *fa = &p->frames[a], *fb = &p->frames[b];
	int c;

	if (a == b)
		return 0;
	c = strcmp(fa->name, fb->name);
	if (c)
		return c;
	/* Same name, different kind or module: order by suffix, then id, so output is stable. */
	c = strcmp(frame_kind__suffix(fa->kind), frame_kind__suffix(fb->kind));
	return c ? c : (a < b ? -1 : 1);
}

static int stack_cmp(const struct profile *p, const struct pf_stack *a, const struct pf_stack *b)
{
	uint32_t n = a->depth < b->depth ? a->depth : b->depth;

	for (uint32_t i = 0; i < n; i++) {
		int c = frame_cmp(p, a->ids[i], b->ids[i]);

		if (c)
			return c;
	}
	return (a->depth > b->depth) - (a->depth < b->depth);
}

static int stack_cmp_r(const void *a, const void *b, void *p)
{
	return stack_cmp(p, a, b);
}

static int order_cmp_r(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;

	return stack_cmp(p, &p->stacks[*(const size_t *)a], &p->stacks[*(const size_t *)b]);
}

void profile__sort(struct profile *p)
{
	struct profile_index *ix = p->index;

	if (p->nstacks < 2)
		return; /* already in order; an empty profile has no stacks array for qsort */
	qsort_r(p->stacks, p->nstacks, sizeof(*p->stacks), stack_cmp_r, p);
	/* The stack table holds indexes into p->stacks: refill it in place. */
	slot_index__rebuild(&ix->stacks, p->nstacks, stack_key, p);
}

size_t *profile__sorted(const struct profile *p)
{
	size_t *order = malloc((p->nstacks ? p->nstacks : 1) * sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < p->nstacks; i++)
		order[i] = i;
	qsort_r(order, p->nstacks, sizeof(*order), order_cmp_r, (void *)p);
	return order;
}

/* dst's frame id for each of src's frames, interned on first use (UINT32_MAX: not yet). */
static int64_t merge__frame(struct profile *dst, const struct profile *src, uint32_t *map,
			    uint32_t id)
{
	const struct pf_frame *f = &src->frames[id];
	int64_t n;

	if (map[id] != UNMAPPED)
		return map[id];
	n = profile__frame(dst, f->name, f->kind, f->module, f->build_id);
	if (n >= 0)
		map[id] = n;
	return n;
}

/* src's values for stack s in dst's columns (see profile__merge). */
static void merge__values(const struct pf_stack *s, int nsrc, int slot, double scale, uint64_t *out)
{
	memset(out, 0, PROFILE_MAX_VALUES * sizeof(*out));
	if (slot != PROFILE_ALL_COLUMNS) {
		out[slot] = (uint64_t)(s->values[0] * scale + 0.5);
		return;
	}
	for (int c = 0; c < nsrc; c++)
		out[c] = (uint64_t)(s->values[c] * scale + 0.5);
}

int profile__merge(struct profile *dst, const struct profile *src, const bool *keep, int slot,
		   double scale)
{
	uint32_t *map, *ids = NULL;
	size_t cap = 0;
	int err;

	if (slot == PROFILE_ALL_COLUMNS ? src->nvalues != dst->nvalues
					: slot < 0 || slot >= dst->nvalues)
		return -EINVAL;
	map = frame_map_new(src->nframes + 1);
	err = map ? 0 : -ENOMEM;
	for (size_t i = 0; i < src->nstacks && !err; i++) {
		const struct pf_stack *s = &src->stacks[i];
		uint64_t v[PROFILE_MAX_VALUES];

		if (keep && !keep[i])
			continue;
		if (s->depth > cap) {
			uint32_t *bigger = realloc(ids, s->depth * sizeof(*ids));

			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			ids = bigger;
			cap = s->depth;
		}
		for (uint32_t d = 0; d < s->depth && !err; d++) {
			int64_t n = merge__frame(dst, src, map, s->ids[d]);

			err = n < 0 ? -ENOMEM : 0;
			if (n >= 0)
				ids[d] = n;
		}
		merge__values(s, src->nvalues, slot, scale, v);
		if (!err)
			err = profile__add_stack(dst, ids, s->depth, v);
	}
	free(ids);
	free(map);
	return err;
}
