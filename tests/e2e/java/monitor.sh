# monitor.sh - a JVM under `bpfprof monitor -p`: the agent is attached by the monitor itself,
# every full window names Burn.hotA/hotB/hotC from the live perf map at their shares, the JVM
# finishes with the right checksum, and the monitor stops when its only target has exited.
# (A map that grows while the monitor runs: tests/e2e/jit/monitor.sh.)
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
JDK=/usr/lib/jvm/java-17-openjdk-amd64
"$JDK/bin/java" -XX:+PreserveFramePointer -XX:CompileCommand=quiet \
	'-XX:CompileCommand=dontinline,Burn::hot*' -cp "$CLASSES" Burn 14 late > "$TMP/out" 2>&1 &
pid=$!; cleanup_pids+=("$pid")
sleep 1.5
rm -f "/tmp/perf-$pid.map"; cleanup_files+=("/tmp/perf-$pid.map")
"$BPFPROF" monitor -p "$pid" -F 199 --window 1s --dir "$TMP/h" --socket "$TMP/ctl" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
wait "$pid"; ok $? "the JVM finishes fine under the monitor ($(tail -n1 "$TMP/out"))"
# a monitor checks its targets every 5 s
for _ in $(seq 80); do kill -0 "$mp" 2> /dev/null || break; sleep 0.1; done
! kill -0 "$mp" 2> /dev/null; ok $? "the monitor stops by itself when its only target exits"
kill -INT "$mp" 2> /dev/null; wait "$mp"
ok $? "  exit status 0 ($(tail -n1 "$TMP/mon.err"))"
full=0 good=0
for f in "$TMP/h"/*.pb.gz; do
	"$BPFPROF" report "$f" -o "$TMP/w.folded" 2> /dev/null || continue
	[ "$(total "$TMP/w.folded")" -ge 60 ] || continue
	full=$((full + 1))
	a=$(share "$TMP/w.folded" ';Burn\.hotA_\[[ji]\]')
	within "$a" 45 70 && good=$((good + 1))
done
note "$full full windows, $good with Burn.hotA named at its share"
[ "$full" -ge 4 ] && [ "$good" -ge $((full - 1)) ]; ok $? "windows name the JIT frames at their shares ($good of $full)"
done_testing
