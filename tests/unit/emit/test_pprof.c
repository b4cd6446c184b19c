// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_pprof.c - encode the fixture as pprof, gunzip it, decode it with the same protobuf-c
 * code and check what `go tool pprof` relies on: string table, sample types and values, leaf
 * first locations resolving to the right function names, labels, mappings with build-ids,
 * times. Also: without a period only samples/count is written; a profile of two columns
 * (samples/count, cpu/nanoseconds) is two sample types, and `go tool pprof -sample_index=1`
 * (when go is installed) reads the cpu column's shares, not the samples'.
 */
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "emit_fixture.h"
#include "emit/emitters.h"
#include "pprof_decode.h"

static const char *str(const pb_profile *m, int64_t i)
{
	return i >= 0 && (size_t)i < m->n_string_table ? m->string_table[i] : "(out of range)";
}

/* Function name of a location id. */
static const char *loc_name(const pb_profile *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_location; i++) {
		if (m->location[i]->id != id || !m->location[i]->n_line)
			continue;
		for (size_t f = 0; f < m->n_function; f++)
			if (m->function[f]->id == m->location[i]->line[0]->function_id)
				return str(m, m->function[f]->name);
	}
	return "(none)";
}

/* [samples/count, cpu/nanoseconds], period cpu, 10 ms: both the derived and the column way. */
static void check_cpu_types(const pb_profile *m)
{
	check_int(m->n_sample_type, 2, "two sample types");
	check_str(str(m, m->sample_type[0]->type), "samples", "type 0 samples");
	check_str(str(m, m->sample_type[0]->unit), "count", "unit 0 count");
	check_str(str(m, m->sample_type[1]->type), "cpu", "type 1 cpu");
	check_str(str(m, m->sample_type[1]->unit), "nanoseconds", "unit 1 nanoseconds");
	check_str(str(m, m->period_type->type), "cpu", "period type");
	check_int(m->period, 10000000, "period");
}

static void test_split(void)
{
	struct profile *p = fixture__split();
	struct emit_opts opts = {};
	size_t len;
	char *gz = NULL;

	fixture__capture(&gz, &len, pprof__write(p, out, &opts));
	pb_profile *m = gz ? pprof_decode_gz(gz, len) : NULL;
	const Perftools__Profiles__Sample *s;

	check(gz && (unsigned char)gz[0] == 0x1f && (unsigned char)gz[1] == 0x8b, "gzip magic");
	check(m != NULL, "gunzips and decodes");
	if (!m)
		goto out_free;
	check_str(str(m, 0), "", "string_table[0] is empty");
	check_cpu_types(m);
	check_int(m->time_nanos, 1700000000000000000LL, "time_nanos");
	check_int(m->duration_nanos, 1500000000LL, "duration_nanos");
	check_int(m->n_sample, 3, "three samples");
	s = m->sample[0]; /* sorted: hot_a first */
	check_int(s->n_value, 2, "two values");
	check_int(s->value[0], 60, "hot_a count");
	check_int(s->value[1], 600000000LL, "hot_a cpu ns");
	check_int(s->n_location_id, 2, "process and thread are not frames");
	check_str(loc_name(m, s->location_id[0]), "hot_a", "leaf first");
	check_str(loc_name(m, s->location_id[1]), "main", "then the caller");
	check_int(s->n_label, 2, "two labels");
	check_str(str(m, s->label[0]->key), "process", "label process");
	check_str(str(m, s->label[0]->str), "split", "process name");
	check_str(str(m, s->label[1]->key), "thread", "label thread");
	check_str(str(m, s->label[1]->str), "[split tid=42]", "thread name");
	check_int(m->sample[2]->value[0], 10, "third sample hot_c");
	check_str(loc_name(m, m->sample[2]->location_id[0]), "do_syscall_64", "kernel leaf");
	check_int(m->n_mapping, 2, "two modules, two mappings");
	for (size_t i = 0; i < m->n_mapping; i++) {
		const char *file = str(m, m->mapping[i]->filename);

		if (!strcmp(file, "/bin/split"))
			check_str(str(m, m->mapping[i]->build_id), "beef01",
				  "build-id of /bin/split");
		else
			check_str(file, "[kernel.kallsyms]", "kernel mapping");
	}
	perftools__profiles__profile__free_unpacked(m, NULL);
out_free:
	free(gz);
	profile__free(p);
}

