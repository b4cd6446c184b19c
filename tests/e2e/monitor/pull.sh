# pull.sh - the monitor's HTTP endpoint with real clients: `go tool pprof` fetches a live
# profile of the next 3 s and names the hot functions of a split workload; /metrics passes
# `promtool check metrics` and its counters agree with the windows; /profile serves history;
# /healthz answers; bad requests get 4xx; non-loopback needs --listen-any.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 30 > /dev/null & wp=$!; cleanup_pids+=($wp)
port=$((20000 + RANDOM % 20000))
"$BPFPROF" monitor -p "$wp" -F 99 --window 1s --dir "$TMP/h" --socket "$TMP/ctl" \
	--listen "127.0.0.1:$port" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
url=http://127.0.0.1:$port
for _ in $(seq 50); do curl -sf "$url/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
[ "$(curl -s "$url/healthz")" = ok ]; ok $? "/healthz says ok"
if command -v go > /dev/null; then
	export HOME=$TMP GOCACHE=$TMP/gocache GOPATH=$TMP/go PPROF_TMPDIR=$TMP
	start=$(date +%s.%N)
	go tool pprof -top -nodecount=30 "$url/debug/pprof/profile?seconds=3" > "$TMP/top" 2> "$TMP/top.err"
	ok $? "go tool pprof fetches /debug/pprof/profile?seconds=3"
	el=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
	within "$el" 2.9 15; ok $? "  the answer came after the 3 s asked for ($el s)"
	grep -q ' hot_a$' "$TMP/top" && grep -q ' hot_b$' "$TMP/top"
	ok $? "  and names the hot functions ($(grep -m1 hot_a "$TMP/top"))"
	grep -q 'Duration: 3' "$TMP/top"; ok $? "  of a 3 s profile ($(grep -m1 Duration "$TMP/top"))"
else
	note "go not installed: skipping the go tool pprof checks"
fi
curl -s "$url/metrics" > "$TMP/metrics"
promtool check metrics < "$TMP/metrics" > "$TMP/prom" 2>&1
ok $? "/metrics passes promtool check metrics $(head -c 200 "$TMP/prom")"
grep -q '^bpfprof_samples_total [1-9]' "$TMP/metrics" && grep -q '^process_resident_memory_bytes ' "$TMP/metrics"
ok $? "  with samples and the process's own RSS"
sleep 1.2
curl -sf "$url/profile?from=-1m&format=folded&comm=^split\$" > "$TMP/range.folded"
ok $? "/profile serves a range of history as folded"
a=$(share "$TMP/range.folded" ';hot_a;')
[ "$(total "$TMP/range.folded")" -gt 0 ] && within "$a" 50 70 && ! grep -qv '^split;' "$TMP/range.folded"
ok $? "  only the split process, with its split (hot_a $a%)"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$url/nope")" = 404 ]; ok $? "unknown path: 404"
[ "$(code -X POST "$url/metrics")" = 405 ]; ok $? "POST: 405"
[ "$(code "$url/debug/pprof/profile?seconds=abc")" = 400 ]; ok $? "bad seconds: 400"
[ "$(code "$url/profile?from=yesterday-ish")" = 400 ]; ok $? "bad time: 400"
long=$(head -c 20000 /dev/zero | tr '\0' a)
c=$(code "$url/profile?comm=$long"); [ "$c" = 414 ] || [ "$c" = 431 ] || [ "$c" = 400 ]
ok $? "a 20 KB query is refused ($c)"
kill -TERM "$mp"; wait "$mp"; ok $? "monitor exits 0 on SIGTERM"
"$BPFPROF" monitor --listen "0.0.0.0:$port" --no-history --socket "$TMP/ctl2" 2> "$TMP/any.err"
[ $? -eq 2 ] && grep -q -- '--listen-any' "$TMP/any.err"; ok $? "a non-loopback address needs --listen-any ($(head -n1 "$TMP/any.err"))"
done_testing
