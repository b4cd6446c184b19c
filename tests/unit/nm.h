/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nm.h - a symbol's address as nm(1) reads it: the independent answer the symbolizer tests
 * compare against. 0 when nm does not list the symbol.
 */
#ifndef BPFPROF_TEST_NM_H
#define BPFPROF_TEST_NM_H

#include <stdio.h>
#include <string.h>

static inline unsigned long long nm_addr(const char *path, const char *sym)
{
	char cmd[1200], line[512], name[256], type;
	unsigned long long addr, found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && !strcmp(name, sym))
			found = addr;
	}
	if (p)
		pclose(p);
	return found;
}

#endif /* BPFPROF_TEST_NM_H */