static void test_no_period(void)
{
	struct profile *p = fixture__split();
	struct emit_opts opts = {};
	size_t len;
	char *gz;
	pb_profile *m;

	p->meta.period = 0;
	fixture__capture(&gz, &len, pprof__write(p, out, &opts));
	m = gz ? pprof_decode_gz(gz, len) : NULL;
	check(m != NULL, "decodes without a period");
	if (m) {
		check_int(m->n_sample_type, 1, "only samples/count");
		check_int(m->sample[0]->n_value, 1, "one value");
		check_int(m->period, 1, "period 1 sample");
		perftools__profiles__profile__free_unpacked(m, NULL);
	}
	free(gz);
	profile__free(p);
}

/* What `go tool pprof ARGS FILE` prints for gz (written to a temporary file), or NULL. */
static char *go_pprof(const char *args, const char *gz, size_t len)
{
	char path[] = "/tmp/bpfprof-test-pprof.XXXXXX", cmd[256], *text = NULL;
	size_t cap = 0;
	int fd = mkstemp(path);
	FILE *p;

	if (fd < 0)
		return NULL;
	if (write(fd, gz, len) == (ssize_t)len) {
		snprintf(cmd, sizeof(cmd), "go tool pprof %s %s 2>/dev/null", args, path);
		p = popen(cmd, "r");
		if (p) {
			FILE *out = open_memstream(&text, &cap);
			char line[512];

			while (fgets(line, sizeof(line), p))
				fputs(line, out);
			fclose(out);
			pclose(p);
		}
	}
	close(fd);
	unlink(path);
	return text;
}

/* A `go tool pprof -top` row "flat flat% sum% cum cum% FUNC" with flat% want for func. */
static bool top_has(const char *top, const char *func, const char *want)
{
	char flat[32], pct[32], sum[32], cum[32], cumpct[32], name[256];

	for (const char *l = top; l && *l; l = strchrnul(l, '\n'), l += !!*l)
		if (sscanf(l, "%31s %31s %31s %31s %31s %255s", flat, pct, sum, cum, cumpct,
			   name) == 6 &&
		    !strcmp(name, func))
			return !strcmp(pct, want);
	return false;
}

static void test_two_columns(void)
{
	struct profile *p = fixture__split_cpu();
	struct emit_opts opts = {};
	size_t len;
	char *gz, *top;
	pb_profile *m;

	fixture__capture(&gz, &len, pprof__write(p, out, &opts));
	m = gz ? pprof_decode_gz(gz, len) : NULL;
	check(m != NULL, "two columns decode");
	if (!m)
		goto out_free;
	check_cpu_types(m);
	check_int(m->sample[0]->n_value, 2, "two values");
	check_int(m->sample[0]->value[0], 60, "hot_a samples");
	check_int(m->sample[0]->value[1], 100000000, "hot_a cpu ns: the column, not 60 * period");
	check_int(m->sample[2]->value[1], 600000000, "hot_c cpu ns");
	perftools__profiles__profile__free_unpacked(m, NULL);
	if (system("go version >/dev/null 2>&1")) {
		printf("# go not installed: go tool pprof checks skipped\n");
		goto out_free;
	}
	top = go_pprof("-sample_index=1 -top", gz, len);
	if (!check(top_has(top, "do_syscall_64", "60.00%") && top_has(top, "hot_a", "10.00%"),
		   "go tool pprof -sample_index=1 -top: hot_c's leaf 60%%, hot_a 10%% of cpu"))
		printf("#   got '%s'\n", top ? top : "(nothing)");
	free(top);
	top = go_pprof("-sample_index=samples -top", gz, len);
	check(top_has(top, "hot_a", "60.00%") && top_has(top, "do_syscall_64", "10.00%"),
	      "go tool pprof -sample_index=samples -top: hot_a 60%%, hot_c's leaf 10%%");
	free(top);
out_free:
	free(gz);
	profile__free(p);
}

int main(void)
{
	test_split();
	test_no_period();
	test_two_columns();
	return check_done();
}
