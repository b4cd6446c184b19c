/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/strset.h - a set of interned strings: strset__add() returns one stable pointer per distinct
 * string, owned by the set until strset__free(). Symbol tables hold hundreds of thousands of
 * names with many repeats (module names, demangled duplicates); one arena keeps them cheap.
 */
#ifndef BPFPROF_STRSET_H
#define BPFPROF_STRSET_H

#include <stddef.h>

struct strset;

struct strset *strset__new(void);
/* The interned copy of s (equal strings give the same pointer), or NULL on ENOMEM. */
const char *strset__add(struct strset *set, const char *s);
/* The same for the first len bytes of s. */
const char *strset__addn(struct strset *set, const char *s, size_t len);
void strset__free(struct strset *set);

#endif /* BPFPROF_STRSET_H */
