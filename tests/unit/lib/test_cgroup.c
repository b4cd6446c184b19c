// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_cgroup.c - container ids, pod uids and units from cgroup paths as Docker, containerd (with
 * the systemd and cgroupfs drivers), CRI-O, Podman and systemd write them; and our own cgroup.
 */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/cgroup.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1a2b3c4d-0000-4111-8222-123456789abc"
#define UID_ "1a2b3c4d_0000_4111_8222_123456789abc"

static void test_paths(void)
{
	static const struct {
		const char *path, *container, *pod, *unit;
	} rows[] = {
		{ "/system.slice/docker-" ID ".scope", ID, "", "" },
		{ "/docker/" ID, ID, "", "" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		  ".slice/cri-containerd-" ID ".scope",
		  ID, UID, "" },
		{ "/kubepods/besteffort/pod" UID "/" ID, ID, UID, "" },
		{ "/machine.slice/libpod-" ID ".scope/container", ID, "", "" },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", ID, UID, "" },
		{ "/system.slice/nginx.service", "", "", "nginx.service" },
		{ "/user.slice/user-1000.slice/session-3.scope", "", "", "session-3.scope" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/a.service", "", "",
		  "a.service" },
		{ "/", "", "", "" },
		{ "", "", "", "" },
		{ "/system.slice/docker-0123.scope", "", "", "docker-0123.scope" },
		{ "/podman/pod12", "", "", "" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cgroup_ids ids;

		cgroup__ids(rows[i].path, &ids);
		check(!strcmp(ids.container_id, rows[i].container), "container of row %zu: '%s'", i,
		      ids.container_id);
		check(!strcmp(ids.pod_uid, rows[i].pod), "pod of row %zu: '%s'", i, ids.pod_uid);
		check(!strcmp(ids.unit, rows[i].unit), "unit of row %zu: '%s'", i, ids.unit);
	}
}

static void test_self(void)
{
	char buf[512];

	check_int(cgroup__of_pid(getpid(), buf, sizeof(buf)), 0, "our own cgroup v2 path");
	check(buf[0] == '/', "starts with / (%s)", buf);
	check(cgroup__of_pid(-1, buf, sizeof(buf)) < 0, "no such pid");
}

int main(void)
{
	test_paths();
	test_self();
	return check_done();
}
