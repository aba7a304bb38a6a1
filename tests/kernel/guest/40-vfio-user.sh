#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The vfio-user boots of the real-kernel rig: the simulated Revere PF
# served by revere-vfio-user-server on the host is a PCI device of this
# guest, through QEMU's vfio-user-pci. Two servers, two PFs: one offers
# BAR0 as shared memory, one by messages only (--no-mmap); rig.sh puts
# them at fixed addresses and lists them in /etc/rig-vfio-user ("BDF
# mmap", "BDF messages"). On each: found in sysfs, listed, bound, the
# demo with --device alone (default, 10,000 in poll and in irq mode,
# BAR0 mapped as the guest's vfio-pci offers it), SIGINT mid-run, unbound;
# 45-vfio-user-rw.sh runs BAR0 through pread/pwrite where the kernel can. The device's state after each run is in the
# servers' logs on the host: rig.sh checks that every run left it
# quiesced (vfio-user-server-quiesced).
#
# RIG-KERNELS: vfio-user iommufd-vfio-user
# RIG-EXPECT: vfio-user-sysfs vfio-user-list vfio-user-bind vfio-user-demo
# RIG-EXPECT: vfio-user-demo-10000 vfio-user-irq-10000 vfio-user-sigint
# RIG-EXPECT: vfio-user-unbind
# RIG-EXPECT: vfio-user-msg-sysfs vfio-user-msg-list vfio-user-msg-bind
# RIG-EXPECT: vfio-user-msg-demo vfio-user-msg-demo-10000
# RIG-EXPECT: vfio-user-msg-irq-10000 vfio-user-msg-sigint
# RIG-EXPECT: vfio-user-msg-unbind

# shellcheck disable=SC3045 # the guest's sh is busybox ash: ulimit -l
# shellcheck source=tests/kernel/guest/lib.sh
. /tests/lib.sh

OUT=/tmp/40-vfio-user.out
ERR=/tmp/40-vfio-user.err

# As for the mdev (20-revere-mdev.sh): the device is a process on a host
# whose cores the guest's TCG vCPUs share; 100 ms is a figure for hardware.
DEMO_TIMEOUT_MS=10000

# What the demo's default (--iommu auto) must pick: the device file where
# the kernel has iommufd, the group file on Debian's.
KERNEL=$(cat /etc/rig-kernel)
USED=type1
[ "$KERNEL" = iommufd-vfio-user ] && USED=iommufd

ulimit -l unlimited

# check_sysfs: the device is a PCI function with the PF's IDs.
check_sysfs() {
	d=/sys/bus/pci/devices/$BDF
	if [ ! -d "$d" ]; then
		fail "${P}sysfs" "no $d (PCI devices: $(echo /sys/bus/pci/devices/*))"
	elif [ "$(cat "$d/vendor"):$(cat "$d/device")" != 0x13b5:0xff81 ]; then
		fail "${P}sysfs" "$BDF is $(cat "$d/vendor"):$(cat "$d/device"), want 0x13b5:0xff81"
	else
		pass "${P}sysfs"
	fi
}

check_list() {
	revere-vfio-demo --list >"$OUT" 2>"$ERR"
	st=$?
	cat "$OUT" "$ERR"
	if [ "$st" -ne 0 ]; then
		fail "${P}list" "--list exited $st: $(head -n 1 "$ERR")"
	elif ! grep -q "^$BDF  13b5:ff81 Revere-AMU PF" "$OUT"; then
		fail "${P}list" "--list has no '$BDF  13b5:ff81 Revere-AMU PF' line"
	else
		pass "${P}list"
	fi
}

driver() { basename "$(readlink "/sys/bus/pci/devices/$BDF/driver" 2>/dev/null)"; }

# check_bind CHECK WANT ARGS...: revere-vfio-bind ARGS exits 0 and leaves
# the device with driver WANT ("" for none).
check_bind() {
	check=$1 want=$2
	shift 2
	revere-vfio-bind "$@" >"$OUT" 2>"$ERR"
	st=$?
	cat "$OUT" "$ERR"
	if [ "$st" -ne 0 ]; then
		fail "$check" "revere-vfio-bind $* exited $st: $(head -n 1 "$ERR")"
	elif [ "$(driver)" != "$want" ]; then
		fail "$check" "driver is '$(driver)' after revere-vfio-bind $*, want '$want'"
	else
		pass "$check"
	fi
}

