# soak.sh - the monitor stays flat: host-wide at 99 Hz with 1 s windows while processes come and
# go (forked burners and exec'd commands, about 50 a second), its RSS, open descriptors and the
# processes its symbolizer holds in the last stretch are within 10 % of the second stretch, it
# loses no sample, and each window is done in well under the window. SOAK_SECONDS (default 30;
# `make soak` runs 600) sets the length.
. "$(dirname "$0")/../lib.sh"
T=${SOAK_SECONDS:-30}
seg=$((T / 4))
port=$((20000 + RANDOM % 20000))
url=http://127.0.0.1:$port
( while :; do "$BUILD/tests/workloads/churn" 20 15 2; for i in 1 2 3 4 5; do /bin/true; sh -c : ; done; sleep 0.1; done ) > /dev/null 2>&1 & lp=$!
cleanup_pids+=($lp)
"$BPFPROF" monitor -F 99 --window 1s --dir "$TMP/h" --retain 20s --socket "$TMP/ctl" \
	--listen "127.0.0.1:$port" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
: > "$TMP/series"
for s in $(seq "$T"); do
	sleep 1
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/"$mp"/status 2> /dev/null)
	fds=$(ls /proc/"$mp"/fd 2> /dev/null | wc -l)
	# exited processes held: live ones come and go with whatever else runs on the host
	procs=$(curl -s "$url/metrics" | awk '$1 == "bpfprof_processes_exited" { print $2 }')
	echo "$s ${rss:-0} $fds ${procs:-0}" >> "$TMP/series"
done
curl -s "$url/metrics" > "$TMP/metrics"
kill -INT "$mp"; wait "$mp"; ok $? "monitor ran $T s under churn and exits 0"
kill -9 "$lp" 2> /dev/null
# mean of column c over seconds (a, b]
mean() { awk -v c="$1" -v a="$2" -v b="$3" '$1 > a && $1 <= b { s += $c; n++ } END { printf "%.0f", n ? s / n : 0 }' "$TMP/series"; }
# A short run sees malloc's high-water mark still settling: 2 MB of slack below 5 minutes.
slack=$(( T < 300 ? 2048 : 0 ))
for col in "2 RSS(kB) $slack" "3 fds 2"; do
	set -- $col
	early=$(mean "$1" "$seg" $((2 * seg))) late=$(mean "$1" $((T - seg)) "$T")
	within "$late" 0 $(( early + early / 10 + $3 )); ok $? "$2 flat: second stretch $early, last $late (10 % + $3)"
done
# Exited processes are held for about a window: bounded by the churn rate, not growing with time.
early=$(mean 4 "$seg" $((2 * seg))) late=$(mean 4 $((T - seg)) "$T")
within "$late" 0 $(( 3 * early + 20 )); ok $? "exited processes held stay bounded: second stretch $early, last $late"
end=$(grep 'stopped after' "$TMP/mon.err")
note "$end"
lost=$(sed -n 's/.*lost \([0-9]*\),.*/\1/p' <<< "$end")
taken=$(sed -n 's/.*samples taken \([0-9]*\),.*/\1/p' <<< "$end")
inwin=$(sed -n 's/.*in windows \([0-9]*\),.*/\1/p' <<< "$end")
[ "$lost" = 0 ] && [ "$taken" = "$inwin" ]; ok $? "no sample lost ($inwin of $taken in windows)"
last=$(awk '$1 == "bpfprof_last_window_seconds" { print $2 }' "$TMP/metrics")
within "$last" 0 0.5; ok $? "a window is drained, named and written in $last s (window 1 s)"
files=$(ls "$TMP/h"/*.pb.gz | wc -l)
[ "$files" -le 23 ]; ok $? "retention keeps about 20 s of windows ($files files)"
done_testing
