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
 * Invariants: an entry is keyed by (pid, tid, thread name, kernel stack, user stack, and why a
 * stack is missing) and holds the sum of the counts and of the weights added to it; for_each
 * hands each entry out as a struct sample whose ips are leaf first and 0-terminated, as the
 * sampler's drain does.
 */
#ifndef BPFPROF_STACK_TABLE_H
#define BPFPROF_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "collect/sample.h"

struct stack_table;

struct stack_table *stack_table__new(void);
/*
 * Add s's count and weight to the entry for its process, thread and stacks (ips read up to
 * their len or a 0, whichever comes first). 0 or -ENOMEM.
 */
int stack_table__add(struct stack_table *t, const struct sample *s);
/* Visit every entry, with its summed count and weight. */
void stack_table__for_each(const struct stack_table *t, sample_fn fn, void *ctx);
/* Unique entries, and distinct ip arrays among them. */
size_t stack_table__entries(const struct stack_table *t);
size_t stack_table__stacks(const struct stack_table *t);
void stack_table__free(struct stack_table *t);

#endif /* BPFPROF_STACK_TABLE_H */
