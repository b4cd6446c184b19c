#!/usr/bin/env bash
# report_history.sh - `bpfprof report --dir` over a history made of real recordings: three
# `bpfprof record -o wN.pb.gz` runs of tests/workloads/split are put in a directory under the
# window names the monitor gives them (UTC start and end, read from each file's own time_nanos
# and duration_nanos). The merge of every window must equal, stack by stack, the sum of the
# windows converted one by one (`report wN.pb.gz`); --from/--to select by time; --comm
# filters; bad directories and times, and ranges holding no window, are one-line errors. Last,
# a CPU profile written by Go's runtime/pprof reads with go tool pprof's sample count, root-first
# stacks and its pprof.Labels usable by --label.
. "$(dirname "$0")/../lib.sh"
export HOME=${HOME:-$TMP} GOTOOLCHAIN=local GOCACHE=$TMP/gocache
SPLIT=$BUILD/tests/workloads/split
H=$TMP/history

[ -x "$SPLIT" ]; ok $? "workload $SPLIT is built (make tests-build)"
[ "$(id -u)" -eq 0 ]; ok $? "running as root (BPF needs it)"

# window FILE: "START_NS END_NS NAME" of a pprof file as daemon/history.c names it
window() {
	python3 - "$1" <<'EOF'
import gzip, sys, time
data = gzip.open(sys.argv[1]).read()
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if c < 0x80: return v, i
f, i = {}, 0
while i < len(data):
    key, i = varint(data, i)
    field, wt = key >> 3, key & 7
    if wt == 0:
        v, i = varint(data, i); f[field] = v
    elif wt == 2:
        n, i = varint(data, i); i += n
    elif wt == 1: i += 8
    elif wt == 5: i += 4
start, end = f[9], f[9] + f.get(10, 0)
st = lambda ns: time.strftime("%Y%m%dT%H%M%S", time.gmtime(ns // 10**9)) + ".%09dZ" % (ns % 10**9)
print(start, end, st(start) + "_" + st(end) + ".pb.gz")
EOF
}
# same GOT WANT: GOT sorted is WANT, which has samples (two missing files are not "equal")
same() { [ -s "$2" ] && sort "$1" | cmp -s - "$2"; }
# sum FOLDED...: stacks summed across files, sorted
sum() { awk '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); t[s] += c } END { for (s in t) print s, t[s] }' "$@" | sort; }

mkdir -p "$H"
for n in 0 1 2; do
	"$BPFPROF" record -d 1 -F 499 --no-status -o "$TMP/w$n.pb.gz" -- "$SPLIT" 2 > "$TMP/rec.log" 2>&1
	ok $? "record -o w$n.pb.gz" || note "$(tail -n 3 "$TMP/rec.log")"
	read -r s e name <<< "$(window "$TMP/w$n.pb.gz")"
	starts[$n]=$s ends[$n]=$e
	cp "$TMP/w$n.pb.gz" "$H/$name"
	"$BPFPROF" report "$TMP/w$n.pb.gz" -o "$TMP/w$n.folded"; ok $? "report w$n.pb.gz reads pprof"
	[ "$(total "$TMP/w$n.folded")" -gt 100 ]; ok $? "window $n has samples ($(total "$TMP/w$n.folded"))"
done
note "windows: ${starts[*]} / ${ends[*]}"
[ "${ends[0]}" -le "${starts[1]}" ] && [ "${ends[1]}" -le "${starts[2]}" ]
ok $? "the recordings are one after another"
# unix seconds with 9 decimals, as --from/--to take them
secs() { printf '%d.%09d' $(($1 / 1000000000)) $(($1 % 1000000000)); }

# --- all windows: equal to the sum of the three, stack by stack
"$BPFPROF" report --dir "$H" -o "$TMP/all.folded"; ok $? "report --dir exits 0"
sum "$TMP/w0.folded" "$TMP/w1.folded" "$TMP/w2.folded" > "$TMP/want.folded"
same "$TMP/all.folded" "$TMP/want.folded"; ok $? "merge of all windows = sum of the windows ($(total "$TMP/all.folded") samples)"
[ "$(share "$TMP/all.folded" '(^|;)hot_a(;|$)' | cut -d. -f1)" -ge 50 ]; ok $? "hot_a leads the merge"

# --- --from/--to: windows 1 and 2, then window 0 alone
"$BPFPROF" report --dir "$H" --from "$(secs "${starts[1]}")" --to "$(secs "${ends[2]}")" -o "$TMP/r12.folded"
ok $? "report --dir --from w1 --to w2"
sum "$TMP/w1.folded" "$TMP/w2.folded" > "$TMP/want12.folded"
same "$TMP/r12.folded" "$TMP/want12.folded"; ok $? "--from/--to select windows 1 and 2 exactly"
"$BPFPROF" report --dir "$H" --to "$(secs "${starts[1]}")" -o "$TMP/r0.folded"
sum "$TMP/w0.folded" > "$TMP/want0.folded"
same "$TMP/r0.folded" "$TMP/want0.folded"; ok $? "--to the start of window 1 selects window 0 only"
"$BPFPROF" report --dir "$H" --from "$(secs $((ends[0] - 1)))" --to "$(secs $((ends[0] + 1)))" -o "$TMP/edge.folded"
same "$TMP/edge.folded" "$TMP/want0.folded"; ok $? "a range over window 0's last ns selects it whole"

# --- pprof output of a range keeps the meta; go tool pprof reads it
"$BPFPROF" report --dir "$H" -o "$TMP/all.pb.gz"; ok $? "report --dir -o all.pb.gz"
go tool pprof -top "$TMP/all.pb.gz" 2>/dev/null | grep -q ' hot_a$'; ok $? "go tool pprof reads the merged range"
"$BPFPROF" report "$TMP/all.pb.gz" -o "$TMP/back.folded"
same "$TMP/back.folded" "$TMP/want.folded"; ok $? "merged pprof read back = sum of the windows"

# --- filters
"$BPFPROF" report --dir "$H" --comm '^split$' -o "$TMP/c.folded"
same "$TMP/c.folded" "$TMP/want.folded"; ok $? "--comm '^split\$' keeps everything"
out=$("$BPFPROF" report --dir "$H" --comm '^nginx$' -o "$TMP/none.folded" 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && [[ $out == *"kept no samples"* ]]
ok $? "--comm matching nothing: one-line error (rc $rc: $out)"

# --- errors: one line, non-zero
err() { # err WANT_SUBSTRING ARGS...: report fails with one line containing WANT_SUBSTRING
	local want=$1 out rc
	shift
	out=$("$BPFPROF" report "$@" -o "$TMP/err.folded" 2>&1); rc=$?
	[ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && [[ $out == *"$want"* ]]
	ok $? "report $* -> '$want' (rc $rc: $out)"
}
err "no history directory" --dir "$TMP/nope"
err "is not a time" --dir "$H" --from yesterday
err "is not a time" --dir "$H" --to 2026-02-30T00:00:00Z
err "is not before" --dir "$H" --from "$(secs "${ends[2]}")" --to "$(secs "${starts[0]}")"
err "it holds" --dir "$H" --from 2000-01-01T00:00:00Z --to 2000-01-02T00:00:00Z
err "holds no windows" --dir "$TMP"
err "not both" --dir "$H" "$TMP/w0.folded"
err "add --dir" "$TMP/w0.folded" --from -1h
err "--label" --dir "$H" --label novalue
: > "$TMP/bad.pb.gz"
err "empty" "$TMP/bad.pb.gz"
head -c 100 "$TMP/w0.pb.gz" > "$TMP/cut.pb.gz"
err "truncated gzip" "$TMP/cut.pb.gz"

# a temporary left by a killed writer is not a window
cp "$TMP/w0.pb.gz" "$H/.$(window "$TMP/w0.pb.gz" | cut -d' ' -f3).AbC123"
"$BPFPROF" report --dir "$H" -o "$TMP/all2.folded"
same "$TMP/all2.folded" "$TMP/want.folded"; ok $? "a hidden temporary is not counted"

# --- a pprof written by Go's runtime/pprof: functions, root-first stacks and labels come through
mkdir -p "$TMP/gop"
cat > "$TMP/gop/main.go" <<'EOF'
package main

import (
	"context"
	"os"
	"runtime/pprof"
	"time"
)

var sink uint64

//go:noinline
func burn(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 100000; i++ {
			sink = sink*6364136223846793005 + 1442695040888963407
		}
	}
}

func main() {
	f, _ := os.Create(os.Args[1])
	pprof.StartCPUProfile(f)
	pprof.Do(context.Background(), pprof.Labels("worker", "w1"), func(context.Context) {
		burn(1500 * time.Millisecond)
	})
	pprof.StopCPUProfile()
	f.Close()
}
EOF
(cd "$TMP/gop" && GO111MODULE=off go run main.go "$TMP/go.pb.gz" > "$TMP/go.log" 2>&1)
ok $? "a Go program wrote a CPU profile" || note "$(tail -n 3 "$TMP/go.log")"
"$BPFPROF" report "$TMP/go.pb.gz" -o "$TMP/go.folded"; ok $? "report reads Go's pprof"
want=$(go tool pprof -top -sample_index=0 "$TMP/go.pb.gz" 2>/dev/null | sed -n 's/.* of \([0-9]*\) total.*/\1/p' | head -1)
[ -n "$want" ] && [ "$(total "$TMP/go.folded")" = "$want" ]
ok $? "same sample count as go tool pprof ($(total "$TMP/go.folded") vs $want)"
[ "$(share "$TMP/go.folded" '(^|;)main\.burn(;|$)' | cut -d. -f1)" -ge 80 ]
ok $? "main.burn holds the samples ($(share "$TMP/go.folded" '(^|;)main\.burn(;|$)')%)"
grep -q '^runtime\.main;main\.main;runtime/pprof\.Do;' "$TMP/go.folded"; ok $? "root first: runtime.main;main.main;runtime/pprof.Do;..."
"$BPFPROF" report "$TMP/go.pb.gz" --label worker=w1 -o "$TMP/gow.folded"
[ "$(total "$TMP/gow.folded")" -gt 0 ] && grep -q 'main\.burn' "$TMP/gow.folded"
ok $? "Go's labels kept: --label worker=w1 finds the burn ($(total "$TMP/gow.folded") samples)"
err "left no samples" "$TMP/go.pb.gz" --label worker=w2

done_testing
