// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_pprof_input.c - pprof files back into the model. A profile built here with every frame
 * kind, modules with build-ids, label sets, one or two value columns and full meta is written
 * by emit/pprof.c and read back: every stack (frames with kind, module and build-id; labels;
 * values), the column types and the meta must be equal. `go tool pprof -raw` (when go is
 * installed) still reads the written file and sees the labels. A pprof laid out as Go writes
 * it (inlined Lines in one Location, numeric labels, no bpfprof comments) reads as native and
 * inlined frames with its labels, and bad inputs (garbage, truncated gzip, dangling ids, a
 * gzip bomb over the bound) are one-line errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "emit/emitters.h"
#include "io/pprof_input.h"
#include "pprof.pb-c.h"

/* A profile with every kind, two processes, threads, labels, and modules with build-ids. */
static struct profile *build(int ncols)
{
	static const struct pf_value_type types[] = { { "samples", "count" },
						      { "cpu", "nanoseconds" } };
	static const char *const ls_a[] = { "comm", "burn", "pid", "41", "container_id", "c0ffee" };
	static const char *const ls_b[] = { "comm", "burn", "pid", "42", "host", "" };
	struct profile *p = profile__new();
	uint32_t proc = profile__frame(p, "burn", FRAME_PROCESS, NULL, NULL);
	uint32_t proc2 = profile__frame(p, "java", FRAME_PROCESS, NULL, NULL);
	uint32_t thr = profile__frame(p, "[burn tid=42]", FRAME_THREAD, NULL, NULL);
	uint32_t mainf = profile__frame(p, "main", FRAME_NATIVE, "/bin/burn", "beef01");
	uint32_t hot = profile__frame(p, "hot", FRAME_NATIVE, "/bin/burn", "beef01");
	uint32_t libc =
		profile__frame(p, "__libc_start_main", FRAME_NATIVE, "/lib/libc.so.6", "abc123");
	uint32_t k1 = profile__frame(p, "do_syscall_64", FRAME_KERNEL, "[kernel.kallsyms]", NULL);
	uint32_t k2 =
		profile__frame(p, "entry_SYSCALL_64", FRAME_KERNEL, "[kernel.kallsyms]", NULL);
	uint32_t jit = profile__frame(p, "LBurn;::hotA", FRAME_JIT, NULL, NULL);
	uint32_t inl = profile__frame(p, "LBurn;::inlined", FRAME_INLINED, NULL, NULL);
	uint32_t unk = profile__frame(p, "[unknown]", FRAME_UNKNOWN, NULL, NULL);
	uint32_t anon = profile__frame(p, "[anon]", FRAME_NATIVE, NULL, NULL);
	/* the same name as a kernel and a native frame: two frames */
	uint32_t twin = profile__frame(p, "hot", FRAME_KERNEL, "[kernel.kallsyms]", NULL);
	int64_t la = profile__labelset(p, ls_a, 3), lb = profile__labelset(p, ls_b, 3);
	const struct {
		uint32_t ids[6], depth;
		int64_t labels;
		uint64_t v[2];
	} stacks[] = {
		{ { proc, thr, libc, mainf, hot }, 5, la, { 60, 600000000 } },
		{ { proc, thr, libc, mainf, hot }, 5, lb, { 7, 70000000 } }, /* labels differ */
		{ { proc, thr, mainf, k2, k1 }, 5, 0, { 10, 100000000 } },
		{ { proc, mainf, hot, twin }, 4, la, { 3, 30000000 } },
		{ { proc2, unk, jit, inl }, 4, lb, { 20, 200000000 } },
		{ { proc2, anon }, 2, 0, { 1, 10000000 } },
		{ { jit }, 1, 0, { 2, 20000000 } }, /* no process frame (folded input) */
	};

