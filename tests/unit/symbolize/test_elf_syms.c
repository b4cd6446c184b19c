// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_elf_syms.c - ELF symbols on the fixture binaries (tests/fixtures/syms.c): PIE and
 * non-PIE, a stripped copy whose symbols come from a .gnu_debuglink file, one whose symbols
 * come from DEBUG_DIR/.build-id, C++ demangling, and bad input (not ELF, empty, truncated).
 * Expected addresses come from nm(1) on the unstripped binary, an independent reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "nm.h"
#include "symbolize/elf_syms.h"

static char fixdir[512];

static struct elf_syms *load(const char *file, const char *debug_dir)
{
	char path[1024];
	struct elf_load_opts o = { path, -1, debug_dir };
	struct elf_syms *es;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fixdir, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	es = elf_syms__load(fd, &o);
	close(fd);
	return es;
}

/* The functions of the fixture, found at their nm address and a few bytes in. */
static void check_fixture_syms(struct elf_syms *es, const char *what)
{
	static const char *const names[][2] = {
		{ "fixture_alpha", "fixture_alpha" },
		{ "fixture_beta", "fixture_beta" },
		{ "_ZN7fixture5Gamma6methodEi", "fixture::Gamma::method(int)" },
		{ "main", "main" },
	};
	char path[1024], desc[256];
	size_t i;

	snprintf(path, sizeof(path), "%s/syms_pie", fixdir);
	for (i = 0; i < 4; i++) {
		unsigned long long a = nm_addr(path, names[i][0]);

		snprintf(desc, sizeof(desc), "%s: %s at nm address + 2", what, names[i][1]);
		check(a != 0, "nm finds %s", names[i][0]);
		check_str(elf_syms__find(es, a + 2), names[i][1], desc);
	}
}

static void test_pie_and_nopie(void)
{
	struct elf_syms *es = load("syms_pie", NULL);
	char path[1024];
	unsigned long long a;
	uint64_t v = 0;

	check(es != NULL, "load PIE fixture");
	check_str(elf_syms__source(es), "symtab", "PIE symbols from .symtab");
	check(elf_syms__build_id(es) && strlen(elf_syms__build_id(es)) == 40, "build-id read (%s)",
	      elf_syms__build_id(es));
	check_fixture_syms(es, "PIE");
	elf_syms__free(es);

	es = load("syms_nopie", NULL);
	snprintf(path, sizeof(path), "%s/syms_nopie", fixdir);
	a = nm_addr(path, "fixture_alpha");
	check(a >= 0x400000, "non-PIE links at 0x400000 or above (%#llx)", a);
	check(elf_syms__vaddr(es, a - 0x400000, &v) && v == a,
	      "non-PIE: file offset %#llx maps to vaddr %#llx (got %#llx)", a - 0x400000, a,
	      (unsigned long long)v);
	check_str(elf_syms__find(es, v), "fixture_alpha", "non-PIE lookup by converted offset");
	elf_syms__free(es);
}

static void test_debug_files(void)
{
	char dbg[1024];
	struct elf_syms *es = load("syms_stripped", NULL);

	check(es && strstr(elf_syms__source(es), "syms_stripped.debug"),
	      "stripped binary: symbols from its .gnu_debuglink file (%s)", elf_syms__source(es));
	check_fixture_syms(es, "debuglink");
	elf_syms__free(es);

	snprintf(dbg, sizeof(dbg), "%s/debug", fixdir);
	es = load("syms_buildid", dbg);
	check(es && strstr(elf_syms__source(es), ".build-id/"),
	      "stripped binary: symbols from DEBUG_DIR/.build-id (%s)", elf_syms__source(es));
	check_fixture_syms(es, "build-id");
	elf_syms__free(es);

	es = load("syms_buildid", "/nonexistent");
	check(es && !strcmp(elf_syms__source(es), "dynsym"),
	      "no debug file found: falls back to .dynsym (%s)", elf_syms__source(es));
	elf_syms__free(es);
}

static void test_bad_input(void)
{
	char path[1024], cmd[2200];
	int fd = open("/proc/self/status", O_RDONLY);

	errno = 0;
	check(!elf_syms__load(fd, NULL) && errno == ENOEXEC, "a text file: ENOEXEC");
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	check(!elf_syms__load(fd, NULL), "an empty file: NULL");
	close(fd);
	snprintf(path, sizeof(path), "/tmp/test_elf_trunc.%d", getpid());
	snprintf(cmd, sizeof(cmd), "head -c 3000 %s/syms_pie > %s", fixdir, path);
	check(system(cmd) == 0, "make a truncated ELF");
	fd = open(path, O_RDONLY);
	elf_syms__free(elf_syms__load(fd, NULL)); /* must not crash; result may be empty */
	check(1, "a truncated ELF does not crash");
	close(fd);
	unlink(path);
	elf_syms__free(NULL);
}

/* Flip bytes of a real binary, fixed seed: every variant loads or fails cleanly, never crashes. */
static void test_corrupted(void)
{
	char src[1024], path[64];
	unsigned char *buf;
	long size, i, loaded = 0;
	FILE *f;
	int round, fd;

	snprintf(src, sizeof(src), "%s/syms_pie", fixdir);
	snprintf(path, sizeof(path), "/tmp/test_elf_fuzz.%d", getpid());
	f = fopen(src, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0)
		return (void)check(0, "read the fixture for corruption");
	buf = malloc(size);
	rewind(f);
	size = fread(buf, 1, size, f);
	fclose(f);
	srand(42);
	for (round = 0; round < 300; round++) {
		unsigned char *copy = malloc(size);
		struct elf_syms *es;

		memcpy(copy, buf, size);
		for (i = 0; i < 1 + round % 16; i++) /* headers get hit often: they are small */
			copy[rand() % (round % 2 ? 512 : size)] = rand();
		f = fopen(path, "wb");
		fwrite(copy, 1, size, f);
		fclose(f);
		fd = open(path, O_RDONLY);
		es = elf_syms__load(fd, NULL);
		loaded += es != NULL;
		if (es) {
			uint64_t v;

			elf_syms__vaddr(es, 0x1100, &v);
			elf_syms__find(es, 0x1100);
		}
		elf_syms__free(es);
		close(fd);
		free(copy);
	}
	unlink(path);
	free(buf);
	check(1, "300 corrupted copies of a binary: no crash (%ld still loaded)", loaded);
}

int main(void)
{
	const char *build = getenv("BUILD");

	snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures", build ? build : "build");
	test_pie_and_nopie();
	test_debug_files();
	test_bad_input();
	test_corrupted();
	return check_done();
}
