#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# /init of the rig's initramfs (see tests/kernel/README): load the VFIO
# modules, check the IOMMU is on, run /tests/NN-*.sh in order, print
# RIG-DONE and power off. Everything goes to the serial console, where
# rig.sh reads the RIG-RESULT lines.

/bin/busybox --install -s /bin
export PATH=/usr/bin:/usr/sbin:/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp

result() { echo "RIG-RESULT: $*"; }

echo "rig: kernel $(uname -r), cmdline: $(cat /proc/cmdline)"

# The VFIO modules, dependencies first (the order rig.sh computed).
failed=
while read -r ko; do
	if ! insmod "$ko"; then
		failed="$failed ${ko##*/}"
	fi
done </etc/rig-modules
if [ -z "$failed" ]; then
	result "rig-modules PASS"
else
	result "rig-modules FAIL insmod failed:$failed"
fi
lsmod

# The IOMMU must really translate: DMAR units registered and enabled, and
# interrupt remapping on (without it vfio refuses MSI unless the unsafe
# allow_unsafe_interrupts option is set).
dmesg | grep -E 'DMAR|IOMMU|remapping' | head -n 20
units=
for u in /sys/class/iommu/dmar*; do
	[ -e "$u" ] && units="$units ${u##*/}"
done
if [ -z "$units" ]; then
	result "rig-iommu FAIL no DMAR unit in /sys/class/iommu"
elif ! dmesg | grep -q 'DMAR: IOMMU enabled'; then
	result "rig-iommu FAIL no 'DMAR: IOMMU enabled' in the kernel log"
elif ! dmesg | grep -q 'Enabled IRQ remapping'; then
	result "rig-iommu FAIL interrupt remapping is not enabled"
else
	result "rig-iommu PASS"
	echo "rig: IOMMU units:$units"
fi

# From here on kernel messages stay out of the console, where they could
# land in the middle of a result line; the log is printed at the end.
dmesg -n 1

timeout_s=$(cat /etc/rig-script-timeout 2>/dev/null || echo 120)
for t in /tests/[0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	name=${t##*/}
	echo "rig: running $name"
	timeout "$timeout_s" /bin/sh "$t"
	st=$?
	if [ "$st" -ne 0 ]; then
		result "${name%.sh} FAIL exited with status $st"
	fi
done

echo "rig: kernel log:"
dmesg | sed 's/^/kmsg: /'
sync
echo "RIG-DONE"
poweroff -f
