// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * io/pprof_input.c - pprof files into the profile model (see io/pprof_input.h).
 *
 * The file is gunzipped into memory (bounded), unpacked with the protobuf-c code generated from
 * emit/pprof.proto, checked (every string index, mapping, function and location id must
 * resolve), and turned into frames: each Location once, into the frames of its Lines (root
 * first), then each Sample into one stack. emit/pprof.c's conventions are undone here: the
 * "process"/"thread" labels are the root frames, a Function's system_name carries the frame
 * kind, and "bpfprof.KEY=VALUE" comments carry the meta pprof has no field for.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/pprof_input.h"
#include "lib/u64map.h"
#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;

#define CHUNK (64 * 1024)

/* A growing byte buffer bounded by PPROF_INPUT_MAX. */
struct buf {
	uint8_t *data;
	size_t len, cap;
};

static int buf__reserve(struct buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 1 << 20;
	uint8_t *d;

	if (b->len + extra <= b->cap)
		return 0;
	if (b->len + extra > PPROF_INPUT_MAX)
		return -EFBIG;
	while (cap < b->len + extra)
		cap *= 2;
	if (cap > PPROF_INPUT_MAX)
		cap = PPROF_INPUT_MAX;
	d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

/* Inflate every gzip member of f (its first n bytes already in head) into out. */
static int slurp_gzip(FILE *f, const uint8_t *head, size_t n, struct buf *out, char *err,
		      size_t errlen)
{
	uint8_t in[CHUNK];
	z_stream z = {};
	int rc = 0, zrc = Z_OK;

	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return -ENOMEM;
	memcpy(in, head, n);
	z.next_in = in;
	z.avail_in = n;
	for (;;) {
		if (!z.avail_in) {
			z.avail_in = fread(in, 1, sizeof(in), f);
			z.next_in = in;
			if (!z.avail_in)
				break;
		}
		if (zrc == Z_STREAM_END) /* another gzip member follows */
			inflateReset(&z);
		if ((rc = buf__reserve(out, CHUNK)))
			break;
		z.next_out = out->data + out->len;
		z.avail_out = out->cap - out->len;
		zrc = inflate(&z, Z_NO_FLUSH);
		out->len = out->cap - z.avail_out;
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
			snprintf(err, errlen, "corrupt gzip data (%s)", z.msg ? z.msg : "inflate");
			rc = -EINVAL;
			break;
		}
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "read error");
	} else if (!rc && zrc != Z_STREAM_END) {
		rc = -EINVAL;
		snprintf(err, errlen, "truncated gzip data (the file ends mid-stream)");
	}
	inflateEnd(&z);
	return rc;
}

/* The whole input, gunzipped when it starts with gzip's magic. */
static int slurp(FILE *f, struct buf *out, char *err, size_t errlen)
{
	uint8_t head[2];
	size_t n = fread(head, 1, sizeof(head), f), got;
	int rc = 0;

	if (n == 2 && head[0] == 0x1f && head[1] == 0x8b)
		rc = slurp_gzip(f, head, n, out, err, errlen);
	else if (!(rc = buf__reserve(out, CHUNK))) {
		memcpy(out->data, head, n);
		out->len = n;
		do {
			if ((rc = buf__reserve(out, CHUNK)))
				break;
			got = fread(out->data + out->len, 1, out->cap - out->len, f);
			out->len += got;
		} while (got);
		if (!rc && ferror(f)) {
			rc = -EIO;
			snprintf(err, errlen, "read error");
		}
	}
	if (rc == -EFBIG)
		snprintf(err, errlen,
			 "more than %llu MiB after gunzip; not a profile bpfprof reads",
			 PPROF_INPUT_MAX >> 20);
	else if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* Everything the conversion looks up, freed together. */
struct reader {
	const pb_profile *m;
	struct profile *p;
	struct u64map *mappings, *functions, *locations; /* id -> index + 1 */
	uint32_t *loc_frames;				 /* frames of all locations, root first */
	size_t *loc_first, *loc_n;			 /* per location: into loc_frames */
	int ncols;
	char *err;
	size_t errlen;
};

static int bad(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "not a valid pprof profile: ");

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* String i of the table, or NULL when out of range. */
static const char *str(const struct reader *r, int64_t i)
{
	return i >= 0 && (size_t)i < r->m->n_string_table ? r->m->string_table[i] : NULL;
}

/* An id -> index+1 map over n items; -EINVAL on a zero or repeated id. */
static int index__build(struct reader *r, struct u64map **map, size_t n,
			uint64_t (*id_of)(const pb_profile *, size_t), const char *what)
{
	*map = u64map__new();
	if (!*map)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t id = id_of(r->m, i);

		if (!id || u64map__get(*map, id))
			return bad(r, "%s id %" PRIu64 " is zero or repeated", what, id);
		if (u64map__set(*map, id, (void *)(uintptr_t)(i + 1)))
			return -ENOMEM;
	}
	return 0;
}

