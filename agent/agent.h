/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * agent.h - the pieces of libbpfprof-agent.so, the JVMTI agent that keeps /tmp/perf-PID.map
 * current so a sampling profiler can name JIT-compiled Java frames.
 *
 * The agent is split so that everything which does not talk to the JVM (option parsing, name
 * formatting, inline PC ranges, the growable string) is plain C without <jvmti.h>; the unit
 * tests #include those files directly. agent.c is the only file that calls JVMTI, mapfile.c the
 * only one that touches the map file, threads.c the only one that touches the threads file, and
 * hotspot.c the only one that reads HotSpot's own structures.
 *
 * Invariants: its reader takes the LAST line covering an address, so every writer appends whole
 * lines, a method's inline lines come right after its whole-range line, and events that happen
 * during a replay are written after the replay (mapfile.c). The map only grows, except that once
 * most of it describes dead code it is replaced, in one rename, by a copy without the dead lines
 * (liveset.c, mapfile.c): a reader sees either whole file, and the same name for live code.
 */
#ifndef BPFPROF_AGENT_H
#define BPFPROF_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* --- strbuf.c: a growable, always NUL-terminated string; on ENOMEM it stays empty + failed --- */
struct strbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

void strbuf__add(struct strbuf *sb, const char *s, size_t n);
void strbuf__adds(struct strbuf *sb, const char *s);
void strbuf__addc(struct strbuf *sb, char c);
void strbuf__addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf__reset(struct strbuf *sb);
void strbuf__free(struct strbuf *sb);

/* --- options.c: "unfold=on,sig=off,dir=/tmp,quiet,compact=8m,grace=60,alloc=512k,monitors=on" --- */
#define AGENT_COMPACT_DEFAULT (8ull << 20)
#define AGENT_GRACE_DEFAULT 60

struct agent_opts {
	bool unfold;	    /* write "->" lines for inlined methods (default on) */
	bool sig;	    /* append readable parameter types: Burn.hotA(long) (default off) */
	bool quiet;	    /* no messages on stderr at all */
	char dir[PATH_MAX]; /* map directory (default /tmp) */
	uint64_t compact; /* rewrite a mostly dead map past this size; 0 = never (default 8 MiB) */
	unsigned grace;	  /* seconds dead code keeps its lines through a rewrite (default 60) */
	uint64_t alloc;	  /* sample Java allocations every this many bytes; 0 = off (default) */
	bool monitors;	  /* name contended monitors' classes (default off) */
};

/*
 * Fill opts from an option string (NULL or "" = defaults). Unknown keys or bad values are skipped
 * and counted; the first one is described in warn. Returns the number of skipped items.
 */
int agent_opts__parse(struct agent_opts *opts, const char *str, char *warn, size_t warn_len);

/* --- names.c: JVM signatures to the names a profile shows --- */

/* "Ljava/lang/String;" -> "java.lang.String", "[I" -> "int[]"; appends to sb. */
void name__add_class(struct strbuf *sb, const char *class_sig);

/* "(I[JLjava/lang/String;)V" -> "(int,long[],java.lang.String)"; appends to sb. */
void name__add_params(struct strbuf *sb, const char *method_sig);

/* "java.lang.String.hashCode", or with method_sig "java.lang.String.charAt(int)". */
void name__add_method(struct strbuf *sb, const char *class_sig, const char *method,
		      const char *method_sig);

/* --- ranges.c: which PC ranges of a compiled method run inlined code --- */

/* One PC descriptor: the code just before pc runs the scope chain methods[0..depth). */
struct pc_scope {
	uintptr_t pc;
	int depth;
	void *const *methods; /* innermost first, as HotSpot's PCStackInfo.methods */
};

struct code_range {
	uintptr_t start, end; /* [start, end) */
	int scope;	      /* index into the pc_scope array whose chain this range runs */
};

/*
 * The ranges of [code_start, code_end) whose scope chain is deeper than 1, adjacent ranges with the
 * same chain merged. out must hold n entries. Returns the number written.
 */
int ranges__inline(const struct pc_scope *pcs, int n, uintptr_t code_start, uintptr_t code_end,
		   struct code_range *out);

/* --- liveset.c: which records of the map still describe live code --- */

/* One append: a code blob's lines at [off, off + len) of the file. */
struct live_rec {
	uint64_t start, off;
	uint32_t size, len;
	uint32_t method; /* a hash of the jmethodID; 0 for a stub */
	uint32_t died;	 /* 0 while live (see liveset.c) */
};

/* Zero-initialized = empty. Records in file order; slots hash start -> index + 1. */
struct liveset {
	struct live_rec *recs;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
	uint64_t live_bytes; /* sum of len over live records */
};

struct span {
	uint64_t off, len;
};

/*
 * A record appended at off; older records at the same start that it covers die. -ENOMEM (or
 * past a million records): the set is incomplete and must not plan a rewrite any more.
 */
int liveset__add(struct liveset *ls, uint64_t start, uint32_t size, uintptr_t method, uint64_t off,
		 uint32_t len);
/* The JVM unloaded the method compiled at start; now in seconds of any monotonic clock. */
void liveset__unload(struct liveset *ls, uint64_t start, uintptr_t method, uint32_t now);
/*
 * Is a rewrite due? The file is past floor (0 = never), twice what the last rewrite kept
 * (last_size), and dead bytes outnumber live ones.
 */
