# record_system.sh - a host-wide recording: the split workload shows up by name with its
# functions, a syscall-heavy process shows kernel frames, and a process that exits in the
# middle of the recording is still fully named.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/split
"$W" 6 > /dev/null & p=$!; cleanup_pids+=($p)
( sleep 1; exec "$W" 1 > /dev/null ) &
( sleep 0.5; exec dd if=/dev/zero of=/dev/null bs=4k count=2000000 2>/dev/null ) &
"$BPFPROF" record -F 499 -d 4 -o "$TMP/sys.folded" 2> "$TMP/err"
ok $? "host-wide record -d 4 exits 0"
note "$(head -n 1 "$TMP/err")"
procs=$(cut -d';' -f1 "$TMP/sys.folded" | sort -u | wc -l)
[ "$procs" -ge 2 ]; ok $? "several processes in the profile ($procs)"
grep -Eq '^split;(_start;__libc_start_main;)?__libc_start_call_main;main;work;hot_a;spin ' "$TMP/sys.folded"
ok $? "split is there by name with its frames"
grep -q '^dd;.*_\[k\]' "$TMP/sys.folded"; ok $? "dd shows kernel frames (_[k])"
grep -Eq '^dd;.*;(read|write|__libc_read|__libc_write|__GI___libc_write|__GI___libc_read)[;]' "$TMP/sys.folded" || grep -Eq '^dd;.*(ksys_read|ksys_write|read_zero|vfs_write|vfs_read)' "$TMP/sys.folded"
ok $? "dd's stacks go through read/write into the kernel"
# the short-lived split (1 s, started 1 s in) exited 2 s before the end and is still named
n=$(grep -c '^split;' "$TMP/sys.folded")
[ "$(share "$TMP/sys.folded" '^split;.*;main;work;hot_')" != 0 ]; ok $? "split stacks named"
! grep -q '^\[pid' "$TMP/sys.folded"; ok $? "no process left as [pid N]"
kill $p 2>/dev/null; wait
done_testing
