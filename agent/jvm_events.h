/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * jvm_events.h - the agent's JVMTI event handlers beyond the perf map (agent.c registers them
 * all in one SetEventCallbacks): sampled allocations (alloc.c) and contended monitors
 * (monitors.c). Each feature is switched on and off by its *_apply, at load and at every later
 * attach, from the options (agent.h); a handler does nothing while its feature is off.
 */
#ifndef BPFPROF_AGENT_JVM_EVENTS_H
#define BPFPROF_AGENT_JVM_EVENTS_H

#include <jvmti.h>
#include <stdbool.h>
#include <stdint.h>

/* alloc.c: interval 0 switches sampling off. 0, or -1 when the JVM refused. */
int alloc__apply(jvmtiEnv *ti, uint64_t interval);
void JNICALL alloc__on_sample(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jobject object,
			      jclass klass, jlong size);

/* monitors.c: 0, or -1 when the JVM refused. */
int monitors__apply(jvmtiEnv *ti, bool on);
void JNICALL monitors__on_enter(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jobject object);
void JNICALL monitors__on_entered(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jobject object);

#endif /* BPFPROF_AGENT_JVM_EVENTS_H */
