#!/bin/sh
# The conventions of GNU tools: --version's three lines, and output that
# cannot be written (a full disk, a closed stdout) reported, with exit 1.
. "${srcdir:-.}/tests/demo_lib.sh"

"$DEMO" --version >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "--version" 0
expect "--version: three lines" test "$(wc -l <"$tmp/out")" = 3
expect "--version: name and version first" \
	test "$(sed -n 1p "$tmp/out")" = "revere-vfio-demo 1.0.0"
expect "--version: the copyright line of LICENSE" \
	test "$(sed -n 2p "$tmp/out")" = "Copyright (c) 2026, the revere-vfio-demo authors."
expect "--version: LICENSE holds that copyright line" \
	grep -qxF "$(sed -n 2p "$tmp/out")" "$srcdir/LICENSE"
expect "--version: the licence" \
	test "$(sed -n 3p "$tmp/out")" = "License BSD-3-Clause: see LICENSE."
expect "--version: nothing on stderr" test ! -s "$tmp/err"

"$BIND" --version >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "revere-vfio-bind --version" 0
expect "revere-vfio-bind --version: the same three lines, its own name" \
	test "$(sed -n 1p "$tmp/out")" = "revere-vfio-bind 1.0.0" -a \
	"$(sed 1d "$tmp/out")" = "$("$DEMO" --version | sed 1d)"

full_msg='revere-vfio-demo: write error on standard output: No space left on device'
# full DESC ARGS...: stdout on /dev/full; one line on stderr, exit 1.
full() {
	desc=$1; shift
	"$@" >/dev/full 2>"$tmp/err" </dev/null; status=$?
	expect_status "$desc >/dev/full" 1
	expect "$desc >/dev/full: says so, once" \
		test "$(grep -c 'write error on standard output' "$tmp/err")" = 1
}
if [ -w /dev/full ]; then
	full "--help" "$DEMO" --help
	expect "--help >/dev/full: the message" test "$(cat "$tmp/err")" = "$full_msg"
	full "--version" "$DEMO" --version
	expect "--version >/dev/full: the message" test "$(cat "$tmp/err")" = "$full_msg"
	full "-h" "$DEMO" -h
	# revere-vfio-bind the same.
	full "revere-vfio-bind --help" "$BIND" --help
	expect "revere-vfio-bind --help >/dev/full: the message" \
		test "$(cat "$tmp/err")" = "revere-vfio-bind: write error on standard output: No space left on device"
	full "revere-vfio-bind --version" "$BIND" --version
	# A run that verified every message but could not print it is no
	# success either; it still tears down (the mock's counters).
	full "--sim run" env REVERE_SIM=report=1 "$DEMO" --sim
	expect "--sim run >/dev/full: the write error, with its cause, is the last line" \
		test "$(tail -n 1 "$tmp/err")" = "$full_msg"
	expect "--sim run >/dev/full: torn down" \
		grep -q '^mock-vfio: .*fds_open=0 ' "$tmp/err"
	# Quiet prints nothing on stdout: nothing to fail.
	"$DEMO" --sim -q >/dev/full 2>"$tmp/err"; status=$?
	expect_status "--sim -q >/dev/full" 0
	expect "--sim -q >/dev/full: nothing on stderr" test ! -s "$tmp/err"
	# stderr: a trace that could not be written fails the run, silently; a
	# run that had nothing to say there does not.
	"$DEMO" --sim --trace >/dev/null 2>/dev/full; status=$?
	expect_status "--sim --trace 2>/dev/full" 1
	"$DEMO" --sim >"$tmp/out" 2>/dev/full; status=$?
	expect_status "--sim 2>/dev/full" 0
	expect "--sim 2>/dev/full: the run printed its steps" \
		test "$(grep -c '^step [1-5]: ' "$tmp/out")" = 5
else
	not_ok "/dev/full is missing: cannot test write errors"
fi

# A closed stdout: an error when something had to be written there, not
# otherwise (as coreutils).
"$DEMO" --help >&- 2>"$tmp/err"; status=$?
expect_status "--help >&-" 1
expect "--help >&-: write error reported" \
	grep -q '^revere-vfio-demo: write error on standard output: Bad file descriptor$' "$tmp/err"
"$DEMO" --sim -q >&- 2>"$tmp/err"; status=$?
expect_status "--sim -q >&-" 0

# A usage error writes to stderr only: a full stdout does not change it.
"$DEMO" --frobnicate >/dev/full 2>"$tmp/err"; status=$?
expect_status "usage error >/dev/full" 2
expect "usage error >/dev/full: one line" test "$(wc -l <"$tmp/err")" = 1

finish
