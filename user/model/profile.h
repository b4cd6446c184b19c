/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model/profile.h - the profile model: what a recording produced, independent of any output format.
 *
 * A profile is a table of interned frames and a set of unique stacks with counts. Every emitter
 * (folded, HTML, pprof, speedscope, text) reads only this model, and every producer (the recorder,
 * the folded reader behind `report`) writes only this model, so formats and sources never meet.
 *
 * Invariants:
 *  - stacks are root first: stack->ids[0] is the process frame (FRAME_PROCESS), then an optional
 *    FRAME_THREAD frame, then user frames, then kernel frames; the leaf is ids[depth - 1];
 *  - two stacks with the same frame ids are one stack (profile__add_stack merges their counts);
 *  - frame names are stored without their `_[k]`/`_[j]`/`_[i]` suffix; the kind says it;
 *  - counts are samples; meta.period says how much of meta.unit one sample stands for.
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
	FRAME_KIND_MAX,
};

struct pf_frame {
	const char *name;     /* symbol without suffix, e.g. "Burn.hotA", "do_syscall_64" */
	const char *module;   /* binary path or "[kernel.kallsyms]", NULL if unknown */
	const char *build_id; /* lowercase hex, NULL if unknown */
	enum frame_kind kind;
};

struct pf_stack {
	uint32_t *ids; /* frame ids, root first */
	uint32_t depth;
	uint64_t count;	 /* samples */
	uint64_t count2; /* second count, used only by diff (NEW); 0 otherwise */
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
	uint64_t total;		     /* sum of stacks[].count */
	uint64_t total2;	     /* sum of stacks[].count2 */
	struct profile_index *index; /* private: hash tables for interning */
};

struct profile *profile__new(void);
void profile__free(struct profile *p);

/* Intern a frame and return its id, or -ENOMEM. module and build_id may be NULL. */
int64_t profile__frame(struct profile *p, const char *name, enum frame_kind kind,
		       const char *module, const char *build_id);

/* Add count (and count2) to the stack ids[0..depth); merges with an equal stack. 0 or -errno. */
int profile__add_stack(struct profile *p, const uint32_t *ids, uint32_t depth, uint64_t count,
		       uint64_t count2);

/* Suffix the folded format gives a kind: "_[k]", "_[j]", "_[i]" or "". */
const char *frame_kind__suffix(enum frame_kind kind);

/* Sort stacks by their frame names, root first (stable output, merged flame graph order). */
void profile__sort(struct profile *p);

/*
 * Add src's stacks to dst, re-interning their frames: src's count goes to dst's count (slot 0)
 * or count2 (slot 1), multiplied by scale and rounded. keep (NULL = all) has one entry per src
 * stack; stacks with keep[i] false are skipped. 0 or -ENOMEM.
 */
int profile__merge(struct profile *dst, const struct profile *src, const bool *keep, int slot,
		   double scale);

/*
 * The same order without touching p: a malloc'd array of p->nstacks indexes into p->stacks
 * (emitters get a const profile). NULL on -ENOMEM. The caller frees it.
 */
size_t *profile__sorted(const struct profile *p);

#endif /* BPFPROF_PROFILE_H */
