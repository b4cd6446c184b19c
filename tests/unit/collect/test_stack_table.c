// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_stack_table.c - raw stacks summed across drains: the same (key, stacks) from two drains
 * is one entry with the summed count whatever the kernel's stack ids were; different stacks,
 * pids or threads stay apart; missing stacks keep their error; ip arrays are shared; and a
 * table with many entries (past several index doublings) still finds every one.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "collect/stack_table.h"

struct seen {
	int n;
	uint64_t total, count_of_pid7;
	int kernel_missing;
	uint64_t leaf_of_pid7;
};

static void visit(const struct sample_key *k, uint64_t count, const uint64_t *kips,
		  const uint64_t *uips, void *ctx)
{
	struct seen *s = ctx;

	s->n++;
	s->total += count;
	if (k->pid == 7) {
		s->count_of_pid7 += count;
		s->leaf_of_pid7 = uips[0];
	}
	if (k->kstack_id < 0 && !kips[0])
		s->kernel_missing++;
}

static struct sample_key key(uint32_t pid, int32_t kid, int32_t uid)
{
	return (struct sample_key){ .pid = pid, .kstack_id = kid, .ustack_id = uid };
}

int main(void)
{
	uint64_t k1[] = { 0xffff1, 0xffff2, 0 }, u1[] = { 0x401000, 0x402000, 0 };
	uint64_t u2[] = { 0x501000, 0 }, none[] = { 0 };
	struct stack_table *t = stack_table__new();
	struct sample_key a = key(7, 3, 9);
	struct seen s = {};
	int i, bad = 0;

	check(t != NULL, "new table");
	/* first drain: kernel ids 3 and 9; second drain: the same stacks under other ids */
	check_int(stack_table__add(t, &a, 5, k1, u1), 0, "add (pid 7, k1, u1) x5");
	a = key(7, 100, 42);
	check_int(stack_table__add(t, &a, 2, k1, u1), 0, "add the same stacks under new ids x2");
	a = key(8, 100, 43);
	check_int(stack_table__add(t, &a, 1, k1, u2), 0, "pid 8 with another user stack");
	a = key(8, -EEXIST, 43);
	check_int(stack_table__add(t, &a, 4, none, u2), 0, "pid 8, kernel stack lost");
	check_int(stack_table__entries(t), 3, "three distinct entries");
	check_int(stack_table__stacks(t), 3, "three distinct ip arrays (k1 shared)");
	stack_table__for_each(t, visit, &s);
	check_int(s.n, 3, "for_each visits each entry once");
	check_int(s.total, 12, "counts are kept: 5 + 2 + 1 + 4");
	check_int(s.count_of_pid7, 7, "pid 7's two drains summed");
	check_int(s.leaf_of_pid7, 0x401000, "its user stack handed out leaf first");
	check_int(s.kernel_missing, 1, "a lost kernel stack keeps its error and no ips");

	for (i = 0; i < 20000; i++) {
		uint64_t u[] = { 0x1000 + i, 0x2000, 0 };

		a = key(1000 + i % 50, 3, i);
		bad += stack_table__add(t, &a, 1, k1, u) != 0;
	}
	for (i = 0; i < 20000; i++) { /* again: every one must be found, not added */
		uint64_t u[] = { 0x1000 + i, 0x2000, 0 };

		a = key(1000 + i % 50, 77, i + 5);
		bad += stack_table__add(t, &a, 1, k1, u) != 0;
	}
	check_int(bad, 0, "40000 adds succeed");
	check_int(stack_table__entries(t), 20003, "20000 new entries, each found again");
	memset(&s, 0, sizeof(s));
	stack_table__for_each(t, visit, &s);
	check_int(s.total, 12 + 40000, "total count after growth");
	stack_table__free(t);
	stack_table__free(NULL);
	check(1, "free(NULL) is fine");
	return check_done();
}
