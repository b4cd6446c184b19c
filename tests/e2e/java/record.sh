# java_record.sh - `bpfprof record -p` on a JVM that is already running, with no other step:
# the recorder attaches the agent itself and the profile shows Burn.hotA/hotB/hotC within 5
# points of their true 60/30/10 split, on JDK 17 and on JDK 25 where installed. A JVM without
# -XX:+PreserveFramePointer gets the one-line warning naming the fix.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
CHECKSUM='checksum=0x32534acfb976b2bf ok'
JDKS=(/usr/lib/jvm/java-17-openjdk-amd64)
[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JDKS+=(/usr/lib/jvm/temurin-25-jdk-amd64)

for jdk in "${JDKS[@]}"; do
	v=$(basename "$jdk")
	# dontinline keeps the three as frames of their own; the map is made by record, not by us.
	"$jdk/bin/java" -XX:+PreserveFramePointer -XX:CompileCommand=quiet \
		'-XX:CompileCommand=dontinline,Burn::hot*' -cp "$CLASSES" Burn 9 > "$TMP/out" 2>&1 &
	pid=$!; cleanup_pids+=("$pid"); sleep 2
	rm -f "/tmp/perf-$pid.map"
	out=$TMP/$v.folded
	"$BPFPROF" record -p "$pid" -F 499 -d 6 -o "$out" --no-status 2> "$TMP/rec.err"; rc=$?
	ok $rc "$v: record -p exits 0 ($(tail -n 1 "$TMP/rec.err"))"
	grep -q 'PreserveFramePointer' "$TMP/rec.err"; ok $(( ! $? )) "$v: no frame-pointer warning for a JVM that has them"
	a=$(share "$out" ';Burn\.hotA_\[[ji]\]'); b=$(share "$out" ';Burn\.hotB_\[[ji]\]')
	c=$(share "$out" ';Burn\.hotC_\[[ji]\]')
	note "$v: hotA $a% hotB $b% hotC $c% of $(total "$out") samples"
	within "$a" 55 65; ok $? "$v: Burn.hotA $a% (want 60 +-5)"
	within "$b" 25 35; ok $? "$v: Burn.hotB $b% (want 30 +-5)"
	within "$c" 5 15; ok $? "$v: Burn.hotC $c% (want 10 +-5)"
	java=$(share "$out" ';Burn\.[a-zA-Z]+_\[j\]')
	within "$java" 90 100; ok $? "$v: $java% of samples have a named Java frame (_[j])"
	grep -q ';Burn\.hotA_\[j\];Burn\.spin_\[i\]' "$out"; ok $? "$v: inlined Burn.spin shows as _[i] under Burn.hotA_[j]"
	wait "$pid"; rc=$?
	grep -q "$CHECKSUM" "$TMP/out"; ok $(( rc != 0 || $? != 0 )) "$v: the JVM exits 0 with the right checksum"
	rm -f "/tmp/perf-$pid.map"
done

jdk=${JDKS[0]}
# The agent cannot load (its map dir is missing): JDK 17+ still gets names from Compiler.perfmap.
"$jdk/bin/java" -XX:+PreserveFramePointer -XX:CompileCommand=quiet \
	'-XX:CompileCommand=dontinline,Burn::hot*' -cp "$CLASSES" Burn 5 > "$TMP/out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); sleep 2
rm -f "/tmp/perf-$pid.map"
"$BPFPROF" record -p "$pid" -F 499 -d 2 --agent-opts dir=/nonexistent -o "$TMP/fb.folded" --no-status 2> "$TMP/rec.err"
ok $? "record -p with an agent that cannot load exits 0"
grep -q 'Agent_OnAttach returned -1.*using its Compiler.perfmap snapshot' "$TMP/rec.err"
ok $? "  and says it falls back: $(grep -m1 perfmap "$TMP/rec.err")"
# JDK 17's own map says "long Burn.hotA(long)"; the symbolizer shortens it to Burn.hotA.
a=$(share "$TMP/fb.folded" ';Burn\.hotA_\[j\]')
within "$a" 50 70; ok $? "  Burn.hotA_[j] still named, from the JVM's own map: $a%"
wait "$pid"; rc=$?
grep -q "$CHECKSUM" "$TMP/out"; ok $(( rc != 0 || $? != 0 )) "  and the JVM exits 0 with the right checksum"
rm -f "/tmp/perf-$pid.map"

"$jdk/bin/java" -cp "$CLASSES" Burn 3 > "$TMP/out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); sleep 1
"$BPFPROF" record -p "$pid" -d 1 -o "$TMP/nofp.folded" --no-status 2> "$TMP/rec.err"
[ "$(grep -c "JVM $pid runs without -XX:+PreserveFramePointer: Java stacks will be truncated; restart it with -XX:+PreserveFramePointer" "$TMP/rec.err")" -eq 1 ]
ok $? "a JVM without frame pointers gets one warning naming the fix"
wait "$pid"; rc=$?
grep -q "$CHECKSUM" "$TMP/out"; ok $(( rc != 0 || $? != 0 )) "  and exits 0 with the right checksum"
rm -f "/tmp/perf-$pid.map"

# Host-wide: the recorder attaches to every JVM it meets, on its own.
"$jdk/bin/java" -XX:+PreserveFramePointer -XX:CompileCommand=quiet \
	'-XX:CompileCommand=dontinline,Burn::hot*' -cp "$CLASSES" Burn 8 > "$TMP/out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); sleep 2
rm -f "/tmp/perf-$pid.map"
"$BPFPROF" record -F 499 -d 4 -o "$TMP/host.folded" --no-status 2> "$TMP/rec.err"
ok $? "host-wide record with a JVM running exits 0"
grep '^java;' "$TMP/host.folded" > "$TMP/host-java.folded"
a=$(share "$TMP/host-java.folded" ';Burn\.hotA_\[j\]')
within "$a" 50 70; ok $? "host-wide: the JVM got the agent, Burn.hotA_[j] is $a% of its samples"
wait "$pid"; rc=$?
grep -q "$CHECKSUM" "$TMP/out"; ok $(( rc != 0 || $? != 0 )) "  and the JVM exits 0 with the right checksum"
rm -f "/tmp/perf-$pid.map"

# -- java ...: the agent comes in at JVM start through JAVA_TOOL_OPTIONS.
"$BPFPROF" record -F 499 -o "$TMP/cmd.folded" --no-status -- "$jdk/bin/java" \
	-XX:+PreserveFramePointer -XX:CompileCommand=quiet '-XX:CompileCommand=dontinline,Burn::hot*' \
	-cp "$CLASSES" Burn 4 > "$TMP/out" 2> "$TMP/rec.err"
rc=$?
grep -q "$CHECKSUM" "$TMP/out"; ok $(( rc != 0 || $? != 0 )) "record -- java Burn: exit 0, right checksum"
a=$(share "$TMP/cmd.folded" ';Burn\.hotA_\[j\]')
within "$a" 50 70; ok $? "record -- java: Burn.hotA_[j] is $a%"
done_testing
