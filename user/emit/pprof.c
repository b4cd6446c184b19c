// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emit/pprof.c - write the profile as pprof's gzip'd protobuf (perftools.profiles.Profile), the
 * format `go tool pprof`, Pyroscope and cloud profilers read.
 *
 * The message is built with the protobuf-c code generated from emit/pprof.proto and streamed through
 * zlib, so a large profile is never held both packed and compressed. Mapping to pprof's model:
 *  - every frame of the model is one Function and one Location (id = frame id + 1), with no
 *    address: the frames are symbolized already, so pprof never tries to symbolize them again;
 *  - a frame's kind is its Function's system_name: the name plus the folded suffix ("_[k]",
 *    "_[j]", "_[i]"; "_[u]" for FRAME_UNKNOWN), pprof shows `name` and keeps system_name as the
 *    linker's name, so io/pprof_input.c gets the kind back and viewers show the plain name;
 *  - every distinct module is one Mapping carrying the module's build-id when it is known
 *    (the recorder knows it for every frame of a module or for none);
 *  - the process frame (and the thread frame, with --threads) become the sample labels
 *    "process" and "thread" instead of stack frames, so pprof's views list only functions;
 *    `go tool pprof -tagroot=process,thread` puts them back at the root;
 *  - a stack's label set (pid, comm, container_id...) becomes string labels after those two;
 *  - what pprof has no field for (the event, the unit, how many sample types are the model's
 *    columns, the exact duration, host, title) goes into Profile.comment as "bpfprof.KEY=VALUE"
 *    lines, which `go tool pprof -comments` lists and io/pprof_input.c reads back;
 *  - one sample type per column of the profile, in order (types[c] -> sample_type[c]). A
 *    profile of one column with a known period gets a second, derived one as it always has:
 *    [samples/count, cpu/nanoseconds] for cpu, [samples/count, EVENT/UNIT] otherwise, with
 *    values count and count * period; without a period (a folded input) only the column;
 *  - the period type is that derived column, else the first later column in meta.unit (e.g.
 *    cpu/nanoseconds next to samples/count), with meta.period; else column 0 with period 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "emit/emitters.h"
#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__ValueType pb_value_type;

/*
 * Fixed strings at the start of the string table: then a type and a unit per column from
 * STR_COLUMNS, frame names from STR_FRAMES.
 */
enum {
	STR_EMPTY,
	STR_EVENT,
	STR_UNIT,
	STR_PROCESS,
	STR_THREAD,
	STR_COLUMNS,
	STR_FRAMES = STR_COLUMNS + 2 * PROFILE_MAX_VALUES,
};

/* Sample types: the profile's columns, and perhaps one derived (see the top of the file). */
#define PPROF_MAX_TYPES (PROFILE_MAX_VALUES + 1)

/* "bpfprof.KEY=VALUE" comments (io/pprof_input.h reads the same keys). */
#define PPROF_MAX_COMMENTS 7

/* Everything the message points into, allocated as a few flat arrays and freed together. */
struct pprof_builder {
	const struct profile *p;
	pb_profile msg;
	pb_value_type types[PPROF_MAX_TYPES], period_type;
	pb_value_type *type_ptrs[PPROF_MAX_TYPES];
	int ntypes;
	char **strings;
	size_t nstrings;
	pb_function *functions;
	pb_function **function_ptrs;
	pb_location *locations;
	pb_location **location_ptrs;
	pb_line *lines;
	pb_line **line_ptrs;
	pb_mapping *mappings;
	pb_mapping **mapping_ptrs;
	size_t nmappings;
	uint32_t *frame_mapping; /* per frame id: mapping id or 0 */
	pb_sample *samples;
	pb_sample **sample_ptrs;
	uint64_t *loc_ids; /* all samples' location ids */
	int64_t *values;   /* all samples' values */
	pb_label *labels;
	pb_label **label_ptrs;
	size_t *labelset_str; /* per label set: string index of its first key */
	char **owned;	      /* system names and comments built here, nowned of them */
	size_t nowned;
	int64_t comments[PPROF_MAX_COMMENTS];
	size_t ncomments;
};

