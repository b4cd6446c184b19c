/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * runtimes/method_names.h - the names of a runtime's methods by the address of its own method
 * structure (HotSpot: Method*), which is what the BPF walk records for an interpreted frame
 * (bpf/abi/unwind.h). A runtime fills one from what it publishes (Java: the agent's
 * /tmp/perf-PID.methods) and the symbolizer keeps it with the process.
 *
 * Invariants: a later name for an address replaces an earlier one (the runtime freed a method
 * and reused its memory for another); an address not in the table has no name (a method
 * redefined, or published after the table was read): the frame keeps the interpreter's name.
 */
#ifndef BPFPROF_METHOD_NAMES_H
#define BPFPROF_METHOD_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct method_names;

/* An empty table; NULL on ENOMEM. */
struct method_names *method_names__new(void);
/* The method at addr is called name (len bytes, no NUL needed). 0 or -ENOMEM. */
int method_names__set(struct method_names *mn, uint64_t addr, const char *name, size_t len);
/* The name of the method at addr, or NULL. */
const char *method_names__find(const struct method_names *mn, uint64_t addr);
size_t method_names__count(const struct method_names *mn);
void method_names__free(struct method_names *mn);

#endif /* BPFPROF_METHOD_NAMES_H */
