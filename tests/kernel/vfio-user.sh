# shellcheck shell=sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Sourced by rig.sh: a guest whose devices are vfio-user servers on the
# host, through QEMU's vfio-user client (-device vfio-user-pci). Debian 12's
# QEMU 7.2 has none: tests/kernel/qemu-tree.sh fetches Debian's QEMU from
# trixie-backports into a cache and prints a launcher for it. The rig's
# boots so far do not use these functions and keep Debian 12's QEMU.
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

# boot_vfio_user [SOCKET...]: what boot() does for the kernel set up in
# main (console in $OUT/console.log, QEMU_STATUS), with the QEMU of
# vfio_user_qemu and one vfio-user-pci device for each server's UNIX
# socket, in order. Without a socket the guest has no vfio-user device.
#
# What the client needs beyond boot()'s command line: the guest's RAM in
# a shared memfd (memory-backend-memfd, share=on), which QEMU passes to the
# server so that the device's DMA reaches it, behind the same emulated
# Intel IOMMU (the server sees IOVAs, as a real device would).
boot_vfio_user() {
	mem=512M
	n=$#
	while [ "$n" -gt 0 ]; do
		# shellcheck disable=SC1003 # a backslash, not an escape
		case $1 in
		*'"'* | *'\'*) die "vfio-user socket path with a quote or backslash: $1" ;;
		esac
		set -- "$@" -device \
			"{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"$1\"}}"
		shift
		n=$((n - 1))
	done
	timeout_s=${RIG_TIMEOUT:-$(need_timeout)}
	say "booting $V in QEMU $("$VFIO_USER_QEMU" --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p') (TCG, intel-iommu, vfio-user), timeout ${timeout_s}s"
	LOG=$OUT/console.log
	rm -f "$LOG"
	# boot()'s comments say why intel-iommu comes first, intremap,
	# caching-mode and no_timer_check.
	set +e
	timeout -k 10 "$timeout_s" "$VFIO_USER_QEMU" \
		-machine q35,accel=tcg,kernel-irqchip=split,memory-backend=mem \
		-cpu max -smp 2 -m "$mem" \
		-object memory-backend-memfd,id=mem,size="$mem",share=on \
		-device intel-iommu,intremap=on,caching-mode=on \
		"$@" \
		-kernel "$KIMAGE" \
		-initrd "$OUT/initramfs.cpio" \
		-append "console=ttyS0 intel_iommu=on panic=-1 no_timer_check loglevel=4 rdinit=/init" \
		-display none -monitor none -serial "file:$LOG" \
		-nic none -no-reboot </dev/null
	# shellcheck disable=SC2034 # rig.sh's report() reads it
	QEMU_STATUS=$?
	set -e
}
