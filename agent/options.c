// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * options.c - the agent's option string: "-agentpath:libbpfprof-agent.so=unfold=off,sig=on" or
 * the options argument of a dynamic attach.
 *
 *   unfold=on|off    write "->" lines for inlined methods (default on)
 *   sig=on|off       add parameter types to names: Burn.mix(long,int) (default off)
 *   dir=PATH         where perf-PID.map goes (default /tmp, where perf and bpfprof look)
 *   quiet            print nothing to stderr
 *   compact=SIZE|off rewrite the map without dead code once it is past SIZE (k/m/g suffixes;
 *                    default 8m) and mostly dead; off keeps every line
 *   grace=SECONDS    dead code keeps its lines through a rewrite this long (default 60), so a
 *                    profile symbolized at the end of a recording still names it
 *   alloc=SIZE|off   sample Java allocations, one every SIZE bytes on average, for bpfprof -e
 *                    alloc (default off)
 *   monitors=on|off  name the class of contended monitors for bpfprof -e lock (default off)
 *
 * An unknown option must never stop a JVM from starting, so it is skipped and reported once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static int opt__bool(const char *val, bool *out)
{
	if (!val || !strcmp(val, "on") || !strcmp(val, "true") || !strcmp(val, "1") ||
	    !strcmp(val, "yes"))
		*out = true;
	else if (!strcmp(val, "off") || !strcmp(val, "false") || !strcmp(val, "0") ||
		 !strcmp(val, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

/* "off", "0", or a byte count with an optional k, m or g suffix. */
static int opt__size(const char *val, uint64_t *out)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	if (val && !strcmp(val, "off")) {
		*out = 0;
		return 0;
	}
	if (!val || *val < '0' || *val > '9')
		return -1;
	n = strtoull(val, &end, 10);
	if (*end && strchr("kK", *end))
		shift = 10;
	else if (*end && strchr("mM", *end))
		shift = 20;
	else if (*end && strchr("gG", *end))
		shift = 30;
	if ((shift && end[1]) || (!shift && *end) || n > (~0ull >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

static int opt__seconds(const char *val, unsigned *out)
{
	unsigned long n;
	char *end;

	if (!val || *val < '0' || *val > '9')
		return -1;
	n = strtoul(val, &end, 10);
	if (*end || n > 86400)
		return -1;
	*out = n;
	return 0;
}

/* Apply one "key" or "key=value" item; -1 when the key or the value is not understood. */
static int opt__apply(struct agent_opts *opts, char *item)
{
	char *val = strchr(item, '=');

	if (val)
		*val++ = '\0';
	if (!strcmp(item, "unfold"))
		return opt__bool(val, &opts->unfold);
	if (!strcmp(item, "sig"))
		return opt__bool(val, &opts->sig);
	if (!strcmp(item, "quiet"))
		return opt__bool(val, &opts->quiet);
	if (!strcmp(item, "compact"))
		return opt__size(val, &opts->compact);
	if (!strcmp(item, "grace"))
		return opt__seconds(val, &opts->grace);
	if (!strcmp(item, "alloc"))
		return opt__size(val, &opts->alloc);
	if (!strcmp(item, "monitors"))
		return opt__bool(val, &opts->monitors);
	if (!strcmp(item, "dir") && val && *val && strlen(val) < sizeof(opts->dir)) {
		strcpy(opts->dir, val);
		return 0;
	}
	return -1;
}

int agent_opts__parse(struct agent_opts *opts, const char *str, char *warn, size_t warn_len)
{
	char copy[PATH_MAX + 256], *item, *save = NULL;
	int bad = 0;

	opts->unfold = true;
	opts->sig = false;
	opts->quiet = false;
	opts->compact = AGENT_COMPACT_DEFAULT;
	opts->grace = AGENT_GRACE_DEFAULT;
	opts->alloc = 0;
	opts->monitors = false;
	strcpy(opts->dir, "/tmp");
	if (warn_len)
		warn[0] = '\0';
	if (!str || !*str)
		return 0;
	snprintf(copy, sizeof(copy), "%s", str);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char shown[128];

		snprintf(shown, sizeof(shown), "%s", item);
		if (opt__apply(opts, item) == 0)
			continue;
		if (!bad++ && warn_len)
			snprintf(
				warn, warn_len,
				"unknown option '%s' ignored (known: unfold=on|off, sig=on|off, dir=PATH, quiet, compact=SIZE|off, grace=SECONDS, alloc=SIZE|off, monitors=on|off)",
				shown);
	}
	return bad;
}
