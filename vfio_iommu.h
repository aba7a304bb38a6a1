/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IOMMU backends of the VFIO layer: how a device gets an IOMMU
 * context and is opened, and how memory is mapped into that context for
 * the device's DMA. vfio.c does everything else (regions, config space,
 * BAR0, interrupts, reset) through the device's transport
 * (vfio_device_io.h), the same way whatever the backend, as the kernel's
 * VFIO selftests do with their struct iommu and its table of modes.
 *
 * A backend is a struct of these operations and state of its own: it
 * allocates that state into dev->iommu_priv when it first opens, and its
 * close releases what it holds and frees it; the layout is known to its
 * file alone. vfio_iommu_backends[] lists them, and vfio_iommu_backend()
 * (vfio.h) finds one by name for vfio_init().
 *
 * The backends are the type1 container with its group (vfio_type1.c,
 * Documentation/driver-api/vfio.rst), and iommufd (vfio_iommufd.c): the
 * device's cdev, /dev/vfio/devices/vfioN, bound to /dev/iommu with
 * VFIO_DEVICE_BIND_IOMMUFD and attached to an IOAS; IOMMU_IOAS_MAP for
 * DMA; and vfio-user (vfio_user.c), where the device is a process behind
 * a UNIX socket and "the IOMMU" is what that process is allowed to reach
 * of ours: DMA_MAP and DMA_UNMAP messages.
 */
#ifndef REVERE_VFIO_IOMMU_H
#define REVERE_VFIO_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfio_dev;

struct vfio_iommu_backend {
	const char *name;	/* what vfio_iommu_backend() finds: "type1" */
	/*
	 * Attach to an IOMMU context what holds the device (for type1: the
	 * container and the group at path). What succeeded stays, for a retry
	 * or for close; a failure that leaves nothing held frees the state.
	 */
	int (*open)(struct vfio_dev *dev, const char *path);
	/*
	 * Get the device by name and attach its transport (vfio_device_io.h;
	 * vfio_device_fd_attach() for a device fd). Undoes its part on failure.
	 */
	int (*open_device)(struct vfio_dev *dev, const char *name);
	/* open has succeeded: memory can be mapped for DMA. */
	bool (*is_open)(const struct vfio_dev *dev);
	/*
	 * Map [vaddr, vaddr + size) at iova for device reads and writes. fd
	 * and offset say where the memory is in the memfd of vfio_dma_alloc()
	 * (fd -1: the memory is not from there), for a backend whose device is
	 * in another process and maps the memfd itself; such a backend sets
	 * dma_needs_fd, and vfio_dma_map() refuses it other memory.
	 */
	int (*dma_map)(struct vfio_dev *dev, void *vaddr, int fd,
		       uint64_t offset, uint64_t iova, uint64_t size);
	bool dma_needs_fd;
	/* Unmap [iova, iova + size); *unmapped is what the IOMMU let go. */
	int (*dma_unmap)(struct vfio_dev *dev, uint64_t iova, uint64_t size,
			 uint64_t *unmapped);
	/*
	 * Let the device go from the IOMMU context while the transport still
	 * has it open (iommufd: VFIO_DEVICE_DETACH_IOMMUFD_PT); NULL when
	 * closing the device does it (type1). The transport closes the
	 * device next (vfio_close(), or vfio_open_device() failing after
	 * open_device): the backend holds no reference to it after this.
	 */
	int (*detach)(struct vfio_dev *dev);
	/*
	 * Release the context and free the state, whatever fails; the device
	 * is closed already. Nothing to do when nothing is open.
	 */
	int (*close)(struct vfio_dev *dev);
	/* The page sizes the IOMMU maps (a bitmap), 0 if it does not say. */
	uint64_t (*page_sizes)(const struct vfio_dev *dev);
	/* Its name as set up, "type1v2" say; before open, what it would be. */
	const char *(*describe)(const struct vfio_dev *dev);
	/*
	 * What it set up, in the kernel's words, for -v: the files, the
	 * context and the calls that made it ("" before open).
	 */
	void (*context)(const struct vfio_dev *dev, char *buf, size_t len);
};

extern const struct vfio_iommu_backend vfio_type1_backend;
extern const struct vfio_iommu_backend vfio_iommufd_backend;
extern const struct vfio_iommu_backend vfio_user_backend;

/* Every backend of this build, the default first; NULL ends it. */
extern const struct vfio_iommu_backend *const vfio_iommu_backends[];

/*
 * The type1 backend's steps one at a time, for tests that fail each:
 * open /dev/vfio/vfio and pick the IOMMU type; open the group, check it is
 * viable, attach it and set the IOMMU. dev's backend must be type1.
 */
int vfio_open_container(struct vfio_dev *dev);
int vfio_open_group(struct vfio_dev *dev, const char *group_path);

#endif /* REVERE_VFIO_IOMMU_H */
