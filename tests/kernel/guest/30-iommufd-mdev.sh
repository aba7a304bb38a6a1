#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The mdev through its VFIO device file on the iommufd kernel: every check
# of 20-revere-mdev.sh again, with the demo's --iommu iommufd (the device
# file /dev/vfio/devices/vfioN bound to /dev/iommu; the module's DMA goes
# through iommufd_access_rw()), each named "iommufd-" and the check's name
# there (see tests/kernel/README).
#
# RIG-KERNELS: iommufd
# RIG-EXPECT: iommufd-mdev-load iommufd-mdev-create iommufd-mdev-list
# RIG-EXPECT: iommufd-mdev-check iommufd-mdev-demo iommufd-mdev-demo-10000
# RIG-EXPECT: iommufd-mdev-irq iommufd-mdev-hybrid-irq iommufd-mdev-nonroot
# RIG-EXPECT: iommufd-mdev-loopback iommufd-mdev-sigint
# RIG-EXPECT: iommufd-mdev-state-observable iommufd-mdev-remove
# RIG-EXPECT: iommufd-mdev-request-remove iommufd-mdev-unload
# RIG-EXPECT: iommufd-mdev-config-space iommufd-mdev-halted

RIG_IOMMU=iommufd RIG_PREFIX=iommufd- exec /bin/sh /tests/20-revere-mdev.sh
