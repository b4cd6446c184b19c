/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/protocol.h - the bytes of HotSpot's attach protocol 1, pure functions (unit-tested
 * in tests/unit/runtimes/java/test_jattach.c).
 *
 * A request is "1\0<command>\0<arg0>\0<arg1>\0<arg2>\0", each part under JVM_ARG_MAX_LEN bytes;
 * a reply is "<status>\n<output>", read until the JVM closes the connection.
 */
#ifndef BPFPROF_JAVA_PROTOCOL_H
#define BPFPROF_JAVA_PROTOCOL_H

#include <stddef.h>

#define JVM_ARG_MAX_LEN 1024 /* HotSpot's limit per argument in protocol 1 */

/* Encode cmd and up to three args (NULL: empty) into buf; the length, or -E2BIG. */
int jvm__request(char *buf, size_t cap, const char *cmd, const char *const args[3]);

/*
 * Split a reply "<status>\n<body>": 0 and *status, *body set; -EBADMSG when it does not start
 * with a number (an empty reply means the JVM closed the connection).
 */
int jvm__parse_reply(const char *reply, int *status, const char **body);

/*
 * Interpret the reply to "load": 0 when the agent loaded and returned 0; -EIO otherwise, with the
 * JVM's message (or "Agent_OnAttach returned N") in err. Knows the JDK 8 ("0\n0"), JDK 11+
 * ("0\nreturn code: 0") and error ("-1\n... was not loaded.", "0\nreturn code: -1") forms.
 */
int jvm__parse_load_reply(const char *reply, char *err, size_t err_len);

/* prefix then text into dst on one line: newlines become "; ", trailing blanks go. */
void jvm__one_line(char *dst, size_t len, const char *prefix, const char *text);

#endif /* BPFPROF_JAVA_PROTOCOL_H */
