// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_elf_syms.c - ELF symbols on the fixture binaries (tests/fixtures/syms.c): PIE and
 * non-PIE, a stripped copy whose symbols come from a .gnu_debuglink file, one whose symbols
 * come from DEBUG_DIR/.build-id, C++ demangling (short and full names), and bad input (not ELF, empty, truncated).
 * Expected addresses come from nm(1) on the unstripped binary, an independent reader.
 * Aliases (several names at one address): a library built here from a C source with local,
 * weak, global and versioned aliases, and the system's libc, whose every exported function
 * must be named by one of its exported names (nm -D), never an internal __GI_ alias.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "nm.h"
#include "symbolize/elf_syms.h"

static char fixdir[512];

static struct elf_syms *load_path(const char *path, const char *debug_dir)
{
	struct elf_load_opts o = { path, -1, debug_dir };
	struct elf_syms *es;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	es = elf_syms__load(fd, &o);
	close(fd);
	return es;
}

/* A fixture by its file name under fixdir. */
static struct elf_syms *load(const char *file, const char *debug_dir)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", fixdir, file);
	return load_path(path, debug_dir);
}

/* The functions of the fixture, found at their nm address and a few bytes in. */
static void check_fixture_syms(struct elf_syms *es, const char *what)
{
	static const char *const names[][2] = {
		{ "fixture_alpha", "fixture_alpha" },
		{ "fixture_beta", "fixture_beta" },
		{ "_ZN7fixture5Gamma6methodEi", "fixture::Gamma::method" },
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

/* The short name by default (symbolize/demangle.h); full_names keeps the parameters. */
static void test_full_names(void)
{
	char path[1024];
	struct elf_load_opts o = { path, -1, NULL, NULL, true };
	unsigned long long a;
	struct elf_syms *es;
	int fd;

	snprintf(path, sizeof(path), "%s/syms_pie", fixdir);
	a = nm_addr(path, "_ZN7fixture5Gamma6methodEi");
	fd = open(path, O_RDONLY);
	es = elf_syms__load(fd, &o);
	close(fd);
	check_str(elf_syms__find(es, a + 2), "fixture::Gamma::method(int)",
		  "full_names: the demangled name whole");
	check_str(elf_syms__find(es, nm_addr(path, "fixture_alpha")), "fixture_alpha",
		  "full_names: a C name as it is");
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

/*
 * Each rule decides one address: without it, the names' underscores and lengths (the last
 * tie-breakers) would pick the wrong one. ___impl_one (local), __GI_one (local: hidden
 * visibility), one_weak_longer_name (weak), one (global). two_local_longest_name (local),
 * two_w (weak). __GI_three (global, internal), three_w (weak). api_impl (global, no version),
 * __api@@VER_2 (global, default version), api_compat_longer@VER_1 (hidden version). ___impl_five
 * and __GI___impl_five, both local and internal: __GI_ loses. __GI___only_six alone (ld.so's
 * __GI___tunables_init in its debug file): named without the prefix, __only_six.
 */
static const char alias_src[] =
	"__attribute__((used, noinline)) static int ___impl_one(int x) { return x * 3 + 1; }\n"
	"extern int __GI_one(int) __attribute__((alias(\"___impl_one\"), visibility(\"hidden\")));\n"
	"extern int one_weak_longer_name(int) __attribute__((weak, alias(\"___impl_one\")));\n"
	"extern int one(int) __attribute__((alias(\"___impl_one\")));\n"
	"__attribute__((used, noinline)) static int two_local_longest_name(int x) { return x * 5; }\n"
	"extern int two_w(int) __attribute__((weak, alias(\"two_local_longest_name\")));\n"
	"__attribute__((used, noinline)) int __GI_three(int x) { return x * 7 + 3; }\n"
	"extern int three_w(int) __attribute__((weak, alias(\"__GI_three\")));\n"
	"__attribute__((used, noinline)) int api_impl(int x) { return x * 9 + 4; }\n"
	"__asm__(\".symver api_impl,api_compat_longer@VER_1\");\n"
	"__asm__(\".symver api_impl,__api@@VER_2\");\n"
	"__attribute__((used, noinline)) static int ___impl_five(int x) { return x * 11 + 5; }\n"
	"extern int __GI___impl_five(int) __attribute__((alias(\"___impl_five\"), "
	"visibility(\"hidden\")));\n"
	"__attribute__((used, noinline)) static int __GI___only_six(int x) { return x * 13 + 6; }\n";

static void check_aliases(const char *so, const char *unstripped, const char *what)
{
	static const char *const want[][2] = {
		{ "one", "one" },
		{ "two_w", "two_w" },
		{ "three_w", "three_w" },
		{ "api_impl", "__api" },
		{ "___impl_five", "___impl_five" },
		{ "__GI___only_six", "__only_six" },
	};
	struct elf_syms *es = load_path(so, "/nonexistent");
	bool dynsym = strcmp(so, unstripped);
	char desc[256];
	size_t i;

	check(es != NULL, "%s: load the alias library", what);
	/* the last two rows have local names only, which .dynsym does not hold */
	for (i = 0; i < sizeof(want) / sizeof(want[0]) - 2 * dynsym; i++) {
		unsigned long long a = nm_addr(unstripped, want[i][0]);

		check(a != 0, "nm finds %s", want[i][0]);
		snprintf(desc, sizeof(desc), "%s: %s's address named %s", what, want[i][0],
			 want[i][1]);
		check_str(elf_syms__find(es, a + 1), want[i][1], desc);
	}
	elf_syms__free(es);
}

static void test_aliases(void)
{
	char dir[64], cmd[1024], so[128], unstripped[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/test_elf_alias.%d", getpid());
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	check(system(cmd) == 0, "%s", cmd);
	snprintf(cmd, sizeof(cmd), "%s/al.c", dir);
	f = fopen(cmd, "w");
	fputs(alias_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/al.map", dir);
	f = fopen(cmd, "w");
	fputs("VER_1 { };\nVER_2 { } VER_1;\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && cc -O0 -shared -fPIC -Wl,--version-script=al.map al.c -o al.so && "
		 "cp al.so al_stripped.so && strip al_stripped.so",
		 dir);
	check(system(cmd) == 0, "build a library with aliases: %s", cmd);
	/* .symtab spells versions into names; .dynsym keeps them in .gnu.version */
	snprintf(unstripped, sizeof(unstripped), "%s/al.so", dir);
	check_aliases(unstripped, unstripped, "aliases from .symtab");
	snprintf(so, sizeof(so), "%s/al_stripped.so", dir);
	check_aliases(so, unstripped, "aliases from .dynsym + .gnu.version");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	check(system(cmd) == 0, "%s", cmd);
}

/* The path of the libc this test runs with, from /proc/self/maps. */
static bool libc_path(char *out, size_t len)
{
	char line[1024], path[900];
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %*s %*s %*s %899s", path) == 1 &&
			strstr(path, "/libc.so.6") && snprintf(out, len, "%s", path) > 0;
	if (f)
		fclose(f);
	return found;
}

/*
 * Every function libc exports (nm -D): the name found at its address must be one nm -D lists
 * at that address, and the well-known ones must be named as perf names them from .dynsym.
 */
static void check_libc(struct elf_syms *es, const char *libc, const char *what)
{
	static const char *const want[][2] = {
		{ "malloc", "malloc" },
		{ "write", "write" },
		{ "read", "read" },
		{ "pread64", "__libc_pread" },
		{ "pthread_mutex_lock", "pthread_mutex_lock" },
		{ "free", "free" },
	};
	char cmd[1200], line[512], name[256], type, prev_name[256] = "", names[4096] = "";
	unsigned long long addr, prev = 0, checked = 0, bad = 0;
	size_t i;
	FILE *p;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(cmd, sizeof(cmd),
			 "nm -D --defined-only --without-symbol-versions %s | awk '$3 == \"%s\" "
			 "{ print $1; exit }'",
			 libc, want[i][0]);
		p = popen(cmd, "r");
		addr = 0;
		if (p && fscanf(p, "%llx", &addr) != 1)
			addr = 0;
		if (p)
			pclose(p);
		check(addr != 0, "nm -D finds %s", want[i][0]);
		snprintf(name, sizeof(name), "%s: %s's address", what, want[i][0]);
		check_str(elf_syms__find(es, addr + 1), want[i][1], name);
	}
	/* sorted by address, so one address's names come together */
	snprintf(cmd, sizeof(cmd),
		 "nm -D --defined-only --without-symbol-versions %s | awk '$2 ~ /^[TtWwi]$/' | "
		 "sort -u",
		 libc);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (addr != prev && prev) {
			const char *got = elf_syms__find(es, prev);

			checked++;
			if (!got || !strstr(names, got) || !strncmp(got, "__GI_", 5)) {
				if (!bad++)
					snprintf(prev_name, sizeof(prev_name),
						 "%s at %#llx named %s", names, prev,
						 got ? got : "(null)");
			}
			names[0] = '\0';
		}
		prev = addr;
		if (strlen(names) + strlen(name) + 3 < sizeof(names))
			strcat(strcat(strcat(names, " "), name), " ");
	}
	if (p)
		pclose(p);
	check(checked > 1000 && bad == 0,
	      "%s: %llu exported addresses, %llu named by other than an exported name (first: %s)",
	      what, checked, bad, prev_name);
}

static void test_libc(void)
{
	char libc[900];
	struct elf_syms *es;

	if (!libc_path(libc, sizeof(libc)))
		return (void)check(0, "find libc.so.6 in /proc/self/maps");
	es = load_path(libc, NULL);
	check(es != NULL, "load %s (symbols from %s)", libc, elf_syms__source(es));
	check_libc(es, libc, elf_syms__source(es));
	elf_syms__free(es);
	es = load_path(libc, "/nonexistent");
	check_libc(es, libc, elf_syms__source(es));
	elf_syms__free(es);
}

int main(void)
{
	const char *build = getenv("BUILD");

	snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures", build ? build : "build");
	test_pie_and_nopie();
	test_full_names();
	test_debug_files();
	test_bad_input();
	test_corrupted();
	test_aliases();
	test_libc();
	return check_done();
}
