// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/source.c - the table of event sources and what every family shares (see
 * collect/source.h): keeping the links an attach made, and letting go of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "collect/source.h"

const struct source_ops *source__for(const struct event_spec *ev)
{
	switch (ev->kind) {
	case EV_TRACEPOINT:
		return &source_tracepoint;
	case EV_KPROBE:
	case EV_UPROBE:
		return &source_probe;
	case EV_NONE:
		return &source_none;
	case EV_PERF:
	default:
		return &source_perf;
	}
}

int source__keep_link(struct source *src, struct bpf_link *link)
{
	struct bpf_link **l;

	if (!link)
		return -errno;
	l = realloc(src->links, (src->nlinks + 1) * sizeof(*l));
	if (!l) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	src->links = l;
	src->links[src->nlinks++] = link;
	return 0;
}

void source__release(struct source *src)
{
	int i;

	for (i = 0; i < src->nlinks; i++)
		bpf_link__destroy(src->links[i]);
	free(src->links);
	src->links = NULL;
	src->nlinks = 0;
	for (i = 0; i < src->nfds; i++)
		close(src->fds[i]);
	free(src->fds);
	src->fds = NULL;
	src->nfds = 0;
}
