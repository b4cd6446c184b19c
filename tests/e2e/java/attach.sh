# java_attach.sh - `bpfprof attach` on running JVMs: the agent loads (twice, harmlessly), the map
# names Burn.hotA/hotB/hotC at once and keeps growing as new code compiles, the JVM finishes with
# the right checksum; also as another user, in a container with its own /tmp and pid namespace,
# through jcmd; and a clear one-line error for a non-JVM, a missing pid and a JVM with attach off.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
CHECKSUM='checksum=0x32534acfb976b2bf ok'
JDKS=(/usr/lib/jvm/java-17-openjdk-amd64)
[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JDKS+=(/usr/lib/jvm/temurin-25-jdk-amd64)

# wait_grep FILE REGEX SECONDS: true once FILE has a line matching REGEX
wait_grep() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# finished PID OUT NAME: the JVM exits 0 with the right checksum
finished() {
	wait "$1"; local rc=$?
	grep -q "$CHECKSUM" "$2"; ok $(( rc != 0 || $? != 0 )) "$3: JVM exits 0 with the right checksum (rc=$rc: $(tail -n 1 "$2"))"
}

for jdk in "${JDKS[@]}"; do
	v=$(basename "$jdk")
	"$jdk/bin/java" -cp "$CLASSES" Burn 10 > "$TMP/burn.out" 2>&1 &
	pid=$!; cleanup_pids+=("$pid"); map=/tmp/perf-$pid.map
	wait_jvm "$pid"; sleep 1
	start=$(date +%s%N)
	"$BPFPROF" attach "$pid" > "$TMP/attach.out" 2>&1; rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	ok $rc "$v: attach exits 0 in $ms ms ($(head -c 200 "$TMP/attach.out"))"
	# Compiled on their own or inlined into Burn.round ("Burn.round->Burn.hotA"): both name them.
	wait_grep "$map" '[ >]Burn\.hotA($|->)' 3 && wait_grep "$map" '[ >]Burn\.hotB($|->)' 1 &&
		wait_grep "$map" '[ >]Burn\.hotC($|->)' 1
	ok $? "$v: the map names Burn.hotA, Burn.hotB and Burn.hotC"
	grep -Eq '^[0-9a-f]+ [0-9a-f]+ Interpreter$' "$map"; ok $? "$v: the interpreter is named (replayed DynamicCodeGenerated)"
	bad=$(grep -Evc '^[0-9a-f]+ [0-9a-f]+ .+$' "$map")
	ok "$bad" "$v: every map line is START SIZE name ($bad malformed)"
	lines1=$(wc -l < "$map")
	"$BPFPROF" attach "$pid" > "$TMP/attach2.out" 2>&1; rc=$?
	ok $rc "$v: a second attach is harmless ($(head -c 200 "$TMP/attach2.out"))"
	"$BPFPROF" attach --jcmd VM.version "$pid" > "$TMP/jcmd.out" 2>&1
	grep -q '^JDK [0-9]' "$TMP/jcmd.out"; ok $? "$v: attach --jcmd VM.version: $(grep '^JDK' "$TMP/jcmd.out")"
	# Burn$Late is loaded at half time (5 s), long after the attach: only a live map names it.
	grep -q 'Burn\$Late' "$map"; ok $(( ! $? )) "$v: Burn\$Late.work is not in the map before it exists"
	wait_grep "$map" '[ >]Burn\$Late\.work($|->)' 9; ok $? "$v: code compiled after the attach reaches the map (Burn\$Late.work)"
	lines2=$(wc -l < "$map")
	[ "$lines2" -gt "$lines1" ]; ok $? "$v: the map keeps growing ($lines1 -> $lines2 lines)"
	rm -f "$map"
	"$BPFPROF" attach "$pid" > /dev/null 2>&1
	wait_grep "$map" '[ >]Burn\.hotA($|->)' 2; ok $? "$v: attaching again after the map was deleted rewrites it"
	finished "$pid" "$TMP/burn.out" "$v"
	rm -f "$map"
done

jdk=${JDKS[0]}
# Another user: the conversation must carry the JVM's uid/gid.
setpriv --reuid=nobody --regid=nogroup --clear-groups "$jdk/bin/java" -cp "$CLASSES" Burn 4 > "$TMP/nobody.out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); wait_jvm "$pid"; sleep 0.5
"$BPFPROF" attach "$pid" > "$TMP/attach.out" 2>&1; rc=$?
ok $rc "JVM running as nobody: attach exits 0 ($(head -c 200 "$TMP/attach.out"))"
[ "$(stat -c %U "/tmp/perf-$pid.map" 2>/dev/null)" = nobody ]; ok $? "  its map belongs to nobody, written by the JVM"
finished "$pid" "$TMP/nobody.out" "JVM as nobody"
rm -f "/tmp/perf-$pid.map"

# A container: own pid namespace (the JVM is pid 1), own /tmp, and our agent's directory hidden.
# Its /tmp is a directory of ours bind-mounted there, so this works wherever the checkout is
# (even under /tmp); the build directory is hidden first, while its path still resolves.
mkdir -p "$TMP/ctr-tmp/c" && cp "$CLASSES"/*.class "$TMP/ctr-tmp/c/"
unshare --mount --pid --fork --mount-proc sh -c "mount -t tmpfs tmpfs $BUILD && mount --bind $TMP/ctr-tmp /tmp && exec $jdk/bin/java -cp /tmp/c Burn 5" > "$TMP/ctr.out" 2>&1 &
upid=$!; cleanup_pids+=("$upid")
for i in $(seq 50); do pid=$(pgrep -P "$upid" java || pgrep -P "$(pgrep -P "$upid" | head -1)" java); [ -n "$pid" ] && break; sleep 0.1; done
cleanup_pids+=("$pid"); wait_jvm "$pid"; sleep 0.5
"$BPFPROF" attach "$pid" > "$TMP/attach.out" 2>&1; rc=$?
ok $rc "containerized JVM (NSpid $(awk '/^NSpid/ { print $NF }' /proc/$pid/status)): attach exits 0 ($(head -c 200 "$TMP/attach.out"))"
wait_grep "/proc/$pid/root/tmp/perf-1.map" '[ >]Burn\.hotA($|->)' 3; ok $? "  its /tmp/perf-1.map names Burn.hotA"
grep -q ' /tmp/libbpfprof-agent.so (deleted)$' "/proc/$pid/maps"; ok $? "  it runs a copy of the agent made in its /tmp (it could not see ours)"
[ ! -e "$TMP/ctr-tmp/libbpfprof-agent.so" ]; ok $? "  and the copy is gone from its /tmp once loaded"
"$BPFPROF" attach "$pid" > "$TMP/attach2.out" 2>&1; rc=$?
copies=$(awk '/libbpfprof-agent/ { print $5 }' "/proc/$pid/maps" | sort -u | wc -l)
[ $rc -eq 0 ] && [ "$copies" -eq 1 ] && [ ! -e "$TMP/ctr-tmp/libbpfprof-agent.so" ]
ok $? "  a second attach copies it again, loads nothing new ($copies agent file mapped) and removes the copy ($(head -c 200 "$TMP/attach2.out"))"
wait "$upid"; rc=$?
grep -q "$CHECKSUM" "$TMP/ctr.out"; ok $(( rc != 0 || $? != 0 )) "  the containerized JVM exits 0 with the right checksum (rc=$rc)"

# expect_fail REGEX ARGS...: exit not 0 (not a crash) and one stderr line matching REGEX
expect_fail() {
	local re=$1; shift
	"$BPFPROF" attach "$@" > "$TMP/stdout" 2> "$TMP/stderr"; local rc=$?
	local lines; lines=$(wc -l < "$TMP/stderr")
	[ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$lines" -eq 1 ] && grep -Eq "$re" "$TMP/stderr"
	ok $? "attach $* -> rc=$rc: $(head -c 300 "$TMP/stderr")"
}
sleep 30 & spid=$!; cleanup_pids+=("$spid")
expect_fail "process $spid is not a JVM" "$spid"
kill -0 "$spid"; ok $? "  the non-JVM was not signalled (still alive)"
expect_fail 'no process 999999' 999999
# as root: pid 1 is no JVM, whether or not the kernel lets us read its maps (a sandbox's init)
expect_fail 'process 1 .*is not a JVM' 1
! grep -q 'run as root' "$TMP/stderr"; ok $? "  root is not told to run as root"
expect_fail 'is not a pid' abc

"$jdk/bin/java" -XX:+DisableAttachMechanism -cp "$CLASSES" Burn 3 > "$TMP/noattach.out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); wait_jvm "$pid"
expect_fail 'attach is disabled in this JVM \(-XX:\+DisableAttachMechanism\)' "$pid"
finished "$pid" "$TMP/noattach.out" "JVM with attach disabled"
"$BPFPROF" attach --help | grep -q 'sudo bpfprof attach 1234'; ok $? "attach --help shows examples"
done_testing