# demo_run PACKETS ARGS...: --device BDF alone (the demo finds the rest);
# why is empty if it exited 0, verified PACKETS messages, tore down, and
# step 2 names the interface auto must pick and the BAR0 path: mapped (the
# guest's vfio-pci offers the mapping of both servers' BAR0), or with
# --no-mmap through pread/pwrite.
demo_run() {
	packets=$1
	shift
	bar0="BAR0 mmap'd"
	case " $* " in
	*" --no-mmap "*) bar0="BAR0 through pread/pwrite" ;;
	esac
	revere-vfio-demo --device "$BDF" --timeout $DEMO_TIMEOUT_MS "$@" \
		>"$OUT" 2>"$ERR" </dev/null
	st=$?
	cat "$OUT" "$ERR"
	why=
	if [ "$st" -ne 0 ]; then
		why="revere-vfio-demo $* exited $st: $(head -n 1 "$ERR")"
	elif ! grep -q "^step 4: $packets messages of [0-9]* bytes inverted and verified" "$OUT"; then
		why="no 'step 4: $packets messages ... verified' line"
	elif ! grep -q '^step 5: torn down$' "$OUT"; then
		why="no clean 'step 5: torn down' line"
	elif ! grep -q "^step 2: opened $BDF via .* (13b5:ff81, IOMMU $USED" "$OUT"; then
		why="no 'step 2: opened $BDF ... (13b5:ff81, IOMMU $USED' line"
	elif ! grep -q "^step 2: .*, $bar0, " "$OUT"; then
		why="step 2 does not say '$bar0'"
	fi
}

report() {
	if [ -z "$why" ]; then
		pass "$1"
	else
		fail "$1" "$why"
	fi
}

# shellcheck disable=SC2317 # called through wait_until
exchanging() { grep -q '^step 3: ' "$OUT" 2>/dev/null || exited "$pid"; }

# SIGINT in the middle of a long exchange: exit 130 after a clean
# teardown (the state it left is in the server's log).
demo_sigint() {
	: >"$OUT"
	: >"$ERR"
	revere-vfio-demo --device "$BDF" --timeout $DEMO_TIMEOUT_MS \
		--packets 1000000000 >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	wait_until "$WAIT_S" exchanging
	started=no
	grep -q '^step 3: ' "$OUT" && started=yes
	kill -INT "$pid" 2>/dev/null
	if ! wait_until "$WAIT_S" exited "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		fail "${P}sigint" "still running ${WAIT_S}s after SIGINT"
		return
	fi
	wait "$pid"
	st=$?
	cat "$OUT" "$ERR"
	if [ "$started" != yes ]; then
		fail "${P}sigint" "the exchange never started (exit status $st)"
	elif [ "$st" -ne 130 ]; then
		fail "${P}sigint" "exited $st after SIGINT, want 130: $(head -n 1 "$ERR")"
	elif ! grep -q '^step 5: torn down$' "$OUT"; then
		fail "${P}sigint" "no clean 'step 5: torn down' line"
	else
		pass "${P}sigint"
	fi
}

# irq_woken: the last run's -v counted wake-ups on both vectors.
irq_woken() {
	w0=$(wakeups 0) w1=$(wakeups 1)
	echo "vfio-user: $BDF: wake-ups vector 0 ${w0:-?}, vector 1 ${w1:-?}"
	[ "${w0:-0}" -gt 0 ] && [ "${w1:-0}" -gt 0 ]
}

# 10,000 messages waiting on MSI-X: the guest's interrupts, from the
# server's eventfds through QEMU's emulated MSI-X table, must have woken
# the demo on both vectors.
demo_irq() {
	name=$1
	shift
	demo_run 10000 --packets 10000 --wait irq -v "$@"
	if [ -z "$why" ] && ! irq_woken; then
		why="--wait irq was not woken on both vectors"
	fi
	report "$P$name"
}

one_device() {
	check_sysfs
	check_list
	check_bind "${P}bind" vfio-pci "$BDF"
	demo_run 42
	report "${P}demo"
	demo_run 10000 --packets 10000
	report "${P}demo-10000"
	demo_irq irq-10000
	demo_sigint
	check_bind "${P}unbind" "" --unbind "$BDF"
}

# 45-vfio-user-rw.sh takes the functions above, not the runs below.
[ -n "${VFIO_USER_FUNCTIONS_ONLY:-}" ] && return 0

while read -r BDF mode; do
	P=vfio-user-
	[ "$mode" = messages ] && P=vfio-user-msg-
	one_device
done </etc/rig-vfio-user
