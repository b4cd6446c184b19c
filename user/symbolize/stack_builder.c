// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/stack_builder.c - collected samples into profile stacks (see symbolize/stack_builder.h).
 *
 * The kernel gives each stack leaf first; the profile wants it root first, user frames above
 * kernel frames. A return address points after its call, so every frame but the leaf is
 * looked up one byte earlier, inside the call. A JIT frame may expand into several (inlined
 * methods). Stacks the kernel could not give (collisions, failed walks) become one marker
 * frame so the samples are not silently dropped.
 */
#include <stdio.h>
#include <string.h>
#include "symbolize/stack_builder.h"
#include "lib/u64map.h"

#define MAX_FRAMES 1024 /* per stack after JIT inline expansion */

static int64_t stacks__frame(struct stack_builder *b, const struct sym_frame *f)
{
	return profile__frame(b->profile, f->name, f->kind, f->module, f->build_id);
}

static void stacks__account(struct stack_builder *b, const struct sym_frame *f, uint64_t count)
{
	if (f->kind == FRAME_KERNEL) {
		b->st->kernel_frames += count;
		b->st->kernel_unnamed += f->name[0] == '[' ? count : 0;
	} else {
		b->st->user_frames += count;
		b->st->user_unnamed += f->name[0] == '[' ? count : 0;
		b->st->user_anon += !strcmp(f->name, "[anon]") ? count : 0;
	}
}

static int stack_depth(const struct sample_stack *st)
{
	uint32_t n = 0;

	while (st->ips && n < st->len && n < SAMPLE_MAX_DEPTH && st->ips[n])
		n++;
	return n;
}

/* Append a marker frame for a stack the kernel could not give us (and why it matters). */
static void stacks__lost_stack(struct stack_builder *b, enum stack_lost lost, const char *what,
			       uint32_t *ids, uint32_t *n)
{
	int64_t fid;

	if (lost != STACK_LOST && lost != STACK_COLLISION)
		return;
	fid = profile__frame(b->profile, what, FRAME_UNKNOWN, NULL, NULL);
	if (fid >= 0 && *n < MAX_FRAMES)
		ids[(*n)++] = fid;
}

static void stacks__user_frames(struct stack_builder *b, const struct sample *s, uint32_t *ids,
				uint32_t *n)
{
	const uint64_t *uips = s->user.ips, count = s->count;
	struct sym_frame f[16];
	int depth = stack_depth(&s->user), i, j, m, unknown = 0;

	if (depth == SAMPLE_MAX_DEPTH)
		b->st->truncated += count;
	for (i = depth - 1; i >= 0; i--) {
		/* a return address points after the call: look up the call itself */
		uint64_t ip = i ? uips[i] - 1 : uips[i];

		m = symbolizer__user(b->sym, s->pid, ip, f, 16);
		unknown += m == 1 && f[0].kind == FRAME_UNKNOWN;
		for (j = 0; j < m && *n < MAX_FRAMES; j++) {
			int64_t fid = stacks__frame(b, &f[j]);

			stacks__account(b, &f[j], count);
			if (fid >= 0)
				ids[(*n)++] = fid;
		}
	}
	/*
	 * A frame-pointer walk through code built without them reads whatever the register held:
	 * a full stack of addresses no mapping holds is that, not a deep one (python3.11's 126).
	 */
	if (depth == SAMPLE_MAX_DEPTH && 2 * unknown > depth)
		b->st->garbage += count;
}

static void stacks__kernel_frames(struct stack_builder *b, const struct sample *s, uint32_t *ids,
				  uint32_t *n)
{
	const uint64_t *kips = s->kernel.ips, count = s->count;
	int depth = stack_depth(&s->kernel), i;
	struct sym_frame f;

	if (depth == SAMPLE_MAX_DEPTH)
		b->st->truncated += count;
	for (i = depth - 1; i >= 0 && *n < MAX_FRAMES; i--) {
		int64_t fid;

		symbolizer__kernel(b->sym, i ? kips[i] - 1 : kips[i], &f);
		stacks__account(b, &f, count);
		fid = stacks__frame(b, &f);
		if (fid >= 0)
			ids[(*n)++] = fid;
	}
}

/*
 * A Java allocation's stack goes through the JVM's allocator and its JVMTI report before it
 * reaches the probe: the native frames under the last Java frame (JIT, inlined or interpreter,
 * all from the perf map) are the JVM's, not the program's, and go; a stack with no Java frame
 * at all (JNI code allocating) keeps them. from: the first user frame.
 */
