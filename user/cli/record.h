/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli/record.h - the pieces of `bpfprof record` around the recorder itself (cli/cmd_record.c):
 * its options (cli/record_cfg.c) and its closing summary
 * (cli/record_summary.c).
 */
#ifndef BPFPROF_RECORD_H
#define BPFPROF_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "bpf/abi/sample.h"
#include "bpf/abi/unwind.h"
#include "emit/emit.h"
#include "collect/event_spec.h"
#include "symbolize/stack_builder.h"
#include "symbolize/symbolizer.h"

#define MAX_OUTPUTS 4 /* -o a.html -o a.folded: one recording, several files */

struct record_cfg {
	pid_t *pids; /* -p, malloc'd */
	int npids;
	char **cmd;		 /* -- COMMAND ARGS..., NULL-terminated, points into argv */
	struct sample_rate rate; /* -F / -c */
	double duration;	 /* -d, 0 = until Ctrl-C or the command's exit */
	const char *outputs[MAX_OUTPUTS]; /* -o, repeatable; none = stdout */
	int noutputs;
	const char *format; /* --format */
	const char *event;  /* -e */
	const char *title;
	const char *debug_dir;
	const char *agent_opts;
	uint32_t stack_storage, max_stacks;
	enum {
		JAVA_AUTO,
		JAVA_TARGETS,
		JAVA_OFF
	} java; /* which JVMs get the agent */
	bool user_only, kernel_only, threads, idle, verbose, status;
	bool full_names;	 /* --full-names: C++ names whole */
	enum unwind_mode unwind; /* --unwind (bpf/abi/unwind.h) */
	uint64_t min_block_ns;	 /* --min-block, with min_block_set */
	bool min_block_set;
	uint64_t alloc_interval; /* --alloc-interval, 0: the default */
};

struct session_cfg;

/* Parse argv. 0; 1 when --help was printed; -EINVAL after a one-line error (exit 2). */
int record_cfg__parse(struct record_cfg *cfg, int argc, char **argv);
/*
 * Check what can be checked before recording: pids alive, event known, command runnable, and
 * the format of each output (fmts[i] for outputs[i]; fmts[0] for stdout). 0 or -errno.
 */
int record_cfg__check(struct record_cfg *cfg, struct event_spec *ev, enum out_format *fmts);
/* Defaults before parsing (event cpu, status line on a terminal). */
void record_cfg__defaults(struct record_cfg *cfg);
/* One option by its key or its long name (shared with monitor and start). 0 or -EINVAL. */
int record_cfg__option(struct record_cfg *cfg, int key, const char *arg);
int record_cfg__option_named(struct record_cfg *cfg, const char *name, const char *arg);
/* The session a checked cfg asks for (pointers into cfg and ev). */
void record_cfg__session(const struct record_cfg *cfg, const struct event_spec *ev,
			 struct session_cfg *sc);

struct record_stats {
	uint64_t bpf[STAT_MAX];		   /* from the BPF side */
	uint64_t run_ns, run_cnt;	   /* BPF program time (kernel.bpf_stats_enabled) */
	struct stack_builder_stats frames; /* frames named and lost, samples dropped */
	uint64_t processes, processes_seen;
	unsigned long rotations;	    /* in-kernel tables drained during the run */
	double post_s;			    /* drain + symbolize + write, seconds */
	size_t stacks;			    /* unique stacks in the profile */
	struct symbolizer_refusals refused; /* files targets named that were not read */
};

struct profile;
/* The closing summary of a recording of p (its totals in their units), losses and fixes. */
void record_stats__print(const struct record_stats *st, const struct record_cfg *cfg,
			 const struct event_spec *ev, double duration, const struct profile *p,
			 size_t tracked);

#endif /* BPFPROF_RECORD_H */
