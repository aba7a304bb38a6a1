/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO layer's system calls and error messages, shared by vfio.c, its
 * IOMMU backends (vfio_iommu.h) and its device transports
 * (vfio_device_io.h): one place that turns libc's -1 and
 * errno into -errno, and records "what failed, on what: strerror; hint"
 * in dev->err. Not part of the layer's interface.
 */
#ifndef REVERE_VFIO_SYS_H
#define REVERE_VFIO_SYS_H

#include "vfio.h"

/* errno of a failed operation, never 0 (an op that forgot errno is EIO). */
int vfio_sys_err(void);

/*
 * Record "what failed, on what: strerror" and, if this is the first error
 * (errmsg keeps the first one, the cause), the hint. Returns -err.
 */
int vfio_fail_hint(struct vfio_dev *dev, int err, const char *hint,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define vfio_fail(dev, err, ...) vfio_fail_hint(dev, err, NULL, __VA_ARGS__)

/* open(O_RDWR | O_CLOEXEC): the fd, or -errno. */
int vfio_sys_open(struct vfio_dev *dev, const char *path);

/* ioctl(): its non-negative result, or -errno. */
int vfio_sys_ioctl(struct vfio_dev *dev, int fd, unsigned long request,
		   void *arg);

/* Close *fd if open and mark it closed; a failed close still frees it. */
int vfio_sys_close(struct vfio_dev *dev, int *fd, const char *what);

/*
 * The hint for a DMA map that failed with ENOMEM: the locked-memory limit
 * against what the mappings, this one of size bytes included, pin.
 */
void vfio_memlock_hint(struct vfio_dev *dev, uint64_t size, char *hint,
		       size_t len);

#endif /* REVERE_VFIO_SYS_H */
