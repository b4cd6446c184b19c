// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * collect/sampler.c - load and run bpf/cpu.bpf.c through its skeleton (see collect/sampler.h).
 *
 * open -> set rodata and map sizes (and the source's, collect/source.h) -> load -> attach
 * fork/exec/exit watchers -> start(event) -> poll -> stop -> drain -> free. Producers go before consumers: stop detaches everything that
 * writes to the ring buffer before its last read, and free delivers nothing. libbpf's own
 * messages appear only with -v; failures are reported here in one line that names the fix.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cpu.skel.h"
#include "collect/sampler.h"
#include "collect/source.h"
#include "lib/array.h"
#include "lib/log.h"
#include "lib/u64map.h"
#include "lib/util.h"
#include "unwind/unwind_worker.h"

_Static_assert(SAMPLE_MAX_DEPTH == MAX_STACK_DEPTH, "collect/sample.h and bpf/abi/sample.h agree");
_Static_assert(SAMPLE_COMM_LEN == TASK_COMM_LEN, "collect/sample.h and bpf/abi/sample.h agree");
_Static_assert(SAMPLE_IP_TAG_MASK == UNWIND_FRAME_TAG_MASK &&
		       SAMPLE_IP_METHOD == UNWIND_FRAME_HOTSPOT,
	       "collect/sample.h and bpf/abi/unwind.h agree");
_Static_assert((int)SAMPLE_KINDS == (int)BP_KIND_MAX && (int)SAMPLE_ALLOC == (int)BP_KIND_ALLOC,
	       "collect/sample.h and bpf/abi/sample.h agree");

struct sampler {
	struct cpu_bpf *skel;
	struct ring_buffer *rb;
	struct source watchers; /* the fork/exec/exit programs' links (no ops: not a source) */
	struct source src;	/* what drives the sampling program (collect/source.h) */
	struct source modes;	/* the modes' programs, beside it (collect/mode.h) */
	int *pids;		/* sampler__add_pid()'s, for the modes that attach per process */
	uint32_t storage;	/* stack map entries per set */
	uint64_t rotate_at;	/* new entries after which the filling set is drained */
	unsigned long rotations;
	double offcpu_swept;	       /* when offcpu_stacks was last emptied (mono_s) */
	int quiesce_fd, quiesce_inner; /* map-in-map and its map (see sampler__quiesce) */
	proc_event_fn event_fn;
	void *event_ctx;
	struct unwind_worker *unwinder; /* unwind tables (bpf/unwind/), NULL with --unwind fp */
	enum unwind_mode unwind;
	bool unwind_logged;
	struct u64map *leaves; /* leaf_names id -> its name (strdup'd), as read so far */
	int stats_fd;	       /* BPF run-time statistics held on (-v), else -1 */
};

static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* The process event a BPF notice stands for; false for BP_EVENT_FULL (it only wakes the poll). */
static bool proc_event__type(__u32 bp_type, enum proc_event_type *type)
{
	switch (bp_type) {
	case BP_EVENT_NEW:
		*type = PROC_NEW;
		return true;
	case BP_EVENT_EXEC:
		*type = PROC_EXEC;
		return true;
	case BP_EVENT_EXIT:
		*type = PROC_EXIT;
		return true;
	}
	return false;
}

static int ringbuf_cb(void *ctx, void *data, size_t size)
{
	struct sampler *s = ctx;
	const struct bp_event *e = data;
	struct proc_event pe = {};

	/* a BP_EVENT_FULL notice is only its type: the caller then sees sampler__wants_rotate() */
	if (size < sizeof(*e) || !s->event_fn || !proc_event__type(e->type, &pe.type))
		return 0;
	if (pe.type != PROC_NEW && s->unwinder) /* its interpreter is gone, or elsewhere */
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.hotspot_procs), &e->pid);
	pe.pid = e->pid;
	pe.nspid = e->nspid;
	pe.start_ns = e->start_ns;
	memcpy(pe.comm, e->comm, SAMPLE_COMM_LEN);
	s->event_fn(&pe, s->event_ctx);
	return 0;
}

