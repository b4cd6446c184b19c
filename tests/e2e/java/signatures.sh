# java_signatures.sh - overloads apart: with --agent-opts sig=on the agent names Java frames with
# their parameter types (Burn.hotA(long), Burn.spin(long,int)), for a command (the options reach
# its JAVA_TOOL_OPTIONS) and for a running JVM (-p attaches with them); the default stays short.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
JOPTS=(-XX:+PreserveFramePointer -XX:CompileCommand=quiet '-XX:CompileCommand=dontinline,Burn::hot*' -cp "$CLASSES")

"$BPFPROF" record -F 299 --agent-opts sig=on -o "$TMP/sig.folded" --no-status -- "$JAVA" "${JOPTS[@]}" Burn 5 > /dev/null 2> "$TMP/err"
ok $? "record --agent-opts sig=on -- java Burn exits 0 ($(tail -n 1 "$TMP/err"))"
s=$(share "$TMP/sig.folded" ';Burn\.hot[ABC]\(long\)_\[j\]'); short=$(share "$TMP/sig.folded" ';Burn\.hot[ABC]_\[j\]')
within "$s" 65 100; ok $? "-- CMD: $s% of samples in Burn.hotA/B/C(long), $short% without a signature"
grep -q ';Burn\.spin(long,int)_\[[ij]\]' "$TMP/sig.folded"; ok $? "-- CMD: two parameters: Burn.spin(long,int)"

"$BPFPROF" record -F 299 -o "$TMP/plain.folded" --no-status -- "$JAVA" "${JOPTS[@]}" Burn 5 > /dev/null 2> "$TMP/err"
s=$(share "$TMP/plain.folded" ';Burn\.hot[ABC]_\[j\]'); sig=$(share "$TMP/plain.folded" '\(long\)')
within "$s" 65 100 && [ "$sig" = 0.0 ]; ok $? "default: $s% in Burn.hotA/B/C without a signature, $sig% with one"

"$JAVA" "${JOPTS[@]}" Burn 8 > /dev/null 2>&1 &
pid=$!; cleanup_pids+=("$pid"); cleanup_files+=("/tmp/perf-$pid.map" "/tmp/perf-$pid.threads"); sleep 1.5
"$BPFPROF" record -F 299 -d 3 -p "$pid" --agent-opts sig=on -o "$TMP/p.folded" --no-status 2> "$TMP/err"
s=$(share "$TMP/p.folded" ';Burn\.hot[ABC]\(long\)_\[j\]')
within "$s" 80 100; ok $? "-p: $s% of samples in Burn.hotA/B/C(long)"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done_testing