static uint64_t mapping_id(const pb_profile *m, size_t i)
{
	return m->mapping[i]->id;
}

static uint64_t function_id(const pb_profile *m, size_t i)
{
	return m->function[i]->id;
}

static uint64_t location_id(const pb_profile *m, size_t i)
{
	return m->location[i]->id;
}

/* The kind emit/pprof.c put in system_name ("NAME_[k]"...), else -1. */
static int kind_of(const char *name, const char *sys)
{
	static const struct {
		const char *suffix;
		enum frame_kind kind;
	} kinds[] = { { "_[k]", FRAME_KERNEL },	 { "_[j]", FRAME_JIT },
		      { "_[i]", FRAME_INLINED }, { "_[a]", FRAME_ALLOC },
		      { "_[l]", FRAME_MONITOR }, { "_[u]", FRAME_UNKNOWN } };
	size_t n = strlen(name);

	if (!sys || strncmp(sys, name, n))
		return -1;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(sys + n, kinds[k].suffix))
			return kinds[k].kind;
	return -1;
}

/* The frame of line j of location loc. */
static int64_t line__frame(struct reader *r, const pb_location *loc, size_t j, const char *module,
			   const char *build_id)
{
	uint64_t fidx = (uintptr_t)u64map__get(r->functions, loc->line[j]->function_id);
	const pb_function *fn;
	const char *name, *sys;
	int kind;

	if (!fidx)
		return bad(r,
			   "location %" PRIu64 " names function %" PRIu64
			   " that is not in the profile",
			   loc->id, loc->line[j]->function_id);
	fn = r->m->function[fidx - 1];
	name = str(r, fn->name);
	sys = str(r, fn->system_name);
	if (!name || !sys)
		return bad(r, "function %" PRIu64 " has a name out of the string table", fn->id);
	if (!*name)
		name = *sys ? sys : "[unknown]";
	kind = kind_of(name, sys);
	if (kind < 0)
		kind = j + 1 < loc->n_line ? FRAME_INLINED : FRAME_NATIVE;
	return profile__frame(r->p, name, kind, module, build_id);
}

/* The module and build-id of a location's mapping (NULL, NULL without one). */
static int location__module(struct reader *r, const pb_location *loc, const char **module,
			    const char **build_id)
{
	uint64_t midx;
	const pb_mapping *mp;

	*module = *build_id = NULL;
	if (!loc->mapping_id)
		return 0;
	midx = (uintptr_t)u64map__get(r->mappings, loc->mapping_id);
	if (!midx)
		return bad(r,
			   "location %" PRIu64 " names mapping %" PRIu64
			   " that is not in the profile",
			   loc->id, loc->mapping_id);
	mp = r->m->mapping[midx - 1];
	*module = str(r, mp->filename);
	*build_id = str(r, mp->build_id);
	if (!*module || !*build_id)
		return bad(r, "mapping %" PRIu64 " has a string out of the string table", mp->id);
	if (!**module)
		*module = NULL;
	if (!**build_id)
		*build_id = NULL;
	return 0;
}

/* Each location's frames, root first: the last Line is the caller the others are inlined in. */
static int locations__build(struct reader *r)
{
	const pb_profile *m = r->m;
	size_t total = 1, next = 0;

	for (size_t i = 0; i < m->n_location; i++)
		total += m->location[i]->n_line ? m->location[i]->n_line : 1;
	r->loc_frames = calloc(total, sizeof(*r->loc_frames));
	r->loc_first = calloc(m->n_location + 1, sizeof(*r->loc_first));
	r->loc_n = calloc(m->n_location + 1, sizeof(*r->loc_n));
	if (!r->loc_frames || !r->loc_first || !r->loc_n)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_location; i++) {
		const pb_location *loc = m->location[i];
		const char *module, *build_id;
		int64_t id;
		int rc = location__module(r, loc, &module, &build_id);

		if (rc)
			return rc;
		r->loc_first[i] = next;
		if (!loc->n_line) { /* not symbolized: its address */
			char name[32];

			snprintf(name, sizeof(name), "0x%" PRIx64, loc->address);
			id = profile__frame(r->p, name, module ? FRAME_NATIVE : FRAME_UNKNOWN,
					    module, build_id);
			if (id < 0)
				return (int)id;
			r->loc_frames[next++] = id;
		}
		for (size_t j = loc->n_line; j-- > 0;) {
			id = line__frame(r, loc, j, module, build_id);
			if (id < 0)
				return (int)id;
			r->loc_frames[next++] = id;
		}
		r->loc_n[i] = next - r->loc_first[i];
	}
	return 0;
}

