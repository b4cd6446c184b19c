// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lib/units.c - durations, sizes and points in time as users type them (see lib/units.h).
 *
 * Numbers are read digit by digit rather than with strtod/strtoull: those accept blanks, signs,
 * "inf", hex and exponents, none of which a user means in "--retain 7d".
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "lib/units.h"

#define NS_PER_S 1000000000ULL

/*
 * An optional ".digits" at *s as a fraction in [0,1), and exactly in ns (digits past the ninth
 * cut off) so that times keep every nanosecond; false on a '.' without digits.
 */
static bool read_fraction(const char **s, long double *frac, uint64_t *ns)
{
	const char *p = *s;
	long double scale = 1;
	uint64_t n = 0, nscale = NS_PER_S;

	*frac = 0;
	if (*p != '.') {
		*ns = 0;
		return true;
	}
	if (!isdigit((unsigned char)p[1]))
		return false;
	for (p++; isdigit((unsigned char)*p); p++) {
		scale /= 10;
		*frac += (*p - '0') * scale;
		if (nscale > 1) {
			nscale /= 10;
			n += (*p - '0') * nscale;
		}
	}
	*ns = n;
	*s = p;
	return true;
}

/* digits[.digits] at *s: the integer part (false when over 2^64-1) and the fraction. */
static bool read_number(const char **s, uint64_t *ipart, long double *frac, uint64_t *frac_ns)
{
	const char *p = *s;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (!read_fraction(&p, frac, frac_ns))
		return false;
	*s = p;
	*ipart = v;
	return true;
}

static const struct {
	const char *name;
	double sec;
} duration_units[] = {
	/* largest first: a compound duration must use them in this order */
	{ "w", 7 * 86400.0 }, { "d", 86400.0 }, { "h", 3600.0 }, { "ms", 1e-3 },
	{ "us", 1e-6 },	      { "ns", 1e-9 },	{ "m", 60.0 },	 { "s", 1.0 },
};

/* The unit at *s (longest name first: "ms" before "m"), or -1. */
static int read_duration_unit(const char **s)
{
	int best = -1;
	size_t best_len = 0;

	for (int i = 0; i < (int)(sizeof(duration_units) / sizeof(duration_units[0])); i++) {
		size_t n = strlen(duration_units[i].name);

		if (n > best_len && !strncmp(*s, duration_units[i].name, n)) {
			best = i;
			best_len = n;
		}
	}
	*s += best_len;
	return best;
}

int units__duration(const char *s, double *sec)
{
	long double total = 0, frac;
	double last = 0;
	uint64_t ipart, fns;
	const char *p = s;

	if (!s || !read_number(&p, &ipart, &frac, &fns))
		return -EINVAL;
	if (!*p) {
		total = ipart + frac; /* a bare number: seconds */
	} else {
		for (;;) {
			int u = read_duration_unit(&p);

			if (u < 0 || (last && duration_units[u].sec >= last))
				return -EINVAL; /* unknown, repeated or out of order */
			last = duration_units[u].sec;
			total += (ipart + frac) * duration_units[u].sec;
			if (!*p)
				break;
			if (!read_number(&p, &ipart, &frac, &fns))
				return -EINVAL;
		}
	}
	if (total * NS_PER_S >= 18446744073709551615.0L)
		return -EINVAL;
	*sec = (double)total;
	return 0;
}

int units__size(const char *s, uint64_t *bytes)
{
	static const char prefixes[] = "KMGTP";
	uint64_t ipart, mult = 1, v, fns;
	long double frac;
	const char *p = s, *k;

	if (!s || !read_number(&p, &ipart, &frac, &fns))
		return -EINVAL;
	if (*p && (k = strchr(prefixes, toupper((unsigned char)*p)))) {
		for (int i = 0; i <= k - prefixes; i++)
			mult *= 1024;
		p++;
		if (tolower((unsigned char)*p) == 'i' && toupper((unsigned char)p[1]) == 'B')
			p++;
	}
	if (toupper((unsigned char)*p) == 'B')
		p++;
	if (*p || (ipart && mult > UINT64_MAX / ipart))
		return -EINVAL;
	v = ipart * mult;
	if (frac * mult >= (long double)(UINT64_MAX - v) + 1)
		return -EINVAL;
	*bytes = v + (uint64_t)(frac * mult);
	return 0;
}

/* Exactly n digits at *s as an int. */
static bool read_fixed(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + (*s)[i] - '0';
	}
	*s += n;
	*out = v;
	return true;
}

static bool read_char(const char **s, const char *any)
{
	if (!**s || !strchr(any, **s))
		return false;
	(*s)++;
	return true;
}

/* A zone suffix: "Z" (offset 0), "+HH:MM"/"-HH:MM", or none (*local set). */
static bool read_zone(const char **s, long *off_s, bool *local)
{
	int hh, mm, sign;

	*off_s = 0;
	*local = !**s;
	if (*local || read_char(s, "Zz"))
		return true;
	sign = **s == '-' ? -1 : 1;
	if (!read_char(s, "+-") || !read_fixed(s, 2, &hh) || !read_char(s, ":") ||
	    !read_fixed(s, 2, &mm) || hh > 23 || mm > 59)
		return false;
	*off_s = sign * (hh * 3600L + mm * 60L);
	return true;
}

