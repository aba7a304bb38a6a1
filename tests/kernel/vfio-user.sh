# shellcheck shell=sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Sourced by rig.sh: a guest whose devices are vfio-user servers on the
# host, through QEMU's vfio-user client (-device vfio-user-pci). Debian 12's
# QEMU 7.2 has none: tests/kernel/qemu-tree.sh fetches Debian's QEMU from
# trixie-backports into a cache and prints a launcher for it. The rig's
# other boots (edu, the mdev) keep Debian 12's QEMU.
#
# Functions only; they use rig.sh's say, die, need_timeout, SRCDIR and
# the kernel variables main sets (KIMAGE, OUT).

# vfio_user_qemu: set VFIO_USER_QEMU to the launcher of that QEMU (fetched
# on the first run, then from its cache). Returns 1 when it cannot be had
# here (qemu-tree.sh exits 77 when CI is not true): skip what needs it.
vfio_user_qemu() {
	st=0
	VFIO_USER_QEMU=$(sh "$SRCDIR/tests/kernel/qemu-tree.sh") || st=$?
	if [ "$st" -eq 77 ]; then
		say "SKIPPED: the vfio-user QEMU (qemu-tree.sh cannot fetch it here)"
		return 1
	fi
	if [ "$st" -ne 0 ] || [ ! -x "$VFIO_USER_QEMU" ]; then
		die "tests/kernel/qemu-tree.sh failed"
	fi
}

# The README's two commands for a guest on the server ("Without hardware,
# in a virtual machine"), which the rig runs: README_SERVER, the server's
# options after its socket, and README_QEMU, QEMU's words after its name,
# quoted as the README quotes them. Empty when the README lacks them.
# Both from that section alone: the README starts the server in other
# sections too, for other clients.
README_SOCKET=/tmp/revere.sock
README_VM_SECTION="Without hardware, in a virtual machine"
readme_vm_section() {
	tr -d '\r' <"$SRCDIR/README" | awk -v t="$README_VM_SECTION" '
		$0 == t { on = 1; next }
		on && /^-+$/ { if (n++) exit; next }
		on'
}
readme_vm() {
	README_SERVER=$(readme_vm_section |
		sed -n "s|^ *\\$ revere-vfio-user-server --socket $README_SOCKET\\(.*\\)&\$|\\1|p")
	README_QEMU=$(readme_vm_section | awk '
		/^ *\$ qemu-system-x86_64 / { on = 1; sub(/^ *\$ qemu-system-x86_64 /, "") }
		on { line = $0; more = sub(/\\$/, "", line); printf "%s ", line; if (!more) exit }')
}

# boot_vfio_user [SOCKET@SLOT...]: what boot() does for the kernel set up
# in main (console in $OUT/console.log, QEMU_STATUS), on the QEMU of
# vfio_user_qemu with the README's options: its vfio-user-pci device once
# for each server's UNIX socket, at PCI slot SLOT of the root bus (0x04:
# 0000:00:04.0), in order; its kernel, initramfs and command line are the
# rig's. Sets README_USED to what of the README it could not use, if any.
#
# What the client needs beyond boot()'s command line (the README says
# why): the guest's RAM in a shared memfd (memory-backend-memfd,
# share=on), which QEMU passes to the server so that the device's DMA
# reaches it, behind the same emulated Intel IOMMU (the server sees IOVAs,
# as a real device would).
boot_vfio_user() {
	socks=$*
	readme_vm
	eval "set -- $README_QEMU"
	README_USED=
	n=$#
	device=
	while [ "$n" -gt 0 ]; do
		case $1 in
		-kernel | -initrd | -append)	# the rig's own, below
			shift
			n=$((n - 1))
			;;
		-nographic) ;;
		-device)
			case $2 in
			*'"vfio-user-pci"'*) device=$2 ;;
			*) set -- "$@" "$1" "$2" ;;
			esac
			shift
			n=$((n - 1))
			;;
		*) set -- "$@" "$1" ;;
		esac
		shift
		n=$((n - 1))
	done
	case $device in
	*"\"path\":\"$README_SOCKET\""*) ;;
	*) README_USED="no vfio-user-pci device on $README_SOCKET in the README's QEMU command" ;;
	esac
	[ -n "$README_QEMU" ] || README_USED="no '$ qemu-system-x86_64' command in the README"
	for sock in $socks; do
		# shellcheck disable=SC1003 # a backslash, not an escape
		case $sock in
		*'"'* | *'\'* | *'|'*) die "vfio-user socket path with a quote, backslash or bar: $sock" ;;
		esac
		set -- "$@" -device "$(echo "$device" |
			sed "s|$README_SOCKET|${sock%@*}|; s|{\"driver\":\"vfio-user-pci\",|&\"addr\":\"${sock##*@}\",|")"
	done
	timeout_s=${RIG_TIMEOUT:-$(need_timeout)}
	say "booting $V in QEMU $("$VFIO_USER_QEMU" --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p') (TCG, intel-iommu, vfio-user), timeout ${timeout_s}s"
	LOG=$OUT/console.log
	rm -f "$LOG"
	run_qemu "$VFIO_USER_QEMU" -accel tcg -cpu max -smp 2 "$@"
}

# The two servers of a vfio-user boot: BAR0 shared (mmap), and BAR0 by
# messages only; the slot each PF has in the guest.
VFIO_USER_SERVERS="mmap@0x04 messages@0x05"

