// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_history.c - the monitor's windows on disk. Synthetic windows with known values are
 * written; loading a time range gives, value by value, the sum of exactly the windows that
 * overlap it (worked out here from the formula the windows were made with, not by merging);
 * a filter keeps only its pid's stacks; retention by size and by age deletes the oldest
 * first; a second writer gets -EBUSY naming the holder's pid; temporaries and foreign files are
 * ignored (and temporaries removed on open); and a child killed with SIGKILL while writing big
 * windows, with and without O_TMPFILE, leaves only files that load whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "daemon/history.h"

#define S 1000000000ULL
#define NWIN 6
#define NFUNC 3
#define KILL_EXTRA 5000

static char root[64];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * S + ts.tv_nsec;
}

/* Window i's value for function j: every window and function differ. */
static uint64_t value(int i, int j)
{
	return (i + 1) * 100 + j * 7 + 1;
}

static int pid_of(int i)
{
	return 100 + i % 2;
}

/* Window i: NFUNC stacks app;f<j> labeled comm=app pid=pid_of(i), starting at start. */
static struct profile *window(int i, uint64_t start, double dur, int extra_stacks)
{
	struct profile *p = profile__new();
	uint32_t ids[2];
	char pid[16], name[32];
	const char *kv[] = { "comm", "app", "pid", pid };
	int64_t ls;

	snprintf(pid, sizeof(pid), "%d", pid_of(i));
	ls = profile__labelset(p, kv, 2);
	ids[0] = profile__frame(p, "app", FRAME_PROCESS, NULL, NULL);
	for (int j = 0; j < NFUNC + extra_stacks; j++) {
		snprintf(name, sizeof(name), "f%d", j);
		ids[1] = profile__frame(p, name, FRAME_NATIVE, "/bin/app", "b1d");
		profile__add_labeled(p, ids, 2, ls, (uint64_t[]){ value(i, j) });
	}
	strcpy(p->meta.event, "cpu");
	strcpy(p->meta.unit, "nanoseconds");
	p->meta.period = 52631578;
	p->meta.start_ns = start;
	p->meta.duration_s = dur;
	strcpy(p->meta.host, "n1");
	return p;
}

/* The value of stack app;f<j> with pid label pid in p, or 0. */
static uint64_t find(const struct profile *p, int j, int pid)
{
	char name[32], want[16];

	snprintf(name, sizeof(name), "f%d", j);
	snprintf(want, sizeof(want), "%d", pid);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pf_stack *s = &p->stacks[i];
		const char *l = profile__label(p, s, "pid");

		if (s->depth == 2 && !strcmp(p->frames[s->ids[1]].name, name) && l &&
		    !strcmp(l, want) && p->frames[s->ids[0]].kind == FRAME_PROCESS)
			return s->values[0];
	}
	return 0;
}

/* Load [from, to) and check it against windows lo..hi (inclusive) of base, pid filter fpid. */
static void check_range(const char *dir, uint64_t base, uint64_t from, uint64_t to, int lo, int hi,
			int fpid, const char *what)
{
	struct profile_filter f = { .pid = fpid };
	struct profile *p = profile__new();
	char err[512] = "";
	size_t nw = 99, nstacks = 0, bad = 0;
	int rc = history__load(dir, from, to, &f, p, &nw, err, sizeof(err));

	check(rc == 0, "%s: loads (%s)", what, err);
	check_int(nw, hi - lo + 1, "windows merged");
	for (int pid = 100; pid <= 101; pid++)
		for (int j = 0; j < NFUNC; j++) {
			uint64_t want = 0;

			for (int i = lo; i <= hi; i++)
				if (pid_of(i) == pid && (!fpid || fpid == pid))
					want += value(i, j);
			nstacks += want != 0;
			if (find(p, j, pid) != want) {
				bad++;
				printf("#   f%d pid %d: got %llu, want %llu\n", j, pid,
				       (unsigned long long)find(p, j, pid),
				       (unsigned long long)want);
			}
		}
	check(bad == 0, "%s: every stack is the sum of its windows", what);
	check_int(p->nstacks, nstacks, "and nothing else");
	if (hi >= lo) {
		check_int(p->meta.start_ns, base + lo * 10 * S, "meta start is the first window's");
		check(p->meta.duration_s == (hi - lo + 1) * 10.0, "meta duration %g",
		      p->meta.duration_s);
		check_int(p->meta.period, 52631578, "period kept");
		check_str(p->meta.event, "cpu", "event kept");
	}
	profile__free(p);
}

