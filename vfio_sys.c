// SPDX-License-Identifier: BSD-3-Clause
#include "vfio_sys.h"

#include "vfio_device_io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

int vfio_sys_err(void)
{
	return errno ? errno : EIO;
}

int vfio_fail_hint(struct vfio_dev *dev, int err, const char *hint,
		   const char *fmt, ...)
{
	bool first = dev->err.err == 0;
	char what[ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	errmsg_set_errno(&dev->err, err, "%s", what);
	if (first && !hint && dev->io && dev->io->explain)
		hint = dev->io->explain(dev);
	if (first && hint && hint[0])
		errmsg_hint(&dev->err, "%s", hint);
	return -err;
}

int vfio_sys_open(struct vfio_dev *dev, const char *path)
{
	int fd = dev->ops->open(dev->ops->ctx, path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -vfio_sys_err() : fd;
}

int vfio_sys_ioctl(struct vfio_dev *dev, int fd, unsigned long request,
		   void *arg)
{
	int ret = dev->ops->ioctl(dev->ops->ctx, fd, request, arg);

	return ret < 0 ? -vfio_sys_err() : ret;
}

int vfio_sys_close(struct vfio_dev *dev, int *fd, const char *what)
{
	int ret = 0;

	if (*fd < 0)
		return 0;
	if (dev->ops->close(dev->ops->ctx, *fd) < 0)
		ret = vfio_fail(dev, vfio_sys_err(), "close %s fd %d", what, *fd);
	*fd = -1;
	return ret;
}

/* What the live mappings pin, in bytes. */
static uint64_t dma_pinned(const struct vfio_dev *dev)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++)
		sum += dev->dma[i].size;
	return sum;
}

void vfio_memlock_hint(struct vfio_dev *dev, uint64_t size, char *hint,
		       size_t len)
{
	uint64_t limit, need = dma_pinned(dev) + size;
	uint64_t need_kib = (need + 1023) >> 10;

	if (dev->ops->memlock_limit(dev->ops->ctx, &limit) < 0)
		limit = 0;
	else if (limit == UINT64_MAX || limit >= need) {
		/* The limit covers us: something else holds the memory. */
		snprintf(hint, len,
			 "the locked-memory limit (%s%" PRIu64 " KiB) covers the %"
			 PRIu64 " KiB the DMA buffers need, but memory this user locked elsewhere counts against it too, or the IOMMU is out of mappings (vfio_iommu_type1 dma_entry_limit): raise it further (`ulimit -l unlimited`), or run as root",
			 limit == UINT64_MAX ? "unlimited, " : "",
			 limit == UINT64_MAX ? need_kib : limit >> 10, need_kib);
		return;
	}
	snprintf(hint, len,
		 "the locked-memory limit is %" PRIu64 " KiB and the DMA buffers need %"
		 PRIu64 " KiB: raise it with `ulimit -l %" PRIu64
		 "` (or run as root)",
		 limit >> 10, need_kib, need_kib);
}
