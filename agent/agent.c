// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent.c - libbpfprof-agent.so: a JVMTI agent that names a JVM's JIT code for bpfprof.
 *
 * Loaded at start (java -agentpath:/path/libbpfprof-agent.so[=options]) or into a running JVM
 * (bpfprof attach PID), it appends one "START SIZE name" line to /tmp/perf-PID.map for every
 * compiled method and every stub or interpreter piece HotSpot generates, as it happens; on attach
 * it first asks the JVM to replay what already exists. With unfold=on each compiled method is
 * followed by lines for the PC ranges that run inlined code, named by the inline chain outermost
 * first: "7f..b00 40 Burn.round->Burn.hotA->Burn.step". Unloaded methods are reported to mapfile.c,
 * which drops their lines from the map once most of it is dead (compact=, grace= options).
 * Beside the map, /tmp/perf-PID.threads names each thread's tid with its whole Java name
 * (threads.c): from ThreadStart, which runs on the new thread, and for threads already running
 * at an attach from HotSpot's own record of their tid (hotspot.c).
 *
 * It lives inside someone else's process: it never leaves a JNI exception pending, never blocks in
 * a callback beyond one buffered write, frees everything JVMTI allocates, and if it cannot write
 * the map it says so once and stays out of the way. A second attach only repairs a lost map.
 */
#include <jvmti.h>
#include <jvmticmlr.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "jvm_events.h"
#include "methods.h"

static JavaVM *agent_vm;
static jvmtiEnv *agent_jvmti;
static struct agent_opts agent_opts = { .unfold = true,
					.dir = "/tmp",
					.compact = AGENT_COMPACT_DEFAULT,
					.grace = AGENT_GRACE_DEFAULT };
static atomic_bool agent_active;

void agent__log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (agent_opts.quiet)
		return;
	n = snprintf(line, sizeof(line), "bpfprof-agent: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	if (write(STDERR_FILENO, line, strlen(line)) < 0)
		return; /* nowhere left to complain */
}

static void agent__free(void *p)
{
	if (p)
		(*agent_jvmti)->Deallocate(agent_jvmti, p);
}

/* Append "pkg.Class.method" (with parameter types when sig=on); "[unknown]" if the JVM can't say. */
static void agent__add_method_name(struct strbuf *sb, JNIEnv *jni, jmethodID method)
{
	char *name = NULL, *msig = NULL, *csig = NULL;
	jclass klass = NULL;
	jvmtiEnv *ti = agent_jvmti;

	if ((*ti)->GetMethodName(ti, method, &name, &msig, NULL) != JVMTI_ERROR_NONE ||
	    (*ti)->GetMethodDeclaringClass(ti, method, &klass) != JVMTI_ERROR_NONE ||
	    (*ti)->GetClassSignature(ti, klass, &csig, NULL) != JVMTI_ERROR_NONE)
		strbuf__adds(sb, "[unknown]");
	else
		name__add_method(sb, csig, name, agent_opts.sig ? msig : NULL);
	agent__free(name);
	agent__free(msig);
	agent__free(csig);
	/* A callback may resolve hundreds of methods: don't pile up local references. */
	if (klass && jni)
		(*jni)->DeleteLocalRef(jni, klass);
}

/* Method names resolved once per compiled method: inline chains repeat the same few methods. */
struct name_cache {
	jmethodID *ids;
	size_t *offs; /* offset of each NUL-terminated name in names */
	size_t n, cap;
	struct strbuf names;
};

static const char *name_cache__get(struct name_cache *c, JNIEnv *jni, jmethodID m)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->ids[i] == m)
			return c->names.buf + c->offs[i];
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		jmethodID *ids = realloc(c->ids, cap * sizeof(*ids));
		size_t *offs = ids ? realloc(c->offs, cap * sizeof(*offs)) : NULL;

		if (ids)
			c->ids = ids;
		if (!offs)
			return NULL;
		c->offs = offs;
		c->cap = cap;
	}
	c->ids[c->n] = m;
	c->offs[c->n] = c->names.len;
	agent__add_method_name(&c->names, jni, m);
	strbuf__addc(&c->names, '\0');
	if (c->names.failed)
		return NULL;
	return c->names.buf + c->offs[c->n++];
}

static void name_cache__free(struct name_cache *c)
{
	free(c->ids);
	free(c->offs);
	strbuf__free(&c->names);
}