static int count_files(const char *dir, int *hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*hidden = 0;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".lock"))
			continue;
		if (e->d_name[0] == '.')
			(*hidden)++;
		else
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void test_ranges(void)
{
	struct history_cfg cfg = {};
	struct history_stats st;
	struct history *h, *h2;
	char dir[128], err[512] = "", leftover[512], junk[512];
	uint64_t base = 1795443300ULL * S; /* 2026-11-23T14:15:00Z */
	struct stat sb;
	int hidden, fd;

	snprintf(dir, sizeof(dir), "%s/a/history", root);
	cfg.dir = dir;
	check_int(history__open(&h, &cfg, err, sizeof(err)), 0, "open creates the directory");
	check(!stat(dir, &sb) && (sb.st_mode & 0777) == 0700, "directory is 0700 (%o)",
	      sb.st_mode & 0777);
	for (int i = 0; i < NWIN; i++) {
		struct profile *p = window(i, base + i * 10 * S, 10.0, 0);

		check(history__add(h, p, err, sizeof(err)) == 0, "window %d written (%s)", i, err);
		profile__free(p);
	}
	history__stats(h, &st);
	check_int(st.files, NWIN, "stats: files");
	check_int(st.written, NWIN, "stats: written");
	check_int(st.oldest_ns, base, "stats: oldest start");
	check_int(st.newest_ns, base + NWIN * 10 * S, "stats: newest end");
	check(st.bytes > 0, "stats: bytes");
	check_int(count_files(dir, &hidden), NWIN, "one file per window");
	check_int(hidden, 0, "no temporaries");

	/* a second writer */
	check_int(history__open(&h2, &cfg, err, sizeof(err)), -EBUSY, "second open is -EBUSY");
	{
		char pid[32];

		snprintf(pid, sizeof(pid), "pid %d", (int)getpid());
		check(strstr(err, pid) != NULL, "names the holder: %s", err);
	}

	check_range(dir, base, 0, 0, 0, NWIN - 1, 0, "all");
	check_range(dir, base, base + 20 * S, base + 40 * S, 2, 3, 0, "[w2, w4)");
	check_range(dir, base, base + 15 * S, base + 35 * S, 1, 3, 0, "partly covered count whole");
	check_range(dir, base, base + 50 * S, 0, 5, 5, 0, "from the last, no end");
	check_range(dir, base, 0, 0, 0, NWIN - 1, 101, "pid 101 only");
	check_range(dir, base, base + 100 * S, base + 200 * S, 0, -1, 0, "after the end: none");
	check_range(dir, base, 0, base, 0, -1, 0, "before the start: none");

	/* a temporary (as a kill -9 of atomic_file's fallback leaves it) and a foreign file */
	snprintf(leftover, sizeof(leftover),
		 "%s/.20261123T141500.000000000Z_20261123T141510.000000000Z.pb.gz.Ab12Cd", dir);
	snprintf(junk, sizeof(junk), "%s/notes.pb.gz", dir);
	fd = open(leftover, O_WRONLY | O_CREAT, 0600);
	check(fd >= 0 && write(fd, "\x1f\x8b\x08", 3) == 3, "half a window under a temporary name");
	close(fd);
	fd = open(junk, O_WRONLY | O_CREAT, 0600);
	check(fd >= 0 && write(fd, "hello", 5) == 5, "a foreign file");
	close(fd);
	check_range(dir, base, 0, 0, 0, NWIN - 1, 0, "temporary and foreign file ignored");
	history__free(h);
	check_int(history__open(&h, &cfg, err, sizeof(err)), 0, "reopen after free");
	check(access(leftover, F_OK) != 0, "the temporary is removed on open");
	check(access(junk, F_OK) == 0, "the foreign file is left alone");
	history__free(h);
}

static void test_retention_size(void)
{
	struct history_cfg cfg = {};
	struct history_stats st;
	struct history *h;
	char dir[128], err[512] = "";
	uint64_t base = 1795443300ULL * S, one;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/size", root);
	cfg.dir = dir;
	history__open(&h, &cfg, err, sizeof(err));
	{
		struct profile *p = window(0, base, 10.0, 0);

		history__add(h, p, err, sizeof(err));
		profile__free(p);
	}
	history__stats(h, &st);
	one = st.bytes;
	history__free(h);
	/* room for 3.5 windows (they differ by a few bytes at most) */
	cfg.max_bytes = one * 7 / 2;
	check_int(history__open(&h, &cfg, err, sizeof(err)), 0, "open with --max-disk");
	for (int i = 1; i < NWIN; i++) {
		struct profile *p = window(i, base + i * 10 * S, 10.0, 0);

		history__add(h, p, err, sizeof(err));
		profile__free(p);
	}
	history__stats(h, &st);
	check_int(st.files, 3, "three windows fit");
	check(st.bytes <= cfg.max_bytes, "under the bound (%llu <= %llu)",
	      (unsigned long long)st.bytes, (unsigned long long)cfg.max_bytes);
	check_int(st.deleted, NWIN - 3, "the others deleted");
	check_int(st.oldest_ns, base + (NWIN - 3) * 10 * S, "the oldest went first");
	check_range(dir, base, 0, 0, NWIN - 3, NWIN - 1, 0, "what is left loads");
	history__free(h);
	/* a bound below one window keeps the newest */
	cfg.max_bytes = 1;
	history__open(&h, &cfg, err, sizeof(err));
	{
		struct profile *p = window(NWIN, base + NWIN * 10 * S, 10.0, 0);

		history__add(h, p, err, sizeof(err));
		profile__free(p);
	}
	history__stats(h, &st);
	check_int(st.files, 1, "a tiny bound keeps the newest window only");
	check_int(st.oldest_ns, base + NWIN * 10 * S, "and it is the newest");
	(void)sb;
	history__free(h);
}

