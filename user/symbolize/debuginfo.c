// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/debuginfo.c - finding a binary's separate debug file (see symbolize/debuginfo.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/rootfs.h"
#include "symbolize/debuginfo.h"

static void debuginfo__read_build_id(struct debuginfo_ids *ids, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off, i;
	GElf_Nhdr nh;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *desc = (const unsigned char *)data->d_buf + desc_off;

		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 || nh.n_descsz > 20 ||
		    memcmp((const char *)data->d_buf + name_off, "GNU", 4))
			continue;
		for (i = 0; i < nh.n_descsz; i++)
			sprintf(ids->build_id + 2 * i, "%02x", desc[i]);
		return;
	}
}

static void debuginfo__read_debuglink(struct debuginfo_ids *ids, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	if (data && data->d_size > 4 && memchr(data->d_buf, '\0', data->d_size))
		snprintf(ids->debuglink, sizeof(ids->debuglink), "%s", (const char *)data->d_buf);
}

void debuginfo__read_ids(struct debuginfo_ids *ids, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*ids = (struct debuginfo_ids){ 0 };
	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_NOTE && name && !strcmp(name, ".note.gnu.build-id"))
			debuginfo__read_build_id(ids, scn);
		else if (name && !strcmp(name, ".gnu_debuglink"))
			debuginfo__read_debuglink(ids, scn);
	}
}

/* The candidate at path inside rootfd, opened under the policy with flags, handed to fn. */
static int debuginfo__try(const struct debuginfo_where *w, int rootfd, const char *path,
			  unsigned flags, int (*fn)(int fd, const char *path, void *ctx), void *ctx)
{
	struct rootfs_policy pol = { DEBUGINFO_MAX_SIZE, ROOTFS_ANY_OWNER, flags };
	int fd = rootfs__open(rootfd, path, &pol), err;

	if (fd < 0) {
		if (rootfs__refused(fd) && w->refused)
			(*w->refused)++;
		return fd;
	}
	err = fn(fd, path, ctx);
	close(fd);
	return err;
}

/* Build-id tree first, then the debuglink beside and under debug_dir. A debuglink is a file
 * name: one holding a '/' is ignored. */
int debuginfo__find(const struct debuginfo_ids *ids, const struct debuginfo_where *w,
		    int (*fn)(int fd, const char *path, void *ctx), void *ctx)
{
	const char *dbg = w->debug_dir ? w->debug_dir : "/usr/lib/debug";
	char p[4096], dir[2048] = "";
	const char *slash;

	if (ids->build_id[0]) {
		snprintf(p, sizeof(p), "%s/.build-id/%.2s/%s.debug", dbg, ids->build_id,
			 ids->build_id + 2);
		if (!debuginfo__try(w, -1, p, ROOTFS_FOLLOW_LINK, fn, ctx))
			return 0;
		if (w->rootfd >= 0 && !debuginfo__try(w, w->rootfd, p, ROOTFS_FOLLOW_LINK, fn, ctx))
			return 0;
	}
	if (!ids->debuglink[0] || strchr(ids->debuglink, '/') || !w->path ||
	    !(slash = strrchr(w->path, '/')))
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - w->path), w->path);
	snprintf(p, sizeof(p), "%s/%s", dir, ids->debuglink);
	if (strcmp(ids->debuglink, slash + 1) &&
	    !debuginfo__try(w, w->rootfd, p, ROOTFS_NO_SYMLINKS, fn, ctx))
		return 0;
	snprintf(p, sizeof(p), "%s/.debug/%s", dir, ids->debuglink);
	if (!debuginfo__try(w, w->rootfd, p, ROOTFS_NO_SYMLINKS, fn, ctx))
		return 0;
	snprintf(p, sizeof(p), "%s%s/%s", dbg, dir, ids->debuglink);
	return debuginfo__try(w, -1, p, 0, fn, ctx) ? -ENOENT : 0;
}
