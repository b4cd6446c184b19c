#!/usr/bin/env bash
# run.sh - run every test and print "N passed, N failed".
#
# Each test (build/tests/unit/*/test_*, tests/e2e/*/*.sh) prints TAP lines: "ok N - what" or
# "not ok N - what"; "# ..." lines explain. A test that exits non-zero without a failing line
# counts as one failure. TESTS="pattern" runs only matching tests. Exit status: 0 iff none failed.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-$PWD/build}
export BPFPROF=${BPFPROF:-$BUILD/bpfprof} ROOT=$PWD
pass=0 fail=0 failed_names=()
run_one() {
	local name=$1; shift
	local out rc p f t0=$SECONDS
	echo "== $name"
	out=$(timeout 300 "$@" 2>&1 < /dev/null); rc=$? # stdin: not the list of tests (script(1) reads it)
	echo "   # took $((SECONDS - t0)) s"
	printf '%s\n' "$out" | grep -E '^(ok|not ok|#|1\.\.)' | sed 's/^/   /'
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		printf '%s\n' "$out" | tail -n 15 | sed 's/^/   ! /'
		echo "   not ok - $name exited with status $rc"
	fi
	pass=$((pass + p)) fail=$((fail + f))
	[ "$f" -gt 0 ] && failed_names+=("$name")
}
# Unit tests mirror user/ (build/tests/unit/symbolize/test_ksyms); end-to-end tests are grouped
# by what they exercise (tests/e2e/record/pid.sh). Names are shown relative to those roots.
# Two lanes run side by side, the second's output shown after the first's: the end-to-end tests
# that sample workloads and measure shares and rates, and beside them the unit tests and the
# end-to-end tests that only read files, wait on timeouts or check shares of their own command
# (SIDE), none of which measures time or rates or runs a JVM (a host-wide recording in the first
# lane attaches to every JVM it meets): on a 2-CPU machine the suite stays near its 10 minutes.
SIDE='^(report/|record/(formats|unwind_debug|unwind_perf)$|monitor/config$)'
e2e_tests() { find tests/e2e -mindepth 2 -name '*.sh' | sort; }
side_lane() {
	while read -r t; do
		name=${t#"$BUILD"/tests/unit/}
		[ -n "${TESTS:-}" ] && [[ "$name" != *$TESTS* ]] && continue
		run_one "$name" "$t"
	done < <(find "$BUILD/tests/unit" -type f -name 'test_*' ! -name '*.d' -perm -u+x | sort)
	while read -r t; do
		name=${t#tests/e2e/}
		name=${name%.sh}
		[[ "$name" =~ $SIDE ]] || continue
		[ -n "${TESTS:-}" ] && [[ "$name" != *$TESTS* ]] && continue
		run_one "$name" bash "$t"
	done < <(e2e_tests)
	echo "side lane: $pass $fail ${failed_names[*]}"
}
unit_out=$(mktemp /tmp/bpfprof-unit.XXXXXX)
side_lane > "$unit_out" 2>&1 &
lane=$!
while read -r t; do
	name=${t#tests/e2e/}
	name=${name%.sh}
	[[ "$name" =~ $SIDE ]] && continue
	[ -n "${TESTS:-}" ] && [[ "$name" != *$TESTS* ]] && continue
	run_one "$name" bash "$t"
done < <(e2e_tests)
wait "$lane"
grep -v '^side lane: ' "$unit_out"
read -r _ _ up uf unames < <(grep '^side lane: ' "$unit_out" || echo "side lane: 0 1 side-lane-lost")
rm -f "$unit_out"
pass=$((pass + up)) fail=$((fail + uf))
[ -n "${unames:-}" ] && failed_names+=($unames)
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
