#!/bin/sh
# revere-vfio-bind on fake system trees (tests/sysroot_lib.sh). A fake tree
# has no kernel behind it: the writes of a bind land in plain files and
# no driver link moves. So these checks look at which files were written
# and with what (the README's three writes, in order), at the refusals,
# which must write nothing, at --dry-run (nothing written) and at a device
# already bound (nothing written: running twice is harmless).
. "${srcdir:-.}/tests/demo_lib.sh"
. "${srcdir:-.}/tests/sysroot_lib.sh"
: "${BIND:?BIND must name the revere-vfio-bind binary}"

BDF=0000:01:00.0
DEV=$root/sys/devices/pci0000:00/$BDF

# The files the kernel provides for the writes (empty until written).
kernel_files() {
	: >"$root/sys/bus/pci/drivers_probe"
	for d in "$root"/sys/bus/pci/drivers/*/; do
		[ -d "$d" ] && [ ! -e "$d/unbind" ] && : >"$d/unbind"
	done
	return 0
}
# bind ARGS...: the tool on the fake root; sets $status.
bind() {
	kernel_files
	REVERE_SYSROOT=$root "$BIND" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}
said() { grep -qxF -- "$1" "$tmp/out"; }
err_says() { grep -qF -- "$1" "$tmp/err" && [ "$(wc -l <"$tmp/err")" = 1 ]; }
# Nothing written: the override as mkroot left it, no unbind, no probe.
untouched() {
	[ "$(cat "$DEV/driver_override")" = '(null)' ] &&
		[ -z "$(cat "$root"/sys/bus/pci/drivers/*/unbind "$root/sys/bus/pci/drivers_probe" 2>/dev/null)" ]
}
# A NIC on virtio-pci in group 7, vfio-pci loaded.
nic() {
	mkroot
	vfio_loaded
	pci $BDF 1af4 1041 virtio-pci 7
	group_file 7
}
# netdev_class IF FLAGS [SUB]: interface IF of the NIC (in SUB/net/ when
# given), its flags (0x1003: up, 0x1002: down).
netdev_class() {
	netdev $BDF "$1" "${3:-}"
	echo "$2" >"$root/sys/class/net/$1/flags"
}

# ---- usage ----
mkroot
bind
expect_status "no device" 2
expect "no device: says so" err_says "revere-vfio-bind: no device given"
bind 0000:01:0.0
expect_status "bad address" 2
expect "bad address: named" err_says "'0000:01:0.0' is not a PCI address"
bind 12345678-1234-1234-1234-123456789abc
expect_status "an mdev" 2
bind --bogus $BDF
expect_status "unknown option" 2
bind --unbind --force $BDF
expect_status "--unbind --force" 2
bind --help
expect_status "--help" 0
expect "--help: usage" grep -q '^Usage: revere-vfio-bind' "$tmp/out"
bind --version
expect_status "--version" 0
expect "--version: name" grep -q '^revere-vfio-bind ' "$tmp/out"

# ---- no such device, no IOMMU ----
mkroot
bind $BDF
expect_status "no device" 1
expect "no device: named" err_says "revere-vfio-bind: no PCI device $BDF (no /sys/bus/pci/devices/$BDF)"
pci $BDF 1af4 1041 virtio-pci
bind $BDF
expect_status "no IOMMU group" 1
expect "no IOMMU group: says so" err_says "$BDF has no IOMMU group"
expect "no IOMMU group: nothing written" untouched
# Where the IOMMU comes from on this host: the hypervisor for a guest.
bare_metal
bind $BDF
expect "no IOMMU group, bare metal: the firmware" err_says "revere-vfio-bind: $BDF has no IOMMU group: the IOMMU is off or absent and vfio-pci cannot take it; enable it in the firmware and on the kernel command line (intel_iommu=on, amd_iommu=on), then reboot"
vm QEMU
bind $BDF
expect "no IOMMU group, QEMU guest: its hypervisor" err_says "revere-vfio-bind: $BDF has no IOMMU group: the IOMMU is off or absent and vfio-pci cannot take it; this host is a virtual machine (QEMU), which has no IOMMU unless QEMU gives it one: start it with \`-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on\` and boot it with intel_iommu=on"
expect "no IOMMU group, QEMU guest: nothing written" untouched

