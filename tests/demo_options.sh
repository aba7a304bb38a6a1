#!/bin/sh
# Command-line handling: help, version, and every invalid value giving one
# line that names the option, points at --help, and exit status 2.
. "${srcdir:-.}/tests/demo_lib.sh"

"$DEMO" --help >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "--help" 0
for opt in --vfio-group --device --check --list --sim --packets --timeout --loopback --no-mmap --queue-depth --json --trace --verbose --quiet --help --version 'Exit status'; do
	expect "--help mentions $opt" grep -q -- "$opt" "$tmp/out"
done
"$DEMO" -h >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "-h" 0
"$DEMO" --version >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "--version" 0
expect "--version prints name and version" grep -q '^revere-vfio-demo [0-9]' "$tmp/out"

# usage "DESCRIPTION" "TEXT THE LINE MUST HOLD" ARGS...
usage() {
	desc=$1; want=$2; shift 2
	"$DEMO" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; status=$?
	expect_status "$desc" 2
	expect "$desc: one line on stderr" test "$(wc -l <"$tmp/err")" = 1
	expect "$desc: names the problem" grep -q -- "$want" "$tmp/err"
	expect "$desc: points at --help" grep -q -- "see \`revere-vfio-demo --help\`" "$tmp/err"
	expect "$desc: nothing on stdout" test ! -s "$tmp/out"
}

usage "no arguments" "--device: missing (or use --sim"
usage "group without device" "--device: missing" --vfio-group /dev/vfio/1
usage "--check without device" "--device: missing (--check needs the device to check" --check
expect "--check without device: suggests no --sim, which --check refuses" \
	sh -c "! grep -q -- --sim '$tmp/err'"
usage "--check with --sim" "--check: cannot be used with --sim" --check --sim
usage "--list with --device" "--list: cannot be used with --device" --list --device 01:00.0
usage "--list with --sim" "--list: cannot be used with" --list --sim
usage "--device empty" "--device: empty name" --device ''
# A name that is neither a PCI address nor a UUID shows the forms.
for bad in 0000:01:0.0 01:0.0 0:01:00.0 01:00.8 00:20.0 0000:01:00.0x 2 /dev/vfio/2 \
	12345678-1234-1234-1234-12345678901 12345678-1234-1234-1234-1234567890123 \
	1234567g-1234-1234-1234-123456789012; do
	usage "--device $bad" "--device: '$bad' is not a device name: expected a PCI address DDDD:BB:DD.F, its short form BB:DD.F (as lspci prints it), or an mdev UUID" --device "$bad"
done
usage "--sim with a group" "--sim: cannot be used with --vfio-group" --sim --vfio-group /dev/vfio/1
usage "--sim with a device" "--sim: cannot be used with" --sim --device 0000:01:00.0
usage "unknown option" "--frobnicate: unknown option" --sim --frobnicate
usage "unknown short option" "-x: unknown option" --sim -x
usage "stray argument" "'extra': unexpected argument" --sim extra
usage "--packets without argument" "--packets: missing argument" --sim --packets
usage "--packets not a number" "--packets: 'abc' is not a positive whole number" --sim --packets abc
usage "--packets negative" "--packets: '-5' is not a positive whole number" --sim --packets -5
usage "--packets zero" "--packets: 0 is out of range" --sim --packets 0
usage "--packets trailing garbage" "--packets: '12x' has trailing characters 'x'" --sim --packets 12x
usage "--packets empty" "--packets: '' is not a positive whole number" --sim --packets=
usage "--packets above 2^64-1" "--packets: 18446744073709551616 is out of range" --sim --packets 18446744073709551616
usage "--packets with a sign" "--packets: '+3' is not a positive whole number" --sim --packets +3
usage "--packets with blanks" "--packets: ' 3' is not a positive whole number" --sim --packets ' 3'
usage "--queue-depth without argument" "--queue-depth: missing argument" --sim --queue-depth
usage "--queue-depth zero" "--queue-depth: 0 is out of range (1 to 64)" --sim --queue-depth 0
usage "--queue-depth above the ring size" "--queue-depth: 65 is out of range (1 to 64)" --sim --queue-depth 65
usage "--queue-depth not a number" "--queue-depth: 'many' is not a positive whole number" --sim --queue-depth many
usage "--queue-depth trailing garbage" "--queue-depth: '8k' has trailing characters 'k'" --sim --queue-depth 8k
usage "--timeout without argument" "--timeout: missing argument" --sim --timeout
usage "--timeout not a number" "--timeout: 'soon' is not a positive whole number" --sim --timeout soon
usage "--timeout zero" "--timeout: 0 is out of range" --sim --timeout 0
usage "--timeout too large" "--timeout: 3600001 is out of range" --sim --timeout 3600001
usage "--timeout trailing garbage" "--timeout: '100ms' has trailing characters 'ms'" --sim --timeout 100ms
usage "--vfio-group without argument" "--vfio-group: missing argument" --vfio-group
usage "--device without argument" "--device: missing argument" --vfio-group /dev/vfio/1 --device
usage "empty group" "--vfio-group: empty path" --vfio-group '' --device x
usage "--verbose with --quiet" "--verbose and --quiet cannot be used together" --sim -v -q

# REVERE_SIM is --sim's to read: a key it does not know is a usage error
# whose line names every key there is.
REVERE_SIM=bar0_map=0 "$DEMO" --sim >"$tmp/out" 2>"$tmp/err" </dev/null; status=$?
expect_status "REVERE_SIM unknown key" 2
expect "REVERE_SIM unknown key: one line" test "$(wc -l <"$tmp/err")" = 1
expect "REVERE_SIM unknown key: names it and the keys" \
	grep -q "REVERE_SIM: unknown key 'bar0_map'; the keys are .*bar0_mmap, .*service_ns, .*fail=OP:N:ERRNO$" "$tmp/err"
expect "REVERE_SIM unknown key: no C names" sh -c "! grep -q struct '$tmp/err'"
REVERE_SIM=fail=pwrite "$DEMO" --sim >"$tmp/out" 2>"$tmp/err" </dev/null; status=$?
expect_status "REVERE_SIM bad fail= value" 2

# The largest counts are accepted (the run itself is not started here:
# --help after them stops before any device work).
"$DEMO" --sim --packets 4294967295 --help >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "--packets 2^32-1 accepted" 0
"$DEMO" --sim --packets 18446744073709551615 --help >"$tmp/out" 2>"$tmp/err"; status=$?
expect_status "--packets 2^64-1 accepted" 0

finish
