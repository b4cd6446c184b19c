#!/usr/bin/env bash
# bench.sh - what `sudo make bench` runs: bpfprof against bpftrace and perf on the same
# workload in the same run (two split burners keep both CPUs busy), each sampling every CPU at
# 999 Hz with kernel and user stacks for BENCH_SECONDS (default 10). Prints, with ratios:
#   BPF ns/sample   run_time_ns / run_cnt of the sampling program (kernel.bpf_stats_enabled)
#   CPU seconds     user + system time of the profiler's process, recording included
#   peak RSS        of the profiler's process
#   post-processing bpfprof: drain + symbolize + write; bpftrace: from stop to exit (it
#                   symbolizes on exit); perf: `perf script` turning perf.data into stacks
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${BENCH_SECONDS:-10}
HZ=999
T=$(mktemp -d /tmp/bpfprof-bench.XXXXXX)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	kill "${burners[@]}" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root; run: sudo make bench" >&2; exit 1; }
sysctl -qw kernel.bpf_stats_enabled=1
burners=()
for i in 1 2; do "$BUILD/tests/workloads/split" $((SECS * 4 + 30)) > /dev/null & burners+=($!); done
sleep 0.5

# timed OUT CMD...: GNU time's "elapsed user sys maxrss_kb" into OUT
timed() { local out=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$out" "$@"; }
field() { awk -v f="$2" '{ print $f }' "$1"; }

# prog_ns NAME_REGEX: ns per run of the perf_event BPF program whose name matches, now
prog_ns() {
	bpftool prog show -j | python3 -c '
import json, re, sys
best = None
for p in json.load(sys.stdin):
    if p.get("type") == "perf_event" and re.search(sys.argv[1], p.get("name", "")) and p.get("run_cnt"):
        best = "%.0f %d" % (p["run_time_ns"] / p["run_cnt"], p["run_cnt"])
print(best or "nan 0")' "$1"
}

echo "bench: $SECS s per profiler, $HZ Hz on every CPU, kernel + user stacks, 2 busy CPUs"

# bpfprof
timed "$T/bp.time" "$BUILD/bpfprof" record -F $HZ -d "$SECS" -v -o "$T/bp.folded" 2> "$T/bp.err"
bp_ns=$(sed -n 's/.*BPF program: [0-9]* runs, \([0-9]*\) ns per run.*/\1/p' "$T/bp.err")
bp_runs=$(sed -n 's/.*BPF program: \([0-9]*\) runs.*/\1/p' "$T/bp.err")
bp_post=$(sed -n 's/.*post-processing (drain, symbolize, write): \([0-9.]*\) ms.*/\1/p' "$T/bp.err")
bp_cpu=$(awk '{ printf "%.2f", $2 + $3 }' "$T/bp.time")
bp_rss=$(field "$T/bp.time" 4)
bp_stacks=$(wc -l < "$T/bp.folded")

# bpftrace: same map key as the issue's reference point; its program is read mid-run
bt_prog='profile:hz:'$HZ' { @[kstack, ustack, comm] = count(); } interval:s:'$SECS' { exit(); }'
timed "$T/bt.time" bpftrace -e "$bt_prog" -o "$T/bt.out" 2> "$T/bt.err" &
bt=$!
sleep $((SECS - 1))
read -r bt_ns bt_runs < <(prog_ns '^profile|^999')
wait $bt
bt_post=$(awk -v s="$SECS" '{ printf "%.1f", ($1 - s) * 1000 }' "$T/bt.time")
bt_cpu=$(awk '{ printf "%.2f", $2 + $3 }' "$T/bt.time")
bt_rss=$(field "$T/bt.time" 4)

# perf: no BPF; its kernel cost is not visible to bpf_stats
timed "$T/pf.time" perf record -q -F $HZ -a -g -o "$T/perf.data" -- sleep "$SECS" 2> /dev/null
timed "$T/ps.time" perf script -i "$T/perf.data" > "$T/perf.txt" 2> /dev/null
pf_cpu=$(awk '{ printf "%.2f", $2 + $3 }' "$T/pf.time")
pf_rss=$(field "$T/pf.time" 4)
ps_post=$(awk '{ printf "%.1f", $1 * 1000 }' "$T/ps.time")
ps_rss=$(field "$T/ps.time" 4)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2fx", a / b }'; }
echo
printf '%-34s %12s %12s %12s   %s\n' metric bpfprof bpftrace perf "bpfprof / bpftrace, / perf"
printf '%-34s %12s %12s %12s   %s\n' "BPF ns per sample" "$bp_ns" "$bt_ns" "n/a" "$(ratio "$bp_ns" "$bt_ns")"
printf '%-34s %12s %12s %12s   %s\n' "samples taken (BPF runs)" "$bp_runs" "$bt_runs" "-" ""
printf '%-34s %12s %12s %12s   %s, %s\n' "profiler CPU seconds" "$bp_cpu" "$bt_cpu" "$pf_cpu" "$(ratio "$bp_cpu" "$bt_cpu")" "$(ratio "$bp_cpu" "$pf_cpu")"
printf '%-34s %12s %12s %12s   %s, %s\n' "peak RSS KB (recording)" "$bp_rss" "$bt_rss" "$pf_rss" "$(ratio "$bp_rss" "$bt_rss")" "$(ratio "$bp_rss" "$pf_rss")"
printf '%-34s %12s %12s %12s   %s, %s\n' "post-processing ms" "$bp_post" "$bt_post" "$ps_post" "$(ratio "$bp_post" "$bt_post")" "$(ratio "$bp_post" "$ps_post")"
printf '%-34s %12s %12s %12s\n' "peak RSS KB (post-processing)" "(same)" "(same)" "$ps_rss"
echo
echo "bench: bpfprof wrote $bp_stacks unique stacks; bpftrace printed $(grep -c '^@' "$T/bt.out" || true) map entries"
echo "bench: stacks lost to collisions: bpfprof $(sed -n 's/.*: \([0-9]*\) stacks .* lost to stack-map collisions.*/\1/p' "$T/bp.err" | grep . || echo 0), bpftrace $(grep -c 'failed to look up stack id' "$T/bt.err" || true)"
