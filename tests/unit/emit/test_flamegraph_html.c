// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_flamegraph_html.c - the HTML page: markers replaced, title escaped, the embedded JSON
 * cannot end its <script> early whatever the frame names are, stacks carry shared prefixes,
 * diff mode carries both counts. (The drawing and search are checked in a real browser by
 * tests/e2e/report_formats.sh.)
 */
#include "check.h"
#include "emit_fixture.h"
#include "emit/emitters.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

int main(void)
{
	struct profile *p = fixture__split();
	struct emit_opts opts = { .title = "<b>T&amp</b>" };
	uint32_t proc = 0, evil;
	size_t len;
	char *h;

	evil = profile__frame(p, "x</script><script>alert(1)</script>", FRAME_NATIVE, NULL, NULL);
	profile__add_stack(p, (uint32_t[]){ proc, evil }, 2, (uint64_t[]){ 1 });
	fixture__capture(&h, &len, flamegraph_html__write(p, out, &opts, false));
	check(h != NULL, "html written");
	if (!h)
		return check_done();
	check(!strstr(h, "@TITLE@") && !strstr(h, "@DATA@"), "markers replaced");
	check(strstr(h, "<title>&lt;b&gt;T&amp;amp&lt;/b&gt;</title>") != NULL, "title escaped");
	check_int(count(h, "</script>"), 2, "only the page's two scripts end");
	check(strstr(h, "x\\u003c/script\\u003e\\u003cscript\\u003ealert(1)") != NULL,
	      "name escaped inside JSON");
	check(strstr(h, "\"kinds\":[0,1,2,2,2,2,3,2]") != NULL, "kinds per frame id");
	/* Sorted: split;thread;main;hot_a, ...;hot_b, ...;hot_c;sys, then split;x</script>. */
	check(strstr(h, "\"stacks\":[\n[0,0,1,2,3],\n[3,4],\n[3,5,6],\n[1,7]]") != NULL,
	      "stacks as shared prefix + new ids");
	check(strstr(h, "\"counts\":[60,30,10,1]}") != NULL, "counts, no counts2");
	check(strstr(h, "\"subtitle\":\"event cpu, 101 samples, 1.50 s, host testhost") != NULL,
	      "subtitle");
	free(h);

	p->stacks[0].values[1] = 7;
	fixture__capture(&h, &len, flamegraph_html__write(p, out, &opts, true));
	check(h && strstr(h, "\"diff\":true") && strstr(h, "\"counts2\":[0,7,0,0]"),
	      "diff mode carries NEW counts");
	free(h);
	profile__free(p);
	return check_done();
}
