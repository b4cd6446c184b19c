// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ranges.c - which parts of a compiled method run code inlined from other methods.
 *
 * HotSpot describes a compiled method with PC descriptors: each records a pc (the address right
 * after a call or safepoint poll) and the chain of methods whose code the instructions up to that
 * pc belong to. So descriptor i covers [pc[i-1], pc[i]) (the first one starts at the code start),
 * and the code after the last descriptor belongs to the method itself. Consecutive descriptors
 * often repeat a chain; merging them keeps the map small.
 */
#include "agent.h"

static bool ranges__same_chain(const struct pc_scope *a, const struct pc_scope *b)
{
	if (a->depth != b->depth)
		return false;
	for (int i = 0; i < a->depth; i++)
		if (a->methods[i] != b->methods[i])
			return false;
	return true;
}

int ranges__inline(const struct pc_scope *pcs, int n, uintptr_t code_start, uintptr_t code_end,
		   struct code_range *out)
{
	uintptr_t prev = code_start;
	int count = 0;

	for (int i = 0; i < n; i++) {
		uintptr_t start = prev < code_start ? code_start : prev;
		uintptr_t end = pcs[i].pc > code_end ? code_end : pcs[i].pc;

		if (pcs[i].pc > prev)
			prev = pcs[i].pc;
		if (end <= start || pcs[i].depth < 2 || !pcs[i].methods)
			continue;
		if (count && out[count - 1].end == start &&
		    ranges__same_chain(&pcs[out[count - 1].scope], &pcs[i])) {
			out[count - 1].end = end;
			continue;
		}
		out[count++] = (struct code_range){ .start = start, .end = end, .scope = i };
	}
	return count;
}
