// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_stack_builder.c - collected samples into profile stacks, with the real symbolizer on this
 * test's own addresses: frames root first (process, [thread], callers, leaf), a return address
 * looked up inside its call, a stack lost to a collision as one marker frame, count and weight
 * into the profile's columns as given, and the frame counters weighted by samples; a runtime's
 * leaf name (a Java class) under the stack, with the JVM's own frames above an allocation's
 * Java frames left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "lib/u64map.h"
#include "symbolize/stack_builder.h"

static volatile unsigned long sink;

__attribute__((noinline)) void builder_leaf(void)
{
	for (int i = 0; i < 64; i++)
		sink += i * sink;
}

__attribute__((noinline)) void builder_caller(void)
{
	for (int i = 0; i < 64; i++)
		sink ^= i;
	builder_leaf();
	sink++;
}

static const char *frame_name(const struct profile *p, const struct pf_stack *st, uint32_t i)
{
	return i < st->depth ? p->frames[st->ids[i]].name : "(none)";
}

static enum frame_kind frame_kind(const struct profile *p, const struct pf_stack *st, uint32_t i)
{
	return i < st->depth ? p->frames[st->ids[i]].kind : FRAME_UNKNOWN;
}

static struct sample sample_of(const uint64_t *uips, uint32_t ulen, uint64_t count, uint64_t weight)
{
	static const uint64_t none[1];

	return (struct sample){ .pid = getpid(),
				.kernel = { .ips = none },
				.user = { .ips = uips, .len = ulen },
				.count = count,
				.weight = weight };
}

/*
 * With the columns of a mode (collect/mode.h) each kind's count and weight land in its own
 * columns: lock's weight is the delay (column 0), its count the contentions (column 1); in wall,
 * cpu samples and off-CPU time share column 0; a kind with no column adds nothing.
 */
static void test_columns(struct symbolizer *sym, const uint64_t *uips)
{
	static const struct pf_value_type lock[] = { { "delay", "nanoseconds" },
						     { "contentions", "count" } };
	struct sample_columns cols;
	struct stack_builder_stats st = {};
	struct profile *p = profile__new();
	struct stack_builder b = {
		.profile = p, .sym = sym, .st = &st, .user = true, .cols = &cols
	};
	struct sample smp = sample_of(uips, 2, 3, 4500000);

	memset(&cols, -1, sizeof(cols));
	cols.weight[SAMPLE_LOCK] = 0;
	cols.count[SAMPLE_LOCK] = 1;
	profile__set_types(p, lock, 2);
	smp.kind = SAMPLE_LOCK;
	stack_builder__add(&b, &smp);
	check(p->nstacks == 1 && p->stacks[0].values[0] == 4500000 && p->stacks[0].values[1] == 3,
	      "lock: weight 4.5 ms into delay, count 3 into contentions (%llu, %llu)",
	      (unsigned long long)p->stacks[0].values[0],
	      (unsigned long long)p->stacks[0].values[1]);
	smp.kind = SAMPLE_ALLOC; /* not in this recording's columns */
	stack_builder__add(&b, &smp);
	check_int(p->totals[0] * 10 + p->totals[1], 45000000 + 3,
		  "a kind without columns adds nothing");
	profile__free(p);

	p = profile__new();
	b.profile = p;
	memset(&cols, -1, sizeof(cols));
	cols.weight[SAMPLE_CPU] = cols.weight[SAMPLE_OFFCPU] = 0;
	profile__set_types(p, &(struct pf_value_type){ "wall", "nanoseconds" }, 1);
	smp.kind = SAMPLE_CPU;
	smp.weight = 10000000;
	stack_builder__add(&b, &smp);
	smp.kind = SAMPLE_OFFCPU;
	smp.weight = 30000000;
	stack_builder__add(&b, &smp);
	check(p->nstacks == 1 && p->stacks[0].values[0] == 40000000,
	      "wall: 10 ms on CPU and 30 ms off it, one stack, one column (%llu)",
	      (unsigned long long)p->stacks[0].values[0]);
	profile__free(p);
}

/*
 * A sample with a leaf (collect/sample.h): the class is the last frame, _[a] for an allocation,
 * _[l] for a lock wait. An allocation's native frames under its last JIT frame (here
 * builder_leaf, standing for the JVM's allocator) go; with no JIT frame, all stay. JIT code: an
 * anonymous mapping named in this process's /tmp/perf-PID.map.
 */
