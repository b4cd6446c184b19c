/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * agent/shim/probe_point.h - PROBE_POINT(name): an exported function that does nothing, for
 * bpfprof's BPF side to uprobe (agent/shim/alloc.c, agent/probes.c), shaped so that the probe
 * is cheap.
 *
 * A uprobe on an ordinary first instruction traps (int3, then a single step): ~50 us a hit in
 * a Firecracker guest, 1-3 us on bare metal. On x86-64 the kernel (6.18+) turns a uprobe on a
 * 5-byte nop into a call to a trampoline after its first hit, ~4 us in the same guest: so the
 * function starts with one, then returns. Its CFI says what an entry's does (CFA = rsp + 8), so
 * unwinders walk out of it; the arguments stay where the caller put them.
 */
#ifndef BPFPROF_PROBE_POINT_H
#define BPFPROF_PROBE_POINT_H

#if defined(__x86_64__)
#define PROBE_POINT_NOP5 1
#define PROBE_POINT(name)                                                          \
	__asm__(".pushsection .text\n"                                             \
		".globl " #name "\n"                                               \
		".type " #name ",@function\n"                                      \
		".p2align 4\n" #name ":\n"                                         \
		".cfi_startproc\n"                                                 \
		".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n" /* nopl 0x0(%rax,%rax,1) */ \
		"ret\n"                                                            \
		".cfi_endproc\n"                                                   \
		".size " #name ", . - " #name "\n"                                 \
		".popsection\n")
#endif

#endif /* BPFPROF_PROBE_POINT_H */
