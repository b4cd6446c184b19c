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
	struct slot_index labels; /* indexes into p->labelsets */
	size_t frames_alloc;	  /* allocated length of p->frames */
	size_t stacks_alloc;	  /* allocated length of p->stacks */
	size_t labels_alloc;	  /* allocated length of p->labelsets */
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

static uint64_t ids_hash(const uint32_t *ids, uint32_t depth, uint32_t labels)
{
	return fnv1a(fnv1a(FNV1A_INIT, &labels, sizeof(labels)), ids, depth * sizeof(*ids));
}

static uint64_t kv_hash(const char *const *kv, uint32_t n)
{
	uint64_t h = FNV1A_INIT;

	for (uint32_t i = 0; i < 2 * n; i++)
		h = hash_str(h, kv[i]);
	return h;
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
	if (slot_index__init(&p->index->frames, 1024) ||
	    slot_index__init(&p->index->stacks, 1024) || slot_index__init(&p->index->labels, 16))
		goto out_free;
	/* Label set 0, the empty one, is what unlabeled stacks point at. */
	p->labelsets = calloc(1, sizeof(*p->labelsets));
	if (!p->labelsets)
		goto out_free;
	p->nlabelsets = p->index->labels_alloc = 1;
	p->index->labels.slots[slot_index__first(&p->index->labels, kv_hash(NULL, 0))] = 0;
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
	for (size_t i = 0; i < p->nlabelsets; i++) {
		for (uint32_t k = 0; k < 2 * p->labelsets[i].n; k++)
			free((char *)p->labelsets[i].kv[k]);
		free(p->labelsets[i].kv);
	}
	free(p->frames);
	free(p->stacks);
	free(p->labelsets);
	if (p->index) {
		slot_index__free(&p->index->frames);
		slot_index__free(&p->index->stacks);
		slot_index__free(&p->index->labels);
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

	return ids_hash(s->ids, s->depth, s->labels);
}

static uint64_t labelset_key(const void *ctx, size_t n)
{
	const struct pf_labelset *l = &((const struct profile *)ctx)->labelsets[n];

	return kv_hash(l->kv, l->n);
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

static int stack_append(struct profile *p, const uint32_t *ids, uint32_t depth, uint32_t labels)
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
	s->labels = labels;
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

/* Pairs sorted by key, the last of a repeated key kept, NULL values dropped: n kept. */
static uint32_t kv_normalize(const char **kv, uint32_t n)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < n; i++) {
		const char *k = kv[2 * i], *v = kv[2 * i + 1];
		uint32_t j = out;

		if (!k || !v)
			continue;
		for (uint32_t d = 0; d < out; d++) {
			if (!strcmp(kv[2 * d], k)) {
				kv[2 * d + 1] = v;
				j = UINT32_MAX;
				break;
			}
		}
		if (j == UINT32_MAX)
			continue;
		/* insertion sort: a handful of labels */
		while (j > 0 && strcmp(kv[2 * (j - 1)], k) > 0) {
			kv[2 * j] = kv[2 * (j - 1)];
			kv[2 * j + 1] = kv[2 * (j - 1) + 1];
			j--;
		}
		kv[2 * j] = k;
		kv[2 * j + 1] = v;
		out++;
	}
	return out;
}

static bool kv_eq(const struct pf_labelset *l, const char *const *kv, uint32_t n)
{
	if (l->n != n)
		return false;
	for (uint32_t i = 0; i < 2 * n; i++)
		if (strcmp(l->kv[i], kv[i]))
			return false;
	return true;
}

static int64_t labelset_append(struct profile *p, const char *const *kv, uint32_t n)
{
	struct pf_labelset *l;
	bool failed = false;

	if (array__grow((void **)&p->labelsets, &p->index->labels_alloc, p->nlabelsets,
			sizeof(*p->labelsets)))
		return -ENOMEM;
	l = &p->labelsets[p->nlabelsets];
	l->kv = calloc(2 * n, sizeof(*l->kv));
	if (!l->kv)
		return -ENOMEM;
	for (uint32_t i = 0; i < 2 * n; i++)
		l->kv[i] = dup_or_null(kv[i], &failed);
	l->n = n;
	if (failed) {
		for (uint32_t i = 0; i < 2 * n; i++)
			free((char *)l->kv[i]);
		free(l->kv);
		return -ENOMEM;
	}
	return p->nlabelsets++;
}

int64_t profile__labelset(struct profile *p, const char *const *kv, uint32_t n)
{
	struct profile_index *ix = p->index;
	const char **sorted;
	int64_t id = -ENOMEM;
	size_t i;

	if (!n)
		return 0;
	sorted = malloc(2 * n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, kv, 2 * n * sizeof(*sorted));
	n = kv_normalize(sorted, n);
	if (!n) {
		id = 0;
		goto out;
	}
	if (slot_index__reserve(&ix->labels, p->nlabelsets, labelset_key, p))
		goto out;
	for (i = slot_index__first(&ix->labels, kv_hash(sorted, n));
	     ix->labels.slots[i] != SLOT_EMPTY; i = slot_index__next(&ix->labels, i)) {
		if (kv_eq(&p->labelsets[ix->labels.slots[i]], sorted, n)) {
			id = ix->labels.slots[i];
			goto out;
		}
	}
	id = labelset_append(p, sorted, n);
	if (id >= 0)
		ix->labels.slots[i] = id;
out:
	free(sorted);
	return id;
}

