// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_log.c - the logging convention: the threshold hides what is above it (debug until -v),
 * a sink receives each message whole with its level and no newline, and NULL puts stderr back.
 */
#include "check.h"
#include "lib/log.h"

static struct {
	int n;
	enum log_level level;
	char msg[256];
} got;

static void sink(enum log_level level, const char *msg, void *ctx)
{
	got.n++;
	got.level = level;
	snprintf(got.msg, sizeof(got.msg), "%s%s", (const char *)ctx, msg);
}

int main(void)
{
	check_int(log__level(), LOG_INFO, "the default level is info");
	check(!log__enabled(LOG_DEBUG) && log__enabled(LOG_WARN), "debug hidden, warn shown");
	log__set_sink(sink, "[ctx] ");
	pr_debug("hidden %d", 1);
	check_int(got.n, 0, "debug is not formatted below the threshold");
	pr_warn("cannot read %s (%s)", "/proc/kallsyms", "Permission denied");
	check_int(got.n, 1, "a warning reaches the sink");
	check_int(got.level, LOG_WARN, "  with its level");
	check_str(got.msg, "[ctx] cannot read /proc/kallsyms (Permission denied)",
		  "  whole, printf-formatted, no newline, with the sink's context");
	log__set_level(LOG_DEBUG);
	pr_debug("%s: %zu symbols", "/bin/true", (size_t)42);
	check_int(got.n, 2, "-v (LOG_DEBUG) shows debug");
	check_str(got.msg, "[ctx] /bin/true: 42 symbols", "  formatted");
	log__set_level(LOG_ERROR);
	pr_info("quiet");
	pr_error("still %s", "shown");
	check_int(got.n, 3, "at LOG_ERROR only errors pass");
	check_int(got.level, LOG_ERROR, "  the error");
	log__set_sink(NULL, NULL);
	pr_error("to stderr now");
	check_int(got.n, 3, "NULL sink: back to stderr");
	return check_done();
}