static void builder__free(struct pprof_builder *b)
{
	free(b->strings);
	free(b->functions);
	free(b->function_ptrs);
	free(b->locations);
	free(b->location_ptrs);
	free(b->lines);
	free(b->line_ptrs);
	free(b->mappings);
	free(b->mapping_ptrs);
	free(b->frame_mapping);
	free(b->samples);
	free(b->sample_ptrs);
	free(b->loc_ids);
	free(b->values);
	free(b->labels);
	free(b->label_ptrs);
	free(b->labelset_str);
	for (size_t i = 0; i < b->nowned; i++)
		free(b->owned[i]);
	free(b->owned);
}

static bool has_period(const struct profile *p)
{
	return p->meta.period > 0;
}

/* A one-column profile with a period gets column 0 * period as a second sample type. */
static bool has_derived(const struct profile *p)
{
	return has_period(p) && p->nvalues == 1;
}

/* Append s (owned: freed with the builder) to the string table; its index. */
static int64_t strings__add_owned(struct pprof_builder *b, char *s)
{
	b->owned[b->nowned++] = s;
	b->strings[b->nstrings] = s;
	return b->nstrings++;
}

/* Strings of label sets: key and value of each pair, in order, from labelset_str[set]. */
static int labelsets__build(struct pprof_builder *b)
{
	const struct profile *p = b->p;

	b->labelset_str = calloc(p->nlabelsets + 1, sizeof(*b->labelset_str));
	if (!b->labelset_str)
		return -ENOMEM;
	for (size_t i = 0; i < p->nlabelsets; i++) {
		b->labelset_str[i] = b->nstrings;
		for (uint32_t k = 0; k < 2 * p->labelsets[i].n; k++)
			b->strings[b->nstrings++] = (char *)p->labelsets[i].kv[k];
	}
	return 0;
}

/* The kind of each frame in its Function's system_name (see the top of the file). */
static int system_names__build(struct pprof_builder *b, int64_t *sys)
{
	const struct profile *p = b->p;

	for (size_t i = 0; i < p->nframes; i++) {
		const struct pf_frame *f = &p->frames[i];
		const char *suffix =
			f->kind == FRAME_UNKNOWN ? "_[u]" : frame_kind__suffix(f->kind);
		char *s;

		sys[i] = STR_FRAMES + i;
		if (!*suffix || f->kind == FRAME_PROCESS || f->kind == FRAME_THREAD)
			continue;
		if (asprintf(&s, "%s%s", f->name, suffix) < 0)
			return -ENOMEM;
		sys[i] = strings__add_owned(b, s);
	}
	return 0;
}

static int comment__add(struct pprof_builder *b, const char *key, const char *fmt, ...)
{
	char *value, *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	n = asprintf(&s, "bpfprof.%s=%s", key, value);
	free(value);
	if (n < 0)
		return -ENOMEM;
	b->comments[b->ncomments++] = strings__add_owned(b, s);
	return 0;
}

/* The meta pprof has no field for, as comments. */
static int comments__build(struct pprof_builder *b)
{
	const struct profile_meta *m = &b->p->meta;
	int err = comment__add(b, "columns", "%d", b->p->nvalues);

	if (!err && m->event[0])
		err = comment__add(b, "event", "%s", m->event);
	if (!err && m->unit[0])
		err = comment__add(b, "unit", "%s", m->unit);
	if (!err && m->period)
		err = comment__add(b, "period", "%llu", (unsigned long long)m->period);
	if (!err && m->duration_s)
		err = comment__add(b, "duration", "%.17g", m->duration_s);
	if (!err && m->host[0])
		err = comment__add(b, "host", "%s", m->host);
	if (!err && m->title[0])
		err = comment__add(b, "title", "%s", m->title);
	return err;
}

static int strings__build(struct pprof_builder *b)
{
	const struct profile *p = b->p;
	size_t n = STR_FRAMES + 4 * p->nframes + PPROF_MAX_COMMENTS + 1;

	/*
	 * Fixed strings, one per frame, a system name per frame, a filename and a build-id per
	 * mapping, the label sets' keys and values, the comments.
	 */
	for (size_t i = 0; i < p->nlabelsets; i++)
		n += 2 * p->labelsets[i].n;
	b->strings = calloc(n, sizeof(*b->strings));
	b->owned = calloc(p->nframes + PPROF_MAX_COMMENTS + 1, sizeof(*b->owned));
	if (!b->strings || !b->owned)
		return -ENOMEM;
	b->strings[STR_EMPTY] = "";
	for (int c = 0; c < PROFILE_MAX_VALUES; c++) {
		b->strings[STR_COLUMNS + 2 * c] = (char *)(c < p->nvalues ? p->types[c].type : "");
		b->strings[STR_COLUMNS + 2 * c + 1] =
			(char *)(c < p->nvalues ? p->types[c].unit : "");
	}
	b->strings[STR_EVENT] = (char *)p->meta.event;
	b->strings[STR_UNIT] = (char *)(p->meta.unit[0] ? p->meta.unit : "count");
	b->strings[STR_PROCESS] = "process";
	b->strings[STR_THREAD] = "thread";
	for (size_t i = 0; i < p->nframes; i++)
		b->strings[STR_FRAMES + i] = (char *)p->frames[i].name;
	b->nstrings = STR_FRAMES + p->nframes;
	return labelsets__build(b);
}

