// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_symbolizer.c - the symbolizer on a live process (the split workload, a PIE): a native
 * address resolves to its function while the process runs and after it has exited, a perf map
 * entry gives JIT and inlined frames, an unmapped address is [unknown], a kernel address from
 * kallsyms gets its name. Expected addresses come from nm and /proc/PID/maps, not from us.
 * Per process it holds no file descriptor; told of the exit it still names the process, and a
 * new process under the same pid (another start time) replaces what it knew. A JIT runtime (the
 * fakejit workload) keeps its root while it lives, and its perf map is read once more at its exit.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "fds.h"
#include "nm.h"
#include "symbolize/symbolizer.h"

static char split_path[512];

/* Load base of the main binary of pid: the start of its mapping at file offset 0. */
static unsigned long long load_base(pid_t pid)
{
	char path[64], line[512];
	unsigned long long start = 0, off;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, "workloads/split") &&
		    sscanf(line, "%llx-%*x %*s %llx", &start, &off) == 2 && off == 0)
			break;
		start = 0;
	}
	if (f)
		fclose(f);
	return start;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static unsigned long long kallsyms_addr(const char *want)
{
	char line[512], name[256], type;
	unsigned long long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && !strcmp(name, want))
			found = addr;
	}
	if (f)
		fclose(f);
	return found;
}

static void check_user(struct symbolizer *s, pid_t pid, unsigned long long ip, const char *want,
		       const char *what)
{
	struct sym_frame f[4];
	int n = symbolizer__user(s, pid, ip, f, 4);

	check(n == 1 && !strcmp(f[0].name, want) && f[0].kind == FRAME_NATIVE,
	      "%s: %#llx is %s (got %s)", what, ip, want, n ? f[0].name : "nothing");
}

/* Out of file descriptors, a snapshot says so (the recorder tells the user to raise the limit). */
static void check_emfile(void)
{
	struct symbolizer *s = symbolizer__new(NULL);
	struct fds_held h;

	fds__exhaust(&h);
	check_int(symbolizer__add_process(s, getpid(), 0, NULL, 0), -EMFILE,
		  "out of file descriptors: -EMFILE, not a silent failure");
	fds__restore(&h);
	check_int(symbolizer__add_process(s, getpid(), 0, NULL, 0), 0,
		  "descriptors back: the same process is read");
	symbolizer__free(s);
}

/* Does a line of pid's maps start with prefix? */
static bool mapped(pid_t pid, const char *prefix)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, prefix, strlen(prefix));
	if (f)
		fclose(f);
	return found;
}

/* fakejit nomap: JIT code at 0x10000040, announced in a map written after the snapshot. */
static void check_jit_exit(const char *build)
{
	struct symbolizer *s = symbolizer__new(NULL);
	char path[512], map[64];
	struct sym_frame f[4];
	int fds, n, tries;
	pid_t pid;
	FILE *m;

	snprintf(path, sizeof(path), "%s/tests/workloads/fakejit", build ? build : "build");
	pid = fork();
	if (pid == 0) {
		execl(path, path, "5", "nomap", (char *)NULL);
		_exit(127);
	}
	for (tries = 0; tries < 100 && !mapped(pid, "10000000-"); tries++)
		usleep(20000);
	fds = open_fds();
	check_int(symbolizer__add_process(s, pid, 0, NULL, 0), 0, "jit: snapshot fakejit");
	check_int(open_fds(), fds + 1, "jit: its root is held while it lives");
	snprintf(map, sizeof(map), "/tmp/perf-%d.map", pid);
	m = fopen(map, "w");
	fprintf(m, "10000040 10 jit_late\n");
	fclose(m);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	symbolizer__exit_process(s, pid, 0);
	check_int(open_fds(), fds, "jit: told of the exit, the root is let go");
	n = symbolizer__user(s, pid, 0x10000045, f, 4);
	check(n == 1 && !strcmp(f[0].name, "jit_late") && f[0].kind == FRAME_JIT,
	      "jit: the map written after the last snapshot was read at the exit (got %s)",
	      f[0].name);
	unlink(map);
	symbolizer__free(s);
}

