/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/procfs.h - reading a process's /proc files: the whole file at once, the fields of
 * /proc/PID/status ("Tgid:", "NSpid:", "Uid:", ...) and the state and start time of
 * /proc/PID/stat. Shared by the recorder, the symbolizer and the JVM attacher, which all need a
 * pid's namespace pid, process id, credentials, or whether it is still the process they met.
 *
 * A pid names a process only for its lifetime: (pid, start time) names it for good.
 */
#ifndef BPFPROF_PROCFS_H
#define BPFPROF_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

struct procfs_stat {
	char state;		  /* 'R', 'S', ... 'Z' (zombie), 'X' (dead) */
	unsigned long long start; /* clock ticks after boot (field 22) */
};

/* Read /proc/PID/stat. 0, or -ESRCH when the process is gone. */
int procfs__stat(pid_t pid, struct procfs_stat *st);
/* Neither gone nor a zombie waiting to be reaped: there is something to sample or attach to. */
bool procfs__alive(pid_t pid);
/* A start time in ns after boot (as the kernel keeps it) in the clock ticks of field 22. */
unsigned long long procfs__ticks(uint64_t boot_ns);

#endif /* BPFPROF_PROCFS_H */
