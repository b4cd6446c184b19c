/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * check_eq.h - value comparisons for the output-format tests, on top of check.h's check().
 *
 * check.h's check_int/check_str declare a local `__ok` and then pass it to check(), which
 * declares its own `__ok` initialised from itself, so they read an uninitialised value and fail
 * at random. These two take their values into differently named locals and print both sides.
 */
#ifndef BPFPROF_CHECK_EQ_H
#define BPFPROF_CHECK_EQ_H

#include "check.h"

#define check_eq(got, want, what)                                                          \
	({                                                                                  \
		long long got_ = (long long)(got), want_ = (long long)(want);               \
		check(got_ == want_, "%s (got %lld, want %lld)", what, got_, want_);        \
	})

#define check_streq(got, want, what)                                                       \
	({                                                                                  \
		const char *gots_ = (got), *wants_ = (want);                                \
		check(gots_ && wants_ && !strcmp(gots_, wants_), "%s (got '%s', want '%s')", \
		      what, gots_ ? gots_ : "(null)", wants_);                              \
	})

#endif /* BPFPROF_CHECK_EQ_H */
