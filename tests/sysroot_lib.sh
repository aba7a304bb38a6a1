# Fake system trees for the pre-flight, --list and --check tests: a
# directory that stands for "/" (REVERE_SYSROOT), with sysfs' directories,
# files and symlinks as the kernel lays them out, and regular files
# standing in for /dev/vfio/N. Sourced after tests/demo_lib.sh ($tmp).

root=$tmp/root

# mkroot: an empty system (no IOMMU, no vfio), without CAP_IPC_LOCK.
mkroot() {
	rm -rf "$root"
	mkdir -p "$root/sys/bus/pci/devices" "$root/sys/bus/pci/drivers" \
		"$root/sys/bus/mdev/devices" "$root/sys/kernel/iommu_groups" \
		"$root/sys/module" "$root/dev/vfio" "$root/proc/self"
	printf 'Name:\tdemo\nCapEff:\t0000000000000000\n' >"$root/proc/self/status"
}

# vfio_loaded: the vfio modules and vfio-pci, and the container file.
vfio_loaded() {
	mkdir -p "$root/sys/module/vfio" "$root/sys/module/vfio_iommu_type1" \
		"$root/sys/module/vfio_pci" "$root/sys/bus/pci/drivers/vfio-pci"
	: >"$root/dev/vfio/vfio"
	chmod 666 "$root/dev/vfio/vfio"
}

# group_file N: /dev/vfio/N, root's, mode 0600 as udev makes it.
group_file() { : >"$root/dev/vfio/$1"; chmod 600 "$root/dev/vfio/$1"; }

# vfio_cdev BDF N: the device file vfioN of a PCI device (vfio-dev/vfioN
# in sysfs, /dev/vfio/devices/vfioN root's, 0600 as udev makes it).
vfio_cdev() {
	mkdir -p "$root/sys/devices/pci0000:00/$1/vfio-dev/vfio$2" \
		"$root/dev/vfio/devices"
	echo "511:$2" >"$root/sys/devices/pci0000:00/$1/vfio-dev/vfio$2/dev"
	: >"$root/dev/vfio/devices/vfio$2"
	chmod 600 "$root/dev/vfio/devices/vfio$2"
}

# iommufd_loaded [MODE]: module iommufd and /dev/iommu, root's, MODE
# (0660 unless given).
iommufd_loaded() {
	mkdir -p "$root/sys/module/iommufd"
	: >"$root/dev/iommu"
	chmod "${1:-660}" "$root/dev/iommu"
}

# in_group DIR NAME N: DIR (under sys/devices) is NAME in IOMMU group N.
in_group() {
	mkdir -p "$root/sys/kernel/iommu_groups/$3/devices"
	ln -s "../../../../$1" "$root/sys/kernel/iommu_groups/$3/devices/$2"
	ln -s "../../../kernel/iommu_groups/$3" "$root/$1/iommu_group"
}

# bind_to DIR DRIVER BUS: DIR's driver link.
bind_to() {
	mkdir -p "$root/sys/bus/$3/drivers/$2"
	ln -s "../../../bus/$3/drivers/$2" "$root/$1/driver"
}

# pci BDF VENDOR DEVICE [DRIVER [GROUP]]
pci() {
	dir=sys/devices/pci0000:00/$1
	mkdir -p "$root/$dir"
	echo "0x$2" >"$root/$dir/vendor"
	echo "0x$3" >"$root/$dir/device"
	echo 0x120000 >"$root/$dir/class"
	echo '(null)' >"$root/$dir/driver_override"
	ln -s "../../../devices/pci0000:00/$1" "$root/sys/bus/pci/devices/$1"
	if [ -n "${4:-}" ]; then bind_to "$dir" "$4" pci; fi
	if [ -n "${5:-}" ]; then in_group "$dir" "$1" "$5"; fi
}

# mdev UUID DRIVER GROUP: an mdev of type revere_mdev-revere-pf.
mdev() {
	dir=sys/devices/virtual/revere/$1
	mkdir -p "$root/$dir" "$root/sys/class/mdev_bus/revere/mdev_supported_types/revere_mdev-revere-pf"
	ln -s "../../../devices/virtual/revere/$1" "$root/sys/bus/mdev/devices/$1"
	ln -s ../../../class/mdev_bus/revere/mdev_supported_types/revere_mdev-revere-pf \
		"$root/$dir/mdev_type"
	bind_to "$dir" "$2" mdev
	in_group "$dir" "$1" "$3"
}

# netdev BDF NAME [SUB]: the device has network interface NAME, in its
# directory's net/ or, given SUB, in SUB/net/ (virtio-net: virtio2), and
# the /sys/class/net link to it, as the kernel lays them out.
netdev() {
	netdir=pci0000:00/$1${3:+/$3}/net/$2
	mkdir -p "$root/sys/devices/$netdir" "$root/sys/class/net"
	ln -s "../../devices/$netdir" "$root/sys/class/net/$2"
}

# blockdev DIR NAME: block device NAME in DIR (under sys/devices), with
# its /sys/class/block link and an empty holders/.
blockdev() {
	mkdir -p "$root/sys/devices/$1/$2/holders" "$root/sys/class/block"
	ln -s "../../devices/$1/$2" "$root/sys/class/block/$2"
}

