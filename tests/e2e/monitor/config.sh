# config.sh - `monitor --config FILE` (the systemd unit's options file): options from the file,
# the command line winning over it, SIGHUP reading it again (a new window length applies at
# once, a bad file keeps the old options and says so), and the unit file itself.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 30 > /dev/null & wp=$!; cleanup_pids+=($wp)
C=$TMP/monitor.conf
printf '# options\nwindow = 3s\nfreq 99\nretain 1h\n' > "$C"
"$BPFPROF" monitor --config "$C" -p "$wp" --dir "$TMP/h" --socket "$TMP/ctl" 2> "$TMP/err" & mp=$!
cleanup_pids+=($mp)
sleep 4.5
grep -q 'window 3s' "$TMP/err"; ok $? "the window comes from the file ($(head -n1 "$TMP/err"))"
printf 'window 1s\nfreq 99\nretain 1h\n' > "$C"
n0=$(ls "$TMP/h" | wc -l)
kill -HUP "$mp"
sleep 4
n1=$(ls "$TMP/h" | wc -l)
grep -q 'SIGHUP: options read again: window 1s' "$TMP/err"; ok $? "SIGHUP reads the file again"
[ $((n1 - n0)) -ge 3 ]; ok $? "  and 1 s windows follow at once ($((n1 - n0)) windows in 4 s)"
printf 'window nonsense\n' > "$C"
kill -HUP "$mp"; sleep 0.5
grep -q 'options not reloaded' "$TMP/err"; ok $? "a bad file is refused and the old options stay"
kill -0 "$mp"; ok $? "  the monitor goes on"
kill -INT "$mp"; wait "$mp"; ok $? "exits 0"
printf 'window 5s\n' > "$C"
"$BPFPROF" monitor --config "$C" --window 0 --no-history --socket "$TMP/x" 2> "$TMP/err2"
[ $? -eq 2 ] && grep -q "not '0'" "$TMP/err2"; ok $? "the command line wins over the file ($(head -n1 "$TMP/err2"))"
printf 'no-such-option 1\n' > "$C"
"$BPFPROF" monitor --config "$C" --no-history --socket "$TMP/x" 2> "$TMP/err3"
[ $? -eq 2 ]; ok $? "an unknown option in the file is an error ($(head -n1 "$TMP/err3"))"
if command -v systemd-analyze > /dev/null; then
	sed "s|@BINDIR@|$(dirname "$BPFPROF")|" "$ROOT/tools/bpfprof.service" > "$TMP/bpfprof.service"
	systemd-analyze verify "$TMP/bpfprof.service" > "$TMP/verify" 2>&1
	! grep -v -e 'Failed to open' -e 'dependency' -e 'network-online' -e '^$' "$TMP/verify" | grep -qi 'bpfprof.service'
	ok $? "systemd-analyze verify finds nothing wrong with the unit $(head -c 300 "$TMP/verify")"
fi
# make install: the binary and the agent side by side, bin/ linking there, the unit pointing at it
D=$TMP/root
make -s -C "$ROOT" install BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr > "$TMP/install.out" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
[ -x "$D/usr/lib/bpfprof/bpfprof" ] && [ -f "$D/usr/lib/bpfprof/libbpfprof-agent.so" ] &&
	[ "$(readlink "$D/usr/bin/bpfprof")" = ../lib/bpfprof/bpfprof ] && "$D/usr/bin/bpfprof" version > /dev/null
ok $? "  installs bpfprof with its agent beside it, bin/bpfprof runs"
grep -q '^ExecStart=/usr/bin/bpfprof monitor' "$D/etc/systemd/system/bpfprof.service" && [ -f "$D/etc/bpfprof/monitor.conf" ]
ok $? "  the unit runs the installed binary; an options file is there"
done_testing
