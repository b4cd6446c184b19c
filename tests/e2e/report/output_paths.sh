#!/usr/bin/env bash
# output_paths.sh - `record`, `report` and `diff` write to whatever -o names without replacing it:
# copies of /dev/full and /dev/null (mknod), a FIFO, symlinks, a descriptor path; a regular file
# appears whole (SIGKILL leaves no temporary file); hostile inputs end fast with a clear error.
# Never touches the real /dev: every node here is a copy in the scratch directory.
. "$(dirname "$0")/../lib.sh"

# run ARGS...: bpfprof ARGS with stderr in $TMP/err; sets rc
run() { timeout 60 "$BPFPROF" "$@" > "$TMP/out" 2> "$TMP/err"; rc=$?; }
err() { head -c 300 "$TMP/err" | tr '\n' ' '; }

mknod "$TMP/full" c 1 7 && mknod "$TMP/null" c 1 3 && mknod "$TMP/zero" c 1 5
ok $? "mknod copies of /dev/full, /dev/null, /dev/zero"
printf 'p;main;a 3\np;main;b 1\n' > "$TMP/in.folded"
sleep 120 & idle=$!	# the recordings' target: -p keeps them off other processes (and JVMs)
cleanup_pids+=("$idle")

# --- devices: written in place, errors reported with their errno
run record -d 1 -p "$idle" -o "$TMP/full"
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "cannot write '$TMP/full': No space left on device" "$TMP/err"
ok $? "record -o full copy: exit $rc, $(err)"
[ "$(stat -c %F "$TMP/full")" = "character special file" ]; ok $? "full copy is still a character device"
run report "$TMP/in.folded" -o "$TMP/full"
[ $rc -ne 0 ] && grep -q 'No space left on device' "$TMP/err"; ok $? "report -o full copy: exit $rc, $(err)"
"$BPFPROF" report "$TMP/in.folded" > "$TMP/full" 2> "$TMP/err"; rc=$?
[ $rc -ne 0 ] && grep -q "cannot write 'stdout': No space left on device" "$TMP/err"
ok $? "report > full copy (stdout): exit $rc, $(err)"
run diff "$TMP/in.folded" "$TMP/in.folded" -o "$TMP/full"
[ $rc -ne 0 ] && grep -q 'No space left on device' "$TMP/err"; ok $? "diff -o full copy: exit $rc"
run report "$TMP/in.folded" -o "$TMP/null"
[ $rc -eq 0 ] && [ "$(stat -c %F "$TMP/null")" = "character special file" ]
ok $? "report -o null copy: exit $rc, still a character device"

# --- FIFO: with a reader it gets the bytes; without one, an error before any work
mkfifo "$TMP/fifo"
# The reader's end opened before report runs (a background cat may not have reached open() yet):
# O_RDWR never blocks, so it lets the read-only open through, then goes.
exec 4<> "$TMP/fifo" 3< "$TMP/fifo" 4>&-
run report "$TMP/in.folded" -o "$TMP/fifo"
[ $rc -eq 0 ] && timeout 10 cat <&3 > "$TMP/fifo.got"
exec 3<&-
cmp -s "$TMP/fifo.got" "$TMP/in.folded"; ok $? "report -o fifo: its reader got the profile (rc $rc)"
[ "$(stat -c %F "$TMP/fifo")" = "fifo" ]; ok $? "the FIFO is still a FIFO"
start=$SECONDS
run record -d 30 -p "$idle" -o "$TMP/fifo"
[ $rc -ne 0 ] && [ $((SECONDS - start)) -lt 10 ] && grep -q 'start the FIFO.s reader' "$TMP/err"
ok $? "record -o a FIFO nobody reads fails at once: $(err)"

