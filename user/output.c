// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * output.c - write a result file all at once or not at all (see record.h).
 *
 * The file is created as a hidden temporary beside its final name before recording starts, so
 * an unwritable path fails before any work, and renamed into place only after a complete write:
 * a crash or an error never leaves half a profile under the name the user asked for.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "record.h"

int output__open(struct output *o, const char *path)
{
	char *dcopy, *bcopy;
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return fprintf(stderr, "bpfprof: cannot write %s: it is a directory; give a file name, e.g. %s/profile.folded\n", path, path), -EISDIR;
	dcopy = strdup(path);
	bcopy = strdup(path);
	o->path = strdup(path);
	if (!dcopy || !bcopy || !o->path ||
	    asprintf(&o->tmp, "%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy)) < 0)
		o->tmp = NULL;
	free(dcopy);
	free(bcopy);
	if (!o->tmp)
		return -ENOMEM;
	fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
		int err = errno;

		fprintf(stderr, "bpfprof: cannot write %s: %s; choose another -o path\n", path, strerror(err));
		if (fd >= 0)
			close(fd), unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -err;
	}
	return 0;
}

int output__commit(struct output *o)
{
	int err = 0;

	if (!o->f)
		return -EBADF;
	if (o->f != stdout)
		(void)fchmod(fileno(o->f), 0644);	/* mkstemp made it 0600 */
	if (fflush(o->f))
		err = -errno;
	if (o->f != stdout && fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && o->tmp && rename(o->tmp, o->path))
		err = -errno;
	if (err) {
		fprintf(stderr, "bpfprof: cannot write %s: %s\n", o->path ? o->path : "stdout", strerror(-err));
		output__abort(o);
		return err;
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void output__abort(struct output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}
