// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * symbolize/demangle.c - short forms of demangled names (see symbolize/demangle.h).
 *
 * The name is cut into tokens where every bracketed group is one token: "<...>", "(...)",
 * "{...}", "[...]", so a template argument list full of parentheses, spaces and nested
 * templates is one thing to keep or elide. "operator" and its symbol are one token too, or
 * operator< would open a template and operator() look like a parameter list. Then the
 * parameter list is the last "(...)" that is not a scope: the name is what stands before it,
 * from the last space outside an operator name (the space after a return type).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "symbolize/demangle.h"

enum tok_type {
	T_IDENT,
	T_SCOPE,   /* :: */
	T_TMPL,	   /* <...> */
	T_PAREN,   /* (...) */
	T_BRACE,   /* {...}: {lambda(int)#1}, {unnamed type#1} */
	T_BRACKET, /* [...]: [abi:cxx11], [clone .part.0] */
	T_SPACE,
	T_OP, /* operator and its symbol: "operator()", "operator<<", "operator new[]" */
	T_PUNCT,
};

struct tok {
	const char *s;
	size_t n;
	enum tok_type type;
	bool drop;
};

struct out {
	char *buf;
	size_t len, pos; /* pos counts what would be written, as snprintf */
};

/* Functions returning function pointers returning function pointers: deep enough. */
#define MAX_DEPTH 8

static void out__put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, o->pos++)
		if (o->pos + 1 < o->len)
			o->buf[o->pos] = s[i];
}

static bool ident_start(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c == '~' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c == '.' || c >= 0x80;
}

/*
 * One past the group opened at s. Brackets of every kind nest; angle brackets count only outside
 * the others, as "(a > b)" in a template argument is an expression. Unbalanced: end.
 */
static const char *group_end(const char *s, const char *end)
{
	int angle = 0, other = 0;

	for (const char *p = s; p < end; p++) {
		if (*p == '(' || *p == '[' || *p == '{')
			other++;
		else if (*p == ')' || *p == ']' || *p == '}')
			other--;
		else if (*s == '<' && !other && *p == '<')
			angle++;
		else if (*s == '<' && !other && *p == '>')
			angle--;
		if (angle <= 0 && other <= 0)
			return p + 1;
	}
	return end;
}

/*
 * Length of the operator symbol at p, just after "operator"; 0 for a conversion operator. The
 * longest symbol that matches: "operator==<int>" is operator== with template arguments.
 */
static size_t op_len(const char *p, const char *end)
{
	static const char *const ops[] = {
		"->*", "<<=", ">>=", "<=>", "()", "[]", "->", "<<", ">>", "<=",
		">=",  "==",  "!=",  "&&",  "||", "++", "--", "+=", "-=", "*=",
		"/=",  "%=",  "^=",  "&=",  "|=", "+",	"-",  "*",  "/",  "%",
		"^",   "&",   "|",   "~",   "!",  "=",	"<",  ">",  ",",  "\"\"",
	};
	static const char *const words[] = { " new[]", " delete[]", " new", " delete" };
	size_t i, n = end - p;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t w = strlen(words[i]);

		if (n >= w && !memcmp(p, words[i], w) && (n == w || !ident_char(p[w])))
			return w;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) /* longest first */
		if (n >= strlen(ops[i]) && !memcmp(p, ops[i], strlen(ops[i])))
			return strlen(ops[i]);
	return 0;
}

static size_t tokenize(const char *s, const char *end, struct tok *t)
{
	size_t n = 0;

	while (s < end) {
		const char *q = s + 1;
		enum tok_type type = T_PUNCT;

		if (*s == ' ') {
			while (q < end && *q == ' ')
				q++;
			type = T_SPACE;
		} else if (*s == ':' && q < end && *q == ':') {
			q++;
			type = T_SCOPE;
		} else if (strchr("<({[", *s)) {
			q = group_end(s, end);
			type = *s == '<'   ? T_TMPL
			       : *s == '(' ? T_PAREN
			       : *s == '{' ? T_BRACE
					   : T_BRACKET;
		} else if (ident_start(*s)) {
			while (q < end && ident_char(*q))
				q++;
			if (q - s == 8 && !memcmp(s, "operator", 8)) {
				q += op_len(q, end);
				type = T_OP;
			} else {
				type = T_IDENT;
			}
		}
		t[n++] = (struct tok){ s, q - s, type, false };
		s = q;
	}
	return n;
}

static bool tok__is(const struct tok *t, const char *text)
{
	return t->n == strlen(text) && !memcmp(t->s, text, t->n);
}

static bool tok__starts(const struct tok *t, const char *text)
{
	return t->n >= strlen(text) && !memcmp(t->s, text, strlen(text));
}

static bool tok__anon(const struct tok *t)
{
	return t->type == T_PAREN && tok__is(t, "(anonymous namespace)");
}

/* A qualifier that may follow a parameter list: " const", " volatile", " &", " &&". */
static bool tok__qualifier(const struct tok *t)
{
	return t->type == T_SPACE || tok__is(t, "const") || tok__is(t, "volatile") ||
	       tok__is(t, "&");
}

/*
 * Drop what never shows: ABI tags and clone suffixes, and the parameters (with qualifiers) of
 * an enclosing function in a local scope, "f(int) const::Local".
 */
