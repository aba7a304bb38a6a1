#!/bin/sh
# The layers of doc/design.md, held against the sources: what the compiler
# cannot refuse, since every file shares one include path and struct
# vfio_dev is a complete type wherever vfio.h is included.
. "${srcdir:-.}/tests/demo_lib.sh"

top=${srcdir:-.}
cd "$top" || exit 1

# The files above the VFIO layer: every top-level source but the layer's
# own (vfio*.[ch], the iommufd UAPI it carries) and configure's config.h.
above=$(ls ./*.[ch] | grep -vE '^\./(vfio|iommufd_uapi\.h$|config\.h$)')

# The simulator is a library the demo reaches through sim/sim.h alone,
# and main.c alone starts it: no other sim/ header is included above the
# VFIO layer, so the driver cannot come to depend on the mock.
sim_h=$(cd sim && ls ./*.h | sed 's|^\./||' | paste -sd '|' -)
mock=$(grep -nE "^#include \"(sim/)?($sim_h)\"" $above |
	grep -vE '^\./main\.c:[0-9]+:#include "sim\.h"$' | paste -sd ' ' -)
expect "above the VFIO layer, only main.c includes the simulator, through sim.h${mock:+ ($mock)}" \
	test -z "$mock"

# Outside the layer struct vfio_dev is read through its accessors (vfio.h):
# these members are vfio_dev's alone, so any use of them above the layer
# reaches into its layout.
fields='bar0|bar_io_error|req_fd|req_fired|device_fd|io_priv|iommu_priv|irq_fd|irq_count|irq_index|num_regions|num_irqs|device_flags|reply_timeout_ms'
reach=$(grep -nE "(->|\.)($fields)\b" $above | cut -d: -f1-2 | paste -sd ' ' -)
expect "above the VFIO layer, struct vfio_dev is read through accessors${reach:+ (fields used at $reach)}" \
	test -z "$reach"

# The PCI IDs (spec 1) are numbers in revere.h alone; the simulated
# device, the mdev and the vfio-user server take them from there too.
ids=$(grep -lE '\b0x(13b5|ff81)\b' ./*.[ch] sim/*.[ch] sim/mdev/*.[ch] \
	2>/dev/null | grep -vx './revere.h' | paste -sd ' ' -)
expect "the PCI IDs are defined in revere.h alone${ids:+ (also in $ids)}" \
	test -z "$ids"
finish
