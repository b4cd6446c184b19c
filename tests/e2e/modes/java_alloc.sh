#!/usr/bin/env bash
# -e alloc on a JVM (tests/java/Alloc.java: long[] at Alloc.longs and byte[] at Alloc.bytes, 3:1
# by bytes, 1024-byte arrays): through the agent's SampledObjectAlloc the Java stacks end in the
# allocated class (long[]_[a], byte[]_[a]), 75/25 +-5 points, the bytes under the two sites
# within 10 % of what the program allocated, and the JVM's exit status and checksum unchanged.
# A JVM that refuses the agent is an error in one line, not a profile without its heap (-p,
# java_alloc_p.sh).
source "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/java_alloc.inc"
[ -x "$JAVA" ] || { note "skip: no JDK 17"; done_testing; exit; }
ROUNDS=300000

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
