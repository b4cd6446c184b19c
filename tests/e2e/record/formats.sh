#!/usr/bin/env bash
# record_formats.sh - every output format written by `bpfprof record` itself from a real run of
# tests/workloads/split (hot_a/hot_b/hot_c burn 60/30/10 of its CPU), each read back by its real
# consumer: go tool pprof, node, headless chromium. Shares must be within 5 points of the known
# split. Needs root (BPF); without it the tests fail with the reason rather than skip.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../browser.inc"
export HOME=${HOME:-$TMP} GOTOOLCHAIN=local GOCACHE=$TMP/gocache
SPLIT=$BUILD/tests/workloads/split

# record OUT: profile split for 3 s at 499 Hz into OUT (about 1500 samples, so one sigma of a
# share is ~1.3 points); the exit status is record's
record() {
	"$BPFPROF" record -d 3 -F 499 --no-status -o "$1" -- "$SPLIT" 4 > "$TMP/record.log" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || note "record -o $(basename "$1") failed ($rc): $(tail -n 3 "$TMP/record.log")"
	return $rc
}
# near X WANT: X within 5 points of WANT
near() { within "${1:-nan}" "$(($2 - 5))" "$(($2 + 5))"; }

[ -x "$SPLIT" ]; ok $? "workload $SPLIT is built (make tests-build)"
[ "$(id -u)" -eq 0 ]; ok $? "running as root (BPF needs it)"

# --- folded, and the same recording converted by report to speedscope
record "$TMP/rec.folded"; ok $? "record -o rec.folded"
for f in hot_a:60 hot_b:30 hot_c:10; do
	got=$(share "$TMP/rec.folded" "(^|;)${f%:*}(;|$)")
	near "$got" "${f#*:}"; ok $? "folded: ${f%:*} ${got}% (want ${f#*:} +-5)"
done
"$BPFPROF" report "$TMP/rec.folded" -o "$TMP/conv.speedscope.json"
got=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	console.log(j.profiles[0].weights.reduce((a, b) => a + b, 0))' "$TMP/conv.speedscope.json")
want=$(total "$TMP/rec.folded")
[ -n "$got" ] && [ "$got" = "$want" ]; ok $? "speedscope weights sum $got = folded total $want"

# --- pprof written by record: cpu sample type, cum shares of hot_a/b/c
record "$TMP/rec.pb.gz"; ok $? "record -o rec.pb.gz"
top=$(go tool pprof -top "$TMP/rec.pb.gz" 2>/dev/null)
grep -q '^Type: cpu' <<< "$top"; ok $? "pprof default sample type is cpu ($(grep '^Type' <<< "$top"))"
for f in hot_a:60 hot_b:30 hot_c:10; do
	got=$(awk -v f="${f%:*}" '$NF == f { sub(/%/, "", $5); print $5 }' <<< "$top")
	near "$got" "${f#*:}"; ok $? "pprof: cum ${f%:*} ${got}% (want ${f#*:} +-5)"
done

# --- speedscope written by record: weights sum to endValue; hot_a's share
record "$TMP/rec.speedscope.json"; ok $? "record -o rec.speedscope.json"
got=$(node -e '
	const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const p = j.profiles[0], names = j.shared.frames.map(f => f.name);
	let sum = 0, a = 0;
	p.samples.forEach((s, i) => { sum += p.weights[i]; if (s.some(x => names[x] === "hot_a")) a += p.weights[i]; });
	console.log(sum === p.endValue && sum > 0 ? (100 * a / sum).toFixed(1) : "bad-sum");
' "$TMP/rec.speedscope.json")
near "$got" 60; ok $? "speedscope: weights sum to endValue, hot_a ${got}% (want 60 +-5)"

# --- text written by record: hot_a, hot_b, hot_c in that order by total
record "$TMP/rec.txt"; ok $? "record -o rec.txt"
got=$(sed -n '/by total samples/,/stacks, leaf first/p' "$TMP/rec.txt" | awk '$3 ~ /^hot_[abc]$/ { print $3 }' | tr '\n' ' ')
[ "$got" = "hot_a hot_b hot_c " ]; ok $? "text lists hot_a, hot_b, hot_c in order (got: $got)"

# --- html written by record: the page's search finds hot_a at its share
record "$TMP/rec.html"; ok $? "record -o rec.html"
got=$(dom "file://$TMP/rec.html#search=%5Ehot_a%24" | sed -n 's/.*<span id="matched">\([^%<]*\)%<.*/\1/p')
near "$got" 60; ok $? "html: search ^hot_a\$ matches ${got}% (want 60 +-5)"
done_testing
