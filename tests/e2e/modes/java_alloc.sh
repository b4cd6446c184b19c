#!/usr/bin/env bash
# -e alloc on a JVM (tests/java/Alloc.java: long[] at Alloc.longs and byte[] at Alloc.bytes, 3:1
# by bytes, 1024-byte arrays): through the agent's SampledObjectAlloc the Java stacks end in the
# allocated class (long[]_[a], byte[]_[a]), 75/25 +-5 points, the bytes under the two sites
# within 10 % of what the program allocated, and the JVM's exit status and checksum unchanged.
# Then -p: a JVM we attach the agent to, and a JVM that loaded the agent at start without
# sampling (a second attach turns it on, and off again at the end). A JVM that refuses the
# agent is an error in one line, not a profile without its heap.
source "$(dirname "$0")/../lib.sh"
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
[ -x "$JAVA" ] || { note "skip: no JDK 17"; done_testing; exit; }
CP=$BUILD/tests/java
AGENT=$BUILD/libbpfprof-agent.so
ROUNDS=300000

# bytes under each site, and their shares: "longs bytes total long_share"
sites() {
	awk '/^#/ { next } { c = $NF }
		/Alloc\.longs_\[[ij]\];([^;]*;)?long\[\]_\[a\] / { l += c }
		/Alloc\.bytes_\[[ij]\];([^;]*;)?byte\[\]_\[a\] / { b += c }
		END { t = l + b; printf "%.0f %.0f %.0f %.1f\n", l, b, t, t ? 100 * l / t : 0 }' "$1"
}
# the checksum Alloc prints for ROUNDS rounds: sum of i+k (k < 3) and (byte)i
expect=$(awk -v n="$ROUNDS" 'BEGIN { for (i = 0; i < n; i++) { b = i % 256; if (b > 127) b -= 256; s += 3 * i + 3 + b }
	printf "%.0f\n", s }')

out=$("$BPFPROF" record -e alloc -o "$TMP/j.folded" -- "$JAVA" -XX:+PreserveFramePointer -cp "$CP" Alloc "$ROUNDS" \
	2>"$TMP/err")
ok $? "record -e alloc -- java Alloc: the JVM exits 0"
[[ "$out" == *"checksum=$expect"* ]]
ok $? "the JVM's checksum is unchanged ($out; expected $expect)"
truth=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$out")
read -r longs bytes got share <<<"$(sites "$TMP/j.folded")"
note "allocated ${truth} bytes; ${got} sampled under the two sites: long[] ${share} %; $(tail -1 "$TMP/err")"
ok "$(within "$share" 70 80; echo $?)" "long[] at Alloc.longs 75 % +-5 of the two sites ($share %)"
ok "$(awk -v g="$got" -v t="$truth" 'BEGIN { exit !(t > 0 && g >= 0.9 * t && g <= 1.1 * t) }'; echo $?)" \
	"bytes under the two sites within 10 % of what the JVM allocated"
grep -q '^java;.*;Alloc\.round_\[[ij]\];Alloc\.longs_\[[ij]\];[^;]*;long\[\]_\[a\] [0-9]*$' "$TMP/j.folded"
ok $? "the class is the leaf, right under the Java frames (the JVM's allocator is left out)"

# -p: a JVM that gets the agent now, and one that loaded it at start without sampling; a finer
# interval for these 2 s: the shares rest on ~1000 samples
for how in attach loaded; do
	opts=()
	[ "$how" = loaded ] && opts=("-agentpath:$AGENT")
	"$JAVA" "${opts[@]}" -XX:+PreserveFramePointer -cp "$CP" Alloc 100000000 >/dev/null 2>&1 &
	pid=$!; cleanup_pids+=("$pid")
	wait_jvm "$pid"; sleep 0.5
	"$BPFPROF" record -e alloc --alloc-interval 64K -p "$pid" -d 2 -o "$TMP/p-$how.folded" 2>"$TMP/p-$how.err"
	ok $? "record -e alloc -p JVM ($how agent)"
	read -r longs bytes got share <<<"$(sites "$TMP/p-$how.folded")"
	note "$how: ${got} bytes under the two sites, long[] ${share} %"
	ok "$(within "$share" 70 80; echo $?)" "-p, $how agent: long[] 75 % +-5 ($share %)"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done

# a JVM that refuses attaching: one line, non-zero
"$JAVA" -XX:+DisableAttachMechanism -cp "$CP" Alloc 100000000 >/dev/null 2>&1 &
pid=$!; cleanup_pids+=("$pid")
wait_jvm "$pid"
"$BPFPROF" record -e alloc -p "$pid" -d 1 -o "$TMP/no.folded" 2>"$TMP/no.err"
rc=$?
note "$(cat "$TMP/no.err")"
ok "$(( rc == 0 || $(grep -c . "$TMP/no.err") != 1 ))" "a JVM that refuses the agent: exit $rc, one line"
grep -q 'Java allocations' "$TMP/no.err" && [ ! -s "$TMP/no.folded" ]
ok $? "the line says what is missing, and no profile is written"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done_testing
