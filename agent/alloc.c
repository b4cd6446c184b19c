// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * alloc.c - Java allocation samples for bpfprof -e alloc (agent option alloc=SIZE).
 *
 * HotSpot samples allocations itself (JVMTI SampledObjectAlloc, JDK 11+): each thread walks a
 * Poisson process on the bytes it allocates, with exponential gaps of mean
 * SetHeapSamplingInterval bytes, and reports the object that holds a sample point, once, however
 * many points it holds. An object of size s is thus reported with probability 1 - e^(-s/I), so
 * weighing each report s / (1 - e^(-s/I)) bytes (about I for small objects, s for huge ones)
 * makes the totals unbiased. Each report goes to bpfprof_java_alloc (probes.c), on the
 * allocating thread, under the Java frames that allocated.
 *
 * Sampling is switched on by the option and off by alloc=off, at load or by a later attach;
 * the agent does nothing per allocation while it is off.
 */
#include <jvmti.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "agent.h"

static _Atomic uint64_t alloc_interval; /* 0: off */

void JNICALL alloc__on_sample(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jobject object,
			      jclass klass, jlong size)
{
	uint64_t interval = atomic_load(&alloc_interval);
	struct strbuf name = { 0 };
	char *sig = NULL;

	if (!interval || size <= 0 ||
	    (*ti)->GetClassSignature(ti, klass, &sig, NULL) != JVMTI_ERROR_NONE)
		return;
	name__add_class(&name, sig);
	(*ti)->Deallocate(ti, (unsigned char *)sig);
	if (!name.failed && name.len)
		bpfprof_java_alloc(name.buf, probes__id(name.buf), (uint64_t)size,
				   probes__alloc_weight((uint64_t)size, interval));
	strbuf__free(&name);
}

int alloc__apply(jvmtiEnv *ti, uint64_t interval)
{
	jvmtiCapabilities caps = { .can_generate_sampled_object_alloc_events = 1 };

	if (!interval) {
		if (atomic_exchange(&alloc_interval, 0))
			(*ti)->SetEventNotificationMode(ti, JVMTI_DISABLE,
							JVMTI_EVENT_SAMPLED_OBJECT_ALLOC, NULL);
		return 0;
	}
	if (interval > INT32_MAX)
		interval = INT32_MAX; /* SetHeapSamplingInterval takes a jint */
	if ((*ti)->AddCapabilities(ti, &caps) != JVMTI_ERROR_NONE ||
	    (*ti)->SetHeapSamplingInterval(ti, (jint)interval) != JVMTI_ERROR_NONE)
		return -1;
	atomic_store(&alloc_interval, interval);
	if ((*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_SAMPLED_OBJECT_ALLOC,
					    NULL) != JVMTI_ERROR_NONE) {
		atomic_store(&alloc_interval, 0);
		return -1;
	}
	return 0;
}