/* --unwind: the walk's mode, and maps sized for it (a token size when unused). */
static void sampler__configure_unwind(struct sampler *s, const struct sampler_cfg *cfg)
{
	struct cpu_bpf *skel = s->skel;
	bool on = cfg->unwind != UNWIND_MODE_FP && cfg->user;

	s->unwind = on ? cfg->unwind : UNWIND_MODE_FP;
	skel->rodata->unwind_mode = s->unwind;
	bpf_map__set_max_entries(skel->maps.ustacks0, on ? s->storage : 1);
	bpf_map__set_max_entries(skel->maps.ustacks1, on ? s->storage : 1);
	bpf_map__set_max_entries(skel->maps.offcpu_ustacks, on ? s->storage : 1);
	bpf_map__set_max_entries(skel->maps.unwind_rows,
				 on ? (cfg->unwind_rows ?: UNWIND_DEFAULT_ROWS) : 1);
	if (!on) {
		bpf_map__set_max_entries(skel->maps.unwind_procs, 1);
		bpf_map__set_max_entries(skel->maps.unwind_events, sysconf(_SC_PAGESIZE));
	}
}

static void sampler__configure(struct sampler *s, const struct sampler_cfg *cfg)
{
	struct cpu_bpf *skel = s->skel;

	skel->rodata->filter_pids = cfg->filter_pids;
	skel->rodata->follow_forks = cfg->follow_forks;
	skel->rodata->include_idle = cfg->idle;
	skel->rodata->want_kernel = cfg->kernel;
	skel->rodata->want_user = cfg->user;
	skel->rodata->per_thread = cfg->threads;
	s->storage = cfg->stack_storage ? cfg->stack_storage : SAMPLER_STACK_STORAGE;
	s->rotate_at = s->storage / SAMPLER_ROTATE_DIVISOR ?: 1;
	skel->rodata->rotate_at = s->rotate_at;
	bpf_map__set_max_entries(skel->maps.stacks0, s->storage);
	bpf_map__set_max_entries(skel->maps.stacks1, s->storage);
	sampler__configure_unwind(s, cfg);
	bpf_map__set_max_entries(skel->maps.counts0, cfg->max_stacks ?: SAMPLER_MAX_STACKS);
	bpf_map__set_max_entries(skel->maps.counts1, cfg->max_stacks ?: SAMPLER_MAX_STACKS);
}

/* Pick ev's source and let it choose its entry point (and settings, before load). */
static int sampler__configure_source(struct sampler *s, const struct event_spec *ev)
{
	s->src.ops = source__for(ev);
	return s->src.ops->configure(&s->src, s->skel, ev);
}

/*
 * Updating an element of a map-in-map from user space returns only after an RCU grace period,
 * that is after every BPF program already running has finished: storing the same inner map
 * again in a one-slot ARRAY_OF_MAPS is how a flip of the active set waits for samples still
 * being written to the old one. Without it (the maps could not be made) the flip waits a
 * generous fixed time instead.
 */
static void sampler__quiesce_init(struct sampler *s)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);

	s->quiesce_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (s->quiesce_inner < 0)
		return;
	opts.inner_map_fd = s->quiesce_inner;
	s->quiesce_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL, 4, 4, 1, &opts);
}

static void sampler__quiesce(struct sampler *s)
{
	__u32 key = 0, val = s->quiesce_inner;

	if (s->quiesce_fd < 0 || bpf_map_update_elem(s->quiesce_fd, &key, &val, BPF_ANY))
		usleep(20000); /* a sampling program runs for microseconds */
}

/*
 * The unwind tables and their thread, which the BPF side tells of processes directly: the
 * samples of one without tables yet use frame pointers, so nothing this loop does may delay them.
 * Tables for libc and ld.so are built here, before the thread starts.
 */
static int sampler__start_unwinder(struct sampler *s)
{
	struct unwinder *u = unwinder__new(bpf_map__fd(s->skel->maps.unwind_rows),
					   bpf_map__max_entries(s->skel->maps.unwind_rows),
					   bpf_map__fd(s->skel->maps.unwind_procs));

	if (!u)
		return -errno ?: -ENOMEM;
	s->unwinder = unwind_worker__new(u, bpf_map__fd(s->skel->maps.unwind_events));
	return s->unwinder ? 0 : -errno ?: -ENOMEM;
}

