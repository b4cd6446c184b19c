/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/java/names.h - the names HotSpot's JIT code gets in a perf map, as people expect them.
 *
 * Our agent and perf-map-agent write "Burn.hotA"; HotSpot's own Compiler.perfmap writes
 * "long Burn.hotA(long)". Both must become one frame so profiles from either source merge.
 */
#ifndef BPFPROF_JAVA_NAMES_H
#define BPFPROF_JAVA_NAMES_H

struct strset;

/*
 * "long Burn.hotA(long)" -> "Burn.hotA", interned in strs; NULL when name has another shape
 * (keep it as it is). Only one return-type word, a space, a dotted name and a parameter list at
 * the end match: Node's "JS:*f file:1:2" and .NET's "[Optimized]" suffixes do not.
 */
const char *java__jit_name(const char *name, struct strset *strs);

#endif /* BPFPROF_JAVA_NAMES_H */