# ---- a bind: the three writes, in the README's order ----
nic
bind --dry-run 01:00.0
expect_status "--dry-run" 0
expect "--dry-run: override" said "dry run: $BDF: driver_override <- vfio-pci"
expect "--dry-run: unbind" said "dry run: $BDF: unbound from virtio-pci"
expect "--dry-run: probe" said "dry run: $BDF: drivers_probe"
expect "--dry-run: nothing written" untouched
bind $BDF
# No kernel moves the driver link: the tool reads it back and says so.
expect_status "bind on a fake tree" 1
expect "bind: override said" said "$BDF: driver_override <- vfio-pci"
expect "bind: unbind said" said "$BDF: unbound from virtio-pci"
expect "bind: probe said" said "$BDF: drivers_probe"
expect "bind: override written" [ "$(cat "$DEV/driver_override")" = vfio-pci ]
expect "bind: unbind written" [ "$(cat "$root/sys/bus/pci/drivers/virtio-pci/unbind")" = $BDF ]
expect "bind: drivers_probe written" [ "$(cat "$root/sys/bus/pci/drivers_probe")" = $BDF ]
expect "bind: read back" err_says "$BDF: vfio-pci did not take it after drivers_probe (driver now: virtio-pci)"

# ---- already bound: twice is harmless ----
ready_pf
bind $BDF
expect_status "already bound" 0
expect "already bound: said" said "$BDF: already bound to vfio-pci (IOMMU group 7, /dev/vfio/7)"
expect "already bound: the files to open" said "$BDF: group file /dev/vfio/7 (root:root 0600, this user can open it); no device file: no iommufd: module iommufd not loaded (no /sys/module/iommufd, no /dev/iommu): \`modprobe iommufd\`, or a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV; iommufd: module iommufd not loaded, /dev/iommu missing"
expect "already bound: two lines, nothing done" [ "$(wc -l <"$tmp/out")" = 2 ]
vfio_cdev $BDF 3
iommufd_loaded
bind $BDF
expect "already bound, iommufd: the device file" said "$BDF: group file /dev/vfio/7 (root:root 0600, this user can open it); device file /dev/vfio/devices/vfio3 (root:root 0600, this user can open it); iommufd: module iommufd loaded, /dev/iommu (root:root 0660, this user can open it)"
expect "already bound: nothing written" untouched

# ---- vfio-pci not loaded ----
nic
rm -r "$root/sys/bus/pci/drivers/vfio-pci"
bind $BDF
expect_status "no vfio-pci, fake root" 1
expect "no vfio-pci: modprobe said" said "modprobe vfio-pci"
expect "no vfio-pci: not run on a fake root" err_says "vfio-pci is not loaded under REVERE_SYSROOT=$root, a fake root"
expect "no vfio-pci: nothing written" untouched
printf '#!/bin/sh\necho "$@" >"%s/modprobe.log"\nmkdir -p "%s/sys/bus/pci/drivers/vfio-pci"\n' "$tmp" "$root" >"$tmp/modprobe"
chmod +x "$tmp/modprobe"
REVERE_MODPROBE=$tmp/modprobe bind $BDF
expect_status "REVERE_MODPROBE" 1
expect "REVERE_MODPROBE: run" [ "$(cat "$tmp/modprobe.log")" = vfio-pci ]
expect "REVERE_MODPROBE: said" said "$tmp/modprobe vfio-pci"
expect "REVERE_MODPROBE: then the override" said "$BDF: driver_override <- vfio-pci"
printf '#!/bin/sh\nexit 1\n' >"$tmp/modprobe"
nic
rm -r "$root/sys/bus/pci/drivers/vfio-pci"
REVERE_MODPROBE=$tmp/modprobe bind $BDF
expect_status "modprobe fails" 1
expect "modprobe fails: said" err_says "$tmp/modprobe vfio-pci failed (status 1)"

