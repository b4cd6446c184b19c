# java_frame_pointers.sh - the "runs without -XX:+PreserveFramePointer" warning follows what the
# JVM says (VM.flags over the attach protocol), not a scan of its command line: no warning when
# the flag comes through javac's -J, a java @argfile or -XX:Flags=FILE, where the command line
# never shows "-XX:+PreserveFramePointer"; the warning for a JVM without it, and for one whose
# @argfile turns it off again.
. "$(dirname "$0")/../lib.sh"
CLASSES=$BUILD/tests/java
JDKS=(/usr/lib/jvm/java-17-openjdk-amd64)
[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JDKS+=(/usr/lib/jvm/temurin-25-jdk-amd64)

# warned WHAT WANT PID: record -p PID for a second; WANT is 1 when the warning must be there
warned() {
	local what=$1 want=$2 pid=$3 got=0
	cleanup_pids+=("$pid"); cleanup_files+=("/tmp/perf-$pid.map" "/tmp/perf-$pid.threads")
	wait_jvm "$pid"
	"$BPFPROF" record -p "$pid" -d 1 -o "$TMP/out.folded" --no-status 2> "$TMP/rec.err"
	grep -q "JVM $pid runs without -XX:+PreserveFramePointer" "$TMP/rec.err" && got=1
	[ "$got" = "$want" ]; ok $? "$what: warning $([ "$want" = 1 ] && echo given || echo absent) ($(grep -c PreserveFramePointer "$TMP/rec.err") lines)"
	tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- ' -XX:+PreserveFramePointer '
	[ "$want" = 1 ] || ok $(( ! $? )) "  its command line has no -XX:+PreserveFramePointer token to find"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

for jdk in "${JDKS[@]}"; do
	v=$(basename "$jdk")
	# javac -J: the flag reaches the JVM through the launcher. The FIFO @file keeps javac waiting.
	rm -f "$TMP/fifo"; mkfifo "$TMP/fifo"
	"$jdk/bin/javac" -J-XX:+PreserveFramePointer -d "$TMP/classes" "@$TMP/fifo" 2>/dev/null &
	warned "$v javac -J-XX:+PreserveFramePointer" 0 $!
	exec 3<> "$TMP/fifo"; exec 3>&- # let a javac still waiting go

	printf -- '-XX:+PreserveFramePointer\n-cp\n%s\nWorkers\n30\n' "$CLASSES" > "$TMP/args"
	"$jdk/bin/java" "@$TMP/args" > /dev/null 2>&1 &
	warned "$v java @argfile" 0 $!

	echo '+PreserveFramePointer' > "$TMP/flags"
	"$jdk/bin/java" "-XX:Flags=$TMP/flags" -cp "$CLASSES" Workers 30 > /dev/null 2>&1 &
	warned "$v java -XX:Flags=FILE" 0 $!

	"$jdk/bin/java" -cp "$CLASSES" Workers 30 > /dev/null 2>&1 &
	warned "$v java without the flag" 1 $!

	printf -- '-XX:-PreserveFramePointer\n' > "$TMP/off"
	"$jdk/bin/java" -XX:+PreserveFramePointer "@$TMP/off" -cp "$CLASSES" Workers 30 > /dev/null 2>&1 &
	warned "$v java -XX:+PreserveFramePointer @argfile turning it off" 1 $!
done
done_testing
