/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/array.h - the two things every table in the symbolizer does: grow by doubling, and find the
 * last entry whose start address is at or below an address (symbols, perf-map entries).
 */
#ifndef BPFPROF_ARRAY_H
#define BPFPROF_ARRAY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Make room for one more element: when used == *cap, double *arr (min 64 elements) of
 * elements of elem_size bytes. 0, or -ENOMEM with *arr untouched.
 */
int array__grow(void **arr, size_t *cap, size_t used, size_t elem_size);

/*
 * In base[0..n) of elements stride bytes apart, sorted by the uint64_t at byte offset key_off,
 * the index of the last element whose key is <= addr, or -1 when there is none.
 */
long array__last_le(const void *base, size_t n, size_t stride, size_t key_off, uint64_t addr);

#endif /* BPFPROF_ARRAY_H */
