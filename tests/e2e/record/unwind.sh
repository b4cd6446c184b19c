# unwind.sh - whole user stacks without frame pointers (--unwind auto, the default): a program
# built like a distribution's (gcc -O2, no frame pointers) whose hot code is reached through libc
# (qsort, bsearch), through an FP-only stub with no CFI in anonymous memory (a "JIT"), 100 calls
# deep, and from a signal handler; and dd, a stripped Debian binary calling libc. The frame-pointer
# walk (--unwind fp) of the same programs is the control: it must lose main where CFI keeps it.
# The 60/30/10 split is checked against the CPU time the program measured for each part itself.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/nofp_unwind
readelf -S "$W" | grep -q eh_frame; ok $? "the workload has .eh_frame"
objdump -d "$W" --no-show-raw-insn | awk '/<cmp_a>:/,/ret/' | grep -q 'push *%rbp'
ok $([ $? -ne 0 ]; echo $?) "the workload has no frame pointers (cmp_a does not push rbp)"

# samples that reach main, or the root of the start-up code before it (ld.so's entry)
ROOT=';main(;|$)|^[^;]*;\[ld-linux[^];]*\];_dl_start;'

rec() { # rec NAME UNWIND ARGS...: record the workload, its own output in NAME.out
	local name=$1 unwind=$2; shift 2
	"$BPFPROF" record --unwind "$unwind" -F "${F:-499}" -v -o "$TMP/$name.folded" -- "$W" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
}

F=999 rec split auto split 4 20; ok $? "record -- nofp_unwind split"
n=$(total "$TMP/split.folded") m=$(share "$TMP/split.folded" "$ROOT")
note "split: $n samples, $m% reach main"
within "$m" 98 100; ok $? "no frame pointers: main reached in $m% of samples (>= 98)"
grep -q '_start;__libc_start_main;__libc_start_call_main;main;' "$TMP/split.folded"; ok $? "stacks go up to _start through libc"
grep -q ';main;run_a;qsort_r;msort_with_tmp;cmp_a;spin ' "$TMP/split.folded"; ok $? "through libc: main;run_a;qsort_r;msort_with_tmp;cmp_a"
grep -q ';main;run_b;bsearch;cmp_b;spin ' "$TMP/split.folded"; ok $? "through libc: main;run_b;bsearch;cmp_b"
grep -q ';main;run_c;jit_tramp_\[j\];work_c;spin ' "$TMP/split.folded"; ok $? "mixed: no-FP main -> FP stub without CFI -> no-FP work_c"
a=$(share "$TMP/split.folded" ';cmp_a;') b=$(share "$TMP/split.folded" ';cmp_b;') c=$(share "$TMP/split.folded" ';work_c;')
sum=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { print a + b + c }')
for part in "cmp_a $a" "cmp_b $b" "work_c $c"; do
	set -- $part
	got=$(awk -v x="$2" -v s="$sum" 'BEGIN { printf "%.1f", s ? 100 * x / s : 0 }')
	want=$(awk -v n="$1" '$1 == "share" && $2 == n { print $3 }' "$TMP/split.out")
	lo=$(awk -v w="$want" 'BEGIN { print w - 3 }') hi=$(awk -v w="$want" 'BEGIN { print w + 3 }')
	within "$got" "$lo" "$hi"; ok $? "$1: $got% of the three, the program measured $want% (within 3 points)"
done
grep -q 'unwind: tables: [1-9]' "$TMP/split.err"; ok $? "-v reports the tables' memory"
note "$(grep 'unwind: tables:' "$TMP/split.err" | sed 's/^bpfprof: //')"

rec splitfp fp split 3; ok $? "record --unwind fp -- nofp_unwind split"
f=$(share "$TMP/splitfp.folded" ';main;')
note "frame pointers: $f% reach main"
within "$f" 0 50; ok $? "the frame-pointer walk loses main ($f% reach it)"

rec recurse auto recurse 3; ok $? "record -- nofp_unwind recurse"
m=$(share "$TMP/recurse.folded" "$ROOT")
deep=$(awk '/^#/ { next } { n = gsub(/;recurse/, "&"); if (n >= 100) c += $NF } END { print c + 0 }' "$TMP/recurse.folded")
within "$m" 98 100; ok $? "100 deep: main reached in $m% of samples (>= 98)"
[ "$deep" -gt 0 ]; ok $? "100 deep: all 100 recurse frames are there ($deep samples)"

rec signal auto signal 3; ok $? "record -- nofp_unwind signal"
h=$(share "$TMP/signal.folded" ';main;spin;[^;]*;spin_in_handler;spin$')
m=$(share "$TMP/signal.folded" "$ROOT")
within "$h" 3 100; ok $? "signal handler: main;spin;<trampoline>;spin_in_handler ($h%)"
within "$m" 98 100; ok $? "signal handler: main reached in $m% of samples (>= 98)"

