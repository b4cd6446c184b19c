// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cli/record_summary.c - the summary `record` prints on stderr when it ends: what was recorded and,
 * above all, what was lost, each loss named with its cause and the option that fixes it.
 */
#include <stdio.h>
#include <string.h>
#include "symbolize/elf_syms.h"
#include "symbolize/perf_map.h"
#include "cli/record.h"
#include "collect/sampler.h"
#include "lib/units.h"
#include "lib/util.h"
#include "model/profile.h"

static void print_losses(const struct record_stats *st, const struct record_cfg *cfg,
			 uint64_t samples)
{
	uint64_t coll = st->bpf[STAT_KSTACK_COLLISION] + st->bpf[STAT_USTACK_COLLISION];

	if (coll)
		fprintf(stderr,
			"bpfprof: %llu stacks (%.1f%%) lost to stack-map collisions; increase --stack-storage-size (now %u)\n",
			(unsigned long long)coll, pct(coll, samples),
			cfg->stack_storage ? cfg->stack_storage : SAMPLER_STACK_STORAGE);
	if (st->bpf[STAT_COUNTS_FULL])
		fprintf(stderr,
			"bpfprof: %llu samples dropped: the in-kernel stack table was full; increase --max-stacks (now %u)\n",
			(unsigned long long)st->bpf[STAT_COUNTS_FULL],
			cfg->max_stacks ? cfg->max_stacks : SAMPLER_MAX_STACKS);
	if (st->bpf[STAT_KSTACK_LOST] + st->bpf[STAT_USTACK_LOST])
		fprintf(stderr, "bpfprof: %llu stacks could not be read (walk failed)\n",
			(unsigned long long)(st->bpf[STAT_KSTACK_LOST] +
					     st->bpf[STAT_USTACK_LOST]));
	if (st->bpf[STAT_EVENTS_LOST])
		fprintf(stderr,
			"bpfprof: %llu new-process notices lost (ring buffer full); short-lived processes may show as [pid N]\n",
			(unsigned long long)st->bpf[STAT_EVENTS_LOST]);
	if (st->frames.truncated > st->frames.garbage)
		fprintf(stderr,
			"bpfprof: %llu samples have stacks deeper than %d frames; their roots are cut off\n",
			(unsigned long long)(st->frames.truncated - st->frames.garbage),
			MAX_STACK_DEPTH);
	if (st->frames.garbage)
		fprintf(stderr,
			"bpfprof: %llu samples have user stacks of %d addresses mostly outside any mapping: a frame-pointer walk through code built without frame pointers (not deep stacks); use --unwind cfi\n",
			(unsigned long long)st->frames.garbage, MAX_STACK_DEPTH);
	if (st->frames.dropped)
		fprintf(stderr,
			"bpfprof: %llu samples dropped while building the profile (out of memory)\n",
			(unsigned long long)st->frames.dropped);
}

static void print_unnamed(const struct record_stats *st)
{
	if (st->frames.user_frames && pct(st->frames.user_unnamed, st->frames.user_frames) >= 1)
		fprintf(stderr,
			"bpfprof: %.1f%% of user frames unnamed (module only or [unknown]); install debug symbols (-dbgsym packages) for named frames\n",
			pct(st->frames.user_unnamed, st->frames.user_frames));
	if (st->frames.user_anon && pct(st->frames.user_anon, st->frames.user_frames) >= 1)
		fprintf(stderr,
			"bpfprof: %.1f%% of user frames are JIT code without a perf map ([anon]); run Node with --perf-basic-prof, Python 3.12 with -X perf, or let bpfprof attach to Java (--java auto)\n",
			pct(st->frames.user_anon, st->frames.user_frames));
	if (st->frames.kernel_frames &&
	    pct(st->frames.kernel_unnamed, st->frames.kernel_frames) >= 1)
		fprintf(stderr,
			"bpfprof: %.1f%% of kernel frames unnamed; check /proc/kallsyms is readable (kernel.kptr_restrict=0)\n",
			pct(st->frames.kernel_unnamed, st->frames.kernel_frames));
}

