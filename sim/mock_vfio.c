// SPDX-License-Identifier: BSD-3-Clause
/*
 * A mock VFIO kernel (see mock_vfio.h): container, group and device files
 * with the rules of Linux's drivers/vfio/{container,group,vfio_main}.c,
 * vfio_iommu_type1.c and vfio-pci, /dev/iommu and the device's cdev with
 * those of iommufd (mock_iommufd.c), and the Revere device model behind
 * the device fd. This file is its struct vfio_ops: each op takes the lock,
 * counts the call (and fails it if a fault is armed), finds the fd's
 * handle and hands the call to the file that plays that part of the
 * kernel (mock_vfio_impl.h lists them); and the mock's life cycle.
 *
 * File descriptors. Every container, group, device, iommufd and cdev fd
 * the mock hands out is a real descriptor: an open of /dev/null, so numbers never collide
 * with the process's other files, a leaked fd is a real leak (valgrind
 * --track-fds sees it), and running out of descriptors fails as it would.
 * Eventfds are real eventfd(2)s, so poll() and read() work on them.
 *
 * Objects follow the kernel's lifetimes: a group joined to a container
 * keeps the container (and its IOMMU and mappings) alive after the
 * container fd is closed; a device fd keeps its group file in use; a BAR
 * mapping keeps the device open after its fd is closed. Detaching the last
 * group from a container drops the IOMMU and every DMA mapping with it. A
 * device bound through its cdev keeps its iommufd context (IOASes and
 * mappings) alive after /dev/iommu is closed.
 *
 * Where the mock knowingly differs from Linux is said at the top of each
 * file: mock_type1.c (MAP_DMA flags), mock_pci.c (release of the device),
 * mock_bar.c (BAR0 access sizes and mappings), mock_iommufd.c (the
 * commands it offers).
 *
 * Locking: one mutex guards the whole mock, including the model, which is
 * called by the ops (pread/pwrite/ioctl) and by the BAR device thread.
 * The model's DMA and MSI-X callbacks run with it held.
 */
#include "mock_vfio_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iommufd_uapi.h"

#define MOCK_CONTAINER_PATH	"/dev/vfio/vfio"

/* ---- handles ---- */

struct handle *mock_handle_get(struct mock_vfio *m, int fd)
{
	if (fd < 0)
		return NULL;
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		if (m->h[i].type != H_FREE && m->h[i].fd == fd)
			return &m->h[i];
	return NULL;
}

/* A new handle backed by a real fd (an open of /dev/null). */
struct handle *mock_handle_new(struct mock_vfio *m, enum handle_type type)
{
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++) {
		struct handle *h = &m->h[i];
		int fd;

		if (h->type != H_FREE)
			continue;
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		*h = (struct handle){ .type = type, .fd = fd };
		return h;
	}
	errno = EMFILE;
	return NULL;
}

/* ---- the operations ---- */

/*
 * A device fd that reaches the device: the group's, or a cdev once bound
 * (vfio_device_fops_read() and the others refuse it before: EINVAL).
 */
static bool device_file_open(const struct handle *h)
{
	return h->type == H_DEVICE || (h->type == H_CDEV && h->bound);
}

static int mock_open(void *ctx, const char *path, int flags)
{
	struct mock_vfio *m = ctx;
	int err, fd;

	(void)flags;
	lock(m);
	if (mock_fault_hit(m, MOCK_OP_OPEN, 0, &err))
		fd = fail_errno(err);
	else if (!strcmp(path, MOCK_CONTAINER_PATH))
		fd = mock_container_open(m);
	else if (!strcmp(path, m->group_path))
		fd = mock_group_open(m);
	else if (m->cfg.iommufd && !strcmp(path, MOCK_IOMMUFD_PATH))
		fd = mock_iommufd_open(m);
	else if (m->cfg.iommufd && !strcmp(path, m->cdev_path))
		fd = mock_cdev_open(m);
	else
		fd = fail_errno(ENOENT);
	unlock(m);
	return fd;
}

static int mock_close(void *ctx, int fd)
{
	struct mock_vfio *m = ctx;
	struct handle *h;
	int err = 0;

	lock(m);
	/* Like close(2), an error still releases the descriptor. */
	mock_fault_hit(m, MOCK_OP_CLOSE, 0, &err);
	h = mock_handle_get(m, fd);
	if (!h) {
		unlock(m);
		return fail_errno(EBADF);
	}
	switch (h->type) {
	case H_CONTAINER:
		mock_container_put(h->c);
		break;
	case H_GROUP:
		mock_group_put(m);
		break;
	case H_DEVICE:
		mock_device_put(m);
		break;
	case H_IOMMUFD:
		mock_iommufd_put(m, h->ictx);
		break;
	case H_CDEV:
		mock_cdev_release(m, h);
		break;
	case H_EVENTFD:
	case H_FREE:
		break;
	}
	close(h->fd);
	*h = (struct handle){ .type = H_FREE, .fd = -1 };
	unlock(m);
	return err ? fail_errno(err) : 0;
}

