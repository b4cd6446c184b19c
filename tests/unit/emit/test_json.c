// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_json.c - escaping of arbitrary symbol names for JSON (inside an HTML <script>) and for
 * HTML text: quotes, backslashes, control characters, markup characters, valid and broken UTF-8.
 */
#include <stdlib.h>

#include "check.h"
#include "emit/json.h"

static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	fn(out, s);
	fclose(out);
	return buf;
}

int main(void)
{
	static const struct {
		const char *in, *json, *html;
	} rows[] = {
		{ "plain", "\"plain\"", "plain" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"", "a&quot;b\\c" },
		{ "f<int>&g", "\"f\\u003cint\\u003e\\u0026g\"", "f&lt;int&gt;&amp;g" },
		{ "</script>", "\"\\u003c/script\\u003e\"", "&lt;/script&gt;" },
		{ "tab\there\nnl\x01", "\"tab\\there\\nnl\\u0001\"", "tab\there\nnl\x01" },
		{ "it's", "\"it's\"", "it&#39;s" },
		{ "\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"", "\xc3\xa9t\xc3\xa9" },
		{ "\xe2\x82\xac \xf0\x9f\x94\xa5", "\"\xe2\x82\xac \xf0\x9f\x94\xa5\"", NULL },
		{ "bad\xff", "\"bad\\ufffd\"", NULL },
		{ "cut\xe2\x82", "\"cut\\ufffd\\ufffd\"", NULL },
		{ "overlong\xc0\xaf", "\"overlong\\ufffd\\ufffd\"", NULL },
		{ "surrogate\xed\xa0\x80", "\"surrogate\\ufffd\\ufffd\\ufffd\"", NULL },
		{ "", "\"\"", "" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *j = capture(json__string, rows[i].in);

		check(!strcmp(j, rows[i].json), "json row %zu (got %s, want %s)", i, j,
		      rows[i].json);
		free(j);
		if (!rows[i].html)
			continue;
		j = capture(html__text, rows[i].in);
		check(!strcmp(j, rows[i].html), "html row %zu (got %s)", i, j);
		free(j);
	}
	return check_done();
}
