// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sampler.c - load and run bpf/profile.bpf.c through its skeleton (see sampler.h).
 *
 * open -> set rodata and map sizes -> load -> attach fork/exec/exit watchers -> start(event) ->
 * poll -> stop -> drain -> free. Producers go before consumers: stop detaches everything that
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
#include "profile.skel.h"
#include "sampler.h"

struct sampler {
	struct profile_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;	/* the fork/exec/exit watchers, then the sampling links */
	int nlinks;
	int *pefds;
	int npefds;
	struct bpf_program *sampling_prog;
	sampler_event_fn event_fn;
	void *event_ctx;
};

/* How one kind of event gets the sampling program attached. */
struct source_ops {
	const char *what;
	int (*start)(struct sampler *s, const struct event_spec *ev,
		     const struct sample_rate *rate);
};

static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int sampler__keep_link(struct sampler *s, struct bpf_link *link)
{
	struct bpf_link **l;

	if (!link)
		return -errno;
	l = realloc(s->links, (s->nlinks + 1) * sizeof(*l));
	if (!l) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	s->links = l;
	s->links[s->nlinks++] = link;
	return 0;
}

static int ringbuf_cb(void *ctx, void *data, size_t size)
{
	struct sampler *s = ctx;

	if (size >= sizeof(struct bp_event) && s->event_fn)
		s->event_fn(data, s->event_ctx);
	return 0;
}

static void sampler__configure(struct sampler *s, const struct sampler_cfg *cfg)
{
	struct profile_bpf *skel = s->skel;

	skel->rodata->filter_pids = cfg->filter_pids;
	skel->rodata->follow_forks = cfg->follow_forks;
	skel->rodata->include_idle = cfg->idle;
	skel->rodata->want_kernel = cfg->kernel;
	skel->rodata->want_user = cfg->user;
	skel->rodata->per_thread = cfg->threads;
	if (cfg->stack_storage) {
		bpf_map__set_max_entries(skel->maps.stacks, cfg->stack_storage);
		bpf_map__set_max_entries(skel->maps.spill_stacks, cfg->stack_storage / 4 + 1);
	}
	if (cfg->max_stacks)
		bpf_map__set_max_entries(skel->maps.counts, cfg->max_stacks);
}

static void explain_load_error(int err)
{
	if (err == -EPERM || err == -EACCES)
		fprintf(stderr, "bpfprof: not allowed to load BPF programs (%s); run as root, or grant CAP_BPF and CAP_PERFMON\n", strerror(-err));
	else if (err == -ENOMEM || err == -E2BIG)
		fprintf(stderr, "bpfprof: cannot create the BPF maps (%s); lower --stack-storage-size or --max-stacks, or raise the locked-memory limit (ulimit -l)\n", strerror(-err));
	else
		fprintf(stderr, "bpfprof: cannot load the BPF program (%s); the kernel needs BTF (CONFIG_DEBUG_INFO_BTF) and version 5.8 or later; rerun with -v for details\n", strerror(-err));
}

struct sampler *sampler__new(const struct sampler_cfg *cfg, sampler_event_fn fn, void *ctx)
{
	struct sampler *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	libbpf_verbose = cfg->verbose;
	libbpf_set_print(libbpf_print);
	s->event_fn = fn;
	s->event_ctx = ctx;
	s->skel = profile_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto err_explain;
	}
	sampler__configure(s, cfg);
	err = profile_bpf__load(s->skel);
	if (err)
		goto err_explain;
	err = sampler__keep_link(s, bpf_program__attach(s->skel->progs.on_fork));
	if (!err)
		err = sampler__keep_link(s, bpf_program__attach(s->skel->progs.on_exec));
	if (!err)
		err = sampler__keep_link(s, bpf_program__attach(s->skel->progs.on_exit));
	if (err)
		goto err_explain;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), ringbuf_cb, s, NULL);
	if (!s->rb) {
		err = -errno;
		goto err_explain;
	}
	return s;
err_explain:
	explain_load_error(err);
	sampler__free(s);
	return NULL;
}

int sampler__add_pid(struct sampler *s, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.target_pids), &key, &one, BPF_ANY)
		       ? -errno
		       : 0;
}

static int perf_source_start(struct sampler *s, const struct event_spec *ev,
			     const struct sample_rate *rate)
{
	char why[512];
	int *cpus = NULL, n = online_cpus(&cpus), i, fd, err = 0;

	if (n <= 0)
		return fprintf(stderr, "bpfprof: cannot read /sys/devices/system/cpu/online\n"),
		       -ENOENT;
	s->pefds = calloc(n, sizeof(int));
	for (i = 0; s->pefds && i < n && !err; i++) {
		fd = event__open_perf(ev, rate, cpus[i]);
		if (fd == -ENODEV)	/* went offline meanwhile */
			continue;
		if (fd < 0) {
			event__explain(ev, fd, why, sizeof(why));
			fprintf(stderr, "bpfprof: %s\n", why);
			err = fd;
			break;
		}
		s->pefds[s->npefds++] = fd;
		err = sampler__keep_link(s, bpf_program__attach_perf_event(s->sampling_prog, fd));
		if (err)
			fprintf(stderr, "bpfprof: cannot attach to perf event on CPU %d: %s\n",
				cpus[i], strerror(-err));
	}
	free(cpus);
	return s->pefds ? err : -ENOMEM;
}