/* cfi: the CFI unwinder was in the program (it needs bpf_loop, Linux 5.17). */
static void explain_load_error(int err, bool cfi)
{
	if (err == -EPERM || err == -EACCES)
		fprintf(stderr,
			"bpfprof: not allowed to load BPF programs (%s); run as root, or grant CAP_BPF and CAP_PERFMON\n",
			strerror(-err));
	else if (err == -ENOMEM || err == -E2BIG)
		fprintf(stderr,
			"bpfprof: cannot create the BPF maps (%s); lower --stack-storage-size or --max-stacks, or raise the locked-memory limit (ulimit -l)\n",
			strerror(-err));
	else if (cfi)
		fprintf(stderr,
			"bpfprof: cannot load the BPF program (%s); the kernel needs BTF (CONFIG_DEBUG_INFO_BTF) and version 5.17 or later for CFI unwinding (5.8 with --unwind fp); rerun with -v for details\n",
			strerror(-err));
	else
		fprintf(stderr,
			"bpfprof: cannot load the BPF program (%s); the kernel needs BTF (CONFIG_DEBUG_INFO_BTF) and version 5.8 or later; rerun with -v for details\n",
			strerror(-err));
}

struct sampler *sampler__new(const struct sampler_cfg *cfg, proc_event_fn fn, void *ctx)
{
	struct sampler *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	libbpf_verbose = cfg->verbose;
	libbpf_set_print(libbpf_print);
	s->event_fn = fn;
	s->event_ctx = ctx;
	s->quiesce_fd = s->quiesce_inner = -1;
	/*
	 * -v: the programs' run time, counted from before the first run to the last, whoever else
	 * turns kernel.bpf_stats_enabled on or off meanwhile.
	 */
	s->stats_fd = cfg->verbose ? bpf_enable_stats(BPF_STATS_RUN_TIME) : -1;
	s->leaves = u64map__new(); /* NULL: samples go without their leaf names */
	s->skel = cpu_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto err_explain;
	}
	sampler__configure(s, cfg);
	s->modes.agent = cfg->agent;
	err = source_modes.configure(&s->modes, s->skel, cfg->event);
	if (!bpf_program__autoload(s->skel->progs.on_switch)) /* no off-CPU mode: no kept stacks */
		bpf_map__set_max_entries(s->skel->maps.offcpu_ustacks, 1);
	if (!err && cfg->event)
		err = sampler__configure_source(s, cfg->event);
	if (!err)
		err = cpu_bpf__load(s->skel);
	if (err)
		goto err_explain;
	err = source__keep_link(&s->watchers, bpf_program__attach(s->skel->progs.on_fork));
	if (!err)
		err = source__keep_link(&s->watchers, bpf_program__attach(s->skel->progs.on_exec));
	if (!err)
		err = source__keep_link(&s->watchers, bpf_program__attach(s->skel->progs.on_exit));
	if (err)
		goto err_explain;
	sampler__quiesce_init(s);
	if (s->unwind != UNWIND_MODE_FP && (err = sampler__start_unwinder(s)))
		goto err_explain;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), ringbuf_cb, s, NULL);
	if (!s->rb) {
		err = -errno;
		goto err_explain;
	}
	return s;
err_explain:
	explain_load_error(err, s->unwind != UNWIND_MODE_FP);
	sampler__free(s);
	return NULL;
}

int sampler__add_pid(struct sampler *s, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;
	int *pids = realloc(s->pids, (s->modes.npids + 1) * sizeof(*pids));

	if (!pids)
		return -ENOMEM;
	s->pids = pids;
	s->pids[s->modes.npids++] = pid;
	s->modes.pids = s->pids;
	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.target_pids), &key, &one, BPF_ANY)
		       ? -errno
		       : 0;
}

int sampler__add_command(struct sampler *s, pid_t pid, const char *exe, const char *alloc_shim)
{
	s->modes.cmd_pid = pid;
	s->modes.cmd_exe = exe;
	s->modes.alloc_shim = alloc_shim;
	return sampler__add_pid(s, pid);
}

int sampler__start(struct sampler *s, const struct event_spec *ev, const struct sample_rate *rate)
{
	int err = 0;

	if (!s->src.ops || s->src.ops != source__for(ev))
		err = sampler__configure_source(s, ev);
	err = err ?: s->src.ops->start(&s->src, ev, rate);
	return err ?: source_modes.start(&s->modes, ev, rate);
}

const char *sampler__unit(const struct sampler *s, const struct event_spec *ev)
{
	return source__for(ev)->unit(ev);
}

int sampler__poll(struct sampler *s, int timeout_ms)
{
	int n;

	n = ring_buffer__poll(s->rb, timeout_ms);
	return n == -EINTR ? 0 : n;
}

