#!/usr/bin/env bash
# -e lock on 3 threads that take one mutex and hold it 1 ms: the waits are under the waiting
# function (wait_for_lock -> pthread_mutex_lock), their total within 20 % of what the threads
# measured around pthread_mutex_lock, counted in ns with the number of contentions.
source "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/contend

out=$("$BPFPROF" record -e lock -o "$TMP/lock.folded" -o "$TMP/lock.pb.gz" -o "$TMP/lock.txt" \
	-- "$W" 1.5 2>"$TMP/err")
ok $? "record -e lock -- contend runs"
waited=$(sed -n 's/.*waited_ns=\([0-9]*\).*/\1/p' <<<"$out")
grep -v '^#' "$TMP/lock.folded" | grep '__lll_lock_wait' >"$TMP/mutex.folded"
got=$(total "$TMP/mutex.folded")
note "threads measured ${waited} ns in pthread_mutex_lock; lock saw ${got} ns in __lll_lock_wait; $(tail -1 "$TMP/err")"
ok "$(awk -v g="$got" -v w="$waited" 'BEGIN { exit !(w > 0 && g >= 0.8 * w && g <= 1.2 * w) }'; echo $?)" \
	"the mutex wait total is within 20 % of the threads' own measure"
ok "$(within "$(share "$TMP/mutex.folded" 'worker;')" 95 100; echo $?)" \
	"the waits are under the waiting thread's function ($(share "$TMP/mutex.folded" 'worker;') %)"
# Through glibc (no frame pointers) the waiting function itself needs CFI unwinding (--unwind);
# a process's first stacks, before its tables are built, are walked by frame pointers.
if "$BPFPROF" record --help 2>&1 | grep -q -- '--unwind'; then
	ok "$(within "$(share "$TMP/mutex.folded" 'wait_for_lock;pthread_mutex_lock')" 50 100; echo $?)" \
		"the waits are under wait_for_lock -> pthread_mutex_lock ($(share "$TMP/mutex.folded" 'wait_for_lock;pthread_mutex_lock') %)"
fi
grep -qx '# type: delay' "$TMP/lock.folded" && grep -qx '# unit: nanoseconds' "$TMP/lock.folded"
ok $? "folded says delay, nanoseconds"
raw=$(go tool pprof -raw "$TMP/lock.pb.gz" 2>/dev/null)
grep -q 'delay/nanoseconds contentions/count' <<<"$raw"
ok $? "pprof: delay/nanoseconds and contentions/count"
n=$(go tool pprof -sample_index=contentions -top "$TMP/lock.pb.gz" 2>/dev/null |
	awk '/__lll_lock_wait/ { print $1; exit }')
note "contentions in __lll_lock_wait: $n"
ok "$([ "${n:-0}" -gt 100 ]; echo $?)" "contentions are counted (${n})"
grep -Eq '[0-9.]+ (ms|s) delay, [0-9]+ contentions' "$TMP/err"
ok $? "the summary speaks ns and counts"
done_testing
