// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_names.c - HotSpot perf-map names as people expect them (runtimes/java/names.c), and the
 * facade that the symbolizer asks (runtimes__jit_name): Compiler.perfmap's "long Burn.hotA(long)"
 * becomes "Burn.hotA", every other shape is kept as written.
 */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "runtimes/java/names.h"
#include "runtimes/runtimes.h"
#include "lib/strset.h"

static void test_java_names(struct strset *strs)
{
	static const struct {
		const char *raw;
		const char *want; /* NULL: kept */
		const char *what;
	} cases[] = {
		{ "long Burn.hotA(long)", "Burn.hotA",
		  "Compiler.perfmap: return type and parameters go" },
		{ "void java.lang.Thread.run()", "java.lang.Thread.run", "empty parameter list" },
		{ "int[] a.B.c(int[], java.lang.String)", NULL,
		  "a space inside the parameters: not the one-word shape" },
		{ "Burn.hotA", NULL, "our agent's name" },
		{ "Foo.bar->Baz.qux", NULL, "our agent's inlining chain" },
		{ "JS:*hotA /app/burn.js:9:14", NULL, "Node's name" },
		{ "Interpreter", NULL, "a stub" },
		{ "long hotA(long)", NULL, "no dot: not a Java method" },
		{ "long (long)", NULL, "no name" },
		{ "x.Y() [Optimized]", NULL, ".NET's suffix" },
		{ "a b)", NULL, "too short to be a method" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = java__jit_name(cases[i].raw, strs);

		if (cases[i].want)
			check_str(got, cases[i].want, cases[i].what);
		else
			check(!got, "%s: '%s' kept (got %s)", cases[i].what, cases[i].raw,
			      got ? got : "NULL");
	}
}

static void test_facade(struct strset *strs)
{
	const char *node = "JS:*hotA /app/burn.js:9:14";

	check_str(runtimes__jit_name("long Burn.hotA(long)", strs), "Burn.hotA",
		  "facade: the Java rule applies");
	check(runtimes__jit_name(node, strs) == node, "facade: an unknown shape is returned as is");
	check(runtimes__jit_name("long Burn.hotA(long)", strs) ==
		      runtimes__jit_name("int Burn.hotA(int)", strs),
	      "facade: one interned name for both overloads");
}

int main(void)
{
	struct strset *strs = strset__new();

	test_java_names(strs);
	test_facade(strs);
	strset__free(strs);
	return check_done();
}