int sampler__fd(const struct sampler *s)
{
	return s->rb ? ring_buffer__epoll_fd(s->rb) : -1;
}

/* Once, when sampling ends: how the user walks went, and what the tables cost (-v). */
static void sampler__log_unwind(struct sampler *s)
{
	uint64_t st[UNWIND_STAT_MAX], walks, frames;
	struct unwinder_stats t;

	if (s->unwind_logged || sampler__unwind_stats(s, st, &t))
		return;
	s->unwind_logged = true;
	pr_debug(
		"unwind: %llu frames in HotSpot's interpreter, %llu of them named by their Method*",
		(unsigned long long)s->skel->bss->hotspot_stats[HOTSPOT_STAT_FRAMES],
		(unsigned long long)s->skel->bss->hotspot_stats[HOTSPOT_STAT_NAMED]);
	walks = st[UNWIND_STAT_WALKS] + st[UNWIND_STAT_FP_ONLY];
	frames = st[UNWIND_STAT_CFI_FRAMES] + st[UNWIND_STAT_FP_FRAMES];
	if (pct(st[UNWIND_STAT_FP_ONLY], walks) >= 1)
		pr_info("%llu user stacks (%.1f%%) were walked by frame pointers only: their process's unwind tables were not built yet",
			(unsigned long long)st[UNWIND_STAT_FP_ONLY],
			pct(st[UNWIND_STAT_FP_ONLY], walks));
	pr_debug(
		"unwind: %llu walks with tables; ended at the root %.1f%% (CFI end %llu, zero return address %llu), stopped: bad read %llu, sp not moving up %llu, depth %llu; %llu collisions, %llu dropped (map full)",
		(unsigned long long)st[UNWIND_STAT_WALKS],
		pct(st[UNWIND_STAT_END] + st[UNWIND_STAT_PC_ZERO], st[UNWIND_STAT_WALKS]),
		(unsigned long long)st[UNWIND_STAT_END],
		(unsigned long long)st[UNWIND_STAT_PC_ZERO],
		(unsigned long long)st[UNWIND_STAT_BAD_READ],
		(unsigned long long)st[UNWIND_STAT_LOOP], (unsigned long long)st[UNWIND_STAT_DEPTH],
		(unsigned long long)st[UNWIND_STAT_COLLISION],
		(unsigned long long)st[UNWIND_STAT_FULL]);
	pr_debug(
		"unwind: frames %.1f%% by CFI rows, %.1f%% by frame pointers (%llu in a binary without a table); %llu samples before their process had tables",
		pct(st[UNWIND_STAT_CFI_FRAMES], frames), pct(st[UNWIND_STAT_FP_FRAMES], frames),
		(unsigned long long)st[UNWIND_STAT_NO_TABLE],
		(unsigned long long)st[UNWIND_STAT_FP_ONLY]);
	pr_debug(
		"unwind: tables: %llu binaries, %llu rows, %.1f MiB at the end, %llu binaries and %.1f MiB at the most, of %.1f MiB (unwind_rows); %llu built from %.1f MB of text in %.0f ms CPU (%.1f ms/MB), %llu without a table, %llu without room; %llu processes",
		(unsigned long long)t.tables, (unsigned long long)t.rows, t.row_bytes / 1048576.0,
		(unsigned long long)t.peak_tables,
		t.peak_rows * sizeof(struct unwind_row) / 1048576.0,
		t.capacity_rows * sizeof(struct unwind_row) / 1048576.0,
		(unsigned long long)t.built, t.text_bytes / 1e6, t.build_ms,
		t.text_bytes ? t.build_ms / (t.text_bytes / 1e6) : 0, (unsigned long long)t.failed,
		(unsigned long long)t.no_room, (unsigned long long)t.processes);
}

int sampler__hotspot_interp(struct sampler *s, pid_t pid, uint64_t start, uint64_t end)
{
	struct hotspot_interp in = { start, end };
	__u32 key = pid;

	if (!s->unwinder)
		return -ENOENT;
	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.hotspot_procs), &key, &in, BPF_ANY)
		       ? -errno
		       : 0;
}

void sampler__stop(struct sampler *s)
{
	if (s->src.ops)
		s->src.ops->stop(&s->src);
	source_modes.stop(&s->modes);
	source__release(&s->watchers);
	if (s->rb)
		ring_buffer__consume(s->rb);
	sampler__log_unwind(s);
}

