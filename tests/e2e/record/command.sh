# record_command.sh - `record -- COMMAND` on the split workload (hot_a/hot_b/hot_c = 60/30/10):
# the shares come out within 4 points, stacks reach main, the command's exit status is ours.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
out=$TMP/cmd.folded

"$BPFPROF" record -F 999 -o "$out" -- "$W" 4 2> "$TMP/err"
ok $? "record -- split 4 exits 0"
samples=$(total "$out")
note "samples: $samples; $(tail -n 1 "$TMP/err")"
[ "$samples" -ge 1500 ]; ok $? "at least 1500 samples at 999 Hz for 4 s ($samples)"
a=$(share "$out" ';hot_a;') b=$(share "$out" ';hot_b;') c=$(share "$out" ';hot_c;')
note "hot_a $a%  hot_b $b%  hot_c $c%"
within "$a" 56 64; ok $? "hot_a is 60% +-4 ($a)"
within "$b" 26 34; ok $? "hot_b is 30% +-4 ($b)"
within "$c" 6 14; ok $? "hot_c is 10% +-4 ($c)"
m=$(share "$out" ';main;')
within "$m" 95 100; ok $? "at least 95% of samples reach main ($m)"
# the CFI walk (the default) reaches _start; frame pointers end at __libc_start_call_main
grep -Eq '^split;(_start;__libc_start_main;)?__libc_start_call_main;main;work;hot_a;spin ' "$out"
ok $? "full stack split;[_start;__libc_start_main;]__libc_start_call_main;main;work;hot_a;spin, root first"
[ "$(cut -d';' -f1 "$out" | sort -u)" = split ]; ok $? "only the command's process is profiled"

"$BPFPROF" record -o "$TMP/x.folded" -- sh -c 'exit 7' 2>/dev/null
ok $([ $? -eq 7 ]; echo $?) "the command's exit status (7) becomes bpfprof's"

# -d ends the recording, and the command with it: the profile is never held up by the command
t0=$(date +%s.%N)
"$BPFPROF" record -F 99 -d 1 -o "$TMP/d.folded" -- sh -c 'echo $$ > "$0"; exec "$1" 60' "$TMP/d.pid" "$W" \
	2> "$TMP/d.err"
rc=$? t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[ "$rc" -eq 0 ] && [ "$(total "$TMP/d.folded")" -gt 0 ]
ok $? "record -d 1 -- split 60 writes its profile and exits 0 after ${t} s (rc $rc)"
grep -q "command was still running when the recording ended; it was sent SIGTERM" "$TMP/d.err"
ok $? "it says the command was ended"
! kill -0 "$(cat "$TMP/d.pid")" 2> /dev/null; ok $? "the command is gone, not left running"

"$BPFPROF" record -F 999 -o "$TMP/child.folded" -- sh -c "$W 1; $W 1" 2>/dev/null
s=$(share "$TMP/child.folded" '^split;.*;hot_a;')
within "$s" 50 70; ok $? "children of the command are followed (hot_a under split: $s%)"

"$BPFPROF" record -F 999 --threads -o "$TMP/thr.folded" -- "$W" 1 2>/dev/null
grep -Eq '^split;\[split tid=[0-9]+\];(_start;__libc_start_main;)?__libc_start_call_main;main;' "$TMP/thr.folded"
ok $? "--threads adds a [split tid=N] frame"

"$BPFPROF" record -F 999 -U -o "$TMP/u.folded" -- "$W" 1 2>/dev/null
! grep -q '_\[k\]' "$TMP/u.folded" && grep -q hot_a "$TMP/u.folded"
ok $? "-U: user frames only"
"$BPFPROF" record -F 999 -K -o "$TMP/k.folded" -- dd if=/dev/zero of=/dev/null bs=64k count=200000 2>/dev/null
! grep -q ';main;' "$TMP/k.folded" && grep -q '_\[k\]' "$TMP/k.folded"
ok $? "-K: kernel frames only"

# The vDSO: clock_gettime runs in the kernel-provided page, named from its own symbols. Where the
# time goes inside the page depends on the clocksource: with tsc most of it is in the exported
# clock_gettime, with kvm-clock in helpers the vDSO does not export ("[vdso]"). What holds on
# every machine: the page's frames carry most of the time, and its exported entry is named.
"$BPFPROF" record -F 999 -o "$TMP/vdso.txt" -- "$BUILD/tests/workloads/vdso" 1 2>/dev/null
in_page=$(awk '/\(\[vdso\]\)$/ { sub(/%/, "", $2); t += $2 } /^--- top .* by total/ { exit } END { print t + 0 }' "$TMP/vdso.txt")
named=$(awk '/ clock_gettime \(\[vdso\]\)$/ { sub(/%/, "", $2); print $2; exit }' "$TMP/vdso.txt")
within "$in_page" 40 100; ok $? "vDSO frames carry the clock loop's time: ${in_page}% self time in [vdso]"
within "${named:-0}" 0.5 100; ok $? "vDSO export named: clock_gettime ([vdso]) has ${named:-0}% self time"
done_testing
