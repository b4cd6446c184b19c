/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * agent/shim/ln_unit.h - ln(u) for u in (0, 1] without libm, for the exponential gaps of -e alloc's
 * byte sampling: agent/shim/alloc.c (inside the profiled process, which must not need libm) and
 * collect/source_modes.c (the table the uprobe path draws from) share it. Header only.
 */
#ifndef BPFPROF_SHIM_LN_UNIT_H
#define BPFPROF_SHIM_LN_UNIT_H

/* u = m * 2^e with m in [1, 2): ln(u) = 2 atanh((m - 1) / (m + 1)) + e ln 2. */
static inline double ln_unit(double u)
{
	double z, z2, term, sum = 0;
	int e = 0;

	while (u < 1) {
		u *= 2;
		e--;
	}
	z = (u - 1) / (u + 1);
	z2 = z * z;
	term = z;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= z2;
	}
	return 2 * sum + e * 0.69314718055994530942;
}

#endif /* BPFPROF_SHIM_LN_UNIT_H */
