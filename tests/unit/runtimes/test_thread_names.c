// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_thread_names.c - whole thread names (runtimes/thread_names.c) and the Java agent's
 * /tmp/perf-PID.threads that fills them (runtimes/java/threads.c): the last line for a tid wins,
 * a name is given out only while the kernel's comm is its first 15 bytes, odd lines are skipped,
 * the file is read through the rootfs policy (owner, not a FIFO) and found by the facade.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "runtimes/java/threads.h"
#include "runtimes/runtimes.h"
#include "runtimes/thread_names.h"
#include "lib/rootfs.h"

static void test_find(void)
{
	static const struct {
		int tid;
		const char *comm, *want, *what;
	} cases[] = {
		{ 100, "request-worker-", "request-worker-alpha",
		  "comm is the name cut at 15 bytes" },
		{ 101, "request-worker-", "request-worker-beta", "the other worker, same comm" },
		{ 102, "main", "main", "a short name equals its comm" },
		{ 102, "mai", NULL, "a comm shorter than a short name: not it" },
		{ 103, "java", NULL, "the launcher's comm under \"main\": not believed" },
		{ 104, "C2 CompilerThre", "C2 CompilerThread0", "spaces" },
		{ 105, "pool-1-thread-1", NULL, "a reused tid runs another thread: its comm wins" },
		{ 999, "request-worker-", NULL, "a tid never published" },
		{ 100, "", NULL, "no comm: nothing to check against" },
		{ 100, NULL, NULL, "NULL comm" },
	};
	struct thread_names *tn = thread_names__new();

	check(tn != NULL, "a table");
	thread_names__set(tn, 100, "request-worker-alpha", 20);
	thread_names__set(tn, 101, "request-worker-beta", 19);
	thread_names__set(tn, 102, "main", 4);
	thread_names__set(tn, 103, "main", 4);
	thread_names__set(tn, 104, "C2 CompilerThread0", 18);
	thread_names__set(tn, 105, "old-worker-that-ended", 21);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = thread_names__find(tn, cases[i].tid, cases[i].comm);

		check_str(got ? got : "(null)", cases[i].want ? cases[i].want : "(null)",
			  cases[i].what);
	}
	check(thread_names__find(NULL, 100, "request-worker-") == NULL,
	      "a NULL table finds nothing");
	thread_names__free(tn);
	thread_names__free(NULL);
}

static void test_parse(void)
{
	static const char text[] = "100 request-worker-alpha\n"
				   "101 request-worker-beta\n"
				   "garbage line\n"
				   "-5 negative-tid\n"
				   "0 zero-tid\n"
				   "102\n"
				   "103 \n"
				   "104  two spaces\n"
				   "99999999999 too-big\n"
				   "100 request-worker-gamma\n"
				   "105 cut-at-the-end-without-newline";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct thread_names *tn = java_threads__parse(f, 1 << 20);
	const char *got;

	fclose(f);
	check(tn != NULL, "parsed");
	got = thread_names__find(tn, 100, "request-worker-");
	check_str(got ? got : "(null)", "request-worker-gamma", "the last line for a tid wins");
	got = thread_names__find(tn, 104, " two spaces");
	check_str(got ? got : "(null)", " two spaces", "the name is everything after one space");
	check_int(
		thread_names__count(tn), 3,
		"bad lines skipped (no tid, tid <= 0 or too big, no name), a cut last line dropped");
	thread_names__free(tn);

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	tn = java_threads__parse(f, 30);
	fclose(f);
	check_int(thread_names__count(tn), 1, "a byte budget ends the read (30 bytes: one line)");
	thread_names__free(tn);
}

static void test_file(void)
{
	char dir[] = "/tmp/bpfprof-threads-test.XXXXXX", path[128];
	int rootfd, fd;
	struct thread_names *tn;
	const char *got;

	check(mkdtemp(dir) != NULL, "scratch root");
	snprintf(path, sizeof(path), "%s/tmp", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/tmp/perf-4242.threads", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(write(fd, "7 request-worker-alpha\n", 23) == 23, "a threads file");
	close(fd);
	rootfd = open(dir, O_PATH | O_DIRECTORY);

	tn = java__thread_names(rootfd, 4242, ROOTFS_ANY_OWNER);
	got = thread_names__find(tn, 7, "request-worker-");
	check_str(got ? got : "(null)", "request-worker-alpha", "read inside the given root");
	thread_names__free(tn);
	tn = runtimes__thread_names(rootfd, 4242, 0);
	check(tn != NULL, "the facade finds Java's file (owned by root)");
	thread_names__free(tn);
	check(chown(path, 65534, 65534) == 0, "the file given to nobody");
	errno = 0;
	tn = java__thread_names(rootfd, 4242, 1000);
	check(!tn && rootfs__refused(-errno), "owned by neither root nor the JVM's user: refused");
	unlink(path);
	errno = 0;
	tn = runtimes__thread_names(rootfd, 4242, 0);
	check(!tn && errno == ENOENT, "no file: none, ENOENT");
	check(mkfifo(path, 0644) == 0, "a FIFO in its place");
	tn = java__thread_names(rootfd, 4242, ROOTFS_ANY_OWNER);
	check(!tn, "a FIFO is refused, not read (no hang)");
	unlink(path);
	close(rootfd);
	snprintf(path, sizeof(path), "%s/tmp", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	test_find();
	test_parse();
	test_file();
	return check_done();
}
