#!/usr/bin/env bash
# The bash completion (contrib/bash-completion/revere-vfio), called as bash
# calls it: COMP_WORDS split at ':' and '=' as COMP_WORDBREAKS says,
# COMP_CWORD the word under the cursor. --device is completed from a sysfs
# tree of the test's own.
. "${srcdir:-.}/tests/demo_lib.sh"

. "$srcdir/contrib/bash-completion/revere-vfio"
expect "it completes revere-vfio-demo" \
	eval "complete -p revere-vfio-demo | grep -q -- '-F _revere_vfio '"

sys=$tmp/sys
pci=$sys/bus/pci/devices
mkdir -p "$pci" "$sys/bus/pci/drivers/vfio-pci" "$sys/bus/pci/drivers/e1000e" \
	"$sys/bus/mdev/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
# pcidev ADDR VENDOR DEVICE [DRIVER [CLASS]]
pcidev() {
	mkdir -p "$pci/$1"
	echo "$2" >"$pci/$1/vendor"
	echo "$3" >"$pci/$1/device"
	echo "${5:-0x020000}" >"$pci/$1/class"
	[ -z "$4" ] || ln -s "../../drivers/$4" "$pci/$1/driver"
}
pcidev 0000:01:00.0 0x13b5 0xff81		# a Revere PF, no driver
pcidev 0000:00:04.0 0x1b36 0x0005 vfio-pci	# bound to vfio-pci
pcidev 0000:00:05.0 0x8086 0x10d3 e1000e	# neither: not offered
pcidev 0000:02:00.0 0x13b5 0xff81 e1000e	# a Revere PF, bound elsewhere
pcidev 0000:00:00.0 0x8086 0x29c0 "" 0x060000	# the host bridge
pcidev 0000:00:1e.0 0x8086 0x244e "" 0x060401	# a PCI bridge
_revere_vfio_sysfs=$sys

# comp WORD...: the completions when the cursor ends the last WORD (give
# "" to complete a new word), one line, sorted.
comp() {
	COMP_WORDS=("$prog" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_revere_vfio "$prog" 2>"$tmp/err"
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
# expect_comp WANT WORD...
expect_comp() {
	want=$1; shift
	have=$(comp "$@")
	if [ "$have" = "$want" ] && [ ! -s "$tmp/err" ]; then
		ok "${prog##*/}: complete '$*': $want"
	else
		not_ok "${prog##*/}: complete '$*': '$have', expected '$want'"
	fi
}
prog=$DEMO

# Options: all of those --help prints, and only those.
"$DEMO" --help | grep -oE -- '(^|[ ,])--[a-z][a-z-]*' | sed 's/^[ ,]*//' |
	LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//' >"$tmp/long"
expect "--help prints the options" test "$(wc -w <"$tmp/long")" -ge 10
expect_comp "$(cat "$tmp/long")" --
# A new word: the program takes no operands, so every option.
expect_comp "$(cat "$tmp/long") -h -q -v" ""
expect_comp "$(cat "$tmp/long") -h -q -v" -
expect_comp "--device" --dev
expect_comp "--packets" --pa
expect_comp "--verbose --version --vfio-group --vfio-user" --v
expect_comp "--loopback" --sim --lo
expect_comp "hybrid" --sim --wait h
expect_comp "iommufd" --sim --iommu i
expect_comp "" --frob

# --device: Revere PFs, vfio-pci devices, mdevs; split at ':' as bash does.
expect_comp "0000:00:04.0 0000:01:00.0 0000:02:00.0 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" \
	--device ""
expect_comp "0000:00:04.0 0000:01:00.0 0000:02:00.0" --device 0
expect_comp "04.0" --device 0000 : 00 : 0
expect_comp "00.0" --device 0000 : 01 : 00
expect_comp "00:04.0 01:00.0 02:00.0" --device 0000 :
expect_comp "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" --quiet --device 8
expect_comp "04.0" --device = 0000 : 00 : 0
expect_comp "0000:00:04.0 0000:01:00.0 0000:02:00.0" --device = 0
# Without ':' and '=' in COMP_WORDBREAKS, bash splits no more: whole words.
COMP_WORDBREAKS=' 	
"'"'"'><;|&('
expect_comp "0000:00:04.0 0000:01:00.0 0000:02:00.0" --device 0000:0
expect_comp "0000:01:00.0" --device 0000:01
expect_comp "--device=0000:00:04.0 --device=0000:01:00.0 --device=0000:02:00.0" --device=0000:0
unset COMP_WORDBREAKS
COMP_WORDBREAKS=' 	
"'"'"'><=;|&(:'

# --vfio-group: files.
mkdir -p "$tmp/vfio"
: >"$tmp/vfio/12"
: >"$tmp/vfio/vfio"
expect_comp "$tmp/vfio/12" --vfio-group "$tmp/vfio/1"
expect_comp "$tmp/vfio/12 $tmp/vfio/vfio" --vfio-group "$tmp/vfio/"
# --vfio-user: files (a socket is one).
expect_comp "$tmp/vfio/12" --vfio-user "$tmp/vfio/1"
if [ -d /dev/vfio ]; then
	expect "--vfio-group '': /dev/vfio/ first" \
		test "$(comp --vfio-group "" | tr ' ' '\n' | grep -vc '^/dev/vfio/')" = 0
fi
# Arguments that are numbers: nothing to offer.
expect_comp "" --packets ""
expect_comp "" --timeout 1
expect_comp "" --timeout = ""

# revere-vfio-bind: its own options, from its --help, and every PCI address
# but the bridges' as an operand.
expect "it completes revere-vfio-bind" \
	eval "complete -p revere-vfio-bind | grep -q -- '-F _revere_vfio '"
prog=$BIND
expect_comp "--dry-run --force --group --help --install-rules --status --unbind --user --version" --
expect_comp "--unbind" --un
expect_comp "0000:00:04.0 0000:00:05.0 0000:01:00.0 0000:02:00.0" ""
expect_comp "05.0" --unbind 0000 : 00 : 05
expect_comp "" 0000 : 00 : 00
expect_comp "" 0000 : 00 : 1e
expect "--user: the users" eval "comp --user roo | grep -qw root"

# revere-vfio-user-server: its options, and a file name after --socket.
expect "it completes revere-vfio-user-server" \
	eval "complete -p revere-vfio-user-server | grep -q -- '-F _revere_vfio '"
prog=$SERVER
expect_comp "--help --latency-us --no-fds --no-mmap --once --reply-delay-us --socket --timeout --trace --verbose --version" --
touch "$tmp/revere.sock"
expect_comp "$tmp/revere.sock" --socket "$tmp/revere.s"

finish
