#!/usr/bin/env bash
# -e wall on a thread that spins 10 ms and sleeps 10 ms in turn: half its wall time is in the
# spin and half in the sleep (+-5 points), and the total is its run time; -e cpu,offcpu keeps
# the two apart as two pprof sample types, cpu/nanoseconds and off_cpu/nanoseconds.
source "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/spinsleep

"$BPFPROF" record -e wall -o "$TMP/wall.folded" -- "$W" 2 >/dev/null 2>"$TMP/err"
ok $? "record -e wall -- spinsleep runs"
spin=$(share "$TMP/wall.folded" 'spin_half')
sleep=$(share "$TMP/wall.folded" 'nanosleep')
note "spin ${spin} %, sleep ${sleep} % of $(total "$TMP/wall.folded") ns; $(tail -1 "$TMP/err")"
ok "$(within "$spin" 45 55; echo $?)" "wall: the spin is half ($spin %)"
ok "$(within "$sleep" 45 55; echo $?)" "wall: the sleep is half ($sleep %)"
ok "$(within "$(total "$TMP/wall.folded")" 1800000000 2300000000; echo $?)" \
	"wall: the total is the thread's 2 s of wall time ($(total "$TMP/wall.folded") ns)"
grep -qx '# type: wall' "$TMP/wall.folded" && grep -qx '# unit: nanoseconds' "$TMP/wall.folded"
ok $? "folded says wall, nanoseconds"

"$BPFPROF" record -e cpu,offcpu -o "$TMP/both.pb.gz" -o "$TMP/both.folded" -- "$W" 1 \
	>/dev/null 2>"$TMP/err2"
ok $? "record -e cpu,offcpu runs"
raw=$(go tool pprof -raw "$TMP/both.pb.gz" 2>/dev/null)
grep -q 'cpu/nanoseconds off_cpu/nanoseconds' <<<"$raw"
ok $? "pprof has two sample types: cpu/nanoseconds, off_cpu/nanoseconds"
# cum% of the function named $2 for sample type $3
cum() {
	go tool pprof -sample_index="$3" -top "$1" 2>/dev/null | awk -v f="$2" '$NF == f { sub(/%/, "", $5); print $5; exit }'
}
cpu_spin=$(cum "$TMP/both.pb.gz" spin_half cpu)
off_sleep=$(cum "$TMP/both.pb.gz" clock_nanosleep off_cpu)
cpu_sleep=$(cum "$TMP/both.pb.gz" clock_nanosleep cpu)
note "cpu: spin_half ${cpu_spin} %, clock_nanosleep ${cpu_sleep:-0} %; off_cpu: clock_nanosleep ${off_sleep} %"
ok "$(within "${cpu_spin:-0}" 90 100; echo $?)" "cpu column: the spin ($cpu_spin %)"
ok "$(within "${cpu_sleep:-0}" 0 5; echo $?)" "cpu column: not the sleep (${cpu_sleep:-0} %)"
ok "$(within "${off_sleep:-0}" 95 100; echo $?)" "off_cpu column: the sleep ($off_sleep %)"
grep -q 'cpu' "$TMP/err2" && grep -q 'off_cpu' "$TMP/err2"
ok $? "the summary gives both totals: $(tail -1 "$TMP/err2" | cut -c1-70)"

"$BPFPROF" record -e wall,offcpu -p 1 -d 1 -o "$TMP/x.folded" 2>"$TMP/err3"
rc=$?
[ "$rc" -ne 0 ] && grep -q 'stands alone' "$TMP/err3"
ok $? "wall,offcpu is refused: $(cut -c1-70 "$TMP/err3")"
done_testing
