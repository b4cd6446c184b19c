#!/usr/bin/env bash
# -e alloc on a program whose two sites ask malloc for 3000 and 1000 bytes the same number of
# times: 75/25 +-5 points, the total within 10 % of the bytes asked for, at the site that called
# malloc. A command samples in-process (libbpfprof-alloc.so preloaded): its allocation loop runs
# at nearly full speed; a running process (-p) gets uprobes on its libc's malloc, same answer.
# A static binary without malloc, and host-wide alloc, are refused in one line.
source "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/allocs

out=$("$BPFPROF" record -e alloc --alloc-interval 64K -o "$TMP/a.folded" -o "$TMP/a.pb.gz" \
	-o "$TMP/a.txt" -- "$W" 50000 2>"$TMP/err")
ok $? "record -e alloc -- allocs runs"
# ~0.8 GB/s of allocations between arithmetic (a busy program's rate), at the default interval
plain=$("$W" 125000 4000 | sed -n 's/.*cpu_ns=\([0-9]*\).*/\1/p')
shim=$("$BPFPROF" record -e alloc -o "$TMP/s.folded" -- "$W" 125000 4000 2>/dev/null |
	sed -n 's/.*cpu_ns=\([0-9]*\).*/\1/p')
note "250k allocations among work: ${plain} ns of CPU alone, ${shim} ns recorded (default interval)"
ok "$(awk -v a="$plain" -v b="$shim" 'BEGIN { exit !(a > 0 && b > 0 && b <= 1.15 * a) }'; echo $?)" \
	"-e alloc -- COMMAND costs the program under 15 % of its CPU time (in-process sampling)"
ok "$(within "$(share "$TMP/s.folded" 'alloc_big')" 70 80; echo $?)" \
	"at the default interval too: alloc_big 75 % +-5 ($(share "$TMP/s.folded" 'alloc_big') %)"
big=$(sed -n 's/.*big_bytes=\([0-9]*\).*/\1/p' <<<"$out")
small=$(sed -n 's/.*small_bytes=\([0-9]*\).*/\1/p' <<<"$out")
got=$(total "$TMP/a.folded")
big_share=$(share "$TMP/a.folded" 'alloc_big')
small_share=$(share "$TMP/a.folded" 'alloc_small')
note "asked $((big + small)) bytes, sampled total ${got}; alloc_big ${big_share} %, alloc_small ${small_share} %; $(tail -1 "$TMP/err")"
ok "$(awk -v g="$got" -v t="$((big + small))" 'BEGIN { exit !(t > 0 && g >= 0.9 * t && g <= 1.1 * t) }'; echo $?)" \
	"total bytes within 10 % of the truth"
ok "$(within "$big_share" 70 80; echo $?)" "alloc_big 75 % +-5 ($big_share %)"
ok "$(within "$small_share" 20 30; echo $?)" "alloc_small 25 % +-5 ($small_share %)"
grep -qx '# type: alloc_space' "$TMP/a.folded" && grep -qx '# unit: bytes' "$TMP/a.folded"
ok $? "folded says alloc_space, bytes"
go tool pprof -raw "$TMP/a.pb.gz" 2>/dev/null | grep -q 'alloc_space/bytes alloc_objects/count'
ok $? "pprof: alloc_space/bytes and alloc_objects/count"
grep -Eq '^ +[0-9.]+ (KiB|MiB|GiB) ' "$TMP/a.txt"
ok $? "text shows KiB/MiB"
objs=$(go tool pprof -sample_index=alloc_objects -top "$TMP/a.pb.gz" 2>/dev/null |
	awk '/alloc_big/ { print $4; exit }')
note "alloc_objects under alloc_big: $objs (truth 50000)"
ok "$(awk -v o="$objs" 'BEGIN { exit !(o >= 40000 && o <= 60000) }'; echo $?)" \
	"alloc_objects estimates the calls (alloc_big: $objs of 50000)"

# a running process: uprobes on its libc's malloc (each call traps: slow, so only a second)
"$W" 4000000000 >/dev/null &
p=$!
cleanup_pids+=($p)
sleep 0.3
"$BPFPROF" record -e alloc --alloc-interval 64K -p $p -d 1 -o "$TMP/p.folded" 2>"$TMP/perr"
ok $? "record -e alloc -p PID runs"
kill $p 2>/dev/null
pbig=$(share "$TMP/p.folded" 'main;alloc_big')
note "-p: alloc_big ${pbig} % of $(total "$TMP/p.folded") bytes; $(tail -1 "$TMP/perr")"
ok "$(within "$pbig" 70 80; echo $?)" "-p (uprobes): main -> alloc_big 75 % +-5 ($pbig %)"

# a static binary with no malloc symbol
printf '.globl _start\n_start:\n\tmov $60, %%eax\n\txor %%edi, %%edi\n\tsyscall\n' >"$TMP/s.S"
if cc -nostdlib -static -o "$TMP/nomalloc" "$TMP/s.S" 2>/dev/null; then
	"$BPFPROF" record -e alloc -o "$TMP/n.folded" -- "$TMP/nomalloc" >/dev/null 2>"$TMP/nerr"
	rc=$?
	[ "$rc" -ne 0 ] && grep -q 'static binary with no malloc' "$TMP/nerr" &&
		[ "$(grep -c . "$TMP/nerr")" -eq 1 ]
	ok $? "a static binary without malloc: one line, exit $rc ($(cut -c1-70 "$TMP/nerr"))"
fi
"$BPFPROF" record -e alloc -d 1 -o "$TMP/h.folded" 2>"$TMP/herr"
rc=$?
[ "$rc" -ne 0 ] && grep -q 'needs a target' "$TMP/herr" && [ "$(grep -c . "$TMP/herr")" -eq 1 ]
ok $? "host-wide alloc is refused in one line (exit $rc)"
done_testing