static const jvmtiCompiledMethodLoadInlineRecord *agent__inline_record(const void *compile_info)
{
	const jvmtiCompiledMethodLoadRecordHeader *h = compile_info;

	for (; h; h = h->next)
		if (h->kind == JVMTI_CMLR_INLINE_INFO)
			return (const jvmtiCompiledMethodLoadInlineRecord *)h;
	return NULL;
}

/* One line per range: the chain outermost first, joined by "->". */
static void agent__add_inline_line(struct strbuf *sb, struct name_cache *cache, JNIEnv *jni,
				   const struct code_range *r, const struct pc_scope *scope)
{
	/*
	 * PCStackInfo.methods[0] is the innermost method (the one whose bytecode is at the pc)
	 * and methods[numstackframes - 1] the outermost, the compiled method itself: HotSpot fills
	 * it walking ScopeDesc::sender() from the pc's scope (checked on JDK 17 and 25: the last
	 * entry is always the event's method). So the name is written from the end.
	 */
	strbuf__addf(sb, "%lx %lx ", (unsigned long)r->start, (unsigned long)(r->end - r->start));
	for (int k = scope->depth - 1; k >= 0; k--) {
		const char *name = name_cache__get(cache, jni, (jmethodID)scope->methods[k]);

		strbuf__adds(sb, name ? name : "[unknown]");
		if (k)
			strbuf__adds(sb, "->");
	}
	strbuf__addc(sb, '\n');
}

static void agent__add_inline_lines(struct strbuf *sb, JNIEnv *jni, const void *code_addr,
				    jint code_size, const void *compile_info)
{
	const jvmtiCompiledMethodLoadInlineRecord *rec = agent__inline_record(compile_info);
	uintptr_t start = (uintptr_t)code_addr;
	struct name_cache cache = { 0 };
	struct code_range *ranges;
	struct pc_scope *pcs;
	int n;

	if (!rec || rec->numpcs <= 0 || !rec->pcinfo)
		return;
	pcs = calloc(rec->numpcs, sizeof(*pcs));
	ranges = calloc(rec->numpcs, sizeof(*ranges));
	if (!pcs || !ranges)
		goto out_free;
	for (int i = 0; i < rec->numpcs; i++) {
		pcs[i].pc = (uintptr_t)rec->pcinfo[i].pc;
		pcs[i].depth = rec->pcinfo[i].numstackframes;
		pcs[i].methods = (void *const *)rec->pcinfo[i].methods;
	}
	n = ranges__inline(pcs, rec->numpcs, start, start + code_size, ranges);
	for (int i = 0; i < n; i++)
		agent__add_inline_line(sb, &cache, jni, &ranges[i], &pcs[ranges[i].scope]);
	name_cache__free(&cache);
out_free:
	free(pcs);
	free(ranges);
}

static JNIEnv *agent__jni(void)
{
	JNIEnv *jni = NULL;

	if ((*agent_vm)->GetEnv(agent_vm, (void **)&jni, JNI_VERSION_1_6) != JNI_OK)
		return NULL;
	return jni;
}

static void JNICALL agent__on_compiled_method_load(jvmtiEnv *ti, jmethodID method, jint code_size,
						   const void *code_addr, jint map_length,
						   const jvmtiAddrLocationMap *map,
						   const void *compile_info)
{
	struct strbuf sb = { 0 };
	JNIEnv *jni = agent__jni();

	strbuf__addf(&sb, "%lx %x ", (unsigned long)code_addr, (unsigned)code_size);
	agent__add_method_name(&sb, jni, method);
	strbuf__addc(&sb, '\n');
	if (agent_opts.unfold)
		agent__add_inline_lines(&sb, jni, code_addr, code_size, compile_info);
	if (!sb.failed)
		mapfile__add((uintptr_t)code_addr, code_size, (uintptr_t)method, sb.buf, sb.len);
	strbuf__free(&sb);
}

static void JNICALL agent__on_compiled_method_unload(jvmtiEnv *ti, jmethodID method,
						     const void *code_addr)
{
	mapfile__unload((uintptr_t)code_addr, (uintptr_t)method);
}

static void JNICALL agent__on_dynamic_code(jvmtiEnv *ti, const char *name, const void *address,
					   jint length)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "%lx %x %s\n", (unsigned long)address, (unsigned)length,
		     name ? name : "[stub]");
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	mapfile__add((uintptr_t)address, length, 0, line, n);
}

