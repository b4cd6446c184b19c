// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_profile.c - the profile model: frame interning, stack merging, value columns (types,
 * totals per column, merging into a column), sort order, and that both hash tables keep finding
 * entries after they grow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/profile.h"

static void test_interning(void)
{
	static const struct {
		const char *name, *module;
		enum frame_kind kind;
		int same_as; /* index of an earlier row that must get the same id, or -1 */
	} rows[] = {
		{ "main", "/bin/a", FRAME_NATIVE, -1 }, { "main", "/bin/a", FRAME_NATIVE, 0 },
		{ "main", "/bin/b", FRAME_NATIVE, -1 }, { "main", NULL, FRAME_NATIVE, -1 },
		{ "main", NULL, FRAME_NATIVE, 3 },	{ "main", "/bin/a", FRAME_KERNEL, -1 },
		{ "", NULL, FRAME_UNKNOWN, -1 },
	};
	struct profile *p = profile__new();
	int64_t ids[sizeof(rows) / sizeof(rows[0])];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ids[i] = profile__frame(p, rows[i].name, rows[i].kind, rows[i].module, NULL);
		if (rows[i].same_as >= 0)
			check(ids[i] == ids[rows[i].same_as], "row %zu interned to row %d's id", i,
			      rows[i].same_as);
		else
			check(ids[i] == (int64_t)p->nframes - 1, "row %zu is a new frame", i);
	}
	check_int(p->nframes, 5, "five distinct frames");
	profile__frame(p, "main", FRAME_NATIVE, "/bin/a", "abcd");
	check_str(p->frames[ids[0]].build_id, "abcd", "a later build-id fills in");
	profile__free(p);
}

static void test_merge(void)
{
	struct profile *p = profile__new();
	uint32_t a = profile__frame(p, "proc", FRAME_PROCESS, NULL, NULL);
	uint32_t b = profile__frame(p, "f", FRAME_NATIVE, NULL, NULL);
	uint32_t s1[] = { a, b }, s2[] = { a };

	check_int(profile__add_stack(p, s1, 2, (uint64_t[]){ 3 }), 0, "add a;f 3");
	check_int(profile__add_stack(p, s2, 1, (uint64_t[]){ 4 }), 0, "add a 4");
	check_int(profile__add_stack(p, s1, 2, (uint64_t[]){ 5 }), 0, "add a;f 5");
	check_int(p->nstacks, 2, "equal stacks merge");
	check_int(p->stacks[0].values[0], 8, "merged count");
	check_int(p->totals[0], 12, "total");
	s1[1] = 99;
	check_int(profile__add_stack(p, s1, 2, (uint64_t[]){ 1 }), -EINVAL,
		  "unknown frame id refused");
	profile__free(p);
}

static const struct pf_value_type cpu_types[] = { { "samples", "count" },
						  { "cpu", "nanoseconds" } };

static void test_types(void)
{
	struct profile *p = profile__new();
	uint32_t a = profile__frame(p, "proc", FRAME_PROCESS, NULL, NULL);
	uint32_t f = profile__frame(p, "f", FRAME_NATIVE, NULL, NULL);
	uint32_t s1[] = { a, f }, s2[] = { a };
	struct pf_value_type many[PROFILE_MAX_VALUES + 1] = {};

	check_int(p->nvalues, 1, "a new profile has one column");
	check_str(p->types[0].type, "samples", "column 0 type");
	check_str(p->types[0].unit, "count", "column 0 unit");
	check_int(profile__set_types(p, cpu_types, 0), -EINVAL, "no columns refused");
	check_int(profile__set_types(p, many, PROFILE_MAX_VALUES + 1), -EINVAL,
		  "more than PROFILE_MAX_VALUES refused");
	check_int(profile__set_types(p, cpu_types, 2), 0, "two columns");
	check_int(profile__column(p, "cpu"), 1, "column of cpu");
	check_int(profile__column(p, "wall"), -1, "no such column");
	check_int(profile__add_stack(p, s1, 2, (uint64_t[]){ 3, 30000 }), 0, "add a;f 3 30us");
	check_int(profile__add_stack(p, s2, 1, (uint64_t[]){ 1, 7000 }), 0, "add a 1 7us");
	check_int(profile__add_stack(p, s1, 2, (uint64_t[]){ 2, 20000 }), 0, "add a;f 2 20us");
	check_int(p->stacks[0].values[0], 5, "merged samples");
	check_int(p->stacks[0].values[1], 50000, "merged ns");
	check_int(p->stacks[0].values[2], 0, "unused column stays 0");
	check_int(p->totals[0], 6, "total samples");
	check_int(p->totals[1], 57000, "total ns");
	check_int(profile__set_types(p, cpu_types, 1), -EBUSY, "types fixed after the first stack");
	check_int(p->nvalues, 2, "still two columns");
	profile__free(p);
}

