// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * options.c - the agent's option string: "-agentpath:libbpfprof-agent.so=unfold=off,sig=on" or
 * the options argument of a dynamic attach.
 *
 *   unfold=on|off  write "->" lines for inlined methods (default on)
 *   sig=on|off     add parameter types to names: Burn.mix(long,int) (default off)
 *   dir=PATH       where perf-PID.map goes (default /tmp, where perf and bpfprof look)
 *   quiet          print nothing to stderr
 *
 * An unknown option must never stop a JVM from starting, so it is skipped and reported once.
 */
#include <stdio.h>
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
			snprintf(warn, warn_len,
				 "unknown option '%s' ignored (known: unfold=on|off, sig=on|off, dir=PATH, quiet)",
				 shown);
	}
	return bad;
}