	profile__set_types(p, types, ncols);
	for (size_t i = 0; i < sizeof(stacks) / sizeof(stacks[0]); i++)
		profile__add_labeled(p, stacks[i].ids, stacks[i].depth, stacks[i].labels,
				     stacks[i].v);
	strcpy(p->meta.event, "cpu");
	strcpy(p->meta.unit, "nanoseconds");
	p->meta.period = 10000000;
	p->meta.start_ns = 1795443300123456789ULL;
	p->meta.duration_s = 10.000123456789;
	strcpy(p->meta.host, "node-7");
	strcpy(p->meta.title, "window 14:15");
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every stack as one line naming frames (kind, module, build-id), labels and values; sorted. */
static char *canonical(const struct profile *p)
{
	char **lines = calloc(p->nstacks + 1, sizeof(*lines)), *text = NULL;
	size_t cap = 0;
	FILE *out = open_memstream(&text, &cap);

	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pf_stack *s = &p->stacks[i];
		const struct pf_labelset *l = &p->labelsets[s->labels];
		size_t lcap = 0;
		FILE *o = open_memstream(&lines[i], &lcap);

		for (uint32_t d = 0; d < s->depth; d++) {
			const struct pf_frame *f = &p->frames[s->ids[d]];

			fprintf(o, "%s<%d,%s,%s>;", f->name, f->kind, f->module ? f->module : "-",
				f->build_id ? f->build_id : "-");
		}
		fputs(" {", o);
		for (uint32_t k = 0; k < l->n; k++)
			fprintf(o, "%s=%s,", l->kv[2 * k], l->kv[2 * k + 1]);
		fputs("}", o);
		for (int c = 0; c < p->nvalues; c++)
			fprintf(o, " %llu", (unsigned long long)s->values[c]);
		fclose(o);
	}
	qsort(lines, p->nstacks, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < p->nstacks; i++) {
		fprintf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	fclose(out);
	return text;
}

/* p written by pprof__write into a temporary file; its path (static) or NULL. */
static const char *write_tmp(const struct profile *p)
{
	static char path[64];
	struct emit_opts opts = {};
	FILE *f;
	int fd, rc;

	strcpy(path, "/tmp/bpfprof-test-pprof-in.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	rc = pprof__write(p, f, &opts);
	fclose(f);
	return rc ? NULL : path;
}

static struct profile *read_path(const char *path, int *rc, char *err, size_t errlen)
{
	struct profile *q = profile__new();
	FILE *f = fopen(path, "r");

	*rc = f ? pprof_input__read(f, q, err, errlen) : -errno;
	if (f)
		fclose(f);
	return q;
}

static void check_meta(const struct profile *a, const struct profile *b)
{
	check_str(b->meta.event, a->meta.event, "event");
	check_str(b->meta.unit, a->meta.unit, "unit");
	check_int(b->meta.period, a->meta.period, "period");
	check_int(b->meta.start_ns, a->meta.start_ns, "start_ns");
	check(b->meta.duration_s == a->meta.duration_s, "duration exact (%.17g)",
	      b->meta.duration_s);
	check_str(b->meta.host, a->meta.host, "host");
	check_str(b->meta.title, a->meta.title, "title");
}

static void test_roundtrip(int ncols)
{
	struct profile *p = build(ncols), *q;
	const char *path = write_tmp(p);
	char err[256] = "", *want, *got;
	int rc;

	check(path != NULL, "%d column(s): written", ncols);
	if (!path)
		return;
	q = read_path(path, &rc, err, sizeof(err));
	check_int(rc, 0, "read back");
	if (rc)
		printf("#   %s\n", err);
	check_int(q->nvalues, ncols, "as many columns");
	for (int c = 0; c < ncols; c++) {
		check_str(q->types[c].type, p->types[c].type, "column type");
		check_str(q->types[c].unit, p->types[c].unit, "column unit");
		check_int(q->totals[c], p->totals[c], "column total");
	}
	check_meta(p, q);
	check_int(q->nstacks, p->nstacks, "as many stacks");
	want = canonical(p);
	got = canonical(q);
	check_str(got, want,
		  "every stack equal: frames, kinds, modules, build-ids, labels, values");
	free(want);
	free(got);
	if (ncols == 1 && !system("command -v go >/dev/null 2>&1")) {
		char cmd[256], out[8192] = "";
		size_t n;
		FILE *g;

		snprintf(cmd, sizeof(cmd), "go tool pprof -raw %s 2>&1", path);
		g = popen(cmd, "r");
		n = g ? fread(out, 1, sizeof(out) - 1, g) : 0;
		out[n] = '\0';
		if (g)
			pclose(g);
		check(strstr(out, "PeriodType: cpu nanoseconds") != NULL,
		      "go tool pprof -raw reads it");
		check(strstr(out, "container_id:[c0ffee]") != NULL,
		      "go tool pprof sees the label set");
		check(strstr(out, "process:[burn]") != NULL, "and the process label");
		check(strstr(out, "do_syscall_64") != NULL, "and the kernel frame");
		if (!strstr(out, "container_id:[c0ffee]"))
			printf("#   %.2000s\n", out);
	}
	unlink(path);
	profile__free(q);
	profile__free(p);
}

typedef Perftools__Profiles__Profile pb_profile;

/* A pprof as Go lays it out, packed (gzip'd when gz). *len gets its size; the caller frees. */
static uint8_t *foreign(size_t *len, bool gz, int variant)
{
	static char *strings[] = { "",		"samples",   "count",	 "cpu",	     "nanoseconds",
				   "main.main", "main.work", "main.add", "/bin/app", "f00d",
				   "bytes",	"request",   "GET /" };
	Perftools__Profiles__ValueType vt[2] = { PERFTOOLS__PROFILES__VALUE_TYPE__INIT,
						 PERFTOOLS__PROFILES__VALUE_TYPE__INIT },
				       *vtp[2] = { &vt[0], &vt[1] };
	Perftools__Profiles__Function fn[3], *fnp[3];
	Perftools__Profiles__Line ln[3], *lnp[3];
	Perftools__Profiles__Location loc[2], *locp[2];
	Perftools__Profiles__Mapping map = PERFTOOLS__PROFILES__MAPPING__INIT, *mapp = &map;
	Perftools__Profiles__Label lab[2], *labp[2];
	Perftools__Profiles__Sample smp = PERFTOOLS__PROFILES__SAMPLE__INIT, *smpp = &smp;
	pb_profile m = PERFTOOLS__PROFILES__PROFILE__INIT;
	uint64_t locids[2] = { 2, 1 };
	int64_t values[2] = { 5, 50000000 };
	uint8_t *raw, *out;

	vt[0].type = 1, vt[0].unit = 2, vt[1].type = 3, vt[1].unit = 4;
	for (int i = 0; i < 3; i++) {
		perftools__profiles__function__init(&fn[i]);
		fn[i].id = 10 + i;
		fn[i].name = fn[i].system_name = 5 + i;
		fnp[i] = &fn[i];
		perftools__profiles__line__init(&ln[i]);
		ln[i].function_id = 10 + i;
		lnp[i] = &ln[i];
	}
	map.id = 7, map.filename = 8, map.build_id = 9;
	for (int i = 0; i < 2; i++) {
		perftools__profiles__location__init(&loc[i]);
		loc[i].id = i + 1;
		loc[i].mapping_id = 7;
		locp[i] = &loc[i];
		perftools__profiles__label__init(&lab[i]);
		labp[i] = &lab[i];
	}
	loc[0].n_line = 1, loc[0].line = &lnp[0]; /* main.main */
	/* main.add inlined into main.work: the inlined callee first */
	loc[1].n_line = 2, loc[1].line = &lnp[1];
	ln[1].function_id = 12, ln[2].function_id = 11;
	lab[0].key = 10, lab[0].num = 4096;
	lab[1].key = 11, lab[1].str = 12;
	smp.n_location_id = 2, smp.location_id = locids;
	smp.n_value = 2, smp.value = values;
	smp.n_label = 2, smp.label = labp;
	m.n_sample_type = 2, m.sample_type = vtp;
	m.n_sample = 1, m.sample = &smpp;
	m.n_mapping = 1, m.mapping = &mapp;
	m.n_location = 2, m.location = locp;
	m.n_function = 3, m.function = fnp;
	m.n_string_table = sizeof(strings) / sizeof(strings[0]), m.string_table = strings;
	m.period_type = &vt[1], m.period = 10000000;
	m.time_nanos = 1700000000000000000LL, m.duration_nanos = 2500000000LL;
	if (variant == 1)
		loc[1].line[0]->function_id = 99; /* a dangling function id */
	if (variant == 2)
		smp.n_value = 1;
	*len = perftools__profiles__profile__get_packed_size(&m);
	raw = malloc(*len);
	perftools__profiles__profile__pack(&m, raw);
	if (!gz)
		return raw;
	{
		uLongf clen = compressBound(*len) + 32;
		z_stream z = {};

		out = malloc(clen);
		deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		z.next_in = raw, z.avail_in = *len, z.next_out = out, z.avail_out = clen;
		deflate(&z, Z_FINISH);
		*len = z.total_out;
		deflateEnd(&z);
	}
	free(raw);
	return out;
}

static struct profile *read_mem(const void *data, size_t len, int *rc, char *err, size_t errlen)
{
	struct profile *q = profile__new();
	FILE *f = fmemopen((void *)data, len, "r");

	*rc = pprof_input__read(f, q, err, errlen);
	fclose(f);
	return q;
}

static void test_foreign(void)
{
	for (int gz = 0; gz < 2; gz++) {
		size_t len;
		uint8_t *data = foreign(&len, gz, 0);
		char err[256] = "", *got;
		int rc;
		struct profile *q = read_mem(data, len, &rc, err, sizeof(err));

		check(rc == 0, "Go-style pprof reads (%s) %s", gz ? "gzip'd" : "plain", err);
		check_int(q->nvalues, 2, "both sample types");
		check_str(q->meta.event, "cpu", "event from the period type");
		check_str(q->meta.unit, "nanoseconds", "unit from the period type");
		check_int(q->meta.period, 10000000, "period");
		check(q->meta.duration_s == 2.5, "duration from duration_nanos");
		got = canonical(q);
		check_str(
			got,
			"main.main<2,/bin/app,f00d>;main.work<2,/bin/app,f00d>;main.add<5,/bin/app,f00d>; {bytes=4096,request=GET /,} 5 50000000\n",
			"root first, inlined Line as an inlined frame, labels kept");
		free(got);
		free(data);
		profile__free(q);
	}
}

static void test_bad(void)
{
	static const char garbage[] = "main;hot 10\nmain;cold 5\n";
	static const uint8_t half_gzip[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0x48 };
	char err[256];
	size_t len;
	uint8_t *data;
	int rc;
	struct profile *q;

	q = read_mem(garbage, sizeof(garbage) - 1, &rc, err, sizeof(err));
	check(rc == -EINVAL && !strchr(err, '\n'), "folded text refused: %s", err);
	profile__free(q);
	q = read_mem(half_gzip, sizeof(half_gzip), &rc, err, sizeof(err));
	check(rc == -EINVAL && strstr(err, "gzip"), "truncated gzip refused: %s", err);
	profile__free(q);
	q = read_mem("", 0, &rc, err, sizeof(err));
	check(rc == -EINVAL, "empty input refused: %s", err);
	profile__free(q);
	data = foreign(&len, true, 1);
	q = read_mem(data, len, &rc, err, sizeof(err));
	check(rc == -EINVAL && strstr(err, "function 99"), "dangling function id: %s", err);
	free(data);
	profile__free(q);
	data = foreign(&len, false, 2);
	q = read_mem(data, len, &rc, err, sizeof(err));
	check(rc == -EINVAL && strstr(err, "1 values for 2"), "value count mismatch: %s", err);
	free(data);
	profile__free(q);
}

/* 600 MiB of zeros gzip'd to ~600 KiB: refused at the bound, quickly, without the memory. */
static void test_bomb(void)
{
	char path[] = "/tmp/bpfprof-test-bomb.XXXXXX", err[256] = "";
	int fd = mkstemp(path);
	gzFile g = gzdopen(dup(fd), "wb9");
	static char zeros[1 << 20];
	struct profile *q;
	int rc;

	for (int i = 0; i < 600; i++)
		gzwrite(g, zeros, sizeof(zeros));
	gzclose(g);
	close(fd);
	q = read_path(path, &rc, err, sizeof(err));
	check(rc == -EFBIG && strstr(err, "512 MiB"), "gzip bomb refused at 512 MiB: %s", err);
	unlink(path);
	profile__free(q);
}

int main(void)
{
	test_roundtrip(1);
	test_roundtrip(2);
	test_foreign();
	test_bad();
	test_bomb();
	return check_done();
}
