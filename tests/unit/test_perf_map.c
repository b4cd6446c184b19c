// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_perf_map.c - the perf map reader: well-formed lines, the odd lines real maps contain
 * (0x prefixes, tabs, CRLF, spaces in names, garbage, truncated writes), newest-wins for
 * reused addresses, and inline chains.
 */
#include <stdlib.h>
#include "check.h"
#include "perf_map.h"

static const char map_text[] =
	"7f0000001000 100 Burn.hotA\n"
	"0x7f0000001100 0x80 Burn.hotB\n"			/* 0x prefixes */
	"7f0000001200\t40\tLambda$1.run\n"			/* tabs */
	"7f0000001300 40 Interpreter\r\n"			/* CRLF */
	"7f0000001400 40 void Foo::bar(int, char*) const\n"	/* spaces in the name */
	"zzzz 10 bad.start\n"
	"7f0000001500 bad.size\n"
	"7f0000001500\n"
	"\n"
	"7f0000001600 0 zero.size\n"
	"ffffffffffffffff 10 overflow\n"
	"7f0000001700 20 \n"					/* no name */
	"7f0000001000 40 Burn.reused\n"			/* newer code at an old address */
	"7f0000002000 200 Burn.run\n"
	"7f0000002040 20 Burn.run->Burn.hotA->Burn.mix\n"	/* inline chain inside run */
	"7f0000003000 40 trunc";				/* last line cut short: still fine */

struct lookup {
	unsigned long long addr;
	const char *want;	/* NULL: no entry */
};

static const struct lookup lookups[] = {
	{ 0x7f0000001000, "Burn.reused" },
	{ 0x7f000000103f, "Burn.reused" },
	{ 0x7f0000001040, "Burn.hotA" },	/* beyond the reused range: the old entry */
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

int main(void)
{
	FILE *f = fmemopen((void *)map_text, sizeof(map_text) - 1, "r");
	struct perf_map *pm = perf_map__parse(f);
	size_t i;

	fclose(f);
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
	perf_map__free(pm);
	perf_map__free(NULL);
	check(perf_map__load(-1, "/nonexistent/perf-1.map") == NULL, "missing map: NULL");
	return check_done();
}
