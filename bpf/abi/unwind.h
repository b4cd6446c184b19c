/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * unwind.h - the ABI between the native unwinder in BPF (bpf/unwind/native.bpf.h) and the loader
 * that feeds it (user/unwind/): unwind rows, the executable mappings of each process, the user
 * stacks the walk builds and the counters that say why walks stopped.
 *
 * User space turns each binary's call-frame information (.eh_frame / .debug_frame) into rows
 * sorted by address, one row for every address range where the rule to find the caller does not
 * change, and writes them into one shared `unwind_rows` array: each binary owns a contiguous run
 * of it, built once, whichever processes map it. Per process, `unwind_procs` holds its executable
 * mappings sorted by start, each pointing at its binary's run of rows (or at none: JIT code,
 * a binary without CFI, a table not built yet). The walk finds the mapping of a pc, then the last
 * row at or below it, and computes the caller's pc, sp and bp; without a row it takes the
 * frame-pointer step. Rows hold ELF virtual addresses: pc - bias.
 */
#ifndef BPFPROF_BPF_UNWIND_H
#define BPFPROF_BPF_UNWIND_H

#define UNWIND_MAX_MAPS 256	    /* executable mappings per process the unwinder knows */
#define UNWIND_MAX_DEPTH 127	    /* frames, like MAX_STACK_DEPTH */
#define UNWIND_ROW_SEARCH 24	    /* binary-search steps: up to 16M rows per binary */
#define UNWIND_MAP_SEARCH 9	    /* ... and up to 256 mappings per process */
#define UNWIND_DEFAULT_ROWS 1048576 /* unwind_rows entries (8 bytes each): 8 MiB */

/* --unwind: CFI with frame-pointer steps where there is no row, and the kernel's frame-pointer
 * walk for processes without tables yet (the default, 0); the kernel's walk only; CFI rows only. */
enum unwind_mode {
	UNWIND_MODE_AUTO,
	UNWIND_MODE_FP,
	UNWIND_MODE_CFI,
};

/* How to find the CFA (the caller's sp) in a row. */
enum unwind_cfa {
	UNWIND_CFA_NONE, /* no rule here (a gap, or a rule we cannot express): frame-pointer step */
	UNWIND_CFA_RSP,	 /* cfa = rsp + cfa_off */
	UNWIND_CFA_RBP,	 /* cfa = rbp + cfa_off */
	UNWIND_CFA_PLT,	 /* PLT stub: cfa = rsp + cfa_off + ((rip & 15) >= rbp ? 8 : 0) */
	UNWIND_CFA_SIGNAL, /* signal trampoline: the interrupted registers are in the ucontext at rsp */
	UNWIND_CFA_END,	 /* the return address is undefined: the outermost frame (_start, clone) */
	UNWIND_CFA_RSP8, /* cfa = rsp + 8 * cfa_off: frames over 32 KiB */
};

/*
 * A row: 8 bytes (array map values are 8-byte aligned, so this is what a row costs). The
 * return address is always at cfa - 8; rows with another rule for it are UNWIND_CFA_NONE, as are
 * rows whose offsets do not fit. `rbp` says where the caller's rbp is: UNWIND_RBP_SAME (not
 * saved: unchanged), UNWIND_RBP_UNDEF, or saved at cfa + 8 * rbp. In a PLT row it is the
 * threshold on rip & 15 instead (rbp unchanged).
 */
#define UNWIND_RBP_SAME 0
#define UNWIND_RBP_UNDEF (-128)

struct unwind_row {
	__u32 pc; /* first ELF virtual address the row applies to (binaries over 4 GiB: no table) */
	__s16 cfa_off;
	__u8 cfa_type; /* enum unwind_cfa */
	__s8 rbp;
};

struct unwind_map {
	__u64 start, end; /* [start, end) in the process */
	__u64 bias;	  /* pc - bias = the ELF virtual address of pc */
	__u32 first_row;  /* the binary's run in unwind_rows */
	__u32 nrows;	  /* 0: no rows (JIT code, no CFI): frame-pointer steps */
};

/* At most one BP_EVENT_MAPS per process in this time; none pending after an exec (the loader
 * writes refresh_ns 0), when the libraries ld.so maps next are not in the entry yet. */
#define UNWIND_REFRESH_NS 100000000ULL

