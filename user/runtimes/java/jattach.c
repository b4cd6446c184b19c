// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/jattach.c - HotSpot's dynamic attach protocol in C: load an agent into a running JVM or run
 * a jcmd command in it, also when the JVM runs in a container (see runtimes/java/jattach.h for the protocol).
 *
 * The conversation itself runs in a forked child that takes the JVM's uid/gid, because HotSpot
 * only answers peers with its own credentials (or root, since JDK 11) and a user-namespaced JVM
 * sees our root as "nobody"; the child also keeps seteuid games out of a multithreaded recorder.
 * Files are created in the JVM's directories through O_PATH descriptors opened with
 * RESOLVE_IN_ROOT, so a container's symlinks cannot send our root writes to host paths, and
 * the JVM's files are read through lib/rootfs.h, so they cannot block us or show us others' files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtimes/java/jattach.h"
#include "lib/procfs.h"
#include "lib/rootfs.h"

#define ARG_MAX_LEN 1024      /* HotSpot's limit per argument in protocol 1 */
#define REPLY_MAX (16u << 20) /* a reply larger than this is cut */
#define POLL_MS 20
#define AGENT_COPY "libbpfprof-agent.so"

enum child_exit {
	CHILD_OK = 0,
	CHILD_CREDS = 64,
	CHILD_CONNECT,
	CHILD_IO
};

/* One attach session: the target and its directories, as O_PATH descriptors. */
struct attach {
	struct jvm_target t;
	int rootfd, tmpfd;
	char sock_name[32];    /* ".java_pidNSPID", relative to tmpfd */
	char trigger_name[32]; /* ".attach_pidNSPID" */
	int trigger_dirfd;     /* where we created the trigger, -1 if none */
	int timeout_ms;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- /proc ---- */

static enum jvm_kind maps__kind(pid_t pid, int *err)
{
	char path[64], *line = NULL;
	enum jvm_kind kind = JVM_NOT_JVM;
	bool openj9 = false;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		*err = -errno;
		return JVM_NOT_JVM;
	}
	while (getline(&line, &cap, f) > 0) {
		if (strstr(line, "/libjvm.so\n"))
			kind = JVM_HOTSPOT;
		if (strstr(line, "/libj9vm"))
			openj9 = true;
	}
	free(line);
	fclose(f);
	*err = 0;
	return kind == JVM_HOTSPOT && openj9 ? JVM_OPENJ9 : kind;
}

