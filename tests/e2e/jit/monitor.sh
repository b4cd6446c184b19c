# monitor.sh - a JIT's perf map grows while `bpfprof monitor` runs: a process whose code has no
# map at first shows it unnamed, and once the map appears the next windows name it (the map is
# read again when a window meets an address it does not know, at most once a window).
. "$(dirname "$0")/../lib.sh"
"$BUILD/tests/workloads/fakejit" 9 nomap > /dev/null 2>&1 & pid=$!
cleanup_pids+=($pid); cleanup_files+=("/tmp/perf-$pid.map")
"$BPFPROF" monitor -p "$pid" -F 199 --window 1s --dir "$TMP/h" --socket "$TMP/ctl" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
sleep 4
t_map=$(date +%s%N)
printf '10000000 1000 jit_spin_late\n' > "/tmp/perf-$pid.map"
wait "$pid"
for _ in $(seq 80); do kill -0 "$mp" 2> /dev/null || break; sleep 0.1; done
kill -INT "$mp" 2> /dev/null; wait "$mp"
before=0 after=0 named_before=0 named_after=0
for f in "$TMP/h"/*.pb.gz; do
	b=$(basename "$f" .pb.gz); start=${b%%_*} end=${b#*_}
	"$BPFPROF" report "$f" -o "$TMP/w.folded" 2> /dev/null || continue
	[ "$(total "$TMP/w.folded")" -ge 50 ] || continue
	s=$(share "$TMP/w.folded" 'jit_spin_late')
	# window start and end (UTC stamps) against the time the map was written
	stamp() { date -u -d "$(sed 's/^\(....\)\(..\)\(..\)T\(..\)\(..\)\(..\).*/\1-\2-\3 \4:\5:\6/' <<< "$1")" +%s; }
	ws=$(stamp "$start") we=$(stamp "$end")
	if [ $(((we + 1) * 1000000000)) -lt "$t_map" ]; then
		before=$((before + 1)); within "$s" 1 100 && named_before=$((named_before + 1))
	elif [ $((ws * 1000000000)) -gt "$t_map" ]; then
		after=$((after + 1)); within "$s" 90 100 && named_after=$((named_after + 1))
	fi
done
note "windows before the map: $before ($named_before named), after: $after ($named_after named)"
[ "$before" -ge 2 ] && [ "$named_before" -eq 0 ]; ok $? "before the map exists the code is unnamed"
[ "$after" -ge 2 ] && [ "$named_after" -eq "$after" ]; ok $? "every later window names it ($named_after of $after)"
done_testing
