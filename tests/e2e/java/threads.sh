# java_threads.sh - `record --threads` names Java threads by their whole Java names, which the kernel
# cuts to 15 characters: Workers runs "request-worker-alpha" and "request-worker-beta" (the
# kernel calls both "request-worker-") on a 60/40 split. For a running JVM (-p: the agent
# attaches, and finds the tids of threads already running from HotSpot's own records) and for a
# command (the agent names each thread as it starts), each name gets its own share, checked
# against the CPU time the kernel accounted to that tid while recording (schedstat); no sample
# is left under the cut name. The agent's perf-PID.threads holds exactly those names. On JDK 17
# and on JDK 25 where installed; in a container (its own pid namespace and /tmp); and a line
# that does not fit the kernel's name for its tid is not believed.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
JDKS=(/usr/lib/jvm/java-17-openjdk-amd64)
[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JDKS+=(/usr/lib/jvm/temurin-25-jdk-amd64)

# tid_of PID NAME: the tid the agent's threads file gives NAME (the last line for it)
tid_of() { awk -v n="$2" '{ t = $1; sub(/^[0-9]+ /, "") } $0 == n { id = t } END { print id }' "/tmp/perf-$1.threads"; }
# oncpu PID TID: nanoseconds the thread ran so far
oncpu() { awk '{ print $1 }' "/proc/$1/task/$2/schedstat" 2>/dev/null || echo 0; }
# wait_line FILE TEXT: true once FILE has TEXT (5 s at most)
wait_line() {
	local i
	for ((i = 0; i < 50; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# check_shares V WHAT FOLDED TRUTH_ALPHA: both names present with their shares, none cut
check_shares() {
	local v=$1 what=$2 out=$3 truth=$4 a b cut n
	n=$(awk '/^#/ { next } /;\[request-worker-(alpha|beta) tid=[0-9]+\];/ { t += $NF } END { print t + 0 }' "$out")
	a=$(awk '/^#/ { next } /;\[request-worker-alpha tid=[0-9]+\];/ { a += $NF } /;\[request-worker-beta tid=[0-9]+\];/ { b += $NF }
		END { if (a + b) printf "%.1f\n", 100 * a / (a + b); else print 0 }' "$out")
	b=$(awk -v a="$a" 'BEGIN { printf "%.1f\n", 100 - a }')
	cut=$(awk '/^#/ { next } /;\[request-worker- tid=/ { t += $NF } END { print t + 0 }' "$out")
	note "$v $what: alpha $a% beta $b% of $n worker samples; the kernel's CPU time says alpha ${truth:-?}%"
	[ "$n" -ge 100 ]; ok $? "$v $what: the two workers have $n samples under their whole names"
	ok "$cut" "$v $what: no sample under the cut name [request-worker- tid=N] ($cut)"
	within "$a" 52 68; ok $? "$v $what: request-worker-alpha $a% of the workers (want 60 +-8)"
	if [ -n "$truth" ]; then
		within "$a" "$(awk -v t="$truth" 'BEGIN { print t - 5 }')" "$(awk -v t="$truth" 'BEGIN { print t + 5 }')"
		ok $? "$v $what: alpha's share $a% matches its CPU time $truth% (+-5)"
	fi
}

for jdk in "${JDKS[@]}"; do
	v=$(basename "$jdk")
	# A JVM running before bpfprof: its threads exist when the agent attaches.
	"$jdk/bin/java" -XX:+PreserveFramePointer -cp "$CLASSES" Workers 12 > "$TMP/w.out" 2>&1 &
	pid=$!; cleanup_pids+=("$pid"); cleanup_files+=("/tmp/perf-$pid.map" "/tmp/perf-$pid.threads")
	wait_line "$TMP/w.out" "Workers ready"; sleep 1
	# The tids from the kernel: the two threads named request-worker- (alpha starts first).
	mapfile -t tids < <(for t in /proc/$pid/task/*; do [ "$(cat "$t/comm")" = request-worker- ] && basename "$t"; done | sort -n)
	[ "${#tids[@]}" -eq 2 ]; ok $? "$v: the kernel calls both workers request-worker- (${tids[*]})"
	a0=$(oncpu "$pid" "${tids[0]}"); b0=$(oncpu "$pid" "${tids[1]}")
	"$BPFPROF" record --threads -p "$pid" -F 499 -d 5 -o "$TMP/p.folded" --no-status 2> "$TMP/rec.err"; rc=$?
	a1=$(oncpu "$pid" "${tids[0]}"); b1=$(oncpu "$pid" "${tids[1]}")
	ok $rc "$v: record --threads -p exits 0 ($(tail -n 1 "$TMP/rec.err"))"
	ta=$(tid_of "$pid" request-worker-alpha); tb=$(tid_of "$pid" request-worker-beta)
	[ "$ta" = "${tids[0]}" ] && [ "$tb" = "${tids[1]}" ]
	ok $? "$v: perf-$pid.threads gives alpha tid $ta and beta tid $tb, the kernel's ${tids[*]}"
	grep -q "\[request-worker-alpha tid=${tids[0]}\]" "$TMP/p.folded" && grep -q "\[request-worker-beta tid=${tids[1]}\]" "$TMP/p.folded"
	ok $? "$v: the profile names each tid by its own whole name"
	truth=$(awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) 'BEGIN { if (a + b) printf "%.1f\n", 100 * a / (a + b) }')
	check_shares "$v" "-p" "$TMP/p.folded" "$truth"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null

	# A command: the agent is there from the start and names each thread as it starts; the
	# profile is named after the JVM exited.
	"$BPFPROF" record --threads -F 499 -o "$TMP/c.folded" --no-status -- \
		"$jdk/bin/java" -XX:+PreserveFramePointer -cp "$CLASSES" Workers 4 > "$TMP/c.out" 2> "$TMP/c.err"; rc=$?
	ok $rc "$v: record --threads -- java Workers exits 0 ($(tail -n 1 "$TMP/c.err"))"
	cpid=$(grep -o '\[java tid=[0-9]*\]' "$TMP/c.folded" | head -n 1 | grep -o '[0-9]*')
	[ -n "$cpid" ] && cleanup_files+=("/tmp/perf-$cpid.map" "/tmp/perf-$cpid.threads")
	check_shares "$v" "-- CMD" "$TMP/c.folded" ""
	grep -Eq 'alpha=[0-9]+ beta=[0-9]+' "$TMP/c.out"; ok $? "$v: the JVM finished under the agent ($(tail -n 1 "$TMP/c.out"))"
done

# A container: own pid namespace (the JVM is pid 1, its threads have other tids inside) and own
# /tmp; the agent's tids are the container's, the samples' the host's.
jdk=${JDKS[0]}
mkdir -p "$TMP/ctr-tmp/c" && cp "$CLASSES"/Workers*.class "$TMP/ctr-tmp/c/"
unshare --mount --pid --fork --mount-proc sh -c "mount --bind $TMP/ctr-tmp /tmp && exec $jdk/bin/java -XX:+PreserveFramePointer -cp /tmp/c Workers 10" > "$TMP/ctr.out" 2>&1 &
upid=$!; cleanup_pids+=("$upid")
wait_line "$TMP/ctr.out" "Workers ready"
pid=$(pgrep -P "$upid" java || pgrep -P "$(pgrep -P "$upid" | head -n 1)" java); cleanup_pids+=("$pid"); sleep 1
"$BPFPROF" record --threads -p "$pid" -F 499 -d 3 -o "$TMP/ctr.folded" --no-status 2> "$TMP/rec.err"; rc=$?
ok $rc "containerized JVM (NSpid $(awk '/^NSpid/ { print $NF }' "/proc/$pid/status")): record --threads -p exits 0 ($(tail -n 1 "$TMP/rec.err"))"
ta=$(awk '$2 == "request-worker-alpha" { print $1 }' "$TMP/ctr-tmp/perf-1.threads")
ha=$(for t in /proc/$pid/task/*; do [ "$(awk '/^NSpid/ { print $NF }' "$t/status")" = "$ta" ] && basename "$t"; done)
[ -n "$ta" ] && [ -n "$ha" ] && [ "$ta" != "$ha" ]; ok $? "  the agent wrote alpha's tid as the container sees it ($ta; the host's $ha)"
grep -q "\[request-worker-alpha tid=$ha\]" "$TMP/ctr.folded" && grep -q '\[request-worker-beta tid=' "$TMP/ctr.folded"
ok $? "  the profile names both workers by their whole names, under the host's tids"
check_shares "container" "-p" "$TMP/ctr.folded" ""
kill "$pid" 2>/dev/null; wait "$upid" 2>/dev/null

# A threads file whose name does not fit the kernel's name for that tid is not believed: a line
# planted for our own shell's tid under another name changes nothing.
jdk=${JDKS[0]}
"$jdk/bin/java" -XX:+PreserveFramePointer -cp "$CLASSES" Workers 8 > "$TMP/w.out" 2>&1 &
pid=$!; cleanup_pids+=("$pid"); cleanup_files+=("/tmp/perf-$pid.map" "/tmp/perf-$pid.threads")
wait_line "$TMP/w.out" "Workers ready"; sleep 1
"$BPFPROF" attach "$pid" > /dev/null 2>&1
wait_line "/tmp/perf-$pid.threads" request-worker-beta
# Both workers, as a thread that ended and whose tid went to another thread would say.
for t in /proc/$pid/task/*; do
	[ "$(cat "$t/comm")" = request-worker- ] && echo "$(basename "$t") some-other-thread-name" >> "/tmp/perf-$pid.threads"
done
"$BPFPROF" record --threads -p "$pid" -F 499 -d 2 -o "$TMP/s.folded" --no-status 2> "$TMP/rec.err"
n=$(grep -c 'some-other-thread-name' "$TMP/s.folded"); cut=$(grep -c '\[request-worker- tid=' "$TMP/s.folded")
[ "$n" -eq 0 ] && [ "$cut" -gt 0 ]
ok $? "a name that does not start with the kernel's name is not shown ($n stacks); the comm is ($cut stacks)"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done_testing