static void test_retention_age(void)
{
	struct history_cfg cfg = { .retain_s = 95 };
	struct history_stats st;
	struct history *h;
	char dir[128], err[512] = "";
	uint64_t now = now_ns() / S * S;

	snprintf(dir, sizeof(dir), "%s/age", root);
	cfg.dir = dir;
	check_int(history__open(&h, &cfg, err, sizeof(err)), 0, "open with --retain 95s");
	/* windows ending 300, 240, ... 0 s ago */
	for (int i = 0; i < NWIN; i++) {
		struct profile *p = window(i, now - (NWIN - i) * 60 * S, 60.0, 0);

		history__add(h, p, err, sizeof(err));
		profile__free(p);
	}
	history__stats(h, &st);
	check_int(st.files, 2, "windows that ended within 95 s stay");
	check_int(st.deleted, NWIN - 2, "older ones deleted");
	check_int(st.oldest_ns, now - 2 * 60 * S, "the oldest went first");
	history__free(h);
}

/* Write big windows in a loop until killed. */
static void child_writer(const char *dir)
{
	struct history_cfg cfg = { .dir = dir, .max_bytes = 64ULL << 20 };
	struct history *h;
	char err[512];

	if (history__open(&h, &cfg, err, sizeof(err)))
		_exit(3);
	for (int i = 0;; i++) {
		struct profile *p = window(i, 1795443300ULL * S + i * S, 1.0, KILL_EXTRA);

		history__add(h, p, err, sizeof(err));
		profile__free(p);
	}
}

/* How many windows of the kill test load alone with the total they were written with. */
static int windows__whole(const char *dir)
{
	int good = 0;

	for (int i = 0; i < 5000; i++) {
		uint64_t start = 1795443300ULL * S + i * S, want = 0;
		struct profile *p = profile__new();
		char err[512];
		size_t nw = 0;

		for (int j = 0; j < NFUNC + KILL_EXTRA; j++)
			want += value(i, j);
		if (!history__load(dir, start, start + S, NULL, p, &nw, err, sizeof(err)) &&
		    nw == 1) {
			if (p->totals[0] == want)
				good++;
			else
				printf("#   window %d: total %llu, want %llu\n", i,
				       (unsigned long long)p->totals[0], (unsigned long long)want);
		}
		profile__free(p);
	}
	return good;
}

static void test_kill9(bool no_tmpfile)
{
	char dir[128], err[512] = "";
	int hidden = 0, files = 0, killed_mid = 0;

	snprintf(dir, sizeof(dir), "%s/kill%d", root, no_tmpfile);
	if (no_tmpfile)
		setenv("BPFPROF_TEST_NO_TMPFILE", "1", 1);
	for (int round = 0; round < 6; round++) {
		pid_t pid = fork();
		int status, h;

		if (!pid)
			child_writer(dir);
		usleep(200000 + round * 37000);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		killed_mid += WIFSIGNALED(status);
		files = count_files(dir, &h);
		hidden += h;
	}
	unsetenv("BPFPROF_TEST_NO_TMPFILE");
	check(killed_mid == 6, "%s: the writer was killed 6 times",
	      no_tmpfile ? "no O_TMPFILE" : "O_TMPFILE");
	check(files > 0, "windows were written before the kills (%d)", files);
	if (!no_tmpfile)
		check_int(hidden, 0, "O_TMPFILE leaves no temporary");
	else
		printf("# %d temporaries seen after kills without O_TMPFILE\n", hidden);
	{
		struct profile *p = profile__new();
		size_t nw = 0;
		int rc = history__load(dir, 0, 0, NULL, p, &nw, err, sizeof(err));

		check(rc == 0, "every window file loads whole (%s)", err);
		check_int(nw, count_files(dir, &hidden), "all of them");
		profile__free(p);
	}
	check_int(windows__whole(dir), files, "each window's total is what was written");
	{
		struct history_cfg cfg = { .dir = dir };
		struct history *h;

		check_int(history__open(&h, &cfg, err, sizeof(err)), 0,
			  "the lock died with the killed writer");
		count_files(dir, &hidden);
		check_int(hidden, 0, "and open removed any temporary");
		history__free(h);
	}
}

int main(void)
{
	char cmd[128];

	strcpy(root, "/tmp/bpfprof-test-history.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	test_ranges();
	test_retention_size();
	test_retention_age();
	test_kill9(false);
	test_kill9(true);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		return 1;
	return check_done();
}
