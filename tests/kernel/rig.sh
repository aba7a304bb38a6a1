#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The real-kernel rig: boot Debian's own kernel in QEMU (TCG, no KVM) with an
# emulated Intel IOMMU and QEMU's edu device, run the guest test scripts of
# tests/kernel/guest/ and read their results from the serial console; then
# the same with the iommufd kernel of kbuild.sh (the scripts that say
# "RIG-KERNELS: ... iommufd").
# See tests/kernel/README for what it proves and the rules for guest scripts.
#
# Usage: rig.sh BUILDDIR SRCDIR      (make check-kernel runs it)
#
# Environment:
#   CI=true          a missing tool or download fails instead of skipping
#   RIG_TIMEOUT      seconds before a hung guest is killed (default: 300 for
#                    the boot plus RIG_SCRIPT_TIMEOUT for each guest script)
#   RIG_SCRIPT_TIMEOUT  seconds per guest script (default 600)

set -eu

BUILDDIR=$(cd "${1:?usage: rig.sh BUILDDIR SRCDIR}" && pwd)
SRCDIR=$(cd "${2:?usage: rig.sh BUILDDIR SRCDIR}" && pwd)
WORK=$BUILDDIR/tests/kernel/build
# Generous: TCG on a loaded 2-core host is many times slower than on an
# idle one, and the bounds only matter when something hangs. The guest
# must never be killed while a script is still within its own timeout,
# so RIG_TIMEOUT covers every script's plus BOOT_S for boot and the
# modules (by default, for each kernel; checked in main if set).
RIG_SCRIPT_TIMEOUT=${RIG_SCRIPT_TIMEOUT:-600}
BOOT_S=300

# The checks init itself reports (see init.sh), on top of the RIG-EXPECT
# lines of the guest scripts. The iommufd kernel has the VFIO drivers built
# in: the README's modprobe lines are Debian's kernel's, checked there.
INIT_EXPECT_DEBIAN="readme-modprobe rig-modules rig-iommu"
INIT_EXPECT_IOMMUFD="rig-modules rig-iommu"

# The modules the guest needs, by module name, with whatever they depend
# on in modules.dep: the VFIO ones, and pci_stub, the driver 10-edu.sh
# rebinds edu from. Which of them exist as modules depends on the kernel
# version: a required one must be a module or built in, or the rig fails;
# an optional one may be gone (vfio_virqfd was folded into vfio in 6.2,
# irqbypass is built in on some configurations).
REQUIRED_MODULES_DEBIAN="vfio vfio_iommu_type1 vfio_pci_core vfio_pci mdev pci_stub"
OPTIONAL_MODULES_DEBIAN="irqbypass vfio_virqfd"
# The iommufd kernel builds VFIO in (iommufd-vfio.fragment) and mdev as a
# module; it has no pci-stub, so only the Debian kernel runs 10-edu.sh.
REQUIRED_MODULES_IOMMUFD="vfio vfio_iommu_type1 vfio_pci_core vfio_pci mdev iommufd"
OPTIONAL_MODULES_IOMMUFD=""

T0=$(date +%s)

say() { echo "kernel rig: $*"; }
die() { say "FAILED: $*" >&2; exit 1; }
elapsed() { echo $(($(date +%s) - T0))s; }

# A missing tool is a failure in CI and a skip on a developer's machine
# where we may not install anything.
missing() {
	if [ "${CI:-}" = true ]; then
		die "$*"
	fi
	say "SKIPPED: $*"
	exit 0
}

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=
apt_update_once() {
	[ -n "$APT_UPDATED" ] && return 0
	APT_UPDATED=1
	say "apt-get update"
	apt-get update -qq || die "apt-get update failed; check the Debian mirror in /etc/apt/sources.list"
}

# apt_install PKG...: install what is not installed yet (root only).
apt_install() {
	todo=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || todo="$todo $p"
	done
	[ -z "$todo" ] && return 0
	is_root || missing "packages not installed:$todo (run as root, or apt-get install$todo)"
	say "apt-get install$todo"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! apt-get install -y -qq --no-install-recommends $todo >/dev/null; then
		apt_update_once
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $todo >/dev/null ||
			die "apt-get install$todo failed"
	fi
}