# --- symlinks: written through, the link stays
printf 'old\n' > "$TMP/target.folded" && chmod 600 "$TMP/target.folded"
ln -s target.folded "$TMP/link_to_file"
run report "$TMP/in.folded" -o "$TMP/link_to_file"
[ $rc -eq 0 ] && [ -L "$TMP/link_to_file" ] && [ "$(readlink "$TMP/link_to_file")" = target.folded ]
ok $? "-o link_to_file: exit $rc, still a symlink to target.folded"
cmp -s "$TMP/target.folded" "$TMP/in.folded" && [ "$(stat -c %a "$TMP/target.folded")" = 600 ]
ok $? "the link's target got the profile and kept mode 600"
ln -s full "$TMP/link_to_full"
run report "$TMP/in.folded" -o "$TMP/link_to_full"
[ $rc -ne 0 ] && grep -q 'No space' "$TMP/err" && [ -L "$TMP/link_to_full" ] && [ -c "$TMP/full" ]
ok $? "-o a symlink to the full copy: ENOSPC, link and device unchanged"
ln -s missing.folded "$TMP/dangling"
run report "$TMP/in.folded" -o "$TMP/dangling"
[ $rc -ne 0 ] && [ -L "$TMP/dangling" ] && [ ! -e "$TMP/missing.folded" ]
ok $? "a dangling symlink is refused and left as it was: $(err)"

# --- descriptor paths: bash's >(cmd) is /dev/fd/N, a pipe
"$BPFPROF" report "$TMP/in.folded" -o >(gzip > "$TMP/proc.gz"); rc=$?
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/proc.gz" ] && break; sleep 0.2; done
sleep 0.2
[ $rc -eq 0 ] && [ "$(zcat "$TMP/proc.gz")" = "$(cat "$TMP/in.folded")" ]
ok $? "-o >(gzip > x): the pipe got the profile"
ln -s /proc/self/fd/1 "$TMP/to_stdout"
got=$("$BPFPROF" report "$TMP/in.folded" -o "$TMP/to_stdout" | cat)
[ "$got" = "$(cat "$TMP/in.folded")" ] && [ -L "$TMP/to_stdout" ]
ok $? "-o a symlink to /proc/self/fd/1 writes into the pipe"

# --- regular files: mode kept, no temporary file seen, none left after SIGKILL
printf 'x\n' > "$TMP/keep.txt" && chmod 640 "$TMP/keep.txt"
run report "$TMP/in.folded" -o "$TMP/keep.txt"
[ $rc -eq 0 ] && [ "$(stat -c %a "$TMP/keep.txt")" = 640 ] && grep -q 'main' "$TMP/keep.txt"
ok $? "replacing a 640 file keeps its mode"
mkdir "$TMP/killed"
"$BPFPROF" record -p "$idle" -o "$TMP/killed/k.folded" -o "$TMP/killed/k.html" 2> "$TMP/rec.err" & rec=$!
cleanup_pids+=("$rec")
sleep 2
left=$(ls -A "$TMP/killed")
kill -KILL "$rec"; wait "$rec" 2> /dev/null
[ -z "$left" ] && [ -z "$(ls -A "$TMP/killed")" ]
ok $? "record's outputs are invisible while it runs and SIGKILL leaves nothing (saw: '$left' '$(ls -A "$TMP/killed")')"

# --- hostile input: /dev/zero's copy ends fast, with the line limit, in bounded memory
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$TMP/rss" timeout 20 "$BPFPROF" report "$TMP/zero" > /dev/null 2> "$TMP/err"
	rc=$? rss=$(tail -n 1 "$TMP/rss")
	[ $rc -eq 1 ] && grep -q "zero:1: line longer than 4 MiB" "$TMP/err" && [ "$rss" -lt 100000 ]
	ok $? "report zero copy: exit $rc, RSS ${rss} KB (< 100 MB), $(err)"
else
	note "no /usr/bin/time: zero-copy RSS not measured"
fi
start=$SECONDS
yes 'p;frame' | tr -d '\n' | timeout 20 "$BPFPROF" report - > /dev/null 2> "$TMP/err"; rc=$?
[ $rc -eq 1 ] && [ $((SECONDS - start)) -lt 10 ] && grep -q '<stdin>:1: line longer than' "$TMP/err"
ok $? "a pipe that never sends a newline: $(err)"
done_testing
