#!/bin/sh
# The pre-flight on this machine's own PCI devices, through the real
# /sys: each is named with its IDs and driver, and on a host without an
# IOMMU (as CI's machines are) with its missing IOMMU group. Nothing here
# opens a VFIO file: the device is refused before.
. "${srcdir:-.}/tests/demo_lib.sh"

SYS=/sys/bus/pci/devices
checked=0
for path in "$SYS"/*; do
	[ -e "$path/vendor" ] || continue
	[ $checked -lt 3 ] || break
	bdf=${path##*/}
	ids="$(sed 's/^0x//' "$path/vendor"):$(sed 's/^0x//' "$path/device")"
	[ "$ids" = 13b5:ff81 ] && continue	# a real Revere PF: not this test's
	drv=$(readlink "$path/driver" 2>/dev/null) && drv=${drv##*/} || drv="no driver"
	REVERE_SYSROOT=/ "$DEMO" --check --device "$bdf" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	expect_status "--check --device $bdf (this host's $ids)" 1
	expect "$bdf: its IDs named" has_error "$bdf is PCI device $ids"
	expect "$bdf: its driver named" has_error "bound to $drv"
	if [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
		expect "$bdf: no IOMMU on this host, and said" has_error "no IOMMU group"
	fi
	checked=$((checked + 1))
done
# The README's way to find the PF, word for word: it runs, and lists what
# lspci itself lists for those IDs.
readme_lspci=$(sed -n 's/^  #  \(lspci .*\)$/\1/p' "$srcdir/README")
if command -v lspci >/dev/null; then
	expect "README has an lspci line" test -n "$readme_lspci"
	sh -c "$readme_lspci" >"$tmp/out" 2>"$tmp/err"; status=$?
	expect_status "README: $readme_lspci" 0
	expect "README: $readme_lspci: no error" test ! -s "$tmp/err"
else
	not_ok "lspci is needed: apt-get install pciutils (the README's quick start does)"
fi
if [ $checked = 0 ]; then
	echo "ok 1 # SKIP no PCI devices visible in $SYS"
	n=1
fi

finish