# The kernel version linux-image-amd64 points at in the archive, such as
# 6.1.0-26-amd64: never hard-coded, so the rig follows kernel updates.
kernel_version() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1
}

find_version() {
	V=$(kernel_version)
	if [ -z "$V" ] && is_root; then
		apt_update_once
		V=$(kernel_version)
	fi
	[ -n "$V" ] || missing "no linux-image-amd64 in the apt lists (apt-get update as root)"
}

find_deb() {
	for f in "$WORK/debs/linux-image-${V}_"*.deb; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	return 1
}

download_deb() {
	say "apt-get download linux-image-$V"
	# apt's sandbox user may not write into the build dir: apt then
	# downloads as the caller and warns, which is harmless.
	(cd "$WORK/debs" && apt-get download -q "linux-image-$V") 2>&1 |
		grep -v 'unsandboxed'
	find_deb >/dev/null
}

# Download linux-image-$V without installing it and unpack it under $KROOT.
fetch_kernel() {
	KROOT=$WORK/kernel-$V
	if [ -f "$KROOT/.unpacked" ]; then
		say "kernel $V: cached in $KROOT"
		return 0
	fi
	mkdir -p "$WORK/debs"
	if ! find_deb >/dev/null && ! download_deb; then
		is_root || missing "apt-get download linux-image-$V failed"
		apt_update_once
		download_deb || missing "apt-get download linux-image-$V failed"
	fi
	deb=$(find_deb)
	rm -rf "$KROOT"
	dpkg -x "$deb" "$KROOT" || die "dpkg -x $deb failed"
	[ -f "$KROOT/boot/vmlinuz-$V" ] || die "no boot/vmlinuz-$V in $deb"
	# The package carries no modules.dep (its postinst runs depmod):
	# make it here, into the unpacked tree only.
	depmod -b "$KROOT" "$V" || die "depmod -b $KROOT $V failed"
	[ -f "$KROOT/lib/modules/$V/modules.dep" ] ||
		die "depmod made no lib/modules/$V/modules.dep"
	touch "$KROOT/.unpacked"
}

# Print the paths (relative to lib/modules/$V) of the given modules and of
# everything they depend on, dependencies first: the order to insmod them.
# Names match with '-' and '_' alike, as modprobe does.
module_order() {
	awk -v want="$*" '
	function norm(p,   n) {
		n = p; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n)
		gsub(/-/, "_", n); return n
	}
	function visit(p,   i, n, d) {
		if (p in seen) return
		seen[p] = 1
		n = split(deps[p], d, " ")
		for (i = 1; i <= n; i++) visit(d[i])
		print p
	}
	{
		p = $1; sub(/:$/, "", p)
		deps[p] = ""
		for (i = 2; i <= NF; i++) deps[p] = deps[p] " " $i
		byname[norm(p)] = p
	}
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			m = w[i]; gsub(/-/, "_", m)
			if (m in byname) visit(byname[m])
		}
	}' "$KROOT/lib/modules/$V/modules.dep"
}

is_module() {
	m=$(echo "$1" | tr - _)
	cut -d: -f1 "$KROOT/lib/modules/$V/modules.dep" |
		sed 's|.*/||; s|\.ko.*||; s|-|_|g' | grep -qx "$m"
}

is_builtin() {
	m=$(echo "$1" | tr - _)
	sed 's|.*/||; s|\.ko.*||; s|-|_|g' \
		"$KROOT/lib/modules/$V/modules.builtin" 2>/dev/null | grep -qx "$m"
}

# copy_ko SRC DST: a module, decompressed (busybox insmod and modprobe may
# not read .ko.xz or .ko.zst).
copy_ko() {
	mkdir -p "$(dirname "$2")"
	case $1 in
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*.ko) cp "$1" "$2" ;;
	*) die "unexpected module file $1" ;;
	esac || die "cannot decompress $1"
}

# A libtool wrapper script stands for the real program in .libs/.
real_binary() {
	if [ "$(head -c 2 "$1")" = '#!' ]; then
		echo "$(dirname "$1")/.libs/$(basename "$1")"
	else
		echo "$1"
	fi
}

