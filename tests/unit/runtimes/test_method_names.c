// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_method_names.c - method names by address (runtimes/method_names.c) and the Java agent's
 * /tmp/perf-PID.methods that fills them (runtimes/java/methods.c): the last line for a Method*
 * wins, odd lines (not hex, unaligned, null, nameless) are skipped, a byte budget ends the read,
 * the file is read through the rootfs policy and found by the facade; and HotSpot's interpreter
 * is the one perf-map name the runtimes call an interpreter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "runtimes/java/methods.h"
#include "runtimes/method_names.h"
#include "runtimes/runtimes.h"
#include "lib/rootfs.h"

static const char *find(const struct method_names *mn, uint64_t addr)
{
	const char *got = method_names__find(mn, addr);

	return got ? got : "(null)";
}

static void test_parse(void)
{
	static const char text[] = "7f0010 Burn.main\n"
				   "7f0018 Burn.round\n"
				   "7f0020 java.lang.String.hashCode(int)\n" /* sig=on */
				   "garbage line\n"
				   "7f0024 unaligned\n"
				   "0 null\n"
				   "7f0028\n"
				   "7f0030 \n"
				   "7f0038  two spaces\n"
				   "fffffffffffffffffff too-big\n"
				   "7f0018 Burn.reused\n"
				   "7f0040 cut-at-the-end-without-newline";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct method_names *mn = java_methods__parse(f, 1 << 20);

	fclose(f);
	check(mn != NULL, "parsed");
	check_str(find(mn, 0x7f0010), "Burn.main", "a method by its Method*");
	check_str(find(mn, 0x7f0018), "Burn.reused", "the last line for a Method* wins");
	check_str(find(mn, 0x7f0020), "java.lang.String.hashCode(int)", "a name with its sig");
	check_str(find(mn, 0x7f0038), " two spaces", "the name is everything after one space");
	check_str(find(mn, 0x7f0024), "(null)", "an unaligned pointer is no Method*");
	check_str(find(mn, 0x7f0011), "(null)", "only the exact pointer is found");
	check_int(
		method_names__count(mn), 4,
		"bad lines skipped (not hex, unaligned, 0, too big, no name), a cut last line dropped");
	method_names__free(mn);

	f = fmemopen((void *)text, sizeof(text) - 1, "r");
	mn = java_methods__parse(f, 35);
	fclose(f);
	check_int(method_names__count(mn), 2, "a byte budget ends the read (35 bytes: two lines)");
	method_names__free(mn);
	check_str(find(NULL, 0x7f0010), "(null)", "a NULL table finds nothing");
	method_names__free(NULL);
}

static void test_file(void)
{
	char dir[] = "/tmp/bpfprof-methods-test.XXXXXX", path[128];
	struct method_names *mn;
	int rootfd, fd;

	check(mkdtemp(dir) != NULL, "scratch root");
	snprintf(path, sizeof(path), "%s/tmp", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/tmp/perf-4242.methods", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check(write(fd, "7f0010 Burn.main\n", 17) == 17, "a methods file");
	close(fd);
	rootfd = open(dir, O_PATH | O_DIRECTORY);

	mn = java__method_names(rootfd, 4242, ROOTFS_ANY_OWNER);
	check_str(find(mn, 0x7f0010), "Burn.main", "read inside the given root");
	method_names__free(mn);
	mn = runtimes__method_names(rootfd, 4242, 0);
	check(mn != NULL, "the facade finds Java's file (owned by root)");
	method_names__free(mn);
	check(chown(path, 65534, 65534) == 0, "the file given to nobody");
	errno = 0;
	mn = java__method_names(rootfd, 4242, 1000);
	check(!mn && rootfs__refused(-errno), "owned by neither root nor the JVM's user: refused");
	unlink(path);
	errno = 0;
	mn = runtimes__method_names(rootfd, 4242, 0);
	check(!mn && errno == ENOENT, "no file: none, ENOENT");
	close(rootfd);
	snprintf(path, sizeof(path), "%s/tmp", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	test_parse();
	test_file();
	check(runtimes__is_interpreter("Interpreter"), "HotSpot's interpreter is an interpreter");
	check(!runtimes__is_interpreter("Burn.main") && !runtimes__is_interpreter("interpreter"),
	      "a method, or another spelling, is not");
	return check_done();
}
