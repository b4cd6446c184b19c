# churn_lifecycle.sh - a host-wide recording under process churn holds no file descriptor per
# process and still names processes met late; it ends cleanly however its end meets the churn;
# `record -- CMD` killed with SIGKILL takes the command along; a zombie pid is refused in one
# line; a pid reused during the recording is named after the process that holds it last; JVMs
# gone during their attach are not reported.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads
fds() { ls "/proc/$1/fd" 2> /dev/null | wc -l; }
# attached PID: wait until the recorder PID samples (it holds perf event descriptors)
attached() {
	for _ in $(seq 100); do
		ls -l "/proc/$1/fd" 2> /dev/null | grep -q 'perf_event' && return 0
		sleep 0.1
	done
	return 1
}

# (a) 500 short-lived processes under a 256-descriptor limit: one descriptor per process seen
# (the old /proc/PID/root) ran out there, and every process met after was left unnamed.
prlimit --nofile=256:256 "$BPFPROF" record -F 499 -o "$TMP/churn.folded" 2> "$TMP/churn.err" &
rec=$!
attached "$rec"
"$W/churn" 500 15 2 & ch=$!
max=0
while kill -0 "$ch" 2> /dev/null; do
	n=$(fds "$rec"); [ "$n" -gt "$max" ] && max=$n
	sleep 0.2
done
"$W/split" 1.5 > /dev/null	# met last, after every churn process
n=$(fds "$rec"); [ "$n" -gt "$max" ] && max=$n
kill -INT "$rec"; wait "$rec"; ok $? "host-wide record under churn with ulimit -n 256 exits 0"
note "$(head -n 1 "$TMP/churn.err")"
seen=$(sed -n 's/.* from \([0-9]*\) processes.*/\1/p' "$TMP/churn.err")
[ "${seen:-0}" -ge 300 ]; ok $? "the churn was seen: ${seen:-0} processes (>= 300)"
[ "$max" -lt 64 ]; ok $? "open descriptors stay bounded: at most $max (< 64) while 500 processes come and go"
! grep -q 'file descriptors' "$TMP/churn.err"; ok $? "no out-of-descriptors message"
burn=$(share "$TMP/churn.folded" '^churn;.*;churn_burn;')
cpu=$(share "$TMP/churn.folded" '^churn;')
note "churn: $cpu% of all samples, $burn% named churn_burn"
# a process that exits before its first snapshot stays unnamed; that is not what is tested here
within "$burn" "$(awk -v c="$cpu" 'BEGIN { print c / 2 }')" 100
ok $? "churn processes are named: churn_burn in $burn% of $cpu% (at least half of theirs)"
a=$(share "$TMP/churn.folded" '^split;.*;hot_a;') b=$(share "$TMP/churn.folded" '^split;.*;hot_b;')
within "$a" 0.1 100 && within "$b" 0.1 100; ok $? "split, started after the churn, is named (hot_a $a%, hot_b $b%)"

# (b) the end of a recording meets the churn: ring buffer events arrive during teardown
( while :; do /bin/true; "$W/churn" 2 5 2; sleep 0.02; done ) & loop=$!; cleanup_pids+=("$loop")
rcs=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$BPFPROF" record -d 1 -o "$TMP/x.folded" 2> /dev/null; rcs="$rcs$? "
done
kill "$loop"; wait "$loop" 2> /dev/null
[ "$rcs" = "0 0 0 0 0 0 0 0 0 0 " ]; ok $? "10 host-wide record -d 1 during churn all exit 0 (got: $rcs)"

# (c) SIGKILL leaves no orphan: the command gets SIGTERM when the recorder dies
"$BPFPROF" record -o "$TMP/k.folded" -- sleep 60 2> /dev/null & rec=$!
child=
for _ in $(seq 50); do child=$(pgrep -P "$rec" -x sleep) && break; sleep 0.1; done
[ -n "$child" ]; ok $? "record -- sleep 60 started its command ($child)"
kill -9 "$rec"; wait "$rec" 2> /dev/null
gone=1
for _ in $(seq 10); do
	st=$(awk '{ print $3 }' "/proc/$child/stat" 2> /dev/null)
	if [ -z "$st" ] || [ "$st" = Z ]; then gone=0; break; fi
	sleep 0.1
