/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * agent.h - the pieces of libbpfprof-agent.so, the JVMTI agent that keeps /tmp/perf-PID.map
 * current so a sampling profiler can name JIT-compiled Java frames.
 *
 * The agent is split so that everything which does not talk to the JVM (option parsing, name
 * formatting, inline PC ranges, the growable string) is plain C without <jvmti.h>; the unit
 * tests #include those files directly. agent.c is the only file that calls JVMTI, mapfile.c the
 * only one that touches the map file.
 *
 * Invariants: the map is append-only and its reader takes the LAST line covering an address, so
 * every writer appends whole lines, a method's inline lines come right after its whole-range line,
 * and events that happen during a replay are written after the replay (mapfile.c).
 */
#ifndef BPFPROF_AGENT_H
#define BPFPROF_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* --- options.c: "unfold=on,sig=off,dir=/tmp,quiet" --- */
struct agent_opts {
	bool unfold;		/* write "->" lines for inlined methods (default on) */
	bool sig;		/* append readable parameter types: Burn.hotA(long) (default off) */
	bool quiet;		/* no messages on stderr at all */
	char dir[PATH_MAX];	/* map directory (default /tmp) */
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
	void *const *methods;	/* innermost first, as HotSpot's PCStackInfo.methods */
};

struct code_range {
	uintptr_t start, end;	/* [start, end) */
	int scope;		/* index into the pc_scope array whose chain this range runs */
};

/*
 * The ranges of [code_start, code_end) whose scope chain is deeper than 1, adjacent ranges with the
 * same chain merged. out must hold n entries. Returns the number written.
 */
int ranges__inline(const struct pc_scope *pcs, int n, uintptr_t code_start, uintptr_t code_end,
		   struct code_range *out);

/* --- mapfile.c: the map file, one per JVM --- */

/* Open (create) DIR/perf-PID.map to append to; a file older than this JVM is emptied. 0/-errno. */
int mapfile__open(const char *dir, int pid, char *err, size_t err_len);

/*
 * Reopen when the file was deleted or replaced since mapfile__open (e.g. a /tmp cleaner), and
 * resume after a write error. 1 when lines are missing (a replay is due), 0 when the map is
 * intact, -errno when it cannot be reopened.
 */
int mapfile__reopen_if_gone(void);

/* Append whole lines. Never blocks beyond one write(); after a write error it goes quiet. */
void mapfile__append(const char *lines, size_t len);

/* Between these, appends from other threads are held back and written at replay_end. */
void mapfile__replay_begin(void);
void mapfile__replay_end(void);

const char *mapfile__path(void);

/* --- agent.c --- */
void agent__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BPFPROF_AGENT_H */
