// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_filter.c - the stack filter of `report --dir` and the monitor's queries: each query of
 * the table keeps exactly the stacks named for it in a profile of labeled and unlabeled stacks
 * (the comm regex reads the "comm" label first, then the process frame), and bad queries are
 * refused with a message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "model/filter.h"

/* stacks: 0 nginx pid 10 in container abc, 1 nginx pid 11, 2 redis pid 20 in container abc,
 * 3 unlabeled under process frame "java", 4 process frame "sh" labeled comm=bash pid=10 */
static struct profile *fixture(void)
{
	static const char *const sets[][8] = {
		{ "comm", "nginx", "pid", "10", "container_id", "abc" },
		{ "comm", "nginx", "pid", "11" },
		{ "comm", "redis", "pid", "20", "container_id", "abc", "host", "n1" },
		{},
		{ "pid", "10", "comm", "bash" },
	};
	static const uint32_t npairs[] = { 3, 2, 4, 0, 2 };
	static const char *const procs[] = { "nginx", "nginx", "redis", "java", "sh" };
	struct profile *p = profile__new();

	for (int i = 0; i < 5; i++) {
		uint32_t ids[2];
		int64_t ls = profile__labelset(p, sets[i], npairs[i]);

		ids[0] = profile__frame(p, procs[i], FRAME_PROCESS, NULL, NULL);
		ids[1] = profile__frame(p, "work", FRAME_NATIVE, "/bin/x", NULL);
		profile__add_labeled(p, ids, 2, ls, (uint64_t[]){ i + 1 });
	}
	return p;
}

static const struct {
	const char *comm;
	int pid;
	const char *labels[3];
	const char *want; /* '1' per kept stack */
} queries[] = {
	{ NULL, 0, {}, "11111" },
	{ "nginx", 0, {}, "11000" },
	{ "^ngi", 0, {}, "11000" },
	{ "^(redis|java)$", 0, {}, "00110" }, /* java: from the process frame */
	{ "^sh$", 0, {}, "00000" },	      /* the comm label wins over the frame */
	{ "bash", 0, {}, "00001" },
	{ NULL, 10, {}, "10001" },
	{ NULL, 1, {}, "00000" }, /* "1" is not a prefix match of "10"/"11" */
	{ "nginx", 10, {}, "10000" },
	{ NULL, 0, { "container_id=abc" }, "10100" },
	{ NULL, 0, { "container_id=ab" }, "00000" },
	{ NULL, 0, { "container_id=abc", "host=n1" }, "00100" },
	{ NULL, 0, { "comm=nginx", "pid=11" }, "01000" },
	{ NULL, 0, { "host=" }, "00000" },
	{ "x", 0, { "cont=abc" }, "00000" },
};

static void test_queries(void)
{
	struct profile *p = fixture();
	char err[256];

	check_int(p->nstacks, 5, "fixture has 5 stacks");
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct profile_filter f = { .comm = queries[q].comm, .pid = queries[q].pid };
		char got[8] = "";
		bool *keep;

		for (int i = 0; i < 3 && queries[q].labels[i]; i++)
			profile_filter__add_label(&f, queries[q].labels[i], err, sizeof(err));
		check(profile_filter__compile(&f, err, sizeof(err)) == 0, "query %zu compiles", q);
		keep = profile_filter__select(&f, p);
		for (size_t i = 0; i < p->nstacks; i++)
			got[i] = keep[i] ? '1' : '0';
		check_str(got, queries[q].want, "query keeps the named stacks");
		check(profile_filter__empty(&f) == !strcmp(queries[q].want, "11111"),
		      "query %zu empty() says whether it filters", q);
		free(keep);
		profile_filter__free(&f);
	}
	profile__free(p);
}

static void test_bad(void)
{
	struct profile_filter f = { .comm = "(" };
	char err[256] = "";

	check_int(profile_filter__compile(&f, err, sizeof(err)), -EINVAL, "bad regex refused");
	check(strstr(err, "'('") != NULL, "message names the regex: %s", err);
	check_int(profile_filter__add_label(&f, "novalue", err, sizeof(err)), -EINVAL,
		  "label without '=' refused");
	check(strstr(err, "novalue") != NULL, "message names the label: %s", err);
	check_int(profile_filter__add_label(&f, "=v", err, sizeof(err)), -EINVAL,
		  "label without key refused");
	for (int i = 0; i < FILTER_MAX_LABELS; i++)
		check(profile_filter__add_label(&f, "k=v", err, sizeof(err)) == 0, "label %d", i);
	check_int(profile_filter__add_label(&f, "k=v", err, sizeof(err)), -EINVAL,
		  "one label too many refused");
	profile_filter__free(&f);
	profile_filter__free(&f); /* twice is fine */
}

int main(void)
{
	test_queries();
	test_bad();
	return check_done();
}
