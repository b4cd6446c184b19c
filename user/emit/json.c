// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/json.c - escape arbitrary symbol names for JSON and HTML output.
 *
 * Symbol names come from ELF files, perf maps and folded files written by other tools, so they
 * can hold any byte: quotes, backslashes, control characters, '<' in C++ templates, and broken
 * UTF-8 from truncated names. JSON readers reject invalid UTF-8, so it is replaced here.
 */
#include <stdint.h>

#include "emit/json.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	uint32_t cp;
	int n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void json__char(FILE *out, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", out);
		break;
	case '\\':
		fputs("\\\\", out);
		break;
	case '\n':
		fputs("\\n", out);
		break;
	case '\t':
		fputs("\\t", out);
		break;
	case '<':
	case '>':
	case '&':
		fprintf(out, "\\u%04x", c);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

void json__string(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	while (*c) {
		int n = utf8_len(c);

		if (n == 1) {
			json__char(out, *c);
		} else if (n) {
			fwrite(c, 1, n, out);
		} else {
			fputs("\\ufffd", out);
			n = 1;
		}
		c += n;
	}
	fputc('"', out);
}

void html__text(FILE *out, const char *s)
{
	for (const char *c = s ? s : ""; *c; c++) {
		switch (*c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*c, out);
		}
	}
}
