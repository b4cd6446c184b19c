/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model/profile.h - the profile model: what a recording produced, independent of any output format.
 *
 * A profile is a table of interned frames and a set of unique stacks, each with one value per
 * column; the columns are typed the way pprof types them (sample types: "samples"/"count",
 * "cpu"/"nanoseconds", "base"/"count" and "new"/"count" for a diff). Every emitter
 * (folded, HTML, pprof, speedscope, text) reads only this model, and every producer (the recorder,
 * the folded reader behind `report`) writes only this model, so formats and sources never meet.
 *
 * Invariants:
 *  - stacks are root first: stack->ids[0] is the process frame (FRAME_PROCESS), then an optional
 *    FRAME_THREAD frame, then user frames, then kernel frames; the leaf is ids[depth - 1];
 *  - two stacks with the same frame ids are one stack (profile__add_stack adds their values);
 *  - every stack has p->nvalues values, typed by p->types[]; totals[c] is the sum of values[c];
 *    the column types are fixed before the first stack (profile__set_types);
 *  - frame names are stored without their `_[k]`/`_[j]`/`_[i]` suffix; the kind says it;
 *  - column 0 counts samples (or, in a diff, BASE's samples); meta.period says how much of
 *    meta.unit one sample stands for;
 *  - a stack may carry a label set (pprof's sample labels: pid, comm, container...): labelsets[0]
 *    is the empty set, every stack's `labels` indexes labelsets, and two stacks are one only when
 *    their frames and their label sets are equal. Keys within a set are unique and sorted.
 * The profile owns all its strings. profile__free(NULL) is fine.
 */
#ifndef BPFPROF_PROFILE_H
#define BPFPROF_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum frame_kind {
	FRAME_PROCESS, /* process name, the root of every stack */
	FRAME_THREAD,  /* "[name tid=N]" with --threads */
	FRAME_NATIVE,  /* user-space native code (ELF), or unresolved "[module]" */
	FRAME_KERNEL,  /* kernel code, suffix _[k] */
	FRAME_JIT,     /* JIT-compiled code from a perf map, suffix _[j] */
	FRAME_INLINED, /* a method inlined into its caller, suffix _[i] */
	FRAME_UNKNOWN, /* "[unknown]": no mapping covers the address */
	FRAME_ALLOC,   /* the class a sampled allocation made (-e alloc, Java), suffix _[a] */
	FRAME_MONITOR, /* the class of the monitor a lock wait waited for (-e lock, Java), _[l] */
	FRAME_KIND_MAX,
};

struct pf_frame {
	const char *name;     /* symbol without suffix, e.g. "Burn.hotA", "do_syscall_64" */
	const char *module;   /* binary path or "[kernel.kallsyms]", NULL if unknown */
	const char *build_id; /* lowercase hex, NULL if unknown */
	enum frame_kind kind;
};

/* At most this many value columns per profile (pprof allows more; nothing here needs them). */
#define PROFILE_MAX_VALUES 4

/* What a column holds, as pprof's ValueType: {"samples","count"}, {"cpu","nanoseconds"}. */
struct pf_value_type {
	char type[32];
	char unit[32];
};

struct pf_stack {
	uint32_t *ids; /* frame ids, root first */
	uint32_t depth;
	uint32_t labels;		     /* index into labelsets; 0: none */
	uint64_t values[PROFILE_MAX_VALUES]; /* [0, nvalues) used, the rest 0 */
};

/* key=value pairs, sorted by key: kv[2i] is a key, kv[2i+1] its value. */
struct pf_labelset {
	const char **kv;
	uint32_t n; /* pairs */
};

struct profile_meta {
	char event[64];	   /* "cpu", "page-faults", "tracepoint:sched:sched_switch", ... */
	char unit[32];	   /* unit of period: "nanoseconds" for cpu, else "count" */
	uint64_t period;   /* meta.unit per sample: 1e9/HZ for cpu at -F HZ, N for -c N */
	uint64_t start_ns; /* wall-clock start, ns since the epoch, 0 if unknown */
	double duration_s; /* recording length, 0 if unknown */
	char host[256];	   /* hostname, "" if unknown */
	char title[256];   /* "" for the default title */
};

struct profile {
	struct profile_meta meta;
	struct pf_frame *frames; /* index = frame id */
	size_t nframes;
	struct pf_stack *stacks; /* unique stacks, in insertion order */
	size_t nstacks;
	int nvalues;					/* columns, 1..PROFILE_MAX_VALUES */
	struct pf_value_type types[PROFILE_MAX_VALUES]; /* types[c] says what values[c] is */
	uint64_t totals[PROFILE_MAX_VALUES];		/* totals[c] = sum of stacks[].values[c] */
	struct pf_labelset *labelsets;			/* [0] is the empty set */
	size_t nlabelsets;
	struct profile_index *index; /* private: hash tables for interning */
};

/* A profile with one column, {"samples","count"}. NULL on -ENOMEM. */
struct profile *profile__new(void);
void profile__free(struct profile *p);

/* Intern a frame and return its id, or -ENOMEM. module and build_id may be NULL. */
int64_t profile__frame(struct profile *p, const char *name, enum frame_kind kind,
		       const char *module, const char *build_id);

/*
 * Replace the columns with types[0..n). Only before the first stack: -EBUSY after; -EINVAL for
 * n outside 1..PROFILE_MAX_VALUES. 0 on success.
 */
int profile__set_types(struct profile *p, const struct pf_value_type *types, int n);

/* Column of the type named type (e.g. "cpu"), or -1. */
int profile__column(const struct profile *p, const char *type);

/*
 * Add values[0..p->nvalues) to the stack ids[0..depth); merges with an equal stack. 0, -EINVAL
 * for an unknown frame id, or -ENOMEM.
 */
int profile__add_stack(struct profile *p, const uint32_t *ids, uint32_t depth,
		       const uint64_t *values);

/*
 * Intern the label set of n pairs (kv[2i] key, kv[2i+1] value; any order, NULL values skipped,
 * a repeated key keeps its last value): its index into p->labelsets (0 for no pairs), or -ENOMEM.
 */
int64_t profile__labelset(struct profile *p, const char *const *kv, uint32_t n);

/* profile__add_stack() for a stack with label set `labels` (from profile__labelset). */
int profile__add_labeled(struct profile *p, const uint32_t *ids, uint32_t depth, uint32_t labels,
			 const uint64_t *values);

/* The value of label key on stack s, or NULL. */
const char *profile__label(const struct profile *p, const struct pf_stack *s, const char *key);

/* True when some stack carries labels (only pprof shows them; other formats merge them away). */
bool profile__has_labels(const struct profile *p);

/* A copy of p without labels: stacks that differed only by labels become one. NULL: -ENOMEM. */
struct profile *profile__unlabeled(const struct profile *p);

/* Suffix the folded format gives a kind: "_[k]", "_[j]", "_[i]" or "". */
const char *frame_kind__suffix(enum frame_kind kind);

/* Sort stacks by their frame names, root first (stable output, merged flame graph order). */
void profile__sort(struct profile *p);

/* profile__merge's slot for "every column of src into the same column of dst". */
#define PROFILE_ALL_COLUMNS (-1)

/*
 * Add src's stacks to dst, re-interning their frames and label sets: src's column 0 goes to dst's column slot
 * (a diff puts BASE in 0 and NEW in 1), or with PROFILE_ALL_COLUMNS each column c of src goes
 * to column c of dst (which must have as many); values are multiplied by scale and rounded.
 * keep (NULL = all) has one entry per src stack; stacks with keep[i] false are skipped.
 * 0, -EINVAL for a slot dst lacks, or -ENOMEM.
 */
int profile__merge(struct profile *dst, const struct profile *src, const bool *keep, int slot,
		   double scale);

/*
 * The same order without touching p: a malloc'd array of p->nstacks indexes into p->stacks
 * (emitters get a const profile). NULL on -ENOMEM. The caller frees it.
 */
size_t *profile__sorted(const struct profile *p);

#endif /* BPFPROF_PROFILE_H */
