// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * monitors.c - the class of a contended Java monitor, for bpfprof -e lock (agent option
 * monitors=on).
 *
 * HotSpot posts MonitorContendedEnter on a thread that is about to wait for a monitor another
 * thread holds, and MonitorContendedEntered once it got it. Between the two, every futex wait
 * of the thread is that monitor's: the first names the monitor's class to
 * bpfprof_monitor_wait (probes.c), which the BPF side keeps per thread and puts under the
 * thread's futex waits; the second calls bpfprof_monitor_done, which clears it.
 */
#include <jvmti.h>
#include <stdatomic.h>

#include "agent.h"

static atomic_bool monitors_on;

void JNICALL monitors__on_enter(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jobject object)
{
	struct strbuf name = { 0 };
	jclass klass;
	char *sig = NULL;

	if (!atomic_load(&monitors_on) || !jni || !object)
		return;
	klass = (*jni)->GetObjectClass(jni, object);
	if (klass && (*ti)->GetClassSignature(ti, klass, &sig, NULL) == JVMTI_ERROR_NONE) {
		name__add_class(&name, sig);
		(*ti)->Deallocate(ti, (unsigned char *)sig);
	}
	if (klass)
		(*jni)->DeleteLocalRef(jni, klass);
	if (!name.failed && name.len)
		bpfprof_monitor_wait(name.buf, probes__id(name.buf));
	strbuf__free(&name);
}

void JNICALL monitors__on_entered(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jobject object)
{
	if (atomic_load(&monitors_on))
		bpfprof_monitor_done();
}

int monitors__apply(jvmtiEnv *ti, bool on)
{
	jvmtiCapabilities caps = { .can_generate_monitor_events = 1 };
	jvmtiEventMode mode = on ? JVMTI_ENABLE : JVMTI_DISABLE;

	if (!on && !atomic_load(&monitors_on))
		return 0;
	if (on && (*ti)->AddCapabilities(ti, &caps) != JVMTI_ERROR_NONE)
		return -1;
	if ((*ti)->SetEventNotificationMode(ti, mode, JVMTI_EVENT_MONITOR_CONTENDED_ENTER, NULL) !=
		    JVMTI_ERROR_NONE ||
	    (*ti)->SetEventNotificationMode(ti, mode, JVMTI_EVENT_MONITOR_CONTENDED_ENTERED,
					    NULL) != JVMTI_ERROR_NONE)
		return -1;
	atomic_store(&monitors_on, on);
	return 0;
}