/* HotSpot names its threads: "VM Thread" runs in every HotSpot JVM. */
static bool threads__hotspot(pid_t pid)
{
	char path[64], comm[32];
	struct dirent *d;
	bool found = false;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && !found && (d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/comm", (int)pid, d->d_name);
		f = d->d_name[0] != '.' ? fopen(path, "re") : NULL;
		found = f && fgets(comm, sizeof(comm), f) && !strcmp(comm, "VM Thread\n");
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return found;
}

/*
 * /proc/PID/maps refused: not being root is the usual reason. As root, the kernel still refuses
 * a process that holds capabilities we lack or that a security module guards (a sandbox's init);
 * its thread names still tell whether it is a JVM at all, which is what the user needs to know.
 */
static int maps__explain(pid_t pid, int e, char *err, size_t err_len)
{
	char *comm = procfs__read(pid, "comm", NULL);

	if (comm)
		comm[strcspn(comm, "\n")] = '\0';
	if (e == -ENOENT || e == -ESRCH) {
		snprintf(err, err_len, "no process %d: check the pid (pgrep -a java)", (int)pid);
		e = -ESRCH;
	} else if (geteuid() != 0) {
		snprintf(err, err_len, "cannot read /proc/%d/maps: %s; run as root", (int)pid,
			 strerror(-e));
	} else if (!threads__hotspot(pid)) {
		snprintf(
			err, err_len,
			"process %d (%s) is not a JVM: it has no HotSpot 'VM Thread' (find JVMs with pgrep -a java)",
			(int)pid, comm ? comm : "?");
		e = -ENOEXEC;
	} else {
		snprintf(
			err, err_len,
			"JVM %d cannot be inspected even as root (/proc/%d/maps: %s): it holds capabilities we lack, or a security module guards it; start it with -agentpath:libbpfprof-agent.so",
			(int)pid, (int)pid, strerror(-e));
	}
	free(comm);
	return e;
}

int jvm__inspect(pid_t pid, struct jvm_target *t, char *err, size_t err_len)
{
	char *status;
	const char *sig;
	int e = 0;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	status = pid > 0 ? procfs__read(pid, "status", NULL) : NULL;
	if (!status) {
		snprintf(err, err_len, "no process %d: check the pid (pgrep -a java)", (int)pid);
		return -ESRCH;
	}
	t->nspid = procfs__nspid(status);
	t->uid = procfs__effective_id(status, "Uid:");
	t->gid = procfs__effective_id(status, "Gid:");
	sig = procfs__field(status, "SigCgt:");
	t->sigcgt = sig ? strtoull(sig, NULL, 16) : 0;
	free(status);
	t->kind = maps__kind(pid, &e);
	if (e)
		return maps__explain(pid, e, err, err_len);
	if (t->kind == JVM_NOT_JVM) {
		snprintf(err, err_len, "process %d is not a JVM (no libjvm.so mapped)", (int)pid);
		return -ENOEXEC;
	}
	if (t->kind == JVM_OPENJ9) {
		snprintf(
			err, err_len,
			"JVM %d is OpenJ9, not HotSpot: restart it with -Xjit:perfTool to get /tmp/perf-PID.map",
			(int)pid);
		return -ENOTSUP;
	}
	return 0;
}

/* ---- flags ---- */

int jvm__scan_flag(const char *args, size_t len, const char *seps, const char *flag, int current)
{
	size_t flen = strlen(flag);
	const char *p = args, *end = args + len;

	while (p < end) {
		size_t tok = 0;

		while (p < end && strchr(seps, *p) && *p)
			p++;
		while (p + tok < end && p[tok] && !strchr(seps, p[tok]))
			tok++;
		if (tok == 5 + flen && !strncmp(p, "-XX:", 4) && (p[4] == '+' || p[4] == '-') &&
		    !strncmp(p + 5, flag, flen))
			current = p[4] == '+';
		p += tok ? tok : 1;
	}
	return current;
}

/* The value of NAME=... in a NUL-separated environ block, or NULL. */
static const char *environ__get(const char *env, size_t len, const char *name)
{
	size_t nlen = strlen(name);

	for (const char *p = env; p < env + len; p += strlen(p) + 1)
		if (!strncmp(p, name, nlen) && p[nlen] == '=')
			return p + nlen + 1;
	return NULL;
}

int jvm__bool_flag(pid_t pid, const char *flag)
{
	static const char *const ws = " \t\n";
	size_t env_len = 0, cmd_len = 0;
	char *env = procfs__read(pid, "environ", &env_len);
	char *cmd = procfs__read(pid, "cmdline", &cmd_len);
	const char *v;
	int val = -1;

	if (env && (v = environ__get(env, env_len, "JAVA_TOOL_OPTIONS")))
		val = jvm__scan_flag(v, strlen(v), ws, flag, val);
	if (env && (v = environ__get(env, env_len, "JDK_JAVA_OPTIONS")))
		val = jvm__scan_flag(v, strlen(v), ws, flag, val);
	if (cmd)
		val = jvm__scan_flag(cmd, cmd_len, "", flag, val);
	if (env && (v = environ__get(env, env_len, "_JAVA_OPTIONS")))
		val = jvm__scan_flag(v, strlen(v), ws, flag, val);
	free(env);
	free(cmd);
	return val;
}

/* ---- replies ---- */

int jvm__parse_reply(const char *reply, int *status, const char **body)
{
	char *end;
	long v;

	if (!reply)
		return -EBADMSG;
	v = strtol(reply, &end, 10);
	if (end == reply || (*end && *end != '\n'))
		return -EBADMSG;
	*status = (int)v;
	*body = *end ? end + 1 : end;
	return 0;
}

/* Copy text into err on one line: newlines become "; ", trailing blanks go. */
static void one_line(char *dst, size_t len, const char *prefix, const char *text)
{
	size_t n = snprintf(dst, len, "%s", prefix);

	for (const char *p = text; *p && n + 3 < len; p++) {
		if (*p == '\n') {
			if (n > 0 && dst[n - 1] == '.')
				n--; /* "was not loaded.; reason" reads badly */
			if (p[1] && p[1] != '\n')
				n += snprintf(dst + n, len - n, "; ");
		} else if (*p != '\r') {
			dst[n++] = *p;
		}
	}
	if (n < len)
		dst[n] = '\0';
	while (n > 0 && n < len && (dst[n - 1] == ' ' || dst[n - 1] == ';'))
		dst[--n] = '\0';
}

/* The agent's return code from a status-0 load body; false when the body is a message. */
static bool load__return_code(const char *body, int *rc)
{
	char *end;

	if (!strncmp(body, "return code: ", 13))
		body += 13;
	*rc = (int)strtol(body, &end, 10);
	return end != body && (*end == '\0' || *end == '\n');
}

int jvm__parse_load_reply(const char *reply, char *err, size_t err_len)
{
	const char *body;
	int status, rc = 0;

	if (jvm__parse_reply(reply, &status, &body)) {
		if (!reply || !*reply)
			snprintf(err, err_len,
				 "the JVM closed the attach connection without answering");
		else
			one_line(err, err_len, "unexpected attach reply: ", reply);
		return -EIO;
	}
	if (status != 0) {
		if (*body)
			one_line(err, err_len, "the JVM could not load the agent: ", body);
		else
			snprintf(err, err_len, "the JVM could not load the agent (status %d)",
				 status);
		return -EIO;
	}
	if (!*body)
		return 0;
	if (!load__return_code(body, &rc)) {
		one_line(err, err_len, "the JVM could not load the agent: ", body);
		return -EIO;
	}
	if (rc != 0) {
		snprintf(err, err_len,
			 "Agent_OnAttach returned %d: the agent's reason is on the JVM's stderr",
			 rc);
		return -EIO;
	}
	return 0;
}

/* ---- the JVM's directories ---- */

static int attach__open(struct attach *a, pid_t pid, char *err, size_t err_len)
{
	char path[64];
	int e;

	a->rootfd = a->tmpfd = a->trigger_dirfd = -1;
	e = jvm__inspect(pid, &a->t, err, err_len);
	if (e)
		return e;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	a->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	e = a->rootfd < 0 ? -errno : rootfs__open_dir(a->rootfd, "/tmp");
	if (e < 0) {
		snprintf(err, err_len, "cannot open /tmp of JVM %d: %s; run as root", (int)pid,
			 strerror(-e));
		return e;
	}
	a->tmpfd = e;
	snprintf(a->sock_name, sizeof(a->sock_name), ".java_pid%d", (int)a->t.nspid);
	snprintf(a->trigger_name, sizeof(a->trigger_name), ".attach_pid%d", (int)a->t.nspid);
	return 0;
}

static void attach__close(struct attach *a)
{
	if (a->trigger_dirfd >= 0)
		unlinkat(a->trigger_dirfd, a->trigger_name, 0);
	close_fd(&a->trigger_dirfd);
	close_fd(&a->tmpfd);
	close_fd(&a->rootfd);
}

/* The JVM's socket exists and belongs to it (not planted by someone else). */
static bool attach__socket_ready(const struct attach *a)
{
	struct stat st;

	return fstatat(a->tmpfd, a->sock_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISSOCK(st.st_mode) && st.st_uid == a->t.uid;
}

/*
 * Create the trigger file in dirfd, owned by the JVM's user (JDK 8 insists). The directory may be
 * the JVM user's to write: a FIFO planted under the name must not block us (O_NONBLOCK), and
 * anything there that is not a regular file is left alone.
 */
static bool attach__create_trigger(struct attach *a, int dirfd)
{
	int fd = openat(dirfd, a->trigger_name,
			O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EEXIST;
		return false;
	}
	/* Failing means we are not root: then the file is ours, the JVM's user anyway. */
	(void)!fchown(fd, a->t.uid, a->t.gid);
	close(fd);
	a->trigger_dirfd = dirfd;
	return true;
}

/*
 * A JVM starting up catches SIGQUIT only once its signal handling is set up (a loaded host can
 * take seconds): wait for that up to the timeout. 0 when it catches SIGQUIT, -ESRCH when it is
 * gone, -EPERM when it still does not (-Xrs).
 */
static int attach__await_sigquit(struct attach *a)
{
	long long deadline = now_ms() + a->timeout_ms;
	const char *sig;
	char *status;

	while (!(a->t.sigcgt & (1ULL << (SIGQUIT - 1)))) {
		if (now_ms() >= deadline)
			return -EPERM;
		usleep(POLL_MS * 1000);
		status = procfs__read(a->t.pid, "status", NULL);
		if (!status || !procfs__alive(a->t.pid)) {
			free(status);
			return -ESRCH;
		}
		sig = procfs__field(status, "SigCgt:");
		a->t.sigcgt = sig ? strtoull(sig, NULL, 16) : 0;
		free(status);
	}
	return 0;
}

/* Ask the JVM to start its attach listener: trigger file in its cwd (else /tmp), then SIGQUIT. */
static int attach__trigger(struct attach *a, char *err, size_t err_len)
{
	char path[64];
	int cwdfd, e;

	if (jvm__bool_flag(a->t.pid, "DisableAttachMechanism") == 1) {
		snprintf(
			err, err_len,
			"attach is disabled in this JVM (-XX:+DisableAttachMechanism): restart it without the flag, or with -agentpath:libbpfprof-agent.so");
		return -EPERM;
	}
	e = attach__await_sigquit(a);
	if (e == -ESRCH)
		snprintf(err, err_len, "JVM %d exited during the attach", (int)a->t.pid);
	else if (e)
		snprintf(
			err, err_len,
			"JVM %d does not catch SIGQUIT (started with -Xrs, or still starting), so attaching would kill it: start it with -agentpath:libbpfprof-agent.so",
			(int)a->t.pid);
	if (e)
		return e;
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)a->t.pid);
	cwdfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwdfd >= 0 && !attach__create_trigger(a, cwdfd))
		close(cwdfd);
	if (a->trigger_dirfd < 0) {
		int tmp = dup(a->tmpfd);

		if (tmp < 0 || !attach__create_trigger(a, tmp)) {
			if (tmp >= 0)
				close(tmp);
			snprintf(err, err_len, "cannot create %s in the cwd or /tmp of JVM %d: %s",
				 a->trigger_name, (int)a->t.pid, strerror(errno));
			return -errno;
		}
	}
	if (kill(a->t.pid, SIGQUIT)) {
		snprintf(err, err_len, "cannot signal JVM %d: %s; run as root or as its user",
			 (int)a->t.pid, strerror(errno));
		return -errno;
	}
	return 0;
}

