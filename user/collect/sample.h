/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * collect/sample.h - what the collector hands out: samples and process events in its own terms,
 * not the BPF ABI's (bpf/abi/sample.h stays inside collect/).
 *
 * A struct sample is one unique (process, thread, kernel stack, user stack) with the samples it
 * got and what they weigh in the event's unit (see collect/source.h). Instruction pointers are
 * leaf first, len entries and then a 0; a stack that is not there says why in its `lost` field
 * (and has len 0). A struct proc_event tells about a process worth naming: new, exec'd, gone.
 * Both point into the producer's memory: valid only during the callback.
 */
#ifndef BPFPROF_SAMPLE_H
#define BPFPROF_SAMPLE_H

#include <stdint.h>

#define SAMPLE_COMM_LEN 16   /* thread and process names, as the kernel keeps them */
#define SAMPLE_MAX_DEPTH 127 /* the kernel walks no deeper: a stack this long was cut */

enum stack_lost {
	STACK_OK,   /* the stack is there (it may be empty: a kernel thread has no user stack) */
	STACK_NONE, /* not asked for */
	STACK_LOST, /* the walk failed */
	STACK_COLLISION, /* another stack held its bucket in the kernel's stack map */
};

/*
 * A user ip whose SAMPLE_IP_TAG_MASK bits are SAMPLE_IP_METHOD is no address but an interpreted
 * frame: the runtime's structure for the method it runs (HotSpot's Method*) is in the low bits,
 * rounded up to 8 (a return address comes to the symbolizer minus 1).
 */
#define SAMPLE_IP_TAG_MASK 0xff00000000000000ULL
#define SAMPLE_IP_METHOD 0x4a00000000000000ULL

struct sample_stack {
	const uint64_t *ips; /* leaf first, len entries, then 0 */
	uint32_t len;
	enum stack_lost lost;
};

/*
 * What a sample measures (bpf/abi/sample.h's bp_kind): several modes can run in one recording
 * (-e cpu,offcpu), and each sends its samples' count and weight to its own profile columns.
 */
enum sample_kind {
	SAMPLE_CPU,    /* the -e event: perf event, tracepoint or probe; weight in its unit */
	SAMPLE_OFFCPU, /* time blocked (or, for wall, also waiting for a CPU): weight in ns */
	SAMPLE_LOCK,   /* futex waits: count contentions, weight ns waited */
	SAMPLE_ALLOC,  /* sampled allocations: count objects, weight bytes (unbiased estimates) */
	SAMPLE_KINDS,
};

/* For each kind, the profile column its count and its weight go to; -1: none. */
struct sample_columns {
	int8_t count[SAMPLE_KINDS];
	int8_t weight[SAMPLE_KINDS];
};

struct sample {
	uint32_t pid;		     /* host tgid */
	uint32_t kind;		     /* enum sample_kind */
	uint32_t tid;		     /* host tid, 0 unless threads were asked for */
	char tcomm[SAMPLE_COMM_LEN]; /* thread name, with tid; not NUL-terminated when full */
	struct sample_stack kernel, user;
	const char *leaf; /* a name the runtime gave, shown under the stack (a Java class), or NULL */
	uint64_t count;	  /* samples */
	uint64_t weight; /* their sum in the source's unit (ns, events, hits) */
};

enum proc_event_type {
	PROC_NEW,  /* first sample of this pid */
	PROC_EXEC, /* a known pid called exec: its mappings changed */
	PROC_EXIT, /* a known process ended: a PROC_NEW for its pid is another one */
};

struct proc_event {
	enum proc_event_type type;
	uint32_t pid;			/* host tgid */
	uint32_t nspid;			/* the same, as its own pid namespace sees it */
	uint64_t start_ns;		/* its start, ns after boot: with pid, who it is */
	char comm[SAMPLE_COMM_LEN + 1]; /* NUL-terminated */
};

typedef void (*sample_fn)(const struct sample *s, void *ctx);
typedef void (*proc_event_fn)(const struct proc_event *e, void *ctx);

#endif /* BPFPROF_SAMPLE_H */
