#!/usr/bin/env bash
# bench_modes.sh - what each profiling mode (-e offcpu, wall, lock, alloc) costs the program it
# records, run by `sudo make bench` after bench.sh: the slowdown ratio of a workload recorded in
# that mode against the same workload alone, median of BENCH_REPS runs (default 3) each.
#
#   offcpu, wall, lock   tests/workloads/contend (3 threads, one mutex held 1 ms: a context switch
#                        and a futex call per lock): locks taken in 2 s, alone / recorded
#   alloc, busy          tests/workloads/allocs 125000 4000 (~0.8 GB/s of malloc among work):
#                        its allocation loop's CPU time, recorded / alone (in-process sampling)
#   alloc, malloc-bound  tests/workloads/allocs 2000000 (nothing but malloc/free): the same
#
# 1.00 is no cost. Results also go to $BUILD/bench/modes.tsv (mode, workload, alone, recorded,
# ratio). Needs root and a built tree (make all).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BPFPROF=${BPFPROF:-$BUILD/bpfprof}
REPS=${BENCH_REPS:-3}
W=$BUILD/tests/workloads
OUT=$BUILD/bench/modes.tsv
mkdir -p "$BUILD/bench"
printf 'mode\tworkload\talone\trecorded\tslowdown\n' > "$OUT"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p"; }

# bench MODE LABEL KEY HIGHER_IS_BETTER CMD...: alone and recorded, REPS times each, interleaved
bench() {
	local mode=$1 label=$2 key=$3 higher=$4 a r ratio
	shift 4
	local alone=() rec=()
	for _ in $(seq "$REPS"); do
		alone+=("$("$@" | field "$key")")
		rec+=("$("$BPFPROF" record -e "$mode" -o /dev/null -- "$@" 2>/dev/null | field "$key")")
	done
	a=$(printf '%s\n' "${alone[@]}" | median)
	r=$(printf '%s\n' "${rec[@]}" | median)
	ratio=$(awk -v a="$a" -v r="$r" -v h="$higher" 'BEGIN {
		if (a <= 0 || r <= 0) print "nan"; else printf "%.2f", h ? a / r : r / a }')
	printf '%-7s %-34s alone %14s  recorded %14s  slowdown %s\n' "$mode" "$label" "$a" "$r" "$ratio"
	printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$label" "$a" "$r" "$ratio" >> "$OUT"
}

echo "== modes: slowdown of the recorded program (1.00: none), median of $REPS"
bench offcpu "contend 2 s (locks taken)" locks 1 "$W/contend" 2
bench wall "contend 2 s (locks taken)" locks 1 "$W/contend" 2
bench lock "contend 2 s (locks taken)" locks 1 "$W/contend" 2
bench alloc "allocs, ~0.8 GB/s among work (CPU ns)" cpu_ns 0 "$W/allocs" 125000 4000
bench alloc "allocs, malloc-bound (CPU ns)" cpu_ns 0 "$W/allocs" 2000000
echo "results: $OUT"
