/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/hash.h - the one byte hash every table uses: 64-bit FNV-1a.
 *
 * Chained so a key made of several parts hashes without copying them together:
 * h = fnv1a(FNV1A_INIT, a, n); h = fnv1a(h, b, m). Not for untrusted keys an attacker picks to
 * collide; every table here is keyed by what the kernel or a profile file hands us.
 */
#ifndef BPFPROF_HASH_H
#define BPFPROF_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ULL

/* FNV-1a of n bytes at data, continued from h (FNV1A_INIT to start). */
static inline uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *b = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

#endif /* BPFPROF_HASH_H */
