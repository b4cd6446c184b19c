/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model/filter.h - which stacks of a profile a query keeps: by process name (a POSIX extended
 * regex over the "comm" label, else the process frame's name), by pid (the "pid" label), and by
 * any number of exact key=value labels. Used by `report --dir`, the monitor's HTTP /profile and
 * `bpfprof dump`. An empty filter keeps everything.
 */
#ifndef BPFPROF_FILTER_H
#define BPFPROF_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <sys/types.h>
#include "model/profile.h"

#define FILTER_MAX_LABELS 8

struct profile_filter {
	const char *comm;		       /* regex source, NULL: any */
	pid_t pid;			       /* 0: any */
	const char *labels[FILTER_MAX_LABELS]; /* "key=value", borrowed */
	int nlabels;
	regex_t comm_re; /* private: compiled by profile_filter__compile */
	bool compiled;
};

/* Compile f->comm. 0, or -EINVAL with a one-line message in err. */
int profile_filter__compile(struct profile_filter *f, char *err, size_t errlen);
/* Add a "key=value" (borrowed). 0, or -EINVAL (no '=' / too many) with a message in err. */
int profile_filter__add_label(struct profile_filter *f, const char *kv, char *err, size_t errlen);
bool profile_filter__empty(const struct profile_filter *f);
/* Does stack s of p pass? */
bool profile_filter__keep(const struct profile_filter *f, const struct profile *p,
			  const struct pf_stack *s);
/* A keep[] array for profile__merge (malloc'd, p->nstacks entries), or NULL on -ENOMEM. */
bool *profile_filter__select(const struct profile_filter *f, const struct profile *p);
void profile_filter__free(struct profile_filter *f);

#endif /* BPFPROF_FILTER_H */