# ---- vfio-pci not loaded where modprobe cannot load it ----
# Refused before any modprobe, even REVERE_MODPROBE's, and any write.
printf '#!/bin/sh\necho "$@" >"%s/modprobe.log"\n' "$tmp" >"$tmp/modprobe"
no_vfio_pci() {
	nic
	rm -r "$root/sys/bus/pci/drivers/vfio-pci"
	rm -f "$tmp/modprobe.log"
}
LIBMOD=/lib/modules/$KREL
no_vfio_pci
cmdline quiet nomodule
REVERE_MODPROBE=$tmp/modprobe bind $BDF
expect_status "vfio-pci, nomodule" 1
expect "vfio-pci, nomodule: said" err_says "revere-vfio-bind: vfio-pci is not loaded and cannot be: the kernel was booted with nomodule (/proc/cmdline), so no module can be loaded: remove nomodule from the kernel command line and reboot"
expect "vfio-pci, nomodule: no modprobe run" test ! -e "$tmp/modprobe.log"
expect "vfio-pci, nomodule: none said" sh -c "! grep -q modprobe '$tmp/out'"
expect "vfio-pci, nomodule: nothing written" untouched
bind --dry-run $BDF
expect "vfio-pci, nomodule, --dry-run: refused too" err_says "vfio-pci is not loaded and cannot be: the kernel was booted with nomodule"
no_vfio_pci
modules_builtin vfio/vfio
modules_dep vfio/vfio_iommu_type1
REVERE_MODPROBE=$tmp/modprobe bind $BDF
expect "vfio-pci absent from the kernel: said" err_says "revere-vfio-bind: vfio-pci is not loaded and cannot be: kernel $KREL lacks CONFIG_VFIO_PCI: vfio-pci is neither built in ($LIBMOD/modules.builtin) nor a module ($LIBMOD/modules.dep); boot a kernel built with CONFIG_VFIO_PCI"
expect "vfio-pci absent from the kernel: no modprobe run" test ! -e "$tmp/modprobe.log"
expect "vfio-pci absent from the kernel: nothing written" untouched
no_vfio_pci
modules_builtin vfio/vfio vfio/pci/vfio-pci
REVERE_MODPROBE=$tmp/modprobe bind $BDF
expect "vfio-pci built in, not registered: said" err_says "revere-vfio-bind: vfio-pci is built into the kernel ($LIBMOD/modules.builtin) but not registered (no /sys/bus/pci/drivers/vfio-pci): it failed to initialise; the kernel log says why: \`dmesg | grep -i vfio\`"
expect "vfio-pci built in: no modprobe run" test ! -e "$tmp/modprobe.log"
# Installed: modprobe, as before.
no_vfio_pci
modules_builtin vfio/vfio
modules_dep vfio/pci/vfio-pci
REVERE_MODPROBE=$tmp/modprobe bind $BDF
expect "vfio-pci installed: modprobe run" [ "$(cat "$tmp/modprobe.log")" = vfio-pci ]

