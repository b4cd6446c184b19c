/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * test_unwind_table.c - unwind/unwind_table.c against binutils: every row `readelf
 * --debug-dump=frames-interp` prints for a binary built without frame pointers (the nofp_unwind
 * workload), for Debian's libc and for libstdc++ must be what unwind_table__find() answers at
 * that address (CFA register and offset, where rbp is saved, the outermost frame), and the gap
 * after a function without a neighbour must have no rule. Then bad input: a file that is not
 * ELF, a truncated ELF, an .eh_frame overwritten with garbage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "unwind/unwind_table.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define LIBSTDCXX "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"

struct expect {
	unsigned long loc;
	char cfa[32], rbp[16], ra[16];
};

struct tally {
	unsigned long rows, wrong, exprs, gaps, wrong_gaps;
};

/* Does the table's row at e->loc say what readelf says? */
static bool row_matches(const struct unwind_table *t, const struct expect *e)
{
	const struct unwind_row *r = unwind_table__find(t, e->loc);
	int off;

	if (!r)
		return false;
	if (!strcmp(e->ra, "u"))
		return r->cfa_type == UNWIND_CFA_END;
	if (!strcmp(e->cfa, "exp")) /* a PLT, a signal frame, or one we leave to frame pointers */
		return r->cfa_type == UNWIND_CFA_PLT || r->cfa_type == UNWIND_CFA_SIGNAL ||
		       r->cfa_type == UNWIND_CFA_NONE;
	if (strcmp(e->ra, "c-8"))
		return r->cfa_type == UNWIND_CFA_NONE;
	if (sscanf(e->cfa, "rsp+%d", &off) == 1) {
		if ((r->cfa_type != UNWIND_CFA_RSP || r->cfa_off != off) &&
		    (r->cfa_type != UNWIND_CFA_RSP8 || r->cfa_off * 8 != off))
			return false;
	} else if (sscanf(e->cfa, "rbp+%d", &off) == 1) {
		if (r->cfa_type != UNWIND_CFA_RBP || r->cfa_off != off)
			return false;
	} else {
		return r->cfa_type == UNWIND_CFA_NONE;
	}
	if (sscanf(e->rbp, "c-%d", &off) == 1)
		return r->rbp * 8 == -off;
	/* "u": not saved yet (readelf does not tell unset from undefined) */
	return r->rbp == UNWIND_RBP_SAME || r->rbp == UNWIND_RBP_UNDEF;
}

/* Column positions of a "   LOC   CFA   rbx   rbp   ra" header. */
static void parse_header(const char *line, int *rbp_col, int *ra_col)
{
	char copy[512], *tok, *save = NULL;
	int col = 0;

	*rbp_col = *ra_col = -1;
	snprintf(copy, sizeof(copy), "%s", line);
	for (tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), col++) {
		if (!strcmp(tok, "rbp"))
			*rbp_col = col;
		else if (!strcmp(tok, "ra"))
			*ra_col = col;
	}
}

static void parse_row(const char *line, int rbp_col, int ra_col, struct expect *e)
{
	char copy[512], *tok, *save = NULL;
	int col = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	strcpy(e->rbp, "u");
	strcpy(e->ra, "u");
	for (tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), col++) {
		if (tok[0] == '(') { /* "r10 (r10)": one column, kept in another register */
			col--;
			continue;
		}
		if (col == 0)
			e->loc = strtoul(tok, NULL, 16);
		else if (col == 1)
			snprintf(e->cfa, sizeof(e->cfa), "%s", tok);
		else if (col == rbp_col)
			snprintf(e->rbp, sizeof(e->rbp), "%s", tok);
		else if (col == ra_col)
			snprintf(e->ra, sizeof(e->ra), "%s", tok);
	}
}

