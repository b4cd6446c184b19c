# bpfprof - build, test, demo and benchmark.
#
#   make            build/bpfprof, build/libbpfprof-agent.so, test programs (installs Debian deps)
#   sudo make demo  profile a bundled workload for a few seconds, write build/demo/flame.html
#   sudo make test  unit + end-to-end tests with real BPF; ends with "N passed, N failed"
#   make lint       formatting as .clang-format says (make format applies it)
#   sudo make bench BPF ns/sample, loader CPU and RSS against perf and bpftrace, same run
#   sudo make install  bpfprof, its JVM agent and the systemd unit under PREFIX (DESTDIR too)
#   sudo make soak  the monitor for SOAK_SECONDS (default 600) under churn: RSS, fds, loss flat
#   make asan       the same built with ASan+UBSan into build-asan/ (ASAN_BUILD=dir to move it)
#   sudo make asan-test  unit tests and the hostile-input/output end-to-end tests under ASan+UBSan
#
# Every user/*.c except main.c goes into build/libbpfprof.a, which the binary and the unit tests
# link; tests/unit/DIR/test_X.c becomes build/tests/unit/DIR/test_X; tests/workloads/X.c becomes
# build/tests/workloads/X (clang, frame pointers); tests/java/*.java is compiled to build/tests/java.

BUILD      ?= build
CC         ?= gcc
CLANG      ?= clang
BPFTOOL    ?= bpftool
JAVA_HOME  ?= $(firstword $(wildcard /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/default-java))
JAVAC      ?= $(JAVA_HOME)/bin/javac
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VERSION    := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CFLAGS     ?= -O2 -g
ALL_CFLAGS := $(CFLAGS) -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -std=gnu11 \
	      -D_GNU_SOURCE -DBPFPROF_VERSION='"$(VERSION)"' -Iuser -I. -I$(BUILD)/gen
LDLIBS     := -lbpf -lelf -ldw -lz -lprotobuf-c -lmicrohttpd -lcurl -lstdc++ -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Ibpf -Wall

