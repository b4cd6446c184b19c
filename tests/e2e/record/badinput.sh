# record_badinput.sh - every wrong input gets one clear line on stderr, a non-zero exit that is
# not a crash, and no output file.
. "$(dirname "$0")/../lib.sh"
out=$TMP/never.folded
# expect STATUS_MATCH REGEX ARGS...: run bpfprof ARGS, check exit, one stderr line matching REGEX
expect() {
	local re=$1; shift
	"$BPFPROF" "$@" > "$TMP/stdout" 2> "$TMP/stderr"; local rc=$?
	local lines; lines=$(wc -l < "$TMP/stderr")
	if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$lines" -eq 1 ] && grep -Eq -e "$re" "$TMP/stderr" && [ ! -e "$out" ]; then
		ok 0 "bpfprof $* -> $(cat "$TMP/stderr")"
	else
		ok 1 "bpfprof $* (rc=$rc, $lines lines: $(head -c 300 "$TMP/stderr"))"
	fi
}
expect 'no such process: 999999' record -p 999999 -o "$out"
expect 'pid 0 is the idle task' record -p 0 -o "$out"
expect '-p needs a whole number' record -p abc -o "$out"
expect '-p needs a whole number' record -p 12,,x -o "$out"
expect '-F needs a whole number' record -F 0 -o "$out"
expect '-F needs a whole number' record -F junk -o "$out"
expect '-F needs a whole number' record -F 99999999 -o "$out" -d 1
expect '-c needs a whole number' record -c -5 -o "$out"
expect '-d needs a positive number' record -d -1 -o "$out"
expect '-d needs a positive number' record -d soon -o "$out"
expect 'unknown event .nosuch.*bpfprof list' record -e nosuch -o "$out" -d 1
expect 'needs a hardware PMU.*use -e cpu' record -e cycles -o "$out" -d 1
expect 'no tracepoint nosuch:thing' record -e tracepoint:nosuch:thing -o "$out" -d 1
expect "cannot write '/nonexistent/dir/x.folded': No such file or directory; check that its directory" record -d 1 -o /nonexistent/dir/x.folded
expect 'Is a directory; give a file name inside it' record -d 1 -o "$TMP"
sleep 60 & sleeper=$!	# an idle target: one stderr line even when other JVMs or processes run
cleanup_pids+=("$sleeper")
mknod "$TMP/full" c 1 7	# a copy of /dev/full: ENOSPC must say so, not "Input/output error"
expect "cannot write '$TMP/full': No space left on device; free some space" record -d 1 -p "$sleeper" -o "$TMP/full"
[ -c "$TMP/full" ]; ok $? "the /dev/full copy is still a character device"
expect 'unknown format' record -d 1 --format nope -o "$out"
expect '-U .* and -K .* exclude each other' record -U -K -d 1 -o "$out"
expect '-F .* or -c .*not both' record -F 99 -c 1000 -d 1 -o "$out"
expect 'unknown command .frobnicate' frobnicate
expect "unknown option '--bogus'" record --bogus
expect "missing value for '-F'" record -F
expect "cannot run 'no-such-command-xyz': command not found" record -o "$out" -- no-such-command-xyz
if id nobody >/dev/null 2>&1; then
	cp "$BPFPROF" "$TMP/bpfprof" && chmod 755 "$TMP" "$TMP/bpfprof"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TMP/bpfprof" record -d 1 -o /tmp/never-$$.folded > /dev/null 2> "$TMP/stderr"
	rc=$?
	[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q 'needs root' "$TMP/stderr" && [ ! -e /tmp/never-$$.folded ]
	ok $? "not root -> $(cat "$TMP/stderr")"
fi
# Nothing sampled (a sleeping target, Ctrl-C before its first sample): said so, and the file is
# an empty profile that report accepts, not zero bytes it rejects.
"$BPFPROF" record -p "$sleeper" -o "$TMP/empty.folded" 2> "$TMP/stderr" & rec=$!
sleep 1.5
kill -INT "$rec"; wait "$rec"; rc=$?
[ $rc -eq 0 ] && grep -q 'no samples were recorded' "$TMP/stderr" &&
	[ "$(cat "$TMP/empty.folded")" = "# empty profile: no samples were recorded" ]
ok $? "SIGINT before the first sample: exit $rc, an empty profile written ($(tail -n 1 "$TMP/stderr"))"
"$BPFPROF" report "$TMP/empty.folded" -o "$TMP/empty.txt" 2> "$TMP/stderr"; rc=$?
[ $rc -eq 0 ] && grep -q 'is an empty profile' "$TMP/stderr" && grep -q 'samples: 0' "$TMP/empty.txt"
ok $? "report reads it back: exit $rc, $(cat "$TMP/stderr")"
"$BPFPROF" record -d 1 -p "$sleeper" -o "$TMP/empty2.folded" 2> "$TMP/stderr"; rc=$?
[ $rc -eq 0 ] && cmp -s "$TMP/empty.folded" "$TMP/empty2.folded"
ok $? "record -d 1 of a sleeping -p: exit $rc, the same empty profile"
# list checks events by opening them
"$BPFPROF" list > "$TMP/list"
grep -Eq '^cpu +available' "$TMP/list" && grep -Eq '^page-faults +available' "$TMP/list"
ok $? "list: cpu and page-faults available"
if ! perf stat -e instructions true > /dev/null 2>&1; then
	grep -Eq '^cycles +unavailable' "$TMP/list"; ok $? "list: cycles unavailable without a PMU"
fi
"$BPFPROF" record --help | grep -q 'usage: bpfprof record'; ok $? "record --help"
"$BPFPROF" version | grep -q '^bpfprof '; ok $? "version"
done_testing
