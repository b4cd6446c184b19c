#!/usr/bin/env bash
# debugdir.sh BINARY DEBUGROOT - file BINARY's debug info under DEBUGROOT/.build-id/xx/yyyy.debug,
# the layout distributions use for -dbgsym packages (/usr/lib/debug/.build-id/...).
set -euo pipefail
bin=$1 root=$2
id=$(readelf -n "$bin" | awk '/Build ID:/ { print $3; exit }')
[ -n "$id" ] || { echo "debugdir.sh: $bin has no build-id" >&2; exit 1; }
mkdir -p "$root/.build-id/${id:0:2}"
objcopy --only-keep-debug "$bin" "$root/.build-id/${id:0:2}/${id:2}.debug"
