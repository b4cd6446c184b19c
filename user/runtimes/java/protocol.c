// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runtimes/java/protocol.c - the attach protocol's bytes (see protocol.h): encode a request,
 * read the JVM's "<status>\n<body>" replies, put a JVM's message on one line. Pure: no
 * process, file or socket is touched, so every JDK's wording is unit-tested.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtimes/java/protocol.h"

int jvm__parse_reply(const char *reply, int *status, const char **body)
{
	char *end;
	long v;

	if (!reply)
		return -EBADMSG;
	v = strtol(reply, &end, 10);
	if (end == reply || (*end && *end != '\n'))
		return -EBADMSG;
	*status = (int)v;
	*body = *end ? end + 1 : end;
	return 0;
}

/* Copy text into err on one line: newlines become "; ", trailing blanks go. */
void jvm__one_line(char *dst, size_t len, const char *prefix, const char *text)
{
	size_t n = snprintf(dst, len, "%s", prefix);

	for (const char *p = text; *p && n + 3 < len; p++) {
		if (*p == '\n') {
			if (n > 0 && dst[n - 1] == '.')
				n--; /* "was not loaded.; reason" reads badly */
			if (p[1] && p[1] != '\n')
				n += snprintf(dst + n, len - n, "; ");
		} else if (*p != '\r') {
			dst[n++] = *p;
		}
	}
	if (n < len)
		dst[n] = '\0';
	while (n > 0 && n < len && (dst[n - 1] == ' ' || dst[n - 1] == ';'))
		dst[--n] = '\0';
}

/* The agent's return code from a status-0 load body; false when the body is a message. */
static bool load__return_code(const char *body, int *rc)
{
	char *end;

	if (!strncmp(body, "return code: ", 13))
		body += 13;
	*rc = (int)strtol(body, &end, 10);
	return end != body && (*end == '\0' || *end == '\n');
}

int jvm__parse_load_reply(const char *reply, char *err, size_t err_len)
{
	const char *body;
	int status, rc = 0;

	if (jvm__parse_reply(reply, &status, &body)) {
		if (!reply || !*reply)
			snprintf(err, err_len,
				 "the JVM closed the attach connection without answering");
		else
			jvm__one_line(err, err_len, "unexpected attach reply: ", reply);
		return -EIO;
	}
	if (status != 0) {
		if (*body)
			jvm__one_line(err, err_len, "the JVM could not load the agent: ", body);
		else
			snprintf(err, err_len, "the JVM could not load the agent (status %d)",
				 status);
		return -EIO;
	}
	if (!*body)
		return 0;
	if (!load__return_code(body, &rc)) {
		jvm__one_line(err, err_len, "the JVM could not load the agent: ", body);
		return -EIO;
	}
	if (rc != 0) {
		snprintf(err, err_len,
			 "Agent_OnAttach returned %d: the agent's reason is on the JVM's stderr",
			 rc);
		return -EIO;
	}
	return 0;
}

int jvm__request(char *buf, size_t cap, const char *cmd, const char *const args[3])
{
	const char *parts[5] = { "1", cmd, args[0], args[1], args[2] };
	size_t len = 0;

	for (int i = 0; i < 5; i++) {
		const char *s = parts[i] ? parts[i] : "";
		size_t n = strlen(s) + 1;

		if (n > JVM_ARG_MAX_LEN || len + n > cap)
			return -E2BIG;
		memcpy(buf + len, s, n);
		len += n;
	}
	return (int)len;
}
