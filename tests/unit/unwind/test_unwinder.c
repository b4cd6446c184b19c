/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * test_unwinder.c - unwind/unwinder.c with real BPF maps (run as root) and real processes: a
 * child running /bin/sleep is added, its entry in unwind_procs holds its mappings with libc's
 * rows, which are the rows unwind_table.c builds from libc, copied into the array; a second
 * process and an exec share the tables (nothing built again); removal drops the entry and keeps
 * the table idle; an array too small for libc leaves libc without rows and the rest in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "check.h"
#include "symbolize/procmaps.h"
#include "unwind/unwind_table.h"
#include "unwind/unwinder.h"

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

static pid_t spawn_sleep(void)
{
	char exe[64], link[256];
	pid_t pid = fork();
	ssize_t n;

	if (pid == 0) {
		execl("/bin/sleep", "sleep", "10", (char *)NULL);
		_exit(127);
	}
	/* wait for the exec, then for ld.so to map libc (the maps before the exec have it too) */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 200; i++) {
		n = readlink(exe, link, sizeof(link) - 1);
		if (n > 0 && (link[n] = 0, strstr(link, "sleep")))
			break;
		usleep(10000);
	}
	for (int i = 0; i < 200; i++) {
		struct procmaps *pm = procmaps__read(pid);
		bool libc = false;

		for (size_t j = 0; pm && j < pm->n; j++)
			libc |= strstr(pm->e[j].path, "libc.so.6") != NULL;
		procmaps__free(pm);
		if (libc)
			break;
		usleep(10000);
	}
	usleep(50000); /* and for it to be done with relocations */
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

struct maps {
	int rows, procs;
};

static int maps__new(struct maps *m, uint32_t capacity)
{
	LIBBPF_OPTS(bpf_map_create_opts, ro, .map_flags = BPF_F_MMAPABLE);
	LIBBPF_OPTS(bpf_map_create_opts, po, .map_flags = BPF_F_NO_PREALLOC);

	m->rows = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rows", 4, sizeof(struct unwind_row), capacity,
				 &ro);
	m->procs =
		bpf_map_create(BPF_MAP_TYPE_HASH, "procs", 4, sizeof(struct unwind_proc), 64, &po);
	return m->rows >= 0 && m->procs >= 0 ? 0 : -errno;
}

static void maps__close(struct maps *m)
{
	close(m->rows);
	close(m->procs);
}

/* The entry's mapping of libc, checked against libc's own table. */
static void check_libc_rows(const struct maps *m, pid_t pid)
{
	struct unwind_proc *v = calloc(1, sizeof(*v));
	struct unwind_table *t = NULL;
	const struct unwind_map *libc = NULL;
	struct procmaps *pm = procmaps__read(pid);
	__u32 key = pid;
	bool same = true;
	int fd = open(LIBC, O_RDONLY);

	check(v && !bpf_map_lookup_elem(m->procs, &key, v), "the child has an unwind_procs entry");
	check(fd >= 0 && !unwind_table__build(fd, NULL, &t), "libc's table builds on its own");
	for (size_t i = 0; pm && v && i < pm->n; i++)
		if (strstr(pm->e[i].path, "libc.so.6"))
			for (__u32 j = 0; j < v->nmaps; j++)
				if (v->maps[j].start == pm->e[i].start && v->maps[j].nrows)
					libc = &v->maps[j];
	if (check(libc && t && libc->nrows == t->n, "its libc mapping has libc's %zu rows",
		  t ? t->n : 0)) {
		for (__u32 i = 0; i < t->n && same; i += 997) {
			struct unwind_row r;
			__u32 idx = libc->first_row + i;

			same = !bpf_map_lookup_elem(m->rows, &idx, &r) &&
			       !memcmp(&r, &t->rows[i], sizeof(r));
		}
		check(same, "the array holds them, in order, from first_row");
	}
	for (__u32 j = 1; v && j < v->nmaps; j++)
		if (v->maps[j - 1].start >= v->maps[j].start)
			same = false;
	check(same, "the entry's mappings are sorted by start");
	if (fd >= 0)
		close(fd);
	unwind_table__free(t);
	procmaps__free(pm);
	free(v);
}

