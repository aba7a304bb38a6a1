#!/bin/sh
# The pre-flight (--device without --sim), --check and --list on fake
# system trees (tests/sysroot_lib.sh): every outcome gives exit 1 and one
# line naming the state and what to do; a ready device passes --check.
. "${srcdir:-.}/tests/demo_lib.sh"
. "${srcdir:-.}/tests/sysroot_lib.sh"

BDF=0000:01:00.0
PF_BIND="revere-vfio-bind $BDF"

one_line() { test "$(wc -l <"$tmp/err")" = 1; }

# refused DESC TEXT ARGS...: exit 1, one error line holding TEXT.
refused() {
	desc=$1; want=$2; shift 2
	sys "$@"
	expect_status "$desc" 1
	expect "$desc: one line" one_line
	expect "$desc: says '$want'" grep -qF -- "$want" "$tmp/err"
}
# refused_x DESC LINE ARGS...: exit 1, the error line exactly LINE.
refused_x() {
	desc=$1; want=$2; shift 2
	sys "$@"
	expect_status "$desc" 1
	expect "$desc: says exactly '$want'" \
		test "$(cat "$tmp/err")" = "revere-vfio-demo: $want"
}

# ---- the device ----
mkroot
pci 0000:00:05.0 13b5 ff81
refused "no such device" "no PCI device $BDF (no /sys/bus/pci/devices/$BDF); Revere-AMU PFs (13b5:ff81) on this host: 0000:00:05.0" --device $BDF
mkroot
refused "no such device, no PF" "Revere-AMU PFs (13b5:ff81) on this host: none" --device 01:00.0
refused "no such mdev" "no mdev 12345678-1234-1234-1234-123456789abc (no /sys/bus/mdev/devices/12345678-1234-1234-1234-123456789abc); mdevs on this host: none" --device 12345678-1234-1234-1234-123456789ABC

# A new user's report: a virtio NIC, no IOMMU; every typo of the
# address names the same device or is a usage error.
mkroot
pci $BDF 1af4 1041 virtio-pci
netdev $BDF ens3
want="$BDF is PCI device 1af4:1041 (class 120000, bound to virtio-pci, no IOMMU group, network interface ens3), not a Revere-AMU PF (13b5:ff81); pass a Revere PF: on this host none"
refused "virtio NIC" "$want" --device $BDF
refused "virtio NIC, short form" "$want" --device 01:00.0
refused "virtio NIC, upper case" "$want" --device 0000:01:00.0 --vfio-group /dev/vfio/2
refused "virtio NIC, --vfio-group 2" "$want" --device 01:00.0 --vfio-group 2

# virtio-net's interface is one level down (BDF/virtio2/net/eth0): named
# all the same, as revere-vfio-bind names it.
mkroot
pci $BDF 1af4 1041 virtio-pci
netdev $BDF eth0 virtio2
refused "virtio NIC, interface under virtio2" "$BDF is PCI device 1af4:1041 (class 120000, bound to virtio-pci, no IOMMU group, network interface eth0), not a Revere-AMU PF" --device $BDF

# Another device with a group: refused by its IDs, its group named.
mkroot
vfio_loaded
pci $BDF 1234 11e8 vfio-pci 4
group_file 4
refused "edu" "$BDF is PCI device 1234:11e8 (class 120000, bound to vfio-pci, IOMMU group 4), not a Revere-AMU PF" --device 01:00.0

# ---- the IOMMU ----
mkroot
pci $BDF 13b5 ff81
refused "no IOMMU" "$BDF has no IOMMU group (0 groups in /sys/kernel/iommu_groups): the IOMMU is off or absent; enable it in the firmware (VT-d, AMD-Vi, or the SMMU on Arm) and on the kernel command line (intel_iommu=on or amd_iommu=on), then reboot; VFIO's no-IOMMU mode is not supported" --device $BDF
pci 0000:00:04.0 8086 1234 e1000e 3
refused "IOMMU on, device not covered" "the IOMMU is on but does not cover this device" --device $BDF

