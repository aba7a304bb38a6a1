#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# /init of the rig's initramfs (see tests/kernel/README): load the VFIO
# modules with the README's modprobe commands, check the IOMMU is on, run
# /tests/NN-*.sh in order, print RIG-DONE and power off. Everything goes to
# the serial console, where rig.sh reads the RIG-RESULT lines.

/bin/busybox --install -s /bin
export PATH=/usr/bin:/usr/sbin:/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp

result() { echo "RIG-RESULT: $*"; }

echo "rig: kernel $(uname -r), cmdline: $(cat /proc/cmdline)"

# The project README's "Run" section loads vfio with two commands:
#   modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
#   modprobe vfio-pci ids=13b5:ff81
# rig.sh copied them, word for word, from the README into
# /etc/rig-readme-modprobe. They run first, as a user would run them, so
# that the README stays true. busybox modprobe reads
# /lib/modules/$(uname -r)/modules.dep (rig.sh made one for what the
# initramfs carries), loads the dependencies first and gives the
# parameters to the named module only.

# Prints what is wrong once the README's commands ran, or nothing.
readme_modprobe_effects() {
	param=/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
	unsafe=$(cat "$param" 2>/dev/null)
	if [ "$unsafe" != Y ]; then
		echo "vfio_iommu_type1 allow_unsafe_interrupts is '$unsafe', want Y"
	elif [ ! -d /sys/bus/pci/drivers/vfio-pci ]; then
		echo "no /sys/bus/pci/drivers/vfio-pci"
	elif ! dmesg | grep -q 'vfio_pci: add \[13b5:ff81\['; then
		# vfio_pci_fill_ids() logs each ID of its ids= parameter.
		echo "vfio-pci did not add the dynamic ID 13b5:ff81 of ids="
	fi
}

# The README's commands are for Debian's kernel: rig.sh gives them to that
# kernel only (the iommufd kernel has VFIO built in).
readme_modprobe() {
	why=
	n=0
	while read -r cmd; do
		n=$((n + 1))
		echo "rig: # $cmd"
		st=0
		/bin/sh -c "$cmd" </dev/null || st=$?
		[ "$st" -eq 0 ] || why="${why:+$why; }'$cmd' exited $st"
	done </etc/rig-readme-modprobe
	if [ "$n" -eq 0 ]; then
		why="no '#  modprobe' line in the project README"
	elif [ -z "$why" ]; then
		why=$(readme_modprobe_effects)
	fi
	if [ -z "$why" ]; then
		result "readme-modprobe PASS"
	else
		result "readme-modprobe FAIL $why"
	fi
}
[ -f /etc/rig-readme-modprobe ] && readme_modprobe

# Every module the rig carries (/etc/rig-modules, dependencies first) must
# be loaded now: those the README's commands do not pull in (mdev,
# pci-stub) with insmod, and any other the commands failed to load, so that
# the later checks still run.
modname() { basename "$1" .ko | tr - _; }
loaded() { grep -q "^$1 " /proc/modules; }
failed=
while read -r ko; do
	loaded "$(modname "$ko")" && continue
	echo "rig: insmod $ko"
	insmod "$ko" || failed="$failed ${ko##*/}"
done </etc/rig-modules
missing=
while read -r ko; do
	loaded "$(modname "$ko")" || missing="$missing $(modname "$ko")"
done </etc/rig-modules
if [ -n "$failed" ]; then
	result "rig-modules FAIL insmod failed:$failed"
elif [ -n "$missing" ]; then
	result "rig-modules FAIL not in /proc/modules:$missing"
else
	result "rig-modules PASS"
fi
lsmod

# The IOMMU must really translate: DMAR units registered and enabled, and
# interrupt remapping on. Without remapping, vfio_iommu_type1 refuses to
# attach a group unless allow_unsafe_interrupts is set, as the README's
# command sets it: so this check, not vfio working, is what proves that
# remapping is on.
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

timeout_s=$(cat /etc/rig-script-timeout 2>/dev/null || echo 600)
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
