// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpfstats.c - BPF run-time statistics for `make bench`, without touching the host's settings.
 *
 *   bpfstats hold         turn BPF run-time statistics on by holding a BPF_ENABLE_STATS fd, say
 *                         "holding" on stdout, and keep them on until killed or stdin closes; the
 *                         kernel turns them off again when the last such fd is closed, so the
 *                         global kernel.bpf_stats_enabled sysctl is never written
 *   bpfstats progs PID... one line per BPF program a process holds, found by the ids its open
 *                         fds name (/proc/PID/fdinfo/N "prog_id:", programs and links alike) and
 *                         read by id: "PID ID TYPE NAME RUN_TIME_NS RUN_CNT"
 *
 * Reading by id from the process's own fds means a benchmark counts that tool's programs and
 * never another user's program that happens to have the same type or name.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_IDS 4096

static int hold(void)
{
	char buf[64];
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd < 0) {
		fprintf(stderr, "bpfstats: BPF_ENABLE_STATS: %s (needs root, kernel 5.8+)\n",
			strerror(errno));
		return 1;
	}
	printf("holding\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	/* stdin at EOF (e.g. /dev/null): wait for the signal that ends us */
	for (;;)
		pause();
}

static int add_id(unsigned *ids, int n, unsigned id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return n;
	if (n < MAX_IDS)
		ids[n++] = id;
	return n;
}

/* The prog ids named by PID's fds, each once. */
static int pid_prog_ids(int pid, unsigned *ids)
{
	char path[300], line[256];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned id;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* closed meanwhile */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &id) == 1)
				n = add_id(ids, n, id);
		fclose(f);
	}
	closedir(d);
	return n;
}

static void print_prog(int pid, unsigned id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	const char *type;
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return; /* unloaded since its fd was seen */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		type = libbpf_bpf_prog_type_str(info.type);
		printf("%d %u %s %s %llu %llu\n", pid, id, type ? type : "unknown",
		       info.name[0] ? info.name : "-", (unsigned long long)info.run_time_ns,
		       (unsigned long long)info.run_cnt);
	}
	close(fd);
}

static int progs(int argc, char **argv)
{
	static unsigned ids[MAX_IDS];
	int err = 0;

	for (int i = 0; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		int n;

		if (*end || pid <= 0) {
			fprintf(stderr, "bpfstats: '%s' is not a pid\n", argv[i]);
			return 2;
		}
		n = pid_prog_ids((int)pid, ids);
		if (n < 0) {
			fprintf(stderr, "bpfstats: process %ld: %s\n", pid, strerror(-n));
			err = 1;
			continue;
		}
		for (int j = 0; j < n; j++)
			print_prog((int)pid, ids[j]);
	}
	fflush(stdout);
	return err;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	if (argc >= 3 && !strcmp(argv[1], "progs"))
		return progs(argc - 2, argv + 2);
	fprintf(stderr, "usage: bpfstats hold | bpfstats progs PID...\n");
	return 2;
}
