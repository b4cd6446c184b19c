# record_events.sh - events other than cpu: software events, a tracepoint, a uprobe, and a
# kprobe where the kernel supports them (a clear error where it does not).
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$BPFPROF" record -e page-faults -o "$TMP/pf.folded" -- dd if=/dev/zero of=/dev/null bs=8M count=20 2>/dev/null
ok $? "-e page-faults exits 0"
[ "$(total "$TMP/pf.folded")" -ge 100 ] && grep -q '_\[k\]' "$TMP/pf.folded"
ok $? "page faults counted one by one with kernel frames ($(total "$TMP/pf.folded"))"

"$BPFPROF" record -e context-switches -o "$TMP/cs.folded" -- sh -c 'for i in 1 2 3 4 5; do sleep 0.05; done' 2>/dev/null
grep -q 'schedule' "$TMP/cs.folded"; ok $? "-e context-switches: stacks end in schedule"

"$BPFPROF" record -e tracepoint:syscalls:sys_enter_getppid -o "$TMP/tp.folded" -- sh -c 'for i in $(seq 50); do /bin/true; done' 2>/dev/null
rc=$?
"$BPFPROF" record -e tracepoint:sched:sched_process_exec -o "$TMP/tp.folded" -- sh -c 'for i in $(seq 20); do /bin/true; done' 2>/dev/null
ok $? "-e tracepoint:sched:sched_process_exec exits 0"
n=$(total "$TMP/tp.folded")
[ "$n" -ge 20 ] && [ "$n" -le 25 ]; ok $? "one sample per exec (20 true + sh: $n)"

LIBC=$(ldd /bin/ls | awk '/libc.so/ { print $3 }')
# ls -lR runs long enough (~0.1 s) for its mappings to be read while it lives; a process that
# is gone before user space hears of it can only be named by module-less [unknown] frames.
"$BPFPROF" record -e "uprobe:$LIBC:malloc" -o "$TMP/up.folded" -- ls -lR /usr/lib > /dev/null 2>&1
ok $? "-e uprobe:libc:malloc exits 0"
m=$(share "$TMP/up.folded" 'malloc$')
[ "$(total "$TMP/up.folded")" -ge 100 ] && within "$m" 90 100
ok $? "uprobe: ls's mallocs counted ($(total "$TMP/up.folded")), $m% end in malloc"

if [ -e /sys/bus/event_source/devices/kprobe ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	"$BPFPROF" record -e kprobe:vfs_read -o "$TMP/kp.folded" -- cat /etc/hostname >/dev/null 2>&1
	grep -q vfs_read "$TMP/kp.folded"; ok $? "kprobe:vfs_read counted"
else
	"$BPFPROF" record -e kprobe:vfs_read -o "$TMP/kp.folded" -- true 2> "$TMP/err"
	[ $? -ne 0 ] && grep -q 'no kprobe support' "$TMP/err"
	ok $? "no kprobes in this kernel: clear error ($(cat "$TMP/err"))"
fi
done_testing
