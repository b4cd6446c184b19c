/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/u64map.h - a small hash map from uint64_t keys to pointers (pids to processes, file
 * identities to loaded binaries). Open addressing, grows at half full; values are not owned.
 */
#ifndef BPFPROF_U64MAP_H
#define BPFPROF_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map;

struct u64map *u64map__new(void);
void *u64map__get(const struct u64map *m, uint64_t key);
/* Insert or replace. 0 or -ENOMEM. */
int u64map__set(struct u64map *m, uint64_t key, void *val);
/* Call fn(key, val, ctx) for every entry, in no particular order. */
/* Remove key; its value (the caller frees it), or NULL when absent. */
void *u64map__del(struct u64map *m, uint64_t key);
void u64map__for_each(const struct u64map *m, void (*fn)(uint64_t, void *, void *), void *ctx);
size_t u64map__count(const struct u64map *m);
void u64map__free(struct u64map *m);

#endif /* BPFPROF_U64MAP_H */