static int tracepoint_source_start(struct sampler *s, const struct event_spec *ev,
				   const struct sample_rate *rate)
{
	int err;

	s->sampling_prog = s->skel->progs.on_tracepoint;
	err = sampler__keep_link(s, bpf_program__attach_tracepoint(s->sampling_prog,
								   ev->category, ev->func));
	if (err)
		fprintf(stderr, "bpfprof: cannot attach to tracepoint %s:%s: %s\n", ev->category,
			ev->func, strerror(-err));
	return err;
}

static int probe_source_start(struct sampler *s, const struct event_spec *ev,
			      const struct sample_rate *rate)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = ev->func);
	struct bpf_link *link;
	int err;

	s->sampling_prog = s->skel->progs.on_probe;
	if (ev->kind == EV_KPROBE)
		link = bpf_program__attach_kprobe(s->sampling_prog, false, ev->func);
	else
		link = bpf_program__attach_uprobe_opts(s->sampling_prog, -1, ev->path, 0, &uopts);
	err = sampler__keep_link(s, link);
	if (err && ev->kind == EV_KPROBE && access("/sys/bus/event_source/devices/kprobe", F_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", F_OK))
		fprintf(stderr, "bpfprof: this kernel has no kprobe support (no kprobe PMU, no kprobe_events: CONFIG_KPROBE_EVENTS is off); use a tracepoint (bpfprof list --tracepoints)\n");
	else if (err && ev->kind == EV_KPROBE)
		fprintf(stderr, "bpfprof: cannot attach kprobe to '%s' (%s); it must be a kernel function listed in /proc/kallsyms and not inlined\n", ev->func, strerror(-err));
	else if (err)
		fprintf(stderr, "bpfprof: cannot attach uprobe to %s in %s (%s); check the symbol with 'nm -D %s'\n", ev->func, ev->path, strerror(-err), ev->path);
	return err;
}

static const struct source_ops sources[] = {
	[EV_PERF] = { "perf event", perf_source_start },
	[EV_TRACEPOINT] = { "tracepoint", tracepoint_source_start },
	[EV_KPROBE] = { "kprobe", probe_source_start },
	[EV_UPROBE] = { "uprobe", probe_source_start },
};

int sampler__start(struct sampler *s, const struct event_spec *ev,
		   const struct sample_rate *rate)
{
	s->sampling_prog = s->skel->progs.on_perf_event;
	return sources[ev->kind].start(s, ev, rate);
}

int sampler__poll(struct sampler *s, int timeout_ms)
{
	int n = ring_buffer__poll(s->rb, timeout_ms);

	return n == -EINTR ? 0 : n;
}

void sampler__stop(struct sampler *s)
{
	int i;

	for (i = 0; i < s->nlinks; i++) {
		bpf_link__destroy(s->links[i]);
		s->links[i] = NULL;
	}
	for (i = 0; i < s->npefds; i++)
		close(s->pefds[i]);
	s->npefds = 0;
	if (s->rb)
		ring_buffer__consume(s->rb);
}

static void sampler__read_stack(struct sampler *s, __s32 id, uint64_t *ips)
{
	struct bpf_map *map = id & SPILL_STACK_BIT ? s->skel->maps.spill_stacks
						   : s->skel->maps.stacks;
	__u32 key = id & ~SPILL_STACK_BIT;

	ips[0] = 0;
	if (id >= 0 && bpf_map_lookup_elem(bpf_map__fd(map), &key, ips))
		ips[0] = 0;
}

int sampler__drain(struct sampler *s, sampler_stack_fn fn, void *ctx)
{
	int cfd = bpf_map__fd(s->skel->maps.counts);
	uint64_t kips[MAX_STACK_DEPTH + 1], uips[MAX_STACK_DEPTH + 1], count;
	struct sample_key key, next, *prev = NULL;

	kips[MAX_STACK_DEPTH] = uips[MAX_STACK_DEPTH] = 0;
	while (!bpf_map_get_next_key(cfd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(cfd, &key, &count))
			continue;
		sampler__read_stack(s, key.kstack_id, kips);
		sampler__read_stack(s, key.ustack_id, uips);
		fn(&key, count, kips, uips, ctx);
	}
	return errno == ENOENT ? 0 : -errno;
}

void sampler__stats(struct sampler *s, uint64_t out[STAT_MAX])
{
	int i;

	for (i = 0; i < STAT_MAX; i++)
		out[i] = __atomic_load_n(&s->skel->bss->stats[i], __ATOMIC_RELAXED);
}

int sampler__prog_stats(struct sampler *s, uint64_t *run_ns, uint64_t *run_cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(bpf_program__fd(s->sampling_prog), &info, &len);

	if (err)
		return -errno;
	*run_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	return 0;
}

void sampler__free(struct sampler *s)
{
	int i;

	if (!s)
		return;
	s->event_fn = NULL;	/* the consumers may be gone already: deliver nothing more */
	sampler__stop(s);
	for (i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	free(s->links);
	free(s->pefds);
	ring_buffer__free(s->rb);
	profile_bpf__destroy(s->skel);
	free(s);
}
