// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_folded.c - the folded reader and writer: round trips, kinds from suffixes, merging of
 * equal stacks, two-count (diff) lines, and malformed input reported with its line number.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "emit/folded.h"

/* Read text into a new profile; *err gets the message. Returns folded__read's result. */
static int read_text(const char *text, struct profile **out, char *err, size_t errlen)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int ret;

	*out = profile__new();
	ret = folded__read(*out, in, "t", err, errlen);
	fclose(in);
	return ret;
}

static char *write_text(const struct profile *p, int two)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	folded__write(p, out, two);
	fclose(out);
	return buf;
}

static void test_round_trips(void)
{
	static const struct {
		const char *in, *out;
		int two;
	} rows[] = {
		{ "a;b;c 3\n", "a;b;c 3\n", 0 },
		{ "a;c 1\na;b 2\n", "a;b 2\na;c 1\n", 0 },
		{ "a;b 2\n\n# comment\na;b 5\n", "a;b 7\n", 0 },
		{ "a;b_[k] 1\na;b 1\n", "a;b 1\na;b_[k] 1\n", 0 },
		{ "java;[main tid=7];Foo.bar_[j];Foo.baz_[i];sys_[k] 4\n",
		  "java;[main tid=7];Foo.bar_[j];Foo.baz_[i];sys_[k] 4\n", 0 },
		{ "a;b 3 5\r\n", "a;b 3 5\n", 1 },
		{ "a;b 3 5\na;b 1\n", "a;b 4 5\n", 1 },
		{ "  p;operator new(unsigned long) 9  \n", "p;operator new(unsigned long) 9\n", 0 },
		{ "p;x\t12\n", "p;x 12\n", 0 },
		{ "p 0\n", "p 0\n", 0 },
		{ "p;f<a, b>::g(\"&\") 1\n", "p;f<a, b>::g(\"&\") 1\n", 0 },
		{ "p;\xc3\xa9t\xc3\xa9 2\n", "p;\xc3\xa9t\xc3\xa9 2\n", 0 },
		{ "p;f 1", "p;f 1\n", 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct profile *p;
		char err[256], *got;
		int ret = read_text(rows[i].in, &p, err, sizeof(err));

		check(ret == 0, "row %zu reads (%s)", i, err);
		got = write_text(p, rows[i].two);
		if (!check(!strcmp(got, rows[i].out), "row %zu writes back", i))
			printf("#   got '%s' want '%s'\n", got, rows[i].out);
		free(got);
		profile__free(p);
	}
}

static void test_kinds(void)
{
	static const struct {
		const char *name;
		enum frame_kind kind;
	} want[] = {
		{ "java", FRAME_PROCESS },	   { "[worker tid=12]", FRAME_THREAD },
		{ "Foo.run", FRAME_JIT },	   { "Foo.inl", FRAME_INLINED },
		{ "Foo.c1", FRAME_JIT },	   { "Foo.interp", FRAME_JIT },
		{ "[unknown]", FRAME_UNKNOWN },	   { "libc_start", FRAME_NATIVE },
		{ "do_syscall_64", FRAME_KERNEL }, { "long[]", FRAME_ALLOC },
		{ "Contend$Gate", FRAME_MONITOR },
	};
	const char *in = "java;[worker tid=12];Foo.run_[j];Foo.inl_[i];Foo.c1_[1];Foo.interp_[0];"
			 "[unknown];libc_start;do_syscall_64_[k];long[]_[a];Contend$Gate_[l] 1\n";
	struct profile *p;
	char err[256];

	check_int(read_text(in, &p, err, sizeof(err)), 0, "kinds line reads");
	check_int(p->nstacks, 1, "one stack");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && i < p->stacks[0].depth; i++) {
		const struct pf_frame *f = &p->frames[p->stacks[0].ids[i]];

		check(!strcmp(f->name, want[i].name) && f->kind == want[i].kind,
		      "frame %zu is %s kind %d (got %s kind %d)", i, want[i].name, want[i].kind,
		      f->name, f->kind);
	}
	profile__free(p);
}

