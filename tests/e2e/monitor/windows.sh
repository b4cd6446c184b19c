# windows.sh - `bpfprof monitor` cuts one session into windows: every window of a split workload
# has the split, the windows add up to exactly what the BPF side counted (none lost, none counted
# twice at a boundary), their rate matches a `record` of the same process over the same time,
# and `report --dir` over a range equals the sum of its windows.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
# The target is held stopped until both profilers are attached, and both stop when it exits:
# they see the very same run of it, whatever the machine's load did to their start-up times.
"$W" 9 > /dev/null & wp=$!; cleanup_pids+=($wp)
kill -STOP "$wp"
H=$TMP/hist
"$BPFPROF" monitor -p "$wp" -F 199 --window 1s --dir "$H" --socket "$TMP/ctl" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
"$BPFPROF" record -p "$wp" -F 199 -o "$TMP/rec.folded" 2> "$TMP/rec.err" & rp=$!
cleanup_pids+=($rp)
# attached: the monitor answers on its socket, the recorder holds its perf events (one per CPU)
for _ in $(seq 100); do
	"$BPFPROF" status --socket "$TMP/ctl" > /dev/null 2>&1 &&
		[ "$(find /proc/$rp/fd -lname 'anon_inode:\[perf_event\]' 2> /dev/null | wc -l)" -ge "$(nproc)" ] && break
	sleep 0.1
done
sleep 0.2
kill -CONT "$wp"
sleep 3
"$BPFPROF" status --socket "$TMP/ctl" > "$TMP/status" 2>&1
ok $? "status answers while the monitor runs"
wait "$wp"
# both end on their own once the target is gone
wait "$mp"; ok $? "monitor exits 0 once its target is gone ($(tail -n 1 "$TMP/mon.err"))"
wait "$rp"
grep -q "^samples: " "$TMP/status"; ok $? "status shows samples ($(grep -m1 samples "$TMP/status"))"

n=0 bad=0 sum=0 dur=0
for f in "$H"/*.pb.gz; do
	"$BPFPROF" report "$f" -o "$TMP/w.folded" 2>> "$TMP/rep.err" || { bad=$((bad + 1)); continue; }
	t=$(total "$TMP/w.folded")
	sum=$((sum + t)) n=$((n + 1))
	# the first and last windows are partial: check the split on the full ones
	if [ "$t" -ge 150 ]; then
		a=$(share "$TMP/w.folded" ';hot_a;')
		within "$a" 45 75 || { bad=$((bad + 1)); note "window $f: hot_a $a% of $t"; }
	fi
done
[ "$n" -ge 6 ] && [ "$bad" -eq 0 ]; ok $? "$n windows written, each with the 60% split ($bad bad)"
"$BPFPROF" report --dir "$H" -o "$TMP/all.folded" 2> "$TMP/all.err"
ok $? "report --dir merges the history"
all=$(total "$TMP/all.folded")
[ "$all" -eq "$sum" ]; ok $? "report --dir total ($all) equals the sum of the windows ($sum)"
end=$(grep 'stopped after' "$TMP/mon.err")
note "$end"
taken=$(sed -n 's/.*samples taken \([0-9]*\),.*/\1/p' <<< "$end")
inwin=$(sed -n 's/.*in windows \([0-9]*\),.*/\1/p' <<< "$end")
[ -n "$taken" ] && [ "$taken" -eq "$sum" ] && [ "$inwin" -eq "$sum" ]
ok $? "the windows hold exactly what the BPF side took ($sum of $taken): none lost, none twice"
rec=$(total "$TMP/rec.folded")
# Both sampled the same process over the same seconds (started and stopped together).
diff=$(awk -v a="$sum" -v b="$rec" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.1f", b ? 100 * d / b : 100 }')
within "$diff" 0 2
ok $? "the windows add up to a record of the same process over the same time: $sum vs $rec ($diff%)"
"$BPFPROF" report --dir "$H" --from 2001-01-01T00:00:00Z --to 2001-01-01T01:00:00Z -o "$TMP/none.folded" 2> "$TMP/none.err"
[ $? -ne 0 ] && grep -q "no window" "$TMP/none.err"; ok $? "an empty range says so ($(head -n1 "$TMP/none.err"))"
done_testing