# ---- the IOMMU: where it comes from on this host ----
# A virtual machine's IOMMU is its hypervisor's to give: the firmware and
# the kernel command line alone cannot make one.
NO_GROUP="$BDF has no IOMMU group (0 groups in /sys/kernel/iommu_groups): the IOMMU is off or absent"
QEMU_VIOMMU='`-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on`'
VM_QEMU="this host is a virtual machine (QEMU), which has no IOMMU unless QEMU gives it one: start it with $QEMU_VIOMMU and boot it with intel_iommu=on"
mkroot
pci $BDF 13b5 ff81
vm QEMU
refused_x "no IOMMU, QEMU guest" "$NO_GROUP; $VM_QEMU; VFIO's no-IOMMU mode is not supported" --device $BDF
sys --list
expect "--list, no IOMMU, QEMU guest" grep -qxF "IOMMU: off or absent, no groups in /sys/kernel/iommu_groups; $VM_QEMU" "$tmp/out"
vm "VMware, Inc."
refused_x "no IOMMU, VMware guest" "$NO_GROUP; this host is a virtual machine (VMware, Inc.), which has no IOMMU unless its hypervisor gives it one: add a virtual IOMMU to it there and boot it with intel_iommu=on or amd_iommu=on; VFIO's no-IOMMU mode is not supported" --device $BDF
mkroot
pci $BDF 13b5 ff81
vm
refused_x "no IOMMU, a guest whose vendor cannot be read" "$NO_GROUP; this host is a virtual machine (the hypervisor flag in /proc/cpuinfo), which has no IOMMU unless its hypervisor gives it one: add a virtual IOMMU to it there (QEMU: $QEMU_VIOMMU) and boot it with intel_iommu=on or amd_iommu=on; VFIO's no-IOMMU mode is not supported" --device $BDF
# Bare metal: the firmware and the kernel command line, as before.
mkroot
pci $BDF 13b5 ff81
bare_metal
refused_x "no IOMMU, bare metal" "$NO_GROUP; enable it in the firmware (VT-d, AMD-Vi, or the SMMU on Arm) and on the kernel command line (intel_iommu=on or amd_iommu=on), then reboot; VFIO's no-IOMMU mode is not supported" --device $BDF
sys --list
expect "--list, no IOMMU, bare metal" grep -qxF "IOMMU: off or absent, no groups in /sys/kernel/iommu_groups (intel_iommu=on or amd_iommu=on, the SMMU on Arm)" "$tmp/out"

# ---- --vfio-group against sysfs ----
ready_pf
group_file 2
refused "--vfio-group mismatch" "--vfio-group /dev/vfio/2 is not the group of $BDF, which sysfs puts in IOMMU group 7 (/dev/vfio/7); pass --vfio-group /dev/vfio/7, or leave --vfio-group out" --device $BDF --vfio-group /dev/vfio/2
refused "--vfio-group a file that does not exist" "--vfio-group 7: No such file or directory; $BDF is in IOMMU group 7, whose file is /dev/vfio/7: pass --vfio-group /dev/vfio/7, or leave --vfio-group out" --device $BDF --vfio-group 7
refused "--vfio-group a missing group file" "--vfio-group /dev/vfio/9: No such file or directory;" --device $BDF --vfio-group /dev/vfio/9
mkdir -p "$root/dev/vfio/adir"
refused "--vfio-group a directory" "--vfio-group /dev/vfio/adir is not the group of" --device $BDF --vfio-group /dev/vfio/adir
sys --check --device $BDF --vfio-group /dev/vfio/7
expect_status "--vfio-group matching sysfs" 0

# ---- the driver, the modules ----
mkroot
vfio_loaded
pci $BDF 13b5 ff81 virtio-pci 7
refused "PF on another driver" "Revere-AMU PF $BDF is bound to virtio-pci, not vfio-pci; bind it to vfio-pci: \`$PF_BIND\`" --device $BDF
mkroot
vfio_loaded
pci $BDF 13b5 ff81 "" 7
refused "PF on no driver" "Revere-AMU PF $BDF is bound to no driver, not vfio-pci; bind it to vfio-pci: \`revere-vfio-bind $BDF\`" --device $BDF
mkroot
pci $BDF 13b5 ff81 virtio-pci 7
# revere-vfio-bind loads vfio-pci itself.
refused "PF on another driver, no vfio-pci" "not vfio-pci; bind it to vfio-pci: \`$PF_BIND\`" --device $BDF
# The PF's own interface, under virtio0, named where the bind would take it.
mkroot
vfio_loaded
pci $BDF 13b5 ff81 virtio-pci 7
netdev $BDF eth1 virtio0
refused "PF on virtio-pci with an interface" "Revere-AMU PF $BDF is bound to virtio-pci (network interface eth1), not vfio-pci; bind it to vfio-pci: \`$PF_BIND\`" --device $BDF
ready_pf
rm "$root/dev/vfio/vfio"
rmdir "$root/sys/module/vfio"
refused "vfio not loaded" "the vfio modules are not loaded: vfio (no /dev/vfio/vfio); \`modprobe vfio-pci\` and \`modprobe vfio_iommu_type1\`" --device $BDF
ready_pf
rmdir "$root/sys/module/vfio_iommu_type1"
refused "type1 not loaded" "the vfio modules are not loaded: vfio_iommu_type1 (no /sys/module/vfio_iommu_type1)" --device $BDF