/* A profile "proc;f N, proc M" in one column. */
static struct profile *one_column(uint64_t n, uint64_t m)
{
	struct profile *p = profile__new();
	uint32_t a = profile__frame(p, "proc", FRAME_PROCESS, NULL, NULL);
	uint32_t f = profile__frame(p, "f", FRAME_NATIVE, NULL, NULL);

	profile__add_stack(p, (uint32_t[]){ a, f }, 2, (uint64_t[]){ n });
	profile__add_stack(p, (uint32_t[]){ a }, 1, (uint64_t[]){ m });
	return p;
}

/* The diff's way: BASE into column 0 (scaled), NEW into column 1; and PROFILE_ALL_COLUMNS. */
static void test_merge_columns(void)
{
	struct profile *base = one_column(4, 6), *new = one_column(30, 0);
	struct profile *d = profile__new(), *all = profile__new(), *cpu = profile__new();
	static const struct pf_value_type two[] = { { "base", "count" }, { "new", "count" } };
	bool keep[] = { true, false };

	check_int(profile__merge(d, base, NULL, 1, 1.0), -EINVAL, "a column d lacks refused");
	check_int(profile__set_types(d, two, 2), 0, "base/new columns");
	check_int(profile__merge(d, base, NULL, 0, 3.0), 0, "BASE x3 into column 0");
	check_int(profile__merge(d, new, NULL, 1, 1.0), 0, "NEW into column 1");
	check_int(d->nstacks, 2, "same stacks meet");
	check_int(d->stacks[0].values[0], 12, "proc;f base scaled");
	check_int(d->stacks[0].values[1], 30, "proc;f new");
	check_int(d->stacks[1].values[0], 18, "proc base scaled");
	check_int(d->stacks[1].values[1], 0, "proc new");
	check_int(d->totals[0], 30, "base total");
	check_int(d->totals[1], 30, "new total");

	check_int(profile__merge(all, d, NULL, PROFILE_ALL_COLUMNS, 1.0), -EINVAL,
		  "all columns need as many columns");
	check_int(profile__set_types(all, d->types, d->nvalues), 0, "copy d's types");
	check_int(profile__merge(all, d, keep, PROFILE_ALL_COLUMNS, 1.0), 0, "keep proc;f only");
	check_int(all->nstacks, 1, "one stack kept");
	check_int(all->totals[0], 12, "column 0 carried");
	check_int(all->totals[1], 30, "column 1 carried");
	check_str(all->types[1].type, "new", "types copied");

	check_int(profile__set_types(cpu, cpu_types, 2), 0, "samples + cpu");
	check_int(profile__merge(cpu, base, NULL, 0, 1.0), 0, "samples only into column 0");
	check_int(cpu->totals[0], 10, "samples total");
	check_int(cpu->totals[1], 0, "cpu column untouched");
	profile__free(base);
	profile__free(new);
	profile__free(d);
	profile__free(all);
	profile__free(cpu);
}

static void test_sort(void)
{
	static const char *const names[] = { "p", "zeta", "alpha", "mid" };
	struct profile *p = profile__new();
	uint32_t id[4], want[][3] = { { 0, 2, 0 }, { 0, 2, 1 }, { 0, 3, 0 }, { 0, 1, 0 } };

	for (int i = 0; i < 4; i++)
		id[i] = profile__frame(p, names[i], i ? FRAME_NATIVE : FRAME_PROCESS, NULL, NULL);
	/* inserted: p;zeta  p;mid  p;alpha;zeta  p;alpha */
	profile__add_stack(p, (uint32_t[]){ id[0], id[1] }, 2, (uint64_t[]){ 1 });
	profile__add_stack(p, (uint32_t[]){ id[0], id[3] }, 2, (uint64_t[]){ 1 });
	profile__add_stack(p, (uint32_t[]){ id[0], id[2], id[1] }, 3, (uint64_t[]){ 1 });
	profile__add_stack(p, (uint32_t[]){ id[0], id[2] }, 2, (uint64_t[]){ 1 });
	profile__sort(p);
	for (int i = 0; i < 4; i++) {
		uint32_t d = want[i][2] ? 3 : 2;
		int ok = p->stacks[i].depth == d && p->stacks[i].ids[1] == id[want[i][1]];

		check(ok, "sorted stack %d has second frame %s", i, names[want[i][1]]);
	}
	/* The stack table must still find stacks after the sort moved them. */
	profile__add_stack(p, (uint32_t[]){ id[0], id[3] }, 2, (uint64_t[]){ 10 });
	check_int(p->nstacks, 4, "no new stack after sort");
	check_int(p->stacks[2].values[0], 11, "p;mid found after sort");
	profile__free(p);
}

