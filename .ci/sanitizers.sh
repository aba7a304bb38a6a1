#!/usr/bin/env bash
# Sanitizers and memory checks, each on its own out-of-tree build:
#   _asan      clang, -fsanitize=address,undefined: make check-asan
#   _valgrind  gcc, the default flags: make check-valgrind
#   _tsan      clang, -fsanitize=thread: make check-tsan
# Works from a clean clone, and after CI's `make distclean`. A source tree
# configured in-tree cannot host out-of-tree builds: then the builds use
# a copy of what the tarball holds (make distdir).
# Ends with "sanitizers: N passed, N failed"; exits 1 if any check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
# The build dependencies (README), valgrind, and clang with its sanitizer
# runtimes (only recommended by clang, so named). apt only if one lacks.
pkgs="build-essential autoconf automake libtool pkg-config libcmocka-dev man-db pciutils
	valgrind clang libclang-rt-14-dev"
# shellcheck disable=SC2086
if ! dpkg -s $pkgs >/dev/null 2>&1; then
	as_root apt-get update -qq
	as_root apt-get install -y -qq $pkgs >/dev/null
fi

src=$root
if [ -f config.status ]; then
	echo "== source tree configured in-tree: building from make distdir"
	rm -rf _sanitizers-src
	make distdir distdir=_sanitizers-src >/dev/null
	src=$root/_sanitizers-src
elif [ ! -x configure ]; then
	./autogen.sh >/dev/null 2>&1
fi

passed=0
failed=0

# stage NAME DIR TARGET CONFIGURE-ARGS...: configure and build in DIR,
# run `make TARGET` there, count its TAP lines; a build that fails, or a
# target that fails without saying which check, counts as one failure.
stage() {
	local name=$1 dir=$root/$2 target=$3 status=0 ok bad
	shift 3
	echo "== $name"
	rm -rf "$dir"
	mkdir "$dir"
	if ! (cd "$dir" && "$src/configure" --enable-werror "$@" >configure.out 2>&1 &&
		make -j2 >build.out 2>&1); then
		echo "$name: build failed (in $dir)"
		tail -n 30 "$dir/config.log" "$dir/build.out" 2>/dev/null || true
		failed=$((failed + 1))
		return
	fi
	(cd "$dir" && make -j2 "$target") >"$dir/$target.out" 2>&1 || status=$?
	grep -E '^(not )?ok |^#' "$dir/$target.out" || true
	ok=$(grep -c '^ok ' "$dir/$target.out" || true)
	bad=$(grep -c '^not ok ' "$dir/$target.out" || true)
	if [ "$status" != 0 ] && [ "$bad" = 0 ]; then
		tail -n 30 "$dir/$target.out"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}

# clang for both sanitizer trees. With gcc 12's runtimes, UBSan ignores
# log_path beside ASan (a report in a test that only reads stdout would go
# unseen), and gcc's TSan spent about 10 ms on each report it matched:
# the 20000-message run took minutes instead of a second.
san_flags="-O1 -g -fno-omit-frame-pointer"
stage "make check under ASan+UBSan (clang)" _asan check-asan CC=clang \
	CFLAGS="$san_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	LDFLAGS="-fsanitize=address,undefined"
stage "valgrind memcheck of the demo on --sim (gcc)" _valgrind check-valgrind
stage "ThreadSanitizer, BAR0 mmap'd (clang)" _tsan check-tsan CC=clang \
	CFLAGS="$san_flags -fsanitize=thread" LDFLAGS="-fsanitize=thread"

echo "sanitizers: wall time $(( $(date +%s) - start )) s"
echo "sanitizers: $passed passed, $failed failed"
[ "$failed" = 0 ]
