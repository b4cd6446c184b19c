/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/log.h - the one logging convention: four levels, one threshold, one sink.
 *
 * Invariants: nothing below the threshold is formatted; each call is one whole message (never
 * split a user-visible string), written without a trailing newline, which the sink adds. The top
 * (cli/, later the daemon) sets the level once from -v and may replace the sink; until then
 * messages go to stderr prefixed "bpfprof: ", the way every command has always reported.
 * Library layers prefer returning -errno plus a message to the caller; they log only what
 * would otherwise be lost (a degraded result that still succeeds, a -v detail).
 */
#ifndef BPFPROF_LOG_H
#define BPFPROF_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Where a formatted message goes: level and the text without a newline. */
typedef void (*log_sink_fn)(enum log_level level, const char *msg, void *ctx);

/* Messages at or below level are emitted; the default is LOG_INFO (-v raises it to LOG_DEBUG). */
void log__set_level(enum log_level level);
enum log_level log__level(void);
bool log__enabled(enum log_level level);

/* Replace the sink (NULL restores stderr with the "bpfprof: " prefix). */
void log__set_sink(log_sink_fn sink, void *ctx);

void log__msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log__vmsg(enum log_level level, const char *fmt, va_list ap);

#define pr_error(...) log__msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log__msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log__msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log__msg(LOG_DEBUG, __VA_ARGS__)

#endif /* BPFPROF_LOG_H */
