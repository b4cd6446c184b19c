#!/usr/bin/env bash
# bench.sh - what `sudo make bench` runs: what bpfprof costs next to perf and bpftrace, measured in
# the same run on the same loads, and what the node monitor costs on its own.
#
# Loads, on every CPU for the whole of each phase: the split burner (tests/workloads/split), a
# many-unique-stacks burner (tests/workloads/manystacks) and process churn, about 50 new processes
# a second (tests/workloads/churn forking children, plus exec'd short commands); the rate reached
# is measured from /proc/stat and printed.
#
# Phase 1, repeated BENCH_REPS times (default 3): `bpfprof record` host-wide, `perf record -a -g`
# and bpftrace's `profile:hz:999 { @[kstack, ustack, pid] = count(); }`, all at 999 Hz with their
# default settings, all attached over the SAME window of BENCH_SECONDS (default 20), then all
# sent SIGINT at the same moment, as at the end of a shared window; `perf script` starts on
# perf.data as soon as perf record has exited. The loads run throughout. Phase 2, repeated as
# often: `bpfprof monitor` alone at its defaults (19 Hz) with 1 s windows and its history in a
# temporary directory, for BENCH_MONITOR_SECONDS (default 60) under the same loads, then 10 s with
# no load. BENCH_KEEP=1 keeps the tools' outputs and logs (the directory is printed).
#
# How each figure is taken (whole processes: all threads, and the children they waited for):
#   CPU s, window      user + system time over the window, from /proc/PID/stat at its two ends
#   BPF s, window      run time of the BPF programs the tool's process holds, over the window
#   CPU s, whole run   GNU time's user + system from start to exit: start-up + window + stop
#   BPF ns / sample    run_time_ns / run_cnt of the tool's own perf_event programs over the window
#   samples taken      runs of its perf_event programs (the last count read while it stops), or
#                      perf's SAMPLE records: from attach to exit
#   in the output      the counts in the files it wrote, as a share of the samples taken: what a
#                      reader of its output gets, whatever the tool says it lost (bpftrace's map
#                      holds 4096 keys by default: what does not fit is missing without a word)
#   samples lost       what the tool itself reports: bpfprof its summary (table full + stack
#                      collisions + dropped); bpftrace "failed to look up stack id" (a map entry
#                      whose stack was lost: one sample or more) + "Lost N events"; perf its LOST
#                      and LOST_SAMPLES records
#   stop -> files s    SIGINT to folded stacks on disk; for perf, its exit + `perf script` +
#                      collapsing to folded stacks, which is also given on its own as post-processing
#   monitor CPU %      (user + system + BPF run time) / wall time, from its 2nd window to the end
#   idle wake-ups / s  voluntary context switches of all its threads over 10 s with no load of ours
#                      (the host's own new processes a second over those 10 s are given beside it)
# BPF statistics are kept on by holding a BPF_ENABLE_STATS fd (tools/bpfstats hold) for the whole
# bench; kernel.bpf_stats_enabled is never written. Each tool's programs are found by the ids its
# own fds name (tools/bpfstats progs PID) and read by id, never by type or name.
#
# Prints a table (median [min-max] over the repetitions; ratios computed within each repetition,
# then their median) and writes the same as TSV to $BUILD/bench/results.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${BENCH_SECONDS:-20}
REPS=${BENCH_REPS:-3}
MON_SECS=${BENCH_MONITOR_SECONDS:-60}
IDLE_SECS=10
HZ=999
BP=$BUILD/bpfprof
W=$BUILD/tests/workloads
STATS=$BUILD/tools/bpfstats
OUT=$BUILD/bench
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root; run: sudo make bench" >&2; exit 1; }
for f in "$BP" "$STATS" "$W/split" "$W/manystacks" "$W/churn"; do
	[ -x "$f" ] || { echo "bench: $f is missing; run: sudo make bench" >&2; exit 1; }
done
T=$(mktemp -d /tmp/bpfprof-bench.XXXXXX)
RAW=$T/raw.tsv
: > "$RAW"
loads=()
holder=

