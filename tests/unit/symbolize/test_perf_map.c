// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_perf_map.c - the perf map reader: well-formed lines, the odd lines real maps contain
 * (0x prefixes, tabs, CRLF, spaces in names, garbage, truncated writes), newest-wins for
 * reused addresses, and inline chains; then the bounds a hostile map meets: lines too long or
 * holding a NUL, input without end (a map symlinked to /dev/zero), and the owner check of
 * perf_map__load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "check.h"
#include "symbolize/perf_map.h"

static const char map_text[] =
	"7f0000001000 100 Burn.hotA\n"
	"0x7f0000001100 0x80 Burn.hotB\n"		    /* 0x prefixes */
	"7f0000001200\t40\tLambda$1.run\n"		    /* tabs */
	"7f0000001300 40 Interpreter\r\n"		    /* CRLF */
	"7f0000001400 40 void Foo::bar(int, char*) const\n" /* spaces in the name */
	"zzzz 10 bad.start\n"
	"7f0000001500 bad.size\n"
	"7f0000001500\n"
	"\n"
	"7f0000001600 0 zero.size\n"
	"ffffffffffffffff 10 overflow\n"
	"7f0000001700 20 \n"		/* no name */
	"7f0000001000 40 Burn.reused\n" /* newer code at an old address */
	"7f0000002000 200 Burn.run\n"
	"7f0000002040 20 Burn.run->Burn.hotA->Burn.mix\n" /* inline chain inside run */
	"7f0000003000 40 trunc";			  /* last line cut short: still fine */

struct lookup {
	unsigned long long addr;
	const char *want; /* NULL: no entry */
};

static const struct lookup lookups[] = {
	{ 0x7f0000001000, "Burn.reused" },
	{ 0x7f000000103f, "Burn.reused" },
	{ 0x7f0000001040, "Burn.hotA" }, /* beyond the reused range: the old entry */
	{ 0x7f00000010ff, "Burn.hotA" },
	{ 0x7f0000001100, "Burn.hotB" },
	{ 0x7f0000001180, NULL },
	{ 0x7f0000001210, "Lambda$1.run" },
	{ 0x7f0000001300, "Interpreter" },
	{ 0x7f0000001420, "void Foo::bar(int, char*) const" },
	{ 0x7f0000001600, NULL },
	{ 0x7f0000002010, "Burn.run" },
	{ 0x7f0000002045, "Burn.run->Burn.hotA->Burn.mix" },
	{ 0x7f0000002060, "Burn.run" },
	{ 0x7f0000003010, "trunc" },
	{ 0x1000, NULL },
};

static struct perf_map *parse_mem(const char *text, size_t len, uint64_t max_bytes)
{
	FILE *f = fmemopen((void *)text, len, "r");
	struct perf_map *pm = perf_map__parse(f, max_bytes);

	fclose(f);
	return pm;
}

static bool is_interp(const char *name)
{
	return !strcmp(name, "Interpreter");
}

static bool is_burn(const char *name)
{
	return !strncmp(name, "Burn.", 5);
}

static bool is_none(const char *name)
{
	return false;
}

/* perf_map__find_named: the newest entry a predicate accepts, by line order, not address. */
static void test_find_named(const struct perf_map *pm)
{
	const struct perf_map_entry *e = perf_map__find_named(pm, is_interp);

	check(e && e->start == 0x7f0000001300 && e->size == 0x40,
	      "the interpreter's range found by its name (CRLF line)");
	e = perf_map__find_named(pm, is_burn);
	check_str(e ? e->name : NULL, "Burn.run->Burn.hotA->Burn.mix",
		  "several match: the newest line wins");
	check(!perf_map__find_named(pm, is_none), "no match: NULL");
	check(!perf_map__find_named(NULL, is_interp), "no map: NULL");
}

/* A line of exactly PERF_MAP_MAX_LINE bytes is kept; one byte more and it is skipped, counted. */
static void test_line_bound(void)
{
	size_t max = PERF_MAP_MAX_LINE, len = 0, cap = 3 * max + 200;
	char *text = malloc(cap);
	const struct perf_map_entry *e;
	struct perf_map *pm;
	int n;

	n = snprintf(text, cap, "1000 10 "); /* a name filling the line to max bytes */
	memset(text + n, 'a', max - n);
	len = max;
	text[len++] = '\n';
	n = snprintf(text + len, cap - len, "2000 10 "); /* one byte longer */
	memset(text + len + n, 'b', max + 1 - n);
	len += max + 1;
	text[len++] = '\n';
	len += snprintf(text + len, cap - len, "3000 10 after_long\n4000 10 nul");
	text[len++] = '\0'; /* a NUL inside a name */
	len += snprintf(text + len, cap - len, "here\n5000 10 last\n");
	pm = parse_mem(text, len, PERF_MAP_MAX_SIZE);
	check_int(perf_map__count(pm), 3, "line bound: the max-length and short lines kept");
	check_int(perf_map__bad_lines(pm), 2, "line bound: the longer and the NUL line are bad");
	e = perf_map__find(pm, 0x1000);
	check(e && strlen(e->name) == max - 8, "line bound: a %zu-byte line keeps its whole name",
	      max);
	check(!perf_map__find(pm, 0x2000), "line bound: the too-long line named nothing");
	e = perf_map__find(pm, 0x3000);
	check_str(e ? e->name : NULL, "after_long",
		  "line bound: reading resumes after the long line");
	check(!perf_map__find(pm, 0x4000), "a line holding a NUL names nothing");
	check(!perf_map__truncated(pm), "line bound: not truncated");
	perf_map__free(pm);
	free(text);
}