# ---- in use: refused unless --force ----
nic
netdev_class ens3 0x1003
bind $BDF
expect_status "up interface" 1
expect "up interface: named" err_says "$BDF is in use: network interface ens3 is up;"
expect "up interface: --force named" err_says "or pass --force"
expect "up interface: the command that ends the use" err_says "stop using it first (ip link set ens3 down), or pass --force"
expect "up interface: nothing written" untouched
# virtio-net puts its interface one level down: BDF/virtio2/net/eth0.
nic
netdev_class eth0 0x1003 virtio2
bind $BDF
expect_status "virtio interface up" 1
expect "virtio interface up: named" err_says "$BDF is in use: network interface eth0 is up; binding it to vfio-pci takes it from virtio-pci and the system: stop using it first (ip link set eth0 down), or pass --force"
expect "virtio interface up: nothing written" untouched
nic
netdev_class ens3 0x1002
mkdir -p "$root/proc/net"
printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nens3\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\nens3\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n' >"$root/proc/net/route"
bind $BDF
expect_status "routes" 1
expect "routes: named" err_says "network interface ens3 has routes default via 10.0.2.2, 10.0.2.0/24;"
bind --force $BDF
expect "--force: said" said "$BDF: in use (network interface ens3 has routes default via 10.0.2.2, 10.0.2.0/24), taken anyway (--force)"
expect "--force: written" [ "$(cat "$DEV/driver_override")" = vfio-pci ]
nic
netdev_class ens3 0x1002
bind --dry-run $BDF
expect_status "interface down, no route" 0
# A disk with a mounted partition (virtio-blk: BDF/virtio1/block/vda).
nic
mkdir -p "$DEV/virtio1/block/vda/vda1" "$root/sys/class/block" "$root/proc/self"
ln -s "../../devices/pci0000:00/$BDF/virtio1/block/vda" "$root/sys/class/block/vda"
ln -s "../../devices/pci0000:00/$BDF/virtio1/block/vda/vda1" "$root/sys/class/block/vda1"
printf '/dev/vda1 / ext4 rw 0 0\n/dev/vdb1 /srv ext4 rw 0 0\nproc /proc proc rw 0 0\n' >"$root/proc/self/mounts"
bind $BDF
expect_status "mounted" 1
expect "mounted: named" err_says "$BDF is in use: vda1 mounted on /;"
expect "mounted: umount, no interface" err_says "stop using it first (umount /), or pass --force"
expect "mounted: nothing written" untouched