cleanup() {
	local p
	for p in "${loads[@]}" $holder; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: outputs kept in $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT

now() { echo "$EPOCHREALTIME"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
# raw PHASE METRIC TOOL REP VALUE: one measurement, for the summary
raw() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RAW"; }

# cpu_s PID: user + system seconds of the process, its threads and its waited-for children
CLK_TCK=$(getconf CLK_TCK)
cpu_s() {
	awk -v hz="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13 + $14 + $15) / hz }' \
		"/proc/$1/stat"
}
# bpf_ns PID: "all_ns pe_ns pe_runs": run time of all the process's BPF programs, and run time
# and runs of its perf_event (sampling) programs
bpf_ns() {
	"$STATS" progs "$1" | awk '{ all += $5 } $3 == "perf_event" { ns += $5; n += $6 }
		END { printf "%d %d %d\n", all, ns, n }'
}
has_sampler() { "$STATS" progs "$1" 2>/dev/null | awk '$3 == "perf_event" { f = 1 } END { exit !f }'; }
# child PID: the process GNU time started (signals go to it: time itself ignores SIGINT)
child() {
	local c i
	for i in $(seq 100); do
		c=$(pgrep -P "$1" | head -1) && [ -n "$c" ] && { echo "$c"; return; }
		sleep 0.05
	done
	echo "bench: process $1 started nothing" >&2
	return 1
}
TIME=(/usr/bin/time -f '%e %U %S %M')
tfield() { awk -v f="$2" 'END { print $f }' "$1"; } # the last line: time's own, after any warning
procs_forked() { awk '$1 == "processes" { print $2 }' /proc/stat; }

# Loads --------------------------------------------------------------------------------------

# churn_load: about 50 new processes a second until killed: 25 forked by churn, the rest exec'd;
# each second's batch runs beside the pause (so a busy host does not slow the rate) and is waited
# for before the next (so a host that cannot keep up gets no pile-up)
churn_load() {
	local i
	while :; do
		"$W/churn" 25 3 2 &
		(
			for i in 1 2 3 4 5 6 7 8; do
				awk 'BEGIN { for (i = 0; i < 20000; i++) s += i }'
				sed -n 1p /proc/self/status > /dev/null
				cat /proc/loadavg > /dev/null
			done
		) &
		sleep 1
		wait
	done
}
start_loads() {
	"$W/split" 100000 > /dev/null & loads+=($!)
	"$W/manystacks" 100000 8 > /dev/null & loads+=($!)
	churn_load > /dev/null 2>&1 & loads+=($!)
	sleep 1
}
stop_loads() {
	local p
	for p in "${loads[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${loads[@]}"; do wait "$p" 2>/dev/null || true; done
	loads=()
}

# perf script output (a header line per sample, then one frame a line, leaf first, then a blank
# line) to folded stacks: "comm;root;...;leaf count". Counts LOST lines on stderr.
collapse_perf() {
	awk '
	/^[^ \t]/ {
		comm = $0
		sub(/ +[0-9]+(\/[0-9]+)? +(\[[0-9]+\] +)?[0-9]+\.[0-9]+:.*$/, "", comm)
		gsub(/;/, ":", comm)
		stack = ""; n = 0; next
	}
	NF == 0 { if (comm != "") { key = comm stack; cnt[key]++ } comm = ""; next }
	{
		f = $0
		sub(/^[ \t]*[0-9a-f]+ /, "", f); sub(/ \([^()]*\)$/, "", f); sub(/\+0x[0-9a-f]+$/, "", f)
		gsub(/;/, ":", f)
		stack = ";" f stack
	}
	END { if (comm != "") cnt[comm stack]++; for (k in cnt) print k, cnt[k] }'
}

# Phase 1: record, perf and bpftrace over one window --------------------------------------------

BT_PROG="profile:hz:$HZ { @[kstack, ustack, pid] = count(); }"
TOOLS=(bpfprof perf bpftrace)

start_tools() {
	local d=$1 t i
	# GNU time itself in the background (not a function: that would be a subshell)
	"${TIME[@]}" -o "$d/bpfprof.time" "$BP" record -F $HZ --no-status -v -o "$d/bpfprof.folded" \
		2> "$d/bpfprof.err" &
	tpid[bpfprof]=$!
	"${TIME[@]}" -o "$d/perf.time" perf record -a -g -F $HZ -o "$d/perf.data" 2> "$d/perf.err" &
	tpid[perf]=$!
	"${TIME[@]}" -o "$d/bpftrace.time" bpftrace -e "$BT_PROG" -o "$d/bpftrace.out" \
		> /dev/null 2> "$d/bpftrace.err" &
	tpid[bpftrace]=$!
	for t in "${TOOLS[@]}"; do pid[$t]=$(child "${tpid[$t]}"); done
	for i in $(seq 600); do
		has_sampler "${pid[bpfprof]}" && has_sampler "${pid[bpftrace]}" &&
			[ -s "$d/perf.data" ] && break
		[ "$i" -lt 600 ] || { echo "bench: the tools did not attach in 60 s" >&2; cat "$d"/*.err >&2; exit 1; }
		sleep 0.1
	done
	sleep 1
}

# bpf_last TOOL: its BPF figures now, kept if it has not yet closed its programs: at its exit
# bpf_int[TOOL] holds the samples it took up to the end
bpf_last() {
	local b
	b=$(bpf_ns "${pid[$1]}" 2> /dev/null) || return 0
	[ "${b##* }" -ge "${bpf_int[$1]##* }" ] && bpf_int[$1]=$b
	return 0
}

# missed_sigint TOOL: bpftrace 0.17 now and then misses a SIGINT and samples on, idle in
# epoll_wait; a tool that has used no CPU 5 s after its SIGINT gets another, and its stop is
# timed from the one it acted on (said under the table)
missed_sigint() {
	local t=$1 c
	c=$(cpu_s "${pid[$t]}" 2> /dev/null) || return 0
	awk -v a="$c" -v b="${c0[$t]}" -v s="$(sub "$(now)" "${t0[$t]}")" \
		'BEGIN { exit !(s > 5 && a - b < 0.02) }' || return 0
	echo "bench: repetition $rep: $t missed its SIGINT; sent another" >> "$T/notes"
	c0[$t]=$c
	t0[$t]=$(now)
	kill -INT "${pid[$t]}" 2> /dev/null || true
}

# stop_tools DIR: SIGINT to all at once, as at the end of a shared window, then each one's time
# until its files are there; perf's post-processing starts as soon as perf record has exited
stop_tools() {
	local d=$1 t post= left=("${TOOLS[@]}") rest
	declare -A t0=() c0=()
	for t in bpfprof bpftrace; do bpf_int[$t]=$(bpf_ns "${pid[$t]}"); done
	for t in "${TOOLS[@]}"; do c0[$t]=$(cpu_s "${pid[$t]}"); done
	for t in "${TOOLS[@]}"; do t0[$t]=$(now); kill -INT "${pid[$t]}"; done
	while [ ${#left[@]} -gt 0 ]; do
		rest=()
		for t in "${left[@]}"; do
			if [ "$t" = perf ] && [ -n "$post" ]; then
				kill -0 "$post" 2> /dev/null && { rest+=("$t"); continue; }
				wait "$post" || true
			elif kill -0 "${tpid[$t]}" 2> /dev/null; then
				[ "$t" = perf ] || bpf_last "$t"
				missed_sigint "$t"
				rest+=("$t"); continue
			else
				wait "${tpid[$t]}" || true
				if [ "$t" = perf ]; then
					"${TIME[@]}" -o "$d/post.time" bash -c "$(declare -f collapse_perf)
						perf script -i '$d/perf.data' 2> /dev/null | collapse_perf > '$d/perf.folded'" &
					post=$!
					rest+=("$t"); continue
				fi
			fi
			stop_s[$t]=$(sub "$(now)" "${t0[$t]}")
		done
		left=("${rest[@]}")
		sleep 0.1
	done
	perf report --stats -i "$d/perf.data" > "$d/perf.stats" 2> /dev/null || true
}

compare_rep() {
	local rep=$1 d=$T/rep$rep t f0 t0 f1 t1
	mkdir -p "$d"
	declare -gA tpid=() pid=() cpu0=() cpu1=() bpf0=() bpf1=() bpf_int=() stop_s=()
	start_loads
	start_tools "$d"
	for t in "${TOOLS[@]}"; do cpu0[$t]=$(cpu_s "${pid[$t]}"); bpf0[$t]=$(bpf_ns "${pid[$t]}"); done
	f0=$(procs_forked); t0=$(now)
	sleep "$SECS"
	for t in "${TOOLS[@]}"; do cpu1[$t]=$(cpu_s "${pid[$t]}"); bpf1[$t]=$(bpf_ns "${pid[$t]}"); done
	f1=$(procs_forked); t1=$(now)
	stop_tools "$d"
	stop_loads
	raw load "host's new processes / s, the window (ours + others')" all "$rep" "$(rate "$f0" "$f1" "$(sub "$t1" "$t0")")"
	for t in "${TOOLS[@]}"; do compare_figures "$t" "$rep" "$d"; done
}

rate() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.1f", (b - a) / s }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b * 100; else print "nan" }'; }

# compare_figures TOOL REP DIR: the tool's figures for this repetition into $RAW
compare_figures() {
	local t=$1 rep=$2 d=$3 tf=$3/$1.time b0 b1 bi taken lost out stacks
	read -r -a b0 <<< "${bpf0[$t]}"
	read -r -a b1 <<< "${bpf1[$t]}"
	read -r -a bi <<< "${bpf_int[$t]:-}"
	raw record "CPU s, window" "$t" "$rep" "$(sub "${cpu1[$t]}" "${cpu0[$t]}")"
	if [ "$t" != perf ]; then
		raw record "BPF s, window" "$t" "$rep" "$(awk -v a="${b0[0]}" -v b="${b1[0]}" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
	fi
	raw record "CPU s, whole run (start + window + stop)" "$t" "$rep" \
		"$(awk '{ u = $2; s = $3 } END { printf "%.2f", u + s }' "$tf")"
	raw record "peak RSS MB" "$t" "$rep" "$(awk '{ m = $4 } END { printf "%.1f", m / 1024 }' "$tf")"
	if [ "$t" != perf ]; then
		raw record "BPF ns / sample" "$t" "$rep" "$(awk -v a="${b0[1]}" -v b="${b1[1]}" -v m="${b0[2]}" -v n="${b1[2]}" 'BEGIN { if (n > m) printf "%.0f", (b - a) / (n - m); else print "nan" }')"
		taken=${bi[2]}
	fi
	case $t in
	bpfprof)
		lost=$(awk '/lost to stack-map collisions/ || /samples dropped/ { n += $2 } END { print n + 0 }' "$d/bpfprof.err")
		out=$(awk '{ n += $NF } END { print n + 0 }' "$d/bpfprof.folded")
		stacks=$(wc -l < "$d/bpfprof.folded")
		;;
	bpftrace)
		lost=$(awk '/failed to look up stack id/ { n++ } /Lost [0-9]+ events/ { n += $2 } END { print n + 0 }' "$d/bpftrace.err")
		out=$(awk '/\]: [0-9]+$/ { n += $NF } END { print n + 0 }' "$d/bpftrace.out")
		stacks=$(grep -c '^@\[' "$d/bpftrace.out" || true)
		;;
	perf)
		taken=$(awk '/^ *SAMPLE events:/ { print $3; exit }' "$d/perf.stats")
		lost=$(awk '/^ *LOST(_SAMPLES)? events:/ { n += $3 } END { print n + 0 }' "$d/perf.stats")
		out=$(awk '{ n += $NF } END { print n + 0 }' "$d/perf.folded")
		stacks=$(wc -l < "$d/perf.folded")
		;;
	esac
	[ "${out:-0}" -gt 0 ] || echo "bench: repetition $rep: $t's output holds no samples" >> "$T/notes"
	raw record "samples taken, attach to exit" "$t" "$rep" "${taken:-nan}"
	raw record "samples in the output, % of taken" "$t" "$rep" "$(pct "$out" "${taken:-0}")"
	raw record "samples lost (its own count), % of taken" "$t" "$rep" "$(pct "$lost" "${taken:-0}")"
	raw record "unique stacks in the output" "$t" "$rep" "$stacks"
	raw record "stop -> files s" "$t" "$rep" "${stop_s[$t]}"
	if [ "$t" = perf ]; then
		raw record "  post-processing s (perf script + collapse)" "$t" "$rep" "$(tfield "$d/post.time" 1)"
		raw record "  post-processing CPU s" "$t" "$rep" "$(awk '{ u = $2; s = $3 } END { printf "%.2f", u + s }' "$d/post.time")"
		raw record "  post-processing peak RSS MB" "$t" "$rep" "$(awk '{ m = $4 } END { printf "%.1f", m / 1024 }' "$d/post.time")"
	fi
}

# Phase 2: the monitor --------------------------------------------------------------------------

rss_mb() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
vol_switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '$1 == "voluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'; }

monitor_rep() {
	local rep=$1 d=$T/mon$rep mtp mp i c0 c1 b0 b1 t0 t1 rss2 rss_end v0 v1 f0 f1 started
	mkdir -p "$d/history"
	start_loads
	started=$(now)
	"${TIME[@]}" -o "$d/time" "$BP" monitor --window 1s --dir "$d/history" --socket "$d/sock" 2> "$d/err" &
	mtp=$!
	mp=$(child "$mtp")
	for i in $(seq 300); do
		[ "$(find "$d/history" -name '*.pb.gz' | wc -l)" -ge 2 ] && break
		sleep 0.1
		[ "$i" -lt 300 ] || { echo "bench: the monitor wrote no second window in 30 s" >&2; cat "$d/err" >&2; exit 1; }
	done
	rss2=$(rss_mb "$mp")
	c0=$(cpu_s "$mp"); read -r b0 _ <<< "$(bpf_ns "$mp")"; t0=$(now)
	sleep "$(awk -v s="$MON_SECS" -v e="$(sub "$t0" "$started")" 'BEGIN { x = s - e; print (x > 1 ? x : 1) }')"
	c1=$(cpu_s "$mp"); read -r b1 _ <<< "$(bpf_ns "$mp")"; t1=$(now)
	rss_end=$(rss_mb "$mp")
	stop_loads
	sleep 2
	v0=$(vol_switches "$mp"); f0=$(procs_forked)
	sleep $IDLE_SECS
	v1=$(vol_switches "$mp"); f1=$(procs_forked)
	kill -TERM "$mp"
	wait "$mtp" || true
	raw monitor "CPU % of one core (user + sys + BPF)" monitor "$rep" \
		"$(awk -v c="$(sub "$c1" "$c0")" -v b=$((b1 - b0)) -v s="$(sub "$t1" "$t0")" 'BEGIN { printf "%.3f", (c + b / 1e9) / s * 100 }')"
	raw monitor "  of which BPF %" monitor "$rep" \
		"$(awk -v b=$((b1 - b0)) -v s="$(sub "$t1" "$t0")" 'BEGIN { printf "%.3f", b / 1e9 / s * 100 }')"
	raw monitor "idle wake-ups / s" monitor "$rep" "$(awk -v a="$v0" -v b="$v1" -v s=$IDLE_SECS 'BEGIN { printf "%.1f", (b - a) / s }')"
	raw load "host's new processes / s, the monitor's idle 10 s (others')" all "$rep" "$(rate "$f0" "$f1" $IDLE_SECS)"
	raw monitor "RSS MB at the 2nd window" monitor "$rep" "$rss2"
	raw monitor "RSS MB at ${MON_SECS} s" monitor "$rep" "$rss_end"
	raw monitor "samples lost" monitor "$rep" "$(sed -n 's/.*stopped after.* lost \([0-9]*\).*/\1/p' "$d/err" | tail -1)"
	raw monitor "samples taken" monitor "$rep" "$(sed -n 's/.*stopped after.*samples taken \([0-9]*\).*/\1/p' "$d/err" | tail -1)"
}

# Summary ---------------------------------------------------------------------------------------

summarize() {
	python3 - "$RAW" "$OUT/results.tsv" <<'PY'
import statistics, sys
from collections import OrderedDict
rows = OrderedDict()
for line in open(sys.argv[1]):
    phase, metric, tool, rep, value = line.rstrip("\n").split("\t")
    try:
        v = float(value)
    except ValueError:
        continue
    if v != v:  # nan
        continue
    rows.setdefault((phase, metric), {}).setdefault(tool, {})[int(rep)] = v
# ratios within each repetition
for (phase, metric), tools in rows.items():
    if phase != "record" or "bpfprof" not in tools:
        continue
    for peer in ("perf", "bpftrace"):
        if peer in tools:
            r = {k: tools["bpfprof"][k] / tools[peer][k] for k in tools["bpfprof"]
                 if k in tools[peer] and tools[peer][k]}
            if r:
                tools["bpfprof/" + peer] = r

def fmt(x):
    if x == 0 or abs(x) >= 100:
        return "%.0f" % x
    return "%.3g" % x if abs(x) < 10 else "%.1f" % x

def cell(vals, ratio=False):
    if not vals:
        return "-"
    v = sorted(vals.values())
    m = statistics.median(v)
    s = (fmt(m) + ("x" if ratio else ""))
    if len(v) > 1:
        s += " [%s-%s]" % (fmt(v[0]), fmt(v[-1]))
    return s

with open(sys.argv[2], "w") as out:
    out.write("phase\tmetric\ttool\tmedian\tmin\tmax\tvalues\n")
    for (phase, metric), tools in rows.items():
        for tool, vals in tools.items():
            v = sorted(vals.values())
            out.write("%s\t%s\t%s\t%g\t%g\t%g\t%s\n" % (phase, metric, tool, statistics.median(v),
                      v[0], v[-1], ",".join("%g" % vals[k] for k in sorted(vals))))
cols = ["bpfprof", "perf", "bpftrace", "bpfprof/perf", "bpfprof/bpftrace"]
w = 46
print("%-*s %-20s %-20s %-20s %-18s %-18s" % (w, "record, same window", *cols))
for (phase, metric), tools in rows.items():
    if phase == "record":
        print("%-*s %-20s %-20s %-20s %-18s %-18s" % (w, metric, *(cell(tools.get(c, {}), "/" in c) for c in cols)))
print()
print("%-*s %s" % (w, "monitor (19 Hz, 1 s windows)", "bpfprof monitor"))
for (phase, metric), tools in rows.items():
    if phase == "monitor":
        print("%-*s %s" % (w, metric, cell(tools["monitor"])))
for (phase, metric), tools in rows.items():
    if phase == "load":
        print("%-*s %s" % (w, "load: " + metric, cell(tools["all"])))
PY
}

# Modes -----------------------------------------------------------------------------------------

# modes_overhead: what each mode costs the program it profiles. Each mode runs on a workload that
# hits its hook, BENCH_REPS times alone and profiled, with no load of ours: `record -- CMD` (the
# hooks are in place before the command starts) or, for -p, a target that stops itself until
# bpfprof has attached. The workload measures itself (wall ns of its loop; CPU ns for allocs);
# the slowdown is profiled / alone within a repetition, then the median. Rows:
#   offcpu, wall, lock   pingpong 100000: 200k futex waits and context switches
#   alloc, worst case    allocs 2000000: 4M mallocs (8 GB) as fast as malloc goes, shim preloaded
#   alloc, busy program  allocs 250000 4000: the same among arithmetic, ~1 GB/s, shim preloaded
#   alloc -p             allocs 5000 (10k mallocs): uprobes on libc's malloc, every call traps
#   alloc, java          Alloc 300000: 1.2 GB of arrays, sampled by HotSpot through the agent
# Printed as its own table; the ratios go to the TSV too (phase "modes").
modes_overhead() {
	local rows=(
		"offcpu|-e offcpu|$W/pingpong 100000"
		"wall|-e wall|$W/pingpong 100000"
		"lock|-e lock|$W/pingpong 100000"
		"alloc, worst case|-e alloc|$W/allocs 2000000"
		"alloc, busy program|-e alloc|$W/allocs 250000 4000"
		"alloc -p|-e alloc|$W/allocs 5000 0"
	)
	local java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java row name opts cmd rep a b pid rec i
	[ -x "$java" ] && rows+=("alloc, java|-e alloc|$java -XX:+PreserveFramePointer -cp $BUILD/tests/java Alloc 300000")
	measure() { sed -n 's/.*ns=\([0-9]*\).*/\1/p' | tail -n 1; }
	: > "$T/modes.tsv"
	echo "bench: modes: each on its own workload, alone and profiled, $REPS times" >&2
	for rep in $(seq "$REPS"); do
		for row in "${rows[@]}"; do
			IFS='|' read -r name opts cmd <<< "$row"
			a=$($cmd 2> /dev/null | measure)
			if [ "$name" = "alloc -p" ]; then
				$cmd stop > "$T/modes-p.out" 2> /dev/null &
				pid=$!
				for i in $(seq 100); do
					[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2> /dev/null)" = T ] && break
					sleep 0.05
				done
				"$BP" record $opts -p "$pid" -o "$T/modes.folded" 2> /dev/null &
				rec=$!
				sleep 3 # uprobes on a dozen functions: attached well before this
				kill -CONT "$pid"
				wait "$pid" "$rec" || true
				b=$(measure < "$T/modes-p.out")
			else
				b=$("$BP" record $opts -o "$T/modes.folded" -- $cmd 2> /dev/null | measure)
			fi
			[ -n "$a" ] && [ -n "$b" ] || { echo "modes: $name: no measure (alone '$a', profiled '$b')" >> "$T/notes"; continue; }
			printf '%s\t%s\t%s\t%s\n' "$name" "$rep" "$a" "$b" >> "$T/modes.tsv"
			raw modes "$name slowdown" bpfprof "$rep" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')"
		done
	done
	python3 - "$T/modes.tsv" << 'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rep, a, b = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((float(a), float(b)))
def ms(ns): return ("%.0f ms" if ns >= 1e8 else "%.3g ms") % (ns / 1e6)
print("%-46s %-14s %-14s %s" % ("modes (own workload, no load)", "alone", "profiled", "slowdown"))
for name, v in runs.items():
    r = sorted(b / a for a, b in v)
    span = " [%.2f-%.2f]" % (r[0], r[-1]) if len(r) > 1 else ""
    print("%-46s %-14s %-14s %.2fx%s" % (name, ms(statistics.median(a for a, _ in v)),
          ms(statistics.median(b for _, b in v)), statistics.median(r), span))
print()
PY
}

# Unwinding -------------------------------------------------------------------------------------

# unwind_cost: what CFI unwinding (bpf/unwind/native.bpf.h, user/unwind/) costs, with no load of
# ours, BENCH_REPS times; printed as its own table, the figures to the TSV too (phase "unwind").
#   BPF ns / sample    two host-wide `record`s over one window, --unwind cfi and --unwind fp, while
#                      manystacks runs on every CPU (built with frame pointers and CFI: the same
#                      stacks either way): run_time_ns / run_cnt of each one's perf_event programs
#   table build        `record -v` of a JVM (Burn): the loader's CPU ms for the tables of libc,
#                      libstdc++ and libjvm, as it logs them, and per MB of their executable bytes
#   RSS                GNU time's maximum RSS of `record` of a JVM and three C programs (one C++),
#                      --unwind auto against fp (the rows array is mmapped: touched pages count)
unwind_cost() {
	local java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java rep d i u pids a b ca cf lib line ms mb kb
	local cmd="$java -cp $BUILD/tests/java Burn 4 & $W/nofp_unwind recurse 4 & $W/nofp_except 4 & $W/split 4 > /dev/null & wait"
	echo "bench: unwinding: CFI against frame pointers, table builds, RSS; $REPS times" >&2
	for rep in $(seq "$REPS"); do
		d=$T/unwind$rep
		mkdir -p "$d"
		pids=()
		for i in $(seq "$(nproc)"); do "$W/manystacks" 12 8 > /dev/null & pids+=($!); done
		"$BP" record --unwind cfi -F $HZ --no-status -o "$d/cfi.folded" 2> /dev/null &
		ca=$!
		"$BP" record --unwind fp -F $HZ --no-status -o "$d/fp.folded" 2> /dev/null &
		cf=$!
		sleep 3 # attached, tables built
		a=$(bpf_ns $ca || true) b=$(bpf_ns $cf || true)
		sleep 6
		a="$a $(bpf_ns $ca || true)" b="$b $(bpf_ns $cf || true)"
		kill -INT $ca $cf
		wait $ca $cf "${pids[@]}" || true
		a=$(awk '{ print ($6 > $3 ? ($5 - $2) / ($6 - $3) : 0) }' <<< "$a")
		b=$(awk '{ print ($6 > $3 ? ($5 - $2) / ($6 - $3) : 0) }' <<< "$b")
		raw unwind "BPF ns / sample, CFI" bpfprof "$rep" "$a"
		raw unwind "BPF ns / sample, frame pointers" bpfprof "$rep" "$b"
		raw unwind "BPF ns / sample, CFI / frame pointers" bpfprof "$rep" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b ? a / b : 0 }')"
		[ -x "$java" ] || { echo "unwind: no $java: no table builds or RSS" >> "$T/notes"; continue; }
		"$BP" record -v -F 99 --no-status -o "$d/java.folded" -- "$java" -cp "$BUILD/tests/java" Burn 3 > /dev/null 2> "$d/java.err" || true
		for lib in libc.so.6 libstdc++.so.6 libjvm.so; do
			line=$(grep -m1 "unwind: [^ ]*/$lib[.0-9]*: [0-9]* rows from" "$d/java.err") || { echo "unwind: no table build logged for $lib" >> "$T/notes"; continue; }
			ms=$(awk '{ print $(NF - 1) }' <<< "$line")
			mb=$(readelf -lW "$(awk '{ sub(/:$/, "", $3); print $3 }' <<< "$line")" |
				awk '$1 == "LOAD" && / R E | RWE / { print $5 }' | while read -r h; do echo $((h)); done |
				awk '{ s += $1 } END { print s / 1e6 }')
			raw unwind "table build ms, $lib" bpfprof "$rep" "$ms"
			raw unwind "table build ms / MB of text, $lib" bpfprof "$rep" "$(awk -v a="$ms" -v b="$mb" 'BEGIN { print b ? a / b : 0 }')"
		done
		for u in auto fp; do
			"${TIME[@]}" -o "$d/rss_$u.time" "$BP" record --unwind $u -F $HZ --no-status -o "$d/rss.folded" -- sh -c "$cmd" > /dev/null 2>&1 || true
			kb=$(tfield "$d/rss_$u.time" 4)
			raw unwind "RSS MB, JVM + 3 C programs, --unwind $u" bpfprof "$rep" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')"
		done
	done
	python3 - "$RAW" << 'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    phase, metric, tool, rep, value = line.rstrip("\n").split("\t")
    if phase == "unwind":
        rows.setdefault(metric, []).append(float(value))
print("%-46s %s" % ("unwinding (manystacks on every CPU; a JVM)", "median [min-max]"))
for metric, v in rows.items():
    v.sort()
    f = "%.2f" if "/ frame" in metric else "%.1f" if v[-1] < 100 else "%.0f"
    print("%-46s %s%s" % (metric, f % statistics.median(v), (" [" + f + "-" + f + "]") % (v[0], v[-1]) if len(v) > 1 else ""))
print()
PY
}

# Main ------------------------------------------------------------------------------------------

mkdir -p "$OUT"
"$STATS" hold < /dev/null > "$T/hold" &
holder=$!
for i in $(seq 50); do grep -q holding "$T/hold" 2> /dev/null && break; sleep 0.1; done
grep -q holding "$T/hold" || { echo "bench: could not turn BPF statistics on" >&2; exit 1; }
echo "bench: $(nproc) CPUs, $REPS repetitions; record: $SECS s at $HZ Hz; monitor: $MON_SECS s at 19 Hz + ${IDLE_SECS} s idle; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq "$REPS"); do
	echo "bench: repetition $rep/$REPS: record, perf and bpftrace" >&2
	compare_rep "$rep"
	echo "bench: repetition $rep/$REPS: monitor" >&2
	monitor_rep "$rep"
done
echo "bench: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
modes_overhead
unwind_cost
summarize
[ ! -s "$T/notes" ] || { echo; cat "$T/notes"; }
echo
echo "bench: median [min-max] over $REPS repetitions; ratios within each repetition; TSV: $OUT/results.tsv"