/* The current thread's Java name to the threads file, under its kernel tid. */
static void JNICALL agent__on_thread_start(jvmtiEnv *ti, JNIEnv *jni, jthread thread)
{
	jvmtiThreadInfo info = { 0 };

	if ((*ti)->GetThreadInfo(ti, thread, &info) != JVMTI_ERROR_NONE)
		return;
	if (info.name)
		threads__start((int)syscall(SYS_gettid), info.name);
	agent__free(info.name);
	if (jni && info.thread_group)
		(*jni)->DeleteLocalRef(jni, info.thread_group);
	if (jni && info.context_class_loader)
		(*jni)->DeleteLocalRef(jni, info.context_class_loader);
}

static void JNICALL agent__on_thread_end(jvmtiEnv *ti, JNIEnv *jni, jthread thread)
{
	threads__end((int)syscall(SYS_gettid));
}

/* One thread that ran before we listened: its tid from HotSpot (eetop: the JavaThread*). */
static void agent__add_running_thread(JNIEnv *jni, jfieldID eetop, jthread thread)
{
	jvmtiThreadInfo info = { 0 };
	jvmtiEnv *ti = agent_jvmti;
	int tid;

	if ((*ti)->GetThreadInfo(ti, thread, &info) != JVMTI_ERROR_NONE)
		return;
	if (info.name) {
		tid = hotspot__tid((uintptr_t)(*jni)->GetLongField(jni, thread, eetop), info.name);
		if (tid > 0)
			threads__start(tid, info.name);
	}
	agent__free(info.name);
	if (info.thread_group)
		(*jni)->DeleteLocalRef(jni, info.thread_group);
	if (info.context_class_loader)
		(*jni)->DeleteLocalRef(jni, info.context_class_loader);
}

/* Threads already running (at an attach, or at VM init for the main thread): name them too. */
static void agent__add_running_threads(JNIEnv *jni)
{
	jvmtiEnv *ti = agent_jvmti;
	jthread *threads = NULL;
	jfieldID eetop = NULL;
	jclass klass;
	jint n = 0;

	if (!jni)
		return;
	hotspot__init((const void *)(*ti)->GetThreadInfo);
	klass = (*jni)->FindClass(jni, "java/lang/Thread");
	if (klass)
		eetop = (*jni)->GetFieldID(jni, klass, "eetop", "J");
	if ((*jni)->ExceptionCheck(jni))
		(*jni)->ExceptionClear(jni); /* a JVM without eetop: new threads still get names */
	if (eetop && (*ti)->GetAllThreads(ti, &n, &threads) == JVMTI_ERROR_NONE) {
		for (jint i = 0; i < n; i++) {
			agent__add_running_thread(jni, eetop, threads[i]);
			(*jni)->DeleteLocalRef(jni, threads[i]);
		}
		agent__free(threads);
	}
	if (klass)
		(*jni)->DeleteLocalRef(jni, klass);
}

static void JNICALL agent__on_vm_init(jvmtiEnv *ti, JNIEnv *jni, jthread thread)
{
	agent__add_running_threads(jni);
	methods__add_loaded(ti, jni);
}

/* A class ready to run: its methods' Method* to the methods file (interpreted frames). */
static void JNICALL agent__on_class_prepare(jvmtiEnv *ti, JNIEnv *jni, jthread thread, jclass klass)
{
	methods__add_class(ti, klass);
}

/* Ask the JVM to re-send events for code that existed before we listened. */
static void agent__replay(void)
{
	jvmtiEnv *ti = agent_jvmti;

	mapfile__replay_begin();
	(*ti)->GenerateEvents(ti, JVMTI_EVENT_DYNAMIC_CODE_GENERATED);
	(*ti)->GenerateEvents(ti, JVMTI_EVENT_COMPILED_METHOD_LOAD);
	mapfile__replay_end();
}

