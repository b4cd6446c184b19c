// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_procmaps.c - /proc/PID/maps parsing: executable mappings only, odd paths (spaces,
 * deleted files, memfd, vdso, anonymous), lookup at the edges, the live maps of this test, and
 * snapshots of one process merged into one table (what an exited process keeps).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "symbolize/procmaps.h"

static const char fixture[] =
	"55d0a0000000-55d0a0001000 r--p 00000000 fd:01 1234    /usr/bin/prog\n"
	"55d0a0001000-55d0a0005000 r-xp 00001000 fd:01 1234    /usr/bin/prog\n"
	"7f0000000000-7f0000100000 r-xp 00028000 fd:01 99      /opt/my app/lib with space.so\n"
	"7f0000200000-7f0000210000 r-xp 00000000 00:01 77      /memfd:jit (deleted)\n"
	"7f0000300000-7f0000400000 rwxp 00000000 00:00 0 \n"
	"7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0       [vdso]\n"
	"not a maps line\n"
	"7f0000500000-7f0000400000 r-xp 00000000 00:00 0       [backwards]\n";

static struct procmaps *parse(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct procmaps *pm = procmaps__parse(f);

	fclose(f);
	return pm;
}

/* Newest first: an old mapping stays unless a newer one overlaps it. */
static void check_merge(void)
{
	static const struct {
		uint64_t addr;
		const char *path; /* NULL: not mapped */
	} want[] = {
		{ 0x1000, "/new/prog" },     /* both had it: the newest wins */
		{ 0x3000, "/old/gone.so" },  /* dlclose'd since: still there for old samples */
		{ 0x5000, "/new/later.so" }, /* dlopen'ed since */
		{ 0x7800, "/new/over.so" },  /* newer over older, partly */
		{ 0x7100, NULL },	     /* the older one's uncovered rest goes too */
		{ 0x9000, NULL },
	};
	struct procmaps *snaps[2], *m;
	const struct map_entry *e;
	size_t i;

	snaps[0] = parse("1000-2000 r-xp 0 fd:01 1 /new/prog\n"
			 "5000-6000 r-xp 0 fd:01 3 /new/later.so\n"
			 "7800-8000 r-xp 0 fd:01 5 /new/over.so\n");
	snaps[1] = parse("1000-2000 r-xp 0 fd:01 9 /old/prog\n"
			 "3000-4000 r-xp 0 fd:01 2 /old/gone.so\n"
			 "7000-7900 r-xp 0 fd:01 4 /old/under.so\n");
	m = procmaps__merge(snaps, 2);
	check(m && m->n == 4, "merge: 4 of 6 mappings kept (%zu)", m ? m->n : 0);
	for (i = 0; m && i < sizeof(want) / sizeof(want[0]); i++) {
		e = procmaps__find(m, want[i].addr);
		check(want[i].path ? e && !strcmp(e->path, want[i].path) : !e, "merge: %#llx is %s",
		      (unsigned long long)want[i].addr, want[i].path ? want[i].path : "unmapped");
	}
	check(snaps[0]->n == 0 && snaps[1]->n == 0, "merge: the snapshots are left empty");
	procmaps__free(snaps[0]);
	procmaps__free(snaps[1]);
	procmaps__free(m);
}

int main(void)
{
	FILE *f = fmemopen((void *)fixture, sizeof(fixture) - 1, "r");
	struct procmaps *pm = procmaps__parse(f);
	const struct map_entry *e;

	fclose(f);
	check(pm != NULL, "parse fixture");
	check_int(pm ? pm->n : 0, 5, "five executable mappings");
	e = procmaps__find(pm, 0x55d0a0001000);
	check_str(e ? e->path : NULL, "/usr/bin/prog", "first byte of the text mapping");
	check_int(e ? e->offset : 0, 0x1000, "its file offset");
	check(procmaps__find(pm, 0x55d0a0005000) == NULL, "end is exclusive");
	check(procmaps__find(pm, 0x55d0a0000100) == NULL, "read-only mapping skipped");
	e = procmaps__find(pm, 0x7f0000000010);
	check_str(e ? e->path : NULL, "/opt/my app/lib with space.so", "path with spaces");
	check(e && !map_entry__is_anon(e), "a library is not anonymous");
	e = procmaps__find(pm, 0x7f0000200010);
	check(e && map_entry__is_anon(e), "memfd JIT code counts as anonymous");
	e = procmaps__find(pm, 0x7f0000300010);
	check(e && map_entry__is_anon(e) && !e->path[0], "anonymous rwx mapping, empty path");
	e = procmaps__find(pm, 0x7ffd00000010);
	check_str(e ? e->path : NULL, "[vdso]", "vdso");
	procmaps__free(pm);
	procmaps__free(NULL);

	pm = procmaps__read(getpid());
	e = pm ? procmaps__find(pm, (unsigned long)main) : NULL;
	check(e && strstr(e->path, "test_procmaps"), "live: main() lies in our own binary (%s)",
	      e ? e->path : "none");
	procmaps__free(pm);
	check(procmaps__read(999999999) == NULL && errno == ESRCH, "no such pid: ESRCH");
	check_merge();
	return check_done();
}