static void test_shared(void)
{
	struct unwinder_stats st, st2;
	struct unwinder *u;
	struct maps m;
	pid_t a, b;
	__u32 key;
	struct unwind_proc *v = calloc(1, sizeof(*v));

	if (!check(!maps__new(&m, 200000), "BPF maps created (root)"))
		return;
	u = unwinder__new(m.rows, 200000, m.procs);
	if (!check(u != NULL, "unwinder on them"))
		return;
	a = spawn_sleep();
	check_int(unwinder__add_process(u, a, false), 0, "add a process running sleep");
	unwinder__stats(u, &st);
	check(st.processes == 1 && st.tables >= 3 && st.rows > 28000,
	      "one process, %llu tables, %llu rows", (unsigned long long)st.tables,
	      (unsigned long long)st.rows);
	check_libc_rows(&m, a);
	check_int(unwinder__add_process(u, a, true), 0, "read again (as after an exec)");
	b = spawn_sleep();
	check_int(unwinder__add_process(u, b, false), 0, "add a second sleep");
	unwinder__stats(u, &st2);
	check(st2.built == st.built && st2.processes == 2, "nothing built again (%llu builds)",
	      (unsigned long long)st2.built);
	unwinder__remove_process(u, a);
	unwinder__remove_process(u, b);
	unwinder__remove_process(u, 999999); /* unknown: nothing happens */
	unwinder__stats(u, &st2);
	key = a;
	check(st2.processes == 0 && bpf_map_lookup_elem(m.procs, &key, v) && errno == ENOENT,
	      "removed: no entries left");
	check(st2.tables == st.tables, "tables stay while idle (%llu)",
	      (unsigned long long)st2.tables);
	reap(a);
	reap(b);
	unwinder__free(u);
	maps__close(&m);
	free(v);
}

/* Too small for libc: libc has no rows (no room), what fits is there, nothing breaks. */
static void test_no_room(void)
{
	struct unwinder_stats st;
	struct unwinder *u;
	struct maps m;
	pid_t a;

	if (maps__new(&m, 20000))
		return;
	u = unwinder__new(m.rows, 20000, m.procs);
	if (!check(u != NULL, "a 20000-row unwinder"))
		return;
	a = spawn_sleep();
	check_int(unwinder__add_process(u, a, false), 0, "add sleep to it");
	unwinder__stats(u, &st);
	check(st.no_room >= 1 && st.tables >= 2 && st.rows <= 20000,
	      "libc did not fit (%llu without room), %llu others did (%llu rows)",
	      (unsigned long long)st.no_room, (unsigned long long)st.tables,
	      (unsigned long long)st.rows);
	unwinder__remove_process(u, a);
	reap(a);
	unwinder__free(u);
	unwinder__free(NULL);
	maps__close(&m);
}

/* The entry's mapping of the file whose path ends in name, or NULL. */
static const struct unwind_map *entry_map(struct maps *m, pid_t pid, struct unwind_proc *v,
					  const char *name)
{
	struct procmaps *pm = procmaps__read(pid);
	const struct unwind_map *found = NULL;
	__u32 key = pid;

	if (!pm || bpf_map_lookup_elem(m->procs, &key, v)) {
		procmaps__free(pm);
		return NULL;
	}
	for (size_t i = 0; i < pm->n && !found; i++) {
		const char *base = strrchr(pm->e[i].path, '/');

		for (__u32 j = 0; base && !strcmp(base + 1, name) && j < v->nmaps && !found; j++)
			if (v->maps[j].start == pm->e[i].start)
				found = &v->maps[j];
	}
	procmaps__free(pm);
	return found;
}

/*
 * Deferred: adding builds nothing new (libc's table, built at the start, is in the entry at
 * once; sleep's is queued), and unwinder__build_next() builds sleep's and updates the entry.
 */
static void test_deferred(void)
{
	struct unwind_proc *v = calloc(1, sizeof(*v));
	const struct unwind_map *mp;
	struct unwinder_stats st, st2;
	struct unwinder *u;
	struct maps m;
	size_t left, steps = 0;
	pid_t a;

	if (!v || maps__new(&m, 200000)) {
		free(v);
		return;
	}
	u = unwinder__new(m.rows, 200000, m.procs);
	if (!check(u != NULL, "a deferred unwinder"))
		goto out_maps;
	unwinder__set_deferred(u, true);
	unwinder__stats(u, &st);
	a = spawn_sleep();
	check_int(unwinder__add_process(u, a, false), 0, "add sleep: deferred");
	unwinder__stats(u, &st2);
	check(st2.built == st.built && st2.processes == 1, "nothing built yet (%llu builds)",
	      (unsigned long long)st2.built);
	mp = entry_map(&m, a, v, "libc.so.6");
	check(mp && mp->nrows > 28000, "libc's rows are in the entry at once");
	mp = entry_map(&m, a, v, "sleep");
	check(mp && !mp->nrows, "sleep's mapping is there, without rows (frame-pointer steps)");
	while ((left = unwinder__build_next(u)) && steps < 100)
		steps++;
	unwinder__stats(u, &st2);
	check(st2.built > st.built, "build_next built the queued tables (%llu)",
	      (unsigned long long)(st2.built - st.built));
	mp = entry_map(&m, a, v, "sleep");
	check(mp && mp->nrows > 0, "sleep's rows are in the entry now (%u)", mp ? mp->nrows : 0);
	check_int((int)unwinder__build_next(u), 0, "nothing left to build");
	unwinder__remove_process(u, a);
	reap(a);
	unwinder__free(u);
out_maps:
	maps__close(&m);
	free(v);
}

int main(void)
{
	test_shared();
	test_no_room();
	test_deferred();
	return check_done();
}