/* ---- drain: read one set's counts and stacks, then empty it ---- */

struct drain {
	int counts_fd, stacks_fd, ustacks_fd;
	struct u64map *ips;    /* stack id + 1 -> ips (malloc'd, leaf first, 0-terminated) */
	struct u64map *uips;   /* the same for ustacks: its key -> ips */
	int offcpu_fd;	       /* kind OFFCPU's stacks, kept across sets */
	int offcpu_ustacks_fd; /* ... and their CFI-walked user stacks */
	struct u64map *offips; /* the same as ips for offcpu_stacks */
	int leaf_names_fd;
	struct u64map *leaves; /* the sampler's: names outlive a drain */
	sample_fn fn;
	void *ctx;
};

static void free_ips(uint64_t key, void *val, void *ctx)
{
	free(val);
}

/* ips (malloc'd) kept in cache under key; false, ips freed, when there is no memory. */
static bool drain__cache(struct u64map *cache, uint64_t key, uint64_t *ips)
{
	if (!u64map__set(cache, key, ips))
		return true;
	free(ips);
	return false;
}

/* A sample_stack over ips: leaf first, 0-terminated or MAX_STACK_DEPTH long. */
static struct sample_stack stack_of(const uint64_t *ips)
{
	struct sample_stack st = { .ips = ips };

	while (st.len < MAX_STACK_DEPTH && ips[st.len])
		st.len++;
	return st;
}

/* The ips of stack id (cached: many entries share a stack), as a sample_stack. */
static struct sample_stack drain__stack(struct drain *d, __s32 id)
{
	static const uint64_t none[1];
	struct sample_stack st = { .ips = none };
	uint64_t *ips;
	__u32 key = id;

	if (id < 0) {
		st.lost = id == -EEXIST			   ? STACK_COLLISION
			  : id == -EFAULT || id == -ENOENT ? STACK_OK /* none of this kind */
							   : STACK_LOST;
		return st;
	}
	ips = u64map__get(d->ips, (uint64_t)id + 1);
	if (!ips) {
		ips = calloc(MAX_STACK_DEPTH + 1, sizeof(*ips));
		if (!ips)
			return st;
		if (bpf_map_lookup_elem(d->stacks_fd, &key, ips))
			ips[0] = 0;
		if (!drain__cache(d->ips, (uint64_t)id + 1, ips))
			return st;
	}
	return stack_of(ips);
}

/*
 * The ips of a stack the BPF unwinder walked (key in the set's ustacks, or in offcpu_ustacks
 * for kind OFFCPU), cached like drain__stack's: one key is one stack in either map.
 */
static struct sample_stack drain__ustack(struct drain *d, const struct sample_key *k)
{
	__u64 key = k->ustack;
	int fd = k->kind == BP_KIND_OFFCPU ? d->offcpu_ustacks_fd : d->ustacks_fd;
	static const uint64_t none[1];
	struct sample_stack st = { .ips = none };
	struct unwind_stack us;
	uint64_t *ips = u64map__get(d->uips, key);

	if (!ips) {
		ips = calloc(MAX_STACK_DEPTH + 1, sizeof(*ips));
		if (!ips)
			return st;
		if (!bpf_map_lookup_elem(fd, &key, &us))
			memcpy(ips, us.ips,
			       (us.len < MAX_STACK_DEPTH ? us.len : MAX_STACK_DEPTH) *
				       sizeof(*ips));
		if (!drain__cache(d->uips, key, ips))
			return st;
	}
	return stack_of(ips);
}

/*
 * drain__stack() for key's kind: off-CPU stacks are taken when a thread leaves and counted when it
 * returns, maybe sets later, so they live in offcpu_stacks (bpf/modes/offcpu.bpf.h).
 */
static struct sample_stack drain__kind_stack(struct drain *d, const struct sample_key *key,
					     __s32 id)
{
	struct drain off = *d;

	if (key->kind != BP_KIND_OFFCPU)
		return drain__stack(d, id);
	off.stacks_fd = d->offcpu_fd;
	off.ips = d->offips;
	return drain__stack(&off, id);
}