/* "bpfprof.KEY=VALUE" comments into p's meta; *columns gets bpfprof.columns or 0. */
static int comments__read(struct reader *r, int *columns)
{
	struct profile_meta *mt = &r->p->meta;

	*columns = 0;
	for (size_t i = 0; i < r->m->n_comment; i++) {
		const char *c = str(r, r->m->comment[i]), *v;

		if (!c)
			return bad(r, "comment %zu is out of the string table", i);
		if (strncmp(c, "bpfprof.", 8) || !(v = strchr(c, '=')))
			continue;
		v++;
		c += 8;
		if (!strncmp(c, "columns=", 8))
			*columns = atoi(v);
		else if (!strncmp(c, "event=", 6))
			snprintf(mt->event, sizeof(mt->event), "%s", v);
		else if (!strncmp(c, "unit=", 5))
			snprintf(mt->unit, sizeof(mt->unit), "%s", v);
		else if (!strncmp(c, "period=", 7))
			mt->period = strtoull(v, NULL, 10);
		else if (!strncmp(c, "duration=", 9))
			mt->duration_s = strtod(v, NULL);
		else if (!strncmp(c, "host=", 5))
			snprintf(mt->host, sizeof(mt->host), "%s", v);
		else if (!strncmp(c, "title=", 6))
			snprintf(mt->title, sizeof(mt->title), "%s", v);
	}
	return 0;
}

/* Columns and meta: ours from the comments, anyone else's from sample and period types. */
static int header__read(struct reader *r)
{
	const pb_profile *m = r->m;
	struct pf_value_type types[PROFILE_MAX_VALUES] = {};
	struct profile_meta *mt = &r->p->meta;
	int columns, rc = comments__read(r, &columns);

	if (rc)
		return rc;
	if (!m->n_sample_type)
		return bad(r, "it has no sample types");
	if (columns < 0 || (size_t)columns > m->n_sample_type || columns > PROFILE_MAX_VALUES)
		return bad(r, "bpfprof.columns=%d does not fit its %zu sample types", columns,
			   m->n_sample_type);
	r->ncols = columns ? columns
			   : (int)(m->n_sample_type < PROFILE_MAX_VALUES ? m->n_sample_type
									 : PROFILE_MAX_VALUES);
	for (int c = 0; c < r->ncols; c++) {
		const char *t = str(r, m->sample_type[c]->type),
			   *u = str(r, m->sample_type[c]->unit);

		if (!t || !u)
			return bad(r, "sample type %d is out of the string table", c);
		snprintf(types[c].type, sizeof(types[c].type), "%s", t);
		snprintf(types[c].unit, sizeof(types[c].unit), "%s", u);
	}
	if (profile__set_types(r->p, types, r->ncols))
		return bad(r, "cannot read into a profile that already has stacks");
	if (!columns && m->period_type) {
		const char *t = str(r, m->period_type->type), *u = str(r, m->period_type->unit);

		snprintf(mt->event, sizeof(mt->event), "%s", t ? t : "");
		snprintf(mt->unit, sizeof(mt->unit), "%s", u ? u : "");
		mt->period = m->period > 0 ? m->period : 0;
	}
	mt->start_ns = m->time_nanos > 0 ? m->time_nanos : 0;
	if (!columns && m->duration_nanos > 0)
		mt->duration_s = m->duration_nanos / 1e9;
	return 0;
}

/* A growing array of frame ids and one of label pairs, reused across samples. */
struct scratch {
	uint32_t *ids;
	size_t ids_cap;
	const char **kv;
	size_t kv_cap;
	char (*nums)[24]; /* numeric label values as text */
};