static void test_leaf(const uint64_t *uips)
{
	char path[64];
	struct stack_builder_stats st = {};
	struct symbolizer *sym = symbolizer__new(NULL);
	struct profile *p = profile__new();
	struct stack_builder b = { .profile = p, .sym = sym, .st = &st, .user = true };
	char *jit = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t jips[4];
	struct sample smp;
	const struct pf_stack *s;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(path, "w");
	check(jit != MAP_FAILED && f, "an anonymous 'JIT' page and its perf map");
	if (jit == MAP_FAILED || !f)
		return;
	fprintf(f, "%lx 100 Alloc.round\n%lx 100 Alloc.longs\n", (unsigned long)jit,
		(unsigned long)jit + 0x100);
	fclose(f);
	symbolizer__add_process(sym, getpid(), 0, "java", 0);
	jips[0] = uips[0];		 /* the JVM's allocator, native */
	jips[1] = (uint64_t)jit + 0x108; /* Alloc.longs called it */
	jips[2] = (uint64_t)jit + 0x8;	 /* Alloc.round called Alloc.longs */
	jips[3] = 0;
	smp = sample_of(jips, 3, 1, 524288);
	smp.kind = SAMPLE_ALLOC;
	smp.leaf = "long[]";
	stack_builder__add(&b, &smp);
	s = &p->stacks[0];
	check_int(s->depth, 4, "java; Alloc.round; Alloc.longs; long[] (the allocator left out)");
	check_str(frame_name(p, s, 2), "Alloc.longs", "the allocating Java frame above the class");
	check_str(frame_name(p, s, 3), "long[]", "the class the leaf");
	check_int(frame_kind(p, s, 3), FRAME_ALLOC, "of kind FRAME_ALLOC (_[a])");
	check_str(frame_kind__suffix(FRAME_ALLOC), "_[a]", "suffix _[a]");

	smp = sample_of(uips, 2, 1, 1000);
	smp.kind = SAMPLE_LOCK;
	smp.leaf = "Contend$Gate";
	stack_builder__add(&b, &smp);
	s = &p->stacks[1];
	check(s->depth == 4 && !strcmp(frame_name(p, s, 2), "builder_leaf"),
	      "a lock wait keeps its native frames (%u frames)", s->depth);
	check(!strcmp(frame_name(p, s, 3), "Contend$Gate") && frame_kind(p, s, 3) == FRAME_MONITOR,
	      "the monitor's class the leaf, FRAME_MONITOR (_[l])");

	smp = sample_of(uips, 2, 1, 524288);
	smp.kind = SAMPLE_ALLOC;
	smp.leaf = "byte[]";
	stack_builder__add(&b, &smp);
	check_int(p->stacks[2].depth, 4, "an allocation with no Java frame keeps its native ones");
	unlink(path);
	munmap(jit, 4096);
	profile__free(p);
	symbolizer__free(sym);
}

