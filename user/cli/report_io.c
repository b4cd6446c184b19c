// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/report_io.c - open, read and atomically write the files of `report` and `diff`.
 *
 * Both commands turn folded files into another format; the rules for their files are the same
 * and live here: "-" is stdin/stdout, messages name the file and the fix, and the output is an
 * atomic_file (a regular OUT appears only complete; devices and FIFOs are written in place).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit/folded.h"
#include "io/pprof_input.h"
#include "cli/report_io.h"

/* The input stream, or NULL after a one-line error that names the fix. */
static FILE *input__open(const char *cmd, const char *path)
{
	FILE *in = fopen(path, "r");
	struct stat st;

	if (!in) {
		fprintf(stderr, "bpfprof %s: cannot read '%s': %s; check the path\n", cmd, path,
			strerror(errno));
		return NULL;
	}
	if (!fstat(fileno(in), &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"bpfprof %s: cannot read '%s': it is a directory; give a folded file or a pprof file, or --dir %s for a monitor's history\n",
			cmd, path, path);
		fclose(in);
		return NULL;
	}
	return in;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* pprof rather than folded: gzip's magic first (folded text never starts with 0x1f), or a
 * plain protobuf named like pprof. */
static bool input__is_pprof(FILE *in, const char *path)
{
	int c = getc(in);

	if (c != EOF)
		ungetc(c, in);
	return pprof_input__sniff(c) || ends_with(path, ".pb") || ends_with(path, ".pprof") ||
	       ends_with(path, ".pb.gz");
}

/* Read a pprof file: 0, or -errno after a one-line error. */
static int report__read_pprof(struct profile *p, const char *cmd, const char *path, FILE *in)
{
	char err[512];
	int ret = pprof_input__read(in, p, err, sizeof(err));

	if (ret)
		fprintf(stderr, "bpfprof %s: '%s': %s\n", cmd, path, err);
	else if (!p->nstacks)
		fprintf(stderr,
			"bpfprof %s: '%s' is an empty profile (no samples were recorded); the output is empty too\n",
			cmd, path);
	return ret;
}

int report__read(struct profile *p, const char *cmd, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *in = is_stdin ? stdin : input__open(cmd, path);
	char err[512];
	int ret;

	if (!in)
		return -ENOENT;
	if (input__is_pprof(in, path)) {
		ret = report__read_pprof(p, cmd, is_stdin ? "<stdin>" : path, in);
		if (!is_stdin)
			fclose(in);
		return ret;
	}
	ret = folded__read(p, in, is_stdin ? "<stdin>" : path, err, sizeof(err));
	if (!is_stdin)
		fclose(in);
	if (!ret && !p->nstacks)
		fprintf(stderr,
			"bpfprof %s: '%s' is an empty profile (no samples were recorded); the output is empty too\n",
			cmd, path);
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
		fprintf(stderr, "bpfprof %s: --minwidth wants a percent from 0 to 100, not '%s'\n",
			cmd, arg);
		return -EINVAL;
	}
	opts->minwidth = v;
	return 0;
}

static bool is_binary(enum out_format fmt)
{
	return fmt == FMT_PPROF;
}

static void output__error(const char *cmd, const char *path, int err)
{
	fprintf(stderr, "bpfprof %s: cannot write '%s': %s; %s\n", cmd, path ? path : "stdout",
		strerror(-err), atomic_file__hint(err));
}

int report__open_output(struct atomic_file **afp, const char *cmd, const char *path,
			enum out_format fmt)
{
	int err;

	if ((!path || !strcmp(path, "-")) && is_binary(fmt) && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "bpfprof %s: pprof output is binary; give -o FILE.pb.gz\n", cmd);
		return -EINVAL;
	}
	err = atomic_file__open(afp, path);
	if (err)
		output__error(cmd, path, err);
	return err;
}

int report__write(struct atomic_file *af, const char *cmd, const char *path,
		  const struct profile *p, enum out_format fmt, const struct emit_opts *opts)
{
	int err = emit__commit(p, fmt, af, opts);

	if (err)
		output__error(cmd, path, err);
	return err;
}
