// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/source_modes.c - the modes' programs (collect/mode.h, bpf/modes/) beside the
 * event's source: off-CPU (sched_switch and finish_task_switch), lock (the futex syscall's
 * tracepoints) and alloc (uprobes on the targets' allocator, collect/alloc_target.h). Also the
 * source of no event at all, for a recording of modes only.
 *
 * All programs live in the one skeleton (bpf/cpu.bpf.c), so every mode shares its maps, its
 * drain and its process notices; configure switches off the loading of what was not asked for
 * and shrinks those programs' maps to nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cpu.skel.h"
#include "collect/alloc_target.h"
#include "collect/mode.h"
#include "collect/source.h"
#include "agent/shim/ln_unit.h"

#define ALLOC_DRAWS 4096 /* bpf/modes/alloc.bpf.h */

static bool has(const struct event_spec *ev, uint32_t bits)
{
	return ev && (ev->modes & bits);
}

static void programs__select(struct cpu_bpf *k, const struct event_spec *ev)
{
	bool off = has(ev, MODE_BIT(MODE_OFFCPU) | MODE_BIT(MODE_WALL));
	bool lock = has(ev, MODE_BIT(MODE_LOCK)), alloc = has(ev, MODE_BIT(MODE_ALLOC));
	struct bpf_program *alloc_progs[] = {
		k->progs.on_malloc,	   k->progs.on_calloc,	       k->progs.on_realloc,
		k->progs.on_memalign,	   k->progs.on_posix_memalign, k->progs.on_alloc_return,
		k->progs.on_alloc_sampled, k->progs.on_java_alloc,     k->progs.on_mmap,
		k->progs.on_mmap_return,
	};

	bpf_program__set_autoload(k->progs.on_switch, off);
	bpf_program__set_autoload(k->progs.on_futex_enter, lock);
	bpf_program__set_autoload(k->progs.on_futex_exit, lock);
	bpf_program__set_autoload(k->progs.on_monitor_wait, lock);
	bpf_program__set_autoload(k->progs.on_monitor_done, lock);
	for (size_t i = 0; i < sizeof(alloc_progs) / sizeof(alloc_progs[0]); i++)
		bpf_program__set_autoload(alloc_progs[i], alloc);
	if (!off) {
		bpf_map__set_max_entries(k->maps.offcpu_starts, 1);
		bpf_map__set_max_entries(k->maps.offcpu_stacks, 1);
	}
	if (!lock) {
		bpf_map__set_max_entries(k->maps.lock_start, 1);
		bpf_map__set_max_entries(k->maps.lock_monitor, 1);
	}
	if (!alloc) {
		bpf_map__set_max_entries(k->maps.alloc_inflight, 1);
		bpf_map__set_max_entries(k->maps.alloc_draws, 1);
		bpf_map__set_max_entries(k->maps.mmap_inflight, 1);
	}
	if (!alloc && !lock)
		bpf_map__set_max_entries(k->maps.leaf_names, 1);
}

static int modes_configure(struct source *src, struct cpu_bpf *skel, const struct event_spec *ev)
{
	bool wall = has(ev, MODE_BIT(MODE_WALL));

	src->skel = skel;
	programs__select(skel, ev);
	if (!ev)
		return 0;
	skel->rodata->offcpu_min_ns = wall ? 0 : ev->min_block_ns;
	skel->rodata->offcpu_runnable = wall;
	skel->rodata->alloc_interval = ev->alloc_interval ?: MODE_ALLOC_INTERVAL;
	return 0;
}

static int attach(struct source *src, struct bpf_program *prog)
{
	return source__keep_link(src, bpf_program__attach(prog));
}

static int offcpu_start(struct source *src)
{
	int err = attach(src, src->skel->progs.on_switch);

	if (err)
		fprintf(stderr,
			"bpfprof: cannot attach the off-CPU program to sched_switch (%s); it needs a kernel with BTF (CONFIG_DEBUG_INFO_BTF, 5.5 or later)\n",
			strerror(-err));
	return err;
}

/*
 * A probe point of our JVM agent, in every process that maps it (the pid filter picks): JVMs
 * we start or attach to load this very file. No agent: no Java probes, nothing to say.
 */
static int agent_attach(struct source *src, struct bpf_program *prog, const char *fn)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = fn);
	int err;

	if (!src->agent)
		return 0;
	err = source__keep_link(src, bpf_program__attach_uprobe_opts(prog, -1, src->agent, 0, &o));
	if (err)
		fprintf(stderr, "bpfprof: cannot attach a uprobe to %s in %s: %s\n", fn, src->agent,
			strerror(-err));
	return err;
}

static int lock_start(struct source *src)
{
	int err = attach(src, src->skel->progs.on_futex_enter);

	if (!err)
		err = attach(src, src->skel->progs.on_futex_exit);
	if (err)
		fprintf(stderr,
			"bpfprof: cannot attach to the futex syscall's tracepoints (%s); -e lock needs syscall tracepoints (CONFIG_FTRACE_SYSCALLS) and tracefs\n",
			strerror(-err));
	if (!err) /* a JVM's monitors, named by the agent */
		err = agent_attach(src, src->skel->progs.on_monitor_wait, "bpfprof_monitor_wait");
	if (!err)
		err = agent_attach(src, src->skel->progs.on_monitor_done, "bpfprof_monitor_done");
	return err;
}

