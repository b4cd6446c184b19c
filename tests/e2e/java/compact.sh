# java_compact.sh - the agent's map compaction on a JVM whose code keeps dying: Churn defines,
# compiles and drops hidden classes all the time, so its map grows 250-450 KB/s here (4-7 MB in
# 16 s with compact=off, depending on load). With compact=512k,grace=0 the agent rewrites it
# whenever it is mostly dead.
# The map is read over and over during the run and must stay small (below 3 MiB: its live code
# is ~0.6 MB, a rewrite comes once dead bytes outnumber live ones, so it peaks near 1.5 MB),
# hold only well-formed lines (a read may end inside an append in progress, as with any appended
# map, never elsewhere), keep naming Churn.steady (hot all along, never unloaded) once it has, and
# be replaced now and then (new inodes); the JVM must exit 0 and the agent stay silent.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
AGENT=$BUILD/libbpfprof-agent.so
LIMIT=$((3 << 20))
STEADY='[ >]Churn\.steady($|->)'

# churn JDK SECONDS: run Churn under the agent, reading its map until it exits
churn() {
	local jdk=$1 secs=$2 v; v=$(basename "$1")
	# Attach off: a host-wide recording elsewhere must not add its own agent (a second writer).
	"$jdk/bin/java" "-agentpath:$AGENT=compact=512k,grace=0" -XX:+DisableAttachMechanism \
		-cp "$CLASSES" Churn "$secs" > "$TMP/out" 2> "$TMP/err" &
	local pid=$! map; map=/tmp/perf-$pid.map; cleanup_pids+=("$pid")
	local reads=0 bad=0 cut=0 max=0 lost=0 seen=0 ino inodes="" n nbad lastbad steady size
	while kill -0 "$pid" 2> /dev/null; do
		ino=$(stat -c %i "$map" 2> /dev/null) && cp "$map" "$TMP/snap" 2> /dev/null || {
			sleep 0.05; continue; }
		reads=$((reads + 1))
		[[ " $inodes " == *" $ino "* ]] || inodes+=" $ino"
		read -r n nbad lastbad steady size < <(awk -v re="$STEADY" '{ n++; b += length($0) + 1 }
			$0 !~ /^[0-9a-f]+ [0-9a-f]+ [^ ]/ { bad++; lastbad = n } $0 ~ re { s = 1 }
			END { print n + 0, bad + 0, lastbad + 0, s + 0, b + 0 }' "$TMP/snap")
		if [ -n "$(tail -c 1 "$TMP/snap")" ]; then	# ends inside an append in progress
			cut=$((cut + 1))
			[ "$lastbad" -eq "$n" ] && nbad=$((nbad - 1))
		fi
		bad=$((bad + nbad))
		[ "$size" -gt "$max" ] && max=$size
		if [ "$steady" -eq 1 ]; then seen=1
		elif [ $seen -eq 1 ]; then lost=$((lost + 1)); fi
		sleep 0.01
	done
	wait "$pid"; local rc=$?
	note "$v: $reads reads, largest $max bytes, $(wc -w <<< "$inodes") files, $cut reads ended in an append"
	grep -q 'Churn done: .* ok$' "$TMP/out" && [ $rc -eq 0 ]
	ok $? "$v: Churn exits 0 ($(tail -n 1 "$TMP/out"))"
	[ "$reads" -ge 20 ] && [ "$max" -lt "$LIMIT" ]
	ok $? "$v: the map stays below $LIMIT bytes in all $reads reads (largest $max)"
	[ "$bad" -eq 0 ]; ok $? "$v: every whole line of every read is START SIZE name ($bad malformed)"
	[ "$(wc -w <<< "$inodes")" -ge 2 ]; ok $? "$v: the map was rewritten (files seen:$inodes)"
	[ $seen -eq 1 ] && [ $lost -eq 0 ] && grep -Eq "$STEADY" "$map"
	ok $? "$v: Churn.steady, once named, stays named through every rewrite ($lost reads without it)"
	local copies defined
	copies=$(grep -o 'ChurnCode\.0x[0-9a-f]*' "$map" | sort -u | wc -l)
	defined=$(sed -n 's/.*classes=\([0-9]*\).*/\1/p' "$TMP/out")
	[ -n "$defined" ] && [ "$copies" -lt $((defined / 4)) ]
	ok $? "$v: the final map names $copies of the $defined hidden copies defined"
	! grep -q '^bpfprof-agent' "$TMP/err"; ok $? "$v: the agent says nothing ($(head -n 1 "$TMP/err"))"
	[ ! -e "$map.tmp" ]; ok $? "$v: no temporary file left next to the map"
	rm -f "$map"
}

churn /usr/lib/jvm/java-17-openjdk-amd64 16
# JDK 17 only: compaction is the agent's own file handling, the same on every JDK (java/record,
# java/threads and java/interpreted cover JDK 25)
done_testing
