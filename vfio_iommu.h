/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IOMMU backends of the VFIO layer: how a device gets an IOMMU
 * context and is opened, and how memory is mapped into that context for
 * the device's DMA. vfio.c does everything else (regions, config space,
 * BAR0, interrupts, reset) through the device's transport
 * (vfio_device_io.h), the same way whatever the backend, as the kernel's
 * VFIO selftests do with their struct iommu and DPDK with its table of
 * IOMMU types.
 *
 * The backend today is the type1 container with its group (vfio_type1.c,
 * Documentation/driver-api/vfio.rst). An iommufd backend (the device's
 * cdev, /dev/vfio/devices/vfioN, bound to /dev/iommu with
 * VFIO_DEVICE_BIND_IOMMUFD and attached to an IOAS; IOMMU_IOAS_MAP for
 * DMA) is another file with the same operations.
 */
#ifndef REVERE_VFIO_IOMMU_H
#define REVERE_VFIO_IOMMU_H

#include <stdint.h>

struct vfio_dev;

struct vfio_iommu_backend {
	const char *name;	/* for messages: "type1v2", ... */
	/*
	 * Attach to an IOMMU context what holds the device (for type1: the
	 * container and the group at path). What succeeded stays, for a retry
	 * or for close.
	 */
	int (*open)(struct vfio_dev *dev, const char *path);
	/*
	 * Get the device by name and attach its transport (vfio_device_io.h;
	 * vfio_device_fd_attach() for a device fd). Undoes its part on failure.
	 */
	int (*open_device)(struct vfio_dev *dev, const char *name);
	/* Map [vaddr, vaddr + size) at iova for device reads and writes. */
	int (*dma_map)(struct vfio_dev *dev, void *vaddr, uint64_t iova,
		       uint64_t size);
	/* Unmap [iova, iova + size); *unmapped is what the IOMMU let go. */
	int (*dma_unmap)(struct vfio_dev *dev, uint64_t iova, uint64_t size,
			 uint64_t *unmapped);
	/* Release the context; the device fd is closed already. */
	int (*close)(struct vfio_dev *dev);
	/* The page sizes the IOMMU maps (a bitmap), 0 before open. */
	uint64_t (*page_sizes)(const struct vfio_dev *dev);
	/* Its name as set up, e.g. "type1v2" (name before open). */
	const char *(*describe)(const struct vfio_dev *dev);
};

extern const struct vfio_iommu_backend vfio_type1_backend;

/*
 * The type1 backend's steps one at a time, for tests that fail each:
 * open /dev/vfio/vfio and pick the IOMMU type; open the group, check it is
 * viable, attach it and set the IOMMU.
 */
int vfio_open_container(struct vfio_dev *dev);
int vfio_open_group(struct vfio_dev *dev, const char *group_path);

#endif /* REVERE_VFIO_IOMMU_H */
