#!/usr/bin/env bash
# deps.sh - make sure the Debian packages bpfprof needs are present.
#
# Usage: tools/deps.sh build|test|bench
# Checks for each tool or header and, when something is missing, installs the packages with
# apt-get (as root) or prints the exact apt-get line to run. Quiet when everything is there.
set -u
need=()
want() { # want PACKAGE TEST...: queue PACKAGE unless the test succeeds
	local pkg=$1; shift
	"$@" >/dev/null 2>&1 || need+=("$pkg")
}
has() { command -v "$1"; }
hdr() { test -e "/usr/include/$1"; }

want make has make
want gcc has gcc
want clang has clang
want llvm has llvm-strip
want bpftool has bpftool
want libbpf-dev hdr bpf/libbpf.h
want libelf-dev hdr libelf.h
want zlib1g-dev hdr zlib.h
want libprotobuf-c-dev hdr protobuf-c/protobuf-c.h
want protobuf-c-compiler has protoc-c
want openjdk-17-jdk-headless test -e /usr/lib/jvm/java-17-openjdk-amd64/include/jni.h
want binutils has objcopy
want libmicrohttpd-dev hdr microhttpd.h
want libcurl4-openssl-dev hdr x86_64-linux-gnu/curl/curl.h
want libdw-dev hdr elfutils/libdw.h
case "${1:-build}" in
test|bench)
	want golang-go has go
	want chromium has chromium
	want nodejs has node
	want procps has pgrep
	want prometheus has promtool
	want python3 has python3
	;;
esac
case "${1:-build}" in
bench)
	want bpftrace has bpftrace
	want linux-perf has perf
	want time test -x /usr/bin/time
	want python3 has python3
	;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "bpfprof: missing packages; run: sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
echo "bpfprof: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${need[@]}" >&2