static int scratch__reserve(struct scratch *s, size_t depth, size_t npairs)
{
	if (depth > s->ids_cap) {
		uint32_t *ids = realloc(s->ids, depth * 2 * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		s->ids = ids;
		s->ids_cap = depth * 2;
	}
	if (npairs > s->kv_cap) {
		const char **kv = realloc(s->kv, npairs * 4 * sizeof(*kv));
		char(*nums)[24] = realloc(s->nums, npairs * 2 * sizeof(*nums));

		if (kv)
			s->kv = kv;
		if (nums)
			s->nums = nums;
		if (!kv || !nums)
			return -ENOMEM;
		s->kv_cap = npairs * 2;
	}
	return 0;
}

/* The sample's labels: "process"/"thread" into root frames, the rest into kv pairs. */
static int sample__labels(struct reader *r, const pb_sample *s, size_t i, struct scratch *sc,
			  uint32_t *depth, uint32_t *npairs)
{
	int64_t thread = -1;

	*depth = *npairs = 0;
	for (size_t l = 0; l < s->n_label; l++) {
		const char *key = str(r, s->label[l]->key), *val = str(r, s->label[l]->str);
		int64_t id;

		if (!key || !val)
			return bad(r, "sample %zu has a label out of the string table", i);
		if (!*val && (s->label[l]->num || s->label[l]->num_unit)) { /* a numeric label */
			snprintf(sc->nums[*npairs], sizeof(sc->nums[0]), "%" PRId64,
				 s->label[l]->num);
			val = sc->nums[*npairs];
		} else if (!strcmp(key, "process") || !strcmp(key, "thread")) {
			bool proc = key[0] == 'p';

			id = profile__frame(r->p, val, proc ? FRAME_PROCESS : FRAME_THREAD, NULL,
					    NULL);
			if (id < 0)
				return (int)id;
			if (proc)
				sc->ids[(*depth)++] = id;
			else
				thread = id;
			continue;
		}
		sc->kv[2 * *npairs] = key;
		sc->kv[2 * *npairs + 1] = val;
		(*npairs)++;
	}
	if (thread >= 0)
		sc->ids[(*depth)++] = thread;
	return 0;
}

static int sample__add(struct reader *r, const pb_sample *s, size_t i, struct scratch *sc)
{
	uint64_t values[PROFILE_MAX_VALUES] = {};
	size_t depth = 2;
	uint32_t d, npairs;
	int64_t ls;
	int rc;

	if (s->n_value != r->m->n_sample_type)
		return bad(r, "sample %zu has %zu values for %zu sample types", i, s->n_value,
			   r->m->n_sample_type);
	for (int c = 0; c < r->ncols; c++) {
		if (s->value[c] < 0)
			return bad(r, "sample %zu has a negative value (a diff of two profiles?)",
				   i);
		values[c] = s->value[c];
	}
	for (size_t l = 0; l < s->n_location_id; l++) {
		uint64_t li = (uintptr_t)u64map__get(r->locations, s->location_id[l]);

		if (!li)
			return bad(r,
				   "sample %zu names location %" PRIu64
				   " that is not in the profile",
				   i, s->location_id[l]);
		depth += r->loc_n[li - 1];
	}
	if (depth > UINT32_MAX || (rc = scratch__reserve(sc, depth, s->n_label + 1)))
		return depth > UINT32_MAX ? bad(r, "sample %zu is too deep", i) : rc;
	if ((rc = sample__labels(r, s, i, sc, &d, &npairs)))
		return rc;
	for (size_t l = s->n_location_id; l-- > 0;) { /* leaf first in pprof, root first here */
		uint64_t li = (uintptr_t)u64map__get(r->locations, s->location_id[l]) - 1;

		memcpy(sc->ids + d, r->loc_frames + r->loc_first[li],
		       r->loc_n[li] * sizeof(*sc->ids));
		d += r->loc_n[li];
	}
	ls = profile__labelset(r->p, sc->kv, npairs);
	if (ls < 0)
		return (int)ls;
	return profile__add_labeled(r->p, sc->ids, d, ls, values);
}

static int reader__run(struct reader *r)
{
	const pb_profile *m = r->m;
	struct scratch sc = {};
	int rc;

	if (!m->n_string_table || m->string_table[0][0])
		return bad(r, "its string table does not start with \"\"");
	if ((rc = header__read(r)) ||
	    (rc = index__build(r, &r->mappings, m->n_mapping, mapping_id, "mapping")) ||
	    (rc = index__build(r, &r->functions, m->n_function, function_id, "function")) ||
	    (rc = index__build(r, &r->locations, m->n_location, location_id, "location")) ||
	    (rc = locations__build(r)))
		return rc;
	for (size_t i = 0; i < m->n_sample && !rc; i++)
		rc = sample__add(r, m->sample[i], i, &sc);
	free(sc.ids);
	free(sc.kv);
	free(sc.nums);
	return rc;
}

int pprof_input__read(FILE *f, struct profile *p, char *err, size_t errlen)
{
	struct buf in = {};
	struct reader r = { .p = p, .err = err, .errlen = errlen };
	pb_profile *m;
	int rc = slurp(f, &in, err, errlen);

	if (rc)
		goto out_free;
	if (!in.len) {
		snprintf(err, errlen, "the file is empty, not a pprof profile");
		rc = -EINVAL;
		goto out_free;
	}
	m = perftools__profiles__profile__unpack(NULL, in.len, in.data);
	free(in.data);
	in.data = NULL;
	if (!m) {
		snprintf(
			err, errlen,
			"not a pprof profile (neither gzip'd nor plain perftools.profiles.Profile protobuf)");
		return -EINVAL;
	}
	r.m = m;
	rc = reader__run(&r);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	perftools__profiles__profile__free_unpacked(m, NULL);
	u64map__free(r.mappings);
	u64map__free(r.functions);
	u64map__free(r.locations);
	free(r.loc_frames);
	free(r.loc_first);
	free(r.loc_n);
out_free:
	free(in.data);
	return rc;
}
