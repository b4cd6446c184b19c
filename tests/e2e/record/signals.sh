# record_signals.sh - an interrupted recording still writes its whole profile: SIGINT (Ctrl-C)
# and SIGTERM both end the run and the output is complete and named.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 10 > /dev/null & p=$!; cleanup_pids+=($p)
for sig in INT TERM; do
	out=$TMP/$sig.folded
	"$BPFPROF" record -F 999 -p $p -o "$out" 2> "$TMP/err" & r=$!
	sleep 2
	kill -$sig $r
	wait $r; rc=$?
	ok $rc "SIG$sig: bpfprof exits 0"
	n=$(total "$out")
	[ "$n" -ge 400 ]; ok $? "SIG$sig: the profile was written ($n samples)"
	a=$(share "$out" ';hot_a;')
	within "$a" 54 66; ok $? "SIG$sig: and is right (hot_a $a%)"
	ls "$TMP"/.*.folded.* >/dev/null 2>&1; ok $([ $? -ne 0 ]; echo $?) "SIG$sig: no temporary file left"
done
# Ctrl-C on a terminal reaches the command too; the profile is still written
"$BPFPROF" record -F 999 -o "$TMP/cmd.folded" -- "$W" 10 2>/dev/null & r=$!
sleep 2
kill -INT $r; pkill -INT -f "$W 10\$" 2>/dev/null
wait $r
[ "$(total "$TMP/cmd.folded")" -ge 400 ]; ok $? "-- COMMAND interrupted: profile written ($(total "$TMP/cmd.folded") samples)"
done_testing
