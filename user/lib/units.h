/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lib/units.h - the quantities users type on the command line and in URLs: durations ("10s",
 * "1h30m"), sizes ("512M", "1GiB") and points in time ("2026-11-23T14:15:00Z", "-5m", "now").
 * One parser each so `monitor --retain`, `--max-disk`, `report --from/--to` and the HTTP
 * queries accept the same spellings.
 *
 * Invariants:
 *  - the whole string is consumed: no leading/trailing blanks, no sign (except a time's leading
 *    '-'), no "inf"/"nan"/hex/exponents; anything else is -EINVAL and the output is untouched;
 *  - a result that does not fit (a size over 2^64-1 bytes, a duration or time past 2^64-1 ns,
 *    a time before 1970) is -EINVAL too.
 */
#ifndef BPFPROF_UNITS_H
#define BPFPROF_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A duration: one or more <number><unit> with units "ns", "us", "ms", "s", "m", "h", "d", "w"
 * each at most once and largest first ("1h30m", "1.5h", "2d12h"); a bare number is seconds
 * ("10", "0.25"). 0 or -EINVAL.
 */
int units__duration(const char *s, double *sec);

/*
 * A size in bytes: <number>[K|M|G|T|P][B|iB], case-insensitive, every multiple a power of 1024
 * ("1G" == "1GB" == "1GiB" == 2^30, "100K", "1.5M", "4096", "4096B"). Fractions round down.
 * 0 or -EINVAL.
 */
int units__size(const char *s, uint64_t *bytes);

/*
 * A point in time, as ns since the epoch:
 *  - "now";
 *  - relative to now_ns: "-5m", "-1h30m", "5m ago" (a duration as units__duration reads it);
 *  - unix seconds "1763907300" (a fraction allowed: "1763907300.25");
 *  - RFC 3339 "2026-11-23T14:15:00Z", "2026-11-23T15:15:00+01:00", fractions of a second;
 *  - local time "2026-11-23 14:15", "2026-11-23T14:15:05", "2026-11-23" (midnight).
 * 0 or -EINVAL.
 */
int units__time(const char *s, uint64_t now_ns, uint64_t *ns);

/*
 * A value of a profile's unit the way a person reads it: "nanoseconds" as "812 ns", "12.3 us",
 * "45.6 ms", "1.23 s"; "bytes" as "512 B", "12.0 KiB", "3.40 MiB", "1.50 GiB"; anything else
 * (counts) as the whole number. Returns buf.
 */
const char *units__format(double v, const char *unit, char *buf, size_t len);

/* What a value of unit is called in a column header: "time", "bytes" or "samples". */
const char *units__quantity(const char *unit);

#endif /* BPFPROF_UNITS_H */