/* Exponential gaps with mean interval: -interval * ln(u), u uniform in (0, 1]. */
static int alloc_fill_draws(struct source *src, uint64_t interval)
{
	int fd = bpf_map__fd(src->skel->maps.alloc_draws);
	unsigned short seed[3] = { (unsigned short)time(NULL), (unsigned short)getpid(), 0x5eed };

	for (__u32 i = 0; i < ALLOC_DRAWS; i++) {
		double u = 1.0 - erand48(seed); /* (0, 1] */
		__u64 gap = (__u64)(-ln_unit(u) * (double)interval + 0.5) ?: 1;

		if (bpf_map_update_elem(fd, &i, &gap, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int alloc_attach_one(struct source *src, int pid, const struct alloc_target *t)
{
	struct cpu_bpf *k = src->skel;
	struct bpf_program *entry[ALLOC_FN_MAX] = {
		[ALLOC_MALLOC] = k->progs.on_malloc,
		[ALLOC_CALLOC] = k->progs.on_calloc,
		[ALLOC_REALLOC] = k->progs.on_realloc,
		[ALLOC_ALIGNED_ALLOC] = k->progs.on_memalign,
		[ALLOC_MEMALIGN] = k->progs.on_memalign,
		[ALLOC_POSIX_MEMALIGN] = k->progs.on_posix_memalign,
		[ALLOC_MMAP] = k->progs.on_mmap,
	};
	int err = 0;

	for (int f = 0; f < ALLOC_FN_MAX && !err; f++) {
		LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = t->fn[f]);

		if (!t->fn[f])
			continue;
		err = source__keep_link(
			src, bpf_program__attach_uprobe_opts(entry[f], pid, t->path, 0, &o));
		o.retprobe = true;
		if (!err)
			err = source__keep_link(src,
						bpf_program__attach_uprobe_opts(
							f == ALLOC_MMAP ? k->progs.on_mmap_return
									: k->progs.on_alloc_return,
							pid, t->path, 0, &o));
		if (err)
			fprintf(stderr, "bpfprof: cannot attach uprobes to %s in %s: %s\n",
				t->fn[f], t->path, strerror(-err));
	}
	return err;
}

/* The preloaded shim's probe point, in every process that maps it (the pid filter picks). */
static int alloc_attach_shim(struct source *src)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = "bpfprof_alloc_sampled");
	int err = source__keep_link(
		src, bpf_program__attach_uprobe_opts(src->skel->progs.on_alloc_sampled, -1,
						     src->alloc_shim, 0, &o));

	if (err)
		fprintf(stderr,
			"bpfprof: cannot attach a uprobe to bpfprof_alloc_sampled in %s: %s\n",
			src->alloc_shim, strerror(-err));
	return err;
}

static int alloc_start(struct source *src, const struct event_spec *ev)
{
	struct alloc_target t;
	char why[512] = "";
	int err = alloc_fill_draws(src, ev->alloc_interval ?: MODE_ALLOC_INTERVAL), i;

	if (err)
		return fprintf(stderr, "bpfprof: cannot fill the allocation sampler's table: %s\n",
			       strerror(-err)),
		       err;
	if (src->alloc_shim) /* the command samples itself: its samples, from any process */
		err = alloc_attach_shim(src);
	if (!err)
		err = agent_attach(src, src->skel->progs.on_java_alloc, "bpfprof_java_alloc");
	for (i = 0; i < src->npids && !err; i++) {
		bool cmd = src->pids[i] == src->cmd_pid;

		if (cmd && src->alloc_shim)
			continue;

		err = alloc_target__find(cmd ? 0 : src->pids[i], cmd ? src->cmd_exe : NULL, &t, why,
					 sizeof(why));
		if (!err)
			err = alloc_attach_one(src, src->pids[i], &t);
	}
	if (err && why[0])
		fprintf(stderr, "bpfprof: %s\n", why);
	if (!err) /* every probe is in place: all count from now on, together */
		__atomic_store_n(&src->skel->bss->alloc_armed, 1, __ATOMIC_RELEASE);
	return err;
}

static int modes_start(struct source *src, const struct event_spec *ev,
		       const struct sample_rate *rate)
{
	int err = 0;

	if (has(ev, MODE_BIT(MODE_OFFCPU) | MODE_BIT(MODE_WALL)))
		err = offcpu_start(src);
	if (!err && has(ev, MODE_BIT(MODE_LOCK)))
		err = lock_start(src);
	if (!err && has(ev, MODE_BIT(MODE_ALLOC)))
		err = alloc_start(src, ev);
	return err;
}

static const char *modes_unit(const struct event_spec *ev)
{
	struct pf_value_type types[PROFILE_MAX_VALUES];
	struct sample_columns cols;
	static char unit[32];

	mode__layout(ev, types, &cols);
	snprintf(unit, sizeof(unit), "%s", types[0].unit);
	return unit;
}

/* The allocation probes stop counting together, before the first of them is detached. */
static void modes_stop(struct source *src)
{
	if (src->skel && src->skel->bss)
		__atomic_store_n(&src->skel->bss->alloc_armed, 0, __ATOMIC_RELEASE);
	source__release(src);
}

const struct source_ops source_modes = {
	.name = "modes",
	.unit = modes_unit,
	.configure = modes_configure,
	.start = modes_start,
	.stop = modes_stop,
};

/* No event: a recording of modes only. */
static int none_configure(struct source *src, struct cpu_bpf *skel, const struct event_spec *ev)
{
	return 0;
}

static int none_start(struct source *src, const struct event_spec *ev,
		      const struct sample_rate *rate)
{
	return 0;
}

const struct source_ops source_none = {
	.name = "none",
	.unit = modes_unit,
	.configure = none_configure,
	.start = none_start,
	.stop = source__release,
};