# ---- the modules: what loads them on this host ----
MODPROBE="\`modprobe vfio-pci\` and \`modprobe vfio_iommu_type1\`"
NOMODULE="the kernel was booted with nomodule (/proc/cmdline), so no module can be loaded: remove nomodule from the kernel command line and reboot"
NO_TYPE1="the vfio modules are not loaded: vfio_iommu_type1 (no /sys/module/vfio_iommu_type1)"
NO_VFIO="the vfio modules are not loaded: vfio (no /dev/vfio/vfio)"
LIBMOD=/lib/modules/$KREL
# Installed, not loaded: modprobe it.
ready_pf
rmdir "$root/sys/module/vfio_iommu_type1"
modules_builtin
modules_dep vfio/vfio vfio/vfio_iommu_type1 vfio/pci/vfio-pci
refused_x "type1 installed, not loaded" "$NO_TYPE1; $MODPROBE" --device $BDF
# Booted with nomodule: modprobe cannot.
cmdline quiet nomodule
refused_x "type1 not loaded, nomodule" "$NO_TYPE1; $NOMODULE" --device $BDF
sys --list
expect "--list, nomodule" grep -qxF "vfio modules: vfio loaded, vfio_iommu_type1 not loaded, vfio-pci loaded, /dev/vfio/vfio present; the kernel was booted with nomodule (/proc/cmdline): no module can be loaded" "$tmp/out"
# A word that holds "nomodule" is not it.
cmdline quiet nomodules=1 module.nomodule
refused_x "type1 not loaded, no nomodule" "$NO_TYPE1; $MODPROBE" --device $BDF
ready_pf
rm "$root/dev/vfio/vfio"
rmdir "$root/sys/module/vfio"
cmdline nomodule
refused_x "vfio not loaded, nomodule" "$NO_VFIO; $NOMODULE" --device $BDF
# Neither built in nor installed: the kernel lacks it, nomodule or not.
ready_pf
rmdir "$root/sys/module/vfio_iommu_type1"
modules_builtin vfio/vfio
modules_dep vfio/pci/vfio-pci
cmdline nomodule
refused_x "type1 absent from the kernel" "$NO_TYPE1; kernel $KREL lacks CONFIG_VFIO_IOMMU_TYPE1: vfio_iommu_type1 is neither built in ($LIBMOD/modules.builtin) nor a module ($LIBMOD/modules.dep); boot a kernel built with CONFIG_VFIO_IOMMU_TYPE1" --device $BDF
sys --list
expect "--list, type1 absent, vfio built in" grep -qxF "vfio modules: vfio loaded, vfio_iommu_type1 not in this kernel (no CONFIG_VFIO_IOMMU_TYPE1), vfio-pci loaded, /dev/vfio/vfio present" "$tmp/out"
ready_pf
rm "$root/dev/vfio/vfio"
rmdir "$root/sys/module/vfio"
modules_builtin
modules_dep
refused_x "vfio absent from the kernel" "$NO_VFIO; kernel $KREL lacks CONFIG_VFIO: vfio is neither built in ($LIBMOD/modules.builtin) nor a module ($LIBMOD/modules.dep); boot a kernel built with CONFIG_VFIO" --device $BDF
# Built in (no /sys/module/vfio: it has no parameters), or loaded: no
# modprobe makes /dev/vfio/vfio, the kernel's configuration does.
ready_pf
rm "$root/dev/vfio/vfio"
rmdir "$root/sys/module/vfio" "$root/sys/module/vfio_iommu_type1"
modules_builtin vfio/vfio vfio/vfio_iommu_type1 vfio/pci/vfio-pci
modules_dep
refused_x "vfio built in, no /dev/vfio/vfio" "/dev/vfio/vfio does not exist although vfio is built in ($LIBMOD/modules.builtin): the kernel lacks CONFIG_VFIO_CONTAINER, or /dev is not a devtmpfs (\`ls -l /dev/vfio\`); boot a kernel with CONFIG_VFIO_CONTAINER, or use the device file: \`--iommu iommufd\`" --device $BDF
sys --list
expect "--list, vfio built in" grep -qxF "vfio modules: vfio built in, vfio_iommu_type1 built in, vfio-pci loaded, /dev/vfio/vfio missing" "$tmp/out"
: >"$root/dev/vfio/vfio"
sys --check --device $BDF
expect_status "--check, vfio and type1 built in" 0
ready_pf
rm "$root/dev/vfio/vfio"
refused_x "vfio loaded, no /dev/vfio/vfio" "/dev/vfio/vfio does not exist although module vfio is loaded (/sys/module/vfio): the kernel lacks CONFIG_VFIO_CONTAINER, or /dev is not a devtmpfs (\`ls -l /dev/vfio\`); boot a kernel with CONFIG_VFIO_CONTAINER, or use the device file: \`--iommu iommufd\`" --device $BDF
# iommufd's advice too: modprobe where it can load it.
ready_pf
cmdline nomodule
sys --check --device $BDF
expect "--check, nomodule: no modprobe iommufd" grep -qxF "$BDF: no device file: no iommufd: module iommufd not loaded (no /sys/module/iommufd, no /dev/iommu): $NOMODULE; iommufd: module iommufd not loaded, /dev/iommu missing" "$tmp/out"
cmdline
modules_builtin vfio/vfio
modules_dep vfio/vfio_iommu_type1 vfio/pci/vfio-pci
refused_x "--iommu iommufd, iommufd absent from the kernel" "$BDF has no VFIO device file (no vfio-dev/vfioN/dev in its sysfs directory): no iommufd: module iommufd not loaded (no /sys/module/iommufd, no /dev/iommu): kernel $KREL lacks CONFIG_IOMMUFD: iommufd is neither built in ($LIBMOD/modules.builtin) nor a module ($LIBMOD/modules.dep); boot a kernel built with CONFIG_IOMMUFD; or use the group file with --iommu type1" --device $BDF --iommu iommufd

