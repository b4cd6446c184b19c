// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_stack_table.c - raw stacks summed across drains: the same (process, stacks) from two
 * drains is one entry with the summed count and weight; different stacks, pids or threads stay
 * apart; a missing stack keeps its reason; ip arrays are shared; and a table with many entries
 * (past several index doublings) still finds every one.
 */
#include <stdlib.h>
#include "check.h"
#include "collect/stack_table.h"

struct seen {
	int n;
	uint64_t total, weight, count_of_pid7, weight_of_pid7;
	int kernel_missing;
	uint64_t leaf_of_pid7;
};

static void visit(const struct sample *smp, void *ctx)
{
	struct seen *s = ctx;

	s->n++;
	s->total += smp->count;
	s->weight += smp->weight;
	if (smp->pid == 7) {
		s->count_of_pid7 += smp->count;
		s->weight_of_pid7 += smp->weight;
		s->leaf_of_pid7 = smp->user.ips[0];
	}
	if (smp->kernel.lost == STACK_COLLISION && !smp->kernel.ips[0] && !smp->kernel.len)
		s->kernel_missing++;
}

static struct sample_stack stack(const uint64_t *ips)
{
	struct sample_stack st = { .ips = ips };

	while (ips[st.len])
		st.len++;
	return st;
}

static struct sample sample(uint32_t pid, const uint64_t *kips, const uint64_t *uips,
			    uint64_t count, uint64_t weight)
{
	return (struct sample){ .pid = pid,
				.kernel = stack(kips),
				.user = stack(uips),
				.count = count,
				.weight = weight };
}

int main(void)
{
	uint64_t k1[] = { 0xffff1, 0xffff2, 0 }, u1[] = { 0x401000, 0x402000, 0 };
	uint64_t u2[] = { 0x501000, 0 }, none[] = { 0 };
	struct stack_table *t = stack_table__new();
	struct sample a;
	struct seen s = {};
	int i, bad = 0;

	check(t != NULL, "new table");
	a = sample(7, k1, u1, 5, 5000000);
	check_int(stack_table__add(t, &a), 0, "add (pid 7, k1, u1) x5, 5 ms");
	a = sample(7, k1, u1, 2, 2500000); /* a later drain: the same stacks again */
	check_int(stack_table__add(t, &a), 0, "add the same stacks x2, 2.5 ms");
	a = sample(8, k1, u2, 1, 1000000);
	check_int(stack_table__add(t, &a), 0, "pid 8 with another user stack");
	a = sample(8, none, u2, 4, 4);
	a.kernel.lost = STACK_COLLISION;
	check_int(stack_table__add(t, &a), 0, "pid 8, kernel stack lost to a collision");
	check_int(stack_table__entries(t), 3, "three distinct entries");
	check_int(stack_table__stacks(t), 3, "three distinct ip arrays (k1 shared)");
	stack_table__for_each(t, visit, &s);
	check_int(s.n, 3, "for_each visits each entry once");
	check_int(s.total, 12, "counts are kept: 5 + 2 + 1 + 4");
	check_int(s.weight, 8500004, "weights are kept: 5 ms + 2.5 ms + 1 ms + 4");
	check_int(s.count_of_pid7, 7, "pid 7's two drains summed");
	check_int(s.weight_of_pid7, 7500000, "and their weights summed apart from the counts");
	check_int(s.leaf_of_pid7, 0x401000, "its user stack handed out leaf first");
	check_int(s.kernel_missing, 1, "a lost kernel stack keeps its reason and no ips");

	a = sample(8, none, u2, 1, 1);
	check_int(stack_table__add(t, &a), 0, "pid 8, no kernel stack (none of this kind)");
	check_int(stack_table__entries(t), 4, "a missing stack and a lost one are apart");

	for (i = 0; i < 20000; i++) {
		uint64_t u[] = { 0x1000 + i, 0x2000, 0 };

		a = sample(1000 + i % 50, k1, u, 1, 3);
		bad += stack_table__add(t, &a) != 0;
	}
	for (i = 0; i < 20000; i++) { /* again: every one must be found, not added */
		uint64_t u[] = { 0x1000 + i, 0x2000, 0 };

		a = sample(1000 + i % 50, k1, u, 1, 3);
		bad += stack_table__add(t, &a) != 0;
	}
	check_int(bad, 0, "40000 adds succeed");
	check_int(stack_table__entries(t), 20004, "20000 new entries, each found again");
	memset(&s, 0, sizeof(s));
	stack_table__for_each(t, visit, &s);
	check_int(s.total, 13 + 40000, "total count after growth");
	check_int(s.weight, 8500005 + 3 * 40000, "total weight after growth");
	stack_table__free(t);
	stack_table__free(NULL);
	check(1, "free(NULL) is fine");
	return check_done();
}
