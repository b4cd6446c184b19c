// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * unwind/unwind_table.c - CFI to unwind rows (see unwind_table.h).
 *
 * libdw interprets the CFI: dwarf_cfi_addrframe() gives the rules at an address and the range
 * [start, end) they hold for, so walking each function from its first address to its end, range
 * by range, yields every row. The functions' first addresses come from .eh_frame_hdr's sorted
 * search table (or, for .debug_frame, from each FDE's absolute initial location): libdw has no
 * iterator over FDEs, and stepping byte by byte through gaps would cost as much as the text is
 * long. Each rule is then classified into what the BPF walk can follow; consecutive rows with the
 * same rule are merged, which shrinks typical tables by a third. A binary with no CFI of its own
 * (stripped of .eh_frame, built without unwind tables) gets it from the .debug_frame of its
 * separate debug file, found as its symbols are (symbolize/debuginfo.h); the segments, which say
 * where its code is mapped, still come from the binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <dwarf.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include "lib/array.h"
#include "symbolize/debuginfo.h"
#include "unwind/unwind_table.h"

#define DWARF_RBP 6
#define DWARF_RSP 7
#define DWARF_RIP 16
#define SIGFRAME_RSP_OFF 160 /* offsetof(ucontext, uc_mcontext.rsp) in the kernel's rt_sigframe */

struct builder {
	Elf *elf;			     /* the binary */
	const struct debuginfo_where *where; /* its debug file, NULL: not looked for */
	Dwarf *dw;			     /* for .debug_frame only */
	Dwarf_CFI *cfi;
	uint64_t *starts; /* first address of each function with CFI, sorted */
	size_t nstarts, cap_starts;
	struct unwind_table *t;
	size_t cap;
};

/* ---- function starts ---- */

static int builder__add_start(struct builder *b, uint64_t pc)
{
	if (array__grow((void **)&b->starts, &b->cap_starts, b->nstarts, sizeof(*b->starts)))
		return -ENOMEM;
	b->starts[b->nstarts++] = pc;
	return 0;
}

/* One DW_EH_PE-encoded value at *p (advanced); false when the encoding is one we do not read. */
static bool read_encoded(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t field_addr,
			 uint64_t data_base, uint64_t *out)
{
	int64_t v;
	size_t len;

	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		len = 8;
		break;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		len = 4;
		break;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		len = 2;
		break;
	default:
		return false;
	}
	if ((size_t)(end - *p) < len)
		return false;
	if (len == 8) {
		memcpy(&v, *p, 8);
	} else if (len == 4) {
		int32_t s;
		uint32_t u;

		memcpy(&s, *p, 4);
		memcpy(&u, *p, 4);
		v = (enc & 0x0f) == DW_EH_PE_sdata4 ? s : (int64_t)u;
	} else {
		int16_t s;
		uint16_t u;

		memcpy(&s, *p, 2);
		memcpy(&u, *p, 2);
		v = (enc & 0x0f) == DW_EH_PE_sdata2 ? s : (int64_t)u;
	}
	*p += len;
	switch (enc & 0x70) {
	case DW_EH_PE_absptr:
		break;
	case DW_EH_PE_pcrel:
		v += field_addr;
		break;
	case DW_EH_PE_datarel:
		v += data_base;
		break;
	default:
		return false;
	}
	*out = v;
	return true;
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, shdr))
			continue;
		n = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (n && !strcmp(n, name) && shdr->sh_type != SHT_NOBITS)
			return scn;
	}
	return NULL;
}

/* .eh_frame_hdr: version 1, three encodings, eh_frame_ptr, fde_count, then (pc, fde) pairs. */
static int builder__starts_from_hdr(struct builder *b)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(b->elf, ".eh_frame_hdr", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	const uint8_t *base, *p, *end;
	uint64_t ptr, count, pc, fde;
	uint8_t ptr_enc, count_enc, table_enc;
	int err;

	if (!d || d->d_size < 4)
		return -ENODATA;
	base = p = d->d_buf;
	end = base + d->d_size;
	if (p[0] != 1)
		return -ENODATA;
	ptr_enc = p[1], count_enc = p[2], table_enc = p[3];
	p += 4;
	if (!read_encoded(&p, end, ptr_enc, sh.sh_addr + (p - base), sh.sh_addr, &ptr) ||
	    count_enc == DW_EH_PE_omit || table_enc == DW_EH_PE_omit ||
	    !read_encoded(&p, end, count_enc, sh.sh_addr + (p - base), sh.sh_addr, &count))
		return -ENODATA;
	for (uint64_t i = 0; i < count; i++) {
		if (!read_encoded(&p, end, table_enc, sh.sh_addr + (p - base), sh.sh_addr, &pc) ||
		    !read_encoded(&p, end, table_enc, sh.sh_addr + (p - base), sh.sh_addr, &fde))
			break; /* truncated: keep what was read */
		if ((err = builder__add_start(b, pc)))
			return err;
	}
	return b->nstarts ? 0 : -ENODATA;
}

