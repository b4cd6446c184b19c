# push.sh - `monitor --push` against a recording Pyroscope stand-in (ingest_receiver.py): each
# window arrives as one request per service with the right name, labels, range and sample rate,
# its pprof body parses with `go tool pprof` and holds the window's samples; with the receiver
# down for a few windows and then back, every window still arrives exactly once.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
R=$ROOT/tests/e2e/monitor/ingest_receiver.py
"$W" 60 > /dev/null & wp=$!; cleanup_pids+=($wp)
port=$((20000 + RANDOM % 20000))
mkdir -p "$TMP/in"
python3 "$R" --port "$port" --dir "$TMP/in" 2> "$TMP/recv.err" & rp=$!; cleanup_pids+=($rp)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2> /dev/null && break; sleep 0.1; done
"$BPFPROF" monitor -p "$wp" -F 99 --window 1s --dir "$TMP/h" --socket "$TMP/ctl" \
	--push "http://127.0.0.1:$port" 2> "$TMP/mon.err" & mp=$!
cleanup_pids+=($mp)
sleep 3.5
kill "$rp"; wait "$rp" 2> /dev/null
note "receiver down"
sleep 3
python3 "$R" --port "$port" --dir "$TMP/in" 2>> "$TMP/recv.err" & rp=$!; cleanup_pids+=($rp)
note "receiver up"
sleep 4
kill -INT "$mp"; wait "$mp"; ok $? "monitor exits 0 ($(tail -n1 "$TMP/mon.err"))"
windows=$(ls "$TMP/h"/*.pb.gz | wc -l)
reqs=$(ls "$TMP/in"/*.meta 2> /dev/null | wc -l)
note "$windows windows written, $reqs requests received"
grep -q 'failing' "$TMP/mon.err"; ok $? "the outage was logged ($(grep -m1 failing "$TMP/mon.err"))"
m=$(ls "$TMP/in"/*.meta | head -n1)
grep -q '^q.name split{' "$m" && grep -q 'host=' "$m"; ok $? "name= is the service with labels ($(grep '^q.name' "$m"))"
grep -q '^q.sampleRate 99$' "$m"; ok $? "sampleRate=99"
grep -q '^q.from [0-9]*$' "$m" && grep -q '^q.until [0-9]*$' "$m"; ok $? "from and until are unix seconds"
# one request per window: the windows' (from, until) pairs, each exactly once
for f in "$TMP/in"/*.meta; do echo "$(sed -n 's/^q.from //p' "$f") $(sed -n 's/^q.until //p' "$f")"; done | sort > "$TMP/got"
dups=$(uniq -d "$TMP/got" | wc -l)
[ "$reqs" -eq "$windows" ] && [ "$dups" -eq 0 ]; ok $? "every window arrived exactly once across the outage ($reqs requests, $windows windows, $dups twice)"
if command -v go > /dev/null; then
	export HOME=$TMP GOCACHE=$TMP/gocache
	body=$(ls "$TMP/in"/*.profile 2> /dev/null | tail -n1)
	[ -n "$body" ] || body=$(ls "$TMP/in"/*.body | tail -n1)
	go tool pprof -raw "$body" > "$TMP/raw" 2>&1; ok $? "the last body parses with go tool pprof"
	grep -q 'hot_a' "$TMP/raw"; ok $? "  and holds the workload's frames"
fi
done_testing