static void stacks__trim_jvm(struct stack_builder *b, uint32_t from, const uint32_t *ids,
			     uint32_t *n)
{
	for (uint32_t i = *n; i > from; i--) {
		enum frame_kind k = b->profile->frames[ids[i - 1]].kind;

		if (k == FRAME_JIT || k == FRAME_INLINED) {
			*n = i;
			return;
		}
	}
}

/* The runtime's name under the stack (a Java class): what was allocated, or waited for. */
static void stacks__leaf_frame(struct stack_builder *b, const struct sample *s, uint32_t *ids,
			       uint32_t *n)
{
	enum frame_kind kind = s->kind == SAMPLE_LOCK ? FRAME_MONITOR : FRAME_ALLOC;
	int64_t fid;

	if (!s->leaf || *n >= MAX_FRAMES)
		return;
	fid = profile__frame(b->profile, s->leaf, kind, NULL, NULL);
	if (fid >= 0)
		ids[(*n)++] = fid;
}

static void stacks__root_frames(struct stack_builder *b, const struct sample *k, uint32_t *ids,
				uint32_t *n)
{
	const char *comm = symbolizer__comm(b->sym, k->pid), *tname;
	char buf[64], tcomm[SAMPLE_COMM_LEN + 1], tbuf[300];
	int64_t fid;

	if (!comm && k->pid &&
	    k->tcomm[0]) { /* a process met only while exiting: its task's name */
		snprintf(buf, sizeof(buf), "%.*s", SAMPLE_COMM_LEN, k->tcomm);
		comm = buf;
	} else if (!comm) {
		snprintf(buf, sizeof(buf), k->pid ? "[pid %u]" : "swapper", k->pid);
		comm = buf;
	}
	fid = profile__frame(b->profile, comm, FRAME_PROCESS, NULL, NULL);
	if (fid >= 0)
		ids[(*n)++] = fid;
	if (!b->threads)
		return;
	snprintf(tcomm, sizeof(tcomm), "%.*s", SAMPLE_COMM_LEN, k->tcomm);
	tname = symbolizer__thread_name(b->sym, k->pid, k->tid, tcomm); /* a JVM's whole name */
	snprintf(tbuf, sizeof(tbuf), "[%.255s tid=%u]", tname ? tname : tcomm, k->tid);
	fid = profile__frame(b->profile, tbuf, FRAME_THREAD, NULL, NULL);
	if (fid >= 0)
		ids[(*n)++] = fid;
}

/* The sample's count and weight in the columns its kind goes to (b->cols), or {count, weight}. */
static void stacks__values(const struct stack_builder *b, const struct sample *s, uint64_t *v)
{
	int c;

	if (!b->cols) {
		v[0] = s->count;
		v[1] = s->weight;
		return;
	}
	if (s->kind >= SAMPLE_KINDS)
		return;
	if ((c = b->cols->count[s->kind]) >= 0 && c < PROFILE_MAX_VALUES)
		v[c] += s->count;
	if ((c = b->cols->weight[s->kind]) >= 0 && c < PROFILE_MAX_VALUES)
		v[c] += s->weight;
}

void stack_builder__add(struct stack_builder *b, const struct sample *s)
{
	uint64_t values[PROFILE_MAX_VALUES] = {};
	uint32_t ids[MAX_FRAMES], n = 0;
	int64_t labels = 0;
	uint32_t from;

	if (b->keep && !b->keep(b->labels_ctx, s->pid))
		return;
	stacks__root_frames(b, s, ids, &n);
	if (b->user) {
		stacks__lost_stack(b, s->user.lost, "[user stack lost]", ids, &n);
		from = n;
		stacks__user_frames(b, s, ids, &n);
		if (s->leaf && s->kind == SAMPLE_ALLOC)
			stacks__trim_jvm(b, from, ids, &n);
	}
	if (b->kernel) {
		stacks__lost_stack(b, s->kernel.lost, "[kernel stack lost]", ids, &n);
		stacks__kernel_frames(b, s, ids, &n);
	}
	stacks__leaf_frame(b, s, ids, &n);
	if (b->labels)
		labels = b->labels(b->labels_ctx, b->profile, s->pid);
	stacks__values(b, s, values);
	if (labels < 0 || profile__add_labeled(b->profile, ids, n, labels, values))
		b->st->dropped += s->count;
	if (b->pids && !u64map__get(b->pids, s->pid))
		u64map__set(b->pids, s->pid, b);
}
