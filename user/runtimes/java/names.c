// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/names.c - HotSpot perf-map names as people expect them (see names.h): the
 * Compiler.perfmap form loses its return type and parameter list, so a method is one frame
 * whether our agent or the JVM itself wrote the map.
 */
#include <string.h>

#include "runtimes/java/names.h"
#include "lib/strset.h"

const char *java__jit_name(const char *name, struct strset *strs)
{
	const char *sp = strchr(name, ' '), *paren, *dot;
	size_t len = strlen(name);

	if (!sp || len < 4 || name[len - 1] != ')' || strchr(sp + 1, ' '))
		return NULL;
	paren = strchr(sp + 1, '(');
	dot = memchr(sp + 1, '.', paren ? (size_t)(paren - sp - 1) : 0);
	if (!paren || !dot || paren == sp + 1)
		return NULL;
	return strset__addn(strs, sp + 1, paren - sp - 1);
}
