#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC3045 # the guest's sh is busybox ash: ulimit -l
#
# Part 1 of the real-kernel rig: the project's VFIO layer against vfio-pci
# and the emulated Intel IOMMU, with QEMU's edu device (1234:11e8).
# Runs in the guest as root, from /init (see tests/kernel/README).
#
# RIG-EXPECT: readme-driverctl-set readme-driverctl-unset
# RIG-EXPECT: edu-found edu-bind edu-list edu-root edu-dmar-fault
# RIG-EXPECT: demo-refuses-edu demo-device-alone-refuses-edu
# RIG-EXPECT: edu-nonroot-denied edu-nonroot-memlock edu-nonroot
# RIG-EXPECT: edu-request-unbind
# RIG-EXPECT: edu-unbind-tool-back edu-bind-tool edu-bind-tool-again edu-unbind

# shellcheck source=tests/kernel/guest/lib.sh
. /tests/lib.sh

REVERE_ID=13b5:ff81
USER_NAME=rig		# an unprivileged user of the initramfs' /etc/passwd
OUT=/tmp/10-edu.out

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

# revere-vfio-bind after the README's lines: --unbind hands edu back to
# the kernel's own driver (pci-stub, through its dynamic ID), then the
# tool binds it again (driver_override, unbind from pci-stub,
# drivers_probe), and a second run changes nothing.
revere-vfio-bind --unbind "$BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
drv=$(driver_of "$BDF")
if [ "$st" -ne 0 ] || [ "$drv" != pci-stub ]; then
	fail edu-unbind-tool-back "revere-vfio-bind --unbind exited $st, driver ${drv:-none}, want 0 and pci-stub"
elif ! grep -qxF "$BDF: now bound to pci-stub" "$OUT"; then
	fail edu-unbind-tool-back "no '$BDF: now bound to pci-stub'"
else
	pass edu-unbind-tool-back
fi
revere-vfio-bind "$BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
drv=$(driver_of "$BDF")
want="$BDF: bound to vfio-pci (IOMMU group ${GROUP##*/}, $GROUP_DEV)"
if [ "$st" -ne 0 ] || [ "$drv" != vfio-pci ]; then
	fail edu-bind-tool "revere-vfio-bind exited $st, driver ${drv:-none}, want 0 and vfio-pci"
elif ! grep -qxF "$BDF: unbound from pci-stub" "$OUT" || ! grep -qxF "$want" "$OUT"; then
	fail edu-bind-tool "no 'unbound from pci-stub' and '$want'"
else
	pass edu-bind-tool
fi
revere-vfio-bind "$BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
if [ "$st" -eq 0 ] && grep -qxF "$BDF: already bound to vfio-pci (IOMMU group ${GROUP##*/}, $GROUP_DEV)" "$OUT"; then
	pass edu-bind-tool-again
else
	fail edu-bind-tool-again "second revere-vfio-bind exited $st without 'already bound'"
fi

# The README's driverctl lines, word for word with edu's address: an
# override kept across reboots (driverctl saves it in /etc/driverctl.d).
# set-override takes edu off vfio-pci and puts it back through the saved
# override; unset-override hands it to the kernel's own driver (pci-stub);
# revere-vfio-bind then binds it again for what follows.
dctl_line() {
	sed -n "s/^\(driverctl .*$1 .*\)\$/\1/p" /etc/rig-readme-driverctl |
		sed "s/0000:01:00\.0/$BDF/g" | head -n 1
}
# run_dctl SUBCOMMAND: the README's line for it, run; sets line, st and
# drv (edu's driver after it). Returns 1 when the README has no such line.
run_dctl() {
	line=$(dctl_line "$1")
	[ -n "$line" ] || return 1
	echo "edu: $line"
	sh -c "$line" >"$OUT" 2>&1
	st=$?
	cat "$OUT"
	drv=$(driver_of "$BDF")
}
if ! run_dctl set-override; then
	fail readme-driverctl-set "no 'driverctl set-override' line in the README"
else
	saved=$(cat "/etc/driverctl.d/pci-$BDF" 2>/dev/null)
	if [ "$st" -ne 0 ] || [ "$drv" != vfio-pci ] || [ "$saved" != vfio-pci ]; then
		fail readme-driverctl-set "'$line' exited $st, driver ${drv:-none}, saved '${saved}'; want 0, vfio-pci, vfio-pci"
	else
		pass readme-driverctl-set
	fi
fi
if ! run_dctl unset-override; then
	fail readme-driverctl-unset "no 'driverctl unset-override' line in the README"
else
	ovr=$(cat "/sys/bus/pci/devices/$BDF/driver_override")
	if [ "$st" -ne 0 ] || [ "$drv" != pci-stub ] || [ "$ovr" != "(null)" ] ||
		[ -e "/etc/driverctl.d/pci-$BDF" ]; then
		fail readme-driverctl-unset "'$line' exited $st, driver ${drv:-none}, driver_override '$ovr'; want 0, pci-stub, (null), nothing saved"
	else
		pass readme-driverctl-unset
	fi
fi
revere-vfio-bind "$BDF" >"$OUT" 2>&1 || cat "$OUT"

# --list finds edu through sysfs alone: bound to vfio-pci, its group and
# group file, which root can open, and no device file (this kernel has no
# iommufd).
list_check edu-list "$BDF  $EDU_ID, driver vfio-pci, group ${GROUP##*/}, $GROUP_DEV (root:root 0600, this user can open it), no device file: no iommufd: " \
	'^IOMMU: on, '

# Root: every check of edu-test.
faults=$(dmar_faults)
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
if wait_until "$WAIT_S" new_dmar_fault; then
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

# --device alone: the demo finds edu's group in sysfs, then refuses edu by
# its IDs before any VFIO call, naming the group it found.
revere-vfio-demo --device "${BDF#0000:}" >"$OUT" 2>&1
st=$?
cat "$OUT"
want="$BDF is PCI device $EDU_ID (class 00ff00, bound to vfio-pci, IOMMU group ${GROUP##*/}), not a Revere-AMU PF ($REVERE_ID)"
if [ "$st" -ne 1 ]; then
	fail demo-device-alone-refuses-edu "revere-vfio-demo --device ${BDF#0000:} exited $st, want 1"
elif ! grep -qF "$want" "$OUT"; then
	fail demo-device-alone-refuses-edu "no '$want'"
else
	pass demo-device-alone-refuses-edu
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

edu_request_unbind edu-request-unbind "$GROUP_DEV"

# The end: without pci-stub's dynamic ID nothing else claims edu, so
# --unbind leaves it with no driver and no override.
echo "${EDU_ID%:*} ${EDU_ID#*:}" >/sys/bus/pci/drivers/pci-stub/remove_id
revere-vfio-bind --unbind "$BDF" >"$OUT" 2>&1
st=$?
cat "$OUT"
drv=$(driver_of "$BDF")
ovr=$(cat "/sys/bus/pci/devices/$BDF/driver_override")
if [ "$st" -ne 0 ] || [ -n "$drv" ] || [ "$ovr" != "(null)" ]; then
	fail edu-unbind "revere-vfio-bind --unbind exited $st, driver '${drv}', driver_override '$ovr'; want 0, none, (null)"
else
	pass edu-unbind
fi
exit 0
