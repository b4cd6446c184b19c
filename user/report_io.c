// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_io.c - open, read and atomically write the files of `report` and `diff`.
 *
 * Both commands turn folded files into another format; the rules for their files are the same
 * and live here: "-" is stdin/stdout, messages name the file and the fix, and OUT appears only
 * complete (written as OUT.tmp, renamed at the end).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folded.h"
#include "report_io.h"

int report__read(struct profile *p, const char *cmd, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *in = is_stdin ? stdin : fopen(path, "r");
	char err[512];
	int ret;

	if (!in) {
		ret = -errno;
		fprintf(stderr, "bpfprof %s: cannot read '%s': %s; check the path\n", cmd, path,
			strerror(errno));
		return ret;
	}
	ret = folded__read(p, in, is_stdin ? "<stdin>" : path, err, sizeof(err));
	if (!is_stdin)
		fclose(in);
	if (ret == -ENODATA)
		fprintf(stderr,
			"bpfprof %s: %s; give a file written by `bpfprof record -o X.folded` or a stackcollapse script\n",
			cmd, err);
	else if (ret == -ENOMEM)
		fprintf(stderr, "bpfprof %s: out of memory reading '%s'\n", cmd, path);
	else if (ret)
		fprintf(stderr, "bpfprof %s: %s\n", cmd, err);
	return ret;
}

int report__minwidth(const char *cmd, const char *arg, struct emit_opts *opts)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0 && v <= 100)) {
		fprintf(stderr, "bpfprof %s: --minwidth wants a percent from 0 to 100, not '%s'\n", cmd, arg);
		return -EINVAL;
	}
	opts->minwidth = v;
	return 0;
}

static bool is_binary(enum out_format fmt)
{
	return fmt == FMT_PPROF;
}

int outfile__open(struct outfile *o, const char *cmd, const char *path, enum out_format fmt)
{
	int err;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		if (is_binary(fmt) && isatty(STDOUT_FILENO)) {
			fprintf(stderr, "bpfprof %s: pprof output is binary; give -o FILE.pb.gz\n",
				cmd);
			return -EINVAL;
		}
		o->f = stdout;
		return 0;
	}
	o->path = path;
	if (asprintf(&o->tmp, "%s.tmp", path) < 0) {
		o->tmp = NULL;
		return -ENOMEM;
	}
	o->f = fopen(o->tmp, "wb");
	if (!o->f) {
		err = -errno;
		fprintf(stderr, "bpfprof %s: cannot write '%s': %s; choose a writable -o path\n",
			cmd, o->tmp, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return err;
	}
	return 0;
}

void outfile__abort(struct outfile *o)
{
	if (!o || !o->tmp)
		return;
	fclose(o->f);
	unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
	o->f = NULL;
}

int outfile__write(struct outfile *o, const char *cmd, const struct profile *p, enum out_format fmt,
		   const struct emit_opts *opts)
{
	int err = emit__write(p, fmt, o->f, opts);

	if (!o->tmp) {
		if (!err && fflush(o->f))
			err = -errno;
		if (err)
			fprintf(stderr, "bpfprof %s: writing to stdout failed: %s\n", cmd,
				strerror(-err));
		return err;
	}
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err) {
		fprintf(stderr,
			"bpfprof %s: cannot write '%s': %s; check free space and permissions\n",
			cmd, o->path, strerror(-err));
		unlink(o->tmp);
	}
	free(o->tmp);
	o->tmp = NULL;
	return err;
}
