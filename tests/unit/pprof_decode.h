/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pprof_decode.h - gunzip and unpack a pprof profile with the protobuf-c code generated from
 * emit/pprof.proto, for the tests that read what the pprof emitter (or the push stage) wrote.
 * Up to 1 MiB unpacked; anything that is not a gzip'd Profile is NULL.
 */
#ifndef BPFPROF_PPROF_DECODE_H
#define BPFPROF_PPROF_DECODE_H

#include <stdlib.h>
#include <zlib.h>

#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;

/* The Profile in gz[0, len), or NULL. Free with perftools__profiles__profile__free_unpacked. */
static inline pb_profile *pprof_decode_gz(const char *gz, size_t len)
{
	size_t cap = 1 << 20;
	unsigned char *raw = malloc(cap);
	z_stream z = { .next_in = (unsigned char *)gz, .avail_in = len };
	pb_profile *msg = NULL;

	/* 15 + 32: accept the gzip header, and fail on anything else. */
	if (!raw || inflateInit2(&z, 15 + 32) != Z_OK)
		goto out_free;
	z.next_out = raw;
	z.avail_out = cap;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END)
		msg = perftools__profiles__profile__unpack(NULL, z.total_out, raw);
	inflateEnd(&z);
out_free:
	free(raw);
	return msg;
}

#endif /* BPFPROF_PPROF_DECODE_H */
