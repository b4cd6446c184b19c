#!/usr/bin/env bash
# -e alloc -p on running JVMs (tests/java/Alloc.java: long[] at Alloc.longs and byte[] at
# Alloc.bytes, 3:1 by bytes): a JVM we attach the agent to, with allocation sampling on in its
# options, and a JVM that loaded the agent at start without sampling (a second attach turns it
# on, and off again at the end): long[] 75 % +-5 of the two sites' bytes in both.
source "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/java_alloc.inc"
[ -x "$JAVA" ] || { note "skip: no JDK 17"; done_testing; exit; }
AGENT=$BUILD/libbpfprof-agent.so

# -p: a JVM that gets the agent now, and one that loaded it at start without sampling; a finer
# interval for these 2 s: the shares rest on ~1000 samples or more
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

done_testing
