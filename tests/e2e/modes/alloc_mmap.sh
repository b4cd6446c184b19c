#!/usr/bin/env bash
# -e alloc counts the large blocks a program maps itself (tests/workloads/mmaps.c: map_big maps
# 3 MiB and map_small 1 MiB of anonymous private memory, as often): 75/25 +-5 points, the bytes
# under them within 10 % of what it mapped; malloc_huge's 2 MiB mallocs (glibc may serve them
# with an mmap of its own) are counted once, within 10 %; a file it maps is no allocation. A
# command samples in its preloaded shim; a running process (-p) gets uprobes on its libc's mmap,
# with the same answer (there the share of malloc_huge to the mapped bytes, 1:2, says nothing
# was counted twice).
source "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/mmaps
# a fixed threshold: glibc serves every 2 MiB malloc with an mmap (not only until the first free)
export MALLOC_MMAP_THRESHOLD_=131072

# "mapped malloced big_share file" from a folded profile
sums() {
	awk '/^#/ { next } { c = $NF }
		/;map_big;/ { b += c } /;map_small;/ { s += c } /;malloc_huge/ { m += c } /;map_file/ { f += c }
		END { printf "%.0f %.0f %.1f %.0f\n", b + s, m, b + s ? 100 * b / (b + s) : 0, f }' "$1"
}

out=$("$BPFPROF" record -e alloc -o "$TMP/c.folded" -- "$W" 400 2>"$TMP/c.err")
ok $? "record -e alloc -- mmaps runs"
mapped=$(sed -n 's/.*mmap_bytes=\([0-9]*\).*/\1/p' <<<"$out")
malloced=$(sed -n 's/.*malloc_bytes=\([0-9]*\).*/\1/p' <<<"$out")
read -r got_map got_malloc big file <<<"$(sums "$TMP/c.folded")"
note "command: mapped ${mapped}, sampled ${got_map} (map_big ${big} %); malloced ${malloced}, sampled ${got_malloc}; file ${file}"
ok "$(awk -v g="$got_map" -v t="$mapped" 'BEGIN { exit !(t > 0 && g >= 0.9 * t && g <= 1.1 * t) }'; echo $?)" \
	"mapped bytes within 10 % of the truth"
ok "$(awk -v g="$got_malloc" -v t="$malloced" 'BEGIN { exit !(t > 0 && g >= 0.9 * t && g <= 1.1 * t) }'; echo $?)" \
	"huge mallocs within 10 % of the truth (counted once)"
ok "$(within "$big" 70 80; echo $?)" "map_big 75 % +-5 of the mapped bytes ($big %)"
ok "$(( file != 0 ))" "a mapped file is no allocation"

"$W" 1000000 1000 >/dev/null &
pid=$!; cleanup_pids+=("$pid")
sleep 0.3
"$BPFPROF" record -e alloc -p "$pid" -d 2 -o "$TMP/p.folded" 2>"$TMP/p.err"
ok $? "record -e alloc -p mmaps"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
read -r got_map got_malloc big file <<<"$(sums "$TMP/p.folded")"
ratio=$(awk -v m="$got_malloc" -v a="$got_map" 'BEGIN { printf "%.2f\n", a ? m / a : 0 }')
note "-p: mapped ${got_map} (map_big ${big} %), malloc_huge ${got_malloc} (${ratio} of it; truth 0.5), file ${file}"
ok "$(within "$big" 70 80; echo $?)" "-p: map_big 75 % +-5 of the mapped bytes ($big %)"
ok "$(within "$ratio" 0.4 0.6; echo $?)" "-p: malloc_huge half the mapped bytes, as in the program ($ratio)"
ok "$(( file != 0 ))" "-p: a mapped file is no allocation"
done_testing