/* The name under leaf id (bpf/abi/sample.h's leaf_names), read once; NULL: none. */
static const char *drain__leaf(struct drain *d, __u32 id)
{
	struct leaf_name n;
	char *name;

	if (!id || !d->leaves)
		return NULL;
	name = u64map__get(d->leaves, id);
	if (name)
		return name;
	if (bpf_map_lookup_elem(d->leaf_names_fd, &id, &n))
		return NULL;
	n.name[sizeof(n.name) - 1] = '\0';
	name = strdup(n.name);
	if (name && u64map__set(d->leaves, id, name)) {
		free(name);
		return NULL;
	}
	return name;
}

static void drain__entries(struct drain *d, const struct sample_key *keys,
			   const struct sample_value *vals, __u32 n)
{
	struct sample smp;

	for (__u32 i = 0; i < n; i++) {
		smp = (struct sample){
			.pid = keys[i].pid,
			.tid = keys[i].tid,
			.kind = keys[i].kind,
			.kernel = drain__kind_stack(d, &keys[i], keys[i].kstack_id),
			.user = keys[i].ustack ? drain__ustack(d, &keys[i])
					       : drain__kind_stack(d, &keys[i], keys[i].ustack_id),
			.leaf = drain__leaf(d, keys[i].leaf),
			.count = vals[i].count,
			.weight = vals[i].weight,
		};
		memcpy(smp.tcomm, keys[i].tcomm, sizeof(smp.tcomm));
		d->fn(&smp, d->ctx);
	}
}

