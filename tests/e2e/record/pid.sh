# record_pid.sh - `record -p PID` on a running split workload, by pid and by a thread id,
# and several pids at once.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 8 > /dev/null & p1=$!; cleanup_pids+=($p1)
"$W" 8 > /dev/null & p2=$!; cleanup_pids+=($p2)
sleep 0.3
"$BPFPROF" record -F 999 -d 3 -p "$p1" -o "$TMP/p.folded" 2> "$TMP/err"
ok $? "record -p $p1 -d 3 exits 0"
a=$(share "$TMP/p.folded" ';hot_a;') b=$(share "$TMP/p.folded" ';hot_b;') c=$(share "$TMP/p.folded" ';hot_c;')
note "hot_a $a%  hot_b $b%  hot_c $c%  ($(total "$TMP/p.folded") samples)"
within "$a" 56 64 && within "$b" 26 34 && within "$c" 6 14
ok $? "-p: 60/30/10 within 4 points"
m=$(share "$TMP/p.folded" ';main;')
within "$m" 95 100; ok $? "-p: at least 95% reach main ($m)"
grep -q "from 1 processes" "$TMP/err"; ok $? "summary counts one process"

"$BPFPROF" record -F 499 -d 2 -p "$p1,$p2" -o "$TMP/two.folded" 2> "$TMP/err"
ok $? "record -p $p1,$p2"
grep -q "from 2 processes" "$TMP/err"; ok $? "two processes recorded ($(tail -n1 "$TMP/err"))"

# A target that exits ends the recording, and its profile is still written and named.
"$W" 2 > /dev/null & p3=$!
sleep 0.3
start=$(date +%s)
"$BPFPROF" record -F 499 -p "$p3" -o "$TMP/gone.folded" 2> "$TMP/err"
ok $? "record -p on a process that exits after 2 s returns by itself"
[ $(( $(date +%s) - start )) -le 5 ]; ok $? "  within a second or so of the exit"
grep -q 'target process exited; stopping' "$TMP/err"; ok $? "  and says why ($(head -n 1 "$TMP/err"))"
grep -q '^split;.*;hot_a;' "$TMP/gone.folded"; ok $? "  the profile of the exited process is named"
done_testing
