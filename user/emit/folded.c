// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/folded.c - write and read the folded-stack text format ("a;b;c 12").
 *
 * Folded text is the lingua franca of flame graph tools, so the reader is lenient about where
 * the input came from (flamegraph.pl's stackcollapse scripts, async-profiler, our own writer) and
 * strict about what a line must be: frames separated by ';', then one or two non-negative integer
 * counts. Kinds travel as name suffixes: _[k] kernel, _[j] JIT, _[i] inlined (async-profiler's
 * _[0] interpreted and _[1] C1 frames are read as JIT). Frame names are written with ';' and line
 * breaks replaced, since either would split the line differently when read back.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "emit/folded.h"

static void name__write(const char *name, FILE *out)
{
	/* Runs between the bytes to replace go out whole: one call per run, not per byte. */
	for (const char *c = name;;) {
		size_t run = strcspn(c, ";\n\r");

		fwrite(c, 1, run, out);
		c += run;
		if (!*c)
			break;
		fputc(*c == ';' ? ':' : ' ', out);
		c++;
	}
}

static void stack__write(const struct profile *p, const struct pf_stack *s, FILE *out)
{
	for (uint32_t i = 0; i < s->depth; i++) {
		const struct pf_frame *f = &p->frames[s->ids[i]];

		if (i)
			fputc(';', out);
		name__write(f->name, out);
		fputs(frame_kind__suffix(f->kind), out);
	}
}

/*
 * A profile in a unit of its own (ns, bytes) says so in comment lines before its stacks, which
 * folded__read takes back and other tools skip: "# event: offcpu", "# type: off_cpu",
 * "# unit: nanoseconds". Sample counts stay plain: no header.
 */
static void header__write(const struct profile *p, FILE *out, int two_counts)
{
	if (!p->nvalues || !strcmp(p->types[0].unit, "count"))
		return;
	if (p->meta.event[0])
		fprintf(out, FOLDED_EVENT "%s\n", p->meta.event);
	if (!two_counts)
		fprintf(out, FOLDED_TYPE "%s\n", p->types[0].type);
	fprintf(out, FOLDED_UNIT "%s\n", p->types[0].unit);
}

int folded__write(const struct profile *p, FILE *out, int two_counts)
{
	size_t *order = profile__sorted(p), lines = 0;

	if (!order)
		return -ENOMEM;
	header__write(p, out, two_counts);
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct pf_stack *s = &p->stacks[order[i]];

		/* A stack without frames has no line in this format. */
		if (!s->depth)
			continue;
		stack__write(p, s, out);
		if (two_counts)
			fprintf(out, " %" PRIu64 " %" PRIu64 "\n", s->values[0], s->values[1]);
		else
			fprintf(out, " %" PRIu64 "\n", s->values[0]);
		lines++;
	}
	/* Zero bytes would look like a failed write; this says the recording saw nothing. */
	if (!lines)
		fputs(FOLDED_EMPTY "\n", out);
	free(order);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

/* What a line is being parsed into; ids grows with the deepest stack seen. */
struct reader {
	struct profile *p;
	const char *name;
	size_t lineno;
	char *err;
	size_t errlen;
	uint32_t *ids;
	size_t ids_cap;
	char *line; /* the current line, NUL-terminated, at most FOLDED_MAX_LINE bytes */
	size_t line_cap;
};

static int reader__fail(struct reader *r, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!r->errlen)
		return -EINVAL;
	n = snprintf(r->err, r->errlen, "%s:%zu: ", r->name, r->lineno);
	if (n < r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct {
	const char *suffix;
	enum frame_kind kind;
} suffixes[] = {
	{ "_[k]", FRAME_KERNEL },  { "_[j]", FRAME_JIT }, { "_[i]", FRAME_INLINED },
	{ "_[0]", FRAME_JIT },	   { "_[1]", FRAME_JIT }, { "_[a]", FRAME_ALLOC },
	{ "_[l]", FRAME_MONITOR },
};

static bool is_thread_name(const char *s, size_t len)
{
	return len > 2 && s[0] == '[' && s[len - 1] == ']' && memmem(s, len, " tid=", 5);
}

/* Cut the kind suffix off frame s[0..*len) and return the kind; pos is the index in the stack. */
static enum frame_kind frame__kind(const char *s, size_t *len, uint32_t pos)
{
	if (pos == 0)
		return FRAME_PROCESS;
	if (pos == 1 && is_thread_name(s, *len))
		return FRAME_THREAD;
	if (*len == 9 && !memcmp(s, "[unknown]", 9))
		return FRAME_UNKNOWN;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (*len > 4 && !memcmp(s + *len - 4, suffixes[i].suffix, 4)) {
			*len -= 4;
			return suffixes[i].kind;
		}
	}
	return FRAME_NATIVE;
}

static int reader__push(struct reader *r, uint32_t depth, uint32_t id)
{
	if (depth >= r->ids_cap) {
		size_t cap = r->ids_cap ? r->ids_cap * 2 : 128;
		uint32_t *ids = realloc(r->ids, cap * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		r->ids = ids;
		r->ids_cap = cap;
	}
	r->ids[depth] = id;
	return 0;
}

/* Intern every frame of stack[0..len) into r->ids; returns the depth or -errno. */
static int64_t reader__frames(struct reader *r, char *stack, size_t len)
{
	uint32_t depth = 0;
	char *s = stack, *end = stack + len;

	for (;;) {
		char *semi = memchr(s, ';', end - s);
		size_t flen = (semi ? semi : end) - s;
		enum frame_kind kind;
		int64_t id;

		if (!flen)
			return reader__fail(r,
					    "empty frame name at position %u (two ';' in a row?)",
					    depth + 1);
		kind = frame__kind(s, &flen, depth);
		s[flen] = '\0';
		id = profile__frame(r->p, s, kind, NULL, NULL);
		if (id < 0 || reader__push(r, depth, id))
			return -ENOMEM;
		depth++;
		if (!semi)
			break;
		s = semi + 1;
	}
	return depth;
}

enum count_parse {
	COUNT_OK,
	COUNT_NONE,
	COUNT_TOO_LARGE
};

/* Parse the decimal count that ends at *end (exclusive); moves *end to where it starts. */
static enum count_parse count__parse_back(const char *line, size_t *end, uint64_t *out)
{
	size_t e = *end, b = e;
	uint64_t v = 0;

	while (b > 0 && isdigit((unsigned char)line[b - 1]))
		b--;
	if (b == e || (b > 0 && line[b - 1] != ' ' && line[b - 1] != '\t'))
		return COUNT_NONE;
	for (size_t i = b; i < e; i++) {
		if (v > (FOLDED_MAX_COUNT - (uint64_t)(line[i] - '0')) / 10)
			return COUNT_TOO_LARGE;
		v = v * 10 + (line[i] - '0');
	}
	*out = v;
	*end = b;
	return COUNT_OK;
}

static const char *last_token(const char *line, size_t len)
{
	const char *t = line + len;

	while (t > line && t[-1] != ' ' && t[-1] != '\t')
		t--;
	return t;
}

static int reader__bad_count(struct reader *r, const char *line, size_t len, enum count_parse why)
{
	const char *tok = last_token(line, len);

	if (why == COUNT_TOO_LARGE)
		return reader__fail(r, "count '%.*s' is too large; counts go up to %" PRId64,
				    (int)(line + len - tok), tok, (int64_t)FOLDED_MAX_COUNT);
	return reader__fail(r, "count '%.*s' is not a non-negative integer",
			    (int)(line + len - tok), tok);
}

/* Split "stack C1 [C2]" into its counts; len becomes the stack's length. */
static int reader__counts(struct reader *r, const char *line, size_t *len, uint64_t *c1,
			  uint64_t *c2, bool *two)
{
	enum count_parse why;
	size_t end = *len;
	uint64_t last;

	if (!memchr(line, ' ', end) && !memchr(line, '\t', end))
		return reader__fail(r, "no count: want 'frame;frame;... COUNT'");
	why = count__parse_back(line, &end, &last);
	if (why != COUNT_OK)
		return reader__bad_count(r, line, *len, why);
	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	why = count__parse_back(line, &end, c1);
	if (why == COUNT_TOO_LARGE)
		return reader__bad_count(r, line, end, why);
	*two = why == COUNT_OK;
	if (*two) {
		*c2 = last;
		while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
			end--;
	} else {
		*c1 = last;
		*c2 = 0;
	}
	if (!end)
		return reader__fail(r, "no frames before the count");
	*len = end;
	return 0;
}

/*
 * A "BASE NEW" line needs two columns: a profile still without stacks gets them, named as
 * `bpfprof diff` names them, in the unit column 0 had.
 */
static int reader__two_columns(struct reader *r)
{
	struct pf_value_type t[2] = { { "base", "" }, { "new", "" } };

	if (r->p->nvalues >= 2)
		return 0;
	if (r->p->nstacks)
		return reader__fail(
			r,
			"two counts after lines with one; give 'BASE NEW' counts on every line or on none");
	memcpy(t[0].unit, r->p->types[0].unit, sizeof(t[0].unit));
	memcpy(t[1].unit, r->p->types[0].unit, sizeof(t[1].unit));
	return profile__set_types(r->p, t, 2);
}

/* "# unit: U", "# type: T", "# event: E" (see header__write): into p's columns and meta. */
static int reader__header(struct reader *r, const char *s, size_t len)
{
	struct pf_value_type t[PROFILE_MAX_VALUES];
	const char *v;
	size_t vlen;
	bool unit = len > strlen(FOLDED_UNIT) && !memcmp(s, FOLDED_UNIT, strlen(FOLDED_UNIT));
	bool type = len > strlen(FOLDED_TYPE) && !memcmp(s, FOLDED_TYPE, strlen(FOLDED_TYPE));
	struct profile *p = r->p;

	if (len > strlen(FOLDED_EVENT) && !memcmp(s, FOLDED_EVENT, strlen(FOLDED_EVENT))) {
		if (!p->nstacks) /* the header names it; profile__new() guessed "cpu" */
			snprintf(p->meta.event, sizeof(p->meta.event), "%.*s",
				 (int)(len - strlen(FOLDED_EVENT)), s + strlen(FOLDED_EVENT));
		return 0;
	}
	if (!unit && !type)
		return 0;
	v = s + strlen(unit ? FOLDED_UNIT : FOLDED_TYPE);
	vlen = len - (v - s);
	if (vlen >= sizeof(t[0].unit))
		return reader__fail(r, "'%.*s' is too long", (int)len, s);
	memcpy(t, p->types, sizeof(t));
	for (int c = 0; c < p->nvalues; c++) {
		char *dst = unit ? t[c].unit : t[c].type;

		if (!unit && c) /* a type names column 0; a unit is every column's */
			break;
		if (p->nstacks && (strlen(dst) != vlen || memcmp(dst, v, vlen)))
			return reader__fail(
				r, "'%.*s' after stacks in %s %s: one input holds one unit",
				(int)len, s, p->types[0].type, p->types[0].unit);
		snprintf(dst, sizeof(t[c].unit), "%.*s", (int)vlen, v);
	}
	if (unit && !strcmp(p->meta.unit, ""))
		snprintf(p->meta.unit, sizeof(p->meta.unit), "%.*s", (int)vlen, v);
	return p->nstacks ? 0 : profile__set_types(p, t, p->nvalues);
}

/* One non-blank, non-comment line, without its line break. 0 or -errno. */
static int reader__line(struct reader *r, char *line, size_t len)
{
	uint64_t v[PROFILE_MAX_VALUES] = {};
	int64_t depth;
	bool two = false;
	int err;

	err = reader__counts(r, line, &len, &v[0], &v[1], &two);
	if (!err && two)
		err = reader__two_columns(r);
	if (err)
		return err;
	if (v[0] > FOLDED_MAX_COUNT - r->p->totals[0] || v[1] > FOLDED_MAX_COUNT - r->p->totals[1])
		return reader__fail(r, "the counts so far add up to more than %" PRId64,
				    (int64_t)FOLDED_MAX_COUNT);
	depth = reader__frames(r, line, len);
	if (depth < 0)
		return depth;
	return profile__add_stack(r->p, r->ids, depth, v);
}

static size_t trim_end(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return len;
}

/*
 * The next line into r->line, without its line break: its length, -1 at the end, or -errno
 * (-E2BIG past FOLDED_MAX_LINE). getline() would grow without bound on input with no "\n".
 */
static ssize_t reader__getline(struct reader *r, FILE *in)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (len == FOLDED_MAX_LINE)
			return -E2BIG;
		if (len + 1 >= r->line_cap) {
			size_t cap = r->line_cap ? r->line_cap * 2 : 4096;
			char *line;

			if (cap > FOLDED_MAX_LINE + 1)
				cap = FOLDED_MAX_LINE + 1;
			line = realloc(r->line, cap);
			if (!line)
				return -ENOMEM;
			r->line = line;
			r->line_cap = cap;
		}
		r->line[len++] = c;
	}
	if (c == EOF && ferror(in))
		return errno ? -errno : -EIO;
	if (c == EOF && !len)
		return -1;
	r->line[len] = '\0';
	return len;
}

