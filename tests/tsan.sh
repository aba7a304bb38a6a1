#!/usr/bin/env bash
# ThreadSanitizer over the demo's --sim runs with BAR0 mmap'd (make
# check-tsan), where the simulated device runs on its own thread: default,
# loopback and a long run, irq and hybrid waits (dozes with the interrupt
# masked, wake-ups), a device request in the exchange (the watcher
# thread); the demo over vfio-user, the client's watcher thread
# answering the server; then the VFIO layer's, the mock's and the
# vfio-user client's unit tests, which start those threads too. Every
# report must be a race between a driver access and a device access to
# the memory they share, both named in tests/tsan_shared.txt
# (tests/tsan_races.awk judges each report by both its sides: a TSan
# suppression would hide a race when either side matched). Any other
# report fails.
# Prints a TAP line per check; exits 1 if any failed.
# Usage: tsan.sh BUILDDIR SHARED-LIST (built with -fsanitize=thread)
set -eu

usage="usage: tsan.sh BUILDDIR SHARED-LIST"
builddir=${1:?$usage}
shared=${2:?$usage}
races_awk=$(dirname "$0")/tsan_races.awk
demo=$builddir/revere-vfio-demo
if ! grep -q __tsan_init "$demo"; then
	echo "tsan.sh: $demo is not built with -fsanitize=thread" >&2
	exit 1
fi
export DEMO="$demo"
. "$(dirname "$0")/demo_lib.sh"

# TSan writes its reports to $tmp/tsan.PID and leaves the exit status to
# the program (exitcode=0): both are checked, each on its own.
tsan_opts="halt_on_error=0 exitcode=0 log_path=$tmp/tsan"
# unexplained: the reports of the last run that tsan_races.awk does not
# accept, into $tmp/why.
unexplained() {
	cat "$tmp"/tsan.* 2>/dev/null | awk -v shared="$shared" -f "$races_awk" >"$tmp/why"
	[ -s "$tmp/why" ]
}
explained() {
	if unexplained; then
		sed 's/^/#   /' "$tmp/why" | head -n 20
		return 1
	fi
}

# run NAME ARGS...: the demo on --sim with BAR0 mmap'd (and REVERE_SIM's
# $spec), expected to exit $want (0 unless set).
run() {
	local name=$1 status=0
	shift
	rm -f "$tmp"/tsan.*
	REVERE_SIM=bar0_mmap=1${spec:+,$spec} TSAN_OPTIONS="$tsan_opts" \
		"$demo" --sim "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	check "$name: exit ${want:-0} (got $status)" [ "$status" = "${want:-0}" ]
	check "$name: BAR0 was mmap'd" grep -q "BAR0 mmap'd" "$tmp/out"
	check "$name: every ThreadSanitizer report is a driver-device access pair" explained
}

# The first report TSan symbolizes stalls the
# device thread (for over 100 ms, the hardware default, when this was
# written): a timeout wider than even --sim's default keeps the runs about
# races, not speed.
slow=(--timeout 10000)
run "default" "${slow[@]}"
run "--loopback" "${slow[@]}" --loopback
# 20000 messages wrap the 64-slot data rings 312 times.
run "--packets 20000" "${slow[@]}" --packets 20000
spec=service_ns=20000 run "--wait irq, 20 us device" "${slow[@]}" --wait irq --packets 2000
run "--wait hybrid" "${slow[@]}" --wait hybrid --packets 20000
spec=request_msg=500 want=1 run "device request in the exchange" "${slow[@]}" --packets 1000000

# TSan is watching the shared memory, and the judge can fail: the default
# run reports races on it, and the same reports with one device accessor
# renamed (a race with a function the list does not name) are rejected.
rm -f "$tmp"/tsan.*
REVERE_SIM=bar0_mmap=1 TSAN_OPTIONS="$tsan_opts" \
	"$demo" --sim "${slow[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null || true
check "the default run reports races on the shared memory" \
	grep -q 'WARNING: ThreadSanitizer: data race' "$tmp"/tsan.*
for f in "$tmp"/tsan.*; do sed 's/ dma_copy / unlisted_fn /' "$f" >"$f.renamed"; rm -f "$f"; done
check "a race with an unlisted function is not explained" unexplained
check "... and is named" grep -q 'unlisted_fn' "$tmp/why"

# Over vfio-user to a server that takes no fds: the client's watcher
# thread answers the server's DMA requests between the driver's calls, on
# the one conversation the driver's thread uses too. Nothing is shared
# without the conversation's lock: no report at all is expected.
export SERVER="$builddir/revere-vfio-user-server"
vfu_start nofd --no-fds
rm -f "$tmp"/tsan.*
status=0
TSAN_OPTIONS="$tsan_opts" "$demo" --vfio-user "$tmp/nofd.sock" "${slow[@]}" \
	--packets 2000 >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
vfu_stop nofd
check "vfio-user, DMA by message: exit 0 (got $status)" [ "$status" = 0 ]
check "vfio-user, DMA by message: no ThreadSanitizer report" \
	sh -c "! cat '$tmp'/tsan.* 2>/dev/null | grep -q ThreadSanitizer"

# The unit tests that start the device thread (cmocka: check_PROGRAMS),
# and the vfio-user client's, whose watcher thread shares its conversation.
for t in tests/test_mock_vfio tests/test_vfio tests/test_vfu_client; do
	status=0
	rm -f "$tmp"/tsan.*
	TSAN_OPTIONS="$tsan_opts" \
		"$builddir/$t" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	check "$t: exit 0 (got $status)" [ "$status" = 0 ]
	check "$t: every ThreadSanitizer report is a driver-device access pair" explained
done

finish
[ "$failures" = 0 ]
