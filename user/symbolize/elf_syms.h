/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize/elf_syms.h - function symbols of one ELF binary (executable, shared library or vDSO), for
 * naming native user-space frames.
 *
 * Symbols come from .symtab, else .dynsym; when the binary has no .symtab, a separate debug file
 * is looked for by build-id (DEBUG_DIR/.build-id/xx/yyyy.debug) and by .gnu_debuglink (next to
 * the binary, in its .debug/ folder, and under DEBUG_DIR). C++ names are demangled on lookup and,
 * unless full_names is set, shortened to scope and name (symbolize/demangle.h). Where several
 * names share an address (glibc's write, __write, __GI___libc_write...) the one a caller links
 * against names it, as perf chooses (elf_syms.c says how).
 * Addresses are ELF virtual addresses: convert a file offset with elf_syms__vaddr() first, which
 * makes PIE and non-PIE binaries, and libraries, one case.
 *
 * The files are a target's to choose, so they are opened through rootfs (lib/rootfs.h): regular
 * files no larger than ELF_SYMS_MAX_SIZE. libelf maps a file rather than reading it, so the
 * bound is about time, not memory: a sparse file costs nothing on disk whatever its size, and
 * could claim a symbol table as large. 8 GiB is above the largest real binaries and debug files
 * (a browser built with full DWARF: 3 to 5 GiB).
 */
#ifndef BPFPROF_ELF_SYMS_H
#define BPFPROF_ELF_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_SYMS_MAX_SIZE (8ULL << 30)

struct elf_syms;

struct elf_load_opts {
	/* the binary's path as /proc/PID/maps shows it, for .gnu_debuglink (so no symlink may
	   lead to a debug file beside it) */
	const char *path;
	int rootfd;	       /* the process's root (/proc/PID/root) for debug files, -1: host */
	const char *debug_dir; /* NULL: "/usr/lib/debug" */
	unsigned *refused;     /* counts debug files the rootfs policy refused; may be NULL */
	bool full_names;       /* C++ names with parameters, templates, clone suffixes */
};

/*
 * Read symbols from the open file fd (not closed): a target's file must come from lib/rootfs.h.
 * NULL with errno: ENOEXEC when not ELF.
 */
struct elf_syms *elf_syms__load(int fd, const struct elf_load_opts *opts);
/* The same from an in-memory image (the vDSO). */
struct elf_syms *elf_syms__load_mem(const void *image, size_t size);

/* File offset (from /proc/PID/maps) to ELF virtual address via the PT_LOAD holding it. */
bool elf_syms__vaddr(const struct elf_syms *es, uint64_t file_off, uint64_t *vaddr);
/* Name (demangled, short unless full_names) of the function containing vaddr, or NULL. */
const char *elf_syms__find(struct elf_syms *es, uint64_t vaddr);
const char *elf_syms__build_id(const struct elf_syms *es); /* hex or NULL */
size_t elf_syms__count(const struct elf_syms *es);
/* Where the symbols came from: "symtab", "dynsym", or the debug file's path. */
const char *elf_syms__source(const struct elf_syms *es);
void elf_syms__free(struct elf_syms *es);

#endif /* BPFPROF_ELF_SYMS_H */
