# record/names.sh - frame names a person recognises, from real recordings of tests/workloads/names.
# C++ (names cpp: Acc<double>::add 60%, Vec3::operator+ 40%): by default scope and name, template
# arguments as <...>, no parameter list; --full-names gives the demangled name nm -C prints. libc
# (names libc: write, malloc/free, pthread_mutex_lock in a loop): functions carry the exported name
# nm -D lists (write, malloc, pthread_mutex_lock), never glibc's internal __GI_/___ aliases.
. "$(dirname "$0")/../lib.sh"
W=$BUILD/tests/workloads/names
# frames FOLDED: every frame name once
frames() { sed 's/ [0-9]*$//' "$1" | tr ';' '\n' | sort -u; }
# has_frame FOLDED NAME: percent of samples with a frame named exactly NAME (no regex: C++ names)
has_frame() {
	awk -v f="$2" '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += c; n = split(s, a, ";")
		for (i = 1; i <= n; i++) if (a[i] == f) { m += c; break } }
		END { printf "%.1f\n", t ? 100 * m / t : 0 }' "$1"
}

"$BPFPROF" record -F 999 --no-status -o "$TMP/cpp.folded" -- "$W" cpp 1.5 2> "$TMP/err"
ok $? "record -- names cpp exits 0"
note "$(tail -n 1 "$TMP/err"); $(total "$TMP/cpp.folded") samples"
add=$(share "$TMP/cpp.folded" ';run_cpp;Acc<[.][.][.]>::add$')
op=$(share "$TMP/cpp.folded" ';run_cpp;Vec3::operator[+]$')
within "$add" 53 67; ok $? "Acc<...>::add (templated method, short name) has 60% +-7 ($add%)"
within "$op" 33 47; ok $? "Vec3::operator+ (overloaded operator, short name) has 40% +-7 ($op%)"
long=$(frames "$TMP/cpp.folded" | grep -v '^(anonymous namespace)' | grep '[()]' | head -n 3)
[ -z "$long" ]; ok $? "no frame carries a parameter list by default (${long:-none})"

"$BPFPROF" record -F 999 --no-status --full-names -o "$TMP/full.folded" -- "$W" cpp 1 2> "$TMP/err"
ok $? "record --full-names -- names cpp exits 0"
full_add=$(nm -C "$W" | sed -n 's/^[0-9a-f]* [TtWw] \(Acc<.*>::add(.*)\)$/\1/p')
full_op=$(nm -C "$W" | sed -n 's/^[0-9a-f]* [TtWw] \(Vec3::operator+(.*)\( const\)\?\)$/\1/p')
note "nm -C: '$full_add', '$full_op'"
add=$(has_frame "$TMP/full.folded" "$full_add")
op=$(has_frame "$TMP/full.folded" "$full_op")
[ -n "$full_add" ] && within "$add" 50 70; ok $? "--full-names: '$full_add' as nm -C prints it, $add% (60 +-10)"
[ -n "$full_op" ] && within "$op" 30 50; ok $? "--full-names: '$full_op' as nm -C prints it, $op% (40 +-10)"

"$BPFPROF" record -F 999 --no-status -o "$TMP/libc.folded" -- "$W" libc 1.5 2> "$TMP/err"
ok $? "record -- names libc exits 0"
note "$(tail -n 1 "$TMP/err"); $(total "$TMP/libc.folded") samples"
libc=$(awk '$NF ~ /\/libc\.so\.6$/ { print $NF; exit }' /proc/self/maps)
exported=$(nm -D --defined-only --without-symbol-versions "$libc" | awk '{ print $3 }' | sort -u)
# libc is built without frame pointers: its leaf write() hides run_libc, so main;write
w=$(share "$TMP/libc.folded" ';main;(run_libc;)?write(;|$)')
within "$w" 50 100; ok $? "write() named write: $w% of samples (writes dominate the loop)"
for f in write malloc free pthread_mutex_lock; do
	grep -qx "$f" <<< "$exported" && frames "$TMP/libc.folded" | grep -qx "$f"
	ok $? "libc's $f is a frame named $f, a name nm -D lists in $libc"
done
# __GI_x never; ___x (___pthread_mutex_lock) only where libc exports no x or __x at that name
internal=$(cat "$TMP/cpp.folded" "$TMP/libc.folded" | sed 's/ [0-9]*$//' | tr ';' '\n' | sort -u |
	while read -r f; do
		case $f in
		__GI_*) echo "$f" ;;
		___*) b=$(sed 's/^_*//' <<< "$f")
		      grep -qxE "(__)?$b" <<< "$exported" && echo "$f" ;;
		esac
	done | head -n 3)
[ -z "$internal" ]; ok $? "no internal glibc alias (__GI_x, ___x) names a frame (${internal:-none})"
done_testing