# ---- the group file ----
ready_pf
rm "$root/dev/vfio/7"
refused "group file missing" "$BDF is bound to vfio-pci in IOMMU group 7 but /dev/vfio/7 does not exist; check that /dev is a devtmpfs" --device $BDF
ready_pf
chmod 000 "$root/dev/vfio/7"
if [ "$(id -u)" = 0 ]; then
	# Root opens anything: the check runs as nobody, who must reach the tree.
	chmod 755 "$tmp"
	(ulimit -l 1024 && REVERE_SYSROOT=$root exec setpriv --reuid=65534 \
		--regid=65534 --clear-groups "$DEMO" --check --device $BDF) \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	expect_status "group file not accessible" 1
	expect "group file not accessible: owner, mode, chown" grep -qF \
		"/dev/vfio/7 (root:root 0000) cannot be opened for reading and writing by this user (" "$tmp/err"
	expect "group file not accessible: what to do" grep -q \
		"uid 65534): Permission denied; run as root, or give it to \([^:]*\): \`sudo revere-vfio-bind --user \1 $BDF\` (or \`chown \1 /dev/vfio/7\` until the next bind)" "$tmp/err"
else
	refused "group file not accessible" "cannot be opened for reading and writing by this user" --device $BDF
	expect "group file not accessible: revere-vfio-bind --user" grep -qF "\`sudo revere-vfio-bind --user $(id -un) $BDF\` (or \`chown $(id -un) /dev/vfio/7\` until the next bind)" "$tmp/err"
fi

