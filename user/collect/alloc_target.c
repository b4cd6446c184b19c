// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/alloc_target.c - find the binary whose malloc a process calls (see
 * collect/alloc_target.h): its mapped libc, else its executable if that defines malloc.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "collect/alloc_target.h"

static const char *const fn_names[ALLOC_FN_MAX] = {
	[ALLOC_MALLOC] = "malloc",     [ALLOC_CALLOC] = "calloc",
	[ALLOC_REALLOC] = "realloc",   [ALLOC_ALIGNED_ALLOC] = "aligned_alloc",
	[ALLOC_MEMALIGN] = "memalign", [ALLOC_POSIX_MEMALIGN] = "posix_memalign",
	[ALLOC_MMAP] = "mmap",
};

const char *alloc_fn__name(enum alloc_fn f)
{
	return f < ALLOC_FN_MAX ? fn_names[f] : NULL;
}

/* The defined functions among fn_names in one symbol table: their addresses (0: absent). */
static void symtab__scan(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, uint64_t *addr)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Sym sym;

	for (size_t i = 0; data && i < n; i++) {
		const char *name;

		if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value ||
		    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		     GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		for (int f = 0; name && f < ALLOC_FN_MAX; f++)
			if (!strcmp(name, fn_names[f]))
				addr[f] = sym.st_value;
	}
}

/* Read path's allocator symbols into t (aliases dropped) and whether it is dynamic. */
static int elf__scan(const char *path, struct alloc_target *t, bool *dynamic)
{
	uint64_t addr[ALLOC_FN_MAX] = {};
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Phdr ph;
	size_t nph = 0;
	Elf *elf;

	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out_close;
	}
	*dynamic = false;
	elf_getphdrnum(elf, &nph);
	for (size_t i = 0; i < nph; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_INTERP)
			*dynamic = true;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB))
			symtab__scan(elf, scn, &sh, addr);
	for (int f = 0; f < ALLOC_FN_MAX; f++) {
		bool alias = false;

		for (int g = 0; g < f; g++)
			alias |= addr[g] && addr[g] == addr[f];
		t->fn[f] = addr[f] && !alias ? fn_names[f] : NULL;
	}
	snprintf(t->path, sizeof(t->path), "%s", path);
out_close:
	elf_end(elf);
	close(fd);
	return err;
}

/* The libc that /proc/PID/maps (pid 0: our own) shows, through the process's root. */
static bool maps__libc(pid_t pid, char *out, size_t len)
{
	char path[64], line[4608];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), pid > 0 ? "/proc/%d/maps" : "/proc/self/maps", (int)pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *base;

		if (!file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		base = strrchr(file, '/') + 1;
		if (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5)) {
			if (pid > 0)
				snprintf(out, len, "/proc/%d/root%s", (int)pid, file);
			else
				snprintf(out, len, "%s", file);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* exe as execvp would find it. */
static bool path__resolve(const char *exe, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(exe, '/'))
		return snprintf(out, len, "%s", exe), true;
	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(out, len, "%.*s/%s", (int)n, n ? path : ".", exe);
		if (!access(out, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

int alloc_target__shim(const char *exe, char *path, size_t len)
{
	struct alloc_target t;
	char self[4096], prog[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool dynamic = false;
	struct stat st;
	char *slash;
	int e;

	if (n <= 0 || !path__resolve(exe, prog, sizeof(prog)) || stat(prog, &st) ||
	    (st.st_mode & (S_ISUID | S_ISGID)))
		return -ENOENT;
	/* a script (not ELF): its interpreter is dynamic, and LD_PRELOAD reaches it */
	e = elf__scan(prog, &t, &dynamic);
	if (e == -ENOEXEC)
		dynamic = true;
	else if (e || !dynamic)
		return -ENOENT;
	self[n] = '\0';
	slash = strrchr(self, '/');
	snprintf(path, len, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".",
		 ALLOC_SHIM_NAME);
	return access(path, R_OK) ? -ENOENT : 0;
}

void alloc_target__preload(const char *shim, uint64_t interval)
{
	const char *old = getenv("LD_PRELOAD");
	char buf[8192], num[32];

	snprintf(buf, sizeof(buf), "%s%s%s", shim, old && *old ? " " : "", old ? old : "");
	setenv("LD_PRELOAD", buf, 1);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)interval);
	setenv("BPFPROF_ALLOC_INTERVAL", num, 1);
}

int alloc_target__find(pid_t pid, const char *exe, struct alloc_target *t, char *err, size_t len)
{
	char path[4096], what[4200];
	bool dynamic = true;
	int e;

	memset(t, 0, sizeof(*t));
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	else if (exe && !path__resolve(exe, path, sizeof(path)))
		return snprintf(err, len, "cannot find '%s' on PATH", exe), -ENOENT;
	if (pid > 0)
		snprintf(what, sizeof(what), "process %d", (int)pid);
	else
		snprintf(what, sizeof(what), "'%s'", exe ? exe : "bpfprof");
	if (pid > 0 || exe) {
		e = elf__scan(path, t, &dynamic);
		if (e)
			return snprintf(err, len, "-e alloc: cannot read %s: %s", path,
					strerror(-e)),
			       e;
		if (!dynamic && t->fn[ALLOC_MALLOC])
			return 0; /* a static program with its own malloc */
		if (!dynamic)
			return snprintf(
				       err, len,
				       "-e alloc: %s is a static binary with no malloc symbol; its allocations cannot be probed (build it dynamically, or without stripping its symbols)",
				       what),
			       -ENOENT;
	}
	if (!maps__libc(pid > 0 ? pid : 0, path, sizeof(path)))
		return snprintf(
			       err, len,
			       "-e alloc: %s maps no libc; if it allocates through its own allocator, probe it with -e uprobe:PATH:SYMBOL",
			       what),
		       -ENOENT;
	e = elf__scan(path, t, &dynamic);
	if (!e && !t->fn[ALLOC_MALLOC])
		e = -ENOENT;
	if (e)
		return snprintf(err, len, "-e alloc: no malloc symbol in %s (%s)", path,
				strerror(-e)),
		       e;
	return 0;
}
