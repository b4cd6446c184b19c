# faults.sh - the monitor under kill -9 and a full disk: killed at random points while it writes
# 1 s windows, it leaves only whole window files (each parses) and no BPF program behind, and a
# new monitor takes the same directory at once; a window it cannot write (a full tmpfs) is logged
# once while sampling goes on, and writing resumes when there is room again.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 60 > /dev/null & wp=$!; cleanup_pids+=($wp)
H=$TMP/h
# the BPF programs a process holds, by the prog_id of its descriptors
progs_of() { cat /proc/"$1"/fdinfo/* 2> /dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u; }
left=0 seen=0
for i in 1 2 3; do
	"$BPFPROF" monitor -F 499 --window 1s --dir "$H" --socket "$TMP/ctl" 2> "$TMP/mon$i.err" & mp=$!
	cleanup_pids+=($mp)
	# kill it at a random point once it writes windows (a loaded machine starts slower)
	for _ in $(seq 100); do [ "$(ls "$H" 2> /dev/null | grep -c 'pb.gz$')" -ge "$i" ] && break; sleep 0.1; done
	sleep "1.$((RANDOM % 10))"
	ids=$(progs_of "$mp")
	seen=$((seen + $(echo $ids | wc -w)))
	kill -9 "$mp"; wait "$mp" 2> /dev/null
	sleep 0.2
	for id in $ids; do bpftool prog show id "$id" > /dev/null 2>&1 && left=$((left + 1)); done
done
[ "$seen" -gt 0 ] && [ "$left" -eq 0 ]; ok $? "no BPF program outlives a kill -9 ($seen held, $left left)"
n=0 broken=0
for f in "$H"/*.pb.gz; do
	n=$((n + 1))
	"$BPFPROF" report "$f" -o "$TMP/w.folded" 2> /dev/null || broken=$((broken + 1))
done
[ "$n" -ge 3 ] && [ "$broken" -eq 0 ]; ok $? "$n window files after three kill -9, all whole ($broken broken)"
[ -z "$(find "$H" -name '*.tmp*' -o -name '.#*')" ]; ok $? "no temporary file left"

# A full disk: a 256 KiB tmpfs fills up; the monitor says so once and goes on sampling.
F=$TMP/full
mkdir -p "$F" && mount -t tmpfs -o size=256k tmpfs "$F" || { note "cannot mount tmpfs"; done_testing; exit; }
cleanup_files+=("$F")
trap 'umount "$F" 2> /dev/null; for p in "${cleanup_pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
"$BPFPROF" monitor -F 999 --window 1s --dir "$F/h" --max-disk 10G --socket "$TMP/ctl" 2> "$TMP/full.err" & mp=$!
cleanup_pids+=($mp)
sleep 1.5
head -c 300k /dev/zero > "$F/filler" 2> /dev/null
sleep 3
errs=$(grep -c 'cannot write a window.*No space left on device' "$TMP/full.err")
[ "$errs" -eq 1 ]; ok $? "a full disk is logged once ($(grep -m1 'cannot write' "$TMP/full.err"))"
rm -f "$F/filler"
for _ in $(seq 100); do grep -q 'written again' "$TMP/full.err" && break; sleep 0.1; done
grep -q 'written again' "$TMP/full.err"; ok $? "and the recovery too"
kill -INT "$mp"; wait "$mp"; ok $? "the monitor kept running and exits 0"
broken=0
for f in "$F"/h/*.pb.gz; do "$BPFPROF" report "$f" -o "$TMP/w.folded" 2> /dev/null || broken=$((broken + 1)); done
[ "$broken" -eq 0 ]; ok $? "every window file on the full disk is whole"
done_testing
