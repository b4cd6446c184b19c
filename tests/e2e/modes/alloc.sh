#!/usr/bin/env bash
# -e alloc on a program whose two sites ask malloc for 3000 and 1000 bytes the same number of
# times: 75/25 +-5 points, the total within 10 % of the bytes asked for, at the site that called
# malloc; a static binary without malloc is refused in one line.
source "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/allocs

out=$("$BPFPROF" record -e alloc --alloc-interval 64K -o "$TMP/a.folded" -o "$TMP/a.pb.gz" \
	-o "$TMP/a.txt" -- "$W" 50000 2>"$TMP/err")
ok $? "record -e alloc -- allocs runs"
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
