/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/proc_info.h - who a sampled process is, for the labels a fleet filters by: its
 * executable path and cgroup (and from it the container id, pod uid and systemd unit), read
 * once when the BPF side reports the process (new or exec'd) while it is still alive.
 *
 * Entries are keyed by pid and replaced when the pid names another process (start time).
 * Exited processes are let go with the same epochs as the symbolizer's (see
 * symbolizer__new_epoch): proc_info__exit() stamps the epoch, proc_info__evict(before) frees.
 */
#ifndef BPFPROF_PROC_INFO_H
#define BPFPROF_PROC_INFO_H

#include <stddef.h>
#include <sys/types.h>
#include "lib/cgroup.h"

struct proc_info_entry {
	unsigned long long start; /* clock ticks after boot */
	char exe[256];		  /* as the process's own mount namespace names it, "" unknown */
	char cgroup[256];	  /* v2 path, "" unknown */
	struct cgroup_ids ids;
	unsigned long exit_epoch; /* 0: alive */
};

struct proc_info;

struct proc_info *proc_info__new(void);
/* Read pid's exe and cgroup now (new process or exec). */
void proc_info__seen(struct proc_info *pi, pid_t pid, unsigned long long start);
void proc_info__exit(struct proc_info *pi, pid_t pid, unsigned long long start,
		     unsigned long epoch);
/* What is known of pid, or NULL. */
const struct proc_info_entry *proc_info__get(const struct proc_info *pi, pid_t pid);
/* Free the entries of processes that exited in an epoch before `before`. Entries freed. */
size_t proc_info__evict(struct proc_info *pi, unsigned long before);
size_t proc_info__count(const struct proc_info *pi);
void proc_info__free(struct proc_info *pi);

#endif /* BPFPROF_PROC_INFO_H */
