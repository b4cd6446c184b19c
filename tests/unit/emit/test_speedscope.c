// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_speedscope.c - speedscope JSON: schema and exporter keys, one frame per model frame,
 * samples root first in sorted order with matching weights, endValue equal to the total; with
 * a cpu/nanoseconds column next to samples/count, the weights are that column's nanoseconds.
 */
#include "check.h"
#include "emit_fixture.h"
#include "emit/emitters.h"

int main(void)
{
	struct profile *p = fixture__split();
	struct emit_opts opts = { .title = "t\"x<" };
	size_t len;
	char *j = NULL;

	fixture__capture(&j, &len, speedscope__write(p, out, &opts));

	check(j != NULL, "speedscope written");
	if (!j)
		return check_done();
	check(strstr(j, "\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"") !=
		      NULL,
	      "schema key");
	check(strstr(j, "\"exporter\":\"bpfprof ") != NULL, "exporter");
	check(strstr(j, "\"activeProfileIndex\":0") != NULL, "active profile");
	check(strstr(j, "{\"name\":\"main\",\"file\":\"/bin/split\"}") != NULL, "frame with file");
	check(strstr(j, "{\"name\":\"split\"}") != NULL, "process frame without file");
	check(strstr(j, "\"type\":\"sampled\",\"name\":\"t\\\"x\\u003c\"") != NULL,
	      "sampled profile, escaped title");
	check(strstr(j, "\"unit\":\"none\",\"startValue\":0,\"endValue\":100") != NULL, "range");
	/* Sorted by names: hot_a, hot_b, hot_c;do_syscall_64. Frame ids follow insertion. */
	check(strstr(j, "\"samples\":[\n[0,1,2,3],\n[0,1,2,4],\n[0,1,2,5,6]]") != NULL,
	      "samples root first, sorted");
	check(strstr(j, "\"weights\":[60,30,10]") != NULL, "weights");
	free(j);
	profile__free(p);

	p = fixture__split_cpu();
	fixture__capture(&j, &len, speedscope__write(p, out, &opts));
	check(j && strstr(j, "\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":1000000000"),
	      "a time column: unit nanoseconds, its total");
	check(j && strstr(j, "\"weights\":[100000000,300000000,600000000]"),
	      "weights are the time column");
	free(j);
	profile__free(p);
	return check_done();
}
