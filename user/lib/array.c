// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/array.c - growable arrays and address search (see lib/array.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/array.h"

int array__grow(void **arr, size_t *cap, size_t used, size_t elem_size)
{
	size_t n;
	void *a;

	if (used < *cap)
		return 0;
	n = *cap ? *cap * 2 : 64;
	a = realloc(*arr, n * elem_size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = n;
	return 0;
}

static uint64_t key_at(const void *base, size_t i, size_t stride, size_t key_off)
{
	uint64_t k;

	memcpy(&k, (const char *)base + i * stride + key_off, sizeof(k));
	return k;
}

long array__last_le(const void *base, size_t n, size_t stride, size_t key_off, uint64_t addr)
{
	size_t lo = 0, hi = n; /* answer in [lo - 1, hi - 1] */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_at(base, mid, stride, key_off) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}
