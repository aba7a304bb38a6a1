/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the device is, and how to reach it: one description that the
 * command line fills, the pre-flight completes, --sim points at the
 * simulated device, and the driver opens (vfio_open()). Today the kernel's
 * group interface: an IOMMU group file and the device's name in it. A
 * VFIO device file (iommufd) or a vfio-user socket is another kind here.
 */
#ifndef REVERE_VFIO_TARGET_H
#define REVERE_VFIO_TARGET_H

#include <stdbool.h>
#include <stdio.h>

enum vfio_target_kind {
	VFIO_TARGET_GROUP,	/* /dev/vfio/N and the device's name in it */
};

#define VFIO_TARGET_NAME_LEN	64	/* a BDF or an mdev's UUID */
#define VFIO_TARGET_PATH_LEN	256	/* /dev/vfio/N, or as --vfio-group says */

struct vfio_target {
	enum vfio_target_kind kind;
	char device[VFIO_TARGET_NAME_LEN];	/* "0000:01:00.0", a UUID */
	char path[VFIO_TARGET_PATH_LEN];	/* the group file; "" not known yet */
};

/* Name the group file; false when it does not fit. */
static inline bool vfio_target_set_path(struct vfio_target *t,
					const char *path)
{
	return (size_t)snprintf(t->path, sizeof(t->path), "%s", path) <
	       sizeof(t->path);
}

/* Name the device; false when it does not fit. */
static inline bool vfio_target_set_device(struct vfio_target *t,
					  const char *device)
{
	return (size_t)snprintf(t->device, sizeof(t->device), "%s", device) <
	       sizeof(t->device);
}

#endif /* REVERE_VFIO_TARGET_H */