# What the rig checks on the host, from the servers' logs, after a
# vfio-user boot (vfio_user_host_checks).
# shellcheck disable=SC2034 # rig.sh's main reads it
VFIO_USER_HOST_EXPECT="vfio-user-readme vfio-user-server-quiesced vfio-user-server-stop
	vfio-user-msg-server-quiesced vfio-user-msg-server-stop"

# The servers act on each register write 2 ms after it (as the mdev's
# latency_us does for mdev-irq): the demo's first look after a doorbell
# then never finds its work done, so in irq mode it must sleep until the
# interrupt, on every host however loaded; without it, a server answering
# within the doorbell's own message (BAR0 by messages) has every response
# ready before the demo waits, and "was it woken" is a race.
VFIO_USER_LATENCY_US=2000

# server_start MODE: revere-vfio-user-server for MODE on $OUT/MODE.sock,
# its log in $OUT/server-MODE.log; waits (bounded) for the socket.
server_start() {
	sock=$OUT/$1.sock
	opt=
	[ "$1" = messages ] && opt=--no-mmap
	rm -f "$sock"
	readme_vm
	# shellcheck disable=SC2086 # the README's options, and one or none
	"$BUILDDIR/revere-vfio-user-server" --socket "$sock" $README_SERVER $opt \
		--latency-us "$VFIO_USER_LATENCY_US" \
		>"$OUT/server-$1.log" 2>&1 </dev/null &
	eval "SERVER_PID_$1=\$!"
	t=$(($(date +%s) + 60))
	until [ -S "$sock" ]; do
		[ "$(date +%s)" -lt "$t" ] ||
			die "revere-vfio-user-server did not create $sock in 60 s: $(cat "$OUT/server-$1.log")"
		sleep 0.1
	done
}

# host_result NAME WHY: a result line of the host's, on the console log so
# that report() counts it with the guest's.
host_result() {
	if [ -z "$2" ]; then
		echo "RIG-RESULT: $1 PASS" >>"$LOG"
	else
		echo "RIG-RESULT: $1 FAIL $2" >>"$LOG"
	fi
}

# server_checks MODE PREFIX: the server of MODE, once QEMU is gone.
#  PREFIX-server-quiesced  every time the guest's driver turned bus
#      mastering off, the device was quiesced (no AMU, no AMI, no session,
#      no IOMMU fault): a driver quiesces before it lets go of DMA, so one
#      line for each of the guest's runs, the interrupted one included (at
#      least 4: default, 10,000, irq, SIGINT; two more with --no-mmap on
#      the iommufd kernel);
#  PREFIX-server-stop  the client's leaving was logged, and SIGTERM ends
#      the server with status 0 and removes its socket.
server_checks() {
	log=$OUT/server-$1.log
	pid=
	eval "pid=\$SERVER_PID_$1"
	offs=$(grep -c 'bus mastering off; device state: ' "$log")
	bad=$(grep 'bus mastering off; device state: ' "$log" |
		grep -v 'amu_enabled=0 .*ami_sw_enabled=0 ami_hw_enabled=0 asn_count=0 ami_sw_mapped=0 ami_hw_mapped=0 .*iommu_fault=0' |
		head -n 1)
	why=
	if [ -n "$bad" ]; then
		why="not quiesced: $bad"
	elif [ "$offs" -lt 4 ]; then
		why="$offs 'bus mastering off' lines in $log, want one per run (4)"
	fi
	host_result "$2-server-quiesced" "$why"
	why=
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	st=$?
	if ! grep -q 'client left' "$log"; then
		why="no 'client left' line in $log"
	elif [ "$st" -ne 0 ]; then
		why="exited $st after SIGTERM, want 0"
	elif [ -e "$OUT/$1.sock" ]; then
		why="$OUT/$1.sock is still there"
	fi
	host_result "$2-server-stop" "$why"
	say "$KNAME: server ($1): $(grep -c '' "$log") log lines, $offs with bus mastering off"
}

# run_vfio_user: the kernel set up in main, booted on the vfio-user QEMU
# with both servers' PFs; the guest runs the scripts for KNAME.
run_vfio_user() {
	mkdir -p "$OUT"
	socks=
	devices=
	for s in $VFIO_USER_SERVERS; do
		mode=${s%@*} slot=${s#*@}
		server_start "$mode"
		socks="$socks $OUT/$mode.sock@$slot"
		devices="${devices}0000:00:$(printf %02x "$slot").0 $mode
"
	done
	# shellcheck disable=SC2034 # build_initramfs reads it
	RIG_VFIO_USER_DEVICES=$devices
	build_initramfs
	# shellcheck disable=SC2034
	RIG_VFIO_USER_DEVICES=
	say "$KNAME kernel $V: initramfs ready ($(elapsed))"
	# shellcheck disable=SC2086 # socket@slot words without spaces
	boot_vfio_user $socks
	why=$README_USED
	[ -n "$README_SERVER" ] || readme_vm_section | grep -q "^ *\$ revere-vfio-user-server --socket $README_SOCKET *&\$" ||
		why="no '$ revere-vfio-user-server --socket $README_SOCKET &' command in the README's \"$README_VM_SECTION\""
	host_result vfio-user-readme "$why"
	server_checks mmap vfio-user
	server_checks messages vfio-user-msg
	report
}
