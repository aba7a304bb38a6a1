// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Linux VFIO device fd as a transport of the VFIO layer
 * (vfio_device_io.h): the device's ioctls, and its regions as windows of
 * the fd at the offsets the kernel reports (vfio-pci places region i at
 * i << 40, but only the reported offset is used). Every call goes through
 * dev->ops, so the mock VFIO kernel answers it in tests and with --sim.
 */
#include "vfio_device_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_sys.h"

struct fd_io {
	int fd;
};

static int fd_of(const struct vfio_dev *dev)
{
	const struct fd_io *io = dev->io_priv;

	return io->fd;
}

/* The ioctls here return 0 on success, whatever the kernel's value. */
static int fd_ioctl(struct vfio_dev *dev, unsigned long request, void *arg)
{
	int ret = vfio_sys_ioctl(dev, fd_of(dev), request, arg);

	return ret < 0 ? ret : 0;
}

static int fd_device_info(struct vfio_dev *dev, struct vfio_device_info *info)
{
	*info = (struct vfio_device_info){ .argsz = sizeof(*info) };
	return fd_ioctl(dev, VFIO_DEVICE_GET_INFO, info);
}

static int fd_region_info(struct vfio_dev *dev, uint32_t index,
			  struct vfio_region *r)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = index,
	};
	int ret = fd_ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &info);

	if (ret < 0)
		return ret;
	*r = (struct vfio_region){
		.index = index,
		.flags = info.flags,
		.size = info.size,
		.offset = info.offset,
		.mmap_fd = info.flags & VFIO_REGION_INFO_FLAG_MMAP ?
			   fd_of(dev) : -1,
		.mmap_offset = info.offset,
	};
	return 0;
}

static ssize_t fd_region_read(struct vfio_dev *dev,
			      const struct vfio_region *r, uint64_t off,
			      void *buf, size_t len)
{
	ssize_t n = dev->ops->pread(dev->ops->ctx, fd_of(dev), buf, len,
				    (off_t)(r->offset + off));

	return n < 0 ? -vfio_sys_err() : n;
}

static ssize_t fd_region_write(struct vfio_dev *dev,
			       const struct vfio_region *r, uint64_t off,
			       const void *buf, size_t len)
{
	ssize_t n = dev->ops->pwrite(dev->ops->ctx, fd_of(dev), buf, len,
				     (off_t)(r->offset + off));

	return n < 0 ? -vfio_sys_err() : n;
}

static int fd_irq_info(struct vfio_dev *dev, struct vfio_irq_info *info)
{
	info->argsz = sizeof(*info);
	return fd_ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, info);
}

static int fd_set_irqs(struct vfio_dev *dev, uint32_t index, uint32_t start,
		       uint32_t count, const int32_t *fds)
{
	union {
		struct vfio_irq_set set;
		char buf[sizeof(struct vfio_irq_set) +
			 VFIO_MAX_IRQS * sizeof(int32_t)];
	} u;
	size_t data = fds ? count * sizeof(int32_t) : 0;

	if (count > VFIO_MAX_IRQS)
		return -EINVAL;
	u.set = (struct vfio_irq_set){
		.argsz = (uint32_t)(sizeof(u.set) + data),
		.flags = (fds ? VFIO_IRQ_SET_DATA_EVENTFD :
				VFIO_IRQ_SET_DATA_NONE) |
			 VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = index,
		.start = start,
		.count = count,
	};
	if (data)
		memcpy(u.set.data, fds, data);
	return fd_ioctl(dev, VFIO_DEVICE_SET_IRQS, &u.set);
}

static int fd_reset(struct vfio_dev *dev)
{
	return fd_ioctl(dev, VFIO_DEVICE_RESET, NULL);
}

static int fd_close(struct vfio_dev *dev)
{
	struct fd_io *io = dev->io_priv;
	int ret = vfio_sys_close(dev, &io->fd, "device");

	free(io);
	dev->io_priv = NULL;
	dev->device_fd = -1;
	return ret;
}

static const struct vfio_device_io fd_device_io = {
	.name = "vfio-fd",
	.device_info = fd_device_info,
	.region_info = fd_region_info,
	.region_read = fd_region_read,
	.region_write = fd_region_write,
	.irq_info = fd_irq_info,
	.set_irqs = fd_set_irqs,
	.reset = fd_reset,
	.close = fd_close,
};

int vfio_device_fd_attach(struct vfio_dev *dev, int fd)
{
	struct fd_io *io = malloc(sizeof(*io));

	if (!io) {
		vfio_sys_close(dev, &fd, "device");
		return vfio_fail(dev, ENOMEM, "the device fd of %s",
				 dev->device_name);
	}
	io->fd = fd;
	dev->io = &fd_device_io;
	dev->io_priv = io;
	/* For code that still reads the field (vfio.h); the layer does not. */
	dev->device_fd = fd;
	return 0;
}