done
ok $gone "after SIGKILL of the recorder its command is gone within a second"

# (d) a zombie has nothing to sample: one line, as for a missing pid
bash -c 'sleep 0.1 & echo $! > '"$TMP/zpid"'; exec sleep 30' & zparent=$!; cleanup_pids+=("$zparent")
sleep 0.5
z=$(cat "$TMP/zpid")
[ "$(awk '{ print $3 }' "/proc/$z/stat")" = Z ]; ok $? "pid $z is a zombie"
"$BPFPROF" record -p "$z" -d 1 -o "$TMP/z.folded" > /dev/null 2> "$TMP/z.err"; rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l < "$TMP/z.err")" -eq 1 ] &&
	grep -q "process $z has exited" "$TMP/z.err" && [ ! -e "$TMP/z.folded" ]
ok $? "record -p ZOMBIE fails in one line (rc=$rc: $(cat "$TMP/z.err"))"

# (e) one pid, two processes in a row (clone3 with set_tid picks the pid); neither execs, so
# only the exit notice and a fresh new-process notice can tell them apart
pid=
for _ in $(seq 20); do
	c=$(( (RANDOM * 32768 + RANDOM) % ($(cat /proc/sys/kernel/pid_max) - 1000) + 500 ))
	[ -e "/proc/$c" ] || { pid=$c; break; }
done
"$BPFPROF" record -F 499 -d 5 -o "$TMP/reuse.folded" 2> "$TMP/reuse.err" & rec=$!
attached "$rec"
"$W/pid_reuse" "$pid" first 1.2 && "$W/pid_reuse" "$pid" second 1.2; rc=$?
wait "$rec"; ok $? "host-wide record over a reused pid exits 0"
if [ $rc -eq 2 ]; then
	note "skipped: cannot start a process as pid $pid (clone3 set_tid needs root and a free pid)"
else
	s=$(share "$TMP/reuse.folded" '^pid_reuse;.*;reuse_second;')
	note "pid $pid: reuse_second $s%, reuse_first $(share "$TMP/reuse.folded" '^pid_reuse;.*;reuse_first;')%"
	within "$s" 0.1 100; ok $? "the second process under pid $pid is named ($s% in reuse_second)"
fi

# (f) JVMs met during a host-wide recording: those that live well under a second (java -version)
# are gone before their attach and nothing is said of them without -v; one that lives on gets the
# agent although it had not loaded libjvm.so yet at its first sample
jdk=/usr/lib/jvm/java-17-openjdk-amd64
if [ -x "$jdk/bin/java" ]; then
	"$BPFPROF" record -F 499 -d 6 -o "$TMP/jv.folded" --no-status 2> "$TMP/jv.err" & rec=$!
	attached "$rec"
	for _ in $(seq 15); do "$jdk/bin/java" -version 2> /dev/null & echo $! >> "$TMP/jv.pids"; wait $!; done
	wait "$rec"; rc=$?
	# other tests' JVMs may run meanwhile: only ours count
	bad=$(grep -E "JVM ($(paste -sd'|' "$TMP/jv.pids"))[: ]" "$TMP/jv.err" | head -n 2)
	[ $rc -eq 0 ] && [ -z "$bad" ]
	ok $? "java -version during a host-wide recording: nothing said of vanished JVMs${bad:+ (got: $bad)}"

	"$BPFPROF" record -F 499 -o "$TMP/young.folded" --no-status 2> /dev/null & rec=$!
	attached "$rec"
	"$jdk/bin/java" -XX:+PreserveFramePointer -XX:CompileCommand=quiet \
		'-XX:CompileCommand=dontinline,Burn::hot*' -cp "$BUILD/tests/java" Burn 5 > /dev/null 2>&1 & jp=$!
	cleanup_pids+=("$jp")
	wait "$jp"
	kill -INT "$rec"; wait "$rec"
	rm -f "/tmp/perf-$jp.map"
	grep '^java;' "$TMP/young.folded" > "$TMP/young-java.folded"
	a=$(share "$TMP/young-java.folded" ';Burn\.hotA_\[j\]')
	within "$a" 45 75; ok $? "a JVM started during the recording gets the agent: Burn.hotA_[j] $a% of java"
fi
done_testing