/* NULL sorts last. */
static int strcmp_null(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) : (a == NULL) - (b == NULL);
}

static int module_cmp_r(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	const struct pf_frame *fa = &p->frames[*(const uint32_t *)a];
	const struct pf_frame *fb = &p->frames[*(const uint32_t *)b];
	int c = strcmp(fa->module, fb->module);

	return c ? c : strcmp_null(fa->build_id, fb->build_id);
}

/*
 * One mapping per distinct module; frames sorted by module, those with a build-id first, so
 * equal modules are adjacent and the first of each has the build-id if any has.
 */
static int mappings__build(struct pprof_builder *b)
{
	const struct profile *p = b->p;
	uint32_t *ids = malloc((p->nframes + 1) * sizeof(*ids));
	size_t n = 0;

	b->frame_mapping = calloc(p->nframes + 1, sizeof(*b->frame_mapping));
	b->mappings = calloc(p->nframes + 1, sizeof(*b->mappings));
	b->mapping_ptrs = calloc(p->nframes + 1, sizeof(*b->mapping_ptrs));
	if (!ids || !b->frame_mapping || !b->mappings || !b->mapping_ptrs) {
		free(ids);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->nframes; i++)
		if (p->frames[i].module)
			ids[n++] = i;
	qsort_r(ids, n, sizeof(*ids), module_cmp_r, (void *)p);
	for (size_t i = 0; i < n; i++) {
		const struct pf_frame *f = &p->frames[ids[i]];
		pb_mapping *m = &b->mappings[b->nmappings];

		if (!i || strcmp(f->module, p->frames[ids[i - 1]].module)) {
			perftools__profiles__mapping__init(m);
			m->id = ++b->nmappings;
			m->filename = b->nstrings;
			b->strings[b->nstrings++] = (char *)f->module;
			if (f->build_id) {
				m->build_id = b->nstrings;
				b->strings[b->nstrings++] = (char *)f->build_id;
			}
			m->has_functions = true;
			b->mapping_ptrs[m->id - 1] = m;
		}
		b->frame_mapping[ids[i]] = b->nmappings;
	}
	free(ids);
	return 0;
}

static int functions__build(struct pprof_builder *b)
{
	size_t n = b->p->nframes;
	int64_t *sys = calloc(n + 1, sizeof(*sys));

	if (!sys || system_names__build(b, sys)) {
		free(sys);
		return -ENOMEM;
	}
	b->functions = calloc(n + 1, sizeof(*b->functions));
	b->function_ptrs = calloc(n + 1, sizeof(*b->function_ptrs));
	b->locations = calloc(n + 1, sizeof(*b->locations));
	b->location_ptrs = calloc(n + 1, sizeof(*b->location_ptrs));
	b->lines = calloc(n + 1, sizeof(*b->lines));
	b->line_ptrs = calloc(n + 1, sizeof(*b->line_ptrs));
	if (!b->functions || !b->function_ptrs || !b->locations || !b->location_ptrs || !b->lines ||
	    !b->line_ptrs) {
		free(sys);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		pb_function *fn = &b->functions[i];
		pb_location *loc = &b->locations[i];
		pb_line *line = &b->lines[i];
		uint32_t mapping = b->frame_mapping[i];

		perftools__profiles__function__init(fn);
		fn->id = i + 1;
		fn->name = STR_FRAMES + i;
		fn->system_name = sys[i];
		fn->filename = mapping ? b->mappings[mapping - 1].filename : 0;
		perftools__profiles__line__init(line);
		line->function_id = fn->id;
		perftools__profiles__location__init(loc);
		loc->id = i + 1;
		loc->mapping_id = mapping;
		loc->n_line = 1;
		loc->line = &b->line_ptrs[i];
		b->line_ptrs[i] = line;
		b->function_ptrs[i] = fn;
		b->location_ptrs[i] = loc;
	}
	free(sys);
	return 0;
}

