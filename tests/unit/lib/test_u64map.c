// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_u64map.c - the pid map: set, get, and deletion under linear probing checked against a
 * plain array over many random operations (deletion moves entries back; a wrong move loses a key).
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "lib/u64map.h"

#define KEYS 4096

static void test_random_ops(void)
{
	static void *ref[KEYS];
	struct u64map *m = u64map__new();
	size_t live = 0, wrong = 0;

	srand(7);
	for (int op = 0; op < 200000; op++) {
		uint64_t k = rand() % KEYS;

		if (rand() % 3) {
			void *v = (void *)(uintptr_t)(op + 1);

			live += !ref[k];
			ref[k] = v;
			u64map__set(m, k, v);
		} else {
			wrong += u64map__del(m, k) != ref[k];
			live -= !!ref[k];
			ref[k] = NULL;
		}
	}
	for (uint64_t k = 0; k < KEYS; k++)
		wrong += u64map__get(m, k) != ref[k];
	check_int(wrong, 0, "every get and del agrees with the reference");
	check_int(u64map__count(m), live, "count");
	check(u64map__del(m, KEYS + 5) == NULL, "deleting an absent key");
	u64map__free(m);
}

int main(void)
{
	test_random_ops();
	return check_done();
}
