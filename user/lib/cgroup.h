/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/cgroup.h - what a cgroup v2 path says about who runs there: the container id (Docker,
 * containerd/CRI, CRI-O, Podman scopes and the cgroupfs driver's bare 64-hex directories), the
 * Kubernetes pod uid (kubepods...pod<uid>.slice or pod<uid>/, with systemd's '_' turned back into
 * '-'), and the systemd unit (the innermost *.service, else a *.scope that is not a container).
 * Pure string work: the path comes from /proc/PID/cgroup's "0::" line.
 */
#ifndef BPFPROF_CGROUP_H
#define BPFPROF_CGROUP_H

struct cgroup_ids {
	char container_id[65]; /* 64 hex, "" when none */
	char pod_uid[37];      /* 8-4-4-4-12, "" when none */
	char unit[128];	       /* "nginx.service", "" when none */
};

/* Fill ids from a cgroup path such as "/system.slice/docker-<id>.scope". */
void cgroup__ids(const char *path, struct cgroup_ids *ids);

/* The v2 path of pid ("0::/..." in /proc/PID/cgroup) into buf. 0 or -errno. */
int cgroup__of_pid(int pid, char *buf, unsigned long len);

#endif /* BPFPROF_CGROUP_H */
