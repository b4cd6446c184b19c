// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_emit.c - format selection: --format names win over extensions, extensions pick formats,
 * stdout and unknown extensions mean folded, unknown names are refused.
 */
#include <errno.h>

#include "check.h"
#include "emit/emit.h"

int main(void)
{
	static const struct {
		const char *name, *path;
		int ret;
		enum out_format fmt;
	} rows[] = {
		{ NULL, NULL, 0, FMT_FOLDED },
		{ NULL, "-", 0, FMT_FOLDED },
		{ NULL, "x.folded", 0, FMT_FOLDED },
		{ NULL, "x.collapsed", 0, FMT_FOLDED },
		{ NULL, "x.html", 0, FMT_HTML },
		{ NULL, "dir.d/x.HTM", 0, FMT_HTML },
		{ NULL, "x.pb.gz", 0, FMT_PPROF },
		{ NULL, "x.pprof", 0, FMT_PPROF },
		{ NULL, "x.speedscope.json", 0, FMT_SPEEDSCOPE },
		{ NULL, "x.json", 0, FMT_FOLDED },
		{ NULL, "x.txt", 0, FMT_TEXT },
		{ NULL, "x.data", 0, FMT_FOLDED },
		{ NULL, "html", 0, FMT_FOLDED },
		{ "html", "x.txt", 0, FMT_HTML },
		{ "collapsed", NULL, 0, FMT_FOLDED },
		{ "pprof", NULL, 0, FMT_PPROF },
		{ "speedscope", NULL, 0, FMT_SPEEDSCOPE },
		{ "text", NULL, 0, FMT_TEXT },
		{ "TXT", NULL, 0, FMT_TEXT },
		{ "svg", "x.html", -EINVAL, FMT_FOLDED },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum out_format fmt = FMT_FOLDED;
		int ret = emit__parse_format(rows[i].name, rows[i].path, &fmt);

		check(ret == rows[i].ret && (ret || fmt == rows[i].fmt),
		      "--format %s, path %s -> %d/%d (got %d/%d)", rows[i].name ?: "-",
		      rows[i].path ?: "(stdout)", rows[i].ret, rows[i].fmt, ret, fmt);
	}
	return check_done();
}