const char *profile__label(const struct profile *p, const struct pf_stack *s, const char *key)
{
	const struct pf_labelset *l = &p->labelsets[s->labels];

	for (uint32_t i = 0; i < l->n; i++)
		if (!strcmp(l->kv[2 * i], key))
			return l->kv[2 * i + 1];
	return NULL;
}

bool profile__has_labels(const struct profile *p)
{
	return p->nlabelsets > 1;
}

int profile__add_stack(struct profile *p, const uint32_t *ids, uint32_t depth,
		       const uint64_t *values)
{
	return profile__add_labeled(p, ids, depth, 0, values);
}

int profile__add_labeled(struct profile *p, const uint32_t *ids, uint32_t depth, uint32_t labels,
			 const uint64_t *values)
{
	struct profile_index *ix = p->index;
	struct pf_stack *s = NULL;
	size_t i;

	for (uint32_t d = 0; d < depth; d++)
		if (ids[d] >= p->nframes)
			return -EINVAL;
	if (labels >= p->nlabelsets)
		return -EINVAL;
	if (slot_index__reserve(&ix->stacks, p->nstacks, stack_key, p))
		return -ENOMEM;
	for (i = slot_index__first(&ix->stacks, ids_hash(ids, depth, labels));
	     ix->stacks.slots[i] != SLOT_EMPTY; i = slot_index__next(&ix->stacks, i)) {
		struct pf_stack *c = &p->stacks[ix->stacks.slots[i]];

		if (c->depth == depth && c->labels == labels &&
		    !memcmp(c->ids, ids, depth * sizeof(*ids))) {
			s = c;
			break;
		}
	}
	if (!s) {
		if (stack_append(p, ids, depth, labels))
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
	case FRAME_ALLOC:
		return "_[a]";
	case FRAME_MONITOR:
		return "_[l]";
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
	if (a->depth != b->depth)
		return (a->depth > b->depth) - (a->depth < b->depth);
	return (a->labels > b->labels) - (a->labels < b->labels);
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

/* dst's label set for src's set id (re-interned on first use), or 0 when labels are dropped. */
static int64_t merge__labels(struct profile *dst, const struct profile *src, uint32_t *map,
			     uint32_t id)
{
	const struct pf_labelset *l = &src->labelsets[id];
	int64_t n;

	if (!map || !id)
		return 0;
	if (map[id] != UNMAPPED)
		return map[id];
	n = profile__labelset(dst, l->kv, l->n);
	if (n >= 0)
		map[id] = n;
	return n;
}

/* Grow *ids to hold depth entries. 0 or -ENOMEM. */
static int ids_reserve(uint32_t **ids, size_t *cap, uint32_t depth)
{
	uint32_t *bigger;

	if (depth <= *cap)
		return 0;
	bigger = realloc(*ids, depth * sizeof(**ids));
	if (!bigger)
		return -ENOMEM;
	*ids = bigger;
	*cap = depth;
	return 0;
}

static int merge_stack(struct profile *dst, const struct profile *src, const struct pf_stack *s,
		       uint32_t *map, uint32_t *lmap, uint32_t *ids, const uint64_t *v)
{
	int64_t labels = merge__labels(dst, src, lmap, s->labels);

	if (labels < 0)
		return -ENOMEM;
	for (uint32_t d = 0; d < s->depth; d++) {
		int64_t n = merge__frame(dst, src, map, s->ids[d]);

		if (n < 0)
			return -ENOMEM;
		ids[d] = n;
	}
	return profile__add_labeled(dst, ids, s->depth, labels, v);
}

static int merge(struct profile *dst, const struct profile *src, const bool *keep, int slot,
		 double scale, bool labels)
{
	uint32_t *map, *lmap = NULL, *ids = NULL;
	size_t cap = 0;
	int err;

	if (slot == PROFILE_ALL_COLUMNS ? src->nvalues != dst->nvalues
					: slot < 0 || slot >= dst->nvalues)
		return -EINVAL;
	map = frame_map_new(src->nframes + 1);
	if (labels)
		lmap = frame_map_new(src->nlabelsets);
	err = map && (!labels || lmap) ? 0 : -ENOMEM;
	for (size_t i = 0; i < src->nstacks && !err; i++) {
		const struct pf_stack *s = &src->stacks[i];
		uint64_t v[PROFILE_MAX_VALUES];

		if (keep && !keep[i])
			continue;
		if ((err = ids_reserve(&ids, &cap, s->depth)))
			break;
		merge__values(s, src->nvalues, slot, scale, v);
		err = merge_stack(dst, src, s, map, lmap, ids, v);
	}
	free(ids);
	free(lmap);
	free(map);
	return err;
}

int profile__merge(struct profile *dst, const struct profile *src, const bool *keep, int slot,
		   double scale)
{
	return merge(dst, src, keep, slot, scale, true);
}

struct profile *profile__unlabeled(const struct profile *p)
{
	struct profile *u = profile__new();

	if (!u)
		return NULL;
	u->meta = p->meta;
	if (profile__set_types(u, p->types, p->nvalues) ||
	    merge(u, p, NULL, PROFILE_ALL_COLUMNS, 1.0, false)) {
		profile__free(u);
		return NULL;
	}
	return u;
}
