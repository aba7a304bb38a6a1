// SPDX-License-Identifier: BSD-3-Clause
#include "vfio_sys.h"

#include <errno.h>
#include <fcntl.h>
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
