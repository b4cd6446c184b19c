# session.sh - the session commands, as async-profiler's `profiler start|status|dump|stop`:
# a background recording of a split workload answers status, dumps the samples so far, and hands
# over the whole profile on stop; a monitor answers dump --since from its history; bad input and
# a second monitor on the same directory are one-line errors.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 30 > /dev/null & wp=$!; cleanup_pids+=($wp)
S=$TMP/s.sock
BPFPROF_SOCKET=$S "$BPFPROF" start -p "$wp" -F 199 2> "$TMP/start.err"
ok $? "start returns once the background recording runs ($(head -n1 "$TMP/start.err"))"
bp=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$TMP/start.err"); cleanup_pids+=($bp)
sleep 2
"$BPFPROF" status --socket "$S" > "$TMP/status"; ok $? "status"
grep -q 'background recording' "$TMP/status"; ok $? "  says what runs ($(head -n1 "$TMP/status"))"
"$BPFPROF" dump --socket "$S" -o "$TMP/d1.folded" 2> /dev/null; ok $? "dump -o folded"
d1=$(total "$TMP/d1.folded")
sleep 2
"$BPFPROF" stop --socket "$S" -o "$TMP/all.pb.gz" 2> /dev/null; ok $? "stop -o all.pb.gz"
"$BPFPROF" report "$TMP/all.pb.gz" -o "$TMP/all.folded" 2> /dev/null
all=$(total "$TMP/all.folded")
a=$(share "$TMP/all.folded" ';hot_a;')
note "dump after 2 s: $d1 samples; stop after 4 s: $all"
[ "$d1" -gt 200 ] && [ "$all" -gt $((d1 + 200)) ]; ok $? "the dump had the first part, stop all of it"
within "$a" 54 66; ok $? "  with the 60% split (hot_a $a%)"
for _ in $(seq 30); do kill -0 "$bp" 2> /dev/null || break; sleep 0.1; done
! kill -0 "$bp" 2> /dev/null; ok $? "the background recording ended"
"$BPFPROF" status --socket "$S" 2> "$TMP/none.err"
[ $? -ne 0 ] && grep -q 'nothing is running' "$TMP/none.err"; ok $? "status after stop says nothing runs"

H=$TMP/h
"$BPFPROF" monitor -p "$wp" -F 99 --window 1s --dir "$H" --socket "$TMP/m.sock" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
sleep 3.5
"$BPFPROF" monitor -p "$wp" --dir "$H" --socket "$TMP/m2.sock" 2> "$TMP/second.err"
[ $? -ne 0 ] && grep -qi 'another\|in use\|locked' "$TMP/second.err"
ok $? "a second monitor on the same dir is refused ($(head -n1 "$TMP/second.err"))"
"$BPFPROF" dump --socket "$TMP/m.sock" --since 2s -o "$TMP/since.folded" 2> /dev/null
ok $? "monitor: dump --since 2s"
"$BPFPROF" dump --socket "$TMP/m.sock" -o "$TMP/every.folded" 2> /dev/null
s2=$(total "$TMP/since.folded") every=$(total "$TMP/every.folded")
[ "$s2" -gt 0 ] && [ "$s2" -lt "$every" ]
ok $? "  holds the last seconds only ($s2 of the $every samples since the start)"
"$BPFPROF" stop --socket "$TMP/m.sock" 2> /dev/null; ok $? "stop the monitor"
wait "$mp"; ok $? "  it exits 0"
! [ -e "$TMP/m.sock" ]; ok $? "  and removes its socket"

for args in "--window 0" "--window abc" "--retain 1x" "--max-disk lots" "--push ftp://x" "--listen nohost"; do
	"$BPFPROF" monitor $args --no-history --socket "$TMP/x.sock" 2> "$TMP/bad.err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l < "$TMP/bad.err")" -eq 1 ]; ok $? "monitor $args: exit 2, one line ($(head -n1 "$TMP/bad.err"))"
done
done_testing
