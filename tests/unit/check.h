/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * check.h - the unit tests' assertions, printing TAP lines ("ok N - what", "not ok N - what")
 * that tests/run.sh counts. A failed check prints what it saw and carries on; check_done()
 * returns the exit status (non-zero when any check failed).
 */
#ifndef BPFPROF_CHECK_H
#define BPFPROF_CHECK_H

#include <stdio.h>
#include <string.h>

static int check__n, check__failed;

#define check(cond, ...)                                                                \
	({                                                                              \
		int __c = !!(cond);                                                     \
		printf("%sok %d - ", __c ? "" : "not ", ++check__n);                    \
		printf(__VA_ARGS__);                                                    \
		printf("\n");                                                           \
		if (!__c) {                                                             \
			check__failed++;                                                \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                       \
		__c;                                                                    \
	})

#define check_str(got, want, what)                                                      \
	({                                                                              \
		const char *__g = (got), *__w = (want);                                 \
		int __ok = __g && __w && !strcmp(__g, __w);                             \
		(void)(check(__ok, "%s", what) ||                                       \
		       printf("#   got '%s', want '%s'\n", __g ? __g : "(null)", __w)); \
		__ok;                                                                   \
	})

#define check_int(got, want, what)                                                                \
	({                                                                                        \
		long long __g = (long long)(got), __w = (long long)(want);                        \
		int __ok = __g == __w;                                                            \
		(void)(check(__ok, "%s", what) || printf("#   got %lld, want %lld\n", __g, __w)); \
		__ok;                                                                             \
	})

static inline int check_done(void)
{
	printf("1..%d\n", check__n);
	return check__failed ? 1 : 0;
}

#endif /* BPFPROF_CHECK_H */
