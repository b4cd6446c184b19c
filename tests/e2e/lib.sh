# lib.sh - shared helpers for the end-to-end tests (sourced). Prints TAP lines like check.h.
#
# ok COND_STATUS "what"    e.g.  [ "$x" -gt 3 ]; ok $? "x above 3"
# share FOLDED REGEX       percent (one decimal) of samples whose stack matches REGEX (awk ERE)
# TMP                      a per-test scratch directory, removed at exit
# cleanup_pids, cleanup_files  processes killed and files removed at exit (files outside TMP)
# wait_jvm PID            true once a JVM catches SIGQUIT (HotSpot attach is then safe), within 5 s
tap_n=0 failed=0
TMP=$(mktemp -d /tmp/bpfprof-test.XXXXXX)
cleanup_pids=() cleanup_files=()
# A JVM's agent leaves /tmp/perf-PID.threads and .methods beside its map: gone with the JVM.
trap 'for p in "${cleanup_pids[@]}"; do kill -9 "$p" 2>/dev/null; rm -f "/tmp/perf-$p.threads" "/tmp/perf-$p.methods"; done; rm -rf "$TMP" "${cleanup_files[@]}"' EXIT
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; failed=$((failed + 1)); fi
}
note() { echo "# $*"; }
# share FILE REGEX: percent of all samples whose stack matches REGEX ('#' lines: comments, units)
share() {
	awk -v re="$2" '/^#/ { next } { c = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += c; if (s ~ re) m += c }
		END { if (t == 0) print 0; else printf "%.1f\n", 100 * m / t }' "$1"
}
# total FILE: sum of counts
total() { awk '/^#/ { next } { t += $NF } END { print t + 0 }' "$1"; }
# within X LO HI: true when LO <= X <= HI (decimals ok)
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }
# wait_jvm PID: true once the JVM catches SIGQUIT (its signal handlers are in place)
wait_jvm() {
	local i
	for ((i = 0; i < 50; i++)); do
		local cgt; cgt=$(awk '/^SigCgt/ { print $2 }' "/proc/$1/status" 2>/dev/null)
		[ -n "$cgt" ] && (( (0x$cgt >> 2) & 1 )) && grep -q libjvm.so "/proc/$1/maps" && return 0
		sleep 0.1
	done
	return 1
}
done_testing() { echo "1..$tap_n"; [ "$failed" -eq 0 ]; }