# ---- a disk used through what is stacked on it, swap or /dev/root ----
# An NVMe drive in group 8 with partitions nvme0n1p1 to p3.
NVME=0000:00:04.0
drive() {
	mkroot
	vfio_loaded
	pci $NVME 144d a808 nvme 8
	group_file 8
	nvme $NVME
}
# refused_use DESC USERS [FIXES]: --dry-run refuses without --force,
# naming the users (and the commands that end them), and plans nothing;
# with --force it plans the bind, saying them.
refused_use() {
	bind --dry-run $NVME
	expect_status "$1" 1
	expect "$1: named" err_says "revere-vfio-bind: $NVME is in use: $2; binding it to vfio-pci takes it from nvme and the system: stop using it first (${3:-}"
	expect "$1: nothing planned" [ ! -s "$tmp/out" ]
	bind --force --dry-run $NVME
	expect_status "$1, --force" 0
	expect "$1, --force: said" said "dry run: $NVME: in use ($2), taken anyway (--force)"
	expect "$1, --force: planned" said "dry run: $NVME: unbound from nvme"
}
drive
stacked dm-0 vg0-root nvme0n1p2
mounts '/dev/mapper/vg0-root / ext4 rw,relatime 0 0' 'proc /proc proc rw 0 0'
refused_use "LVM root by its mapper name" "nvme0n1p2 holds dm-0 (vg0-root) mounted on /" "umount /; dmsetup remove vg0-root), or pass --force"
swaps /dev/nvme0n1p1
refused_use "LVM root and a swap partition" "nvme0n1p1 is an active swap area, nvme0n1p2 holds dm-0 (vg0-root) mounted on /" "swapoff /dev/nvme0n1p1; umount /; dmsetup remove vg0-root)"
drive
swaps /dev/nvme0n1p1
refused_use "swap partition" "nvme0n1p1 is an active swap area"
drive
root_on nvme0n1p2
mounts '/dev/root / ext4 rw 0 0' '/dev/root /var/log ext4 rw 0 0'
refused_use "/dev/root" "nvme0n1p2 mounted on /, /var/log"
drive
stacked md0 "" nvme0n1p2 nvme0n1p3
stacked dm-1 vg1-data md0
mounts '/dev/mapper/vg1-data /srv xfs rw 0 0'
refused_use "LVM on md" "nvme0n1p2 holds md0, which holds dm-1 (vg1-data) mounted on /srv, nvme0n1p3 holds md0, which holds dm-1 (vg1-data) mounted on /srv" "umount /srv; dmsetup remove vg1-data; mdadm --stop /dev/md0)"
drive
stacked dm-0 luks-root nvme0n1p3
stacked dm-1 vg0-home dm-0
stacked dm-2 vg0-swap dm-0
mounts '/dev/dm-1 /home ext4 rw 0 0'
swaps /dev/dm-2
refused_use "LVM on LUKS" "nvme0n1p3 holds dm-0 (luks-root), which holds dm-1 (vg0-home) mounted on /home, nvme0n1p3 holds dm-0 (luks-root), which holds dm-2 (vg0-swap) is an active swap area" "umount /home; swapoff /dev/dm-2; dmsetup remove vg0-swap; dmsetup remove vg0-home; dmsetup remove luks-root)"
drive
stacked md0 "" nvme0n1
refused_use "an array member, nothing mounted" "nvme0n1 holds md0"
drive
mounts '/dev/nvme0n1p1 /mnt/my\040disk ext4 rw 0 0'
refused_use "a mount point with a space" "nvme0n1p1 mounted on /mnt/my disk" "umount '/mnt/my disk')"
# Holders that loop end all the same.
drive
stacked dm-0 loop nvme0n1p1
ln -s "$root/sys/devices/virtual/block/dm-0" "$root/sys/devices/virtual/block/dm-0/holders/dm-0"
bind --dry-run $NVME
expect_status "holders in a loop" 1
expect "holders in a loop: named" err_says "$NVME is in use: nvme0n1p1 holds dm-0 (loop), which holds dm-0 (loop), which holds"
# What cannot be read is no proof of a free disk.
drive
rmdir "$root/sys/devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1/nvme0n1p2/holders"
: >"$root/sys/devices/pci0000:00/$NVME/nvme/nvme0/nvme0n1/nvme0n1p2/holders"
bind --dry-run $NVME
expect_status "holders unreadable" 1
expect "holders unreadable: said" err_says "revere-vfio-bind: $NVME: finding what uses it: reading /sys/class/block/nvme0n1p2, /proc/self/mounts and /proc/swaps: Not a directory; pass --force to bind it all the same"
# Another disk's partitions, /dev/root elsewhere, dm on another disk.
drive
blockdev virtual/block sda
blockdev virtual/block sda1
stacked dm-0 vg0-root sda1
root_on sda1
mounts '/dev/root / ext4 rw 0 0' '/dev/nvme0n1p10 /a ext4 rw 0 0' '/dev/nvme0n11 /b ext4 rw 0 0' '/dev/mapper/vg0-root /c ext4 rw 0 0'
swaps /dev/sda2 /dev/nvme0n1p12
bind --dry-run $NVME
expect_status "a free drive" 0
expect "a free drive: planned" said "dry run: $NVME: unbound from nvme"

# ---- names from sysfs reach the terminal escaped ----
mkroot
vfio_loaded
pci $BDF 1af4 1041 "$(printf 'virtio\033[2J')" 7
netdev_class "$(printf 'ens\0333')" 0x1003
bind $BDF
expect_status "hostile names" 1
expect "hostile names: interface escaped" err_says "$BDF is in use: network interface ens\x1b3 is up; binding it to vfio-pci takes it from virtio\x1b[2J and the system"
expect "hostile names: nothing raw" raw_free
bind --force --dry-run $BDF
expect "hostile names: driver escaped" said "dry run: $BDF: unbound from virtio\x1b[2J"
expect "hostile names, --force: nothing raw" raw_free

# ---- the IOMMU group ----
nic
pci 0000:01:00.1 8086 10d3 e1000e 7
pci 0000:01:00.2 8086 10d4 "" 7
bind $BDF
expect_status "group" 1
expect "group: others named" err_says "IOMMU group 7 of $BDF also holds 0000:01:00.1 (8086:10d3) bound to e1000e: VFIO needs every device of the group on vfio-pci or on no driver; pass --group"
expect "group: nothing written" untouched
bind --group --dry-run $BDF
expect_status "--group --dry-run" 0
expect "--group: the other too" said "dry run: 0000:01:00.1: unbound from e1000e"
not_named() { ! grep -q "$1" "$tmp/out"; }
expect "--group: not the driverless one" not_named 0000:01:00.2

