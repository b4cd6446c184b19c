/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/attach_conn.h - one conversation with a HotSpot JVM's attach listener, the layer
 * under jattach.h's commands.
 *
 * attach__open inspects the JVM and opens its root and /tmp as O_PATH descriptors;
 * attach__execute sends one encoded request (protocol.h), starting the listener first when its
 * socket is not there (trigger file in the JVM's cwd or /tmp, then SIGQUIT, never to a process
 * that does not catch it); attach__close removes the trigger and closes everything, also after
 * a failed open. Errors are -errno with one line in err, as in jattach.h.
 */
#ifndef BPFPROF_JAVA_ATTACH_CONN_H
#define BPFPROF_JAVA_ATTACH_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtimes/java/jattach.h"

/* One attach session: the target and its directories, as O_PATH descriptors. */
struct attach {
	struct jvm_target t;
	int rootfd, tmpfd;
	char sock_name[32];    /* ".java_pidNSPID", relative to tmpfd */
	char trigger_name[32]; /* ".attach_pidNSPID" */
	int trigger_dirfd;     /* where we created the trigger, -1 if none */
	int timeout_ms;
};

/* timeout_ms 0: JVM_ATTACH_TIMEOUT_MS. Call attach__close whatever this returns. */
int attach__open(struct attach *a, pid_t pid, int timeout_ms, char *err, size_t err_len);
/* Send req (len bytes) and return the JVM's reply in *reply (malloc'd, NUL-terminated). */
int attach__execute(struct attach *a, const char *req, size_t len, char **reply, char *err,
		    size_t err_len);
void attach__close(struct attach *a);

/* write(2) until done; false on error (errno set). */
bool attach__write_all(int fd, const char *p, size_t len);

#endif /* BPFPROF_JAVA_ATTACH_CONN_H */
