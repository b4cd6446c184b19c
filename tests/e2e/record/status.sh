# record_status.sh - the live status line: shown on a terminal (elapsed / total, samples,
# lost), absent when stderr is a file, and gone with --no-status.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
if ! command -v script > /dev/null; then ok 1 "script(1) from bsdutils is installed"; done_testing; exit; fi
env -u CI script -q -e -c "$BPFPROF record -F 199 -d 3 -o $TMP/t.folded -- $W 3" "$TMP/tty.log" > /dev/null 2>&1
ok $? "record on a pseudo-terminal exits 0"
grep -Eq 'recording [0-9]+s / 3s, [0-9]+ samples, [0-9]+ lost' "$TMP/tty.log"
ok $? "terminal: status line 'recording Ns / 3s, N samples, N lost'"
n=$(grep -Eo 'recording [0-9]+s / 3s, [1-9][0-9]* samples' "$TMP/tty.log" | wc -l)
[ "$n" -ge 1 ]; ok $? "terminal: the status line counts samples as they come ($n updates with samples)"
"$BPFPROF" record -F 199 -d 1 -o "$TMP/f.folded" -- "$W" 1 2> "$TMP/err" > /dev/null
! grep -Eq 'recording [0-9]+s' "$TMP/err"; ok $? "stderr not a terminal: no status line"
env -u CI script -q -e -c "$BPFPROF record --no-status -F 199 -d 2 -o $TMP/t2.folded -- $W 2" "$TMP/tty2.log" > /dev/null 2>&1
! grep -Eq 'recording [0-9]+s' "$TMP/tty2.log"; ok $? "--no-status: quiet on a terminal too"
done_testing
