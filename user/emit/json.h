/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * emit/json.h - the few JSON writing helpers the JSON-based emitters (speedscope, the HTML page's
 * embedded data) share.
 *
 * json__string() always produces valid JSON from arbitrary bytes: invalid UTF-8 becomes U+FFFD,
 * and '<', '>' and '&' are escaped too, so the result can sit inside an HTML <script> element
 * without ending it early.
 */
#ifndef BPFPROF_JSON_H
#define BPFPROF_JSON_H

#include <stdio.h>

/* Write s as a quoted JSON string. */
void json__string(FILE *out, const char *s);

/* Write s as HTML text (for element content and attribute values): escapes & < > " '. */
void html__text(FILE *out, const char *s);

#endif /* BPFPROF_JSON_H */
