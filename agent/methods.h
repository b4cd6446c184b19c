/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * methods.h - the agent's /tmp/perf-PID.methods, "METHOD_PTR Class.method" per Java method
 * (methods.c): what names interpreted frames. Apart from agent.h as it takes JVMTI types.
 */
#ifndef BPFPROF_AGENT_METHODS_H
#define BPFPROF_AGENT_METHODS_H

#include <jvmti.h>

#include "agent.h"

/* Create (empty) DIR/perf-PID.methods; names carry parameter types with opts->sig. 0/-errno. */
int methods__open(const struct agent_opts *opts, int pid, char *err, size_t err_len);
/* The lines of one prepared class (ClassPrepare); one write() under a short lock. */
void methods__add_class(jvmtiEnv *ti, jclass klass);
/* Every class loaded so far (at VM init, at an attach); jni frees the local references. */
void methods__add_loaded(jvmtiEnv *ti, JNIEnv *jni);

#endif /* BPFPROF_AGENT_METHODS_H */
