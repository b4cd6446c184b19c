# record_rotation.sh - the in-kernel tables are emptied during the run (two sets: one fills
# while the other is drained): no sample is lost or counted twice at a flip, and a busy host
# with short-lived processes loses under 1% of its stacks with the default sizes.
. "$(dirname "$0")/../lib.sh"

# Exactly N tracepoint hits, spread over 3 s, with tables so small that every poll flips.
"$BPFPROF" record -v --stack-storage-size 64 -e tracepoint:syscalls:sys_enter_getppid \
	-o "$TMP/calls.folded" -- "$BUILD/tests/workloads/calls" 3000 3 > /dev/null 2> "$TMP/calls.err"
rot=$(sed -n 's/.*tables emptied \([0-9]*\) times.*/\1/p' "$TMP/calls.err")
[ "${rot:-0}" -ge 10 ]; ok $? "tables emptied during the run (${rot:-0} times)"
n=$(total "$TMP/calls.folded")
[ "$n" -eq 3000 ]; ok $? "3000 getppid calls counted exactly once across the flips ($n)"
share "$TMP/calls.folded" '^calls;.*main;' > "$TMP/share"
within "$(cat "$TMP/share")" 100 100; ok $? "every one named down to main ($(cat "$TMP/share")%)"

# Host-wide at 999 Hz while ~100 processes a second start and exit, default sizes.
churn() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do
		for c in "ls -la /usr/bin" "sort /etc/services" "gzip -c /etc/services" \
			"sha1sum /etc/services" "grep -c tcp /etc/services" "sed -n 1p /etc/passwd" \
			"date" "wc -l /etc/services"; do $c > /dev/null 2>&1; done
	done
}
churn 14 &
cleanup_pids+=($!)
sleep 1
"$BPFPROF" record -F 999 -d 12 -o "$TMP/churn.folded" 2> "$TMP/churn.err"
ok $? "host-wide recording under churn exits 0"
samples=$(total "$TMP/churn.folded")
lost=$(sed -n 's/^bpfprof: \([0-9]*\) stacks (.*collisions.*/\1/p; s/^bpfprof: \([0-9]*\) samples dropped.*/\1/p' "$TMP/churn.err" | awk '{ t += $1 } END { print t + 0 }')
pct=$(awk -v l="$lost" -v s="$samples" 'BEGIN { printf "%.2f", s ? 100 * l / s : 100 }')
within "$pct" 0 1; ok $? "under churn, stacks lost to full tables or collisions: $lost of $samples ($pct%)"
wait
done_testing