/* Files the targets named that were refused (lib/rootfs.h), and which names are missing for it. */
static void print_refused(const struct symbolizer_refusals *r)
{
	char why[96];

	for (int i = 0; i < REFUSED_MAX; i++) {
		if (!r->maps[i])
			continue;
		if (i == REFUSED_OWNER)
			snprintf(why, sizeof(why),
				 "owned by uid %u, not the process's uid %u or root",
				 (unsigned)r->file_uid, (unsigned)r->proc_uid);
		else if (i == REFUSED_SIZE)
			snprintf(why, sizeof(why), "larger than %llu MiB", PERF_MAP_MAX_SIZE >> 20);
		else
			snprintf(why, sizeof(why),
				 "not a regular file: a FIFO, device, directory or symlink");
		fprintf(stderr,
			"bpfprof: %u perf map%s refused (%s): JIT frames of pid %d%s stay unnamed; a perf map is read only if it is a regular file owned by the process's user or root\n",
			r->maps[i], r->maps[i] > 1 ? "s" : "", why, (int)r->map_pid[i],
			r->maps[i] > 1 ? " and others" : "");
	}
	if (r->elf_files)
		fprintf(stderr,
			"bpfprof: %u ELF file%s refused (a binary or debug file that is not a regular file, is larger than %llu GiB, or is reached through a symlink): frames in them may show only their module\n",
			r->elf_files, r->elf_files > 1 ? "s" : "", ELF_SYMS_MAX_SIZE >> 30);
}

/* "466 ms off_cpu" per column: what a recording of modes measured, in its units. */
static void print_totals(const struct profile *p)
{
	char v[32];

	for (int c = 0; c < p->nvalues; c++)
		fprintf(stderr, "%s%s %s", c ? ", " : "",
			units__format(p->totals[c], p->types[c].unit, v, sizeof(v)),
			p->types[c].type);
}

void record_stats__print(const struct record_stats *st, const struct record_cfg *cfg,
			 const struct event_spec *ev, double duration, const struct profile *p,
			 size_t tracked)
{
	uint64_t samples = ev->modes ? st->bpf[STAT_SAMPLES] : p->totals[0];

	if (ev->modes) {
		fprintf(stderr, "bpfprof: ");
		print_totals(p);
		fprintf(stderr, " (%s", ev->name);
	} else {
		fprintf(stderr, "bpfprof: %llu samples (%s", (unsigned long long)samples, ev->name);
	}
	if (cfg->rate.freq)
		fprintf(stderr, " at %llu Hz", (unsigned long long)cfg->rate.freq);
	else if (cfg->rate.period > 1)
		fprintf(stderr, " every %llu", (unsigned long long)cfg->rate.period);
	fprintf(stderr, ") from %llu processes in %.2f s", (unsigned long long)st->processes,
		duration);
	for (int i = 0; i < cfg->noutputs; i++)
		fprintf(stderr, "%s%s", i ? ", " : " -> ", cfg->outputs[i]);
	fprintf(stderr, "\n");
	if (cfg->verbose && st->run_cnt)
		fprintf(stderr,
			"bpfprof: BPF program: %llu runs, %.0f ns per run; %zu processes tracked\n",
			(unsigned long long)st->run_cnt, (double)st->run_ns / st->run_cnt, tracked);
	else if (cfg->verbose)
		fprintf(stderr,
			"bpfprof: BPF run time unknown: its statistics could not be turned on for the whole run (needs CAP_SYS_ADMIN)\n");
	if (cfg->verbose)
		fprintf(stderr,
			"bpfprof: post-processing (drain, symbolize, write): %.1f ms for %zu unique stacks; in-kernel tables emptied %lu times during the run\n",
			st->post_s * 1000, st->stacks, st->rotations);
	print_losses(st, cfg, samples);
	print_unnamed(st);
	print_refused(&st->refused);
	if (!samples && ev->modes)
		fprintf(stderr,
			"bpfprof: nothing was recorded: the target never blocked, waited or allocated while recording (or exited first); the output is an empty profile\n");
	else if (!samples)
		fprintf(stderr,
			"bpfprof: no samples were recorded: the target was idle, or exited before sampling began; the output is an empty profile\n");
}
