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

# netdev BDF NAME: the device has a network interface.
netdev() { mkdir -p "$root/sys/devices/pci0000:00/$1/net/$2"; }

# A ready Revere PF: 0000:00:03.0 on vfio-pci in group 7, rw by root.
ready_pf() {
	mkroot
	vfio_loaded
	pci 0000:00:03.0 13b5 ff81 vfio-pci 7
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
