// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ksyms.c - kallsyms parsing and lookup on a fixture (text symbols only, modules named,
 * hidden addresses refused), then on the running kernel's /proc/kallsyms.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "symbolize/ksyms.h"

static const char fixture[] = "ffffffff81000000 T _stext\n"
			      "ffffffff81000100 t do_one\n"
			      "ffffffff81000180 D some_data\n" /* data: never names code */
			      "ffffffff81000200 W weak_fn\n"
			      "ffffffffc0001000 t ext4_fill_super\t[ext4]\n"
			      "ffffffffc0001100 T ext4_sync_fs\t[ext4]\n"
			      "garbage line\n";

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_ksyms.XXXXXX");
	fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return NULL;
	close(fd);
	return path;
}

static void check_sym(struct ksyms *ks, unsigned long long addr, const char *name, const char *mod)
{
	const struct ksym *k = ksyms__find(ks, addr);
	char what[96];

	snprintf(what, sizeof(what), "%#llx is %s", addr, name);
	check_str(k ? k->name : NULL, name, what);
	snprintf(what, sizeof(what), "%#llx is in %s", addr, mod);
	check_str(k ? k->module : NULL, mod, what);
}

int main(void)
{
	char *path = write_tmp(fixture);
	struct ksyms *ks = ksyms__load(path);
	const char zeros[] = "0000000000000000 T _stext\n0000000000000000 t foo\n";

	check(ks != NULL, "load fixture");
	check_int(ksyms__count(ks), 5, "text symbols kept, data and garbage skipped");
	check_sym(ks, 0xffffffff81000150, "do_one", "[kernel.kallsyms]");
	check_sym(ks, 0xffffffff81000190, "do_one", "[kernel.kallsyms]");
	check_sym(ks, 0xffffffff81000200, "weak_fn", "[kernel.kallsyms]");
	check_sym(ks, 0xffffffffc0001050, "ext4_fill_super", "[ext4]");
	check_sym(ks, 0xffffffffc0001100, "ext4_sync_fs", "[ext4]");
	check(ksyms__find(ks, 0x1000) == NULL, "below the first symbol: nothing");
	ksyms__free(ks);
	unlink(path);

	path = write_tmp(zeros);
	ks = ksyms__load(path);
	check(!ks && errno == EPERM, "all-zero addresses (kptr_restrict) refused with EPERM");
	unlink(path);
	ksyms__free(NULL);

	ks = ksyms__load("/proc/kallsyms");
	check(ks && ksyms__count(ks) > 10000, "the running kernel has >10000 text symbols (%zu)",
	      ksyms__count(ks));
	check(ksyms__load("/nonexistent") == NULL && errno == ENOENT, "missing file: ENOENT");
	ksyms__free(ks);
	return check_done();
}