/* ---- the conversation ---- */

static bool write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* In the forked child: become the JVM's user, connect, send, copy the reply to out. */
static void __attribute__((noreturn))
attach__child(const struct attach *a, const char *req, size_t len, int out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[8192];
	ssize_t n;
	int s;

	if (setgroups(0, NULL) && errno != EPERM)
		_exit(CHILD_CREDS);
	if (setresgid(a->t.gid, a->t.gid, a->t.gid) || setresuid(a->t.uid, a->t.uid, a->t.uid))
		_exit(CHILD_CREDS);
	memcpy(sa.sun_path, a->sock_name, strlen(a->sock_name) + 1);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || fchdir(a->tmpfd) || connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		_exit(CHILD_CONNECT);
	if (!write_all(s, req, len))
		_exit(CHILD_IO);
	while ((n = read(s, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && !write_all(out, buf, n))
			_exit(CHILD_IO);
	_exit(n < 0 ? CHILD_IO : CHILD_OK);
}

/* Read the child's pipe until EOF or the deadline; the reply is NUL-terminated. */
static int attach__collect(int fd, long long deadline, char **reply, size_t *size)
{
	FILE *mem = open_memstream(reply, size);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[8192];
	int err = 0;

	if (!mem)
		return -ENOMEM;
	for (;;) {
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (*size + n <= REPLY_MAX)
			fwrite(buf, 1, n, mem);
	}
	fclose(mem);
	return err;
}

static int attach__child_status(pid_t child, bool kill_it)
{
	int st = 0;

	if (kill_it)
		kill(child, SIGKILL);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st))
		return -EIO;
	switch (WEXITSTATUS(st)) {
	case CHILD_OK:
		return 0;
	case CHILD_CREDS:
		return -EPERM;
	case CHILD_CONNECT:
		return -ECONNREFUSED;
	default:
		return -EIO;
	}
}

