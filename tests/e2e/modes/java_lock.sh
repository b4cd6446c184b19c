#!/usr/bin/env bash
# -e lock on a JVM whose 3 threads contend for one synchronized block (tests/java/Contend.java):
# the waits to enter the monitor (ObjectMonitor::enter, parked on a futex) add up to what the
# threads measured themselves (-30 %/+20 %: the JVM spins before it parks), and the Java frames
# show through the agent's perf map:
# Contend.waitForLock_[j] above the monitor's slow path (C2's _complete_monitor_locking_Java
# stub). -Xbatch and Contend's warm-up have waitForLock compiled before the threads contend, and
# -XX:+PreserveFramePointer lets the walk pass the stub: the answer does not hang on the JIT's
# progress on a loaded machine (an interpreted waitForLock is one more Interpreter_[j]).
# The agent names the monitor's class (MonitorContendedEnter): Contend$Gate_[l] is the leaf of
# those waits, with the agent loaded at start and attached to a running JVM (-p).
source "$(dirname "$0")/../lib.sh"
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
[ -x "$JAVA" ] || { note "skip: no JDK 17"; done_testing; exit; }

out=$("$BPFPROF" record -e lock -o "$TMP/j.folded" -- "$JAVA" -Xbatch -XX:+PreserveFramePointer -cp "$BUILD/tests/java" Contend 3 \
	2>"$TMP/err")
ok $? "record -e lock -- java Contend runs, and the JVM exits 0"
waited=$(sed -n 's/.*waited_ns=\([0-9]*\).*/\1/p' <<<"$out")
grep -v '^#' "$TMP/j.folded" | grep 'ObjectMonitor::enter' >"$TMP/enter.folded"
got=$(total "$TMP/enter.folded")
named=$(share "$TMP/enter.folded" 'Contend\.waitForLock_\[j\];[^;]*monitor')
note "threads measured ${waited} ns getting in; ObjectMonitor::enter waits ${got} ns, ${named} % under Contend.waitForLock_[j]"
# HotSpot spins a while before it parks a thread: that part of the wait is on the CPU, not in
# a futex, so the futex waits may fall short of the measure (down to 70 %), never exceed it much.
ok "$(awk -v g="$got" -v w="$waited" 'BEGIN { exit !(w > 0 && g >= 0.7 * w && g <= 1.2 * w) }'; echo $?)" \
	"monitor waits within -30 %/+20 % of the threads' own measure"
ok "$(within "$named" 80 100; echo $?)" "80 % or more of it under Contend.waitForLock_[j] -> the monitor's slow path ($named %)"
gate=$(share "$TMP/enter.folded" ';Contend\$Gate_\[l\]$')
note "$(grep -v '^#' "$TMP/j.folded" | grep -o ';[^;]*_\[l\] ' | sort | uniq -c | head -5 | tr '\n' ' ')"
ok "$(within "$gate" 95 100; echo $?)" "the monitor's class Contend\$Gate_[l] is the leaf of 95 % or more of those waits ($gate %)"

# -p: the agent attached now names the monitor too (monitors=on in the attach's options)
"$JAVA" -XX:+PreserveFramePointer -cp "$BUILD/tests/java" Contend 5 >"$TMP/p.out" 2>&1 &
pid=$!; cleanup_pids+=("$pid")
wait_jvm "$pid"; sleep 1
"$BPFPROF" record -e lock -p "$pid" -d 2 -o "$TMP/p.folded" 2>"$TMP/p.err"
ok $? "record -e lock -p JVM"
grep -v '^#' "$TMP/p.folded" | grep 'ObjectMonitor::enter' >"$TMP/p-enter.folded"
gate=$(share "$TMP/p-enter.folded" ';Contend\$Gate_\[l\]$')
# waits begun before the attach turned the agent's monitor events on go unnamed (88.7-96.8 %)
ok "$(within "$gate" 80 100; echo $?)" "-p: Contend\$Gate_[l] is the leaf of 80 % or more of the monitor waits ($gate %)"
wait "$pid"
ok $? "the JVM exits 0 ($(cat "$TMP/p.out"))"
done_testing