# ---- as people use such tools ----
# Options after the addresses, as dpdk-devbind and the demo take them.
nic
bind 01:00.0 --dry-run
expect_status "--dry-run after the address" 0
expect "--dry-run after the address: planned" said "dry run: $BDF: driver_override <- vfio-pci"
expect "--dry-run after the address: nothing written" untouched
bind 01:00.0 --bogus
expect_status "an unknown option after the address" 2
# An address given twice, in two spellings, is acted on once.
bind --dry-run 01:00.0 0000:01:00.0
expect_status "an address twice" 0
expect "an address twice: once" [ "$(grep -c "driver_override <- vfio-pci" "$tmp/out")" = 1 ]

# ---- not root: say so, and what to do ----
# as_user ARGS...: the tool as a user who cannot write sysfs: nobody when
# the tests run as root (root writes anything), else this user with the
# fake tree's driver_override made read-only.
as_user() {
	kernel_files
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$tmp"
		REVERE_SYSROOT=$root setpriv --reuid=65534 --regid=65534 \
			--clear-groups "$BIND" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	else
		chmod a-w "$DEV/driver_override"
		REVERE_SYSROOT=$root "$BIND" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	fi
	status=$?
}
nic
as_user 01:00.0
expect_status "not root" 1
expect "not root: says so" err_says "revere-vfio-bind: $BDF: writing /sys/bus/pci/devices/$BDF/driver_override needs root: this user ("
expect "not root: what to do" err_says "run it as root: \`sudo revere-vfio-bind 01:00.0\`"
expect "not root: nothing written" untouched
nic
as_user --dry-run 01:00.0
expect_status "not root, --dry-run" 0
expect "not root, --dry-run: the real run needs root" grep -qF "dry run: $BDF: the real run needs root: this user (" "$tmp/out"
expect "not root, --dry-run: how, without --dry-run" grep -qF "run it as root: \`sudo revere-vfio-bind 01:00.0\`" "$tmp/out"
expect "not root, --dry-run: still planned" said "dry run: $BDF: driver_override <- vfio-pci"
expect "not root, --dry-run: nothing written" untouched
ready_pf
echo vfio-pci >"$DEV/driver_override"
as_user --unbind $BDF
expect_status "not root, --unbind" 1
expect "not root, --unbind: says so" err_says "needs root: this user ("

# ---- --user: the group file given, and what keeps it after a reboot ----
ready_pf
bind --dry-run --user nobody $BDF
expect_status "--user --dry-run" 0
expect "--user --dry-run: the chown" said "dry run: $BDF: /dev/vfio/7 given to nobody (chown nobody /dev/vfio/7)"
expect "--user: the locked memory the demo needs" said "$BDF: revere-vfio-demo locks 320 KiB of DMA buffers: nobody's locked-memory limit must allow it (\`ulimit -l 320\`), unless it runs with CAP_IPC_LOCK"
expect "--user: the udev rule" said "$BDF: to keep it after a reboot, in /etc/udev/rules.d/70-revere-vfio.rules: SUBSYSTEM==\"vfio\", KERNEL==\"7\", OWNER=\"nobody\", MODE=\"0600\""
expect "--user: the limits.d line" said "$BDF: and in /etc/security/limits.d/revere-vfio.conf: nobody - memlock 320"
expect "--user --dry-run: the file not given" [ "$(stat -c %u "$root/dev/vfio/7")" = "$(id -u)" ]
if [ "$(id -u)" = 0 ]; then
	bind --user nobody $BDF
	expect_status "--user" 0
	expect "--user: the group file is nobody's" [ "$(stat -c %u "$root/dev/vfio/7")" = 65534 ]
	expect "--user: said" said "$BDF: /dev/vfio/7 given to nobody (chown nobody /dev/vfio/7)"
else
	ok "# SKIP --user: chown needs root"
	ok "# SKIP --user: said"
	ok "# SKIP --user: chown needs root"