/* One request/reply. -ECONNREFUSED when nobody listens yet (the caller may keep waiting). */
static int attach__converse(const struct attach *a, const char *req, size_t len, char **reply)
{
	long long deadline = now_ms() + a->timeout_ms;
	size_t size = 0;
	int pfd[2], err, cerr;
	pid_t child;

	*reply = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	child = fork();
	if (child < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (child == 0)
		attach__child(a, req, len, pfd[1]);
	close(pfd[1]);
	err = attach__collect(pfd[0], deadline, reply, &size);
	close(pfd[0]);
	cerr = attach__child_status(child, err == -ETIMEDOUT);
	if (!err)
		err = cerr;
	if (err) {
		free(*reply);
		*reply = NULL;
	}
	return err;
}

/* "1\0cmd\0a0\0a1\0a2\0" into buf; its length, or -E2BIG. */
static int attach__request(char *buf, size_t cap, const char *cmd, const char *const args[3])
{
	const char *parts[5] = { "1", cmd, args[0], args[1], args[2] };
	size_t len = 0;

	for (int i = 0; i < 5; i++) {
		const char *s = parts[i] ? parts[i] : "";
		size_t n = strlen(s) + 1;

		if (n > ARG_MAX_LEN || len + n > cap)
			return -E2BIG;
		memcpy(buf + len, s, n);
		len += n;
	}
	return (int)len;
}

/* -ESRCH when the JVM is gone, else -ETIMEDOUT; err says which. */
static int attach__timeout_error(const struct attach *a, char *err, size_t err_len)
{
	if (!procfs__alive(a->t.pid)) {
		snprintf(err, err_len, "JVM %d exited during the attach", (int)a->t.pid);
		return -ESRCH;
	}
	snprintf(
		err, err_len,
		"JVM %d did not open /tmp/%s within %d ms: it may still be starting or be started with -XX:+DisableAttachMechanism; retry with a longer --timeout, or start it with -agentpath:libbpfprof-agent.so",
		(int)a->t.pid, a->sock_name, a->timeout_ms);
	return -ETIMEDOUT;
}

/* Connect (starting the JVM's attach listener if needed), send req, return the reply. */
static int attach__execute(struct attach *a, const char *req, size_t len, char **reply, char *err,
			   size_t err_len)
{
	long long deadline = now_ms() + a->timeout_ms;
	bool triggered = false;
	int e = -ECONNREFUSED;

	for (;;) {
		if (attach__socket_ready(a)) {
			e = attach__converse(a, req, len, reply);
			if (e != -ECONNREFUSED)
				break;
		}
		if (!triggered) {
			e = attach__trigger(a, err, err_len);
			if (e)
				return e;
			triggered = true;
			continue;
		}
		if (now_ms() >= deadline || !procfs__alive(a->t.pid))
			return attach__timeout_error(a, err, err_len);
		usleep(POLL_MS * 1000);
	}
	if (e == -ETIMEDOUT)
		snprintf(
			err, err_len,
			"JVM %d accepted the attach but did not answer within %d ms; retry with a longer --timeout",
			(int)a->t.pid, a->timeout_ms);
	else if (e == -EPERM)
		snprintf(err, err_len, "cannot take the uid/gid %u/%u of JVM %d; run as root",
			 a->t.uid, a->t.gid, (int)a->t.pid);
	else if (e)
		snprintf(err, err_len, "attach conversation with JVM %d failed: %s", (int)a->t.pid,
			 strerror(-e));
	return e;
}

static int jvm__command(pid_t pid, const char *cmd, const char *const args[3], int timeout_ms,
			char **reply, char *err, size_t err_len)
{
	struct attach a = { .timeout_ms = timeout_ms > 0 ? timeout_ms : JVM_ATTACH_TIMEOUT_MS };
	char req[5 * ARG_MAX_LEN];
	int len, e;

	len = attach__request(req, sizeof(req), cmd, args);
	if (len < 0) {
		snprintf(
			err, err_len,
			"attach argument longer than %d bytes; use a shorter path or fewer options",
			ARG_MAX_LEN - 1);
		return len;
	}
	e = attach__open(&a, pid, err, err_len);
	if (!e)
		e = attach__execute(&a, req, len, reply, err, err_len);
	attach__close(&a);
	return e;
}

/* ---- the agent file, as the JVM must see it ---- */

static bool mode_allows(const struct stat *st, uid_t uid, gid_t gid, mode_t u, mode_t g, mode_t o)
{
	if (st->st_uid == uid)
		return st->st_mode & u;
	if (st->st_gid == gid)
		return st->st_mode & g;
	return st->st_mode & o;
}

/* Can uid:gid read path (every directory searchable, the file readable)? */
static bool path_readable_by(const char *path, uid_t uid, gid_t gid)
{
	char prefix[PATH_MAX];
	struct stat st;

	if (uid == 0)
		return true;
	for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - path), path);
		if (stat(prefix, &st) || !mode_allows(&st, uid, gid, S_IXUSR, S_IXGRP, S_IXOTH))
			return false;
	}
	return stat(path, &st) == 0 && mode_allows(&st, uid, gid, S_IRUSR, S_IRGRP, S_IROTH);
}

