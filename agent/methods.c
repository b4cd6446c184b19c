// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * methods.c - the agent's /tmp/perf-PID.methods: which HotSpot Method* is which Java method, so
 * that a profiler can name the frames the interpreter runs.
 *
 * Interpreted code has no code blob of its own: every interpreted frame runs HotSpot's one
 * "Interpreter" range of the perf map. bpfprof's BPF stack walk reads instead the Method* each
 * interpreter frame keeps at a fixed slot below its frame pointer, and names it from this file:
 * one "METHOD_PTR Class.method\n" line (the pointer in hex) per method of every class the JVM
 * has prepared. The lines of a class are written with one write() under a short lock, when the
 * class is prepared (ClassPrepare, on the loading thread) and, for the classes loaded before we
 * listened, once at VM init or at an attach (GetLoadedClasses).
 *
 * In HotSpot a jmethodID points at a slot that holds the method's Method* (the slot follows the
 * method through a redefinition). A Method* freed with its class may come back as another
 * method's; that class's lines then come later in the file, and its reader takes the LAST line
 * for a pointer. A Method* not in the file (a redefined method's old version, a class we have
 * not seen yet) is left unnamed by the reader: it falls back to the interpreter's name.
 *
 * Cost: GetClassMethods gives every method a jmethodID (HotSpot otherwise allocates them lazily,
 * about 8 bytes each) and the names are formatted on the loading thread: a few microseconds per
 * class. The file is never rewritten; past METHODS_MAX_SIZE (a JVM that keeps generating
 * classes) it stops growing and later classes stay unnamed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "methods.h"

#define METHODS_MAX_SIZE (64ull << 20) /* as the reader's budget (runtimes/java/methods.h) */

static struct {
	pthread_mutex_t lock;
	int fd;
	bool sig;
	uint64_t size;
	char path[PATH_MAX + 32];
} mf = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

int methods__open(const struct agent_opts *opts, int pid, char *err, size_t err_len)
{
	int fd;

	pthread_mutex_lock(&mf.lock);
	/* Every class alive is written again (methods__add_loaded): an older file goes. */
	fd = agent_file__create(mf.path, sizeof(mf.path), opts->dir, pid, "methods",
				"interpreted frames stay unnamed", err, err_len);
	if (fd < 0) {
		pthread_mutex_unlock(&mf.lock);
		return fd;
	}
	if (mf.fd >= 0)
		close(mf.fd);
	mf.fd = fd;
	mf.sig = opts->sig;
	mf.size = 0;
	pthread_mutex_unlock(&mf.lock);
	return 0;
}

/* Append sb to the file with one write(); quiet after an error (the map says it once). */
static void methods__write(const struct strbuf *sb)
{
	pthread_mutex_lock(&mf.lock);
	if (mf.fd >= 0 && mf.size + sb->len <= METHODS_MAX_SIZE) {
		mf.size += sb->len;
		if (!agent_file__write(mf.fd, sb->buf, sb->len)) {
			close(mf.fd);
			mf.fd = -1;
		}
	}
	pthread_mutex_unlock(&mf.lock);
}

/* One line per method of klass: its Method* (what *jmethodID holds in HotSpot) and its name. */
static void methods__lines(struct strbuf *sb, jvmtiEnv *ti, const char *csig, jmethodID *ids,
			   jint n)
{
	for (jint i = 0; i < n; i++) {
		char *name = NULL, *msig = NULL;
		void *method = ids[i] ? *(void *const *)ids[i] : NULL;

		if (!method || (*ti)->GetMethodName(ti, ids[i], &name, mf.sig ? &msig : NULL,
						    NULL) != JVMTI_ERROR_NONE)
			continue;
		strbuf__addf(sb, "%lx ", (unsigned long)method);
		name__add_method(sb, csig, name, msig);
		strbuf__addc(sb, '\n');
		(*ti)->Deallocate(ti, (unsigned char *)name);
		if (msig)
			(*ti)->Deallocate(ti, (unsigned char *)msig);
	}
}

void methods__add_class(jvmtiEnv *ti, jclass klass)
{
	struct strbuf sb = { 0 };
	jmethodID *ids = NULL;
	char *csig = NULL;
	jint n = 0;

	if (mf.fd < 0) /* racy read: at worst one class more formatted for nothing */
		return;
	/* Arrays and classes not prepared yet (their ClassPrepare comes) have no methods here. */
	if ((*ti)->GetClassSignature(ti, klass, &csig, NULL) != JVMTI_ERROR_NONE)
		return;
	if ((*ti)->GetClassMethods(ti, klass, &n, &ids) == JVMTI_ERROR_NONE && n > 0) {
		methods__lines(&sb, ti, csig, ids, n);
		if (!sb.failed && sb.len)
			methods__write(&sb);
	}
	if (ids)
		(*ti)->Deallocate(ti, (unsigned char *)ids);
	(*ti)->Deallocate(ti, (unsigned char *)csig);
	strbuf__free(&sb);
}

void methods__add_loaded(jvmtiEnv *ti, JNIEnv *jni)
{
	jclass *classes = NULL;
	jint n = 0;

	if (mf.fd < 0 || (*ti)->GetLoadedClasses(ti, &n, &classes) != JVMTI_ERROR_NONE)
		return;
	for (jint i = 0; i < n; i++) {
		methods__add_class(ti, classes[i]);
		if (jni)
			(*jni)->DeleteLocalRef(jni, classes[i]);
	}
	(*ti)->Deallocate(ti, (unsigned char *)classes);
}