/* .debug_frame FDEs of elf: initial locations are absolute addresses. */
static int builder__starts_from_debug_frame(struct builder *b, Elf *elf)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, ".debug_frame", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	Dwarf_Off off = 0, next;
	Dwarf_CFI_Entry entry;
	unsigned char ident[EI_NIDENT] = { [EI_CLASS] = ELFCLASS64, [EI_DATA] = ELFDATA2LSB };
	uint64_t pc;
	int err;

	if (!d)
		return -ENODATA;
	while (dwarf_next_cfi(ident, d, false, off, &next, &entry) == 0) {
		if (!dwarf_cfi_cie_p(&entry) && entry.fde.end - entry.fde.start >= 8) {
			memcpy(&pc, entry.fde.start, 8);
			if ((err = builder__add_start(b, pc)))
				return err;
		}
		if (next <= off)
			break;
		off = next;
	}
	return b->nstarts ? 0 : -ENODATA;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- rules ---- */

enum reg_rule {
	REG_SAME,
	REG_UNDEF,
	REG_CFA,
	REG_OTHER
};

/* The rule for register regno: unchanged, undefined, at cfa + *off, or one we do not follow. */
static enum reg_rule classify_reg(Dwarf_Frame *f, int regno, int64_t *off)
{
	Dwarf_Op mem[3], *ops = NULL;
	size_t nops = 0;

	if (dwarf_frame_register(f, regno, mem, &ops, &nops))
		return REG_OTHER;
	if (nops == 0)
		return ops ? REG_UNDEF : REG_SAME;
	if (ops[0].atom != DW_OP_call_frame_cfa)
		return REG_OTHER;
	if (nops == 1) {
		*off = 0;
		return REG_CFA;
	}
	if (nops == 2 && ops[1].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[1].number;
		return REG_CFA;
	}
	return REG_OTHER;
}

/* DW_OP_bregN off, or DW_OP_bregx N off (libdw writes def_cfa rules that way): N and off. */
static bool op_breg(const Dwarf_Op *op, unsigned *reg, int64_t *off)
{
	if (op->atom >= DW_OP_breg0 && op->atom <= DW_OP_breg31) {
		*reg = op->atom - DW_OP_breg0;
		*off = (int64_t)op->number;
		return true;
	}
	if (op->atom == DW_OP_bregx) {
		*reg = op->number;
		*off = (int64_t)op->number2;
		return true;
	}
	return false;
}

/* The PLT's "rsp + N + ((rip & 15) >= K ? 8 : 0)", as binutils writes it for .plt. */
static bool is_plt_expr(const Dwarf_Op *ops, size_t nops, int64_t *off, int64_t *k)
{
	static const uint8_t shape[] = { 0,	   0,	       DW_OP_lit15, DW_OP_and, 0,
					 DW_OP_ge, DW_OP_lit3, DW_OP_shl,   DW_OP_plus };
	unsigned reg, rip;
	int64_t rip_off;

	if (nops != sizeof(shape))
		return false;
	for (size_t i = 0; i < nops; i++)
		if (shape[i] && ops[i].atom != shape[i])
			return false;
	if (!op_breg(&ops[0], &reg, off) || !op_breg(&ops[1], &rip, &rip_off) || reg != DWARF_RSP ||
	    rip != DWARF_RIP || rip_off != 0 || ops[4].atom < DW_OP_lit0 ||
	    ops[4].atom > DW_OP_lit31)
		return false;
	*k = ops[4].atom - DW_OP_lit0;
	return true;
}

static void classify_cfa(Dwarf_Frame *f, bool signal, struct unwind_row *r)
{
	Dwarf_Op *ops;
	size_t nops;
	int64_t off, k;
	unsigned reg;

	r->cfa_type = UNWIND_CFA_NONE;
	if (dwarf_frame_cfa(f, &ops, &nops) || !nops)
		return;
	if (signal) {
		if (nops == 2 && op_breg(&ops[0], &reg, &off) && reg == DWARF_RSP &&
		    off == SIGFRAME_RSP_OFF && ops[1].atom == DW_OP_deref)
			r->cfa_type = UNWIND_CFA_SIGNAL;
		return;
	}
	if (nops == 1 && op_breg(&ops[0], &reg, &off) && (reg == DWARF_RSP || reg == DWARF_RBP)) {
		if (off == (int16_t)off) {
			r->cfa_type = reg == DWARF_RSP ? UNWIND_CFA_RSP : UNWIND_CFA_RBP;
			r->cfa_off = off;
		} else if (reg == DWARF_RSP && off % 8 == 0 && off / 8 == (int16_t)(off / 8)) {
			r->cfa_type = UNWIND_CFA_RSP8; /* a large frame (a buffer on the stack) */
			r->cfa_off = off / 8;
		}
	} else if (is_plt_expr(ops, nops, &off, &k) && off == (int16_t)off) {
		r->cfa_type = UNWIND_CFA_PLT;
		r->cfa_off = off;
		r->rbp = k;
	}
}

