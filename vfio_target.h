/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the device is, and how to reach it: one description that the
 * command line fills, the pre-flight completes, --sim points at the
 * simulated device, and the driver opens (vfio_open()): the kernel's group
 * interface (an IOMMU group file and the device's name in it, for the type1
 * backend), or the device's own VFIO device file (for the iommufd
 * backend), or the UNIX socket of a vfio-user server (the device in
 * another process: no kernel, no IOMMU group).
 */
#ifndef REVERE_VFIO_TARGET_H
#define REVERE_VFIO_TARGET_H

#include <stdbool.h>
#include <stdio.h>

enum vfio_target_kind {
	VFIO_TARGET_GROUP,	/* /dev/vfio/N and the device's name in it */
	VFIO_TARGET_CDEV,	/* /dev/vfio/devices/vfioN, bound to /dev/iommu */
	VFIO_TARGET_USER,	/* a vfio-user server's UNIX socket */
};

/*
 * --iommu: which kernel interface the user asked for. auto lets the
 * pre-flight choose (preflight.h says how); the choice becomes the
 * target's kind.
 */
enum vfio_iommu_choice {
	VFIO_IOMMU_AUTO,
	VFIO_IOMMU_TYPE1,
	VFIO_IOMMU_IOMMUFD,
};

/* A BDF, an mdev's UUID, or a socket's path (sun_path is 108 bytes). */
#define VFIO_TARGET_NAME_LEN	128
#define VFIO_TARGET_PATH_LEN	256	/* /dev/vfio/N, or as --vfio-group says */

struct vfio_target {
	enum vfio_target_kind kind;
	/* "0000:01:00.0", a UUID; for vfio-user the socket, as its name */
	char device[VFIO_TARGET_NAME_LEN];
	/* The group or the device file; "" not known yet. */
	char path[VFIO_TARGET_PATH_LEN];
};

/* The IOMMU backend (vfio_iommu.h) that opens this kind of target. */
static inline const char *vfio_target_backend(const struct vfio_target *t)
{
	if (t->kind == VFIO_TARGET_USER)
		return "vfio-user";
	return t->kind == VFIO_TARGET_CDEV ? "iommufd" : "type1";
}

/* Name the group or device file; false when it does not fit. */
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