/* Is path, opened inside the JVM's root, the very file we have? */
static bool visible_in_root(int rootfd, const char *path)
{
	static const struct rootfs_policy any = { 0, ROOTFS_ANY_OWNER, 0 };
	struct stat ours, theirs;
	int fd = rootfs__open(rootfd, path, &any);
	bool same;

	if (fd < 0)
		return false;
	same = fstat(fd, &theirs) == 0 && stat(path, &ours) == 0 && ours.st_dev == theirs.st_dev &&
	       ours.st_ino == theirs.st_ino;
	close(fd);
	return same;
}

static bool same_content(int a, int b)
{
	char x[16384], y[16384];
	ssize_t n, m;

	do {
		n = read(a, x, sizeof(x));
		m = n > 0 ? read(b, y, n) : read(b, y, 1);
		if (n != m || (n > 0 && memcmp(x, y, n)))
			return false;
	} while (n > 0);
	return n == 0;
}

static int copy_fd(int from, int to)
{
	char buf[16384];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (!write_all(to, buf, n))
			return -errno;
	return n < 0 ? -errno : 0;
}

/*
 * Put our agent at the JVM's /tmp/libbpfprof-agent.so (kept when identical: one copy per JVM).
 * A copy there is kept only if root or the JVM's user owns it: in a /tmp shared with other
 * users, someone else's identical file could be changed between our check and the JVM's load.
 */