# dd: Debian's, stripped, no frame pointers; its main is [dd] under __libc_start_call_main
dd_rec() {
	"$BPFPROF" record --unwind "$1" -F 499 -o "$TMP/dd_$1.folded" -- dd if=/dev/zero of=/dev/null bs=1 count=600000 2> /dev/null
}
dd_rec auto; ok $? "record -- dd"
d=$(share "$TMP/dd_auto.folded" '^dd;\[dd\];__libc_start_main;__libc_start_call_main;\[dd\](;|$)|^dd;\[ld-linux[^];]*\];_dl_start;')
dd_rec fp; df=$(share "$TMP/dd_fp.folded" '__libc_start_call_main;\[dd\];')
note "dd: $d% reach dd's main with CFI, $df% by frame pointers"
within "$d" 98 100; ok $? "dd through libc reaches main, or ld.so's entry before it ($d%, >= 98)"
awk -v a="$d" -v b="$df" 'BEGIN { exit !(a > b + 20) }'; ok $? "... where frame pointers reach it less ($df%)"

# a JVM thread blocked in a futex (-e offcpu): Java's main thread sleeping, through libjvm and
# libc (no frame pointers) down to the futex, must reach the thread's start
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
if [ -x "$JAVA_HOME/bin/javac" ]; then
	cat > "$TMP/Blocked.java" <<'JAVA'
public class Blocked {
	public static void main(String[] a) throws Exception {
		long end = System.currentTimeMillis() + Long.parseLong(a[0]) * 1000;
		while (System.currentTimeMillis() < end)
			Thread.sleep(50);
	}
}
JAVA
	"$JAVA_HOME/bin/javac" -d "$TMP" "$TMP/Blocked.java"
	for u in auto fp; do
		"$BPFPROF" record --unwind $u -e offcpu --java off -o "$TMP/java_$u.folded" -- "$JAVA_HOME/bin/java" -cp "$TMP" Blocked 2 > /dev/null 2>&1
	done
	re='clone3;start_thread;ThreadJavaMain;JavaMain;.*JVM_Sleep;.*__futex_abstimed_wait_common'
	j=$(share "$TMP/java_auto.folded" "$re") jf=$(share "$TMP/java_fp.folded" "$re")
	note "JVM main thread asleep, whole stack: $j% of off-CPU time with CFI, $jf% by frame pointers"
	within "$j" 1 100; ok $? "a futex-blocked JVM thread reaches clone3;start_thread;...;JVM_Sleep;...;futex ($j%)"
	within "$jf" 0 0; ok $? "... which frame pointers never reach ($jf%)"
	# every thread: JVM threads from clone3, the launcher (blocked in pthread_join from its first
	# switch on) from its executable's entry; it blocks once, so its stack is walked once, early
	root='^java;(clone3;start_thread|\[java\];__libc_start_main);'
	r=$(share "$TMP/java_auto.folded" "$root") rf=$(share "$TMP/java_fp.folded" "$root")
	within "$r" 98 100; ok $? "all the JVM's blocked time reaches a thread's root: $r% (>= 98; frame pointers $rf%)"
else
	note "no javac: JVM check skipped"
fi

# bad input: a binary whose .eh_frame is garbage is profiled without a crash or a hang
cp "$W" "$TMP/garbled"
read -r off size <<< "$(readelf -SW "$TMP/garbled" | awk '$2 == ".eh_frame" { print $5, $6 }')"
head -c $((0x$size)) /dev/urandom | dd of="$TMP/garbled" bs=1 seek=$((0x$off)) conv=notrunc 2> /dev/null
cmp -s "$W" "$TMP/garbled"; ok $([ $? -eq 1 ]; echo $?) "garbled copy differs from the workload"
timeout 30 "$BPFPROF" record -F 499 -o "$TMP/garbled.folded" -- "$TMP/garbled" recurse 2 > /dev/null 2> "$TMP/garbled.err"
ok $? "garbled .eh_frame: recorded, exit 0"
[ "$(total "$TMP/garbled.folded")" -ge 100 ]; ok $? "garbled .eh_frame: samples kept ($(total "$TMP/garbled.folded"))"
"$BPFPROF" record --unwind dwarf -d 1 -o "$TMP/x.folded" 2> "$TMP/bad.err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$TMP/bad.err")" -eq 1 ]; ok $? "--unwind dwarf: one-line error, exit 2 ($(cat "$TMP/bad.err"))"
done_testing
