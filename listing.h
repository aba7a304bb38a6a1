/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --list: the devices the demo could run on and the system's state, from
 * sysfs.h alone (no VFIO call).
 */
#ifndef REVERE_LISTING_H
#define REVERE_LISTING_H

#include <stdint.h>
#include <stdio.h>

#include "errmsg.h"

/*
 * Print every Revere-AMU PF (13b5:ff81), every device bound to vfio-pci
 * and every mdev, one line each, then the IOMMU, the vfio modules and
 * the locked-memory limit (memlock, UINT64_MAX: unlimited) against need,
 * the bytes a run pins. Returns 0, -errno with e filled when sysfs cannot
 * be read, or -errno alone when out cannot be written.
 */
int listing_print(FILE *out, uint64_t need, uint64_t memlock,
		  struct errmsg *e);

#endif /* REVERE_LISTING_H */
