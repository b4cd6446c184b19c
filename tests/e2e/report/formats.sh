#!/usr/bin/env bash
# report_formats.sh - `bpfprof report` and `bpfprof diff` on hand-written folded inputs whose
# answers are known exactly: every output format is read back by its real consumer (go tool
# pprof, node's JSON parser, headless chromium running the page's own search) and the numbers
# are compared with tolerance 0. Then malformed inputs, filters, stdin and atomic output.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../browser.inc"
export HOME=${HOME:-$TMP} GOFLAGS=-mod=mod GOTOOLCHAIN=local GOCACHE=$TMP/gocache

# matched HTML REGEX: the percent the page's search reports for REGEX
matched() {
	local q
	q=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$2")
	dom "file://$1#search=$q" | sed -n 's/.*<span id="matched">\([^<]*\)<.*/\1/p'
}
# pprof_col FILE FUNC N: column N of FUNC's row in `go tool pprof -top` (2 flat%, 5 cum%)
pprof_col() {
	go tool pprof -top "$1" 2>/dev/null | awk -v f="$2" -v c="$3" '$NF == f { print $c }'
}

for tool in chromium node go; do
	command -v $tool >/dev/null; ok $? "$tool is installed (needed to read the outputs back)"
done

cat > "$TMP/split.folded" <<'EOF'
split;main;hot_c 10
split;main;hot_a 60
# a comment line and a blank line are skipped

split;main;hot_b 30
EOF

# --- folded: sorted, merged, same numbers
$BPFPROF report "$TMP/split.folded" -o "$TMP/out.folded"; ok $? "report to folded exits 0"
printf 'split;main;hot_a 60\nsplit;main;hot_b 30\nsplit;main;hot_c 10\n' > "$TMP/want.folded"
cmp -s "$TMP/out.folded" "$TMP/want.folded"; ok $? "folded output is the sorted input"

# --- pprof: go tool pprof sees exactly 60/30/10
$BPFPROF report "$TMP/split.folded" -o "$TMP/out.pb.gz"; ok $? "report to pprof exits 0"
got="$(pprof_col "$TMP/out.pb.gz" hot_a 2) $(pprof_col "$TMP/out.pb.gz" hot_b 2) $(pprof_col "$TMP/out.pb.gz" hot_c 2)"
[ "$got" = "60.00% 30.00% 10.00%" ]; ok $? "pprof -top flat shares hot_a hot_b hot_c (got: $got)"
got=$(pprof_col "$TMP/out.pb.gz" main 5)
[ "$got" = "100%" ]; ok $? "pprof -top cum of main is 100% (got: $got)"
go tool pprof -traces "$TMP/out.pb.gz" 2>/dev/null | grep -Eq '^ *process: +split$'
ok $? "pprof sample carries the process label"

