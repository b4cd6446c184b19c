# bpf_stats.sh - `record -v` prints what its BPF program cost, counted over the whole run: the
# run count matches the samples taken although kernel.bpf_stats_enabled is switched off midway
# (another tool turning it on and off used to leave a figure from part of the run).
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'echo "$old" > /proc/sys/kernel/bpf_stats_enabled' EXIT
echo 1 > /proc/sys/kernel/bpf_stats_enabled
( sleep 1; echo 0 > /proc/sys/kernel/bpf_stats_enabled ) &
"$BPFPROF" record -v -F 199 -o "$TMP/s.folded" -- "$W" 3 > /dev/null 2> "$TMP/err"
ok $? "record -v -- split 3 exits 0"
wait
runs=$(sed -n 's/.*BPF program: \([0-9]*\) runs, \([0-9]*\) ns per run.*/\1/p' "$TMP/err")
ns=$(sed -n 's/.*BPF program: \([0-9]*\) runs, \([0-9]*\) ns per run.*/\2/p' "$TMP/err")
samples=$(total "$TMP/s.folded")
note "BPF program: ${runs:-?} runs, ${ns:-?} ns per run; $samples samples in the profile"
# every sample is a run; runs with nothing to count (another CPU's idle tick) come on top
[ -n "$runs" ] && [ "$runs" -ge "$samples" ] && [ "$samples" -ge 400 ]
ok $? "the run count covers the whole run: $runs runs for $samples samples, stats switched off after 1 s"
[ -n "$ns" ] && [ "$ns" -gt 0 ]; ok $? "a cost per run is given (${ns:-none} ns)"
[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = 0 ]; ok $? "the system setting was left as others set it"
done_testing
