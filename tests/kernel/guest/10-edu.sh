#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC3045 # the guest's sh is busybox ash: ulimit -l
#
# Part 1 of the real-kernel rig: the project's VFIO layer against vfio-pci
# and the emulated Intel IOMMU, with QEMU's edu device (1234:11e8).
# Runs in the guest as root, from /init (see tests/kernel/README).
#
# RIG-EXPECT: edu-found edu-bind edu-root edu-dmar-fault demo-refuses-edu
# RIG-EXPECT: edu-nonroot-denied edu-nonroot-memlock edu-nonroot

EDU_ID=1234:11e8
REVERE_ID=13b5:ff81
USER_NAME=rig		# an unprivileged user of the initramfs' /etc/passwd
OUT=/tmp/10-edu.out

pass() { echo "RIG-RESULT: $1 PASS"; }
fail() { echo "RIG-RESULT: $1 FAIL $2"; }

# The first FAIL line of edu-test's output, for the result line.
first_fail() { grep -m 1 'FAIL' "$OUT" | sed 's/^edu-test: FAIL //'; }

find_edu() {
	for d in /sys/bus/pci/devices/*; do
		v=$(cat "$d/vendor") || continue
		p=$(cat "$d/device") || continue
		if [ "${v#0x}:${p#0x}" = "$EDU_ID" ]; then
			echo "${d##*/}"
			return 0
		fi
	done
	return 1
}

# driver_of BDF: the name of the driver bound to the device, or nothing.
driver_of() {
	d=$(readlink "/sys/bus/pci/devices/$1/driver") && echo "${d##*/}"
}

# The project README's rebind, for a PF "already bound to another driver":
# its three commands word for word, with edu's address. driver_override
# makes vfio-pci the only driver that may bind the device, unbind releases
# it from its driver, drivers_probe binds it again (kernel
# Documentation/driver-api/vfio.rst, ABI sysfs-bus-pci).
readme_rebind() {
	echo vfio-pci > "/sys/bus/pci/devices/$1/driver_override" &&
	echo "$1" > "/sys/bus/pci/devices/$1/driver/unbind" &&
	echo "$1" > /sys/bus/pci/drivers_probe
}

# Nothing in the guest kernel drives edu: pci-stub (whose only job is to
# claim devices) plays the PF's other driver, through a dynamic ID, so that
# all three commands of the README run, the unbind included.
bind_vfio() {
	echo "${EDU_ID%:*} ${EDU_ID#*:}" >/sys/bus/pci/drivers/pci-stub/new_id
	drv=$(driver_of "$1")
	if [ "$drv" != pci-stub ]; then
		echo "pci-stub did not claim $1 (driver: ${drv:-none})"
		return 1
	fi
	if ! readme_rebind "$1"; then
		echo "the README's driver_override, unbind, drivers_probe failed"
		return 1
	fi
	drv=$(driver_of "$1")
	if [ "$drv" != vfio-pci ]; then
		echo "$1 bound to ${drv:-no driver} after drivers_probe, want vfio-pci"
		return 1
	fi
}

# run_as USER CMD...: as USER, with the shell's current limits (su keeps
# them), like a user's login shell would.
run_as() {
	user=$1
	shift
	su -s /bin/sh "$user" -c "$*"
}

if ! BDF=$(find_edu); then
	fail edu-found "no PCI device $EDU_ID (is -device edu on the QEMU command line?)"
	exit 0
fi
pass edu-found
echo "edu: $BDF"

if ! why=$(bind_vfio "$BDF"); then
	fail edu-bind "$why"
	exit 0
fi
# As the README finds the group: the last part of the iommu_group link.
GROUP=$(readlink "/sys/bus/pci/devices/$BDF/iommu_group")
GROUP_DEV=/dev/vfio/${GROUP##*/}
if [ ! -c "$GROUP_DEV" ]; then
	fail edu-bind "$BDF is bound to vfio-pci but $GROUP_DEV does not exist"
	exit 0
fi
pass edu-bind
echo "edu: $BDF bound to vfio-pci, IOMMU group $GROUP_DEV"

# Root: every check of edu-test.
edu-test "$GROUP_DEV" "$BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
if [ "$st" -eq 0 ]; then
	pass edu-root
else
	fail edu-root "edu-test exited $st: $(first_fail)"
fi

# edu-test's dma-blocked check wrote to an unmapped IOVA: the IOMMU itself
# must have refused it (a DMAR fault for this device at that address), not
# some other failure of the transfer (0x200000 is IOVA_DST of edu_test.c).
if dmesg | grep 'DMAR: \[DMA Write' | grep "\[${BDF#0000:}\]" |
	grep -q 'fault addr 0x200000'; then
	pass edu-dmar-fault
else
	fail edu-dmar-fault "no DMAR write fault at IOVA 0x200000 from $BDF in the kernel log"
fi

# The demo must recognise that this is not a Revere device: exit status 1
# (not a crash) and a message naming both IDs.
revere-vfio-demo --vfio-group "$GROUP_DEV" --device "$BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
if [ "$st" -ne 1 ]; then
	fail demo-refuses-edu "revere-vfio-demo exited $st, want 1"
elif ! grep -q "$EDU_ID" "$OUT" || ! grep -q "$REVERE_ID" "$OUT"; then
	fail demo-refuses-edu "message does not name both $EDU_ID and $REVERE_ID"
else
	pass demo-refuses-edu
fi

# Non-root without access to the group file: opening it must fail cleanly.
run_as "$USER_NAME" "edu-test $GROUP_DEV $BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
if [ "$st" -ne 1 ]; then
	fail edu-nonroot-denied "edu-test exited $st, want 1"
elif ! grep -q 'FAIL open' "$OUT"; then
	fail edu-nonroot-denied "no 'FAIL open' from edu-test without access"
else
	pass edu-nonroot-denied
fi

# Give the user the group file, as an administrator would (udev rule or
# chown); /dev/vfio/vfio itself is world-accessible.
chown "$USER_NAME" "$GROUP_DEV"

# Without CAP_IPC_LOCK the type1 IOMMU driver counts pinned DMA pages
# against RLIMIT_MEMLOCK: with a limit of 0 the mapping must be refused.
(ulimit -l 0 && run_as "$USER_NAME" "edu-test $GROUP_DEV $BDF") >"$OUT" 2>&1
st=$?
cat "$OUT"
if [ "$st" -ne 1 ]; then
	fail edu-nonroot-memlock "edu-test exited $st with ulimit -l 0, want 1"
elif ! grep -q 'FAIL dma-map' "$OUT"; then
	fail edu-nonroot-memlock "no 'FAIL dma-map' with ulimit -l 0"
else
	pass edu-nonroot-memlock
fi

# With the limit raised (64 MiB, in KiB) everything must work as non-root.
(ulimit -l 65536 && run_as "$USER_NAME" "edu-test $GROUP_DEV $BDF") >"$OUT" 2>&1
st=$?
cat "$OUT"
if [ "$st" -eq 0 ] && grep -q "uid 1000" "$OUT"; then
	pass edu-nonroot
else
	fail edu-nonroot "edu-test as $USER_NAME exited $st: $(first_fail)"
fi
exit 0