/* The row for the rules in f; UNWIND_CFA_NONE where the walk could not follow them. */
static struct unwind_row classify(Dwarf_Frame *f, uint64_t pc, bool signal)
{
	struct unwind_row r = { .pc = pc };
	enum reg_rule ra, rbp;
	int64_t ra_off = 0, rbp_off = 0;

	ra = classify_reg(f, DWARF_RIP, &ra_off);
	if (ra == REG_UNDEF && !signal) {
		r.cfa_type = UNWIND_CFA_END;
		return r;
	}
	classify_cfa(f, signal, &r);
	if (r.cfa_type == UNWIND_CFA_SIGNAL || r.cfa_type == UNWIND_CFA_NONE)
		return r;
	rbp = classify_reg(f, DWARF_RBP, &rbp_off);
	if (ra != REG_CFA || ra_off != -8 || rbp == REG_OTHER ||
	    (rbp == REG_CFA && (rbp_off % 8 || rbp_off / 8 <= UNWIND_RBP_UNDEF ||
				rbp_off / 8 > INT8_MAX || !rbp_off))) {
		r.cfa_type = UNWIND_CFA_NONE; /* nothing the walk could follow */
		r.cfa_off = r.rbp = 0;
		return r;
	}
	if (r.cfa_type == UNWIND_CFA_PLT)
		return r; /* rbp holds the threshold; PLT stubs leave rbp alone */
	r.rbp = rbp == REG_CFA	   ? rbp_off / 8
		: rbp == REG_UNDEF ? UNWIND_RBP_UNDEF
				   : UNWIND_RBP_SAME;
	return r;
}

static bool same_rule(const struct unwind_row *a, const struct unwind_row *b)
{
	return a->cfa_type == b->cfa_type && a->cfa_off == b->cfa_off && a->rbp == b->rbp;
}

/* Append r, merging it into the previous row when the rule is the same. */
static int builder__emit(struct builder *b, struct unwind_row r)
{
	struct unwind_table *t = b->t;

	if (t->n && same_rule(&t->rows[t->n - 1], &r))
		return 0;
	if (t->n && t->rows[t->n - 1].pc == r.pc) {
		t->rows[t->n - 1] = r; /* an empty range before: the later rule holds */
		if (t->n > 1 && same_rule(&t->rows[t->n - 2], &r))
			t->n--;
		return 0;
	}
	if (array__grow((void **)&t->rows, &b->cap, t->n, sizeof(*t->rows)))
		return -ENOMEM;
	t->rows[t->n++] = r;
	return 0;
}

/* Every row of the function at start, up to limit (the next function's start). */
static int builder__function(struct builder *b, uint64_t start, uint64_t limit)
{
	uint64_t pc = start, s, e;
	Dwarf_Frame *f;
	bool signal;
	int err = 0, guard = 0;

	while (pc < limit && guard++ < 100000) {
		if (dwarf_cfi_addrframe(b->cfi, pc, &f))
			break;
		if (dwarf_frame_info(f, &s, &e, &signal) < 0 || e <= pc) {
			free(f);
			break;
		}
		if (pc > UINT32_MAX) {
			free(f);
			return -EFBIG;
		}
		err = builder__emit(b, classify(f, pc, signal));
		free(f);
		if (err)
			return err;
		pc = e;
	}
	if (pc < limit && pc <= UINT32_MAX) /* a gap up to the next function: no CFI there */
		return builder__emit(b, (struct unwind_row){ .pc = pc });
	return 0;
}

static int builder__segments(struct builder *b)
{
	struct unwind_table *t = b->t;
	GElf_Phdr ph;
	size_t n;

	if (elf_getphdrnum(b->elf, &n))
		return -ENOEXEC;
	t->segs = calloc(n ? n : 1, sizeof(*t->segs));
	if (!t->segs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(b->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		t->segs[t->nsegs++] = (struct unwind_seg){ ph.p_offset, ph.p_filesz, ph.p_vaddr };
		if (ph.p_flags & PF_X)
			t->text_bytes += ph.p_filesz;
	}
	return 0;
}

/* Open the CFI and list the functions: .eh_frame first, else .debug_frame. */
static int builder__open_cfi(struct builder *b)
{
	b->cfi = dwarf_getcfi_elf(b->elf);
	if (b->cfi && !builder__starts_from_hdr(b)) {
		b->t->source = "eh_frame";
		return 0;
	}
	if (b->cfi)
		dwarf_cfi_end(b->cfi); /* .eh_frame without a usable index: try .debug_frame */
	b->nstarts = 0;
	b->dw = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL);
	b->cfi = b->dw ? dwarf_getcfi(b->dw) : NULL;
	if (b->cfi && !builder__starts_from_debug_frame(b, b->elf)) {
		b->t->source = "debug_frame";
		return 0;
	}
	return -ENODATA;
}

