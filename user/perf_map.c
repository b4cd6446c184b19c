// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * perf_map.c - /tmp/perf-PID.map reader (see perf_map.h).
 *
 * Entries are sorted by start; max_end[i] is the largest end among entries 0..i, so a lookup
 * walks back from the last entry starting at or below the address only while an earlier entry
 * could still cover it, and keeps the newest one that does. JIT maps rarely overlap, so this is
 * a binary search plus a step or two; overlapping (reused) ranges still resolve to the newest.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include "array.h"
#include "perf_map.h"
#include "rootfs.h"
#include "strset.h"

struct perf_map {
	struct perf_map_entry *e;
	uint64_t *max_end;
	size_t n, cap, bad;
	struct strset *strs;
};

/* "START SIZE name": hex numbers with optional 0x, one space or tab each, name to end of line. */
static int perf_map__parse_line(const char *line, uint64_t *start, uint64_t *size,
				const char **name, size_t *len)
{
	char *end;

	errno = 0;
	*start = strtoull(line, &end, 16);
	if (end == line || !isblank((unsigned char)*end) || errno)
		return -EINVAL;
	line = end + 1;
	if (!isxdigit((unsigned char)*line))
		return -EINVAL;
	*size = strtoull(line, &end, 16);
	if (end == line || !isblank((unsigned char)*end) || errno || !*size ||
	    *start + *size < *start)
		return -EINVAL;
	line = end + 1;
	*len = strcspn(line, "\r\n");
	while (*len && isblank((unsigned char)line[*len - 1]))
		(*len)--;
	*name = line;
	return *len ? 0 : -EINVAL;
}

static int perf_map__push(struct perf_map *pm, uint64_t start, uint64_t size, const char *name,
			  size_t len)
{
	if (array__grow((void **)&pm->e, &pm->cap, pm->n, sizeof(*pm->e)))
		return -ENOMEM;
	pm->e[pm->n].start = start;
	pm->e[pm->n].size = size;
	pm->e[pm->n].seq = pm->n;
	pm->e[pm->n].name = strset__addn(pm->strs, name, len);
	if (!pm->e[pm->n].name)
		return -ENOMEM;
	pm->n++;
	return 0;
}

static int entry__cmp(const void *a, const void *b)
{
	const struct perf_map_entry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int perf_map__index(struct perf_map *pm)
{
	size_t i;

	if (pm->n)
		qsort(pm->e, pm->n, sizeof(*pm->e), entry__cmp);
	pm->max_end = malloc((pm->n ? pm->n : 1) * sizeof(*pm->max_end));
	if (!pm->max_end)
		return -ENOMEM;
	for (i = 0; i < pm->n; i++) {
		uint64_t end = pm->e[i].start + pm->e[i].size;

		pm->max_end[i] = i && pm->max_end[i - 1] > end ? pm->max_end[i - 1] : end;
	}
	return 0;
}

struct perf_map *perf_map__parse(FILE *f)
{
	struct perf_map *pm = calloc(1, sizeof(*pm));
	size_t linecap = 0, len;
	char *line = NULL;
	uint64_t start, size;
	const char *name;
	int err = 0;

	if (!pm || !(pm->strs = strset__new()))
		goto err_nomem;
	while (!err && getline(&line, &linecap, f) > 0) {
		if (perf_map__parse_line(line, &start, &size, &name, &len))
			pm->bad++;
		else
			err = perf_map__push(pm, start, size, name, len);
	}
	free(line);
	if (err || perf_map__index(pm))
		goto err_nomem;
	return pm;
err_nomem:
	perf_map__free(pm);
	errno = ENOMEM;
	return NULL;
}

struct perf_map *perf_map__load(int rootfd, const char *path)
{
	int fd = rootfs__open(rootfd, path);
	struct perf_map *pm;
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	pm = perf_map__parse(f);
	fclose(f);
	return pm;
}

const struct perf_map_entry *perf_map__find(const struct perf_map *pm, uint64_t addr)
{
	const struct perf_map_entry *best = NULL;
	long i;

	if (!pm)
		return NULL;
	i = array__last_le(pm->e, pm->n, sizeof(*pm->e), offsetof(struct perf_map_entry, start),
			   addr);
	for (; i >= 0 && pm->max_end[i] > addr; i--) {
		const struct perf_map_entry *e = &pm->e[i];

		if (addr < e->start + e->size && (!best || e->seq > best->seq))
			best = e;
	}
	return best;
}

size_t perf_map__count(const struct perf_map *pm)
{
	return pm ? pm->n : 0;
}

size_t perf_map__bad_lines(const struct perf_map *pm)
{
	return pm ? pm->bad : 0;
}

void perf_map__free(struct perf_map *pm)
{
	if (!pm)
		return;
	free(pm->e);
	free(pm->max_end);
	strset__free(pm->strs);
	free(pm);
}