int main(void)
{
	const char *build = getenv("BUILD");
	struct symbolizer *s = symbolizer__new(NULL);
	unsigned long long hot_a, base, k;
	struct sym_frame f[4];
	char map[64];
	pid_t pid;
	FILE *m;
	int n, fds;

	snprintf(split_path, sizeof(split_path), "%s/tests/workloads/split",
		 build ? build : "build");
	hot_a = nm_addr(split_path, "hot_a");
	check(hot_a != 0, "nm finds hot_a in the split workload");
	pid = fork();
	if (pid == 0) {
		execl(split_path, split_path, "2", (char *)NULL);
		_exit(127);
	}
	usleep(200000);
	base = load_base(pid);
	check(base != 0, "split is mapped (base %#llx)", base);
	fds = open_fds();
	check_int(symbolizer__add_process(s, pid, 0, NULL, 0), 0, "snapshot the live process");
	check_int(symbolizer__refresh_process(s, pid), 0, "and again (a refresh)");
	check(symbolizer__binaries_unread(s) >= 2, "its binaries are known, not read (%zu)",
	      symbolizer__binaries_unread(s));
	check_int(open_fds(), fds, "no file descriptor held for it");
	check_str(symbolizer__comm(s, pid), "split", "its name");
	k = symbolizer__binaries_unread(s);
	check_user(s, pid, base + hot_a + 4, "hot_a", "live");
	check(symbolizer__binaries_unread(s) == k - 1,
	      "naming hot_a read split's symbols, and only its: %zu unread, were %llu",
	      symbolizer__binaries_unread(s), k);

	snprintf(map, sizeof(map), "/tmp/perf-%d.map", pid);
	m = fopen(map, "w");
	fprintf(m, "1000 100 Foo.bar->Baz.qux\n");
	fprintf(m, "2000 100 long Burn.hotA(long)\n");
	fprintf(m, "3000 100 JS:*hotA /app/burn.js:9:14\n");
	fclose(m);
	n = symbolizer__user(s, pid, 0x1010, f, 4);
	check(n == 2 && !strcmp(f[0].name, "Foo.bar") && f[0].kind == FRAME_JIT &&
		      !strcmp(f[1].name, "Baz.qux") && f[1].kind == FRAME_INLINED,
	      "perf map: compiled Foo.bar with Baz.qux inlined (%d frames)", n);
	n = symbolizer__user(s, pid, 0x2010, f, 4);
	check(n == 1 && !strcmp(f[0].name, "Burn.hotA"),
	      "HotSpot Compiler.perfmap name 'long Burn.hotA(long)' shortened (got %s)", f[0].name);
	n = symbolizer__user(s, pid, 0x3010, f, 4);
	check(n == 1 && !strcmp(f[0].name, "JS:*hotA /app/burn.js:9:14"),
	      "Node's name kept as written (got %s)", f[0].name);
	n = symbolizer__user(s, pid, 0x5, f, 4);
	check(n == 1 && !strcmp(f[0].name, "[unknown]"), "unmapped, not in the map: [unknown]");
	unlink(map);

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	symbolizer__exit_process(s, pid, 0);
	check_int(open_fds(), fds, "told of the exit: still no file descriptor held");
	check_int(symbolizer__refresh_process(s, pid), -ESRCH,
		  "an exited process is not read again");
	check_user(s, pid, base + hot_a + 8, "hot_a", "after exit");
	check_str(symbolizer__comm(s, pid), "split", "its name after exit");
	check_int(symbolizer__add_process(s, pid, 0, "other", 1), -ESRCH,
		  "another process under the pid (start 1), already gone");
	n = symbolizer__user(s, pid, base + hot_a + 8, f, 4);
	check(n == 1 && strcmp(f[0].name, "hot_a"),
	      "pid reused: the old process's mappings are dropped (got %s)", f[0].name);
	check_str(symbolizer__comm(s, pid), "other", "and the newest process's name wins");

	k = kallsyms_addr("schedule");
	symbolizer__kernel(s, k + 1, &f[0]);
	check(k && !strcmp(f[0].name, "schedule") && f[0].kind == FRAME_KERNEL,
	      "kernel: schedule+1 is schedule (got %s)", f[0].name);
	symbolizer__free(s);
	symbolizer__free(NULL);
	check_emfile();
	check_jit_exit(build);
	return check_done();
}