# nvme BDF: the NVMe disk nvme0n1 of BDF, with partitions nvme0n1p1 to p3.
nvme() {
	blockdev "pci0000:00/$1/nvme/nvme0" nvme0n1
	for p in 1 2 3; do
		blockdev "pci0000:00/$1/nvme/nvme0/nvme0n1" nvme0n1p$p
	done
}

# stacked NAME DM UNDER...: a virtual block device NAME held on each
# UNDER, as the kernel shows dm (DM its name: LVM's VG-LV, LUKS') and md
# (DM "") devices: /sys/class/block/UNDER/holders/NAME.
stacked() {
	name=$1 dm=$2
	shift 2
	blockdev virtual/block "$name"
	if [ -n "$dm" ]; then
		mkdir -p "$root/sys/devices/virtual/block/$name/dm"
		echo "$dm" >"$root/sys/devices/virtual/block/$name/dm/name"
	fi
	for under; do
		ln -s "$root/sys/devices/virtual/block/$name" \
			"$root/sys/class/block/$under/holders/$name"
	done
}

# root_on NAME: "/" is on block device NAME, as /dev/root says nothing
# more: /sys/dev/block/MAJ:MIN links to NAME, for the device number
# stat(2) gives the fake root itself (glibc's encoding of st_dev).
root_on() {
	dev=$(stat -c %d "$root")
	maj=$(((dev >> 8 & 0xfff) | (dev >> 32 & ~0xfff)))
	min=$(((dev & 0xff) | (dev >> 12 & ~0xff)))
	mkdir -p "$root/sys/dev/block"
	ln -s "$(readlink "$root/sys/class/block/$1")" \
		"$root/sys/dev/block/$maj:$min"
}

# mounts LINE...: /proc/self/mounts; swaps FILE...: the swap areas.
mounts() { printf '%s\n' "$@" >"$root/proc/self/mounts"; }
swaps() {
	echo 'Filename				Type		Size		Used		Priority' >"$root/proc/swaps"
	for f; do
		printf '%s\tpartition\t8388604\t\t0\t\t-2\n' "$f" >>"$root/proc/swaps"
	done
}

# The host the advice is for. vm [VENDOR]: a virtual machine, the
# hypervisor flag in /proc/cpuinfo and VENDOR (unless "") in DMI's
# sys_vendor as its firmware says it; bare_metal: a PC, no hypervisor.
cpuinfo() {
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr pae %s\n\n' "$1" >"$root/proc/cpuinfo"
}
dmi_vendor() {
	mkdir -p "$root/sys/class/dmi/id"
	echo "$1" >"$root/sys/class/dmi/id/sys_vendor"
}
vm() {
	cpuinfo "sse sse2 ss syscall nx rdtscp lm constant_tsc hypervisor lahf_lm"
	if [ -n "${1:-}" ]; then dmi_vendor "$1"; fi
}
bare_metal() {
	cpuinfo "sse sse2 ss ht tm pbe syscall nx rdtscp lm constant_tsc vmx lahf_lm"
	dmi_vendor "Dell Inc."
}

# cmdline ARGS: the kernel command line /proc/cmdline.
cmdline() {
	mkdir -p "$root/proc"
	echo "BOOT_IMAGE=/vmlinuz-$KREL root=/dev/vda1 ro $*" >"$root/proc/cmdline"
}

# The running kernel, $KREL, and what depmod listed for it in
# /lib/modules/$KREL: modules_builtin MOD...: modules.builtin (MOD a path
# under drivers/, "vfio/vfio"); modules_dep MOD...: modules.dep, each
# module compressed as distributions ship them. Either with no MOD is an
# empty list, the kernel built with no such module.
KREL=6.8.0-rv
kernel_release() {
	mkdir -p "$root/proc/sys/kernel" "$root/lib/modules/$KREL"
	echo "$KREL" >"$root/proc/sys/kernel/osrelease"
}
modules_builtin() {
	kernel_release
	: >"$root/lib/modules/$KREL/modules.builtin"
	for m; do
		echo "kernel/drivers/$m.ko" >>"$root/lib/modules/$KREL/modules.builtin"
	done
}
modules_dep() {
	kernel_release
	echo "kernel/drivers/net/dummy.ko.zst:" >"$root/lib/modules/$KREL/modules.dep"
	for m; do
		echo "kernel/drivers/$m.ko.zst: kernel/drivers/net/dummy.ko.zst" \
			>>"$root/lib/modules/$KREL/modules.dep"
	done
}

# A ready Revere PF: 0000:01:00.0 on vfio-pci in group 7, rw by root.
ready_pf() {
	mkroot
	vfio_loaded
	pci 0000:01:00.0 13b5 ff81 vfio-pci 7
	group_file 7
}

# raw_free: the last run printed printable ASCII alone (and newlines):
# every name from the tree reached the terminal escaped.
raw_free() {
	! LC_ALL=C grep -q "$(printf '[\001-\037\177-\377]')" "$tmp/out" "$tmp/err"
}

# sys ARGS...: the demo on the fake root, with a locked-memory limit of
# 1 MiB unless MEMLOCK_KIB says otherwise (lowering a limit needs no
# privilege: a hard limit of at least 1 MiB is all this needs); sets $status.
sys() {
	(ulimit -l "${MEMLOCK_KIB:-1024}" &&
		REVERE_SYSROOT=$root exec "$DEMO" "$@") \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}