static void check_one(const struct unwind_table *t, const struct expect *e, struct tally *ty)
{
	ty->rows++;
	ty->exprs += !strcmp(e->cfa, "exp");
	if (row_matches(t, e))
		return;
	if (ty->wrong++ < 5) {
		const struct unwind_row *r = unwind_table__find(t, e->loc);

		printf("# at %#lx readelf says cfa %s rbp %s ra %s; table: type %d off %d rbp %d\n",
		       e->loc, e->cfa, e->rbp, e->ra, r ? r->cfa_type : -1, r ? r->cfa_off : 0,
		       r ? r->rbp : 0);
	}
}

struct cie {
	unsigned long off;
	struct expect row; /* its initial rule */
};

/* An FDE that printed no rows has its CIE's initial rule over its whole range. */
static void check_bare_fde(const struct unwind_table *t, const struct cie *cies, int ncies,
			   unsigned long cie, unsigned long lo, struct tally *ty)
{
	for (int i = 0; i < ncies; i++)
		if (cies[i].off == cie) {
			struct expect e = cies[i].row;

			e.loc = lo;
			check_one(t, &e, ty);
		}
}

/* Walk readelf's interpretation of path's CFI, checking each row it prints. */
static void compare_with_readelf(const char *path, const struct unwind_table *t, struct tally *ty)
{
	char cmd[512], line[512], *at;
	struct cie cies[16];
	struct expect e;
	int ncies = 0, rbp_col = -1, ra_col = -1;
	unsigned long lo = 0, hi = 0, cie = 0;
	bool in_cie = false, fde_rows = true;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, " CIE ") || strstr(line, " FDE ")) {
			if (!fde_rows)
				check_bare_fde(t, cies, ncies, cie, lo, ty);
			fde_rows = true;
			in_cie = strstr(line, " CIE ") != NULL;
			if (in_cie && ncies < 16)
				cies[ncies++] = (struct cie){ strtoul(line, NULL, 16) };
			at = strstr(line, "cie=");
			if (!in_cie && at && sscanf(at, "cie=%lx pc=%lx..%lx", &cie, &lo, &hi) == 3)
				fde_rows = false;
			continue;
		}
		if (strstr(line, "LOC")) {
			parse_header(line, &rbp_col, &ra_col);
			continue;
		}
		if (strspn(line, "0123456789abcdef") != 16 || line[16] != ' ')
			continue;
		parse_row(line, rbp_col, ra_col, &e);
		if (in_cie) {
			if (ncies && !cies[ncies - 1].row.cfa[0])
				cies[ncies - 1].row = e;
			continue;
		}
		fde_rows = true;
		check_one(t, &e, ty);
	}
	if (!fde_rows)
		check_bare_fde(t, cies, ncies, cie, lo, ty);
	pclose(p);
}

/* After each function whose end no other function starts at: no rule (frame-pointer step). */
static void check_gaps(const struct unwind_table *t, struct tally *ty)
{
	for (size_t i = 0; i + 1 < t->n; i++)
		if (t->rows[i].cfa_type == UNWIND_CFA_NONE && t->rows[i].cfa_off == 0) {
			ty->gaps++;
			if (t->rows[i + 1].pc <= t->rows[i].pc)
				ty->wrong_gaps++;
		}
}

static struct unwind_table *build(const char *path, int *err)
{
	struct unwind_table *t = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*err = fd < 0 ? -errno : unwind_table__build(fd, NULL, &t);
	if (fd >= 0)
		close(fd);
	return t;
}

static void test_against_readelf(const char *path, unsigned long min_rows)
{
	struct tally ty = { 0 };
	struct unwind_table *t;
	bool sorted = true;
	int err;

	t = build(path, &err);
	if (!check(t && !err, "%s: table built (%s)", path, strerror(-err)))
		return;
	for (size_t i = 1; i < t->n; i++)
		sorted &= t->rows[i - 1].pc < t->rows[i].pc;
	check(sorted, "%s: %zu rows sorted by address, none twice", path, t->n);
	compare_with_readelf(path, t, &ty);
	check_gaps(t, &ty);
	check(ty.rows >= min_rows, "%s: readelf printed %lu rows (%lu expressions)", path, ty.rows,
	      ty.exprs);
	check_int(ty.wrong, 0, "every row readelf prints is the table's rule at that address");
	check_int(ty.wrong_gaps, 0, "gaps are followed by a later row");
	unwind_table__free(t);
}

