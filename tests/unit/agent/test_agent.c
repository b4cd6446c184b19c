// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_agent.c - the JVM agent's parts that need no JVM: names from JVM signatures, option
 * parsing, inline PC ranges, the map file's append and replay ordering, and its compaction: the
 * live set (unloads, shadowing, grace), the trigger rule, a rewrite that leaves exactly the live
 * lines, one under fire from a writer while a reader checks every version it sees, and the
 * rewrites that must not happen (someone else writes the map, PATH.tmp is not ours); the threads
 * file (its lines, last-wins appends, the rewrite that forgets ended threads) and the check of a
 * tid against the kernel's thread name, with HotSpot's tid lookup on memory that is not there. The agent
 * is a separate .so, so its sources are compiled in here directly.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "../../../agent/files.c"
#include "../../../agent/hotspot.c"
#include "../../../agent/liveset.c"
#include "../../../agent/mapfile.c"
#include "../../../agent/names.c"
#include "../../../agent/options.c"
#include "../../../agent/probes.c"
#include "../../../agent/ranges.c"
#include "../../../agent/strbuf.c"
#include "../../../agent/threads.c"

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

	check_int(agent_opts__parse(&o, NULL, warn, sizeof(warn)), 0,
		  "no options: nothing skipped");
	check(o.unfold && !o.sig && !o.quiet && !strcmp(o.dir, "/tmp"),
	      "defaults: unfold on, /tmp");
	check_int(agent_opts__parse(&o, "unfold=off,sig=on,dir=/var/tmp,quiet", warn, sizeof(warn)),
		  0, "all known options parse");
	check(!o.unfold && o.sig && o.quiet && !strcmp(o.dir, "/var/tmp"), "options applied");
	check_int(agent_opts__parse(&o, "bogus=1,sig=maybe,unfold=off", warn, sizeof(warn)), 2,
		  "unknown key and bad value are skipped and counted");
	check(!o.unfold && strstr(warn, "'bogus=1'"), "the first bad item is named: %s", warn);
	check_int(agent_opts__parse(&o, "dir=", warn, sizeof(warn)), 1, "empty dir is refused");
	check(o.compact == 8 << 20 && o.grace == 60, "defaults: compact=8m, grace=60");
	check_int(agent_opts__parse(&o, "compact=512k,grace=0", warn, sizeof(warn)), 0,
		  "compact=512k,grace=0 parse");
	check(o.compact == 512 << 10 && o.grace == 0, "  and apply");
	check_int(agent_opts__parse(&o, "compact=off", warn, sizeof(warn)), 0,
		  "compact=off parses");
	check(o.compact == 0, "  and turns compaction off");
	check_int(agent_opts__parse(&o, "compact=12x,compact=1kk,compact=,grace=-1,grace=1e3", warn,
				    sizeof(warn)),
		  5, "bad sizes and seconds are skipped");
	check(o.compact == 8 << 20 && o.grace == 60, "  leaving the defaults");
	check(o.alloc == 0 && !o.monitors, "defaults: no allocation sampling, no monitor names");
	check_int(agent_opts__parse(&o, "alloc=512k,monitors=on", warn, sizeof(warn)), 0,
		  "alloc=512k,monitors=on parse");
	check(o.alloc == 512 << 10 && o.monitors, "  and apply");
	check_int(agent_opts__parse(&o, "alloc=off,monitors=maybe", warn, sizeof(warn)), 1,
		  "alloc=off parses, monitors=maybe is skipped");
	check(o.alloc == 0 && !o.monitors, "  sampling off");
}

/*
 * An object of size s, sampled with probability 1 - e^(-s/I), weighs s / (1 - e^(-s/I)):
 * about I + s/2 when small, s when huge; and so the expected weight of every object is s.
 */
