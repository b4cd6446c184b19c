# hostile_perfmap.sh - a process of user nobody plants its own /tmp/perf-PID.map to turn root's
# bpfprof against the host: a FIFO (record must not hang), a symlink to /dev/zero (memory must
# stay bounded), a symlink to a root-only file and a map owned by another user (their lines
# must not reach the profile, and the summary says why JIT frames stay unnamed). A map the
# process's user owns is still read, so the test fails both ways. Last, a JVM of nobody's plants
# a FIFO where the attacher writes its trigger file.
. "$(dirname "$0")/../lib.sh"
id nobody > /dev/null 2>&1 || { note "no user nobody: skipped"; done_testing; exit; }
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
ADDR=10000000			# fakejit nomap runs its code here (NOMAP_ADDR)
chmod 755 "$TMP"
cp "$BUILD/tests/workloads/fakejit" "$TMP/fakejit"	# reachable by nobody wherever BUILD is

"${NOBODY[@]}" "$TMP/fakejit" 120 nomap > "$TMP/jit.out" 2>&1 &
pid=$!
cleanup_pids+=("$pid")
map=/tmp/perf-$pid.map
cleanup_files+=("$map")
for _ in $(seq 50); do grep -q "^$ADDR-" "/proc/$pid/maps" 2> /dev/null && break; sleep 0.1; done
grep -q "^$ADDR-" "/proc/$pid/maps"; ok $? "fakejit runs as nobody with code at 0x$ADDR"

# run NAME: record the workload 2 s, killed after 15 s; sets rc, secs, rss_kb (peak RSS, also of a
# killed run: --foreground kills bpfprof alone, so time still reaps it); NAME.folded, NAME.err
run() {
	/usr/bin/time -f '%e %M' -o "$TMP/$1.time" timeout --foreground -k 2 15 \
		"$BPFPROF" record -p "$pid" -d 2 -F 999 -o "$TMP/$1.folded" 2> "$TMP/$1.err"
	rc=$?
	read -r secs rss_kb < <(tail -n 1 "$TMP/$1.time")
	note "$1: exit $rc in $secs s, max RSS $((rss_kb / 1024)) MiB; $(grep -c 'refused' "$TMP/$1.err") refusal line(s)"
}
# recorded NAME: the run ended by itself, in time, with a profile of the workload
recorded() {
	[ "$rc" -eq 0 ] && within "$secs" 0 10 && [ "$(total "$TMP/$1.folded")" -gt 0 ]
}
plant() { rm -f "$map"; "${NOBODY[@]}" "$@"; }

plant mkfifo "$map"
run fifo
recorded fifo; ok $? "FIFO as the map: record ends in $secs s (exit $rc) with its profile"
grep -q 'perf map refused (not a regular file' "$TMP/fifo.err"
ok $? "FIFO: the summary says the map was refused: $(grep refused "$TMP/fifo.err")"

plant ln -s /dev/zero "$map"
run zero
recorded zero; ok $? "symlink to /dev/zero: record ends in $secs s (exit $rc)"
within "$rss_kb" 1 204800; ok $? "symlink to /dev/zero: max RSS $((rss_kb / 1024)) MiB (under 200)"
grep -q 'perf map refused' "$TMP/zero.err"; ok $? "symlink to /dev/zero: refused in the summary"

secret=$TMP/secret
echo "$ADDR 1000 SECRET" > "$secret"
chmod 600 "$secret"
plant ln -s "$secret" "$map"
"${NOBODY[@]}" cat "$map" > /dev/null 2>&1; ok $((!$?)) "nobody cannot read the secret itself"
run secret
recorded secret; ok $? "symlink to a root-only file: recorded (exit $rc)"
! grep -q SECRET "$TMP/secret.folded"; ok $? "the root-only file's names are not in the profile"
grep -q 'perf map refused' "$TMP/secret.err"; ok $? "symlink to a root-only file: refused in the summary"

rm -f "$map"
echo "$ADDR 1000 OTHERUSER" > "$map"
chown 12345:12345 "$map"
chmod 644 "$map"
run other
recorded other; ok $? "map owned by uid 12345: recorded (exit $rc)"
! grep -q OTHERUSER "$TMP/other.folded"; ok $? "map owned by uid 12345: its names are not used"
grep -q "perf map refused (owned by uid 12345, not the process's uid 65534 or root): JIT frames of pid $pid " "$TMP/other.err"
ok $? "the summary names both uids and the pid: $(grep refused "$TMP/other.err")"

plant sh -c "echo '$ADDR 1000 legit_jit' > $map"
run legit
recorded legit; ok $? "map owned by the process's user: recorded (exit $rc)"
s=$(share "$TMP/legit.folded" 'legit_jit_\[j\]')
within "$s" 50 100; ok $? "map owned by the process's user: its names are used ($s% legit_jit_[j])"
! grep -q refused "$TMP/legit.err"; ok $? "no refusal in the summary"
kill "$pid"

# The JVM attacher writes a trigger file in the JVM's cwd, which a JVM of nobody's may own: a FIFO
# planted there must not block the attach (it falls back to the JVM's /tmp).
jdk=/usr/lib/jvm/java-17-openjdk-amd64
if [ -x "$jdk/bin/java" ]; then
	mkdir "$TMP/jcwd" && chown 65534 "$TMP/jcwd"
	(cd "$TMP/jcwd" && exec "${NOBODY[@]}" "$jdk/bin/java" -cp "$BUILD/tests/java" Burn 10 > "$TMP/burn.out" 2>&1) &
	jpid=$!
	cleanup_pids+=("$jpid") cleanup_files+=("/tmp/perf-$jpid.map")
	for _ in $(seq 100); do	# until the JVM catches SIGQUIT (bit 3 of SigCgt), then settles
		cgt=$(awk '/^SigCgt/ { print $2 }' "/proc/$jpid/status" 2> /dev/null)
		[ -n "$cgt" ] && (( (0x$cgt >> 2) & 1 )) && break
		sleep 0.1
	done
	sleep 1
	"${NOBODY[@]}" mkfifo "$TMP/jcwd/.attach_pid$jpid"
	SECONDS=0
	timeout --foreground -k 2 30 "$BPFPROF" attach "$jpid" > "$TMP/attach.out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ "$SECONDS" -lt 20 ]
	ok $? "FIFO as the JVM's trigger file: attach exits $rc in ${SECONDS} s ($(head -c 200 "$TMP/attach.out"))"
	[ "$rc" -eq 0 ] || note "JVM: $(grep -i agent "$TMP/burn.out" | head -c 300)"
fi
done_testing