bool liveset__due(const struct liveset *ls, uint64_t file_size, uint64_t floor, uint64_t last_size);
/*
 * What a rewrite of the file's first end bytes keeps, in file order: live records and those dead
 * for less than grace seconds. *out is malloc'ed (free it). Returns the count or -ENOMEM.
 */
ssize_t liveset__plan(const struct liveset *ls, uint64_t end, uint32_t now, uint32_t grace,
		      struct span **out);
/*
 * The rewrite is in place: the kept spans now lie back to back from offset 0, the bytes from end
 * on follow at new_end. Records it dropped are forgotten. -ENOMEM: the set is unusable.
 */
int liveset__rebase(struct liveset *ls, const struct span *kept, size_t nkept, uint64_t end,
		    uint64_t new_end);
/* Forget everything; the set is empty and usable again. */
void liveset__free(struct liveset *ls);

/* --- mapfile.c: the map file, one per JVM --- */

/*
 * Open (create) DIR/perf-PID.map to append to; a file older than this JVM is emptied. With
 * opts->compact set, a rewrite is planned once the map is mostly dead code. 0/-errno.
 */
int mapfile__open(const struct agent_opts *opts, int pid, char *err, size_t err_len);

/*
 * Reopen when the file was deleted or replaced since mapfile__open (e.g. a /tmp cleaner), and
 * resume after a write error. 1 when lines are missing (a replay is due), 0 when the map is
 * intact, -errno when it cannot be reopened.
 */
int mapfile__reopen_if_gone(void);

/*
 * Append the lines of one code blob at [start, start + size): its whole-range line first. method
 * is the jmethodID of a compiled method, 0 for a stub. Never blocks beyond one write() under a
 * short lock; after a write error it goes quiet. The rewrite runs on a thread of its own.
 */
void mapfile__add(uintptr_t start, size_t size, uintptr_t method, const char *lines, size_t len);

/* The JVM unloaded the method compiled at start: its lines may go in the next rewrite. */
void mapfile__unload(uintptr_t start, uintptr_t method);

/* Between these, appends from other threads are held back and written at replay_end. */
void mapfile__replay_begin(void);
void mapfile__replay_end(void);

/* At JVM exit: no rewrite starts any more; one running is abandoned, its PATH.tmp removed. */
void mapfile__stop_rewrites(void);

const char *mapfile__path(void);

/* --- files.c: the files beside the map (threads, methods) --- */

/*
 * Create (empty) DIR/perf-PID.SUFFIX into path, to append to. The fd, or -errno with "cannot
 * open PATH: ERROR; WITHOUT" in err (without: what goes missing).
 */
int agent_file__create(char *path, size_t path_len, const char *dir, int pid, const char *suffix,
		       const char *without, char *err, size_t err_len);
/* Write all of p to fd (short writes and EINTR retried); false on an error. */
bool agent_file__write(int fd, const char *p, size_t len);

/* --- threads.c: DIR/perf-PID.threads, "TID NAME" per Java thread (last line wins) --- */
#define THREAD_NAME_MAX 255 /* longer names are cut */

/* Create (empty) DIR/perf-PID.threads to append to. 0/-errno, with a message in err. */
int threads__open(const struct agent_opts *opts, int pid, char *err, size_t err_len);
/* Thread tid runs the Java thread name (from now on). One write() under a short lock. */
void threads__start(int tid, const char *name);
/* Thread tid ended: its line may go in a rewrite, grace seconds from now. */
void threads__end(int tid);
/*
 * The line "TID NAME\n" in buf (NUL-terminated): control characters become '?', the name is cut
 * at THREAD_NAME_MAX bytes. Its length, or 0 when the name is empty or buf too small.
 */
size_t threads__line(char *buf, size_t len, int tid, const char *name);
const char *threads__path(void);

/* --- hotspot.c: HotSpot's native tid of a Java thread that already ran at an attach --- */

/* Find libjvm's exported VMStructs table through any of its functions (once). */
void hotspot__init(const void *jvm_function);
/*
 * The tid of the thread whose JavaThread* (java.lang.Thread.eetop) is java_thread, checked
 * against the kernel's name for it (hotspot__comm_matches); -1 when not found or not believed.
 */
int hotspot__tid(uintptr_t java_thread, const char *name);
/* Is /proc/self/task/TID/comm the first 15 bytes of name, as HotSpot sets it? */
bool hotspot__comm_matches(int tid, const char *name);

/* --- probes.c: the functions bpfprof's BPF side probes (see there) --- */
void bpfprof_java_alloc(const char *cls, uint32_t id, uint64_t size, uint64_t bytes);
void bpfprof_monitor_wait(const char *cls, uint32_t id);
void bpfprof_monitor_done(void);
/* The id a name is known by (a hash; never 0). */
uint32_t probes__id(const char *name);
/* The bytes one sampled object of size bytes stands for, sampled at mean interval (alloc.c). */
uint64_t probes__alloc_weight(uint64_t size, uint64_t interval);

/* --- agent.c --- */
void agent__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BPFPROF_AGENT_H */
