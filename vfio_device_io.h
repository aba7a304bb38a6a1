/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device-I/O level of the VFIO layer: everything vfio.c does to an
 * open device is one of these operations, so that how the device is
 * reached is one file (QEMU's VFIODeviceIOOps has this shape).
 *
 * The Linux VFIO device fd is the first transport (vfio_device_fd.c):
 * ioctls, and pread/pwrite of the fd at each region's offset, through the
 * struct vfio_ops of vfio.h, so that the mock kernel answers them too. A
 * vfio-user transport, whose device lives in another process behind a
 * UNIX socket, is another file with the same operations: its region
 * reads and writes and its SET_IRQS become messages, and a region the
 * server shares comes with an fd to mmap.
 *
 * The IOMMU backend gets the device (vfio_iommu.h, open_device) and
 * attaches its transport: it sets dev->io, and dev->io_priv to state the
 * transport allocates; close frees that state, and vfio.c then clears both.
 *
 * Each operation returns 0 (a byte count for region_read and
 * region_write) or -errno and records no message: vfio.c names what it
 * was doing, in the same words whatever the transport. close is the
 * exception: like every release of the layer it records its own failure.
 */
#ifndef REVERE_VFIO_DEVICE_IO_H
#define REVERE_VFIO_DEVICE_IO_H

#include <stdint.h>
#include <sys/types.h>

#include <linux/vfio.h>

#include "vfio.h"

struct vfio_device_io {
	const char *name;	/* for messages: "vfio-fd", ... */
	/* VFIO_DEVICE_GET_INFO: flags, num_regions and num_irqs. */
	int (*device_info)(struct vfio_dev *dev, struct vfio_device_info *info);
	/*
	 * VFIO_DEVICE_GET_REGION_INFO of index into *r: flags, size, the
	 * offset the transport wants back in region_read and region_write,
	 * and mmap_fd and mmap_offset when the transport hands out an fd the
	 * region can be mmap'd from (mmap_fd -1 when not).
	 */
	int (*region_info)(struct vfio_dev *dev, uint32_t index,
			   struct vfio_region *r);
	/* len bytes at off of region r: the bytes moved, or -errno. */
	ssize_t (*region_read)(struct vfio_dev *dev, const struct vfio_region *r,
			       uint64_t off, void *buf, size_t len);
	ssize_t (*region_write)(struct vfio_dev *dev,
				const struct vfio_region *r, uint64_t off,
				const void *buf, size_t len);
	/* VFIO_DEVICE_GET_IRQ_INFO of info->index. */
	int (*irq_info)(struct vfio_dev *dev, struct vfio_irq_info *info);
	/*
	 * VFIO_DEVICE_SET_IRQS with ACTION_TRIGGER: route vectors start to
	 * start + count - 1 of index to the eventfds fds[] (-1 unroutes that
	 * vector), or, with fds NULL and count 0, unroute every vector of
	 * index (DATA_NONE). At most VFIO_MAX_IRQS vectors.
	 */
	int (*set_irqs)(struct vfio_dev *dev, uint32_t index, uint32_t start,
			uint32_t count, const int32_t *fds);
	/* VFIO_DEVICE_RESET. */
	int (*reset)(struct vfio_dev *dev);
	/* Let the device go and free dev->io_priv, even when that fails. */
	int (*close)(struct vfio_dev *dev);
	/*
	 * Optional. 0 while the device can be reached, else -errno: the
	 * device went away (its vfio-user server left), which no access to
	 * a mapped region would show.
	 */
	int (*broken)(const struct vfio_dev *dev);
	/*
	 * Optional. What the transport knows of its last failure that the
	 * errno does not say ("the server did not answer within 5000 ms"),
	 * or "": the hint of the message vfio.c records for it.
	 */
	const char *(*explain)(struct vfio_dev *dev);
};

/*
 * The Linux VFIO device fd as the transport of dev, for a backend that got
 * fd from the kernel (VFIO_GROUP_GET_DEVICE_FD, or an open of the device's
 * cdev). fd is the transport's from then on: closed on failure too.
 */
int vfio_device_fd_attach(struct vfio_dev *dev, int fd);

#endif /* REVERE_VFIO_DEVICE_IO_H */
