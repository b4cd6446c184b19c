// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hotspot.c - the native tid of a Java thread that started before the agent listened.
 *
 * JVMTI tells a new thread's start on the thread itself (gettid() there), but for threads that
 * already run at an attach it offers no tid. HotSpot keeps it at JavaThread->_osthread->_thread_id;
 * java.lang.Thread.eetop holds the JavaThread*, and the offsets of both fields are in the table
 * libjvm exports for its serviceability agent (gHotSpotVMStructs: type name, field name, offset
 * per entry; the entry layout itself is exported too). Nothing else reads them, and a layout we
 * do not find just leaves those threads with their 15-character names.
 *
 * The JavaThread may end and be freed while we look, so its memory is read with
 * process_vm_readv on ourselves, which fails instead of faulting, and the tid found is believed
 * only when the kernel's name for it is the Java name's first 15 bytes (HotSpot names every
 * Java thread so when it starts); a garbage or reused tid fails that check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr, process_vm_readv */
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "agent.h"

static struct {
	bool done, ok;
	long osthread, thread_id; /* offsets in JavaThread (or Thread) and OSThread */
} hs;

static bool hotspot__sym(void *lib, const char *name, uint64_t *out)
{
	uint64_t *p = lib ? dlsym(lib, name) : NULL;

	if (!p)
		return false;
	*out = *p;
	return true;
}

/* Fill hs from the exported table of libjvm (lib: its dlopen handle). */
static void hotspot__offsets(void *lib)
{
	uint64_t type_off, field_off, offset_off, stride;
	char **tablep = lib ? dlsym(lib, "gHotSpotVMStructs") : NULL;
	char *e;

	hs.osthread = hs.thread_id = -1;
	if (!tablep || !*tablep ||
	    !hotspot__sym(lib, "gHotSpotVMStructEntryTypeNameOffset", &type_off) ||
	    !hotspot__sym(lib, "gHotSpotVMStructEntryFieldNameOffset", &field_off) ||
	    !hotspot__sym(lib, "gHotSpotVMStructEntryOffsetOffset", &offset_off) ||
	    !hotspot__sym(lib, "gHotSpotVMStructEntryArrayStride", &stride) || !stride)
		return;
	for (e = *tablep; *(const char **)(e + type_off); e += stride) {
		const char *type = *(const char **)(e + type_off);
		const char *field = *(const char **)(e + field_off);

		if (!field)
			continue;
		/* JavaThread::_osthread up to JDK 20, Thread::_osthread since. */
		if ((!strcmp(type, "JavaThread") || !strcmp(type, "Thread")) &&
		    !strcmp(field, "_osthread"))
			hs.osthread = (long)*(uint64_t *)(e + offset_off);
		else if (!strcmp(type, "OSThread") && !strcmp(field, "_thread_id"))
			hs.thread_id = (long)*(uint64_t *)(e + offset_off);
	}
	hs.ok = hs.osthread >= 0 && hs.thread_id >= 0;
}

void hotspot__init(const void *jvm_function)
{
	Dl_info info;
	void *lib = NULL;

	if (hs.done)
		return;
	hs.done = true;
	if (jvm_function && dladdr(jvm_function, &info) && info.dli_fname)
		lib = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
	hotspot__offsets(lib);
	if (lib)
		dlclose(lib); /* RTLD_NOLOAD took a reference to the loaded libjvm: give it back */
}

/* Read len bytes at addr of our own memory; false where nothing is mapped. */
static bool hotspot__peek(uintptr_t addr, void *out, size_t len)
{
	struct iovec local = { out, len }, remote = { (void *)addr, len };

	return addr && process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len;
}

bool hotspot__comm_matches(int tid, const char *name)
{
	char path[64], comm[32] = "";
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(comm, 1, sizeof(comm) - 1, f);
	fclose(f);
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	return comm[0] && !strncmp(comm, name, 15) && strlen(comm) == strnlen(name, 15);
}

int hotspot__tid(uintptr_t java_thread, const char *name)
{
	uintptr_t osthread = 0;
	int tid = 0;

	if (!hs.ok || !hotspot__peek(java_thread + hs.osthread, &osthread, sizeof(osthread)) ||
	    !hotspot__peek(osthread + hs.thread_id, &tid, sizeof(tid)) || tid <= 0)
		return -1;
	return hotspot__comm_matches(tid, name) ? tid : -1;
}