static void mark_drops(struct tok *t, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (t[i].type == T_BRACKET &&
		    (tok__starts(&t[i], "[clone ") || tok__starts(&t[i], "[abi:"))) {
			t[i].drop = true;
			if (i && t[i - 1].type == T_SPACE)
				t[i - 1].drop = true;
		}
		if (t[i].type != T_PAREN || tok__anon(&t[i]))
			continue;
		for (j = i + 1; j < n && tok__qualifier(&t[j]); j++)
			;
		if (j < n && t[j].type == T_SCOPE)
			while (i < j)
				t[i++].drop = true;
	}
}

/* The function's parameter list: the last "(...)" left, n when there is none. */
static size_t find_params(const struct tok *t, size_t n)
{
	size_t i;

	for (i = n; i-- > 1;)
		if (t[i].type == T_PAREN && !t[i].drop && !tok__anon(&t[i]))
			return i;
	return n;
}

/* Where the name starts: after the last space that is not inside an operator's name. */
static size_t find_start(const struct tok *t, size_t params)
{
	size_t i, start = 0;
	bool in_op = false;

	for (i = 0; i < params; i++) {
		if (t[i].drop)
			continue;
		if (t[i].type == T_OP)
			in_op = true;
		else if (t[i].type == T_SPACE && !in_op)
			start = i + 1;
	}
	return start;
}

/* A C name's clone suffix: ".part.0", ".cold", ... at the first '.' that starts one. */
static size_t ident_len(const struct tok *t)
{
	static const char *const clones[] = { "part", "isra",	  "constprop",
					      "cold", "lto_priv", "localalias",
					      "llvm", "clone",	  "specialized" };
	const char *dot = t->s, *end = t->s + t->n;
	size_t i;

	while ((dot = memchr(dot, '.', end - dot))) {
		for (i = 0; i < sizeof(clones) / sizeof(clones[0]); i++) {
			size_t w = strlen(clones[i]);

			if ((size_t)(end - dot - 1) >= w && !memcmp(dot + 1, clones[i], w) &&
			    (dot + 1 + w == end || dot[1 + w] == '.'))
				return dot - t->s;
		}
		dot++;
	}
	return t->n;
}

static void put_tok(struct out *o, const struct tok *t)
{
	const char *hash;

	switch (t->type) {
	case T_TMPL:
		out__put(o, "<...>", 5);
		break;
	case T_BRACE:
		if (!tok__starts(t, "{lambda")) {
			out__put(o, t->s, t->n);
			break;
		}
		/* {lambda(int)#1} -> {lambda#1}; a lambda's number tells two apart */
		out__put(o, "{lambda", 7);
		for (hash = t->s + t->n; hash > t->s && hash[-1] != '#'; hash--)
			;
		if (hash > t->s)
			out__put(o, hash - 1, t->s + t->n - hash + 1);
		else
			out__put(o, "}", 1);
		break;
	case T_IDENT:
		out__put(o, t->s, ident_len(t));
		break;
	default:
		out__put(o, t->s, t->n);
	}
}

static void put_range(struct out *o, const struct tok *t, size_t from, size_t to)
{
	size_t i, last = to;

	for (i = from; i < to; i++)
		if (!t[i].drop && t[i].type != T_SPACE)
			last = i;
	for (i = from; i < to && last < to && i <= last; i++)
		if (!t[i].drop)
			put_tok(o, &t[i]);
}

static void shorten(struct out *o, const char *s, const char *end, int depth);

/*
 * "void (*Foo::get(int))(int)": the "(...)" before the parameters holds the name of a function
 * returning a function pointer. True when it did and was written.
 */
static bool shorten_fnptr(struct out *o, const struct tok *t, size_t params, int depth)
{
	size_t i = params;
	const char *s, *end;

	while (i > 0 && (t[i - 1].drop || t[i - 1].type == T_SPACE))
		i--;
	if (!i || t[i - 1].type != T_PAREN || t[i - 1].n < 2 || !strchr("*&", t[i - 1].s[1]) ||
	    depth >= MAX_DEPTH)
		return false;
	s = t[i - 1].s + 1;
	end = t[i - 1].s + t[i - 1].n - (t[i - 1].s[t[i - 1].n - 1] == ')');
	while (s < end && strchr("*& ", *s))
		s++;
	shorten(o, s, end, depth + 1);
	return true;
}

static void shorten(struct out *o, const char *s, const char *end, int depth)
{
	size_t n, params, before = o->pos;
	struct tok *t = calloc(end - s + 1, sizeof(*t));

	if (!t) {
		out__put(o, s, end - s);
		return;
	}
	n = tokenize(s, end, t);
	mark_drops(t, n);
	params = find_params(t, n);
	if (params == n || !shorten_fnptr(o, t, params, depth))
		put_range(o, t, params == n ? 0 : find_start(t, params), params);
	if (o->pos == before) /* nothing recognisable: the name as it came */
		out__put(o, s, end - s);
	free(t);
}

size_t demangle__short(const char *full, char *out, size_t len)
{
	struct out o = { out, len, 0 };

	shorten(&o, full, full + strlen(full), 0);
	if (len)
		out[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}
