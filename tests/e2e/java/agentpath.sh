# java_agentpath.sh - the agent loaded at JVM start (-agentpath): inlined code appears as "->"
# chains inside their compiled method's range, options change the names, `record -p` shows the
# chains as _[i] frames, and no map directory problem (missing, unwritable, full) hurts the JVM.
# Also a JIT-heavy workload (javac compiling Burn.java) with the agent, to load the callbacks.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
AGENT=$BUILD/libbpfprof-agent.so
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
CHECKSUM='checksum=0x32534acfb976b2bf ok'

# burn OPTS SECONDS [JVM flags...]: run Burn with the agent, leave the pid in $pid, wait for it.
# Attach is off: a host-wide recording elsewhere must not load a second agent with other options.
burn() {
	local opts=$1 secs=$2; shift 2
	"$@" "$JAVA" "-agentpath:$AGENT${opts:+=$opts}" -XX:+DisableAttachMechanism -cp "$CLASSES" Burn "$secs" > "$TMP/out" 2> "$TMP/err" &
	pid=$!; cleanup_pids+=("$pid")
	wait "$pid"; rc=$?
}
right_output() { [ "$rc" -eq 0 ] && grep -q "$CHECKSUM" "$TMP/out"; }

burn "" 3
map=/tmp/perf-$pid.map
right_output; ok $? "-agentpath: the JVM exits 0 with the right checksum"
grep -Eq '^[0-9a-f]+ [0-9a-f]+ Burn\.round->Burn\.hot[ABC](->|$)' "$map"
ok $? "inlined methods appear as chains, outermost first: $(grep -Em1 ' Burn\.round->' "$map" | cut -d' ' -f3)"
# Every chain line must lie inside the last whole-range line of its outermost method before it.
outside=$(awk 'function hex(x,  i, v) { v = 0; for (i = 1; i <= length(x); i++)
			v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1; return v }
		 { s = hex($1); e = s + hex($2)
		 n = split($3, m, "->")
		 if (n == 1) { lo[$3] = s; hi[$3] = e; next }
		 if (!(m[1] in lo) || s < lo[m[1]] || e > hi[m[1]]) bad++ }
		 END { print bad + 0 }' "$map")
ok "$outside" "every inline range lies inside its compiled method ($outside outside)"
grep -q ' Interpreter$' "$map"; ok $? "the interpreter is named"
grep -q '^bpfprof-agent' "$TMP/err"; ok $(( ! $? )) "no agent messages on a normal run"
rm -f "$map"

burn "unfold=off,sig=on" 2
map=/tmp/perf-$pid.map
right_output; ok $? "unfold=off,sig=on: the JVM exits 0 with the right checksum"
grep -q -- '->' "$map"; ok $(( ! $? )) "unfold=off: no chains"
grep -q ' Burn\.spin(long,int)$' "$map"; ok $? "sig=on: Burn.spin(long,int)"
rm -f "$map"

burn "dir=/nonexistent/ro" 2
right_output; ok $? "dir=/nonexistent/ro: the JVM exits 0 with the right checksum"
[ "$(grep -c '^bpfprof-agent: cannot open /nonexistent/ro/perf-.*dir=' "$TMP/err")" -eq 1 ]
ok $? "  and the agent says why, once: $(head -n 1 "$TMP/err")"

mkdir -m 0555 "$TMP/ro"; chmod 0755 "$TMP"
burn "dir=$TMP/ro" 2 setpriv --reuid=nobody --regid=nogroup --clear-groups
right_output; ok $? "an unwritable dir: the JVM (as nobody) exits 0 with the right checksum"
grep -q 'Permission denied' "$TMP/err"; ok $? "  and the agent says why: $(head -n 1 "$TMP/err")"

mkdir "$TMP/full" && mount -t tmpfs -o size=8k tmpfs "$TMP/full"
burn "dir=$TMP/full" 3
right_output; ok $? "a full disk: the JVM exits 0 with the right checksum"
[ "$(grep -c 'No space left' "$TMP/err")" -eq 1 ]; ok $? "  and the agent says so once: $(head -n 1 "$TMP/err")"
umount "$TMP/full"

JAVA_TOOL_OPTIONS="-agentpath:$AGENT" burn "" 1 env
map=/tmp/perf-$pid.map
dups=$(awk '{ print $1 }' "$map" | sort | uniq -d | wc -l)
right_output && grep -q 'Picked up JAVA_TOOL_OPTIONS' "$TMP/err" && [ -s "$map" ] && [ "$dups" -eq 0 ]
ok $? "the agent twice at start (-agentpath and JAVA_TOOL_OPTIONS) runs once ($dups repeated lines)"
rm -f "$map"

burn "unknown=1" 1
right_output; ok $? "an unknown option: the JVM exits 0 with the right checksum"
grep -q "unknown option 'unknown=1'" "$TMP/err"; ok $? "  and the agent warns: $(head -n 1 "$TMP/err")"
rm -f "/tmp/perf-$pid.map"

# Load: javac is a big JIT workload (thousands of methods, lambdas, many threads).
"$JAVA" "-agentpath:$AGENT" -XX:+UseParallelGC -m jdk.compiler/com.sun.tools.javac.Main -d "$TMP/javac" \
	"$ROOT/tests/java/Burn.java" > "$TMP/out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); wait "$pid"; rc=$?
lines=$(wc -l < "/tmp/perf-$pid.map")
[ $rc -eq 0 ] && [ -s "$TMP/javac/Burn.class" ]; ok $? "javac with the agent compiles Burn.java (rc=$rc)"
[ "$lines" -gt 1000 ]; ok $? "  its map has $lines lines"
rm -f "/tmp/perf-$pid.map"

# record -p shows the chains as _[i] frames under their compiled method's _[j] frame.
"$JAVA" "-agentpath:$AGENT" -XX:+PreserveFramePointer -cp "$CLASSES" Burn 8 > "$TMP/out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); sleep 2
"$BPFPROF" record -p "$pid" -F 499 -d 3 -o "$TMP/inl.folded" --no-status 2> "$TMP/rec.err"
ok $? "record -p on a JVM with the agent at start: $(tail -n 1 "$TMP/rec.err")"
inl=$(share "$TMP/inl.folded" 'Burn\.round_\[j\];Burn\.hot[ABC]_\[i\]')
within "$inl" 50 100; ok $? "Burn.round_[j];Burn.hotX_[i] in $inl% of samples"
wait "$pid"; rc=$?; right_output; ok $? "  and the JVM exits 0 with the right checksum"
rm -f "/tmp/perf-$pid.map"
done_testing