static int mock_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	struct mock_vfio *m = ctx;
	struct handle *h;
	int err, ret;

	lock(m);
	if (mock_fault_hit(m, MOCK_OP_IOCTL, request, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	h = mock_handle_get(m, fd);
	if (!h)
		ret = fail_errno(EBADF);
	else if (h->type == H_CONTAINER)
		ret = mock_container_ioctl(m, h->c, request, arg);
	else if (h->type == H_GROUP)
		ret = mock_group_ioctl(m, request, arg);
	else if (h->type == H_DEVICE && request == VFIO_DEVICE_BIND_IOMMUFD)
		ret = mock_cdev_bind(m, NULL, arg);	/* the group's: EINVAL */
	else if (h->type == H_DEVICE)
		ret = mock_device_ioctl(m, request, arg);
	else if (h->type == H_IOMMUFD)
		ret = mock_iommufd_ioctl(m, h->ictx, request, arg);
	else if (h->type == H_CDEV)
		ret = mock_cdev_ioctl(m, h, request, arg);
	else
		ret = fail_errno(ENOTTY);
	unlock(m);
	return ret;
}

static ssize_t mock_rw(struct mock_vfio *m, enum mock_op op, int fd,
		       void *buf, size_t count, off_t off)
{
	struct handle *h;
	ssize_t ret;
	int err;

	lock(m);
	if (mock_fault_hit(m, op, 0, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	h = mock_handle_get(m, fd);
	if (!h)
		ret = fail_errno(EBADF);
	else if (!device_file_open(h) || off < 0)
		ret = fail_errno(EINVAL);
	else
		ret = mock_device_rw(m, buf, count, (uint64_t)off,
				op == MOCK_OP_PWRITE);
	unlock(m);
	return ret;
}

static ssize_t mock_pread(void *ctx, int fd, void *buf, size_t count,
			  off_t off)
{
	return mock_rw(ctx, MOCK_OP_PREAD, fd, buf, count, off);
}

static ssize_t mock_pwrite(void *ctx, int fd, const void *buf, size_t count,
			   off_t off)
{
	return mock_rw(ctx, MOCK_OP_PWRITE, fd, (void *)buf, count, off);
}

static void *mock_mmap(void *ctx, size_t length, int prot, int flags, int fd,
		       off_t off)
{
	struct mock_vfio *m = ctx;
	struct handle *h;
	void *p = MAP_FAILED;
	int err;

	(void)prot;
	lock(m);
	if (mock_fault_hit(m, MOCK_OP_MMAP, 0, &err)) {
		errno = err;
	} else if (!(h = mock_handle_get(m, fd))) {
		errno = EBADF;
	} else if (h->type != H_DEVICE && h->type != H_CDEV) {
		errno = ENODEV;		/* no mmap file operation */
	} else if (!device_file_open(h)) {
		errno = EINVAL;		/* a cdev before BIND_IOMMUFD */
	} else {
		p = mock_bar_mmap(m, length, flags, off);
	}
	unlock(m);
	return p;
}

static int mock_munmap(void *ctx, void *addr, size_t length)
{
	struct mock_vfio *m = ctx;
	int err;

	lock(m);
	if (mock_fault_hit(m, MOCK_OP_MUNMAP, 0, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	if (!mock_bar_is_mapping(m, addr, length)) {
		unlock(m);
		return fail_errno(EINVAL);
	}
	unlock(m);
	/* The device thread takes the lock: unmap without holding it. */
	mock_bar_unmap(m);
	return 0;
}

static int mock_eventfd(void *ctx, unsigned int initval, int flags)
{
	struct mock_vfio *m = ctx;
	int err, fd = -1;

	lock(m);
	if (mock_fault_hit(m, MOCK_OP_EVENTFD, 0, &err)) {
		errno = err;
		goto out;
	}
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++) {
		if (m->h[i].type != H_FREE)
			continue;
		fd = eventfd(initval, flags);
		if (fd >= 0)
			m->h[i] = (struct handle){ .type = H_EVENTFD, .fd = fd };
		goto out;
	}
	errno = EMFILE;
out:
	unlock(m);
	return fd;
}

/* Eventfds only; not under the lock, a blocking read would hold it. */
static ssize_t mock_read(void *ctx, int fd, void *buf, size_t count)
{
	struct mock_vfio *m = ctx;
	struct handle *h;
	int err;

	lock(m);
	if (mock_fault_hit(m, MOCK_OP_READ, 0, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	h = mock_handle_get(m, fd);
	err = !h ? EBADF : h->type != H_EVENTFD ? EINVAL : 0;
	unlock(m);
	if (err)
		return fail_errno(err);
	return read(fd, buf, count);
}

static int mock_list_dir(void *ctx, const char *path, char *buf, size_t len)
{
	struct mock_vfio *m = ctx;

	if (strcmp(path, m->sysfs_devices))
		return fail_errno(ENOENT);
	if (len)
		snprintf(buf, len, "%s", m->cfg.device_name);
	return 1;
}

static int mock_memlock_limit(void *ctx, uint64_t *bytes)
{
	struct mock_vfio *m = ctx;

	*bytes = m->cfg.memlock_limit;
	return 0;
}

/* ---- life cycle ---- */

struct mock_vfio *mock_vfio_create(const struct mock_vfio_config *cfg)
{
	struct mock_vfio *m = calloc(1, sizeof(*m));
	struct rv_model_host host;

	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->cfg.device_name[sizeof(m->cfg.device_name) - 1] = '\0';
	/* service_ns is the host's clock on the AHA (mock_bar.c). */
	m->cfg.model.aha_paced = cfg->service_ns != 0;
	host = (struct rv_model_host){
		.host = m,
		.dma_read = mock_host_dma_read,
		.dma_write = mock_host_dma_write,
		.dma_ptr = mock_host_dma_ptr,
		.msix = mock_host_msix,
		.index_moved = mock_bar_index_moved,
	};
	if (rv_model_init(&m->model, &m->cfg.model, &host) < 0) {
		free(m);
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	snprintf(m->group_path, sizeof(m->group_path), "/dev/vfio/%u",
		 cfg->group_id);
	snprintf(m->sysfs_devices, sizeof(m->sysfs_devices),
		 "/sys/kernel/iommu_groups/%u/devices", cfg->group_id);
	snprintf(m->cdev_path, sizeof(m->cdev_path),
		 "/dev/vfio/devices/vfio%u", cfg->cdev_id);
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		m->h[i].fd = -1;
	mock_pci_init(m);
	m->ops = (struct vfio_ops){
		.name = "mock",
		.ctx = m,
		.open = mock_open,
		.close = mock_close,
		.ioctl = mock_ioctl,
		.pread = mock_pread,
		.pwrite = mock_pwrite,
		.mmap = mock_mmap,
		.munmap = mock_munmap,
		.eventfd = mock_eventfd,
		.read = mock_read,
		.list_dir = mock_list_dir,
		.memlock_limit = mock_memlock_limit,
	};
	for (unsigned int i = 0; i < cfg->num_faults && i < MOCK_MAX_FAULTS;
	     i++)
		mock_vfio_fail(m, cfg->faults[i].op, cfg->faults[i].request,
			       cfg->faults[i].nth, cfg->faults[i].err);
	return m;
}

const struct vfio_ops *mock_vfio_ops(struct mock_vfio *m)
{
	return &m->ops;
}

void mock_vfio_target(const struct mock_vfio *m, struct vfio_target *t)
{
	enum vfio_target_kind kind = t->kind;

	*t = (struct vfio_target){ .kind = kind };
	/* Both names are short: u32s and the config's 64 bytes. */
	vfio_target_set_path(t, kind == VFIO_TARGET_CDEV ? m->cdev_path :
							m->group_path);
	vfio_target_set_device(t, m->cfg.device_name);
}

const char *mock_vfio_group_path(const struct mock_vfio *m)
{
	return m->group_path;
}

const char *mock_vfio_device_name(const struct mock_vfio *m)
{
	return m->cfg.device_name;
}

const char *mock_vfio_cdev_path(const struct mock_vfio *m)
{
	return m->cdev_path;
}

/* Like process exit: whatever the driver left open is released. */
void mock_vfio_destroy(struct mock_vfio *m)
{
	if (!m)
		return;
	lock(m);
	if (m->cfg.report)
		mock_report(m);
	unlock(m);
	mock_bar_release(m);
	mock_irqs_unroute(m);
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		if (m->h[i].type != H_FREE)
			close(m->h[i].fd);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

