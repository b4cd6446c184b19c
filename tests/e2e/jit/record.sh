# record_jit.sh - JIT frames from perf maps: a tiny C "JIT" (fakejit) on the host, in its own
# pid namespace (map named by the namespace pid), and in its own root and pid namespace (map
# read through /proc/PID/root), plus Node with --perf-basic-prof and its 60/30/10 split.
. "$(dirname "$0")/../lib.sh"
J=$BUILD/tests/workloads/fakejit
jit_share() { share "$1" 'jit_spin_\[j\]'; }

"$BPFPROF" record -F 999 -o "$TMP/host.folded" -- "$J" 2 > /dev/null 2>&1
s=$(jit_share "$TMP/host.folded")
within "$s" 85 100; ok $? "host: anonymous code named jit_spin_[j] from /tmp/perf-PID.map ($s%)"

"$BPFPROF" record -F 999 -o "$TMP/ns.folded" -- unshare --pid --fork "$J" 2 > "$TMP/ns.out" 2>&1
grep -q 'pid 1 done' "$TMP/ns.out"; ok $? "fakejit ran as pid 1 of its namespace"
s=$(jit_share "$TMP/ns.folded")
within "$s" 85 100; ok $? "pid namespace: map found by namespace pid ($s%)"

root=$TMP/root
mkdir -p "$root/tmp"
if clang -static -O1 -o "$root/fakejit" "$ROOT/tests/workloads/fakejit.c" 2> /dev/null; then
	"$BPFPROF" record -F 999 -o "$TMP/root.folded" -- unshare --pid --fork --root="$root" /fakejit 2 > /dev/null 2>&1
	s=$(jit_share "$TMP/root.folded")
	within "$s" 85 100; ok $? "own root: map read from the process's /tmp through /proc/PID/root ($s%)"
else
	ok 1 "clang -static works (needs libc6-dev)"
fi

if command -v node > /dev/null; then
	(cd "$TMP" && "$BPFPROF" record -F 999 -o "$TMP/node.folded" -- node --perf-basic-prof --no-turbo-inlining "$ROOT/tests/node/burn.js" 4 > /dev/null 2>&1)
	ok $? "record -- node --perf-basic-prof burn.js"
	a=$(share "$TMP/node.folded" 'hotA [^;]*_\[j\]') b=$(share "$TMP/node.folded" 'hotB [^;]*_\[j\]') c=$(share "$TMP/node.folded" 'hotC [^;]*_\[j\]')
	sum=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { print a + b + c }')
	ra=$(awk -v a="$a" -v s="$sum" 'BEGIN { printf "%.1f", s ? 100 * a / s : 0 }')
	rb=$(awk -v a="$b" -v s="$sum" 'BEGIN { printf "%.1f", s ? 100 * a / s : 0 }')
	rc=$(awk -v a="$c" -v s="$sum" 'BEGIN { printf "%.1f", s ? 100 * a / s : 0 }')
	note "node: hotA $a% hotB $b% hotC $c% of all; among the three $ra/$rb/$rc"
	within "$sum" 70 100; ok $? "node: most samples are in hotA/hotB/hotC JIT frames ($sum%)"
	within "$ra" 55 65 && within "$rb" 25 35 && within "$rc" 5 15
	ok $? "node: 60/30/10 within 5 points ($ra/$rb/$rc)"
	grep -q 'JS:[*^~]hotA .*burn.js:[0-9]*:[0-9]*_\[j\]' "$TMP/node.folded"; ok $? "node: V8's names kept (JS:*hotA file:line:col)"
fi
done_testing
