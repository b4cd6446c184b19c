// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_workload.c - the `-- COMMAND` child: held at its pipe it does not run (a marker file it
 * would create stays absent); released, it runs with the env hook applied; its exit code maps
 * as a shell's does (code, 128 + signal); a command that cannot be exec'd exits 127; freed
 * before release, the held child exits without running.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "collect/workload.h"

static char marker[64];

static int run(char *const *argv, int *code)
{
	struct workload *w;
	int err = workload__spawn(&w, argv, NULL, NULL);

	if (err)
		return err;
	err = workload__release(w);
	workload__poll(w, true);
	*code = workload__exit_code(w);
	workload__free(w);
	return err;
}

static void test_held_until_release(void)
{
	char *argv[] = { "touch", marker, NULL };
	struct workload *w;

	unlink(marker);
	check_int(workload__spawn(&w, argv, NULL, NULL), 0, "spawn");
	check(workload__pid(w) > 0, "the child has a pid");
	usleep(200 * 1000);
	check(access(marker, F_OK) != 0, "held: the command has not run after 200 ms");
	check(!workload__poll(w, false), "held: the child is still there");
	check_int(workload__release(w), 0, "release");
	check(workload__poll(w, true), "released: the child exits");
	check_int(workload__exit_code(w), 0, "touch exits 0");
	check(access(marker, F_OK) == 0, "released: the command ran");
	workload__free(w);
	unlink(marker);
}

static void test_free_while_held(void)
{
	char *argv[] = { "touch", marker, NULL };
	struct workload *w;

	unlink(marker);
	check_int(workload__spawn(&w, argv, NULL, NULL), 0, "spawn, never released");
	workload__free(w); /* closes the pipe and reaps */
	check(access(marker, F_OK) != 0, "freed while held: the command never ran");
	workload__free(NULL);
}

static void test_exit_codes(void)
{
	static const struct {
		const char *script;
		int code;
	} cases[] = {
		{ "exit 0", 0 },
		{ "exit 3", 3 },
		{ "exit 255", 255 },
		{ "kill -TERM $$", 128 + 15 },
		{ "kill -KILL $$", 128 + 9 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "sh", "-c", (char *)cases[i].script, NULL };
		int code = -1;

		check_int(run(argv, &code), 0, "run sh -c");
		check_int(code, cases[i].code, cases[i].script);
	}
}

static void test_exec_fails(void)
{
	char *argv[] = { "/nonexistent/bpfprof-no-such-command", NULL };
	int code = -1;

	check_int(run(argv, &code), 0, "spawn and release a missing command");
	check_int(code, 127, "a failed exec exits 127");
}

static void set_env(void *ctx)
{
	setenv("BPFPROF_TEST_ENV", ctx, 1);
}

static void test_env_hook(void)
{
	char *argv[] = { "sh", "-c", "test \"$BPFPROF_TEST_ENV\" = added", NULL };
	struct workload *w;

	unsetenv("BPFPROF_TEST_ENV");
	check_int(workload__spawn(&w, argv, set_env, "added"), 0, "spawn with an env hook");
	workload__release(w);
	workload__poll(w, true);
	check_int(workload__exit_code(w), 0, "the hook's variable reaches the command");
	check(getenv("BPFPROF_TEST_ENV") == NULL, "the hook ran in the child only");
	workload__free(w);
}

int main(void)
{
	snprintf(marker, sizeof(marker), "/tmp/bpfprof-workload-%d", (int)getpid());
	test_held_until_release();
	test_free_while_held();
	test_exit_codes();
	test_exec_fails();
	test_env_hook();
	return check_done();
}
