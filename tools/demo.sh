#!/usr/bin/env bash
# demo.sh - what `sudo make demo` runs: profile the whole host for 5 seconds while a bundled
# workload (the split burner: hot_a/hot_b/hot_c at 60/30/10, plus dd for kernel time) runs,
# and write an interactive flame graph and the folded stacks under build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root to load BPF; run: sudo make demo" >&2
	exit 1
fi
out=$BUILD/demo
mkdir -p "$out"
"$BUILD/tests/workloads/split" 6 > /dev/null &
w1=$!
dd if=/dev/zero of=/dev/null bs=64k count=4000000 2> /dev/null &
w2=$!
trap 'kill $w1 $w2 2>/dev/null || true' EXIT
sleep 0.3
echo "demo: recording the whole host for 5 seconds (split and dd are running)..."
"$BUILD/bpfprof" record -F 499 -d 5 --title "bpfprof demo: the whole host for 5 s" \
	-o "$out/flame.html" -o "$out/profile.folded" -o "$out/summary.txt"
echo
sed -n '1,25p' "$out/summary.txt"
echo
echo "demo: flame graph:     $(realpath "$out/flame.html")   (open it in a browser)"
echo "demo: folded stacks:   $(realpath "$out/profile.folded")"
