/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/agent_file.h - the path of our agent as a JVM must see it, for a "load" request.
 *
 * A JVM in a container, or running as a user who cannot read our build directory, gets a copy at
 * its /tmp/libbpfprof-agent.so (kept when identical and owned by root or the JVM's user). Once the
 * JVM answered, agent__remove_copy deletes that copy, and only it, never a newer file.
 */
#ifndef BPFPROF_JAVA_AGENT_FILE_H
#define BPFPROF_JAVA_AGENT_FILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "runtimes/java/attach_conn.h"

/*
 * The agent path to send for agent (ours when the JVM sees and can read it, else a copy in its
 * /tmp, which *copy then identifies; st_ino 0: no copy). 0 or -errno with one line in err.
 */
int agent__path_for(const struct attach *a, const char *agent, char *out, size_t len,
		    struct stat *copy, char *err, size_t err_len);
/* Remove the copy agent__path_for made, if the file there is still that copy. */
void agent__remove_copy(const struct attach *a, const struct stat *copy);

#endif /* BPFPROF_JAVA_AGENT_FILE_H */