static void test_alloc_weight(void)
{
	const uint64_t I = 512 << 10;
	const uint64_t sizes[] = { 16, 1024, 100000, I, 4 * I, 64 * I };
	const double want[] = { 524296.0, 524800.2, 575876.5, 829411.4, 2136279.3, 64.0 * I };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double got = (double)probes__alloc_weight(sizes[i], I);

		check(got > 0.9999 * want[i] - 1 && got < 1.0001 * want[i] + 1,
		      "size %llu weighs %.0f bytes (want %.1f)", (unsigned long long)sizes[i], got,
		      want[i]);
	}
	check(probes__alloc_weight(0, I) == 0 && probes__alloc_weight(100, 0) == 100,
	      "size 0 weighs nothing; interval 0 (every byte) weighs the size");
	check(probes__id("java.lang.String") == probes__id("java.lang.String") &&
		      probes__id("java.lang.String") != probes__id("java.lang.Object") &&
		      probes__id("") != 0,
	      "ids: stable, distinct, never 0");
}

/* Methods are only compared by address: any distinct pointers do. */
static int m_run, m_hot, m_mix;

static void test_ranges(void)
{
	void *run[] = { &m_run };
	void *hot[] = { &m_hot, &m_run }; /* innermost first */
	void *mix[] = { &m_mix, &m_hot, &m_run };
	void *hot2[] = { &m_hot, &m_run }; /* same chain, another array */
	struct pc_scope pcs[] = {
		{ 0x1010, 1, run },			 /* [1000,1010) run only: no line */
		{ 0x1020, 2, hot },			 /* [1010,1020) run->hot */
		{ 0x1030, 2, hot2 },			 /* merged: [1010,1030) */
		{ 0x1040, 3, mix },			 /* [1030,1040) run->hot->mix */
		{ 0x1040, 2, hot },			 /* empty range */
		{ 0x1050, 1, run },  { 0x1060, 2, hot }, /* not adjacent to the first hot range */
		{ 0x2000, 2, hot },			 /* clamped to the code end 0x1080 */
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

/* One code blob's lines, its start and size taken from the first line. */
static void add(const char *lines, uintptr_t method)
{
	unsigned long start = 0, size = 0;

	sscanf(lines, "%lx %lx", &start, &size);
	mapfile__add(start, size, method, lines, strlen(lines));
}

static void *add_and_unload_from_other_thread(void *arg)
{
	add("2000 10 New.method\n", 7);
	mapfile__unload(0x2000, 7);
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

static uint64_t live_bytes(void)
{
	uint64_t n;

	pthread_mutex_lock(&mf.lock);
	n = mf.live.live_bytes;
	pthread_mutex_unlock(&mf.lock);
	return n;
}

static void test_mapfile(void)
{
	struct agent_opts o = { .dir = "/tmp/bpfprof-agent-test.XXXXXX", .compact = 0 };
	char err[512], path[PATH_MAX + 64];
	pthread_t th;

	check(mkdtemp(o.dir) != NULL, "scratch dir");
	check_int(mapfile__open(&o, 4242, err, sizeof(err)), 0, "map opens");
	snprintf(path, sizeof(path), "%s/perf-4242.map", o.dir);
	check_str(mapfile__path(), path, "map path is DIR/perf-PID.map");
	mapfile__replay_begin();
	pthread_create(&th, NULL, add_and_unload_from_other_thread, NULL);
	pthread_join(th, NULL);
	add("2000 10 Old.method\n", 6);
	mapfile__replay_end();
	check_str(slurp(path), "2000 10 Old.method\n2000 10 New.method\n",
		  "a line from another thread during a replay lands after the replay");
	check_int(mapfile__reopen_if_gone(), 0, "an intact map is left alone");
	unlink(path);
	check_int(mapfile__reopen_if_gone(), 1, "a deleted map is recreated, asking for a replay");
	add("3000 8 After.delete\n", 0);
	check_str(slurp(path), "3000 8 After.delete\n", "appends go to the new file");
	unlink(path);

	o.compact = 1 << 20;
	check_int(mapfile__open(&o, 4242, err, sizeof(err)), 0, "map opens, compaction on");
	mapfile__replay_begin();
	pthread_create(&th, NULL, add_and_unload_from_other_thread, NULL);
	pthread_join(th, NULL);
	add("2000 10 Old.method\n", 6);
	mapfile__replay_end();
	check_int(
		live_bytes(), 0,
		"an unload held back in a replay applies after its load; the newer blob shadows the replayed one");
	unlink(path);
	rmdir(o.dir);
	snprintf(o.dir, sizeof(o.dir), "/nonexistent/dir");
	check(mapfile__open(&o, 1, err, sizeof(err)) < 0 && strstr(err, "dir="),
	      "unwritable dir fails with a fix: %s", err);
}

enum {
	M1 = 0x1001,
	M2,
	M3,
	M4,
	M5
};

static void test_liveset(void)
{
	struct liveset ls = { 0 };
	struct span *spans;
	ssize_t n;

	liveset__add(&ls, 0x1000, 0x10, M1, 0, 10);  /* A */
	liveset__add(&ls, 0x2000, 0x10, M2, 10, 23); /* B, with an inline line */
	liveset__add(&ls, 0x3000, 0x20, 0, 33, 13);  /* stub S */
	liveset__add(&ls, 0x1000, 0x10, M3, 46, 10); /* A2 over A */
	check_int(ls.live_bytes, 46, "a newer blob covering an older one at its start shadows it");
	liveset__add(&ls, 0x3000, 0x10, 0, 56, 13); /* S2, smaller than S */
	check_int(ls.live_bytes, 59,
		  "a smaller one leaves the older one live (it still names the rest)");
	liveset__unload(&ls, 0x2000, M1, 100);
	liveset__unload(&ls, 0x2100, M2, 100);
	check_int(ls.live_bytes, 59,
		  "an unload of another method or another start changes nothing");
	liveset__unload(&ls, 0x2000, M2, 100); /* B dies at 100 */
	liveset__unload(&ls, 0x1000, M3, 90);  /* A2 dies at 90 */
	check_int(ls.live_bytes, 26, "unloads kill B and A2");
	liveset__unload(&ls, 0x1000, M3, 95);
	check_int(ls.live_bytes, 26, "a second unload of the same code changes nothing");

	n = liveset__plan(&ls, 69, 100, 5, &spans);
	check(n == 3 && spans[0].off == 10 && spans[1].off == 33 && spans[2].off == 56,
	      "plan with grace 5 s at t=100: B (dead 0 s) and the stubs; not A (shadowed), A2 (dead 10 s)");
	liveset__add(&ls, 0x5000, 0x10, M4, 69, 10); /* appended while the rewrite copies */
	check_int(liveset__rebase(&ls, spans, n, 69, 49), 0, "rebase");
	check(ls.n == 4 && ls.recs[0].off == 0 && ls.recs[1].off == 23 && ls.recs[2].off == 36 &&
		      ls.recs[3].off == 49,
	      "after the rewrite: the kept records back to back, then the tail");
	free(spans);
	liveset__unload(&ls, 0x5000, M4, 101);
	check_int(ls.live_bytes, 26, "the rebuilt index still finds records by start");
	n = liveset__plan(&ls, 59, 101, 0, &spans);
	check(n == 2 && spans[0].off == 23 && spans[1].off == 36,
	      "plan with grace 0: only live code");
	free(spans);

	liveset__add(&ls, 0x7000, 0x20, M5, 59, 10);
	liveset__add(&ls, 0x7000, 0x10, M5, 69, 10);
	liveset__unload(&ls, 0x7000, M5, 102);
	check(!ls.recs[ls.n - 2].died && ls.recs[ls.n - 1].died,
	      "two blobs of one method at one start: an unload kills the newer");
	liveset__free(&ls);
	check(ls.n == 0 && ls.live_bytes == 0 && !ls.recs, "free leaves an empty set");
}

static void test_due(void)
{
	static const struct {
		uint64_t size, floor, last, live;
		bool want;
		const char *what;
	} cases[] = {
		{ 1000, 0, 0, 10, false, "compact=off never rewrites" },
		{ 100, 200, 0, 10, false, "below the floor" },
		{ 300, 200, 0, 100, true, "past the floor, 200 dead bytes against 100 live" },
		{ 300, 200, 0, 150, false, "as much dead as live" },
		{ 300, 200, 200, 10, false, "not doubled since the last rewrite left 200" },
		{ 400, 200, 200, 10, true, "doubled since the last rewrite" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct liveset ls = { .live_bytes = cases[i].live };

		check(liveset__due(&ls, cases[i].size, cases[i].floor, cases[i].last) ==
			      cases[i].want,
		      "due: %s", cases[i].what);
	}
}

/* Until the rewrites number want and none is running (5 s at most). */
static bool wait_rewrites(unsigned want)
{
	for (int i = 0; i < 500; i++) {
		bool done;

		pthread_mutex_lock(&mf.lock);
		done = mf.rewrites >= want && !mf.due;
		pthread_mutex_unlock(&mf.lock);
		if (done)
			return true;
		usleep(10000);
	}
	return false;
}

static ino_t inode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static void test_rewrite(const char *dir)
{
	struct agent_opts o = { .compact = 1, .grace = 0 };
	char err[512], path[PATH_MAX + 64], tmp[PATH_MAX + 72];
	unsigned before = mf.rewrites;
	struct stat st;
	ino_t ino;
	FILE *f;

	snprintf(o.dir, sizeof(o.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/perf-4244.map", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	check_int(mapfile__open(&o, 4244, err, sizeof(err)), 0, "compact=1,grace=0: map opens");
	chmod(path, 0640);
	ino = inode(path);
	f = fopen(tmp, "w"); /* left by a JVM with this pid that died compacting */
	fputs("junk\n", f);
	fclose(f);
	add("1000 10 A\n", M1);
	add("2000 10 B\n2000 8 B->C\n", M2);
	add("3000 20 Stub\n", 0);
	add("4000 10 D\n", M4);
	mapfile__unload(0x1000, M1);
	mapfile__unload(0x4000, M4);
	usleep(20000);
	check_str(slurp(path), "1000 10 A\n2000 10 B\n2000 8 B->C\n3000 20 Stub\n4000 10 D\n",
		  "20 dead bytes against 36 live: no rewrite");
	mapfile__unload(0x2000, M2);
	check(wait_rewrites(before + 1), "43 dead bytes against 13 live: a rewrite");
	check_str(slurp(path), "3000 20 Stub\n", "the map holds exactly the live lines");
	check(inode(path) != ino, "a new file took the old one's name");
	check(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "with the old file's mode (%o)",
	      st.st_mode & 0777);
	check(access(tmp, F_OK) != 0, "our leftover PATH.tmp was replaced, and nothing is left");
	add("5000 10 E\n", M5);
	check_str(slurp(path), "3000 20 Stub\n5000 10 E\n", "appends go on in the new file");
	add("3000 20 Stub2\n", 0);
	mapfile__unload(0x5000, M5);
	check(wait_rewrites(before + 2),
	      "the map doubled and is mostly dead again: a second rewrite");
	check_str(slurp(path), "3000 20 Stub2\n",
		  "a stub replaced at its address keeps the newest");
	unlink(path);
}

/* A /tmp cleaner deletes the map: no rewrite brings it back, the next attach's reopen does. */
static void test_rewrite_deleted(const char *dir)
{
	struct agent_opts o = { .compact = 1, .grace = 0 };
	char err[512], path[PATH_MAX + 64];
	unsigned before = mf.rewrites;
	int was = logged;

	snprintf(o.dir, sizeof(o.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/perf-4248.map", dir);
	mapfile__open(&o, 4248, err, sizeof(err));
	add("1000 10 A\n", M1);
	add("2000 10 B\n", M2);
	unlink(path);
	mapfile__unload(0x1000, M1);
	mapfile__unload(0x2000, M2);
	check(wait_rewrites(0) && !mf.tracking && mf.rewrites == before && logged == was &&
		      access(path, F_OK) != 0,
	      "a rewrite of a deleted map gives up quietly, without recreating it");
	check_int(mapfile__reopen_if_gone(), 1, "the next attach recreates it");
	add("3000 10 C\n", M3);
	add("4000 10 D\n", M4);
	mapfile__unload(0x4000, M4);
	add("5000 10 E\n", M5);
	mapfile__unload(0x5000, M5);
	check(wait_rewrites(before + 1), "  and rewrites resume there");
	check_str(slurp(path), "3000 10 C\n", "  leaving its live line");
	unlink(path);
}

/* The map must never be written but by us, nor PATH.tmp be followed when it is not ours. */
static void test_rewrite_refused(const char *dir)
{
	struct agent_opts o = { .compact = 1, .grace = 0 };
	char err[512], path[PATH_MAX + 64], tmp[PATH_MAX + 72], victim[PATH_MAX + 64];
	int fd, was = logged;
	FILE *f;

	snprintf(o.dir, sizeof(o.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/perf-4245.map", dir);
	mapfile__open(&o, 4245, err, sizeof(err));
	add("1000 10 A\n", M1);
	fd = open(path, O_WRONLY | O_APPEND);
	check(write(fd, "9000 10 Foreign\n", 16) == 16, "someone else appends to the map");
	close(fd);
	add("2000 10 B\n", M2);
	mapfile__unload(0x1000, M1);
	mapfile__unload(0x2000, M2);
	check(wait_rewrites(0) && !mf.tracking && logged == was + 1,
	      "the rewrite sees bytes that are not ours and gives up for good, saying so once");
	add("3000 10 C\n", M3);
	check_str(slurp(path), "1000 10 A\n9000 10 Foreign\n2000 10 B\n3000 10 C\n",
		  "  and the map keeps every line");
	unlink(path);

	snprintf(path, sizeof(path), "%s/perf-4246.map", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	fputs("victim\n", f);
	fclose(f);
	check(symlink(victim, tmp) == 0, "PATH.tmp is a symlink to another file");
	mapfile__open(&o, 4246, err, sizeof(err));
	add("1000 10 A\n", M1);
	add("2000 10 B\n", M2);
	mapfile__unload(0x1000, M1);
	mapfile__unload(0x2000, M2);
	check(wait_rewrites(0) && !mf.tracking && logged == was + 2,
	      "the rewrite refuses a PATH.tmp that is not a file of ours, saying so once");
	check_str(slurp(victim), "victim\n", "  the symlink's target is untouched");
	check_str(slurp(path), "1000 10 A\n2000 10 B\n", "  and the map keeps every line");
	unlink(tmp);
	unlink(victim);
	unlink(path);
}

#define STRESS_N 40000
#define STRESS_BASE 0x100000

static atomic_int stress_added = -1; /* every record up to this one is in the map */

static bool stress_keeper(int i)
{
	return i % 100 == 0;
}

/* Records 0..N-1, each unloaded three records later unless it is a keeper. */
static void *stress_writer(void *arg)
{
	char line[64];

	for (int i = 0; i < STRESS_N; i++) {
		int n = snprintf(line, sizeof(line), "%x 10 m%d\n", STRESS_BASE + i * 0x10, i);

		mapfile__add(STRESS_BASE + i * 0x10, 0x10, i + 1, line, n);
		if (i >= 3 && !stress_keeper(i - 3))
			mapfile__unload(STRESS_BASE + (i - 3) * 0x10, i - 2);
		atomic_store(&stress_added, i);
	}
	return NULL;
}

static char *read_all(const char *path, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*len = 0;
	while (fd >= 0 && (n = read(fd, buf + *len, cap - *len)) > 0)
		if ((*len += n) == cap)
			buf = realloc(buf, cap *= 2);
	if (fd >= 0)
		close(fd);
	return buf;
}

/*
 * One version of the map as a reader sees it: whole lines in the order written, the steady line,
 * and every keeper added before the read began. Only the last line may be cut (an append in
 * progress, as with any append-only map); 0 when the version is good.
 */
static int stress_check(const char *buf, size_t len, int added, bool *cut)
{
	int last = -1, keepers = 0, want = added < 0 ? 0 : added / 100 + 1;
	bool steady = false;

	for (const char *p = buf, *nl; p < buf + len; p = nl + 1) {
		unsigned long addr;
		int i;

		nl = memchr(p, '\n', buf + len - p);
		if (!nl) {
			*cut = true;
			break;
		}
		if (!strncmp(p, "10 10 steady\n", 13) && !steady && last < 0) {
			steady = true;
			continue;
		}
		if (sscanf(p, "%lx 10 m%d", &addr, &i) != 2 || addr != STRESS_BASE + i * 0x10ul ||
		    i <= last)
			return 1;
		last = i;
		keepers += stress_keeper(i) && i <= added;
	}
	return steady && keepers == want ? 0 : 2;
}

static void test_rewrite_stress(const char *dir)
{
	struct agent_opts o = { .compact = 4096, .grace = 0 };
	char err[512], path[PATH_MAX + 64], line[64];
	int reads = 0, bad = 0, cut = 0, first_bad = 0;
	unsigned before = mf.rewrites;
	pthread_t th;
	size_t len;
	char *buf;

	snprintf(o.dir, sizeof(o.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/perf-4247.map", dir);
	mapfile__open(&o, 4247, err, sizeof(err));
	add("10 10 steady\n", 99999);
	pthread_create(&th, NULL, stress_writer, NULL);
	while (atomic_load(&stress_added) < STRESS_N - 1) {
		int added = atomic_load(&stress_added), e;
		bool c = false;

		buf = read_all(path, &len);
		e = stress_check(buf, len, added, &c);
		reads++;
		cut += c;
		if (e && !bad++)
			first_bad = e;
		free(buf);
	}
	pthread_join(th, NULL);
	check(wait_rewrites(before + 3), "%u rewrites while %d records were added",
	      mf.rewrites - before, STRESS_N);
	/*
	 * What was appended during the last rewrite counts at the next event: a dead record more,
	 * twice, so that a rewrite that was running when the first came has ended.
	 */
	for (int i = STRESS_N + 1; i <= STRESS_N + 2; i++) {
		len = snprintf(line, sizeof(line), "%x 10 m%d\n", STRESS_BASE + i * 0x10, i);
		mapfile__add(STRESS_BASE + i * 0x10, 0x10, i + 1, line, len);
		mapfile__unload(STRESS_BASE + i * 0x10, i + 1);
		wait_rewrites(0);
	}
	check(reads > 20 && !bad,
	      "%d reads during them: every one whole lines in order, the steady line and every keeper so far (%d bad, first: %d; %d ended in an append in progress)",
	      reads, bad, first_bad, cut);
	buf = read_all(path, &len);
	check(!stress_check(buf, len, STRESS_N - 1, &(bool){ false }) && len < 16384,
	      "at the end: %zu bytes, every keeper there (%d records appended, %d live)", len,
	      STRESS_N, STRESS_N / 100 + 3);
	free(buf);
	unlink(path);
}

/* The whole file, malloc'ed; NULL if it cannot be read. */
static char *slurp_all(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&buf, &len);
	int c;

	while (f && m && (c = getc(f)) != EOF)
		fputc(c, m);
	if (f)
		fclose(f);
	if (m)
		fclose(m);
	return f ? buf : (free(buf), NULL);
}

static void test_thread_lines(void)
{
	char buf[THREAD_NAME_MAX + 32], long_name[400], want[THREAD_NAME_MAX + 32];
	static const struct {
		int tid;
		const char *name, *want, *what;
	} cases[] = {
		{ 4242, "request-worker-alpha", "4242 request-worker-alpha\n",
		  "a name longer than comm" },
		{ 7, "C2 CompilerThread0", "7 C2 CompilerThread0\n", "spaces stay" },
		{ 8, "evil\nname\t\x7f!",
		  "8 evil?name?"
		  "?!\n",
		  "control characters become '?'" },
		{ 9, "", "", "an empty name writes nothing" },
		{ 10, "pool-1-thread-1 \xc3\xa9", "10 pool-1-thread-1 \xc3\xa9\n",
		  "UTF-8 bytes stay" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = threads__line(buf, sizeof(buf), cases[i].tid, cases[i].name);

		check_str(n ? buf : "", cases[i].want, cases[i].what);
		check_int(n, strlen(cases[i].want), "  its length");
	}
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	snprintf(want, sizeof(want), "1 %.*s\n", THREAD_NAME_MAX, long_name);
	threads__line(buf, sizeof(buf), 1, long_name);
	check_str(buf, want, "a 399-byte name is cut at THREAD_NAME_MAX bytes");
	check_int(threads__line(buf, 8, 123456, "abcdef"), 0, "a buffer too small gives nothing");
}

static void test_threads_file(const char *dir)
{
	struct agent_opts o = { .grace = 0 };
	char err[512], path[PATH_MAX + 64], name[PATH_MAX + 80], *text;
	struct stat st1, st2;
	int lines = 0;

	snprintf(o.dir, sizeof(o.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/perf-4242.threads", dir);
	check_int(threads__open(&o, 4242, err, sizeof(err)), 0, "threads file opens");
	check_str(threads__path(), path, "its path is DIR/perf-PID.threads");
	threads__start(100, "request-worker-alpha");
	threads__start(101, "request-worker-beta");
	threads__start(100, "renamed-at-restart");
	check_str(slurp(path),
		  "100 request-worker-alpha\n101 request-worker-beta\n100 renamed-at-restart\n",
		  "one appended line per start, in order (a reader takes the last for a tid)");
	check_int(stat(path, &st1), 0, "the file is there");
	check_int(st1.st_mode & 0777, 0644, "readable by a profiler running as another user");
	threads__open(&o, 4242, err, sizeof(err));
	check_str(slurp(path), "",
		  "opened again (a new agent): emptied, every thread is written again");

	/*
	 * Threads come and go: once the file doubled it is rewritten without those that ended more
	 * than grace ago. The first rewrite (at 64 KiB) comes too soon to drop anyone.
	 */
	threads__start(7, "main-loop-thread-that-stays");
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "short-lived-worker-%d", i);
		threads__start(1000 + i, name);
		threads__end(1000 + i);
	}
	sleep(2); /* grace 0: ended a second ago is long enough */
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "pool-thread-%d", i);
		threads__start(10000 + i, name);
	}
	text = slurp_all(path);
	for (char *p = text; p && *p; p++)
		lines += *p == '\n';
	check(text && strstr(text, "7 main-loop-thread-that-stays\n") &&
		      strstr(text, "\n14999 pool-thread-4999\n"),
	      "a rewrite keeps the threads alive");
	check(text && !strstr(text, "short-lived-worker-"), "and drops those that ended");
	check(lines <= 5001, "%d lines for the 5001 threads alive, after 8000 came", lines);
	free(text);
	check_int(stat(path, &st2), 0, "the file is there after the rewrite");
	check(st2.st_ino != st1.st_ino, "replaced by another file, in one rename");
	snprintf(name, sizeof(name), "%s.tmp", path);
	check(access(name, F_OK) != 0, "no PATH.tmp left behind");
	unlink(path);
	snprintf(o.dir, sizeof(o.dir), "/nonexistent/dir");
	check(threads__open(&o, 1, err, sizeof(err)) < 0 && strstr(err, "15-character"),
	      "an unwritable dir fails with what it costs: %s", err);
}

static void test_thread_tid(void)
{
	int tid = (int)syscall(SYS_gettid);
	char old[32] = "";

	prctl(PR_GET_NAME, old);
	prctl(PR_SET_NAME, "request-worker-");
	check(hotspot__comm_matches(tid, "request-worker-alpha"),
	      "comm is the name's first 15 bytes");
	check(!hotspot__comm_matches(tid, "request-worker"), "a name shorter than comm is not it");
	check(!hotspot__comm_matches(tid, "some-other-thread"), "another name is not it");
	prctl(PR_SET_NAME, "main");
	check(hotspot__comm_matches(tid, "main"), "a short name matches as a whole");
	check(!hotspot__comm_matches(tid, "mainly"), "and only as a whole");
	check(!hotspot__comm_matches(999999999, "main"),
	      "a tid that does not exist matches nothing");
	prctl(PR_SET_NAME, old);

	/* Offsets as if libjvm said so, a JavaThread* that points at nothing: no fault, no tid. */
	hs.ok = true;
	hs.osthread = 8;
	hs.thread_id = 16;
	check_int(hotspot__tid(0x10, "main"), -1,
		  "a JavaThread* into unmapped memory gives no tid");
	check_int(hotspot__tid(0, "main"), -1, "nor does a null one");
	hs.ok = false;
	hotspot__init(NULL);
	check(!hs.ok, "no libjvm: no offsets, so never a tid");
}

int main(void)
{
	char dir[] = "/tmp/bpfprof-agent-test.XXXXXX";

	test_names();
	test_options();
	test_alloc_weight();
	test_ranges();
	test_mapfile();
	test_liveset();
	test_due();
	check(mkdtemp(dir) != NULL, "scratch dir for the rewrites");
	test_rewrite(dir);
	test_rewrite_stress(dir);
	test_rewrite_deleted(dir);
	test_rewrite_refused(dir);
	test_thread_lines();
	test_threads_file(dir);
	test_thread_tid();
	rmdir(dir);
	return check_done();
}
