#!/usr/bin/env bash
# -e offcpu on a thread that spins 10 ms and sleeps 10 ms in turn: the off-CPU total is the
# time it says it slept (+-10 %), all of it under nanosleep with the kernel's reason
# (do_nanosleep); the spin is not there; --min-block above the sleep leaves nothing; cpu shows
# the spin only. Units go through folded (header), text, HTML and pprof, and come back in report;
# diff keeps one unit and refuses two; wall without a target is refused.
source "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/spinsleep

out=$("$BPFPROF" record -e offcpu -o "$TMP/off.folded" -o "$TMP/off.pb.gz" -o "$TMP/off.html" \
	-o "$TMP/off.txt" -- "$W" 1.5 2>"$TMP/err")
ok $? "record -e offcpu -- spinsleep runs"
slept=$(sed -n 's/.*slept_ns=\([0-9]*\).*/\1/p' <<<"$out")
tot=$(total "$TMP/off.folded")
note "slept ${slept} ns by its own clock, off-CPU ${tot} ns; $(tail -1 "$TMP/err")"
ok "$(awk -v t="$tot" -v s="$slept" 'BEGIN { exit !(s > 0 && t >= 0.9 * s && t <= 1.1 * s) }'; echo $?)" \
	"off-CPU total within 10 % of the time slept"
sleep_share=$(share "$TMP/off.folded" 'nanosleep')
ok "$(within "$sleep_share" 95 100; echo $?)" "off-CPU time is under nanosleep ($sleep_share %)"
ok "$(within "$(share "$TMP/off.folded" 'do_nanosleep_\[k\];schedule_\[k\]')" 95 100; echo $?)" \
	"the kernel stack says why: do_nanosleep -> schedule"
ok "$(within "$(share "$TMP/off.folded" 'spin_half;|spin_half$')" 0 2; echo $?)" \
	"the spin is not off-CPU time"
grep -qx '# unit: nanoseconds' "$TMP/off.folded" && grep -qx '# type: off_cpu' "$TMP/off.folded"
ok $? "folded says its unit: # type: off_cpu, # unit: nanoseconds"
grep -q 'off_cpu' "$TMP/err" && grep -Eq '[0-9.]+ (ms|s) off_cpu' "$TMP/err"
ok $? "the summary speaks time: $(tail -1 "$TMP/err" | cut -c1-60)"
grep -Eq '^ +[0-9.]+ (ms|s) +100.00%' "$TMP/off.txt" && grep -q '^event: offcpu, off_cpu: ' "$TMP/off.txt"
ok $? "text shows ms/s, not samples"
grep -q '"unit":"nanoseconds"' "$TMP/off.html"
ok $? "the HTML page gets the unit"
top=$(go tool pprof -top "$TMP/off.pb.gz" 2>/dev/null)
grep -q '^Type: off_cpu' <<<"$top" && grep -Eq 'Total samples = [0-9.]+(ms|s)' <<<"$top"
ok $? "pprof sample type off_cpu/nanoseconds ($(grep -o 'Total samples = [^ ]*' <<<"$top"))"
"$BPFPROF" report "$TMP/off.folded" --format text >"$TMP/back.txt" 2>&1 &&
	grep -q '^event: offcpu, off_cpu: ' "$TMP/back.txt"
ok $? "report reads the unit back from folded"
"$BPFPROF" report "$TMP/off.folded" -o "$TMP/back.pb.gz" 2>/dev/null &&
	go tool pprof -raw "$TMP/back.pb.gz" 2>/dev/null | grep -q 'off_cpu/nanoseconds'
ok $? "report folded -> pprof keeps off_cpu/nanoseconds"

"$BPFPROF" record -e offcpu --min-block 30ms -o "$TMP/min.folded" -- "$W" 0.5 >/dev/null 2>&1
ok $? "record --min-block 30ms runs"
ok "$(within "$(total "$TMP/min.folded")" 0 50000000; echo $?)" \
	"--min-block 30ms drops the 10 ms sleeps (left: $(total "$TMP/min.folded") ns)"

"$BPFPROF" record -e cpu -o "$TMP/cpu.folded" -- "$W" 1 >/dev/null 2>&1
ok $? "record -e cpu runs"
ok "$(within "$(share "$TMP/cpu.folded" 'spin_half')" 90 100; echo $?)" \
	"cpu shows the spin ($(share "$TMP/cpu.folded" 'spin_half') %)"
ok "$(within "$(share "$TMP/cpu.folded" 'do_nanosleep')" 0 3; echo $?)" "cpu does not show the sleep"
! grep -q '^# unit' "$TMP/cpu.folded"
ok $? "cpu folded stays plain sample counts (no unit header)"

"$BPFPROF" diff "$TMP/cpu.folded" "$TMP/off.folded" -o "$TMP/d.folded" 2>"$TMP/derr"
rc=$?
[ "$rc" -ne 0 ] && grep -q 'one unit' "$TMP/derr" && [ "$(wc -l <"$TMP/derr")" -eq 1 ]
ok $? "diff of samples and nanoseconds is refused in one line (exit $rc)"

"$BPFPROF" diff "$TMP/min.folded" "$TMP/off.folded" -o "$TMP/d.folded" 2>/dev/null &&
	"$BPFPROF" diff "$TMP/min.folded" "$TMP/off.folded" -o "$TMP/d.html" 2>/dev/null
ok $? "diff of two off-CPU profiles runs"
grep -qx '# unit: nanoseconds' "$TMP/d.folded" && grep -q '"unit":"nanoseconds"' "$TMP/d.html" &&
	grep -Eq 'BASE [0-9.]+ (ns|us|ms|s), NEW [0-9.]+ (ms|s)' "$TMP/d.html"
ok $? "the diff keeps the unit: folded header, HTML in ms/s"

"$BPFPROF" record -e wall -d 1 -o "$TMP/w.folded" 2>"$TMP/werr"
rc=$?
[ "$rc" -ne 0 ] && grep -q 'needs a target' "$TMP/werr" && [ "$(wc -l <"$TMP/werr")" -eq 1 ]
ok $? "wall without -p or a command: one line, exit $rc ($(cut -c1-60 "$TMP/werr"))"
done_testing
