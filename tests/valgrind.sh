#!/usr/bin/env bash
# valgrind memcheck over the demo's --sim runs (make check-valgrind): both
# BAR0 paths, loopback, a fault injected into the set-up and a device that
# stops answering. Each run must end with its expected exit status, no
# memcheck error, no heap block in use and no descriptor open but 0, 1, 2.
# Prints a TAP line per check; exits 1 if any failed.
# Usage: valgrind.sh DEMO (a build without sanitizers)
set -eu

demo=${1:?usage: valgrind.sh DEMO}
command -v valgrind >/dev/null ||
	{ echo "valgrind.sh: valgrind is needed: apt-get install valgrind" >&2; exit 1; }
if grep -q -e __asan_init -e __tsan_init "$demo"; then
	echo "valgrind.sh: $demo is built with a sanitizer; valgrind needs a plain build" >&2
	exit 1
fi
export DEMO="$demo"
. "$(dirname "$0")/demo_lib.sh"

# run NAME STATUS SPEC ARGS...: the demo under memcheck with
# REVERE_SIM=SPEC, without the descriptors this shell inherited (make's
# jobserver, a CI runner's pipes), so any descriptor open at exit is the
# demo's own. --error-exitcode is not 1: the fault cases exit 1 by
# themselves, and the demo's status and memcheck's verdict are separate
# checks.
run() {
	local name=$1 want=$2 spec=$3 status=0 before=$failures
	shift 3
	(
		for fd in "/proc/$BASHPID/fd/"*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
		done
		REVERE_SIM=$spec exec valgrind --fair-sched=yes \
			--track-fds=yes --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=all --show-leak-kinds=all \
			"$demo" --sim "$@"
	) >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	check "$name: exit $want (got $status)" [ "$status" = "$want" ]
	check "$name: no memcheck error" \
		grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$tmp/err"
	check "$name: no heap block in use at exit" \
		grep -q 'in use at exit: 0 bytes in 0 blocks' "$tmp/err"
	# stdout is closed by then (closeout.c): stdin and stderr remain.
	check "$name: no descriptor open at exit but 0 and 2" \
		grep -q 'FILE DESCRIPTORS: 2 open (2 std) at exit' "$tmp/err"
	# Memcheck's findings come last, after what not_ok showed.
	if [ "$failures" != "$before" ]; then
		tail -n 60 "$tmp/err" | sed 's/^/#   vg: /'
	fi
}

# Memcheck runs one thread at a time, many times slower: the simulated
# device gets a timeout that fits, except where the timeout is the test.
slow=(--timeout 10000)
run "default" 0 "" "${slow[@]}"
run "--loopback" 0 "" --loopback "${slow[@]}"
run "BAR0 through pread/pwrite" 0 "bar0_mmap=0" "${slow[@]}"
run "BAR0 through pread/pwrite, --loopback" 0 "bar0_mmap=0" --loopback "${slow[@]}"
# Set-up fails once the buffers exist and the container is open.
run "MAP_DMA fails with ENOMEM" 1 "fail=ioctl:VFIO_IOMMU_MAP_DMA:1:ENOMEM"
# The management interface never answers: teardown skips its commands.
run "device does not answer" 1 "mute=1" --timeout 100

finish
[ "$failures" = 0 ]