static int agent__listen(bool attached, bool threads_ok, bool methods_ok)
{
	jvmtiEventCallbacks cb = {
		.CompiledMethodLoad = agent__on_compiled_method_load,
		.DynamicCodeGenerated = agent__on_dynamic_code,
		.CompiledMethodUnload = agent__on_compiled_method_unload,
		.ThreadStart = agent__on_thread_start,
		.ThreadEnd = agent__on_thread_end,
		.VMInit = agent__on_vm_init,
		.SampledObjectAlloc = alloc__on_sample,
		.MonitorContendedEnter = monitors__on_enter,
		.MonitorContendedEntered = monitors__on_entered,
		.ClassPrepare = agent__on_class_prepare,
	};
	jvmtiCapabilities caps = { .can_generate_compiled_method_load_events = 1 };
	jvmtiEnv *ti = agent_jvmti;

	if ((*ti)->AddCapabilities(ti, &caps) != JVMTI_ERROR_NONE ||
	    (*ti)->SetEventCallbacks(ti, &cb, sizeof(cb)) != JVMTI_ERROR_NONE ||
	    (*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_COMPILED_METHOD_LOAD,
					    NULL) != JVMTI_ERROR_NONE ||
	    (*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_DYNAMIC_CODE_GENERATED,
					    NULL) != JVMTI_ERROR_NONE)
		return -1;
	/* Thread names are a bonus: a JVM refusing them still gets its map. */
	if (threads_ok) {
		(*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_THREAD_START, NULL);
		(*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_THREAD_END, NULL);
	}
	if (methods_ok) /* before GetLoadedClasses (at VM init, attach): no class slips between */
		(*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_CLASS_PREPARE, NULL);
	if (!attached && (threads_ok || methods_ok))
		(*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE, JVMTI_EVENT_VM_INIT, NULL);
	/* Unloads only tell which lines a compaction may drop. */
	if (agent_opts.compact)
		(*ti)->SetEventNotificationMode(ti, JVMTI_ENABLE,
						JVMTI_EVENT_COMPILED_METHOD_UNLOAD, NULL);
	return 0;
}

/* Switch the sampling features (jvm_events.h) to what opts ask for; a refusal is said once. */
static void agent__features(const struct agent_opts *opts)
{
	if (alloc__apply(agent_jvmti, opts->alloc))
		agent__log(
			"the JVM refused allocation sampling (SampledObjectAlloc needs JDK 11 or newer); Java allocations stay unseen");
	if (monitors__apply(agent_jvmti, opts->monitors))
		agent__log(
			"the JVM refused monitor events (can_generate_monitor_events); lock waits stay without their monitor's class");
}

/* Set everything up; on failure nothing of ours is left registered in the JVM. */
static int agent__start(JavaVM *vm, const char *options, bool attached)
{
	char msg[PATH_MAX + 256];
	bool threads_ok, methods_ok;

	if (agent_opts__parse(&agent_opts, options, msg, sizeof(msg)))
		agent__log("%s", msg);
	if (mapfile__open(&agent_opts, getpid(), msg, sizeof(msg))) {
		agent__log("%s", msg);
		return -1;
	}
	threads_ok = !threads__open(&agent_opts, getpid(), msg, sizeof(msg));
	if (!threads_ok)
		agent__log("%s", msg);
	methods_ok = !methods__open(&agent_opts, getpid(), msg, sizeof(msg));
	if (!methods_ok)
		agent__log("%s", msg);
	agent_vm = vm;
	if ((*vm)->GetEnv(vm, (void **)&agent_jvmti, JVMTI_VERSION_1_2) != JNI_OK) {
		agent__log("this JVM offers no JVMTI 1.2; use a HotSpot JVM 8 or newer");
		return -1;
	}
	if (agent__listen(attached, threads_ok, methods_ok)) {
		agent__log(
			"the JVM refused the JIT events (can_generate_compiled_method_load_events); Java frames stay unnamed");
		(*agent_jvmti)->DisposeEnvironment(agent_jvmti);
		agent_jvmti = NULL;
		return -1;
	}
	atomic_store(&agent_active, true);
	agent__features(&agent_opts);
	if (attached)
		agent__replay();
	if (attached && threads_ok)
		agent__add_running_threads(agent__jni());
	if (attached && methods_ok)
		methods__add_loaded(agent_jvmti, agent__jni());
	return 0;
}

JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved)
{
	/*
	 * A failure here must not stop the JVM from starting: the map just stays empty. The same
	 * -agentpath twice (the command line and JAVA_TOOL_OPTIONS) loads us once.
	 */
	if (!atomic_load(&agent_active))
		agent__start(vm, options, false);
	return JNI_OK;
}

JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM *vm, char *options, void *reserved)
{
	/*
	 * The .so is loaded once per path: a second attach finds us running. It switches the
	 * sampling features to what its options ask; the map is live, so it only needs a replay
	 * when it was deleted or a write failed since.
	 */
	if (atomic_load(&agent_active)) {
		struct agent_opts now = agent_opts;
		char msg[256];

		agent_opts__parse(&now, options, msg, sizeof(msg)); /* warned at the first load */
		agent__features(&now);
		if (mapfile__reopen_if_gone() > 0)
			agent__replay();
		return JNI_OK;
	}
	return agent__start(vm, options, true) ? JNI_ERR : JNI_OK;
}

JNIEXPORT void JNICALL Agent_OnUnload(JavaVM *vm)
{
	/* The JVM exits: a compaction half done would leave its temporary file behind. */
	mapfile__stop_rewrites();
}
