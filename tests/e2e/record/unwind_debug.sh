# unwind_debug.sh - CFI from a separate debug file: nofp_debuglink is nofp_unwind built without
# unwind tables (its CFI in .debug_frame), its debug sections split into nofp_debuglink.debug and
# its .eh_frame removed, as a distribution ships a stripped binary with a -dbg package. The
# unwinder must find that file as the symbolizer does: beside the binary by .gnu_debuglink, and
# by build-id under /usr/lib/debug/.build-id. Without it, main is lost (frame pointers).
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/nofp_debuglink
readelf -SW "$W" | grep -qE '\.eh_frame|\.debug_frame'; ok $([ $? -ne 0 ]; echo $?) "the binary has no CFI of its own"
readelf -SW "$W.debug" | grep -q '\.debug_frame'; ok $? "its debug file has .debug_frame"

rec() { # rec NAME BINARY: record BINARY recurse, -v output in NAME.err
	"$BPFPROF" record -v -F 499 -o "$TMP/$1.folded" -- "$2" recurse 2 > /dev/null 2> "$TMP/$1.err"
}

rec link "$W"; ok $? "record -- nofp_debuglink recurse"
m=$(share "$TMP/link.folded" ';main(;|$)')
grep -q "nofp_debuglink: [0-9]* rows from debug file" "$TMP/link.err"; ok $? "by .gnu_debuglink: its rows come from the debug file"
within "$m" 98 100; ok $? "by .gnu_debuglink: main reached in $m% of samples (>= 98)"

# the same binary alone in a folder: no debug file beside it
cp "$W" "$TMP/alone"
rec alone "$TMP/alone"; ok $? "record -- a copy without its debug file"
a=$(share "$TMP/alone.folded" ';main(;|$)')
within "$a" 0 50; ok $? "without the debug file main is lost ($a%)"

# ... then found by build-id
id=$(readelf -n "$W" | awk '/Build ID/ { print $3 }')
dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
if [ -n "$id" ] && [ ! -e "$dbg" ]; then
	mkdir -p "$(dirname "$dbg")" && cp "$W.debug" "$dbg" && cleanup_files+=("$dbg")
	rec buildid "$TMP/alone"; ok $? "record -- the copy, its debug file under /usr/lib/debug/.build-id"
	b=$(share "$TMP/buildid.folded" ';main(;|$)')
	within "$b" 98 100; ok $? "by build-id: main reached in $b% of samples (>= 98)"
else
	note "no build-id, or $dbg exists already: build-id lookup not checked"
fi
done_testing