/* The byte budget: whole lines within it are kept, a line it cuts is dropped. */
static void test_size_bound(void)
{
	static const char text[] = "1000 10 one\n2000 10 two\n3000 10 three\n";
	struct perf_map *pm = parse_mem(text, sizeof(text) - 1, 30); /* cuts "three" */

	check_int(perf_map__count(pm), 2, "size bound: the lines within 30 bytes kept");
	check_int(perf_map__bad_lines(pm), 0, "size bound: the cut line is not counted bad");
	check(perf_map__truncated(pm), "size bound: truncated");
	check(!perf_map__find(pm, 0x3000), "size bound: the cut line names nothing");
	perf_map__free(pm);
	pm = parse_mem(text, sizeof(text) - 1, sizeof(text) - 1);
	check(perf_map__count(pm) == 3 && !perf_map__truncated(pm),
	      "size bound: a budget of exactly the file's size reads all of it");
	perf_map__free(pm);
}

static ssize_t zero_read(void *cookie, char *buf, size_t size)
{
	*(uint64_t *)cookie += size;
	memset(buf, 0, size);
	return size;
}

/* /dev/zero as a map: no newline ever. The budget ends it; nothing is kept. */
static void test_endless_input(void)
{
	uint64_t served = 0;
	FILE *f = fopencookie(&served, "r", (cookie_io_functions_t){ .read = zero_read });
	struct perf_map *pm = perf_map__parse(f, 8 << 20);

	fclose(f);
	check(pm && perf_map__truncated(pm), "endless input: parsing ends, truncated");
	check_int(perf_map__count(pm), 0, "endless input: no entries");
	check(served < (9 << 20), "endless input: read %llu bytes for an 8 MiB budget",
	      (unsigned long long)served);
	perf_map__free(pm);
}

/* perf_map__load applies the owner policy: the target's uid or root, nobody else. */
static void test_load_owner(void)
{
	char dir[] = "/tmp/test_perf_map.XXXXXX", path[64];
	struct perf_map *pm;
	FILE *f;

	if (!mkdtemp(dir))
		return (void)check(0, "mkdtemp");
	snprintf(path, sizeof(path), "%s/perf-1.map", dir);
	f = fopen(path, "w");
	fprintf(f, "1000 10 owned\n");
	fclose(f);
	check(chown(path, 12345, 12345) == 0, "chown the map to uid 12345");
	errno = 0;
	pm = perf_map__load(-1, path, 65534);
	check(!pm && errno == EPERM,
	      "a map owned by uid 12345 is refused for a process of uid 65534 (errno %d)", errno);
	pm = perf_map__load(-1, path, 12345);
	check(pm && perf_map__count(pm) == 1, "the same map loads for a process of uid 12345");
	perf_map__free(pm);
	check(chown(path, 0, 0) == 0, "chown the map to root");
	pm = perf_map__load(-1, path, 65534);
	check(pm && perf_map__count(pm) == 1, "a map owned by root loads for any process");
	perf_map__free(pm);
	unlink(path);
	check(mkfifo(path, 0600) == 0, "mkfifo in place of the map");
	errno = 0;
	pm = perf_map__load(-1, path, 0);
	check(!pm && errno == EINVAL, "a FIFO is refused, not waited on (errno %d)", errno);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	struct perf_map *pm = parse_mem(map_text, sizeof(map_text) - 1, PERF_MAP_MAX_SIZE);
	size_t i;

	check(pm != NULL, "parse the map");
	check_int(perf_map__count(pm), 9, "good lines kept");
	check_int(perf_map__bad_lines(pm), 7, "bad lines counted (blank and nameless lines too)");
	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		const struct perf_map_entry *e = perf_map__find(pm, lookups[i].addr);
		char what[96];

		snprintf(what, sizeof(what), "lookup %#llx", lookups[i].addr);
		if (lookups[i].want)
			check_str(e ? e->name : NULL, lookups[i].want, what);
		else
			check(!e, "%s finds nothing (got %s)", what, e ? e->name : "nothing");
	}
	test_find_named(pm);
	perf_map__free(pm);
	perf_map__free(NULL);
	check(perf_map__load(-1, "/nonexistent/perf-1.map", 0) == NULL, "missing map: NULL");
	test_line_bound();
	test_size_bound();
	test_endless_input();
	test_load_owner();
	return check_done();
}