# copy_program SRC NAME: into /usr/bin with the shared libraries it needs.
copy_program() {
	src=$(real_binary "$1")
	[ -x "$src" ] || die "$1 is not built (make check-kernel builds it)"
	cp "$src" "$ROOT/usr/bin/$2"
	ldd "$src" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' | while read -r lib; do
		[ -e "$ROOT$lib" ] && continue
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
}

# build_mdev: the module against KDIR, the build tree of kernel V.
build_mdev() {
	MDEV_OUT=$OUT/mdev-out
	[ -f "$SRCDIR/sim/mdev/build.sh" ] || return 0
	[ -f "$KDIR/Makefile" ] || die "no kernel build tree in $KDIR"
	rm -rf "$MDEV_OUT"
	mkdir -p "$MDEV_OUT"
	say "building sim/mdev against $KDIR"
	sh "$SRCDIR/sim/mdev/build.sh" "$KDIR" "$MDEV_OUT" "$SRCDIR" ||
		die "sim/mdev/build.sh failed"
}

# The project README's modprobe commands (root prompt "#  modprobe ...",
# see its "Run" section), one per line, as the README words them: init runs
# them in the guest (check readme-modprobe), so that the README stays true.
readme_modprobe() {
	[ -f "$SRCDIR/README" ] || die "no README in $SRCDIR"
	tr -d '\r' <"$SRCDIR/README" |
		sed -n 's/^[[:space:]]*#[[:space:]]\{1,\}\(modprobe[[:space:]].*[^[:space:]]\)[[:space:]]*$/\1/p'
}

# The README's driverctl lines (an override that survives reboots), one a
# line, word for word: 10-edu.sh runs them on edu.
readme_driverctl() {
	tr -d '\r' <"$SRCDIR/README" |
		sed -n 's/^[[:space:]]*#[[:space:]]\{1,\}\(driverctl[[:space:]].*[^[:space:]]\)[[:space:]]*$/\1/p'
}

# driverctl, Debian's own, unpacked from its package as the kernel is (it
# is a bash script over sysfs: the guest gets bash too).
fetch_driverctl() {
	DCTL=$WORK/driverctl
	[ -x "$DCTL/usr/sbin/driverctl" ] && return 0
	mkdir -p "$WORK/debs"
	deb=$(ls "$WORK/debs"/driverctl_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		say "apt-get download driverctl"
		(cd "$WORK/debs" && apt-get download -q driverctl) 2>&1 |
			grep -v 'unsandboxed'
		deb=$(ls "$WORK/debs"/driverctl_*.deb 2>/dev/null | head -n 1)
	fi
	[ -n "$deb" ] || missing "apt-get download driverctl failed"
	rm -rf "$DCTL"
	dpkg -x "$deb" "$DCTL" || die "dpkg -x $deb failed"
	[ -x "$DCTL/usr/sbin/driverctl" ] || die "no usr/sbin/driverctl in $deb"
}

# The guest scripts for kernel KNAME: those whose "# RIG-KERNELS:" line
# names it; a script without one runs on the Debian kernel only.
guest_scripts() {
	for s in "$SRCDIR"/tests/kernel/guest/[0-9][0-9]-*.sh; do
		[ -f "$s" ] || continue
		k=$(sed -n 's/^# *RIG-KERNELS: *//p' "$s")
		case " ${k:-debian} " in
		*" $KNAME "*) echo "$s" ;;
		esac
	done
}

