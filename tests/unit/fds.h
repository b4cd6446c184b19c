/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fds.h - run a process out of file descriptors and back, for the tests that check what a
 * snapshot says then (-EMFILE, and that the caller is told): the limit is lowered to 64 and
 * every descriptor under it taken.
 */
#ifndef BPFPROF_TEST_FDS_H
#define BPFPROF_TEST_FDS_H

#include <sys/resource.h>
#include <unistd.h>

struct fds_held {
	struct rlimit old;
	int fds[64], n;
};

static inline void fds__exhaust(struct fds_held *h)
{
	struct rlimit low;

	getrlimit(RLIMIT_NOFILE, &h->old);
	low = (struct rlimit){ 64, h->old.rlim_max };
	setrlimit(RLIMIT_NOFILE, &low);
	h->n = 0;
	while (h->n < 64 && (h->fds[h->n] = dup(0)) >= 0)
		h->n++;
}

static inline void fds__restore(struct fds_held *h)
{
	while (h->n)
		close(h->fds[--h->n]);
	setrlimit(RLIMIT_NOFILE, &h->old);
}

#endif /* BPFPROF_TEST_FDS_H */
