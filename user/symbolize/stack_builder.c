// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/stack_builder.c - BPF stacks into profile stacks (see symbolize/stack_builder.h).
 *
 * The kernel gives each stack leaf first; the profile wants it root first, user frames above
 * kernel frames. A return address points after its call, so every frame but the leaf is
 * looked up one byte earlier, inside the call. A JIT frame may expand into several (inlined
 * methods). Stacks the kernel could not give (collisions, failed walks) become one marker
 * frame so the samples are not silently dropped.
 */
#include <errno.h>
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

static int stack_depth(const uint64_t *ips)
{
	int n = 0;

	while (n < MAX_STACK_DEPTH && ips[n])
		n++;
	return n;
}

/* Append a marker frame for a stack the kernel could not give us (and why it matters). */
static void stacks__lost_stack(struct stack_builder *b, __s32 id, const char *what, uint32_t *ids,
			       uint32_t *n)
{
	int64_t fid;

	if (id >= 0 || id == -EFAULT || id == -ENOENT)
		return;
	fid = profile__frame(b->profile, what, FRAME_UNKNOWN, NULL, NULL);
	if (fid >= 0 && *n < MAX_FRAMES)
		ids[(*n)++] = fid;
}

static void stacks__user_frames(struct stack_builder *b, const struct sample_key *k,
				const uint64_t *uips, uint64_t count, uint32_t *ids, uint32_t *n)
{
	struct sym_frame f[16];
	int depth = stack_depth(uips), i, j, m;

	if (depth == MAX_STACK_DEPTH)
		b->st->truncated += count;
	for (i = depth - 1; i >= 0; i--) {
		/* a return address points after the call: look up the call itself */
		uint64_t ip = i ? uips[i] - 1 : uips[i];

		m = symbolizer__user(b->sym, k->pid, ip, f, 16);
		for (j = 0; j < m && *n < MAX_FRAMES; j++) {
			int64_t fid = stacks__frame(b, &f[j]);

			stacks__account(b, &f[j], count);
			if (fid >= 0)
				ids[(*n)++] = fid;
		}
	}
}

static void stacks__kernel_frames(struct stack_builder *b, const uint64_t *kips, uint64_t count,
				  uint32_t *ids, uint32_t *n)
{
	int depth = stack_depth(kips), i;
	struct sym_frame f;

	if (depth == MAX_STACK_DEPTH)
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

static void stacks__root_frames(struct stack_builder *b, const struct sample_key *k, uint32_t *ids,
				uint32_t *n)
{
	const char *comm = symbolizer__comm(b->sym, k->pid);
	char buf[64];
	int64_t fid;

	if (!comm) {
		snprintf(buf, sizeof(buf), k->pid ? "[pid %u]" : "swapper", k->pid);
		comm = buf;
	}
	fid = profile__frame(b->profile, comm, FRAME_PROCESS, NULL, NULL);
	if (fid >= 0)
		ids[(*n)++] = fid;
	if (!b->threads)
		return;
	snprintf(buf, sizeof(buf), "[%.*s tid=%u]", TASK_COMM_LEN, k->tcomm, k->tid);
	fid = profile__frame(b->profile, buf, FRAME_THREAD, NULL, NULL);
	if (fid >= 0)
		ids[(*n)++] = fid;
}

void stack_builder__add(struct stack_builder *b, const struct sample_key *k, uint64_t count,
			const uint64_t *kips, const uint64_t *uips)
{
	uint32_t ids[MAX_FRAMES], n = 0;

	stacks__root_frames(b, k, ids, &n);
	if (b->user) {
		stacks__lost_stack(b, k->ustack_id, "[user stack lost]", ids, &n);
		stacks__user_frames(b, k, uips, count, ids, &n);
	}
	if (b->kernel) {
		stacks__lost_stack(b, k->kstack_id, "[kernel stack lost]", ids, &n);
		stacks__kernel_frames(b, kips, count, ids, &n);
	}
	if (profile__add_stack(b->profile, ids, n, (uint64_t[]){ count }))
		b->st->dropped += count;
	if (!u64map__get(b->pids, k->pid))
		u64map__set(b->pids, k->pid, b);
}
