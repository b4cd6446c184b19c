// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * strbuf.c - the agent's growable string, used to build map lines before one write().
 *
 * The agent runs inside someone else's JVM, so running out of memory must not crash it: a failed
 * allocation marks the buffer failed and later additions are ignored; the caller drops the line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static bool strbuf__grow(struct strbuf *sb, size_t more)
{
	size_t cap;
	char *p;

	if (sb->failed)
		return false;
	if (sb->len + more + 1 <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + more + 1)
		cap *= 2;
	p = realloc(sb->buf, cap);
	if (!p) {
		sb->failed = true;
		return false;
	}
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void strbuf__add(struct strbuf *sb, const char *s, size_t n)
{
	if (!strbuf__grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf__adds(struct strbuf *sb, const char *s)
{
	strbuf__add(sb, s, strlen(s));
}

void strbuf__addc(struct strbuf *sb, char c)
{
	strbuf__add(sb, &c, 1);
}

void strbuf__addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !strbuf__grow(sb, n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, n + 1, fmt, ap);
	va_end(ap);
	sb->len += n;
}

void strbuf__reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->failed = false;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf__free(struct strbuf *sb)
{
	if (!sb)
		return;
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = false;
}
