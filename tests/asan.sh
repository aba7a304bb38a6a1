#!/usr/bin/env bash
# `make check` under AddressSanitizer, LeakSanitizer and UBSan (make
# check-asan), in a build tree configured with -fsanitize=address,undefined
# -fno-sanitize-recover=undefined. Any report fails, whatever the test that
# ran into it expected: every report goes to a file as well, and an error
# aborts the process (status 134, which no test expects).
# Prints a TAP line per check; exits 1 if any failed.
# Usage: asan.sh BUILDDIR [MAKE]
set -eu

builddir=${1:?usage: asan.sh BUILDDIR [MAKE]}
make=${2:-make}
cd "$builddir"
if ! grep -q __asan_init revere-vfio-demo; then
	echo "asan.sh: $builddir is not built with -fsanitize=address" >&2
	exit 1
fi
logs=$PWD/sanitizer-logs
rm -rf "$logs"
mkdir "$logs"
n=0
failures=0

check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
		return 0
	fi
	failures=$((failures + 1))
	echo "not ok $n - $2"
}

status=0
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$logs/asan" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$logs/ubsan" \
	$make check || status=$?
check "$status" "make check passes"
status=0
[ -z "$(ls -A "$logs")" ] || status=1
check "$status" "no sanitizer report (in $logs)"
if [ "$status" != 0 ]; then
	head -n 40 "$logs"/* | sed 's/^/#   /'
fi
# gcc's runtime prints UBSan's reports on stderr despite log_path: the
# test logs, which hold the test programs' stderr, must not show one.
status=0
! grep -l -e 'runtime error:' -e 'Sanitizer' tests/*.log || status=1
check "$status" "no sanitizer report in the test logs"

echo "1..$n"
[ "$failures" = 0 ]