static void test_malformed(void)
{
	static const struct {
		const char *in;
		int ret;
		const char *msg;
	} rows[] = {
		{ "a;b 1\na;b x\n", -EINVAL, "t:2: count 'x' is not a non-negative integer" },
		{ "a;b\n", -EINVAL, "t:1: no count" },
		{ "a;b 1\n\na;b -3\n", -EINVAL, "t:3: count '-3'" },
		{ "a;;b 1\n", -EINVAL, "t:1: empty frame name at position 2" },
		{ "a;b 1.5\n", -EINVAL, "t:1: count '1.5'" },
		{ "a;b 99999999999999999999\n", -EINVAL,
		  "t:1: count '99999999999999999999' is too large" },
		{ "a;b 18446744073709551615\n", -EINVAL,
		  "t:1: count '18446744073709551615' is too large; counts go up to 9223372036854775807" },
		{ "a;b 9223372036854775808 1\n", -EINVAL,
		  "t:1: count '9223372036854775808' is too large" },
		{ "a;b 9223372036854775807\na;c 1\n", -EINVAL,
		  "t:2: the counts so far add up to more than 9223372036854775807" },
		{ "", -ENODATA, "t: no folded stack lines" },
		{ "# only a comment\n\n", -ENODATA, "t: no folded stack lines" },
		{ " 5\n", -EINVAL, "t:1: no count" },
		{ "a;b 1 2 x\n", -EINVAL, "t:1: count 'x'" },
		{ "a;b 1\na;b 2 3\n", -EINVAL, "t:2: two counts after lines with one" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct profile *p;
		char err[256];
		int ret = read_text(rows[i].in, &p, err, sizeof(err));

		if (!check(ret == rows[i].ret && !strncmp(err, rows[i].msg, strlen(rows[i].msg)),
			   "malformed row %zu: %s", i, rows[i].msg))
			printf("#   got %d '%s'\n", ret, err);
		profile__free(p);
	}
}

static void test_two_reads_merge(void)
{
	struct profile *p = profile__new();
	FILE *a = fmemopen("p;x 2\np;y 1\n", 12, "r");
	FILE *b = fmemopen("p;x 5\n", 6, "r");
	char err[128];

	check_int(folded__read(p, a, "a", err, sizeof(err)), 0, "first file");
	check_int(folded__read(p, b, "b", err, sizeof(err)), 0, "second file");
	check_int(p->nstacks, 2, "two stacks after both files");
	check_int(p->totals[0], 8, "total over both files");
	fclose(a);
	fclose(b);
	profile__free(p);
}

/* "BASE NEW" lines fill two columns named as `bpfprof diff` names them, and write back. */
static void test_two_columns(void)
{
	static const char text[] = "p;b 3 5\np;a 0 2\np;b 1\n";
	struct profile *p;
	char err[256], *got;

	check_int(read_text(text, &p, err, sizeof(err)), 0, "diff lines read");
	check_int(p->nvalues, 2, "two columns");
	check_str(p->types[0].type, "base", "column 0 base");
	check_str(p->types[1].type, "new", "column 1 new");
	check_str(p->types[1].unit, "count", "in column 0's unit");
	check_int(p->totals[0], 4, "BASE total");
	check_int(p->totals[1], 7, "NEW total");
	got = write_text(p, 1);
	check_str(got, "p;a 0 2\np;b 4 5\n", "writes BASE NEW back");
	free(got);
	got = write_text(p, 0);
	check_str(got, "p;a 0\np;b 4\n", "one count is column 0");
	free(got);
	profile__free(p);
}

/* Nothing recorded: a line saying so, which reads back as an empty profile (not an error). */
static void test_empty_profile(void)
{
	struct profile *p = profile__new(), *back;
	char err[256], *got = write_text(p, 0);
	int ret;

	check_str(got, FOLDED_EMPTY "\n", "an empty profile writes the empty-profile line");
	ret = read_text(got, &back, err, sizeof(err));
	check(ret == 0 && back->nstacks == 0 && back->totals[0] == 0,
	      "the empty-profile line reads back as an empty profile (%d '%s')", ret, err);
	free(got);
	profile__free(back);
	profile__free(p);
}

/* A line without "\n" stops at FOLDED_MAX_LINE with its number; one just under it reads. */
static void test_line_cap(void)
{
	size_t n = FOLDED_MAX_LINE + 4096;
	char *text = malloc(n + 1), err[256];
	struct profile *p;
	FILE *in;
	int ret;

	memset(text, 'a', n);
	memcpy(text, "ok;x 1\n", 7);
	text[n] = '\0';
	ret = read_text(text, &p, err, sizeof(err));
	if (!check(ret == -EINVAL &&
			   !strcmp(err,
				   "t:2: line longer than 4 MiB (no line break); is this a folded text file?"),
		   "a line past the cap is an error naming line 2 and the limit"))
		printf("#   got %d '%s'\n", ret, err);
	profile__free(p);
	/* line 2 exactly FOLDED_MAX_LINE bytes long: one frame and its count */
	memcpy(text + 7 + FOLDED_MAX_LINE - 2, " 5\n", 4);
	ret = read_text(text, &p, err, sizeof(err));
	check(ret == 0 && p->totals[0] == 6, "a line just under the cap reads (%d '%s')", ret, err);
	profile__free(p);
	free(text);
	p = profile__new();
	in = fopen("/", "r");
	ret = in ? folded__read(p, in, "/", err, sizeof(err)) : -1;
	check(ret == -EISDIR && !strcmp(err, "/: read error after line 0: Is a directory"),
	      "a read error keeps its errno (%d '%s')", ret, err);
	if (in)
		fclose(in);
	profile__free(p);
}

/*
 * A profile in its own unit (off-CPU ns) writes the unit before its stacks and reads back with
 * it: event, type and unit; a diff of it keeps the unit in both columns; plain counts stay plain;
 * a unit line after stacks of another unit is an error naming the line.
 */
static void test_units(void)
{
	static const char text[] = "# event: offcpu\n# type: off_cpu\n# unit: nanoseconds\n"
				   "p;sleep 1500000\np;read 500000\n";
	struct pf_value_type t = { "off_cpu", "nanoseconds" };
	struct profile *p, *back;
	char err[256], *got;
	uint32_t ids[2];

	check_int(read_text(text, &p, err, sizeof(err)), 0, "a folded file with a unit reads");
	check_str(p->types[0].type, "off_cpu", "# type: names column 0");
	check_str(p->types[0].unit, "nanoseconds", "# unit: gives column 0 its unit");
	check_str(p->meta.event, "offcpu", "# event: names the event");
	check_int(p->totals[0], 2000000, "the values are the nanoseconds");
	got = write_text(p, 0);
	check_str(got,
		  "# event: offcpu\n# type: off_cpu\n# unit: nanoseconds\n"
		  "p;read 500000\np;sleep 1500000\n",
		  "it writes back with its header");
	free(got);
	profile__free(p);

	check_int(read_text("# unit: bytes\np;a 2 3\n", &p, err, sizeof(err)), 0,
		  "a diff in bytes reads");
	check(!strcmp(p->types[0].unit, "bytes") && !strcmp(p->types[1].unit, "bytes") &&
		      !strcmp(p->types[0].type, "base") && !strcmp(p->types[1].type, "new"),
	      "both columns of a diff keep the unit (%s %s, %s %s)", p->types[0].type,
	      p->types[0].unit, p->types[1].type, p->types[1].unit);
	got = write_text(p, 1);
	check_str(got, "# event: cpu\n# unit: bytes\np;a 2 3\n", "a diff writes its unit back");
	free(got);
	profile__free(p);

	check_int(read_text("p;a 2\n# unit: bytes\np;b 1\n", &p, err, sizeof(err)), -EINVAL,
		  "a unit after stacks in samples is an error");
	check_str(err,
		  "t:2: '# unit: bytes' after stacks in samples count: one input holds one unit",
		  "the error names the line and both units");
	profile__free(p);
	check_int(read_text("# unit: nanoseconds\np;a 2\n# unit: nanoseconds\np;b 1\n", &p, err,
			    sizeof(err)),
		  0, "the same unit again (two files concatenated) is fine");
	profile__free(p);

	back = profile__new();
	profile__set_types(back, &t, 1);
	ids[0] = profile__frame(back, "p", FRAME_PROCESS, NULL, NULL);
	ids[1] = profile__frame(back, "f", FRAME_NATIVE, NULL, NULL);
	profile__add_stack(back, ids, 2, (uint64_t[]){ 7 });
	got = write_text(back, 0);
	check_str(got, "# event: cpu\n# type: off_cpu\n# unit: nanoseconds\np;f 7\n",
		  "a model profile in ns writes its header");
	free(got);
	profile__free(back);

	check_int(read_text("p;a 2\n", &p, err, sizeof(err)), 0, "plain counts read");
	got = write_text(p, 0);
	check_str(got, "p;a 2\n", "plain counts write no header");
	free(got);
	profile__free(p);
}

int main(void)
{
	test_round_trips();
	test_kinds();
	test_malformed();
	test_two_reads_merge();
	test_two_columns();
	test_empty_profile();
	test_line_cap();
	test_units();
	return check_done();
}