/* Every function's rows, from the CFI and starts open. */
static int builder__rows(struct builder *b)
{
	size_t i, n = 0;
	int err;

	qsort(b->starts, b->nstarts, sizeof(*b->starts), cmp_u64);
	for (i = 0; i < b->nstarts; i++)
		if (!n || b->starts[n - 1] != b->starts[i])
			b->starts[n++] = b->starts[i];
	for (i = 0; i < n; i++) {
		err = builder__function(b, b->starts[i], i + 1 < n ? b->starts[i + 1] : UINT64_MAX);
		if (err)
			return err;
	}
	return b->t->n ? 0 : -ENODATA;
}

static void builder__close_cfi(struct builder *b)
{
	if (b->dw)
		dwarf_end(b->dw); /* owns the .debug_frame CFI */
	else if (b->cfi)
		dwarf_cfi_end(b->cfi);
	b->dw = NULL;
	b->cfi = NULL;
}

/* debuginfo__find's candidate: its .debug_frame, if any, gives every row. */
static int builder__take_debug(int fd, const char *path, void *ctx)
{
	struct builder *b = ctx;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int err = -ENODATA;

	b->nstarts = 0;
	b->t->n = 0; /* what an earlier candidate left */
	b->dw = elf ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	b->cfi = b->dw ? dwarf_getcfi(b->dw) : NULL;
	if (b->cfi && !builder__starts_from_debug_frame(b, elf)) {
		err = builder__rows(b);
		b->t->source = "debug file";
	}
	builder__close_cfi(b);
	elf_end(elf);
	return err;
}

static int builder__run(struct builder *b)
{
	struct debuginfo_ids ids;
	GElf_Ehdr eh;
	int err;

	if (elf_kind(b->elf) != ELF_K_ELF || !gelf_getehdr(b->elf, &eh) ||
	    eh.e_machine != EM_X86_64 || eh.e_ident[EI_CLASS] != ELFCLASS64)
		return -ENOEXEC;
	if ((err = builder__segments(b)))
		return err;
	err = builder__open_cfi(b);
	if (!err)
		return builder__rows(b);
	if (err != -ENODATA || !b->where)
		return err;
	builder__close_cfi(b);
	debuginfo__read_ids(&ids, b->elf);
	if (debuginfo__find(&ids, b->where, builder__take_debug, b))
		return -ENODATA;
	return 0;
}

static int unwind_table__build_elf(Elf *elf, const struct debuginfo_where *where,
				   struct unwind_table **out)
{
	struct builder b = { .elf = elf, .where = where };
	int err;

	*out = NULL;
	b.t = calloc(1, sizeof(*b.t));
	if (!b.t)
		return -ENOMEM;
	err = builder__run(&b);
	free(b.starts);
	builder__close_cfi(&b);
	if (err) {
		unwind_table__free(b.t);
		return err;
	}
	*out = b.t;
	return 0;
}

int unwind_table__build(int fd, const struct debuginfo_where *where, struct unwind_table **out)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return *out = NULL, -ENOEXEC;
	err = unwind_table__build_elf(elf, where, out);
	elf_end(elf);
	return err;
}

int unwind_table__build_mem(const void *image, size_t size, struct unwind_table **out)
{
	Elf *elf;
	int err;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)image, size);
	if (!elf)
		return *out = NULL, -ENOEXEC;
	err = unwind_table__build_elf(elf, NULL, out);
	elf_end(elf);
	return err;
}

bool unwind_table__bias(const struct unwind_table *t, uint64_t start, uint64_t off, uint64_t *bias)
{
	for (size_t i = 0; i < t->nsegs; i++) {
		const struct unwind_seg *s = &t->segs[i];

		if (off >= s->offset && off < s->offset + s->filesz) {
			*bias = start - (off - s->offset + s->vaddr);
			return true;
		}
	}
	return false;
}

const struct unwind_row *unwind_table__find(const struct unwind_table *t, uint64_t vaddr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].pc <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->rows[lo - 1] : NULL;
}

void unwind_table__free(struct unwind_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->segs);
	free(t);
}
