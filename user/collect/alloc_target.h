/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/alloc_target.h - where a process's malloc lives, for -e alloc's uprobes: the libc it
 * maps (a dynamic program), or its own executable (a static one that has a malloc symbol).
 *
 * A process's files are named through /proc/PID/root, so a container's libc is the one probed.
 * The allocator entry points are found by name in the ELF symbol tables; names that are aliases
 * of one another (one address) are probed once, or their calls would count twice.
 */
#ifndef BPFPROF_ALLOC_TARGET_H
#define BPFPROF_ALLOC_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ALLOC_SHIM_NAME "libbpfprof-alloc.so" /* built from agent/shim/alloc.c, beside bpfprof */

enum alloc_fn {
	ALLOC_MALLOC,
	ALLOC_CALLOC,
	ALLOC_REALLOC,
	ALLOC_ALIGNED_ALLOC,
	ALLOC_MEMALIGN,
	ALLOC_POSIX_MEMALIGN,
	ALLOC_MMAP, /* large blocks: anonymous private writable maps only (bpf/modes/alloc.bpf.h) */
	ALLOC_FN_MAX,
};

struct alloc_target {
	char path[4096];
	/* The function to probe for each entry point, NULL when absent or an alias of another. */
	const char *fn[ALLOC_FN_MAX];
};

/* The symbol name of an entry point ("malloc", ...). */
const char *alloc_fn__name(enum alloc_fn f);

/*
 * The allocator of process pid, or with pid <= 0 of the program `exe` about to be run by a
 * child of this process (a dynamic one gets this process's libc: the child maps it until its
 * exec, and the same file after it). 0, or -errno with the reason and the fix in err.
 */
int alloc_target__find(pid_t pid, const char *exe, struct alloc_target *t, char *err, size_t len);

/*
 * The in-process sampler for a command (agent/shim/alloc.c): libbpfprof-alloc.so next to this
 * executable, when the program exe (found on PATH) is dynamic and not set-uid, so that
 * LD_PRELOAD reaches it. 0 with its path, or -ENOENT: probe the command's malloc instead.
 */
int alloc_target__shim(const char *exe, char *path, size_t len);

/* In the command's child before exec: preload the shim, sampling every interval bytes. */
void alloc_target__preload(const char *shim, uint64_t interval);

#endif /* BPFPROF_ALLOC_TARGET_H */