#define UNWIND_PROC_TRUNCATED 1 /* more mappings than UNWIND_MAX_MAPS: a miss is no news */

struct unwind_proc {
	__u32 nmaps;
	__u32 flags;	  /* UNWIND_PROC_* */
	__u64 refresh_ns; /* monotonic ns of the last BP_EVENT_MAPS (or of the entry's writing) */
	struct unwind_map maps[UNWIND_MAX_MAPS]; /* sorted by start, not overlapping */
};

/*
 * A notice on `unwind_events`, the unwinder's own ring buffer (its thread reads it, so that the
 * loader's other work never delays a table): type is a BP_EVENT_* of abi/sample.h, NEW or EXEC
 * (read the mappings), MAPS (again, the walk met a pc outside them) or EXIT (let go).
 */
struct unwind_event {
	__u32 type;
	__u32 pid;
};

/* The user stack a walk built: the value of `ustacks` (keyed by its 64-bit hash). */
struct unwind_stack {
	__u64 hash2; /* a second hash: equal keys with different hash2 are collisions */
	__u32 len;
	__u32 pad;
	__u64 ips[UNWIND_MAX_DEPTH];
};

/* Counters in the .bss `unwind_stats` array: how user walks went and why they stopped. */
enum unwind_stat {
	UNWIND_STAT_WALKS,   /* walks with CFI (--unwind cfi/auto) */
	UNWIND_STAT_FP_ONLY, /* samples walked by frame pointers: the process had no tables yet */
	UNWIND_STAT_END,     /* walks that reached the outermost frame (undefined return address) */
	UNWIND_STAT_PC_ZERO, /* ... that reached a zero return address (thread start, FP end) */
	UNWIND_STAT_CFI_FRAMES, /* frames unwound with a table row */
	UNWIND_STAT_FP_FRAMES,	/* frames unwound with the frame pointer (no row there) */
	UNWIND_STAT_NO_TABLE, /* frames in a mapping without rows (JIT code, a binary without CFI) */
	UNWIND_STAT_BAD_READ,  /* walks stopped: a stack read failed (bad rule, unmapped) */
	UNWIND_STAT_LOOP,      /* walks stopped: the sp did not move up the stack */
	UNWIND_STAT_DEPTH,     /* walks stopped at UNWIND_MAX_DEPTH frames (truncated) */
	UNWIND_STAT_NO_REGS,   /* no user registers (kernel thread): no user stack */
	UNWIND_STAT_COLLISION, /* a different stack had the same hash: user stack dropped */
	UNWIND_STAT_FULL,      /* the ustacks map was full: user stack dropped */
	UNWIND_STAT_MAX,
};

/*
 * HotSpot's interpreter (bpf/unwind/hotspot.bpf.h). Every interpreted Java frame runs the one
 * code range HotSpot names "Interpreter" (its perf map line), which user space writes, per
 * process, into `hotspot_procs`. A frame whose pc lies there is recorded in the stack as
 * UNWIND_FRAME_HOTSPOT | Method* instead of its pc: the Method* its interpreter frame keeps at
 * rbp + 8 * HOTSPOT_METHOD_SLOT (frame::interpreter_frame_method_offset, -3 on x86_64 in JDK
 * 8 to 25), which user space names from the agent's /tmp/perf-PID.methods. Method* values are
 * 8-byte aligned user addresses below 2^56, so the tag never meets a pc; a reader rounds the
 * pointer up to 8 (the stack builder takes 1 from every return address). A frame whose slot
 * cannot be read keeps its pc (named "Interpreter").
 */
#define UNWIND_FRAME_TAG_MASK 0xff00000000000000ULL
#define UNWIND_FRAME_HOTSPOT 0x4a00000000000000ULL /* 'J' */
#define HOTSPOT_METHOD_SLOT (-3)

struct hotspot_interp {
	__u64 start, end; /* [start, end): the interpreter's code */
};

/* Counters in the .bss `hotspot_stats` array. */
enum hotspot_stat {
	HOTSPOT_STAT_FRAMES, /* frames in the interpreter's range */
	HOTSPOT_STAT_NAMED,  /* ... recorded as a Method* */
	HOTSPOT_STAT_MAX,
};

#endif /* BPFPROF_BPF_UNWIND_H */
