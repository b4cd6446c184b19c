// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_units.c - durations, sizes and times as users type them: each accepted spelling gives
 * the value worked out by hand (times checked against `date -u -d ... +%s`), and each bad one
 * (empty, signed, garbage, out of order, overflowing, a day that does not exist) is -EINVAL.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"
#include "lib/units.h"

#define S 1000000000ULL

static const struct {
	const char *in;
	double sec; /* < 0: must be rejected */
} durations[] = {
	{ "10s", 10 },
	{ "500ms", 0.5 },
	{ "5m", 300 },
	{ "24h", 86400 },
	{ "2d", 172800 },
	{ "1w", 604800 },
	{ "1h30m", 5400 },
	{ "2d12h", 216000 },
	{ "1h0m5s", 3605 },
	{ "1.5h", 5400 },
	{ "250us", 250e-6 },
	{ "100ns", 100e-9 },
	{ "10", 10 },
	{ "0", 0 },
	{ "0.25", 0.25 },
	{ "1m500ms", 60.5 },
	{ "", -1 },
	{ "-5s", -1 },
	{ "+5s", -1 },
	{ " 5s", -1 },
	{ "5s ", -1 },
	{ "5x", -1 },
	{ "s", -1 },
	{ "5", 5 },
	{ "1.s", -1 },
	{ ".5s", -1 },
	{ "1e3s", -1 },
	{ "inf", -1 },
	{ "nan", -1 },
	{ "0x10s", -1 },
	{ "1m1h", -1 },			 /* out of order */
	{ "1h1h", -1 },			 /* repeated */
	{ "1h30", -1 },			 /* trailing number without a unit */
	{ "600000w", -1 },		 /* > 2^64 ns */
	{ "99999999999999999999s", -1 }, /* > 2^64 */
};

static const struct {
	const char *in;
	long long bytes; /* < 0: must be rejected */
} sizes[] = {
	{ "1G", 1LL << 30 },
	{ "1GB", 1LL << 30 },
	{ "1GiB", 1LL << 30 },
	{ "1g", 1LL << 30 },
	{ "512M", 512LL << 20 },
	{ "100K", 102400 },
	{ "100kb", 102400 },
	{ "2T", 2LL << 40 },
	{ "1P", 1LL << 50 },
	{ "1.5M", 1572864 },
	{ "4096", 4096 },
	{ "4096B", 4096 },
	{ "0", 0 },
	{ "", -1 },
	{ "-1G", -1 },
	{ "1X", -1 },
	{ "1GiBs", -1 },
	{ "1iB", -1 },
	{ "G", -1 },
	{ "1 G", -1 },
	{ "16384P", -1 },		/* 2^64 */
	{ "18446744073709551616", -1 }, /* 2^64 */
};

static const struct {
	const char *in;
	long long ns; /* < 0: must be rejected */
} times[] = {
	{ "2026-11-23T14:15:00Z", 1795443300 * S },
	{ "2026-11-23t14:15:00z", 1795443300 * S },
	{ "2026-11-23T15:15:00+01:00", 1795443300 * S },
	{ "2026-11-23T09:45:00-04:30", 1795443300 * S },
	{ "2026-11-23T14:15:00.25Z", 1795443300 * S + S / 4 },
	{ "2026-11-23T14:15Z", 1795443300 * S },
	{ "2024-02-29T00:00:00Z", 1709164800 * S },
	/* ISO 8601 basic format, as the history's file names write it; every ns kept */
	{ "20261123T141500Z", 1795443300 * S },
	{ "20261123T141500.000000001Z", 1795443300 * S + 1 },
	{ "20261123T141500.999999999Z", 1795443300 * S + 999999999 },
	{ "20261123T1415Z", 1795443300 * S },
	{ "20261123T151500+01:00", 1795443300 * S },
	{ "2026-11-23T14:15:00.123456789Z", 1795443300 * S + 123456789 },
	{ "2026-11-23T14:15:00.1234567891Z", 1795443300 * S + 123456789 },
	{ "1763907300.000000001", 1763907300 * S + 1 },
	{ "20261123", 20261123 * S }, /* all digits: unix seconds */
	{ "20261123T", -1 },
	{ "2026-1123T14:15Z", -1 },
	{ "20261123 141500Z", -1 },
	/* local time: the test runs with TZ=CET-1 (UTC+1, no DST) */
	{ "2026-11-23 15:15", 1795443300 * S },
	{ "2026-11-23 15:15:05", 1795443305 * S },
	{ "2026-11-23T15:15:05", 1795443305 * S },
	{ "2026-11-23", 1795388400 * S },
	{ "1763907300", 1763907300 * S },
	{ "1763907300.5", 1763907300 * S + S / 2 },
	{ "now", 2000000000 * S },
	{ "-5m", 2000000000 * S - 300 * S },
	{ "-1h30m", 2000000000 * S - 5400 * S },
	{ "5m ago", 2000000000 * S - 300 * S },
	{ "", -1 },
	{ "yesterday", -1 },
	{ "-", -1 },
	{ "-5", 2000000000 * S - 5 * S },
	{ "-100000d", -1 },		/* before the epoch */
	{ "2026-02-30T00:00:00Z", -1 }, /* no such day */
	{ "2026-13-01T00:00:00Z", -1 },
	{ "2026-11-23T24:00:00Z", -1 },
	{ "2026-11-23T14:60:00Z", -1 },
	{ "2026-11-23T14:15:00+1", -1 },
	{ "2026-11-23T14:15:00Zjunk", -1 },
	{ "2026-11-23T14", -1 },
	{ "2026-1-23", -1 },
	{ "1960-01-01T00:00:00Z", -1 },
	{ "2600-01-01T00:00:00Z", -1 }, /* > 2^64 ns */
	{ "99999999999999999999", -1 },
	{ " now", -1 },
};

