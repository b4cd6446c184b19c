# unwind_perf.sh - CFI-unwound stacks side by side with perf's DWARF mode, on one run: bpfprof
# records `perf record --call-graph dwarf` running a program built like a distribution's (gcc/g++
# -O2, no frame pointers), so both sample the same execution at the same rate. Two programs:
# nofp_unwind libc (60/30/10 under qsort, bsearch and pthread_once) and nofp_except (C++
# exceptions in flight: samples inside libgcc_s's unwinder and libstdc++'s personality routine).
# Checked: main reached in >= 98% of samples, each part's share within 3 points of the CPU time
# the program measured itself, and each function's inclusive share within 2 points of perf's.
# Each part runs 20 times in a row, so the phases are long against the sampling period and the
# two profilers' shares differ by their unwinding, not by sampling noise.
. "$(dirname "$0")/../lib.sh"
WL=$BUILD/tests/workloads
if ! command -v perf > /dev/null || ! perf record -q -o "$TMP/probe.data" -- true > /dev/null 2>&1; then
	note "perf missing or not usable (tools/deps.sh installs linux-perf): skipped"
	done_testing
	exit 0
fi

# both NAME COMM CMD...: bpfprof over perf over CMD; NAME.folded, NAME.perf (perf script), NAME.out
both() {
	local name=$1; shift 1
	"$BPFPROF" record -F 999 -o "$TMP/$name.folded" -- perf record -q -F 999 --call-graph dwarf -o "$TMP/$name.data" -- "$@" > "$TMP/$name.out" 2> "$TMP/$name.err" &&
		perf script --no-inline -F comm,ip,sym -i "$TMP/$name.data" > "$TMP/$name.perf" 2> /dev/null
}

# shares COMM NAME: "function ours perf", inclusive shares of COMM's samples, for every user
# function both name
shares() {
	awk -v COMM="$1" '
		FNR == 1 { file++ }
		file == 1 {
			if ($0 ~ /^#/) next
			c = $NF; s = $0; sub(/ [0-9]+$/, "", s)
			n = split(s, f, ";")
			if (f[1] != COMM) next
			tb += c; delete seen
			for (i = 2; i <= n; i++)
				if (f[i] !~ /_\[k\]$/ && !(f[i] in seen)) { seen[f[i]] = 1; b[f[i]] += c }
			next
		}
		function flush() {
			if (cur == COMM) { tp++; for (k in ps) p[k]++ }
			cur = ""; delete ps
		}
		/^[^ \t]/ { flush(); cur = $1; next }
		/^[ \t]/ { sym = $0; sub(/^[ \t]*[0-9a-f]+ /, "", sym); ps[sym] = 1 }
		/^$/ { flush() }
		END {
			flush()
			for (k in b)
				if ((k in p) && k !~ /^\[/ && tb && tp)
					printf "%s %.1f %.1f\n", k, 100 * b[k] / tb, 100 * p[k] / tp
		}' "$TMP/$2.folded" "$TMP/$2.perf"
}

# check NAME COMM PARTS... -- KEYS...: the three checks; PARTS are the program's "share" names,
# KEYS functions perf and bpfprof must both show
check() {
	local name=$1 comm=$2; shift 2
	local parts=() keys=() m sum got want worst
	while [ "$1" != -- ]; do parts+=("$1"); shift; done
	shift; keys=("$@")
	grep "^$comm;" "$TMP/$name.folded" > "$TMP/$name.own" # not perf's own samples
	m=$(share "$TMP/$name.own" ';main(;|$)')
	within "$m" 98 100; ok $? "$name: main reached in $m% of samples (>= 98)"
	sum=0
	for p in "${parts[@]}"; do sum=$(awk -v a="$sum" -v b="$(share "$TMP/$name.own" ";$p;")" 'BEGIN { print a + b }'); done
	for p in "${parts[@]}"; do
		got=$(awk -v x="$(share "$TMP/$name.own" ";$p;")" -v s="$sum" 'BEGIN { printf "%.1f", s ? 100 * x / s : 0 }')
		want=$(awk -v n="$p" '$1 == "share" && $2 == n { print $3 }' "$TMP/$name.out")
		within "$got" "$(awk -v w="$want" 'BEGIN { print w - 3 }')" "$(awk -v w="$want" 'BEGIN { print w + 3 }')"
		ok $? "$name: $p $got% of the parts, the program measured $want% (within 3 points)"
	done
	shares "$comm" "$name" > "$TMP/$name.shares"
	for k in "${keys[@]}"; do
		grep -q "^$k " "$TMP/$name.shares"; ok $? "$name: perf and bpfprof both show $k ($(grep "^$k " "$TMP/$name.shares" | cut -d' ' -f2-))"
	done
	worst=$(awk '{ d = $2 - $3; if (d < 0) d = -d; if (d > w) { w = d; f = $1 } } END { printf "%.1f %s", w, f }' "$TMP/$name.shares")
	note "$name: $(wc -l < "$TMP/$name.shares") functions named by both; the largest difference is ${worst% *} points (${worst#* })"
	awk '{ d = $2 - $3; if (d > 2 || d < -2) { print "# " $0; bad = 1 } } END { exit bad }' "$TMP/$name.shares"
	ok $? "$name: every function's share within 2 points of perf's"
}

both libc "$WL/nofp_unwind" libc 4 20; ok $? "bpfprof record -- perf record --call-graph dwarf -- nofp_unwind libc"
check libc nofp_unwind cmp_a cmp_b once_c -- main run_a cmp_a bsearch cmp_b __pthread_once_slow once_c
both except "$WL/nofp_except" 4 20; ok $? "bpfprof record -- perf record --call-graph dwarf -- nofp_except"
check except nofp_except run_throw run_sort -- main thrower __cxa_throw _Unwind_RaiseException _Unwind_Find_FDE __gxx_personality_v0 less_spin
done_testing
