// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_jvm_attach.c - the attach client's pure parts: replies to "load" as JDK 8 to 25 word
 * them, jcmd status lines, -XX flag precedence, and the namespace pid from /proc/PID/status.
 * The live protocol is tested end to end by tests/e2e/java_attach.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "runtimes/java/jattach.h"
#include "lib/procfs.h"

static void test_load_replies(void)
{
	static const struct {
		const char *reply;
		int want;
		const char *err_has; /* substring of the message, NULL for success */
		const char *what;
	} cases[] = {
		{ "0\n0\n", 0, NULL, "JDK 8: status 0, bare return code 0" },
		{ "0\nreturn code: 0\n", 0, NULL, "JDK 11-25: return code: 0" },
		{ "0\n", 0, NULL, "status 0 and nothing else" },
		{ "0\nreturn code: -1\n", -EIO, "returned -1",
		  "JDK 21+: failure as text after status 0" },
		{ "0\n10\n", -EIO, "returned 10", "JDK 8: agent's own error code" },
		{ "-1\n/x/a.so was not loaded.\n/x/a.so: cannot open shared object file\n", -EIO,
		  "was not loaded; /x/a.so: cannot open", "JDK 17: load failure, lines joined" },
		{ "0\n/x/a.so was not loaded.\n", -EIO, "was not loaded",
		  "load failure as text after status 0" },
		{ "100\n", -EIO, "status 100", "status without a message" },
		{ "", -EIO, "without answering", "empty reply" },
		{ "hello", -EIO, "unexpected", "garbage" },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got;

		err[0] = '\0';
		got = jvm__parse_load_reply(cases[i].reply, err, sizeof(err));
		check_int(got, cases[i].want, cases[i].what);
		if (cases[i].err_has && !check(strstr(err, cases[i].err_has) && !strchr(err, '\n'),
					       "  one-line message names it"))
			printf("#   err: '%s'\n", err);
	}
}

static void test_reply_split(void)
{
	const char *body;
	int status;

	check(jvm__parse_reply("0\nOpenJDK 64-Bit Server VM\n", &status, &body) == 0 &&
		      status == 0 && !strcmp(body, "OpenJDK 64-Bit Server VM\n"),
	      "jcmd reply splits");
	check(jvm__parse_reply("-1\n", &status, &body) == 0 && status == -1 && !*body,
	      "negative status");
	check_int(jvm__parse_reply("x\n", &status, &body), -EBADMSG, "non-numeric status");
	check_int(jvm__parse_reply("12abc\n", &status, &body), -EBADMSG, "trailing junk in status");
}

static void test_flags(void)
{
	static const char cmd[] = "java\0-XX:+PreserveFramePointer\0-cp\0x\0Burn";
	static const char cmd2[] = "java\0-XX:+PreserveFramePointer\0-XX:-PreserveFramePointer";
	const char *ws = " \t\n";

	check_int(jvm__scan_flag(cmd, sizeof(cmd), "", "PreserveFramePointer", -1), 1,
		  "+flag on a NUL-separated command line");
	check_int(jvm__scan_flag(cmd2, sizeof(cmd2), "", "PreserveFramePointer", -1), 0,
		  "the last occurrence wins");
	check_int(jvm__scan_flag(cmd, sizeof(cmd), "", "DisableAttachMechanism", -1), -1,
		  "absent flag keeps the current value");
	check_int(jvm__scan_flag("-Xmx1g  -XX:+DisableAttachMechanism", 35, ws,
				 "DisableAttachMechanism", -1),
		  1, "space-separated (JAVA_TOOL_OPTIONS)");
	check_int(jvm__scan_flag("-XX:+PreserveFramePointerX", 26, ws, "PreserveFramePointer", 0),
		  0, "a longer flag name does not match");
	check_int(jvm__scan_flag("-XX:-PreserveFramePointer", 25, ws, "PreserveFramePointer", 1), 0,
		  "a later source overrides an earlier one");
}

static void test_nspid(void)
{
	check_int(procfs__nspid("Name:\tjava\nPid:\t4242\nNSpid:\t4242\t17\t1\nUid:\t0\n"), 1,
		  "NSpid: the last field is the innermost namespace");
	check_int(procfs__nspid("Name:\tjava\nPid:\t4242\nNSpid:\t4242\n"), 4242,
		  "no nesting: the pid itself");
	check_int(procfs__nspid("Name:\tjava\nPid:\t99\n"), 99, "old kernel: Pid line");
}

static void test_live_non_jvm(void)
{
	struct jvm_target t;
	char err[256];

	check_int(jvm__inspect(getpid(), &t, err, sizeof(err)), -ENOEXEC, "this test is not a JVM");
	check(strstr(err, "not a JVM") != NULL, "  and says so: %s", err);
	check_int(jvm__inspect(0x3fffffff, &t, err, sizeof(err)), -ESRCH, "no such pid");
}

/* A file of the agent's name mapped into a process is what "already has an agent" means. */
static void test_has_agent(void)
{
	char dir[] = "/tmp/test_jattach.XXXXXX", path[64];
	const char *const names[] = { JVM_AGENT_FILE, "libbpfprof-agent.so.old" };
	int fd;
	void *p;

	check(!jvm__has_agent(getpid()), "no agent mapped in the test itself");
	if (!mkdtemp(dir))
		return;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		p = fd >= 0 && !ftruncate(fd, 4096)
			    ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0)
			    : MAP_FAILED;
		check(p != MAP_FAILED && jvm__has_agent(getpid()) == (i == 0),
		      "%s mapped: has_agent says %s", names[i], i == 0 ? "yes" : "no");
		if (p != MAP_FAILED)
			munmap(p, 4096);
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	check(!jvm__has_agent(getpid()), "unmapped: no agent again");
	rmdir(dir);
}

int main(void)
{
	test_load_replies();
	test_reply_split();
	test_flags();
	test_nspid();
	test_live_non_jvm();
	test_has_agent();
	return check_done();
}