/* Values in a profile's unit, as text, HTML and the summary show them. */
static const struct {
	double v;
	const char *unit, *want;
} formats[] = {
	{ 0, "nanoseconds", "0 ns" },
	{ 999, "nanoseconds", "999 ns" },
	{ 1000, "nanoseconds", "1.00 us" },
	{ 45600000, "nanoseconds", "45.6 ms" },
	{ 466000000, "nanoseconds", "466 ms" },
	{ 1234000000, "nanoseconds", "1.23 s" },
	{ 7200e9, "nanoseconds", "7200 s" },
	{ 512, "bytes", "512 B" },
	{ 12 * 1024, "bytes", "12.0 KiB" },
	{ 3.4 * 1048576, "bytes", "3.40 MiB" },
	{ 1.5 * 1073741824, "bytes", "1.50 GiB" },
	{ 123456, "count", "123456" },
	{ 7, "", "7" },
};

static void test_format(void)
{
	char buf[32];

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		check_str(units__format(formats[i].v, formats[i].unit, buf, sizeof(buf)),
			  formats[i].want, formats[i].want);
	check_str(units__quantity("nanoseconds"), "time", "ns is time");
	check_str(units__quantity("bytes"), "bytes", "bytes are bytes");
	check_str(units__quantity("count"), "samples", "counts are samples");
}

int main(void)
{
	setenv("TZ", "CET-1", 1);
	tzset();
	test_format();

	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		double sec = -42;
		int rc = units__duration(durations[i].in, &sec);

		if (durations[i].sec < 0)
			check(rc == -EINVAL && sec == -42, "duration '%s' rejected (rc %d)",
			      durations[i].in, rc);
		else
			check(rc == 0 && fabs(sec - durations[i].sec) < 1e-12,
			      "duration '%s' = %g s (got rc %d, %g)", durations[i].in,
			      durations[i].sec, rc, sec);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t b = 42;
		int rc = units__size(sizes[i].in, &b);

		if (sizes[i].bytes < 0)
			check(rc == -EINVAL && b == 42, "size '%s' rejected (rc %d)", sizes[i].in,
			      rc);
		else
			check(rc == 0 && b == (uint64_t)sizes[i].bytes,
			      "size '%s' = %lld (got rc %d, %llu)", sizes[i].in, sizes[i].bytes, rc,
			      (unsigned long long)b);
	}
	check(units__size("16383P", &(uint64_t){ 0 }) == 0, "size just under 2^64 accepted");
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint64_t ns = 42;
		int rc = units__time(times[i].in, 2000000000 * S, &ns);

		if (times[i].ns < 0)
			check(rc == -EINVAL && ns == 42, "time '%s' rejected (rc %d)", times[i].in,
			      rc);
		else
			check(rc == 0 && ns == (uint64_t)times[i].ns,
			      "time '%s' = %lld (got rc %d, %llu)", times[i].in, times[i].ns, rc,
			      (unsigned long long)ns);
	}
	check(units__duration(NULL, &(double){ 0 }) == -EINVAL, "NULL duration rejected");
	return check_done();
}