/* Number of leading frames that become labels: the process frame and a thread frame. */
static uint32_t label_frames(const struct profile *p, const struct pf_stack *s)
{
	uint32_t n = 0;

	if (n < s->depth && p->frames[s->ids[n]].kind == FRAME_PROCESS)
		n++;
	if (n < s->depth && p->frames[s->ids[n]].kind == FRAME_THREAD)
		n++;
	return n;
}

/* The labels of s: "process" and "thread" from its first skip frames, then its label set. */
static void sample__labels(struct pprof_builder *b, pb_sample *smp, const struct pf_stack *s,
			   uint32_t skip, pb_label **next)
{
	const struct profile *p = b->p;
	const struct pf_labelset *ls = &p->labelsets[s->labels];

	smp->n_label = skip + ls->n;
	smp->label = &b->label_ptrs[*next - b->labels];
	for (uint32_t d = 0; d < smp->n_label; d++) {
		pb_label *l = (*next)++;

		perftools__profiles__label__init(l);
		if (d < skip) {
			l->key = p->frames[s->ids[d]].kind == FRAME_PROCESS ? STR_PROCESS
									    : STR_THREAD;
			l->str = STR_FRAMES + s->ids[d];
		} else {
			l->key = b->labelset_str[s->labels] + 2 * (d - skip);
			l->str = l->key + 1;
		}
		smp->label[d] = l;
	}
}

static void sample__fill(struct pprof_builder *b, size_t i, const struct pf_stack *s,
			 uint64_t **loc_ids, pb_label **labels)
{
	const struct profile *p = b->p;
	pb_sample *smp = &b->samples[i];
	uint32_t skip = label_frames(p, s);

	perftools__profiles__sample__init(smp);
	smp->n_location_id = s->depth - skip;
	smp->location_id = *loc_ids;
	for (uint32_t d = s->depth; d-- > skip;)
		*(*loc_ids)++ = s->ids[d] + 1;
	smp->n_value = b->ntypes;
	smp->value = &b->values[i * PPROF_MAX_TYPES];
	for (int c = 0; c < p->nvalues; c++)
		smp->value[c] = s->values[c];
	if (has_derived(p))
		smp->value[1] = s->values[0] * p->meta.period;
	sample__labels(b, smp, s, skip, labels);
	b->sample_ptrs[i] = smp;
}

static int samples__build(struct pprof_builder *b, const size_t *order)
{
	const struct profile *p = b->p;
	size_t n = p->nstacks + 1, depth = 1, nlabels = 1;
	uint64_t *next;
	pb_label *next_label;

	for (size_t i = 0; i < p->nstacks; i++) {
		depth += p->stacks[i].depth;
		nlabels += 2 + p->labelsets[p->stacks[i].labels].n;
	}
	b->samples = calloc(n, sizeof(*b->samples));
	b->sample_ptrs = calloc(n, sizeof(*b->sample_ptrs));
	b->loc_ids = calloc(depth, sizeof(*b->loc_ids));
	b->values = calloc(PPROF_MAX_TYPES * n, sizeof(*b->values));
	b->labels = calloc(nlabels, sizeof(*b->labels));
	b->label_ptrs = calloc(nlabels, sizeof(*b->label_ptrs));
	if (!b->samples || !b->sample_ptrs || !b->loc_ids || !b->values || !b->labels ||
	    !b->label_ptrs)
		return -ENOMEM;
	next = b->loc_ids;
	next_label = b->labels;
	for (size_t i = 0; i < p->nstacks; i++)
		sample__fill(b, i, &p->stacks[order[i]], &next, &next_label);
	return 0;
}

/* The sample type meta.period is counted in, or -1 (see the top of the file). */
static int period__column(const struct profile *p)
{
	if (!has_period(p))
		return -1;
	if (has_derived(p))
		return 1;
	for (int c = 1; c < p->nvalues; c++)
		if (!strcmp(p->types[c].unit, p->meta.unit))
			return c;
	return -1;
}

