#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC3045 # the guest's sh is busybox ash: ulimit -l
#
# edu on the iommufd kernel, through the project's vfio.c (edu-test) with
# each of its IOMMU backends: type1 (the group file /dev/vfio/N) and
# iommufd (the device file /dev/vfio/devices/vfioN bound to /dev/iommu).
# For each, as 10-edu.sh does on Debian's kernel: every check of
# edu-test as root, the DMAR fault its dma-blocked check causes, edu-test
# as an unprivileged user given the files it needs, and the device request
# when edu is unbound while held. Checks are named after the backend.
#
# RIG-KERNELS: iommufd
# RIG-EXPECT: iommufd-dev edu-found edu-bind edu-list
# RIG-EXPECT: type1-edu-root type1-edu-dmar-fault type1-edu-nonroot
# RIG-EXPECT: type1-edu-request-unbind
# RIG-EXPECT: iommufd-edu-root iommufd-edu-dmar-fault iommufd-edu-nonroot
# RIG-EXPECT: iommufd-edu-request-unbind

# shellcheck source=tests/kernel/guest/lib.sh
. /tests/lib.sh

OUT=/tmp/25-edu.out

# edu_backend IOMMU PATH FILES...: the checks of one backend; edu-test
# opens PATH, and a user needs FILES to.
edu_backend() {
	iommu=$1 path=$2
	shift 2
	faults=$(dmar_faults)
	edu-test --iommu "$iommu" "$path" "$BDF" >"$OUT" 2>&1
	st=$?
	cat "$OUT"
	if [ "$st" -eq 0 ]; then
		pass "$iommu-edu-root"
	else
		fail "$iommu-edu-root" "edu-test --iommu $iommu exited $st: $(first_fail)"
	fi
	# The IOMMU itself refused the write to the unmapped IOVA.
	if wait_until "$WAIT_S" new_dmar_fault; then
		pass "$iommu-edu-dmar-fault"
	else
		fail "$iommu-edu-dmar-fault" "no new DMAR write fault at IOVA 0x200000 from $BDF in the kernel log"
	fi

	# Given the files (as a udev rule or chown would) and a memlock limit
	# for the pinned DMA buffers (64 MiB, in KiB), as 10-edu.sh does.
	chown rig:rig "$@"
	(ulimit -l 65536 &&
		run_as rig "edu-test --iommu $iommu $path $BDF") >"$OUT" 2>&1
	st=$?
	cat "$OUT"
	chown root:root "$@"
	if [ "$st" -eq 0 ] && grep -q "uid 1000" "$OUT"; then
		pass "$iommu-edu-nonroot"
	else
		fail "$iommu-edu-nonroot" "edu-test --iommu $iommu as rig exited $st: $(first_fail)"
	fi

	edu_request_unbind "$iommu-edu-request-unbind" "$path" --iommu "$iommu"
}

# /dev/vfio/devices/ appears with the first device bound to a VFIO
# driver: edu-bind checks edu's device file there.
if [ -c /dev/iommu ]; then
	pass iommufd-dev
else
	fail iommufd-dev "no /dev/iommu: is CONFIG_IOMMUFD set?"
fi

if ! BDF=$(find_edu); then
	fail edu-found "no PCI device $EDU_ID (is -device edu on the QEMU command line?)"
	exit 0
fi
pass edu-found

# No driver of this kernel claims edu: vfio-pci gets it through
# driver_override and drivers_probe (ABI sysfs-bus-pci).
echo vfio-pci >"/sys/bus/pci/devices/$BDF/driver_override"
echo "$BDF" >/sys/bus/pci/drivers_probe
GROUP_DEV=/dev/vfio/$(basename "$(readlink "/sys/bus/pci/devices/$BDF/iommu_group")")
DEV_FILE=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$BDF/vfio-dev" 2>/dev/null)
drv=$(driver_of "$BDF")
if [ "$drv" != vfio-pci ]; then
	fail edu-bind "$BDF is bound to '$drv', want vfio-pci"
	exit 0
elif [ ! -c "$GROUP_DEV" ] || [ ! -c "$DEV_FILE" ]; then
	fail edu-bind "no group file $GROUP_DEV or device file $DEV_FILE for $BDF"
	exit 0
fi
pass edu-bind
echo "edu: $BDF, group file $GROUP_DEV, device file $DEV_FILE"

# --list names both files of edu, and /dev/iommu.
list_check edu-list "$BDF  $EDU_ID, driver vfio-pci, group ${GROUP_DEV##*/}, $GROUP_DEV (root:root 0600, this user can open it), device file $DEV_FILE (root:root 0600, this user can open it)" \
	'^iommufd: .*, /dev/iommu (.*, this user can open it)$'

edu_backend type1 "$GROUP_DEV" "$GROUP_DEV"
edu_backend iommufd "$DEV_FILE" "$DEV_FILE" /dev/iommu
exit 0