static int reader__end(struct reader *r, ssize_t n, size_t valid, bool empty_mark)
{
	if (n == -E2BIG) {
		r->lineno++;
		return reader__fail(
			r, "line longer than %u MiB (no line break); is this a folded text file?",
			FOLDED_MAX_LINE >> 20);
	}
	if (n < -1) {
		snprintf(r->err, r->errlen, "%s: read error after line %zu: %s", r->name, r->lineno,
			 strerror(-n));
		return n;
	}
	if (!valid && !empty_mark) {
		snprintf(r->err, r->errlen,
			 "%s: no folded stack lines (want 'frame;frame;... COUNT')", r->name);
		return -ENODATA;
	}
	return 0;
}

int folded__read(struct profile *p, FILE *in, const char *name, char *err, size_t errlen)
{
	struct reader r = { .p = p, .name = name ? name : "-", .err = err, .errlen = errlen };
	bool empty_mark = false;
	size_t valid = 0;
	ssize_t n;
	int ret = 0;

	if (errlen)
		err[0] = '\0';
	while ((n = reader__getline(&r, in)) >= 0) {
		char *s = r.line;
		size_t len;

		r.lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		len = trim_end(s, n - (s - r.line));
		if (len && *s == '#')
			empty_mark |= len == strlen(FOLDED_EMPTY) && !memcmp(s, FOLDED_EMPTY, len);
		if (len && *s == '#' && (ret = reader__header(&r, s, len)))
			goto out_free;
		if (!len || *s == '#')
			continue;
		if (memchr(s, '\0', len)) {
			ret = reader__fail(&r, "NUL byte in line; is this a text file?");
			goto out_free;
		}
		ret = reader__line(&r, s, len);
		if (ret)
			goto out_free;
		valid++;
	}
	ret = reader__end(&r, n, valid, empty_mark);
out_free:
	free(r.line);
	free(r.ids);
	return ret;
}
