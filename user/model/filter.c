// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * model/filter.c - which stacks of a profile a query keeps (see model/filter.h).
 *
 * A profile read back from a window file of the monitor carries "comm" and "pid" labels; one
 * produced by `record` or read from folded text has only its process frame, so the comm regex
 * falls back to that frame's name and a pid filter keeps nothing without a "pid" label.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/filter.h"

int profile_filter__compile(struct profile_filter *f, char *err, size_t errlen)
{
	char msg[200];
	int rc;

	if (f->compiled) {
		regfree(&f->comm_re);
		f->compiled = false;
	}
	if (!f->comm)
		return 0;
	rc = regcomp(&f->comm_re, f->comm, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &f->comm_re, msg, sizeof(msg));
		snprintf(err, errlen, "bad process name regex '%s': %s (POSIX extended)", f->comm,
			 msg);
		return -EINVAL;
	}
	f->compiled = true;
	return 0;
}

int profile_filter__add_label(struct profile_filter *f, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv) {
		snprintf(err, errlen, "label filter '%s' is not key=value (e.g. container_id=abc)",
			 kv);
		return -EINVAL;
	}
	if (f->nlabels >= FILTER_MAX_LABELS) {
		snprintf(err, errlen, "at most %d label filters, '%s' is one too many",
			 FILTER_MAX_LABELS, kv);
		return -EINVAL;
	}
	f->labels[f->nlabels++] = kv;
	return 0;
}

bool profile_filter__empty(const struct profile_filter *f)
{
	return !f || (!f->comm && !f->pid && !f->nlabels);
}

/* The process name of s: its "comm" label, else the name of its FRAME_PROCESS root. */
static const char *stack__comm(const struct profile *p, const struct pf_stack *s)
{
	const char *comm = profile__label(p, s, "comm");

	if (comm)
		return comm;
	if (s->depth && p->frames[s->ids[0]].kind == FRAME_PROCESS)
		return p->frames[s->ids[0]].name;
	return NULL;
}

static bool label__equals(const struct profile *p, const struct pf_stack *s, const char *kv)
{
	const struct pf_labelset *l = &p->labelsets[s->labels];
	size_t klen = strchr(kv, '=') - kv;

	for (uint32_t i = 0; i < l->n; i++)
		if (strlen(l->kv[2 * i]) == klen && !strncmp(l->kv[2 * i], kv, klen))
			return !strcmp(l->kv[2 * i + 1], kv + klen + 1);
	return false;
}

bool profile_filter__keep(const struct profile_filter *f, const struct profile *p,
			  const struct pf_stack *s)
{
	if (profile_filter__empty(f))
		return true;
	if (f->comm) {
		const char *comm = stack__comm(p, s);

		/* an uncompiled filter keeps nothing rather than everything */
		if (!f->compiled || !comm || regexec(&f->comm_re, comm, 0, NULL, 0))
			return false;
	}
	if (f->pid) {
		const char *pid = profile__label(p, s, "pid");
		char want[16];

		snprintf(want, sizeof(want), "%d", (int)f->pid);
		if (!pid || strcmp(pid, want))
			return false;
	}
	for (int i = 0; i < f->nlabels; i++)
		if (!label__equals(p, s, f->labels[i]))
			return false;
	return true;
}

bool *profile_filter__select(const struct profile_filter *f, const struct profile *p)
{
	bool *keep = malloc((p->nstacks + 1) * sizeof(*keep));

	if (!keep)
		return NULL;
	for (size_t i = 0; i < p->nstacks; i++)
		keep[i] = profile_filter__keep(f, p, &p->stacks[i]);
	return keep;
}

void profile_filter__free(struct profile_filter *f)
{
	if (f && f->compiled) {
		regfree(&f->comm_re);
		f->compiled = false;
	}
}