static void test_growth(void)
{
	enum {
		N = 50000
	};
	struct profile *p = profile__new();
	char name[32];
	int bad = 0;

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			uint32_t ids[2];

			snprintf(name, sizeof(name), "fn%d", i);
			ids[0] = profile__frame(p, "proc", FRAME_PROCESS, NULL, NULL);
			ids[1] = profile__frame(p, name, FRAME_NATIVE, "/lib/x.so", NULL);
			bad += ids[1] != (uint32_t)i + 1;
			bad += profile__add_stack(p, ids, 2, (uint64_t[]){ 1 }) != 0;
		}
	}
	check(bad == 0, "%d frames keep their ids across table growth (%d bad)", N, bad);
	check_int(p->nframes, N + 1, "frames");
	check_int(p->nstacks, N, "stacks");
	check_int(p->stacks[N - 1].values[0], 2, "last stack counted twice");
	profile__free(p);
}

/* Label sets: order-free interning, stacks split by labels, merged away by profile__unlabeled. */
static void test_labels(void)
{
	struct profile *p = profile__new(), *u, *m = profile__new();
	uint32_t a = profile__frame(p, "proc", FRAME_PROCESS, NULL, NULL);
	const char *kv1[] = { "pid", "10", "comm", "a" }, *kv2[] = { "comm", "a", "pid", "10" };
	const char *kv3[] = { "comm", "a", "pid", "11", "pid", "12", "none", NULL };
	int64_t l1 = profile__labelset(p, kv1, 2), l2 = profile__labelset(p, kv2, 2);
	int64_t l3 = profile__labelset(p, kv3, 4);

	check(l1 > 0 && l1 == l2, "pair order does not matter (%lld %lld)", (long long)l1,
	      (long long)l2);
	check(l3 > 0 && l3 != l1, "another pid is another set");
	check_int(profile__labelset(p, NULL, 0), 0, "no pairs: set 0");
	check_int(p->labelsets[l3].n, 2, "a repeated key kept once, a NULL value dropped");
	check_int(profile__add_labeled(p, &a, 1, l1, (uint64_t[]){ 2 }), 0, "add with pid 10");
	check_int(profile__add_labeled(p, &a, 1, l3, (uint64_t[]){ 3 }), 0, "add with pid 12");
	check_int(profile__add_labeled(p, &a, 1, l1, (uint64_t[]){ 4 }), 0, "pid 10 again");
	check_int(profile__add_labeled(p, &a, 1, 99, (uint64_t[]){ 1 }), -EINVAL, "unknown set");
	check_int(p->nstacks, 2, "same frames, different labels: two stacks");
	check_str(profile__label(p, &p->stacks[1], "pid"), "12", "last value of a repeated key");
	check(profile__label(p, &p->stacks[0], "none") == NULL, "absent key");
	check(profile__has_labels(p), "has labels");
	u = profile__unlabeled(p);
	check(u && u->nstacks == 1 && u->stacks[0].values[0] == 9, "unlabeled merges to one stack");
	check(u && !profile__has_labels(u), "and carries no labels");
	check_int(profile__merge(m, p, NULL, PROFILE_ALL_COLUMNS, 1.0), 0, "merge keeps labels");
	check(m->nstacks == 2 && !strcmp(profile__label(m, &m->stacks[0], "pid"), "10"),
	      "merged stack keeps its pid");
	profile__free(u);
	profile__free(m);
	profile__free(p);
}

static void test_suffix(void)
{
	check_str(frame_kind__suffix(FRAME_KERNEL), "_[k]", "kernel suffix");
	check_str(frame_kind__suffix(FRAME_JIT), "_[j]", "jit suffix");
	check_str(frame_kind__suffix(FRAME_INLINED), "_[i]", "inlined suffix");
	check_str(frame_kind__suffix(FRAME_NATIVE), "", "native has none");
	check_str(frame_kind__suffix(FRAME_PROCESS), "", "process has none");
}

int main(void)
{
	test_interning();
	test_merge();
	test_types();
	test_merge_columns();
	test_sort();
	test_growth();
	test_suffix();
	test_labels();
	profile__free(NULL);
	return check_done();
}