/* The libc rows the BPF walk leans on: the signal trampoline, the PLT, the outermost frame. */
static void test_libc_kinds(void)
{
	struct unwind_table *t;
	int kinds[UNWIND_CFA_RSP8 + 1] = { 0 }, err;
	uint64_t bias;

	t = build(LIBC, &err);
	if (!check(t != NULL, "libc: built"))
		return;
	for (size_t i = 0; i < t->n; i++)
		kinds[t->rows[i].cfa_type]++;
	check(kinds[UNWIND_CFA_SIGNAL] >= 1, "libc: __restore_rt is a signal frame (%d)",
	      kinds[UNWIND_CFA_SIGNAL]);
	check(kinds[UNWIND_CFA_PLT] >= 1, "libc: its PLT has the PLT rule (%d)",
	      kinds[UNWIND_CFA_PLT]);
	check(kinds[UNWIND_CFA_END] >= 1, "libc: clone/thread start end the stack (%d)",
	      kinds[UNWIND_CFA_END]);
	check(kinds[UNWIND_CFA_RSP] > 10000, "libc: most rows are rsp-based (%d)",
	      kinds[UNWIND_CFA_RSP]);
	check(unwind_table__bias(t, 0x7f0000026000, 0x26000, &bias) && bias == 0x7f0000000000,
	      "libc: a text mapping at 0x7f0000026000 (offset 0x26000) has bias 0x7f0000000000");
	check(!unwind_table__bias(t, 0x7f0000026000, 0x10000000, &bias),
	      "libc: an offset beyond the file has no bias");
	unwind_table__free(t);
}

static void test_bad_input(void)
{
	char tmp[] = "/tmp/test_unwind_XXXXXX", cmd[512];
	struct unwind_table *t;
	int fd, err;

	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	check(write(fd, "not an ELF file at all\n", 23) == 23, "wrote a text file");
	close(fd);
	t = build(tmp, &err);
	check(!t && err == -ENOEXEC, "not ELF: -ENOEXEC (%d)", err);
	snprintf(cmd, sizeof(cmd), "head -c 3000 %s > %s", LIBC, tmp);
	check(!system(cmd), "a truncated libc");
	t = build(tmp, &err);
	check(!t && err < 0, "truncated ELF: an error, no table (%d)", err);
	/* libc with garbage over its .eh_frame (offset and size from readelf) */
	snprintf(
		cmd, sizeof(cmd),
		"cp %s %s && set -- $(readelf -SW %s | awk '$2 == \".eh_frame\" { print $5, $6 }') && head -c $((0x$2)) /dev/urandom | dd of=%s bs=1 seek=$((0x$1)) conv=notrunc 2>/dev/null",
		LIBC, tmp, tmp, tmp);
	check(!system(cmd), "libc with a random .eh_frame");
	t = build(tmp, &err);
	check(t || err < 0, "garbled .eh_frame: a table or an error, no crash (%d, %zu rows)", err,
	      t ? t->n : 0);
	unwind_table__free(t);
	unwind_table__free(NULL);
	unlink(tmp);
}

int main(void)
{
	const char *b = getenv("BUILD");
	char nofp[512];

	snprintf(nofp, sizeof(nofp), "%s/tests/workloads/nofp_unwind", b ? b : "build");
	test_against_readelf(nofp, 20);
	test_against_readelf(LIBC, 20000);
	test_against_readelf(LIBSTDCXX, 20000);
	test_libc_kinds();
	test_bad_input();
	return check_done();
}