# ---- the group's other devices ----
ready_pf
pci 0000:01:00.1 8086 10d3 e1000e
in_group sys/devices/pci0000:00/0000:01:00.1 0000:01:00.1 7
pci 0000:01:00.2 8086 2922 ahci
in_group sys/devices/pci0000:00/0000:01:00.2 0000:01:00.2 7
pci 0000:01:00.3 8086 2930 pci-stub
in_group sys/devices/pci0000:00/0000:01:00.3 0000:01:00.3 7
refused "group not viable" "IOMMU group 7 of $BDF is not viable: 0000:01:00.1 (8086:10d3) bound to e1000e, 0000:01:00.2 (8086:2922) bound to ahci; every device of the group must be bound to vfio-pci or to no driver: unbind them or bind them to vfio-pci too (see /sys/kernel/iommu_groups/7/devices)" --device $BDF
expect "group not viable: pci-stub is fine" sh -c "! grep -q 0000:01:00.3 '$tmp/err'"

# ---- the locked-memory limit: both numbers, and the line that fixes it ----
ready_pf
MEMLOCK_KIB=64 refused "locked-memory limit" "the locked-memory limit is 64 KiB and a run pins 320 KiB of DMA buffers; raise it to 320 KiB: \`ulimit -l 320\`, or for good in /etc/security/limits.conf: \`USER - memlock 320\` (or run as root)" --device $BDF
MEMLOCK_KIB=320 sys --check --device $BDF
expect_status "locked-memory limit of exactly 320 KiB" 0
printf 'CapEff:\t0000000000004000\n' >"$root/proc/self/status"
MEMLOCK_KIB=64 sys --check --device $BDF
expect_status "locked-memory limit with CAP_IPC_LOCK" 0

# ---- --check on a ready device, and on an mdev ----
ready_pf
sys --check --device 01:00.0
expect_status "--check, ready PF" 0
expect "--check, ready PF: says so" grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7 (/dev/vfio/7, this user can open it), locked-memory limit 1024 KiB for 320 KiB" "$tmp/out"
expect "--check, ready PF: nothing on stderr" test ! -s "$tmp/err"
expect "--check, ready PF: the device file and /dev/iommu" grep -qxF "$BDF: no device file: no iommufd: module iommufd not loaded (no /sys/module/iommufd, no /dev/iommu): \`modprobe iommufd\`, or a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV; iommufd: module iommufd not loaded, /dev/iommu missing" "$tmp/out"
vfio_cdev $BDF 3
iommufd_loaded
sys --check --device 01:00.0
expect "--check, ready PF with iommufd" grep -qxF "$BDF: device file /dev/vfio/devices/vfio3 (root:root 0600, this user can open it); iommufd: module iommufd loaded, /dev/iommu (root:root 0660, this user can open it)" "$tmp/out"

# ---- the interface: auto takes the device file where it can be used ----
expect "--check, auto takes iommufd" grep -qxF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7, iommufd (/dev/vfio/devices/vfio3 and /dev/iommu, this user can open them), locked-memory limit 1024 KiB for 320 KiB" "$tmp/out"
sys --check --device 01:00.0 --iommu type1
expect_status "--check --iommu type1" 0
expect "--check --iommu type1: the group file" grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7 (/dev/vfio/7, this user can open it)" "$tmp/out"
sys --check --device 01:00.0 --vfio-group /dev/vfio/7
expect_status "--check --vfio-group" 0
expect "--check --vfio-group: type1" grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7 (/dev/vfio/7, this user can open it)" "$tmp/out"
sys --check --device 01:00.0 --vfio-group /dev/vfio/7 --iommu iommufd
expect_status "--vfio-group with --iommu iommufd" 2
expect "--vfio-group with --iommu iommufd: why" grep -qF "revere-vfio-demo: --vfio-group: cannot be used with --iommu iommufd, which opens the device file (/dev/vfio/devices/vfioN) instead; see \`revere-vfio-demo --help\`" "$tmp/err"
sys --check --device 01:00.0 --iommu iommufd
expect_status "--check --iommu iommufd" 0
ready_pf
refused "--iommu iommufd, no device file" "$BDF has no VFIO device file (no vfio-dev/vfioN/dev in its sysfs directory): no iommufd: module iommufd not loaded (no /sys/module/iommufd, no /dev/iommu): \`modprobe iommufd\`, or a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV; or use the group file with --iommu type1" --device $BDF --iommu iommufd
sys --check --device $BDF
expect "no device file: auto takes type1" grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7 (/dev/vfio/7, this user can open it)" "$tmp/out"
vfio_cdev $BDF 3
refused "--iommu iommufd, no /dev/iommu" "/dev/iommu does not exist although /dev/vfio/devices/vfio3 does" --device $BDF --iommu iommufd

