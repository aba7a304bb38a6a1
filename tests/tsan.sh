#!/usr/bin/env bash
# ThreadSanitizer over the demo's --sim runs with BAR0 mmap'd (make
# check-tsan), where the simulated device runs on its own thread: default,
# loopback and a long run, irq and hybrid waits (dozes with the interrupt
# masked, wake-ups), a device request in the exchange (the watcher
# thread); then the VFIO layer's and the mock's unit tests,
# which map BAR0 and start that thread too. tests/tsan.supp suppresses
# exactly the accesses to the memory the driver shares with the device;
# any other report fails.
# Prints a TAP line per check; exits 1 if any failed.
# Usage: tsan.sh BUILDDIR SUPPRESSIONS (built with -fsanitize=thread)
set -eu

usage="usage: tsan.sh BUILDDIR SUPPRESSIONS"
builddir=${1:?$usage}
supp=${2:?$usage}
demo=$builddir/revere-vfio-demo
if ! grep -q __tsan_init "$demo"; then
	echo "tsan.sh: $demo is not built with -fsanitize=thread" >&2
	exit 1
fi
export DEMO="$demo"
. "$(dirname "$0")/demo_lib.sh"

absent() { ! grep -q "$1" "$tmp/err"; }

# run NAME ARGS...: the demo on --sim with BAR0 mmap'd (and REVERE_SIM's
# $spec), expected to exit $want (0 unless set). A report makes TSan exit
# 66 at the end; halt_on_error=0 lets the run show them all.
run() {
	local name=$1 status=0
	shift
	REVERE_SIM=bar0_mmap=1${spec:+,$spec} \
		TSAN_OPTIONS="suppressions=$supp halt_on_error=0 exitcode=66" \
		"$demo" --sim "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	check "$name: exit ${want:-0} (got $status)" [ "$status" = "${want:-0}" ]
	check "$name: BAR0 was mmap'd" grep -q "BAR0 mmap'd" "$tmp/out"
	check "$name: no ThreadSanitizer report" absent ThreadSanitizer
}

# The first report TSan symbolizes, even a suppressed one, stalls the
# device thread for longer than the default 100 ms: a wider timeout keeps
# the runs about races, not speed.
slow=(--timeout 10000)
run "default" "${slow[@]}"
run "--loopback" "${slow[@]}" --loopback
# 20000 messages wrap the 64-slot data rings 312 times.
run "--packets 20000" "${slow[@]}" --packets 20000
spec=service_ns=20000 run "--wait irq, 20 us device" "${slow[@]}" --wait irq --packets 2000
run "--wait hybrid" "${slow[@]}" --wait hybrid --packets 20000
spec=request_msg=500 want=1 run "device request in the exchange" "${slow[@]}" --packets 1000000

# Without the suppressions the same run must report those races: TSan is
# watching the shared memory, and the suppressions are not idle.
status=0
REVERE_SIM=bar0_mmap=1 TSAN_OPTIONS="halt_on_error=0 exitcode=66" \
	"$demo" --sim "${slow[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
check "without suppressions: exit 66 (got $status)" [ "$status" = 66 ]
check "without suppressions: data races reported" \
	grep -q 'WARNING: ThreadSanitizer: data race' "$tmp/err"

# The unit tests that start the device thread (cmocka: check_PROGRAMS).
for t in tests/test_mock_vfio tests/test_vfio; do
	status=0
	TSAN_OPTIONS="suppressions=$supp halt_on_error=0 exitcode=66" \
		"$builddir/$t" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	check "$t: exit 0 (got $status)" [ "$status" = 0 ]
	check "$t: no ThreadSanitizer report" absent ThreadSanitizer
done

finish
[ "$failures" = 0 ]