fi
expect "--user: the way to write them" said "$BDF: \`revere-vfio-bind --user nobody $BDF --install-rules\` writes them"
expect "--user --dry-run: no rules written" [ ! -e "$root/etc/udev/rules.d/70-revere-vfio.rules" ]

# With iommufd, the device file and /dev/iommu too, each with its rule.
vfio_cdev $BDF 3
iommufd_loaded
bind --dry-run --user nobody $BDF
expect_status "--user, iommufd" 0
expect "--user, iommufd: the device file" said "dry run: $BDF: /dev/vfio/devices/vfio3 given to nobody (chown nobody /dev/vfio/devices/vfio3)"
expect "--user, iommufd: /dev/iommu" said "dry run: $BDF: /dev/iommu given to nobody (chown nobody /dev/iommu)"
expect "--user, iommufd: the device file's rule, by its PCI parent" said "$BDF: and in /etc/udev/rules.d/70-revere-vfio.rules: SUBSYSTEM==\"vfio-dev\", KERNELS==\"$BDF\", OWNER=\"nobody\", MODE=\"0600\""
expect "--user, iommufd: /dev/iommu's rule" said "$BDF: and in /etc/udev/rules.d/70-revere-vfio.rules: SUBSYSTEM==\"misc\", KERNEL==\"iommu\", OWNER=\"nobody\", MODE=\"0600\""

# --install-rules: the lines written, once however often it runs; a line
# of the administrator's own kept, one for the same file replaced.
rules=$root/etc/udev/rules.d/70-revere-vfio.rules
limits=$root/etc/security/limits.d/revere-vfio.conf
bind --install-rules $BDF
expect_status "--install-rules without --user" 2
expect "--install-rules without --user: says so" err_says "--install-rules writes the lines that keep --user NAME's access: give --user NAME"
bind --dry-run --user nobody --install-rules $BDF
expect_status "--install-rules --dry-run" 0
expect "--install-rules --dry-run: what would be written" said "dry run: $BDF: /etc/security/limits.d/revere-vfio.conf <- nobody - memlock 320"
expect "--install-rules --dry-run: nothing written" [ ! -e "$rules" ] && [ ! -e "$limits" ]
if [ "$(id -u)" = 0 ]; then
	bind --user nobody --install-rules $BDF
	expect_status "--install-rules, no rules.d" 1
	expect "--install-rules, no rules.d: named" err_says "revere-vfio-bind: $BDF: writing /etc/udev/rules.d/70-revere-vfio.rules: No such file or directory; its directory is missing"
	mkdir -p "$root/etc/udev/rules.d" "$root/etc/security/limits.d"
	printf '%s\n' '# the administrator'"'"'s' 'SUBSYSTEM=="vfio", KERNEL=="7", OWNER="root", MODE="0600"' >"$rules"
	bind --user nobody --install-rules $BDF
	expect_status "--install-rules" 0
	expect "--install-rules: said" said "$BDF: /etc/udev/rules.d/70-revere-vfio.rules <- SUBSYSTEM==\"vfio\", KERNEL==\"7\", OWNER=\"nobody\", MODE=\"0600\""
	bind --user nobody --install-rules $BDF
	expect "--install-rules twice: each line once, the other kept" [ "$(cat "$rules")" = "# the administrator's
SUBSYSTEM==\"vfio\", KERNEL==\"7\", OWNER=\"nobody\", MODE=\"0600\"
SUBSYSTEM==\"vfio-dev\", KERNELS==\"$BDF\", OWNER=\"nobody\", MODE=\"0600\"
SUBSYSTEM==\"misc\", KERNEL==\"iommu\", OWNER=\"nobody\", MODE=\"0600\"" ]
	expect "--install-rules: the limit" [ "$(cat "$limits")" = "nobody - memlock 320" ]
	expect "--install-rules: files readable by all" [ "$(stat -c %a "$rules")" = 644 ]
	expect "--install-rules: no file left beside them" [ "$(ls "$root/etc/udev/rules.d")" = 70-revere-vfio.rules ]