# Sources live in stage folders (user/cli, user/collect, user/symbolize, ...); includes are
# written relative to user/ ("symbolize/ksyms.h") and the BPF ABI as "bpf/abi/sample.h".
USER_SRCS  := $(filter-out user/cli/main.c,$(shell find user -name '*.c' | sort))
USER_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
PROTOS     := $(shell find user -name '*.proto')
PROTO_OBJS := $(patsubst %.proto,$(BUILD)/gen/%.pb-c.o,$(notdir $(PROTOS)))
PROTO_HDRS := $(patsubst %.proto,$(BUILD)/gen/%.pb-c.h,$(notdir $(PROTOS)))
EMBED_SRCS := $(shell find user -path '*/res/*' -type f)
EMBEDS     := $(patsubst %,$(BUILD)/gen/%.h,$(notdir $(EMBED_SRCS)))
BPF_SRCS   := $(wildcard bpf/*.bpf.c)
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/gen/%.skel.h,$(BPF_SRCS))
LIB        := $(BUILD)/libbpfprof.a
AGENT      := $(BUILD)/libbpfprof-agent.so
AGENT_SRCS := $(wildcard agent/*.c)
ALLOC_SHIM := $(BUILD)/libbpfprof-alloc.so
UNIT_SRCS  := $(shell find tests/unit -name 'test_*.c' | sort)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
WORK_BINS  := $(patsubst tests/workloads/%.c,$(BUILD)/tests/workloads/%,$(wildcard tests/workloads/*.c)) \
	      $(patsubst tests/workloads/%.cpp,$(BUILD)/tests/workloads/%,$(wildcard tests/workloads/*.cpp))
JAVA_SRCS  := $(wildcard tests/java/*.java)
JAVA_STAMP := $(BUILD)/tests/java/.stamp

.PHONY: all deps test-deps bench-deps test demo bench clean format lint asan asan-test install soak
.DELETE_ON_ERROR:
# Generated headers are prerequisites of pattern rules only; keep make from deleting them as
# intermediates (a later test build includes them).
.SECONDARY: $(PROTO_HDRS) $(PROTO_HDRS:.h=.c) $(EMBEDS) $(SKELS) $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))

all: deps $(BUILD)/bpfprof $(AGENT) $(ALLOC_SHIM) tests-build

deps:
	@tools/deps.sh build
test-deps:
	@tools/deps.sh test
bench-deps:
	@tools/deps.sh bench

$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# Each bpf/X.bpf.c becomes build/gen/X.skel.h (struct X_bpf); its headers are tracked by -MMD.
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@
	llvm-strip -g $@

$(BUILD)/gen/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: user/emit/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=$(<D) --c_out=$(BUILD)/gen $<

# Page assets (user/emit/res/x.html) become C arrays: build/gen/x.html.h
$(BUILD)/gen/%.h: user/emit/res/% tools/embed.sh
	@mkdir -p $(BUILD)/gen
	tools/embed.sh $< > $@

$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c
	$(CC) $(ALL_CFLAGS) -w -c $< -o $@

# -MMD -MP: each object depends on exactly the headers it includes (generated ones too, after
# the first build); the order-only list makes sure generated headers exist before that.
$(BUILD)/user/%.o: user/%.c | $(SKELS) $(PROTO_HDRS) $(EMBEDS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

-include $(USER_OBJS:.o=.d) $(BUILD)/user/cli/main.d $(patsubst %.bpf.c,$(BUILD)/%.bpf.d,$(BPF_SRCS))

$(LIB): $(USER_OBJS) $(PROTO_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bpfprof: user/cli/main.c $(LIB)
	$(CC) $(ALL_CFLAGS) -MMD -MP -MF $(BUILD)/user/cli/main.d $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(AGENT): $(AGENT_SRCS) $(wildcard agent/*.h) agent/shim/probe_point.h
	$(CC) -O2 -g -Wall -Wextra -Wno-unused-parameter -shared -fPIC -fvisibility=hidden \
		-I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux $(AGENT_SRCS) -lpthread -o $@

# -e alloc's in-process sampler, preloaded into a command (agent/shim/alloc.c); frame pointers so the
# walk from its probe reaches the allocating caller.
$(ALLOC_SHIM): agent/shim/alloc.c agent/shim/ln_unit.h agent/shim/probe_point.h
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -fno-omit-frame-pointer -shared -fPIC -fvisibility=hidden $< -o $@

tests-build: $(UNIT_BINS) $(WORK_BINS) $(BUILD)/tests/workloads/nofp_debuglink $(JAVA_STAMP) $(BUILD)/tests/fixtures/.stamp

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS) -Itests/unit $< $(LIB) $(LDLIBS) -o $@

-include $(UNIT_BINS:=.d)

# test_agent compiles the agent's sources into itself
$(BUILD)/tests/unit/agent/test_agent: $(AGENT_SRCS) $(wildcard agent/*.h)

# nofp_X.c: built as distributions build theirs (gcc -O2, no frame pointers), for the CFI
# unwinder's tests; the shorter stem makes make pick this rule over the one below.
$(BUILD)/tests/workloads/nofp_%: tests/workloads/nofp_%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -fomit-frame-pointer -o $@ $< -lpthread -lm

# nofp_unwind without CFI of its own, for the unwinder's debug-file lookup: built without unwind
# tables (gcc then writes .debug_frame), its debug sections moved to nofp_debuglink.debug beside
# it (named by a .gnu_debuglink) and its .eh_frame (crt's) removed.
$(BUILD)/tests/workloads/nofp_debuglink: tests/workloads/nofp_unwind.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -fomit-frame-pointer -fno-asynchronous-unwind-tables -o $@ $< -lpthread -lm
	objcopy --only-keep-debug $@ $@.debug
	objcopy --strip-debug --remove-section .eh_frame --remove-section .eh_frame_hdr --add-gnu-debuglink=$@.debug $@

$(BUILD)/tests/workloads/nofp_%: tests/workloads/nofp_%.cpp
	@mkdir -p $(@D)
	$(CXX) -O2 -g -fomit-frame-pointer -o $@ $< -lpthread

$(BUILD)/tests/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CLANG) -O1 -g -fno-omit-frame-pointer -fno-inline -o $@ $< -lpthread -lm

$(BUILD)/tests/workloads/%: tests/workloads/%.cpp
	@mkdir -p $(@D)
	$(CLANG)++ -O1 -g -fno-omit-frame-pointer -fno-inline -o $@ $< -lpthread

$(JAVA_STAMP): $(JAVA_SRCS)
	@mkdir -p $(@D)
	$(if $(JAVA_SRCS),$(JAVAC) -d $(@D) $(JAVA_SRCS))
	@touch $@

# ELF fixtures for the symbolizer tests: one source, built PIE and non-PIE, and a stripped copy
# whose symbols live in a separate debug file found by .gnu_debuglink or by build-id.
FIX := $(BUILD)/tests/fixtures
$(FIX)/.stamp: tests/fixtures/syms.c
	@mkdir -p $(FIX)/debug/.build-id
	$(CLANG) -O1 -g -fno-omit-frame-pointer -fno-inline -pie -fPIE -Wl,--build-id $< -o $(FIX)/syms_pie
	$(CLANG) -O1 -g -fno-omit-frame-pointer -fno-inline -no-pie -fno-PIE -Wl,--build-id $< -o $(FIX)/syms_nopie
	cp $(FIX)/syms_pie $(FIX)/syms_stripped
	objcopy --only-keep-debug $(FIX)/syms_stripped $(FIX)/syms_stripped.debug
	objcopy --strip-all --add-gnu-debuglink=$(FIX)/syms_stripped.debug $(FIX)/syms_stripped
	cp $(FIX)/syms_pie $(FIX)/syms_buildid
	tools/debugdir.sh $(FIX)/syms_buildid $(FIX)/debug
	objcopy --strip-all $(FIX)/syms_buildid
	@touch $@

$(BUILD):
	@mkdir -p $@

test: test-deps all
	BUILD=$(abspath $(BUILD)) tests/run.sh

# Sanitizers: CFLAGS from the command line replace only -O2 -g (ALL_CFLAGS keeps the rest).
ASAN_BUILD ?= build-asan
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_E2E   := report/output_paths report/formats record/badinput safety/hostile_perfmap

asan:
	$(MAKE) BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" all

asan-test: test-deps asan
	@fail=0; for t in test_ $(ASAN_E2E); do \
		ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		BUILD=$(abspath $(ASAN_BUILD)) BPFPROF=$(abspath $(ASAN_BUILD))/bpfprof TESTS=$$t \
		tests/run.sh || fail=1; done; exit $$fail

demo: all
	tools/demo.sh

# The binary and the agent live together (bpfprof finds the agent next to its own executable);
# bin/bpfprof links there. The unit gets the installed path.
PREFIX     ?= /usr/local
LIBEXEC    := $(PREFIX)/lib/bpfprof
UNITDIR    ?= /etc/systemd/system
install: $(BUILD)/bpfprof $(AGENT) $(ALLOC_SHIM)
	install -d $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) $(DESTDIR)/etc/bpfprof
	install -m 0755 $(BUILD)/bpfprof $(DESTDIR)$(LIBEXEC)/bpfprof
	install -m 0644 $(AGENT) $(DESTDIR)$(LIBEXEC)/libbpfprof-agent.so
	install -m 0644 $(ALLOC_SHIM) $(DESTDIR)$(LIBEXEC)/libbpfprof-alloc.so
	ln -sf ../lib/bpfprof/bpfprof $(DESTDIR)$(PREFIX)/bin/bpfprof
	sed 's|@BINDIR@|$(PREFIX)/bin|' tools/bpfprof.service > $(DESTDIR)$(UNITDIR)/bpfprof.service
	test -e $(DESTDIR)/etc/bpfprof/monitor.conf || install -m 0644 tools/monitor.conf $(DESTDIR)/etc/bpfprof/monitor.conf

SOAK_SECONDS ?= 600
soak: test-deps all
	SOAK_SECONDS=$(SOAK_SECONDS) BUILD=$(abspath $(BUILD)) TESTS=monitor/soak tests/run.sh

bench: bench-deps all $(BUILD)/tools/bpfstats
	BUILD=$(BUILD) tools/bench.sh
	BUILD=$(BUILD) tools/bench_modes.sh

$(BUILD)/tools/bpfstats: tools/bpfstats.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lbpf

FORMATTED = $$(find bpf user agent tests/unit -name '*.[ch]')
format:
	clang-format -i $(FORMATTED)
# The code as .clang-format describes it (CI runs this before the tests).
lint:
	@clang-format --dry-run -Werror $(FORMATTED) && echo "lint: formatting ok"

clean:
	rm -rf $(BUILD)
