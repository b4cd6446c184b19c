/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/ksyms.h - kernel symbols from /proc/kallsyms, modules included, for naming kernel frames.
 *
 * Loaded once per recording; lookups are a binary search for the last symbol at or below an
 * address. Only text symbols (t/T/w/W) are kept so a data symbol never names a code address.
 */
#ifndef BPFPROF_KSYMS_H
#define BPFPROF_KSYMS_H

#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module; /* "[kernel.kallsyms]" or the module name, e.g. "[ext4]" */
};

/* Parse path (normally "/proc/kallsyms"). NULL with errno set on failure; EPERM when the
 * addresses are hidden (all zero: kernel.kptr_restrict, or not root). */
struct ksyms *ksyms__load(const char *path);
const struct ksym *ksyms__find(const struct ksyms *ks, uint64_t addr);
size_t ksyms__count(const struct ksyms *ks);
void ksyms__free(struct ksyms *ks);

#endif /* BPFPROF_KSYMS_H */