# --- speedscope: parsed by node, structure and weights
$BPFPROF report "$TMP/split.folded" --format speedscope -o "$TMP/out.json"; ok $? "report to speedscope exits 0"
got=$(node -e '
	const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const p = j.profiles[0], f = j.shared.frames;
	const sum = p.weights.reduce((a, b) => a + b, 0);
	const stacks = p.samples.map((s, i) => s.map(x => f[x].name).join(";") + "=" + p.weights[i]);
	console.log([j["$schema"], p.type, f.length, sum, p.endValue, stacks.join(",")].join(" "));
' "$TMP/out.json")
want="https://www.speedscope.app/file-format-schema.json sampled 5 100 100 split;main;hot_a=60,split;main;hot_b=30,split;main;hot_c=10"
[ "$got" = "$want" ]; ok $? "speedscope schema, frames, weights, stacks (got: $got)"

# --- text: hot functions in order with their percents
$BPFPROF report "$TMP/split.folded" -o "$TMP/out.txt"; ok $? "report to text exits 0"
got=$(sed -n '/by self samples/,/by total samples/p' "$TMP/out.txt" | awk '/%/ { print $3 "=" $2 }' | tr '\n' ' ')
[ "$got" = "hot_a=60.00% hot_b=30.00% hot_c=10.00% " ]; ok $? "text self table in order (got: $got)"

# --- html: the page's own search, in a real browser
$BPFPROF report "$TMP/split.folded" -o "$TMP/out.html" --title 'Split <test>'; ok $? "report to html exits 0"
got=$(matched "$TMP/out.html" hot_a); [ "$got" = "60.00%" ]; ok $? "html search hot_a = 60.00% (got: $got)"
got=$(matched "$TMP/out.html" 'hot_(b|c)'); [ "$got" = "40.00%" ]; ok $? "html regex search hot_(b|c) = 40.00% (got: $got)"
grep -q '<title>Split &lt;test&gt;</title>' "$TMP/out.html"; ok $? "html title escaped"
printf 'p;rec;rec;rec;leaf 40\np;other 60\n' > "$TMP/rec.folded"
$BPFPROF report "$TMP/rec.folded" -o "$TMP/rec.html"
got=$(matched "$TMP/rec.html" '^rec$'); [ "$got" = "40.00%" ]
ok $? "recursive frame matched 3 times per stack counts its samples once (got: $got)"

# --- kinds survive folded -> folded
printf 'java;[main tid=7];Foo.run_[j];Foo.inl_[i];libc_start;sys_read_[k] 5\n' > "$TMP/kinds.folded"
$BPFPROF report "$TMP/kinds.folded" > "$TMP/kinds.out"
cmp -s "$TMP/kinds.folded" "$TMP/kinds.out"; ok $? "kind suffixes and thread frame round-trip"

# --- filters and stdin
got=$($BPFPROF report "$TMP/split.folded" --include 'hot_[ab]' --exclude '^hot_b$' | total /dev/stdin)
[ "$got" = 60 ]; ok $? "--include hot_[ab] --exclude ^hot_b\$ keeps 60 samples (got: $got)"
got=$(cat "$TMP/split.folded" | $BPFPROF report - --format text --top 1 | grep '%  ' | awk '{ print $3 }' | tr '\n' ' ')
[ "$got" = "hot_a split stack " ]; ok $? "stdin input, --top 1: one row per table (got: $got)"

# --- diff: shares grew and shrank, colors in the page, two-count folded output
printf 'split;main;hot_a 100\nsplit;main;hot_b 80\nsplit;main;hot_c 20\n' > "$TMP/base.folded"
printf 'split;main;hot_a 70\nsplit;main;hot_b 20\nsplit;main;hot_c 10\n' > "$TMP/new.folded"
$BPFPROF diff "$TMP/base.folded" "$TMP/new.folded" -o "$TMP/diff.html"; ok $? "diff to html exits 0"
for q in 'hot_a 70.00% +20.00 red' 'hot_b 20.00% -20.00 blue' 'hot_c 10.00% +0.00 none'; do
	set -- $q
	got=$(dom "file://$TMP/diff.html#search=$1" |
		sed -n 's/.*id="matched">\([^<]*\)<.*data-color="\([a-z]*\)">\([^<]*\)<.*/\1 \3 \2/p')
	[ "$got" = "$2 $3 $4" ]; ok $? "diff $1: NEW share, change and color $2 $3 $4 (got: $got)"
done
$BPFPROF diff "$TMP/base.folded" "$TMP/new.folded" > "$TMP/diff.folded"
printf 'split;main;hot_a 100 70\nsplit;main;hot_b 80 20\nsplit;main;hot_c 20 10\n' > "$TMP/want.folded"
cmp -s "$TMP/diff.folded" "$TMP/want.folded"; ok $? "diff folded: stack BASE NEW"
$BPFPROF diff --normalize "$TMP/base.folded" "$TMP/new.folded" -o "$TMP/norm.folded"
printf 'split;main;hot_a 50 70\nsplit;main;hot_b 40 20\nsplit;main;hot_c 10 10\n' > "$TMP/want.folded"
cmp -s "$TMP/norm.folded" "$TMP/want.folded"; ok $? "diff --normalize scales BASE to NEW's total"
got=$($BPFPROF report "$TMP/diff.folded" | total /dev/stdin)
[ "$got" = 200 ]; ok $? "a two-count file reads back through report (BASE total, got: $got)"
# The two counts are two columns, base and new: two pprof sample types, NEW's by -sample_index
$BPFPROF report "$TMP/diff.folded" -o "$TMP/diff.pb.gz"; ok $? "a two-count file to pprof exits 0"
got=$(go tool pprof -sample_index=new -top "$TMP/diff.pb.gz" 2>/dev/null | awk '$NF == "hot_a" { print $1, $2 }')
[ "$got" = "70 70.00%" ]; ok $? "pprof -sample_index=new: hot_a is NEW's 70 of 100 (got: $got)"
got=$(go tool pprof -sample_index=0 -top "$TMP/diff.pb.gz" 2>/dev/null | awk '$NF == "hot_a" { print $1, $2 }')
[ "$got" = "100 50.00%" ]; ok $? "pprof -sample_index=0: hot_a is BASE's 100 of 200 (got: $got)"

# --- errors: exit status and the line number in the message
printf 'p;a 1\np;b 2\np;c x3\n' > "$TMP/bad.folded"
msg=$($BPFPROF report "$TMP/bad.folded" -o "$TMP/bad.html" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"bad.folded:3: count 'x3'"* ]]; ok $? "bad count: exit $rc, message names line 3 ($msg)"
[ ! -e "$TMP/bad.html" ] && [ ! -e "$TMP/bad.html.tmp" ]; ok $? "nothing written for a bad input"
: > "$TMP/empty.folded"
msg=$($BPFPROF report "$TMP/empty.folded" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"no folded stack lines"* ]]; ok $? "empty input: exit $rc ($msg)"
printf '# nothing\n\n' > "$TMP/comments.folded"
$BPFPROF report "$TMP/comments.folded" >/dev/null 2>&1; ok $(( $? == 0 )) "input without a valid line fails"
printf 'p;a 1\np;;b 2\n' > "$TMP/bad2.folded"
msg=$($BPFPROF diff "$TMP/split.folded" "$TMP/bad2.folded" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"bad2.folded:2: empty frame"* ]]; ok $? "diff reports NEW's bad line 2 ($msg)"
msg=$($BPFPROF report "$TMP" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"cannot read '$TMP': it is a directory; give a folded file"* ]]
ok $? "a directory as input says so: exit $rc ($msg)"
printf 'a;b 18446744073709551615\n' > "$TMP/big.folded"
msg=$($BPFPROF report "$TMP/big.folded" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"big.folded:1: count '18446744073709551615' is too large; counts go up to 9223372036854775807" ]]
ok $? "a count above the limit is called too large: exit $rc ($msg)"
printf '# empty profile: no samples were recorded\n' > "$TMP/nosamples.folded"
msg=$($BPFPROF report "$TMP/nosamples.folded" -o "$TMP/nosamples.txt" 2>&1); rc=$?
[ $rc -eq 0 ] && [[ "$msg" == *"is an empty profile (no samples were recorded)"* ]] && grep -q 'samples: 0' "$TMP/nosamples.txt"
ok $? "an empty profile (what record writes when nothing was sampled) reports, with a note: exit $rc ($msg)"
$BPFPROF report "$TMP/nosamples.folded" 2>/dev/null | cmp -s - "$TMP/nosamples.folded"
ok $? "an empty profile writes back as the same empty profile"
msg=$($BPFPROF report "$TMP/missing.folded" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"cannot read"* ]]; ok $? "missing input: exit $rc ($msg)"
msg=$($BPFPROF report "$TMP/split.folded" -o "$TMP/no/such/dir/x.html" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"cannot write"* ]]; ok $? "unwritable output: exit $rc ($msg)"
msg=$($BPFPROF report "$TMP/split.folded" --format svg 2>&1); rc=$?
[ $rc -ne 0 ] && [[ "$msg" == *"unknown format 'svg'"* ]]; ok $? "unknown format: exit $rc ($msg)"
$BPFPROF report "$TMP/split.folded" -o "$TMP/keep.txt"
$BPFPROF report "$TMP/bad.folded" -o "$TMP/keep.txt" 2>/dev/null
grep -q 'hot_a' "$TMP/keep.txt"; ok $? "a failed report leaves an existing output untouched"
done_testing