/* A separator of ISO 8601's extended format; the basic format has none. */
static bool read_sep(const char **s, const char *sep, bool basic)
{
	return basic || read_char(s, sep);
}

/*
 * "YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|±HH:MM]", or ISO 8601's basic format
 * "YYYYMMDDTHHMM[SS[.frac]][Z|±HH:MM]" (the history's file names), as ns since the epoch.
 */
static int parse_date(const char *p, uint64_t *ns)
{
	struct tm tm = { 0 }, back;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	long double frac = 0;
	uint64_t fns = 0;
	long off;
	bool local, basic;
	time_t t;

	if (!read_fixed(&p, 4, &y))
		return -EINVAL;
	basic = isdigit((unsigned char)*p);
	if (!read_sep(&p, "-", basic) || !read_fixed(&p, 2, &mo) || !read_sep(&p, "-", basic) ||
	    !read_fixed(&p, 2, &d))
		return -EINVAL;
	if (basic ? read_char(&p, "Tt") : read_char(&p, "Tt ")) {
		if (!read_fixed(&p, 2, &h) || !read_sep(&p, ":", basic) || !read_fixed(&p, 2, &mi))
			return -EINVAL;
		if ((basic ? isdigit((unsigned char)*p) : read_char(&p, ":")) &&
		    (!read_fixed(&p, 2, &sec) || !read_fraction(&p, &frac, &fns)))
			return -EINVAL;
	} else if (basic) {
		return -EINVAL; /* "20261123" alone is unix seconds, never here */
	}
	if (!read_zone(&p, &off, &local) || *p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 59)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = local ? mktime(&tm) : timegm(&tm);
	if (t == (time_t)-1) /* an error, or 1969-12-31T23:59:59: before the epoch either way */
		return -EINVAL;
	/* a date that does not exist (Feb 30) comes back normalized to another day */
	if (!(local ? localtime_r(&t, &back) : gmtime_r(&t, &back)) || back.tm_mday != d ||
	    back.tm_mon != mo - 1)
		return -EINVAL;
	t -= off;
	if (t < 0 || (uint64_t)t > (UINT64_MAX - NS_PER_S) / NS_PER_S)
		return -EINVAL;
	*ns = (uint64_t)t * NS_PER_S + fns;
	return 0;
}

static bool ends_with(const char *s, const char *suffix, size_t *stem)
{
	size_t n = strlen(s), m = strlen(suffix);

	*stem = n - m;
	return n > m && !strcmp(s + n - m, suffix);
}

/* now_ns minus a duration typed as text. */
static int parse_ago(const char *dur, uint64_t now_ns, uint64_t *ns)
{
	double sec;
	uint64_t back;

	if (units__duration(dur, &sec))
		return -EINVAL;
	back = (uint64_t)((long double)sec * NS_PER_S);
	if (back > now_ns)
		return -EINVAL;
	*ns = now_ns - back;
	return 0;
}

int units__time(const char *s, uint64_t now_ns, uint64_t *ns)
{
	const char *p = s;
	uint64_t ipart, fns;
	long double frac;
	size_t stem;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "now")) {
		*ns = now_ns;
		return 0;
	}
	if (*s == '-')
		return parse_ago(s + 1, now_ns, ns);
	if (ends_with(s, " ago", &stem)) {
		char dur[64];

		if (stem >= sizeof(dur))
			return -EINVAL;
		memcpy(dur, s, stem);
		dur[stem] = '\0';
		return parse_ago(dur, now_ns, ns);
	}
	if (read_number(&p, &ipart, &frac, &fns) && !*p) {
		if (ipart > (UINT64_MAX - NS_PER_S) / NS_PER_S)
			return -EINVAL;
		*ns = ipart * NS_PER_S + fns;
		return 0;
	}
	return parse_date(s, ns);
}

const char *units__format(double v, const char *unit, char *buf, size_t len)
{
	static const char *const times[] = { "ns", "us", "ms", "s" };
	static const char *const sizes[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	bool time = unit && !strcmp(unit, "nanoseconds"), bytes = unit && !strcmp(unit, "bytes");
	double step = time ? 1000 : 1024;
	const char *const *names = time ? times : sizes;
	int i = 0, last = time ? 3 : 4;

	if (!time && !bytes) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	while (i < last && v >= step) {
		v /= step;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.0f %s", v, names[0]);
	else
		snprintf(buf, len,
			 v < 10	   ? "%.2f %s"
			 : v < 100 ? "%.1f %s"
				   : "%.0f %s",
			 v, names[i]);
	return buf;
}

const char *units__quantity(const char *unit)
{
	if (unit && !strcmp(unit, "nanoseconds"))
		return "time";
	if (unit && !strcmp(unit, "bytes"))
		return "bytes";
	return "samples";
}
