// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/log.c - levels, threshold and sink for every message bpfprof prints (see lib/log.h).
 *
 * One place decides what -v shows and where messages go, so a daemon with no terminal can send
 * the same messages to its log without any library changing.
 */
#include <stdio.h>
#include "lib/log.h"

static enum log_level threshold = LOG_INFO;
static log_sink_fn sink_fn;
static void *sink_ctx;

void log__set_level(enum log_level level)
{
	threshold = level;
}

enum log_level log__level(void)
{
	return threshold;
}

bool log__enabled(enum log_level level)
{
	return level <= threshold;
}

void log__set_sink(log_sink_fn sink, void *ctx)
{
	sink_fn = sink;
	sink_ctx = ctx;
}

void log__vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (!log__enabled(level))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (sink_fn)
		sink_fn(level, buf, sink_ctx);
	else /* one fprintf per message keeps lines whole when threads log at once */
		fprintf(stderr, "bpfprof: %s\n", buf);
}

void log__msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log__vmsg(level, fmt, ap);
	va_end(ap);
}
