// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_agent.c - the JVM agent's parts that need no JVM: names from JVM signatures, option
 * parsing, inline PC ranges, and the map file's append and replay ordering. The agent is a
 * separate .so, so its sources are compiled in here directly.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "../../agent/mapfile.c"
#include "../../agent/names.c"
#include "../../agent/options.c"
#include "../../agent/ranges.c"
#include "../../agent/strbuf.c"

static int logged;

void agent__log(const char *fmt, ...)
{
	logged++;
}

static void test_names(void)
{
	static const struct {
		const char *csig, *method, *msig, *want;
	} cases[] = {
		{ "LBurn;", "hotA", NULL, "Burn.hotA" },
		{ "Ljava/lang/String;", "hashCode", NULL, "java.lang.String.hashCode" },
		{ "Ljava/lang/String;", "charAt", "(I)C", "java.lang.String.charAt(int)" },
		{ "LBurn;", "mix", "(J[ILjava/lang/Object;[[Ljava/lang/String;)J",
		  "Burn.mix(long,int[],java.lang.Object,java.lang.String[][])" },
		{ "LBurn;", "run", "()V", "Burn.run()" },
		{ "[I", "clone", NULL, "int[].clone" },
		{ "Ljava/util/HashMap$Node;", "<init>", NULL, "java.util.HashMap$Node.<init>" },
		{ "LBurn$$Lambda$14.0x0000000800c0b000;", "run", NULL,
		  "Burn$$Lambda$14.0x0000000800c0b000.run" },
		{ "Lbroken", "m", NULL, "Lbroken.m" },
		{ NULL, NULL, NULL, "[unknown].[unknown]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = { 0 };

		name__add_method(&sb, cases[i].csig, cases[i].method, cases[i].msig);
		check_str(sb.buf, cases[i].want, cases[i].want);
		strbuf__free(&sb);
	}
}

static void test_options(void)
{
	struct agent_opts o;
	char warn[256];

	check_int(agent_opts__parse(&o, NULL, warn, sizeof(warn)), 0, "no options: nothing skipped");
	check(o.unfold && !o.sig && !o.quiet && !strcmp(o.dir, "/tmp"), "defaults: unfold on, /tmp");
	check_int(agent_opts__parse(&o, "unfold=off,sig=on,dir=/var/tmp,quiet", warn, sizeof(warn)),
		  0, "all known options parse");
	check(!o.unfold && o.sig && o.quiet && !strcmp(o.dir, "/var/tmp"), "options applied");
	check_int(agent_opts__parse(&o, "bogus=1,sig=maybe,unfold=off", warn, sizeof(warn)), 2,
		  "unknown key and bad value are skipped and counted");
	check(!o.unfold && strstr(warn, "'bogus=1'"), "the first bad item is named: %s", warn);
	check_int(agent_opts__parse(&o, "dir=", warn, sizeof(warn)), 1, "empty dir is refused");
}

/* Methods are only compared by address: any distinct pointers do. */
static int m_run, m_hot, m_mix;

static void test_ranges(void)
{
	void *run[] = { &m_run };
	void *hot[] = { &m_hot, &m_run };		/* innermost first */
	void *mix[] = { &m_mix, &m_hot, &m_run };
	void *hot2[] = { &m_hot, &m_run };		/* same chain, another array */
	struct pc_scope pcs[] = {
		{ 0x1010, 1, run },	/* [1000,1010) run only: no line */
		{ 0x1020, 2, hot },	/* [1010,1020) run->hot */
		{ 0x1030, 2, hot2 },	/* merged: [1010,1030) */
		{ 0x1040, 3, mix },	/* [1030,1040) run->hot->mix */
		{ 0x1040, 2, hot },	/* empty range */
		{ 0x1050, 1, run },
		{ 0x1060, 2, hot },	/* not adjacent to the first hot range */
		{ 0x2000, 2, hot },	/* clamped to the code end 0x1080 */
	};
	struct code_range out[8];
	int n = ranges__inline(pcs, 8, 0x1000, 0x1080, out);

	check_int(n, 3, "three inline ranges");
	check(out[0].start == 0x1010 && out[0].end == 0x1030, "adjacent equal chains merge");
	check(out[1].start == 0x1030 && out[1].end == 0x1040 && pcs[out[1].scope].depth == 3,
	      "deeper chain is its own range");
	check(out[2].start == 0x1050 && out[2].end == 0x1080,
	      "a range after a gap starts anew; the last one is clamped to the code end");
}

static void *append_from_other_thread(void *arg)
{
	mapfile__append("2000 10 New.method\n", 19);
	return NULL;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_mapfile(void)
{
	char dir[] = "/tmp/bpfprof-agent-test.XXXXXX", err[512], path[PATH_MAX + 64];
	pthread_t th;

	check(mkdtemp(dir) != NULL, "scratch dir");
	check_int(mapfile__open(dir, 4242, err, sizeof(err)), 0, "map opens");
	snprintf(path, sizeof(path), "%s/perf-4242.map", dir);
	check_str(mapfile__path(), path, "map path is DIR/perf-PID.map");
	mapfile__replay_begin();
	pthread_create(&th, NULL, append_from_other_thread, NULL);
	pthread_join(th, NULL);
	mapfile__append("2000 10 Old.method\n", 19);
	mapfile__replay_end();
	check_str(slurp(path), "2000 10 Old.method\n2000 10 New.method\n",
		  "a line from another thread during a replay lands after the replay");
	check_int(mapfile__reopen_if_gone(), 0, "an intact map is left alone");
	unlink(path);
	check_int(mapfile__reopen_if_gone(), 1, "a deleted map is recreated, asking for a replay");
	mapfile__append("3000 8 After.delete\n", 20);
	check_str(slurp(path), "3000 8 After.delete\n", "appends go to the new file");
	unlink(path);
	rmdir(dir);
	check(mapfile__open("/nonexistent/dir", 1, err, sizeof(err)) < 0 && strstr(err, "dir="),
	      "unwritable dir fails with a fix: %s", err);
}

int main(void)
{
	test_names();
	test_options();
	test_ranges();
	test_mapfile();
	return check_done();
}