static void types__fill(struct pprof_builder *b)
{
	const struct profile *p = b->p;

	b->ntypes = p->nvalues + has_derived(p);
	for (int c = 0; c < b->ntypes; c++) {
		perftools__profiles__value_type__init(&b->types[c]);
		b->types[c].type = STR_COLUMNS + 2 * c;
		b->types[c].unit = STR_COLUMNS + 2 * c + 1;
		b->type_ptrs[c] = &b->types[c];
	}
	if (has_derived(p)) {
		b->types[1].type = STR_EVENT;
		b->types[1].unit = STR_UNIT;
	}
}

static void header__fill(struct pprof_builder *b)
{
	const struct profile *p = b->p;
	const struct profile_meta *m = &p->meta;
	pb_profile *msg = &b->msg;
	int pc = period__column(p);

	perftools__profiles__value_type__init(&b->period_type);
	b->period_type = b->types[pc < 0 ? 0 : pc];
	msg->period_type = &b->period_type;
	msg->period = pc < 0 ? 1 : (int64_t)m->period;
	msg->time_nanos = m->start_ns;
	msg->duration_nanos = m->duration_s * 1e9;
}

static int builder__fill(struct pprof_builder *b, const size_t *order)
{
	pb_profile *msg = &b->msg;
	int err;

	perftools__profiles__profile__init(msg);
	types__fill(b);
	err = strings__build(b);
	if (!err)
		err = mappings__build(b);
	if (!err)
		err = functions__build(b);
	if (!err)
		err = samples__build(b, order);
	if (!err)
		err = comments__build(b);
	if (err)
		return err;
	header__fill(b);
	return 0;
}

/* A ProtobufCBuffer whose bytes go through deflate into a FILE. */
struct gz_sink {
	ProtobufCBuffer base;
	z_stream z;
	FILE *out;
	int err;
};

static void gz_sink__push(struct gz_sink *g, const uint8_t *data, size_t len, int flush)
{
	unsigned char chunk[64 * 1024];

	g->z.next_in = (uint8_t *)data;
	g->z.avail_in = len;
	do {
		g->z.next_out = chunk;
		g->z.avail_out = sizeof(chunk);
		if (deflate(&g->z, flush) == Z_STREAM_ERROR) {
			g->err = -EIO;
			return;
		}
		if (fwrite(chunk, 1, sizeof(chunk) - g->z.avail_out, g->out) !=
		    sizeof(chunk) - g->z.avail_out)
			g->err = -EIO;
	} while (g->z.avail_out == 0);
}

static void gz_sink__append(ProtobufCBuffer *buf, size_t len, const uint8_t *data)
{
	struct gz_sink *g = (struct gz_sink *)buf;

	if (!g->err)
		gz_sink__push(g, data, len, Z_NO_FLUSH);
}

static int message__write_gz(const pb_profile *msg, FILE *out)
{
	struct gz_sink g = { .base.append = gz_sink__append, .out = out };

	/* windowBits 15 + 16: a gzip header and trailer, as pprof expects. */
	if (deflateInit2(&g.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -ENOMEM;
	perftools__profiles__profile__pack_to_buffer(msg, &g.base);
	if (!g.err)
		gz_sink__push(&g, NULL, 0, Z_FINISH);
	deflateEnd(&g.z);
	fflush(out);
	return g.err ? g.err : ferror(out) ? -EIO : 0;
}

int pprof__write(const struct profile *p, FILE *out, const struct emit_opts *opts)
{
	struct pprof_builder b = { .p = p };
	size_t *order = profile__sorted(p);
	int err = order ? builder__fill(&b, order) : -ENOMEM;

	if (err)
		goto out_free;
	b.msg.n_sample_type = b.ntypes;
	b.msg.sample_type = b.type_ptrs;
	b.msg.n_sample = p->nstacks;
	b.msg.sample = b.sample_ptrs;
	b.msg.n_mapping = b.nmappings;
	b.msg.mapping = b.mapping_ptrs;
	b.msg.n_location = p->nframes;
	b.msg.location = b.location_ptrs;
	b.msg.n_function = p->nframes;
	b.msg.function = b.function_ptrs;
	b.msg.n_comment = b.ncomments;
	b.msg.comment = b.comments;
	b.msg.n_string_table = b.nstrings;
	b.msg.string_table = b.strings;
	err = message__write_gz(&b.msg, out);
out_free:
	builder__free(&b);
	free(order);
	return err;
}