/* Read and delete every counts entry, a batch at a time. 0 or -errno. */
static int drain__counts(struct drain *d)
{
	__u32 cap = 1024, n, token = 0, *in = NULL;
	struct sample_key *keys = NULL;
	struct sample_value *vals = NULL;
	int err = 0;

	for (;;) {
		if (!keys || !vals) {
			free(keys);
			free(vals);
			keys = malloc(cap * sizeof(*keys));
			vals = malloc(cap * sizeof(*vals));
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		n = cap;
		err = bpf_map_lookup_and_delete_batch(d->counts_fd, in, &token, keys, vals, &n,
						      NULL);
		err = err ? -errno : 0;
		if (err == -ENOSPC && !n) { /* one bucket holds more than cap entries */
			cap *= 2;
			free(keys);
			keys = NULL;
			continue;
		}
		drain__entries(d, keys, vals, n);
		if (err)
			break;
		in = &token;
	}
	free(keys);
	free(vals);
	return err == -ENOENT ? 0 : err;
}

/* Empty the stack map: the ids read above, then whatever no counts entry referenced. */
static void drain__clear_stacks(uint64_t key, void *val, void *ctx)
{
	__u32 id = key - 1;

	bpf_map_delete_elem(*(int *)ctx, &id);
}

static void drain__sweep_stacks(int fd)
{
	__u32 id;

	while (!bpf_map_get_next_key(fd, NULL, &id))
		if (bpf_map_delete_elem(fd, &id))
			break;
}

static void drain__sweep_ustacks(int fd)
{
	__u64 key;

	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			break;
}

static int sampler__drain_set(struct sampler *s, int set, sample_fn fn, void *ctx)
{
	struct cpu_bpf *skel = s->skel;
	struct drain d = {
		.counts_fd = bpf_map__fd(set ? skel->maps.counts1 : skel->maps.counts0),
		.stacks_fd = bpf_map__fd(set ? skel->maps.stacks1 : skel->maps.stacks0),
		.ustacks_fd = bpf_map__fd(set ? skel->maps.ustacks1 : skel->maps.ustacks0),
		.ips = u64map__new(),
		.uips = u64map__new(),
		.offcpu_fd = bpf_map__fd(skel->maps.offcpu_stacks),
		.offcpu_ustacks_fd = bpf_map__fd(skel->maps.offcpu_ustacks),
		.offips = u64map__new(),
		.leaf_names_fd = bpf_map__fd(skel->maps.leaf_names),
		.leaves = s->leaves,
		.fn = fn,
		.ctx = ctx,
	};
	int err;

	err = d.ips && d.uips && d.offips ? drain__counts(&d) : -ENOMEM;
	u64map__for_each(d.offips, free_ips, NULL); /* offcpu_stacks stays: threads still away */
	u64map__free(d.offips);
	if (d.ips)
		u64map__for_each(d.ips, drain__clear_stacks, &d.stacks_fd);
	drain__sweep_stacks(d.stacks_fd);
	drain__sweep_ustacks(d.ustacks_fd);
	if (d.ips)
		u64map__for_each(d.ips, free_ips, NULL);
	if (d.uips)
		u64map__for_each(d.uips, free_ips, NULL);
	u64map__free(d.ips);
	u64map__free(d.uips);
	return err;
}

bool sampler__wants_rotate(const struct sampler *s)
{
	uint32_t set = s->skel->bss->active & 1;
	uint64_t fresh = __atomic_load_n(&s->skel->bss->fresh[set], __ATOMIC_RELAXED);

	return fresh >= s->rotate_at;
}

/*
 * offcpu_stacks is not flipped with the sets (bpf/modes/offcpu.bpf.h), so a long run (a
 * monitor) would fill it: empty it after a drain every SAMPLER_OFFCPU_SWEEP_S. A thread away
 * across that moment keeps its time and loses its stacks.
 */
static void sampler__sweep_offcpu(struct sampler *s)
{
	double now = mono_s();

	if (bpf_map__max_entries(s->skel->maps.offcpu_stacks) <= 1) /* no off-CPU mode */
		return;
	if (!s->offcpu_swept)
		s->offcpu_swept = now;
	if (now - s->offcpu_swept < SAMPLER_OFFCPU_SWEEP_S)
		return;
	drain__sweep_stacks(bpf_map__fd(s->skel->maps.offcpu_stacks));
	s->offcpu_swept = now;
}

int sampler__rotate(struct sampler *s, sample_fn fn, void *ctx)
{
	uint32_t old = s->skel->bss->active & 1;
	int err;

	__atomic_store_n(&s->skel->bss->active, !old, __ATOMIC_RELEASE);
	sampler__quiesce(s);
	s->skel->bss->fresh[old] = 0;
	s->rotations++;
	err = sampler__drain_set(s, old, fn, ctx);
	sampler__sweep_offcpu(s);
	return err;
}

int sampler__drain(struct sampler *s, sample_fn fn, void *ctx)
{
	int err = sampler__drain_set(s, 0, fn, ctx), err1 = sampler__drain_set(s, 1, fn, ctx);

	return err ?: err1;
}

unsigned long sampler__rotations(const struct sampler *s)
{
	return s->rotations;
}

void sampler__mode_totals(struct sampler *s, uint64_t count[SAMPLE_KINDS],
			  uint64_t weight[SAMPLE_KINDS])
{
	for (int k = 0; k < SAMPLE_KINDS; k++) {
		count[k] = __atomic_load_n(&s->skel->bss->mode_count[k], __ATOMIC_RELAXED);
		weight[k] = __atomic_load_n(&s->skel->bss->mode_weight[k], __ATOMIC_RELAXED);
	}
}

void sampler__stats(struct sampler *s, uint64_t out[STAT_MAX])
{
	int i;

	for (i = 0; i < STAT_MAX; i++)
		out[i] = __atomic_load_n(&s->skel->bss->stats[i], __ATOMIC_RELAXED);
}

int sampler__unwind_stats(struct sampler *s, uint64_t out[UNWIND_STAT_MAX],
			  struct unwinder_stats *tables)
{
	if (!s->unwinder)
		return -ENOENT;
	for (int i = 0; i < UNWIND_STAT_MAX; i++)
		out[i] = __atomic_load_n(&s->skel->bss->unwind_stats[i], __ATOMIC_RELAXED);
	unwind_worker__stats(s->unwinder, tables);
	return 0;
}

int sampler__prog_stats(struct sampler *s, uint64_t *run_ns, uint64_t *run_cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err;

	if (!s->src.prog)
		return -ENOENT;
	if (s->stats_fd < 0) /* not counted over the whole run: no figure rather than a wrong one */
		return -ENODATA;
	err = bpf_obj_get_info_by_fd(bpf_program__fd(s->src.prog), &info, &len);
	if (err)
		return -errno;
	*run_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	return 0;
}

void sampler__free(struct sampler *s)
{
	if (!s)
		return;
	s->event_fn = NULL; /* the consumers may be gone already: deliver nothing more */
	sampler__stop(s);   /* releases the source's and the watchers' links */
	ring_buffer__free(s->rb);
	if (s->quiesce_fd >= 0)
		close(s->quiesce_fd);
	if (s->quiesce_inner >= 0)
		close(s->quiesce_inner);
	unwind_worker__free(s->unwinder);
	u64map__for_each(s->leaves, free_ips, NULL);
	u64map__free(s->leaves);
	cpu_bpf__destroy(s->skel);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	free(s->pids);
	free(s);
}
