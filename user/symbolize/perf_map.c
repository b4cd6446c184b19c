// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/perf_map.c - /tmp/perf-PID.map reader (see symbolize/perf_map.h).
 *
 * Entries are sorted by start; max_end[i] is the largest end among entries 0..i, so a lookup
 * walks back from the last entry starting at or below the address only while an earlier entry
 * could still cover it, and keeps the newest one that does. JIT maps rarely overlap, so this is
 * a binary search plus a step or two; overlapping (reused) ranges still resolve to the newest.
 *
 * Lines are read a byte at a time into one fixed buffer against a byte budget, so neither a
 * line without end nor a file without end (the target's map may be anything) grows memory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include "lib/array.h"
#include "symbolize/perf_map.h"
#include "lib/rootfs.h"
#include "lib/strset.h"

struct perf_map {
	struct perf_map_entry *e;
	uint64_t *max_end;
	size_t n, cap, bad;
	bool truncated;
	struct strset *strs;
};

enum line_kind {
	LINE_OK,
	LINE_BAD,
	LINE_END,
	LINE_CUT
};

#define BYTE_CUT (EOF - 1)

/* The next byte of f, EOF at its end, or BYTE_CUT when the budget is spent before it. */
static int next_byte(FILE *f, uint64_t *budget)
{
	int c = getc_unlocked(f);

	if (c == EOF)
		return EOF;
	if (!*budget)
		return BYTE_CUT;
	(*budget)--;
	return c;
}

/*
 * The next line of f into buf (cap bytes, NUL-terminated, newline dropped). LINE_BAD: longer
 * than cap - 1 or holding a NUL, read to its end but not kept. LINE_END: nothing left.
 * LINE_CUT: the budget ran out first; the partial line is dropped.
 */
static enum line_kind read_line(FILE *f, char *buf, size_t cap, uint64_t *budget)
{
	bool bad = false;
	size_t n = 0;
	int c;

	while ((c = next_byte(f, budget)) != EOF && c != BYTE_CUT && c != '\n') {
		if (c == '\0' || n == cap - 1)
			bad = true;
		else if (!bad)
			buf[n++] = c;
	}
	if (c == BYTE_CUT)
		return LINE_CUT;
	if (c == EOF && !n && !bad)
		return LINE_END;
	buf[n] = '\0';
	return bad ? LINE_BAD : LINE_OK;
}

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

struct perf_map *perf_map__parse(FILE *f, uint64_t max_bytes)
{
	struct perf_map *pm = calloc(1, sizeof(*pm));
	char *line = malloc(PERF_MAP_MAX_LINE + 1);
	enum line_kind kind = LINE_END;
	uint64_t start, size;
	const char *name;
	size_t len;
	int err = 0;

	if (!pm || !line || !(pm->strs = strset__new()))
		goto err_nomem;
	while (!err && (kind = read_line(f, line, PERF_MAP_MAX_LINE + 1, &max_bytes)) < LINE_END) {
		if (kind == LINE_BAD || perf_map__parse_line(line, &start, &size, &name, &len))
			pm->bad++;
		else
			err = perf_map__push(pm, start, size, name, len);
	}
	pm->truncated = kind == LINE_CUT;
	if (err || perf_map__index(pm))
		goto err_nomem;
	free(line);
	return pm;
err_nomem:
	free(line);
	perf_map__free(pm);
	errno = ENOMEM;
	return NULL;
}

struct perf_map *perf_map__load(int rootfd, const char *path, uid_t owner)
{
	struct rootfs_policy pol = { .max_size = PERF_MAP_MAX_SIZE, .owner = owner };
	FILE *f = rootfs__fopen(rootfd, path, &pol);
	struct perf_map *pm;

	if (!f)
		return NULL;
	pm = perf_map__parse(f, PERF_MAP_MAX_SIZE);
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

const struct perf_map_entry *perf_map__find_named(const struct perf_map *pm,
						  bool (*match)(const char *name))
{
	const struct perf_map_entry *best = NULL;

	for (size_t i = 0; pm && i < pm->n; i++)
		if ((!best || pm->e[i].seq > best->seq) && match(pm->e[i].name))
			best = &pm->e[i];
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

bool perf_map__truncated(const struct perf_map *pm)
{
	return pm && pm->truncated;
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