build_initramfs() {
	ROOT=$OUT/initramfs
	rm -rf "$ROOT"
	mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/usr/bin" "$ROOT/usr/sbin" \
		"$ROOT/etc" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" \
		"$ROOT/tests" "$ROOT/opt" "$ROOT/lib/modules/$V"

	cp /bin/busybox "$ROOT/bin/busybox"
	ln -s busybox "$ROOT/bin/sh"

	# The VFIO modules, in load order.
	: >"$ROOT/etc/rig-modules"
	for m in $REQUIRED_MODULES; do
		is_module "$m" || is_builtin "$m" ||
			die "$m is neither a module nor built in to $V"
	done
	# shellcheck disable=SC2086 # word lists
	for p in $(module_order $OPTIONAL_MODULES $REQUIRED_MODULES); do
		dst=lib/modules/$V/$(echo "$p" | sed 's/\.ko\..*$/.ko/')
		copy_ko "$KROOT/lib/modules/$V/$p" "$ROOT/$dst"
		echo "/$dst" >>"$ROOT/etc/rig-modules"
	done
	for f in modules.builtin modules.builtin.modinfo; do
		cp "$KROOT/lib/modules/$V/$f" "$ROOT/lib/modules/$V/" ||
			die "no $f in $KROOT"
	done
	sed 's|^/lib/modules/[^/]*/||' "$ROOT/etc/rig-modules" \
		>"$ROOT/lib/modules/$V/modules.order"
	# A modules.dep for what we carry (the decompressed .ko files, paths
	# relative to lib/modules/$V), for busybox modprobe in the guest.
	depmod -b "$ROOT" "$V" || die "depmod for the initramfs failed"
	if [ "$KNAME" = debian ]; then
		readme_modprobe >"$ROOT/etc/rig-readme-modprobe"
	fi
	echo "$KNAME" >"$ROOT/etc/rig-kernel"
	# The vfio-user boots' PFs: "BDF mode" lines (vfio-user.sh).
	[ -z "${RIG_VFIO_USER_DEVICES:-}" ] ||
		printf '%s' "$RIG_VFIO_USER_DEVICES" >"$ROOT/etc/rig-vfio-user"
	readme_driverctl >"$ROOT/etc/rig-readme-driverctl"
	cp "$DCTL/usr/sbin/driverctl" "$ROOT/usr/sbin/driverctl"
	copy_program /bin/bash bash
	ln -s /usr/bin/bash "$ROOT/bin/bash"
	# driverctl loads a missing driver with /sbin/modprobe.
	ln -s /bin/busybox "$ROOT/sbin/modprobe"

	for ko in "${MDEV_OUT:-/nonexistent}"/*.ko "${MDEV_OUT:-/nonexistent}"/*.ko.*; do
		[ -f "$ko" ] || continue
		copy_ko "$ko" "$ROOT/opt/$(basename "$ko" | sed 's/\.ko\..*$/.ko/')"
	done

	copy_program "$BUILDDIR/revere-vfio-demo" revere-vfio-demo
	copy_program "$BUILDDIR/revere-vfio-bind" revere-vfio-bind
	copy_program "$BUILDDIR/tests/kernel/edu-test" edu-test
	copy_program "$BUILDDIR/tests/kernel/cfg-dump" cfg-dump

	for s in $(guest_scripts); do
		cp "$s" "$ROOT/tests/"
	done
	cp "$SRCDIR/tests/kernel/guest/lib.sh" "$ROOT/tests/lib.sh"

	cp "$SRCDIR/tests/kernel/init.sh" "$ROOT/init"
	chmod 755 "$ROOT/init"
	echo "$RIG_SCRIPT_TIMEOUT" >"$ROOT/etc/rig-script-timeout"
	# An unprivileged user for the non-root checks.
	cat >"$ROOT/etc/passwd" <<-EOF
	root:x:0:0:root:/:/bin/sh
	rig:x:1000:1000:rig:/tmp:/bin/sh
	EOF
	cat >"$ROOT/etc/group" <<-EOF
	root:x:0:
	rig:x:1000:
	EOF

	(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		>"$OUT/initramfs.cpio" || die "cpio failed"
}

boot() {
	timeout_s=${RIG_TIMEOUT:-$(need_timeout)}
	say "booting $V in QEMU (TCG, intel-iommu, edu), timeout ${timeout_s}s"
	LOG=$OUT/console.log
	rm -f "$LOG"
	# intel-iommu first, so that it exists when the PCI devices behind it
	# are created. intremap=on (interrupt remapping: vfio refuses MSI
	# without it unless allow_unsafe_interrupts is set) needs
	# kernel-irqchip=split under KVM; TCG accepts the same command line.
	# caching-mode=on makes the guest's IOMMU driver flush the IOTLB for
	# new mappings too, as it must for QEMU's own device assignment.
	# edu's DMA errors and the vIOMMU's fault reports go to QEMU's stderr:
	# the dma-blocked check of edu-test causes one on purpose.
	# no_timer_check: at boot the kernel checks that the IO-APIC timer
	# ticks within a few jiffies measured by the TSC (timer_irq_works(),
	# arch/x86/kernel/apic/io_apic.c), and with interrupt remapping on it
	# panics if not ("timer doesn't work through Interrupt-remapped
	# IO-APIC"). Under TCG on a loaded host the vCPU often gets the tick
	# late: the check measures host load, not the kernel, so skip it.
	run_qemu qemu-system-x86_64 \
		-accel tcg -M q35,kernel-irqchip=split -cpu max -smp 2 -m 512M \
		-device intel-iommu,intremap=on,caching-mode=on \
		-device edu
}

# run_qemu QEMU ARGS...: QEMU with ARGS and the rig's guest (its kernel,
# initramfs and command line, the console to $LOG, no network, no
# reboot), killed after timeout_s; its exit status in QEMU_STATUS.
run_qemu() {
	set +e
	timeout -k 10 "$timeout_s" "$@" \
		-kernel "$KIMAGE" \
		-initrd "$OUT/initramfs.cpio" \
		-append "console=ttyS0 intel_iommu=on panic=-1 no_timer_check loglevel=4 rdinit=/init" \
		-display none -monitor none -serial "file:$LOG" \
		-nic none -no-reboot </dev/null
	QEMU_STATUS=$?
	set -e
}

# Read the results from the console and print the kernel's summary; adds
# its failures to FAILED. The iommufd kernel's lines say so
# ("RIG-RESULT: iommufd-kernel: mdev-demo PASS").
report() {
	pass=0
	fail=0
	results=$OUT/results.txt
	tr -d '\r' <"$LOG" | sed -n 's/.*\(RIG-RESULT: .*\)$/\1/p' >"$results" || true
	sed "s/^RIG-RESULT: /RIG-RESULT: $LABEL/" "$results"

	pass=$(grep -c ' PASS$' "$results" || true)
	fail=$(grep -c ' FAIL' "$results" || true)

	expect=$INIT_EXPECT
	for s in $(guest_scripts); do
		expect="$expect $(sed -n 's/^# *RIG-EXPECT: *//p' "$s")"
	done
	for name in $expect; do
		if ! grep -q "^RIG-RESULT: $name \(PASS$\|FAIL\)" "$results"; then
			echo "RIG-RESULT: $LABEL$name FAIL no result (missing from the console)"
			fail=$((fail + 1))
		fi
	done

	if [ "$QEMU_STATUS" -eq 124 ] || [ "$QEMU_STATUS" -eq 137 ]; then
		say "guest timed out after ${timeout_s}s"
		fail=$((fail + 1))
	elif ! tr -d '\r' <"$LOG" | grep -q '^RIG-DONE$'; then
		say "no RIG-DONE on the console: the guest crashed (qemu status $QEMU_STATUS)"
		fail=$((fail + 1))
	fi
	if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
		say "no results at all"
		fail=1
	fi
	if [ "$fail" -ne 0 ]; then
		say "last lines of $LOG:"
		tail -n 40 "$LOG" | tr -d '\r'
	fi
	say "$KNAME kernel $V: console log: $LOG ($(elapsed))"
	say "$KNAME kernel $V: $pass passed, $fail failed"
	PASSED=$((PASSED + pass))
	FAILED=$((FAILED + fail))
}

