/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/debuginfo.h - a binary's separate debug file, where gdb and perf look for it: by
 * build-id (DEBUG_DIR/.build-id/xx/yyyy.debug), then by .gnu_debuglink (next to the binary, in
 * its .debug/ folder, and under DEBUG_DIR). Symbols (symbolize/elf_syms.h) come from there when
 * a binary has no .symtab, and CFI (unwind/unwind_table.h) when it has no .eh_frame.
 *
 * The files are a target's to choose, so they are opened through rootfs (lib/rootfs.h), regular
 * files no larger than DEBUGINFO_MAX_SIZE; only the build-id tree, which only root writes, may
 * end in a symlink (distributions ship .build-id/xx/yyyy.debug as links).
 */
#ifndef BPFPROF_DEBUGINFO_H
#define BPFPROF_DEBUGINFO_H

#include <gelf.h>

#define DEBUGINFO_MAX_SIZE (8ULL << 30) /* as ELF_SYMS_MAX_SIZE (symbolize/elf_syms.h says why) */

/* What names a binary's debug file, read by debuginfo__read_ids(); "" when absent. */
struct debuginfo_ids {
	char build_id[41]; /* hex */
	char debuglink[256];
};

struct debuginfo_where {
	/* the binary's path as /proc/PID/maps shows it, for .gnu_debuglink (so no symlink may
	   lead to a debug file beside it) */
	const char *path;
	int rootfd;	       /* the process's root (/proc/PID/root), -1: host */
	const char *debug_dir; /* NULL: "/usr/lib/debug" */
	unsigned *refused;     /* counts files the rootfs policy refused; may be NULL */
};

/* The build-id note and .gnu_debuglink of elf into ids. */
void debuginfo__read_ids(struct debuginfo_ids *ids, Elf *elf);

/*
 * Open each candidate debug file in turn and hand it to fn (fd closed after), until fn returns
 * 0 (it took that file): then 0, else -ENOENT.
 */
int debuginfo__find(const struct debuginfo_ids *ids, const struct debuginfo_where *w,
		    int (*fn)(int fd, const char *path, void *ctx), void *ctx);

#endif /* BPFPROF_DEBUGINFO_H */