# Non-root through the device file: a user given the device file and
# /dev/iommu runs without the group file; one given only the group file
# gets type1; asking for iommufd without its files names the chown.
nobody() {
	(ulimit -l 1024 && REVERE_SYSROOT=$root exec setpriv --reuid=65534 \
		--regid=65534 --clear-groups "$DEMO" "$@") \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$tmp"
	ready_pf
	vfio_cdev $BDF 3
	iommufd_loaded
	chown 65534 "$root/dev/vfio/devices/vfio3" "$root/dev/iommu"
	nobody --check --device $BDF
	expect_status "non-root, device file and /dev/iommu given" 0
	expect "non-root: auto takes iommufd, the group file not needed" \
		grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7, iommufd (/dev/vfio/devices/vfio3 and /dev/iommu, this user can open them)" "$tmp/out"
	nobody --check --device $BDF --iommu type1
	expect_status "non-root, --iommu type1 without the group file" 1
	expect "non-root, --iommu type1: the group file by revere-vfio-bind --user" \
		grep -q "/dev/vfio/7 (root:root 0600) cannot be opened .*\`sudo revere-vfio-bind --user .* $BDF\`" "$tmp/err"
	chown 0 "$root/dev/vfio/devices/vfio3"
	chown 65534 "$root/dev/vfio/7"
	nobody --check --device $BDF
	expect "non-root, only the group file given: auto takes type1" \
		grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7 (/dev/vfio/7, this user can open it)" "$tmp/out"
	nobody --check --device $BDF --iommu iommufd
	expect_status "non-root, --iommu iommufd without the device file" 1
	expect "non-root, --iommu iommufd: the device file's chown" \
		grep -q "/dev/vfio/devices/vfio3 (root:root 0600) cannot be opened for reading and writing by this user (.*uid 65534): Permission denied; run as root, or give it to .*: \`chown .* /dev/vfio/devices/vfio3\`" "$tmp/err"
else
	ok "# SKIP non-root through the device file: chown needs root"
fi
UUID=f1f2f3f4-0000-4000-8000-000000000001
mdev $UUID vfio_mdev 9
group_file 9
sys --check --device $UUID
expect_status "--check, ready mdev" 0
expect "--check, ready mdev: names its type" grep -qF "$UUID: ready: mdev revere_mdev-revere-pf, driver vfio_mdev, IOMMU group 9 (/dev/vfio/9" "$tmp/out"
rm "$root/dev/vfio/9"
refused "mdev group file missing" "mdev $UUID is in IOMMU group 9 but /dev/vfio/9 does not exist" --device $UUID

# --check never touches VFIO: a ready device on a fake tree checks out
# although /dev/vfio/7 here is a plain file. A run goes on to VFIO.
ready_pf
sys --device $BDF
expect_status "a run after the pre-flight reaches VFIO" 1
expect "a run after the pre-flight opens the real /dev/vfio/vfio" grep -q "/dev/vfio/vfio" "$tmp/err"

# ---- --list ----
mkroot
vfio_loaded
pci 0000:00:02.0 8086 1234 e1000e 2
pci $BDF 13b5 ff81 vfio-pci 7
group_file 7
vfio_cdev $BDF 3
iommufd_loaded
pci 0000:00:04.0 13b5 ff81 virtio-pci 8
pci 0000:00:05.0 1234 11e8 vfio-pci 4
netdev 0000:00:04.0 eth1 virtio1
mdev $UUID vfio_mdev 9
group_file 9
chmod 644 "$root/dev/vfio/9"
sys --list
expect_status "--list" 0
expect "--list: nothing on stderr" test ! -s "$tmp/err"
expect "--list: the ready PF" grep -qxF "$BDF  13b5:ff81 Revere-AMU PF, driver vfio-pci, group 7, /dev/vfio/7 (root:root 0600, this user can open it), device file /dev/vfio/devices/vfio3 (root:root 0600, this user can open it)" "$tmp/out"
expect "--list: the PF on another driver" grep -qxF "0000:00:04.0  13b5:ff81 Revere-AMU PF, driver virtio-pci, network interface eth1, group 8, /dev/vfio/8 missing, no device file: no VFIO driver holds it (driver virtio-pci)" "$tmp/out"
expect "--list: the vfio-pci device" grep -qxF "0000:00:05.0  1234:11e8, driver vfio-pci, group 4, /dev/vfio/4 missing, no device file: the kernel lacks CONFIG_VFIO_DEVICE_CDEV (no vfio-dev/vfioN/dev under the device's sysfs directory)" "$tmp/out"
expect "--list: the mdev" grep -qxF "$UUID  mdev type revere_mdev-revere-pf, driver vfio_mdev, group 9, /dev/vfio/9 (root:root 0644, this user can open it), no device file: the kernel lacks CONFIG_VFIO_DEVICE_CDEV (no vfio-dev/vfioN/dev under the device's sysfs directory)" "$tmp/out"
expect "--list: not the NIC" sh -c "! grep -q 0000:00:02.0 '$tmp/out'"
expect "--list: the IOMMU" grep -qxF "IOMMU: on, 5 groups in /sys/kernel/iommu_groups" "$tmp/out"
expect "--list: the modules" grep -qxF "vfio modules: vfio loaded, vfio_iommu_type1 loaded, vfio-pci loaded, /dev/vfio/vfio present" "$tmp/out"
expect "--list: iommufd" grep -qxF "iommufd: module iommufd loaded, /dev/iommu (root:root 0660, this user can open it)" "$tmp/out"
expect "--list: the limit" grep -qxF "locked memory: limit 1024 KiB, a run pins 320 KiB: enough" "$tmp/out"
MEMLOCK_KIB=100 sys --list
expect "--list: a limit too low, and the fix" grep -qxF "locked memory: limit 100 KiB, a run pins 320 KiB: too low: \`ulimit -l 320\`" "$tmp/out"
cp "$root/proc/self/status" "$tmp/status"
printf 'CapEff:\t0000000000004000\n' >"$root/proc/self/status"
MEMLOCK_KIB=100 sys --list
expect "--list: a limit CAP_IPC_LOCK lifts, said so" grep -qxF "locked memory: limit 100 KiB, a run pins 320 KiB: this user has CAP_IPC_LOCK, so the limit does not apply" "$tmp/out"
cp "$tmp/status" "$root/proc/self/status"
mkroot
sys --list
expect_status "--list, empty system" 0
expect "--list, empty system: no device" grep -qxF "none" "$tmp/out"
expect "--list, empty system: IOMMU off" grep -qF "IOMMU: off or absent" "$tmp/out"
expect "--list, empty system: modules" grep -qxF "vfio modules: vfio not loaded, vfio_iommu_type1 not loaded, vfio-pci not loaded, /dev/vfio/vfio missing" "$tmp/out"
expect "--list, empty system: no iommufd" grep -qxF "iommufd: module iommufd not loaded, /dev/iommu missing" "$tmp/out"

# ---- --list: the device file and /dev/iommu ----
# No iommufd: the device file's absence says so.
ready_pf
sys --list
expect "--list, no iommufd: why no device file" grep -qxF "$BDF  13b5:ff81 Revere-AMU PF, driver vfio-pci, group 7, /dev/vfio/7 (root:root 0600, this user can open it), no device file: no iommufd: module iommufd not loaded (no /sys/module/iommufd, no /dev/iommu): \`modprobe iommufd\`, or a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV" "$tmp/out"
# The device file listed but absent from /dev.
vfio_cdev $BDF 3
rm "$root/dev/vfio/devices/vfio3"
iommufd_loaded 600
sys --list
expect "--list, device file missing in /dev" grep -qF "/dev/vfio/7 (root:root 0600, this user can open it), device file /dev/vfio/devices/vfio3 missing" "$tmp/out"
expect "--list, /dev/iommu 0600" grep -qxF "iommufd: module iommufd loaded, /dev/iommu (root:root 0600, this user can open it)" "$tmp/out"
# Root's files, 0600, seen by a user who cannot open them.
vfio_cdev $BDF 3
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$tmp"
	REVERE_SYSROOT=$root setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$DEMO" --list >"$tmp/out" 2>"$tmp/err" </dev/null
	expect "--list as a user: the device file closed" grep -qF "/dev/vfio/7 (root:root 0600, this user cannot open it), device file /dev/vfio/devices/vfio3 (root:root 0600, this user cannot open it)" "$tmp/out"
	expect "--list as a user: /dev/iommu closed" grep -qxF "iommufd: module iommufd loaded, /dev/iommu (root:root 0600, this user cannot open it)" "$tmp/out"
fi
# iommufd built in: /dev/iommu without /sys/module/iommufd.
rmdir "$root/sys/module/iommufd"
sys --list
expect "--list, iommufd built in" grep -qxF "iommufd: built in (no /sys/module/iommufd), /dev/iommu (root:root 0600, this user can open it)" "$tmp/out"
# iommufd loaded, a VFIO driver, no vfio-dev/: the kernel's configuration.
ready_pf
iommufd_loaded
sys --list
expect "--list, no device cdev support" grep -qF "/dev/vfio/7 (root:root 0600, this user can open it), no device file: the kernel lacks CONFIG_VFIO_DEVICE_CDEV" "$tmp/out"

# ---- names from sysfs reach the terminal escaped ----
# An interface name that clears the screen, a driver that sets the title,
# one with a C1 control (CSI) and a backslash.
mkroot
vfio_loaded
pci $BDF 13b5 ff81 "$(printf 'evil\033]0;x\a')" 7
netdev $BDF "$(printf 'eth\033[2J0')"
pci 0000:00:04.0 1af4 1041 virtio-pci 8
netdev 0000:00:04.0 "$(printf 'ens\2334\\')"
sys --list
expect_status "--list, hostile names" 0
expect "--list, hostile names: escaped" grep -qxF "$BDF  13b5:ff81 Revere-AMU PF, driver evil\x1b]0;x\x07, network interface eth\x1b[2J0, group 7, /dev/vfio/7 missing, no device file: no VFIO driver holds it (driver evil\x1b]0;x\x07)" "$tmp/out"
expect "--list, hostile names: nothing raw" raw_free
refused "not a PF, hostile interface" "0000:00:04.0 is PCI device 1af4:1041 (class 120000, bound to virtio-pci, IOMMU group 8, network interface ens\x9b4\x5c)" --device 0000:00:04.0
expect "not a PF, hostile interface: nothing raw" raw_free
refused "PF on a hostile driver" "Revere-AMU PF $BDF is bound to evil\x1b]0;x\x07 (network interface eth\x1b[2J0), not vfio-pci" --device $BDF
expect "PF on a hostile driver: nothing raw" raw_free

# ---- a long REVERE_SYSROOT: read whole, or refused; never cut short ----
# padded LEN: $root with "/." appended up to LEN bytes, the same directory.
padded() {
	p=$root
	while [ ${#p} -lt "$1" ]; do p=$p/.; done
	echo "$p"
}
ready_pf
netdev $BDF eth0
short=$root
root=$(padded 573)
sys --check --device $BDF
expect_status "--check, 573-byte root" 0
expect "--check, 573-byte root: the right files" grep -qF "$BDF: ready: Revere-AMU PF, driver vfio-pci, IOMMU group 7" "$tmp/out"
long=$(padded 4090)
root=$long
refused "--check, root near PATH_MAX" "revere-vfio-demo: reading /sys/bus/pci/devices/$BDF: File name too long; REVERE_SYSROOT is" --device $BDF
expect "--check, root near PATH_MAX: what to do" grep -qF "exceed PATH_MAX (4096 bytes): use a shorter one" "$tmp/err"
sys --list
expect_status "--list, root near PATH_MAX" 1
expect "--list, root near PATH_MAX: says so" grep -qxF "revere-vfio-demo: --list: reading /sys/bus/pci/devices/: File name too long; REVERE_SYSROOT is ${#long} bytes long and the paths under it exceed PATH_MAX (4096 bytes): use a shorter one" "$tmp/err"
root=$short

# --sim skips the pre-flight: an empty tree does not stop it.
REVERE_SYSROOT=$root run_demo "" --packets 2
expect_status "--sim on an empty system" 0

finish
