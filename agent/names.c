// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * names.c - turn the JVM's type signatures into the names a profile shows.
 *
 * JVMTI hands out class signatures ("Ljava/lang/String;") and method descriptors
 * ("(I[JLjava/lang/String;)V"); a profile wants "java.lang.String.hashCode", the form perf,
 * async-profiler and the JDK's own Compiler.perfmap agree on, optionally with readable parameter
 * types. Names never contain spaces or ';' so they survive the perf map and folded formats.
 */
#include <string.h>

#include "agent.h"

static const char *name__primitive(char c)
{
	switch (c) {
	case 'B':
		return "byte";
	case 'C':
		return "char";
	case 'D':
		return "double";
	case 'F':
		return "float";
	case 'I':
		return "int";
	case 'J':
		return "long";
	case 'S':
		return "short";
	case 'Z':
		return "boolean";
	case 'V':
		return "void";
	default:
		return NULL;
	}
}

/* Append the type starting at *p and advance *p past it; false on a malformed descriptor. */
static bool name__add_type(struct strbuf *sb, const char **p)
{
	const char *s = *p, *prim;
	int dims = 0;

	while (*s == '[')
		dims++, s++;
	if (*s == 'L') {
		const char *end = strchr(s, ';');

		if (!end)
			return false;
		for (s++; s < end; s++)
			strbuf__addc(sb, *s == '/' ? '.' : *s);
		s++;
	} else if ((prim = name__primitive(*s))) {
		strbuf__adds(sb, prim);
		s++;
	} else {
		return false;
	}
	while (dims--)
		strbuf__adds(sb, "[]");
	*p = s;
	return true;
}

void name__add_class(struct strbuf *sb, const char *class_sig)
{
	const char *p = class_sig;

	if (!class_sig || !*class_sig) {
		strbuf__adds(sb, "[unknown]");
		return;
	}
	/* Not a descriptor (some JVMs hand out plain names): show it with dots. */
	if (!name__add_type(sb, &p) || *p) {
		for (p = class_sig; *p; p++)
			strbuf__addc(sb, *p == '/' ? '.' : *p);
	}
}

void name__add_params(struct strbuf *sb, const char *method_sig)
{
	const char *p = method_sig;
	bool first = true;

	if (!p || *p != '(')
		return;
	strbuf__addc(sb, '(');
	for (p++; *p && *p != ')'; first = false) {
		if (!first)
			strbuf__addc(sb, ',');
		if (!name__add_type(sb, &p)) {
			strbuf__adds(sb, "?");
			break;
		}
	}
	strbuf__addc(sb, ')');
}

void name__add_method(struct strbuf *sb, const char *class_sig, const char *method,
		      const char *method_sig)
{
	name__add_class(sb, class_sig);
	strbuf__addc(sb, '.');
	strbuf__adds(sb, method && *method ? method : "[unknown]");
	if (method_sig)
		name__add_params(sb, method_sig);
}