else
	for t in 1 2 3 4 5 6 7 8; do ok "# SKIP --install-rules: chown needs root"; done
fi
bind --user no-such-user-here $BDF
expect_status "--user, no such user" 2
expect "--user, no such user: named" err_says "--user: no user 'no-such-user-here' on this system"
bind --unbind --user nobody $BDF
expect_status "--unbind --user" 2

# ---- --status: every device, Revere PFs first, dpdk-devbind style ----
mkroot
vfio_loaded
pci 0000:00:00.0 8086 29c0
echo 0x060000 >"$root/sys/devices/pci0000:00/0000:00:00.0/class"
pci 0000:00:02.0 1af4 1041 virtio-pci 2
netdev 0000:00:02.0 eth0 virtio0
echo 0x1003 >"$root/sys/class/net/eth0/flags"
pci $NVME 144d a808 nvme 8
nvme $NVME
mounts '/dev/nvme0n1p1 /boot ext4 rw 0 0'
pci 0000:00:05.0 13b5 ff81 vfio-pci 7
pci 0000:00:06.0 13b5 ff81 "" 9
echo vfio-pci >"$root/sys/devices/pci0000:00/0000:00:06.0/driver_override"
bind --status
expect_status "--status" 0
expect "--status: the PFs first" [ "$(sed -n 1p "$tmp/out")" = "Revere-AMU PFs (13b5:ff81)" ]
expect "--status: a PF on vfio-pci" [ "$(sed -n 3p "$tmp/out")" = "0000:00:05.0 '13b5:ff81' class=120000 drv=vfio-pci iommu_group=7" ]
expect "--status: a PF overridden, no driver" [ "$(sed -n 4p "$tmp/out")" = "0000:00:06.0 '13b5:ff81' class=120000 drv=none unused=vfio-pci override=vfio-pci iommu_group=9" ]
expect "--status: then the others" said "Other PCI devices"
expect "--status: the bridge, no group" said "0000:00:00.0 '8086:29c0' class=060000 drv=none unused=vfio-pci iommu_group=none"
expect "--status: virtio-net's interface, up" said "0000:00:02.0 '1af4:1041' class=120000 drv=virtio-pci unused=vfio-pci iommu_group=2 if=eth0 *Active: network interface eth0 is up*"
expect "--status: the disk, mounted" said "$NVME '144d:a808' class=120000 drv=nvme unused=vfio-pci iommu_group=8 block=nvme0n1,nvme0n1p1,nvme0n1p2,nvme0n1p3 *Active: nvme0n1p1 mounted on /boot*"
bind --status $BDF
expect_status "--status with an address" 2

# ---- --unbind ----
ready_pf
echo vfio-pci >"$DEV/driver_override"
bind --unbind --dry-run $BDF
expect_status "--unbind --dry-run" 0
expect "--unbind --dry-run: said" said "dry run: $BDF: unbound from vfio-pci"
expect "--unbind --dry-run: nothing written" [ "$(cat "$DEV/driver_override")" = vfio-pci ]
bind --unbind $BDF
expect_status "--unbind" 0
expect "--unbind: override cleared" said "$BDF: driver_override cleared"
expect "--unbind: unbound" said "$BDF: unbound from vfio-pci"
expect "--unbind: newline written" [ "$(od -An -c "$DEV/driver_override" | tr -d ' ')" = '\n' ]
expect "--unbind: unbind written" [ "$(cat "$root/sys/bus/pci/drivers/vfio-pci/unbind")" = $BDF ]
nic
bind --unbind $BDF
expect_status "--unbind, another driver" 0
expect "--unbind, another driver: left alone" said "$BDF: bound to virtio-pci, not vfio-pci: left alone"
expect "--unbind, another driver: nothing written" untouched
mkroot
pci $BDF 13b5 ff81 "" 7
bind --unbind $BDF
expect_status "--unbind twice" 0
expect "--unbind twice: nothing to do" said "$BDF: no driver and no driver_override: nothing to do"
expect "--unbind twice: nothing written" untouched

finish