# The seconds kernel KNAME's guest needs at most: its boot and every one
# of its scripts within its RIG_SCRIPT_TIMEOUT.
need_timeout() {
	echo $((BOOT_S + $(guest_scripts | wc -l) * RIG_SCRIPT_TIMEOUT))
}

# RIG_TIMEOUT, if set, must leave every guest script of either kernel its
# RIG_SCRIPT_TIMEOUT.
check_timeouts() {
	[ -n "${RIG_TIMEOUT:-}" ] || return 0
	for KNAME in debian iommufd vfio-user iommufd-vfio-user; do
		need=$(need_timeout)
		[ "$RIG_TIMEOUT" -ge "$need" ] ||
			die "RIG_TIMEOUT=$RIG_TIMEOUT is less than ${BOOT_S}s of boot plus $(guest_scripts | wc -l) scripts of RIG_SCRIPT_TIMEOUT=$RIG_SCRIPT_TIMEOUT on the $KNAME kernel; raise it to $need"
	done
}

main() {
	check_timeouts
	mkdir -p "$WORK"
	for tool in dpkg apt-get apt-cache; do
		command -v "$tool" >/dev/null || missing "$tool not found (Debian only)"
	done
	apt_install qemu-system-x86 busybox-static cpio kmod xz-utils
	find_version
	say "kernel version from the archive: $V"
	apt_install "linux-headers-$V"
	fetch_kernel
	if grep -q '\.ko\.zst:' "$KROOT/lib/modules/$V/modules.dep"; then
		apt_install zstd
	fi
	fetch_driverctl
	PASSED=0
	FAILED=0

	KNAME=debian LABEL='' OUT=$WORK
	KIMAGE=$KROOT/boot/vmlinuz-$V KDIR=/usr/src/linux-headers-$V
	REQUIRED_MODULES=$REQUIRED_MODULES_DEBIAN
	OPTIONAL_MODULES=$OPTIONAL_MODULES_DEBIAN
	INIT_EXPECT=$INIT_EXPECT_DEBIAN
	run_kernel
	VFIO_USER=no
	if vfio_user_qemu; then
		VFIO_USER=yes
		KNAME=vfio-user OUT=$WORK/vfio-user
		INIT_EXPECT="$INIT_EXPECT_IOMMUFD $VFIO_USER_HOST_EXPECT"
		run_vfio_user
	fi

	KNAME=iommufd LABEL="iommufd-kernel: " OUT=$WORK/iommufd
	if iommufd_kernel; then
		REQUIRED_MODULES=$REQUIRED_MODULES_IOMMUFD
		OPTIONAL_MODULES=$OPTIONAL_MODULES_IOMMUFD
		INIT_EXPECT=$INIT_EXPECT_IOMMUFD
		run_kernel
		if [ "$VFIO_USER" = yes ]; then
			KNAME=iommufd-vfio-user OUT=$WORK/iommufd/vfio-user
			INIT_EXPECT="$INIT_EXPECT_IOMMUFD $VFIO_USER_HOST_EXPECT"
			run_vfio_user
		fi
	fi

	say "total, $(elapsed):"
	say "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# The module, the initramfs and the boot of the kernel set up in main.
run_kernel() {
	mkdir -p "$OUT"
	build_mdev
	build_initramfs
	say "$KNAME kernel $V: initramfs ready ($(elapsed))"
	boot
	report
}

# The iommufd kernel from tests/kernel/kbuild.sh: built on the first run
# (it says how long that took), then taken from its cache (it says where).
# Returns 1 when it cannot be built here (kbuild.sh exits 77 without
# CI=true): the second boot is skipped, Debian's results still count.
iommufd_kernel() {
	t=$(date +%s)
	st=0
	kdir=$(sh "$SRCDIR/tests/kernel/kbuild.sh" "$SRCDIR") || st=$?
	if [ "$st" -eq 77 ]; then
		say "SKIPPED: the iommufd kernel (kbuild.sh cannot build it here)"
		return 1
	fi
	[ "$st" -eq 0 ] || die "tests/kernel/kbuild.sh failed"
	say "iommufd kernel: $kdir ($(($(date +%s) - t)) s)"
	V=$(cat "$kdir/release")
	KROOT=$kdir/modules
	KIMAGE=$kdir/bzImage
	KDIR=$kdir/build
	[ -f "$KROOT/lib/modules/$V/modules.dep" ] ||
		die "no lib/modules/$V/modules.dep in $KROOT"
}

# vfio_user_qemu and run_vfio_user: a guest whose Revere PFs are
# revere-vfio-user-server processes on the host, on the QEMU of
# qemu-tree.sh.
. "$SRCDIR/tests/kernel/vfio-user.sh"

main
