/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/stack_table.h - stacks drained from the kernel, kept raw (instruction pointers, not names)
 * and summed by content until the recording symbolizes them.
 *
 * The sampler empties its in-kernel tables many times during a run; each drain adds here. Two
 * drains that saw the same (process, thread, kernel stack, user stack) add to one entry, so
 * memory grows with unique stacks, not with drains or time. Instruction-pointer arrays are
 * interned: a kernel stack shared by a thousand entries is stored once.
 *
 * Invariants: entries keep the sample_key of their first drain with the stack ids replaced by
 * table-local ids (>= 0) or left as the kernel's negative error; for_each hands out each
 * entry's ips leaf first and 0-terminated, as the sampler's drain does.
 */
#ifndef BPFPROF_STACK_TABLE_H
#define BPFPROF_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/abi/sample.h"

struct stack_table;

/* Called for every entry: ips leaf first, 0-terminated (kips[0] == 0 when none). */
typedef void (*stack_table_fn)(const struct sample_key *key, uint64_t count, const uint64_t *kips,
			       const uint64_t *uips, void *ctx);

struct stack_table *stack_table__new(void);
/* Add count samples of (key, kips, uips); ips leaf first, 0-terminated. 0 or -ENOMEM. */
int stack_table__add(struct stack_table *t, const struct sample_key *key, uint64_t count,
		     const uint64_t *kips, const uint64_t *uips);
void stack_table__for_each(const struct stack_table *t, stack_table_fn fn, void *ctx);
/* Unique entries, and distinct ip arrays among them. */
size_t stack_table__entries(const struct stack_table *t);
size_t stack_table__stacks(const struct stack_table *t);
void stack_table__free(struct stack_table *t);

#endif /* BPFPROF_STACK_TABLE_H */