int main(void)
{
	static const struct pf_value_type types[] = { { "samples", "count" },
						      { "cpu", "nanoseconds" } };
	/* leaf first; the caller's entry is a return address (8 bytes into it: inside its call) */
	uint64_t uips[] = { (uint64_t)builder_leaf + 1, (uint64_t)builder_caller + 8, 0 };
	struct stack_builder_stats st = {};
	struct symbolizer *sym = symbolizer__new(NULL);
	struct profile *p = profile__new();
	struct u64map *pids = u64map__new();
	struct stack_builder b = {
		.profile = p, .sym = sym, .st = &st, .user = true, .kernel = true, .pids = pids
	};
	const struct pf_stack *s;
	struct sample smp;

	check(sym && p && pids, "symbolizer, profile and pid set");
	check_int(profile__set_types(p, types, 2), 0, "two columns: samples, cpu");
	check_int(symbolizer__add_process(sym, getpid(), 0, "tsb", 0), 0, "snapshot this process");

	smp = sample_of(uips, 2, 3, 3000000);
	stack_builder__add(&b, &smp);
	check_int(p->nstacks, 1, "one stack");
	s = &p->stacks[0];
	check_int(s->depth, 3, "process frame and two user frames, no kernel frame");
	check_str(frame_name(p, s, 0), "tsb", "root: the process, named by its comm");
	check_int(frame_kind(p, s, 0), FRAME_PROCESS, "of kind FRAME_PROCESS");
	check_str(frame_name(p, s, 1), "builder_caller", "then the caller");
	check_str(frame_name(p, s, 2), "builder_leaf", "the leaf last");
	check_int(s->values[0], 3, "count into column 0 as given");
	check_int(s->values[1], 3000000, "weight into column 1 as given");
	check_int(st.user_frames, 6, "user frames weighted by samples: 2 frames x 3");
	check_int(st.user_unnamed + st.kernel_frames + st.truncated + st.dropped, 0,
		  "nothing unnamed, no kernel frames, nothing truncated or dropped");

	smp = sample_of(uips, 0, 2, 7);
	smp.user.lost = STACK_COLLISION;
	stack_builder__add(&b, &smp);
	check_int(p->nstacks, 2, "a lost user stack is a stack of its own");
	s = &p->stacks[1];
	check_int(s->depth, 2, "process frame and one marker");
	check_str(frame_name(p, s, 1), "[user stack lost]", "the marker names what was lost");
	check_int(s->values[0] * 1000 + s->values[1], 2007, "its count 2 and weight 7 kept");

	smp = sample_of(uips, 2, 1, 1000000);
	smp.kernel.lost = STACK_OK; /* none of this kind: no marker */
	b.threads = true;
	smp.tid = 42;
	memcpy(smp.tcomm, "worker", 7);
	stack_builder__add(&b, &smp);
	s = &p->stacks[2];
	check_str(frame_name(p, s, 1), "[worker tid=42]", "with threads: a thread frame second");
	check_int(frame_kind(p, s, 1), FRAME_THREAD, "of kind FRAME_THREAD");
	check_str(frame_name(p, s, 3), "builder_leaf", "the leaf still last");

	smp = sample_of(uips, 2, 4, 4000000);
	b.threads = false;
	stack_builder__add(&b, &smp);
	check_int(p->nstacks, 3, "the first stack again merges");
	check_int(p->stacks[0].values[0], 7, "counts add: 3 + 4");
	check_int(p->stacks[0].values[1], 7000000, "weights add: 3 ms + 4 ms");
	check_int(u64map__count(pids), 1, "one process seen");

	smp = sample_of(uips, 2, 1, 1);
	smp.pid = 0x7ffffff0; /* not a process the symbolizer knows */
	stack_builder__add(&b, &smp);
	check_str(frame_name(p, &p->stacks[3], 0), "[pid 2147483632]",
		  "an unknown pid named by number");
	memcpy(smp.tcomm, "dying", 6); /* the BPF side names a task it met only while exiting */
	stack_builder__add(&b, &smp);
	check_str(frame_name(p, &p->stacks[4], 0), "dying",
		  "an unknown pid whose sample carries its task's name is named by it");

	{
		/* a full-depth stack: deep (real frames) or a walk gone astray (no mapping) */
		uint64_t deep[SAMPLE_MAX_DEPTH], astray[SAMPLE_MAX_DEPTH];

		for (int i = 0; i < SAMPLE_MAX_DEPTH; i++) {
			deep[i] = (uint64_t)builder_caller + 8;
			astray[i] = 0x10 + 16 * (uint64_t)i; /* below any mapping */
		}
		st.truncated = st.garbage = 0;
		smp = sample_of(deep, SAMPLE_MAX_DEPTH, 2, 2);
		stack_builder__add(&b, &smp);
		check(st.truncated == 2 && st.garbage == 0,
		      "127 real frames: a deep stack, cut (truncated %llu, astray %llu)",
		      (unsigned long long)st.truncated, (unsigned long long)st.garbage);
		smp = sample_of(astray, SAMPLE_MAX_DEPTH, 3, 3);
		stack_builder__add(&b, &smp);
		check(st.truncated == 5 && st.garbage == 3,
		      "127 addresses no mapping holds: a walk gone astray, said apart (%llu of %llu)",
		      (unsigned long long)st.garbage, (unsigned long long)st.truncated);
	}

	test_columns(sym, uips);
	test_leaf(uips);
	u64map__free(pids);
	profile__free(p);
	symbolizer__free(sym);
	return check_done();
}