static int agent__copy_in(const struct attach *a, const char *path)
{
	struct rootfs_policy mine = { 0, a->t.uid, 0 };
	char tmpname[64];
	int src, dst, e = 0;

	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	dst = rootfs__open(a->tmpfd, AGENT_COPY, &mine);
	if (dst >= 0 && same_content(src, dst))
		goto out_close;
	close_fd(&dst);
	snprintf(tmpname, sizeof(tmpname), AGENT_COPY ".%d", (int)getpid());
	unlinkat(a->tmpfd, tmpname, 0);
	dst = openat(a->tmpfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (dst < 0 || lseek(src, 0, SEEK_SET) < 0) {
		e = -errno;
		goto out_close;
	}
	e = copy_fd(src, dst);
	if (!e && (fchmod(dst, 0644) || renameat(a->tmpfd, tmpname, a->tmpfd, AGENT_COPY)))
		e = -errno;
	if (e)
		unlinkat(a->tmpfd, tmpname, 0);
out_close:
	close_fd(&dst);
	close(src);
	return e;
}

/*
 * The agent path to send: ours when the JVM sees and can read it, else a copy in its /tmp, which
 * *copy then identifies (st_ino 0: no copy).
 */
static int agent__path_for(const struct attach *a, const char *agent, char *out, size_t len,
			   struct stat *copy, char *err, size_t err_len)
{
	char real[PATH_MAX];
	int e;

	copy->st_ino = 0;
	if (!realpath(agent, real)) {
		e = -errno;
		snprintf(err, err_len, "agent %s: %s; build it with make or pass --agent PATH",
			 agent, strerror(errno));
		return e;
	}
	if (visible_in_root(a->rootfd, real) && path_readable_by(real, a->t.uid, a->t.gid)) {
		snprintf(out, len, "%s", real);
		return 0;
	}
	e = agent__copy_in(a, real);
	if (e) {
		snprintf(err, err_len, "cannot copy the agent into /tmp of JVM %d: %s",
			 (int)a->t.pid, strerror(-e));
		return e;
	}
	if (fstatat(a->tmpfd, AGENT_COPY, copy, AT_SYMLINK_NOFOLLOW))
		copy->st_ino = 0;
	snprintf(out, len, "/tmp/" AGENT_COPY);
	return 0;
}

/*
 * Once the JVM answered, it has the agent mapped (or failed to), so the copy goes: nothing of ours
 * stays in a container's /tmp. A request that timed out may still reach the JVM; its load then
 * fails, which beats leaving the file. Only the file we used is removed, never a newer one.
 */
static void agent__remove_copy(const struct attach *a, const struct stat *copy)
{
	struct stat st;

	if (copy->st_ino && !fstatat(a->tmpfd, AGENT_COPY, &st, AT_SYMLINK_NOFOLLOW) &&
	    st.st_dev == copy->st_dev && st.st_ino == copy->st_ino)
		unlinkat(a->tmpfd, AGENT_COPY, 0);
}

/* ---- the public commands ---- */

int jvm__load_agent(pid_t pid, const char *agent_path, const char *options, int timeout_ms,
		    char *err, size_t err_len)
{
	struct attach a = { .timeout_ms = timeout_ms > 0 ? timeout_ms : JVM_ATTACH_TIMEOUT_MS };
	char path[PATH_MAX], req[5 * ARG_MAX_LEN], *reply = NULL;
	const char *args[3] = { path, "true", options };
	struct stat copy = { 0 };
	int e, len;

	e = attach__open(&a, pid, err, err_len);
	if (!e)
		e = agent__path_for(&a, agent_path, path, sizeof(path), &copy, err, err_len);
	if (!e) {
		len = attach__request(req, sizeof(req), "load", args);
		if (len < 0) {
			snprintf(err, err_len,
				 "agent path or options longer than %d bytes; shorten them",
				 ARG_MAX_LEN - 1);
			e = len;
		}
	}
	if (!e)
		e = attach__execute(&a, req, len, &reply, err, err_len);
	if (!e)
		e = jvm__parse_load_reply(reply, err, err_len);
	agent__remove_copy(&a, &copy);
	free(reply);
	attach__close(&a);
	return e;
}

int jvm__jcmd(pid_t pid, const char *command, char **output, int timeout_ms, char *err,
	      size_t err_len)
{
	const char *args[3] = { command, NULL, NULL };
	const char *body;
	char *reply = NULL;
	int e, status;

	*output = NULL;
	e = jvm__command(pid, "jcmd", args, timeout_ms, &reply, err, err_len);
	if (e)
		return e;
	if (jvm__parse_reply(reply, &status, &body)) {
		one_line(err, err_len, "unexpected jcmd reply: ", reply ? reply : "(nothing)");
		e = -EIO;
	} else if (status != 0) {
		one_line(err, err_len, "jcmd failed in the JVM: ", body);
		e = -EIO;
	} else {
		*output = strdup(body);
	}
	free(reply);
	return e;
}

int jvm__default_agent(char *path, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(path, len, "%s/libbpfprof-agent.so", exe) >= len)
		return -ENAMETOOLONG;
	return access(path, R_OK) ? -errno : 0;
}
