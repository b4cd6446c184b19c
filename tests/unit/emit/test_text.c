// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_text.c - the text summary: header numbers, functions ordered by self and total samples
 * with the right percentages, hottest stack first and printed leaf first, --top respected.
 */
#include "check.h"
#include "emit_fixture.h"
#include "emit/emitters.h"

/* Position of needle in hay after from, or -1. */
static long find(const char *hay, const char *needle, long from)
{
	const char *s = from >= 0 ? strstr(hay + from, needle) : NULL;

	return s ? s - hay : -1;
}

int main(void)
{
	struct profile *p = fixture__split();
	struct emit_opts opts = {};
	size_t len;
	char *t = NULL;

	fixture__capture(&t, &len, text__write(p, out, &opts));
	long self, total, stacks, a, b, c;

	check(t != NULL, "text written");
	if (!t)
		return check_done();
	check(strstr(t, "event: cpu, samples: 100, duration: 1.50 s") != NULL, "header");
	self = find(t, "by self samples", 0);
	total = find(t, "by total samples", 0);
	stacks = find(t, "stacks, leaf first", 0);
	check(self >= 0 && total > self && stacks > total, "three sections in order");
	a = find(t, "60.00%  hot_a", self);
	b = find(t, "30.00%  hot_b", self);
	c = find(t, "10.00%  do_syscall_64_[k]", self);
	check(a > self && b > a && c > b && c < total, "self: hot_a, hot_b, do_syscall_64_[k]");
	check(find(t, "100.00%  main", total) > total, "total: main has all samples");
	check(find(t, "10.00%  hot_c", total) > total, "total: hot_c 10 percent");
	check(find(t, "[split tid=42]", total) > 0, "thread frame listed");
	a = find(t, "stack 1\n  [ 0] hot_a (/bin/split)\n  [ 1] main", stacks);
	check(a > stacks, "hottest stack first, leaf first");
	check(find(t, "stack 3\n  [ 0] do_syscall_64_[k]\n  [ 1] hot_c", stacks) > a,
	      "kernel frame leads the third stack");
	free(t);

	opts.top = 1;
	fixture__capture(&t, &len, text__write(p, out, &opts));
	check(t && find(t, "hot_b", 0) < 0 && find(t, "hot_a", 0) > 0, "--top 1 shows one row");
	free(t);
	profile__free(p);
	return check_done();
}
