/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unwind/unwind_table.h - one binary's call-frame information as compact unwind rows for the BPF
 * unwinder (bpf/abi/unwind.h): sorted by address, one row where the rule to find the caller
 * changes, gaps without CFI marked UNWIND_CFA_NONE (the walk takes the frame-pointer step there).
 *
 * The CFI is read with elfutils' libdw (dwarf_cfi_addrframe), from .eh_frame (its functions found
 * through .eh_frame_hdr), else .debug_frame, else the .debug_frame of the binary's separate debug
 * file (symbolize/debuginfo.h: by build-id, then .gnu_debuglink). Rules the BPF side cannot follow become
 * UNWIND_CFA_NONE rows rather than failures: one odd function does not cost a binary its table.
 * Rows hold ELF virtual addresses; unwind_table__bias() turns a mapping into the bias the BPF
 * side subtracts from a pc. Only x86-64 is handled (rsp, rbp, rip by their DWARF numbers).
 */
#ifndef BPFPROF_UNWIND_TABLE_H
#define BPFPROF_UNWIND_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/abi/unwind.h"

struct unwind_table {
	struct unwind_row *rows; /* sorted by pc, no two with the same pc */
	size_t n;
	uint64_t text_bytes; /* size of the executable segments, for cost per MB */
	const char *source;  /* "eh_frame", "debug_frame" or "debug file" */
	struct unwind_seg {
		uint64_t offset, filesz, vaddr;
	} * segs; /* PT_LOAD segments, to turn a mapping's file offset into a bias */
	size_t nsegs;
};

struct debuginfo_where;

/*
 * Build the table of the ELF open at fd (not closed); where: how to find its debug file when it
 * has no CFI of its own (NULL: not looked for). 0, or -errno: -ENOEXEC not ELF or not x86-64,
 * -ENODATA no usable CFI, -EFBIG addresses beyond 4 GiB, -ENOMEM.
 */
int unwind_table__build(int fd, const struct debuginfo_where *where, struct unwind_table **out);
/* The same for an in-memory image (the vDSO). */
int unwind_table__build_mem(const void *image, size_t size, struct unwind_table **out);
/* The bias of a mapping of this binary at start with file offset off: pc - bias = ELF vaddr. */
bool unwind_table__bias(const struct unwind_table *t, uint64_t start, uint64_t off, uint64_t *bias);
/* The row covering vaddr, or NULL (before the first row). */
const struct unwind_row *unwind_table__find(const struct unwind_table *t, uint64_t vaddr);
void unwind_table__free(struct unwind_table *t);

#endif /* BPFPROF_UNWIND_TABLE_H */
