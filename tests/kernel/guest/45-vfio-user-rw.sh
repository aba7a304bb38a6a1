#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The vfio-user PFs of 40-vfio-user.sh again, with BAR0 through
# pread/pwrite on the guest's vfio-pci (--no-mmap): 10,000 messages
# polling and on MSI-X, step 2 naming the path. Only where vfio-pci moves
# an 8-byte pread/pwrite whole (Linux 6.12, the rig's iommufd kernel):
# Debian 12's 6.1 splits it into two 4-byte accesses, which the
# Revere-AMU's registers do not take (doc/revere-amu-v2.md: aligned 64-bit
# loads and stores), and QEMU posts a BAR write to a server without
# waiting for its reply, so a refused doorbell is lost without a word.
#
# RIG-KERNELS: iommufd-vfio-user
# RIG-EXPECT: vfio-user-rw-bind vfio-user-rw-10000 vfio-user-rw-irq-10000
# RIG-EXPECT: vfio-user-rw-unbind
# RIG-EXPECT: vfio-user-msg-rw-bind vfio-user-msg-rw-10000
# RIG-EXPECT: vfio-user-msg-rw-irq-10000 vfio-user-msg-rw-unbind

# shellcheck disable=SC2034 # read by 40-vfio-user.sh
VFIO_USER_FUNCTIONS_ONLY=1
# shellcheck source=tests/kernel/guest/40-vfio-user.sh
. /tests/40-vfio-user.sh

while read -r BDF mode; do
	P=vfio-user-
	[ "$mode" = messages ] && P=vfio-user-msg-
	check_bind "${P}rw-bind" vfio-pci "$BDF"
	demo_run 10000 --packets 10000 --no-mmap
	report "${P}rw-10000"
	demo_irq rw-irq-10000 --no-mmap
	check_bind "${P}rw-unbind" "" --unbind "$BDF"
done </etc/rig-vfio-user
