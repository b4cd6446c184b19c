/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * procfs.h - reading a process's /proc files: the whole file at once, and the fields of
 * /proc/PID/status ("Tgid:", "NSpid:", "Uid:", ...). Shared by the recorder, the symbolizer and
 * the JVM attacher, which all need a pid's namespace pid, process id or credentials.
 */
#ifndef BPFPROF_PROCFS_H
#define BPFPROF_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* The whole of /proc/PID/what, NUL-terminated, malloc'd; NULL with errno. len may be NULL. */
char *procfs__read(pid_t pid, const char *what, size_t *len);

/* In status text, the text right after "key" at the start of a line, or NULL. */
const char *procfs__field(const char *status, const char *key);

/*
 * The pid in the process's own (innermost) pid namespace: the last number of "NSpid:", or
 * "Pid:" on kernels without NSpid; 0 when neither is there.
 */
pid_t procfs__nspid(const char *status);

/*
 * The effective id of a "Uid:" or "Gid:" line (real, effective, saved, fs): the id the process
 * acts and creates files as. The real id if only one is there, 0 if none.
 */
unsigned procfs__effective_id(const char *status, const char *key);

#endif /* BPFPROF_PROCFS_H */
