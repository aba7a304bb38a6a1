// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock VFIO kernel, driven through its raw operations table the way a
 * driver calls the kernel: each ioctl's success, and the error answers
 * Linux gives (drivers/vfio/container.c, group.c, vfio_iommu_type1.c,
 * pci/vfio_pci_core.c, pci/vfio_pci_intrs.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "mock_fixture.h"
#include "mock_vfio.h"
#include "revere.h"

struct fx {
	struct mock_fx mx;		/* the simulated device */
	const struct vfio_ops *ops;
	int container, group, device;
};

/* ---- helpers: the calls a driver makes, raw ---- */

static int xopen(struct fx *f, const char *path)
{
	return mock_fx_open(&f->mx, path);
}

static int xclose(struct fx *f, int fd)
{
	return mock_fx_close(&f->mx, fd);
}

static int xioctl(struct fx *f, int fd, unsigned long req, void *arg)
{
	return mock_fx_ioctl(&f->mx, fd, req, arg);
}

static int xioctl_int(struct fx *f, int fd, unsigned long req, unsigned long v)
{
	return xioctl(f, fd, req, (void *)(uintptr_t)v);
}

static struct mock_vfio_counters counters(struct fx *f)
{
	return mock_fx_counters(&f->mx);
}

static void fx_start(struct fx *f)
{
	mock_fx_start(&f->mx);
	f->ops = mock_vfio_ops(f->mx.m);
	f->container = f->group = f->device = -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	mock_fx_init(&f->mx);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mock_fx_stop(&f->mx);
	free(f);
	return 0;
}

/* Container and group, attached, IOMMU set: ready for a device. */
static void fx_attach(struct fx *f)
{
	if (!f->mx.m)
		fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	assert_true(f->container >= 0);
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_true(f->group >= 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
				&f->container), 0);
	assert_int_equal(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU), 0);
}

static void fx_device(struct fx *f)
{
	fx_attach(f);
	f->device = xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD,
			   (void *)mock_vfio_device_name(f->mx.m));
	assert_true(f->device >= 0);
}

static void fx_close_all(struct fx *f)
{
	if (f->device >= 0)
		assert_int_equal(xclose(f, f->device), 0);
	if (f->group >= 0)
		assert_int_equal(xclose(f, f->group), 0);
	if (f->container >= 0)
		assert_int_equal(xclose(f, f->container), 0);
	f->container = f->group = f->device = -1;
	assert_int_equal(counters(f).fds_open, 0);
}

static int map_dma(struct fx *f, void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return xioctl(f, f->container, VFIO_IOMMU_MAP_DMA, &map);
}

static int unmap_dma(struct fx *f, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};
	int ret = xioctl(f, f->container, VFIO_IOMMU_UNMAP_DMA, &unmap);

	if (unmapped)
		*unmapped = unmap.size;
	return ret;
}

static uint64_t bar_read(struct fx *f, uint64_t off)
{
	uint64_t v = 0;

	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &v, 8,
				       REGION(VFIO_PCI_BAR0_REGION_INDEX) +
				       (off_t)off), 8);
	return v;
}

static void bar_write(struct fx *f, uint64_t off, uint64_t v)
{
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, &v, 8,
					REGION(VFIO_PCI_BAR0_REGION_INDEX) +
					(off_t)off), 8);
}

static bool summary_amu_enabled(struct fx *f)
{
	struct rv_model_summary s;

	mock_vfio_device_summary(f->mx.m, &s);
	return s.amu_enabled;
}

/* Wait (bounded, 2 s) for the device thread to act on a store. */
static bool wait_for(bool (*cond)(struct fx *), struct fx *f)
{
	const struct timespec tick = { .tv_nsec = 100000 };

	for (int i = 0; i < 20000; i++) {
		if (cond(f))
			return true;
		nanosleep(&tick, NULL);
	}
	return cond(f);
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* ---- open / close ---- */

static void test_open_paths(void **state)
{
	struct fx *f = *state;
	int c1, c2, g;

	fx_start(f);
	assert_errno(xopen(f, "/dev/vfio/7"), ENOENT);
	assert_errno(xopen(f, "/dev/null"), ENOENT);
	c1 = xopen(f, "/dev/vfio/vfio");
	c2 = xopen(f, "/dev/vfio/vfio");
	g = xopen(f, "/dev/vfio/42");
	assert_true(c1 >= 0 && c2 >= 0 && g >= 0);
	assert_true(c1 != c2 && c1 != g && c2 != g);
	/* Real descriptors: the numbers are taken in this process. */
	assert_true(fcntl(c1, F_GETFD) >= 0);
	assert_true(fcntl(g, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(counters(f).fds_open, 3);

	/* A group file is open once at a time (group.c: EBUSY). */
	assert_errno(xopen(f, "/dev/vfio/42"), EBUSY);
	assert_int_equal(xclose(f, g), 0);
	g = xopen(f, "/dev/vfio/42");
	assert_true(g >= 0);

	assert_int_equal(xclose(f, g), 0);
	assert_int_equal(xclose(f, c1), 0);
	assert_int_equal(xclose(f, c2), 0);
	assert_errno(xclose(f, c2), EBADF);
	assert_int_equal(counters(f).fds_open, 0);
	assert_int_equal(counters(f).calls[MOCK_OP_OPEN], 7);
}

/* ---- container ---- */

static void test_container(void **state)
{
	struct fx *f = *state;
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };

	fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	assert_int_equal(xioctl(f, f->container, VFIO_GET_API_VERSION, NULL),
			 VFIO_API_VERSION);
	assert_int_equal(xioctl_int(f, f->container, VFIO_CHECK_EXTENSION,
				    VFIO_TYPE1_IOMMU), 1);
	assert_int_equal(xioctl_int(f, f->container, VFIO_CHECK_EXTENSION,
				    VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(xioctl_int(f, f->container, VFIO_CHECK_EXTENSION,
				    VFIO_NOIOMMU_IOMMU), 0);

	/* Only a group gives the privilege to set an IOMMU. */
	assert_errno(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				VFIO_TYPE1v2_IOMMU), EINVAL);
	/* No IOMMU driver yet: nothing to pass the ioctl to. */
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_GET_INFO, &info),
		     EINVAL);
	assert_errno(xioctl(f, 9999, VFIO_GET_API_VERSION, NULL), EBADF);
	fx_close_all(f);
}

static void test_container_no_v2(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.type1v2 = false;
	fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_int_equal(xioctl_int(f, f->container, VFIO_CHECK_EXTENSION,
				    VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
				&f->container), 0);
	/* No driver offers v2: vfio_ioctl_set_iommu() ends with ENODEV. */
	assert_errno(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				VFIO_TYPE1v2_IOMMU), ENODEV);
	assert_int_equal(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				    VFIO_TYPE1_IOMMU), 0);
	/* Set once: a second SET_IOMMU is EINVAL. */
	assert_errno(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				VFIO_TYPE1_IOMMU), EINVAL);
	fx_close_all(f);
}

static void test_iommu_info(void **state)
{
	struct fx *f = *state;
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_type1_info small = {
		.argsz = offsetof(struct vfio_iommu_type1_info, iova_pgsizes),
	};

	fx_attach(f);
	assert_int_equal(xioctl(f, f->container, VFIO_IOMMU_GET_INFO, &info),
			 0);
	assert_true(info.flags & VFIO_IOMMU_INFO_PGSIZES);
	assert_int_equal(info.iova_pgsizes, f->mx.cfg.iova_pgsizes);
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_GET_INFO, &small),
		     EINVAL);
	assert_errno(xioctl(f, f->container, 0x3b99, NULL), ENOTTY);
	fx_close_all(f);
}

/* ---- group ---- */

static void test_group_status(void **state)
{
	struct fx *f = *state;
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_group_status small = { .argsz = 4 };

	fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE);
	assert_errno(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &small),
		     EINVAL);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
				&f->container), 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE |
				   VFIO_GROUP_FLAGS_CONTAINER_SET);
	assert_errno(xioctl(f, f->group, 0x3b99, NULL), ENOTTY);
	fx_close_all(f);
}

static void test_group_not_viable(void **state)
{
	struct fx *f = *state;
	struct vfio_group_status st = { .argsz = sizeof(st) };

	f->mx.cfg.group_viable = false;
	fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(st.flags & VFIO_GROUP_FLAGS_VIABLE, 0);
	/* iommu_group_claim_dma_owner() refuses: EBUSY. */
	assert_errno(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
			    &f->container), EBUSY);
	fx_close_all(f);
}

static void test_group_set_container(void **state)
{
	struct fx *f = *state;
	int closed;

	fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	closed = xopen(f, "/dev/vfio/vfio");
	assert_int_equal(xclose(f, closed), 0);

	assert_errno(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER, NULL),
		     EFAULT);
	assert_errno(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER, &closed),
		     EBADF);
	/* A file that is not a container. */
	assert_errno(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER, &f->group),
		     EBADFD);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
				&f->container), 0);
	assert_errno(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
			    &f->container), EINVAL);
	fx_close_all(f);
}

static void test_group_unset_container(void **state)
{
	struct fx *f = *state;
	int dev;

	fx_start(f);
	f->container = xopen(f, "/dev/vfio/vfio");
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_errno(xioctl(f, f->group, VFIO_GROUP_UNSET_CONTAINER, NULL),
		     EINVAL);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
				&f->container), 0);
	assert_int_equal(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU), 0);
	dev = xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD,
		     (void *)mock_vfio_device_name(f->mx.m));
	assert_true(dev >= 0);
	/* The device fd is another user of the container. */
	assert_errno(xioctl(f, f->group, VFIO_GROUP_UNSET_CONTAINER, NULL),
		     EBUSY);
	assert_int_equal(xclose(f, dev), 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_UNSET_CONTAINER, NULL),
			 0);
	/* The last group gone, the container has no IOMMU any more. */
	assert_errno(map_dma(f, NULL, IOVA, PG), EINVAL);
	assert_errno(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				VFIO_TYPE1v2_IOMMU), EINVAL);
	fx_close_all(f);
}

static void test_group_get_device_fd(void **state)
{
	struct fx *f = *state;
	struct vfio_group_status st = { .argsz = sizeof(st) };
	const char *name;
	int dev;

	fx_start(f);
	name = mock_vfio_device_name(f->mx.m);
	assert_string_equal(name, "0000:01:00.0");
	f->container = xopen(f, "/dev/vfio/vfio");
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	/* No container: vfio_df_group_open() says EINVAL. */
	assert_errno(xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD,
			    (void *)name), EINVAL);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_SET_CONTAINER,
				&f->container), 0);
	/* Container but no IOMMU: vfio_group_use_container() says EINVAL. */
	assert_errno(xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD,
			    (void *)name), EINVAL);
	assert_int_equal(xioctl_int(f, f->container, VFIO_SET_IOMMU,
				    VFIO_TYPE1v2_IOMMU), 0);
	/* An unknown name: vfio_device_get_from_name() says ENODEV. */
	assert_errno(xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD,
			    "0000:00:04.0"), ENODEV);
	assert_errno(xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD, NULL),
		     EFAULT);
	dev = xioctl(f, f->group, VFIO_GROUP_GET_DEVICE_FD, (void *)name);
	assert_true(dev >= 0 && fcntl(dev, F_GETFD) >= 0);
	assert_int_equal(counters(f).fds_open, 3);

	/*
	 * The device fd holds the group file: closing the group fd does not
	 * detach it, and the group cannot be opened again until then.
	 */
	assert_int_equal(xclose(f, f->group), 0);
	assert_errno(xopen(f, mock_vfio_group_path(f->mx.m)), EBUSY);
	assert_int_equal(xclose(f, dev), 0);
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_true(f->group >= 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE);
	fx_close_all(f);
}

/* ---- type1 DMA ---- */

static void test_map_dma(void **state)
{
	struct fx *f = *state;
	struct vfio_iommu_type1_dma_map map;
	uint8_t *buf;
	uint64_t done;

	fx_attach(f);
	buf = mock_fx_pages(4 * PG);
	assert_int_equal(map_dma(f, buf, IOVA, 2 * PG), 0);
	assert_int_equal(counters(f).dma_mappings, 1);
	assert_int_equal(counters(f).dma_bytes, 2 * PG);

	/* Overlapping IOVA ranges, at either end or inside: EEXIST. */
	assert_errno(map_dma(f, buf + 2 * PG, IOVA, PG), EEXIST);
	assert_errno(map_dma(f, buf + 2 * PG, IOVA + PG, 2 * PG), EEXIST);
	assert_errno(map_dma(f, buf + 2 * PG, IOVA - PG, 2 * PG), EEXIST);
	/* Adjacent is fine. */
	assert_int_equal(map_dma(f, buf + 2 * PG, IOVA + 2 * PG, PG), 0);

	/* Size 0, and anything not aligned to the smallest page: EINVAL. */
	assert_errno(map_dma(f, buf, 0x800000, 0), EINVAL);
	assert_errno(map_dma(f, buf + 8, 0x800000, PG), EINVAL);
	assert_errno(map_dma(f, buf, 0x800000 + 8, PG), EINVAL);
	assert_errno(map_dma(f, buf, 0x800000, PG + 8), EINVAL);

	/* Flags: unknown ones, or neither READ nor WRITE. */
	map = (struct vfio_iommu_type1_dma_map){
		.argsz = sizeof(map), .vaddr = (uintptr_t)buf,
		.iova = 0x800000, .size = PG,
		.flags = VFIO_DMA_MAP_FLAG_READ | (1u << 7),
	};
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_MAP_DMA, &map),
		     EINVAL);
	map.flags = 0;
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_MAP_DMA, &map),
		     EINVAL);
	map.flags = VFIO_DMA_MAP_FLAG_READ;
	map.argsz = offsetof(struct vfio_iommu_type1_dma_map, size);
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_MAP_DMA, &map),
		     EINVAL);
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_MAP_DMA, NULL),
		     EFAULT);
	/* An IOVA range that wraps around. */
	assert_errno(map_dma(f, buf, UINT64_MAX - PG + 1, 2 * PG), EOVERFLOW);
	assert_int_equal(counters(f).dma_mappings, 2);

	assert_int_equal(unmap_dma(f, IOVA, 2 * PG, &done), 0);
	assert_int_equal(done, 2 * PG);
	assert_int_equal(unmap_dma(f, IOVA + 2 * PG, PG, &done), 0);
	assert_int_equal(done, PG);
	assert_int_equal(counters(f).dma_mappings, 0);
	assert_int_equal(counters(f).dma_bytes, 0);
	fx_close_all(f);
	munmap(buf, 4 * PG);
}

static void test_map_dma_unmapped_memory(void **state)
{
	struct fx *f = *state;
	uint8_t *buf;

	fx_attach(f);
	buf = mock_fx_pages(2 * PG);
	munmap(buf + PG, PG);
	/* The kernel cannot pin what is not there. */
	assert_errno(map_dma(f, buf, IOVA, 2 * PG), EFAULT);
	assert_int_equal(counters(f).dma_mappings, 0);
	fx_close_all(f);
	munmap(buf, PG);
}

static void test_map_dma_memlock(void **state)
{
	struct fx *f = *state;
	uint8_t *buf;
	uint64_t done;

	f->mx.cfg.memlock_limit = 2 * PG;
	fx_attach(f);
	buf = mock_fx_pages(4 * PG);
	assert_int_equal(map_dma(f, buf, IOVA, PG), 0);
	/* 1 page pinned + 2 more > 2 pages of RLIMIT_MEMLOCK. */
	assert_errno(map_dma(f, buf + PG, IOVA + PG, 2 * PG), ENOMEM);
	assert_int_equal(map_dma(f, buf + PG, IOVA + PG, PG), 0);
	/* Unmapping gives the pages back. */
	assert_int_equal(unmap_dma(f, IOVA, PG, &done), 0);
	assert_int_equal(map_dma(f, buf + 2 * PG, IOVA + 2 * PG, PG), 0);
	fx_close_all(f);
	munmap(buf, 4 * PG);
}

static void test_map_dma_big_pages(void **state)
{
	struct fx *f = *state;
	uint8_t *buf;

	/* Smallest IOMMU page 64K: 4K-aligned is not enough. */
	f->mx.cfg.iova_pgsizes = 0x10000 | 0x200000;
	fx_attach(f);
	buf = mock_fx_pages(0x20000);
	assert_errno(map_dma(f, buf, IOVA, PG), EINVAL);
	assert_errno(map_dma(f, buf, IOVA + PG, 0x10000), EINVAL);
	fx_close_all(f);
	munmap(buf, 0x20000);
}

static void test_unmap_dma(void **state)
{
	struct fx *f = *state;
	struct vfio_iommu_type1_dma_unmap unmap;
	uint8_t *buf;
	uint64_t done = 1;

	fx_attach(f);
	buf = mock_fx_pages(4 * PG);
	assert_int_equal(map_dma(f, buf, IOVA, 2 * PG), 0);
	assert_int_equal(map_dma(f, buf + 2 * PG, IOVA + 2 * PG, 2 * PG), 0);

	/* Nothing there: success, 0 bytes. */
	assert_int_equal(unmap_dma(f, 0x800000, PG, &done), 0);
	assert_int_equal(done, 0);
	assert_errno(unmap_dma(f, IOVA, 0, NULL), EINVAL);
	assert_errno(unmap_dma(f, IOVA + 8, PG, NULL), EINVAL);
	/* TYPE1v2 does not split a mapping, at either end. */
	assert_errno(unmap_dma(f, IOVA + PG, PG, NULL), EINVAL);
	assert_errno(unmap_dma(f, IOVA, PG, NULL), EINVAL);
	assert_errno(unmap_dma(f, IOVA, 3 * PG, NULL), EINVAL);

	unmap = (struct vfio_iommu_type1_dma_unmap){
		.argsz = offsetof(struct vfio_iommu_type1_dma_unmap, size),
		.iova = IOVA, .size = 2 * PG,
	};
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_UNMAP_DMA, &unmap),
		     EINVAL);
	unmap.argsz = sizeof(unmap);
	unmap.flags = 1u << 9;
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_UNMAP_DMA, &unmap),
		     EINVAL);
	assert_int_equal(counters(f).dma_mappings, 2);

	/* Both mappings at once, and the size reported is their sum. */
	assert_int_equal(unmap_dma(f, IOVA, 4 * PG, &done), 0);
	assert_int_equal(done, 4 * PG);
	assert_int_equal(counters(f).dma_mappings, 0);

	/* UNMAP_ALL: iova and size must be 0. */
	assert_int_equal(map_dma(f, buf, IOVA, PG), 0);
	unmap = (struct vfio_iommu_type1_dma_unmap){
		.argsz = sizeof(unmap), .flags = VFIO_DMA_UNMAP_FLAG_ALL,
		.size = PG,
	};
	assert_errno(xioctl(f, f->container, VFIO_IOMMU_UNMAP_DMA, &unmap),
		     EINVAL);
	unmap.size = 0;
	assert_int_equal(xioctl(f, f->container, VFIO_IOMMU_UNMAP_DMA,
				&unmap), 0);
	assert_int_equal(unmap.size, PG);
	fx_close_all(f);
	munmap(buf, 4 * PG);
}

/* Device DMA translates through the mappings, and nowhere else. */
static void test_device_dma(void **state)
{
	struct fx *f = *state;
	uint8_t *buf, out[16];

	fx_attach(f);
	buf = mock_fx_pages(4 * PG);
	memset(buf, 0xab, 4 * PG);
	assert_int_equal(map_dma(f, buf, IOVA, PG), 0);
	assert_int_equal(map_dma(f, buf + PG, IOVA + PG, PG), 0);

	assert_int_equal(mock_vfio_dma_write(f->mx.m, IOVA + 100, "revere", 6), 0);
	assert_memory_equal(buf + 100, "revere", 6);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + 100, out, 6), 0);
	assert_memory_equal(out, "revere", 6);
	/* The last bytes of a mapping, then one byte over. */
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + PG - 16, out, 16), 0);
	/* Across two mappings (even adjacent ones): an IOMMU fault. */
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + PG - 8, out, 16), -1);
	assert_int_equal(mock_vfio_dma_write(f->mx.m, IOVA - 8, out, 16), -1);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + 2 * PG, out, 1), -1);
	assert_int_equal(buf[PG - 8 - 1], 0xab);

	/* Unmapped: gone for the device too. */
	assert_int_equal(unmap_dma(f, IOVA, PG, NULL), 0);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + 100, out, 6), -1);
	/* Group detached: the container's IOMMU and mappings are gone. */
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + PG, out, 6), 0);
	assert_int_equal(xclose(f, f->group), 0);
	f->group = -1;
	assert_int_equal(counters(f).dma_mappings, 0);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + PG, out, 6), -1);
	fx_close_all(f);
	munmap(buf, 4 * PG);
}

/* ---- device ---- */

static void test_device_info(void **state)
{
	struct fx *f = *state;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_device_info small = { .argsz = 8 };

	fx_device(f);
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags,
			 VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(info.num_irqs, VFIO_PCI_NUM_IRQS);
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_GET_INFO, &small),
		     EINVAL);
	assert_errno(xioctl(f, f->device, 0x3b99, NULL), ENOTTY);
	fx_close_all(f);
}

static void test_region_info(void **state)
{
	struct fx *f = *state;
	struct vfio_region_info ri = { .argsz = sizeof(ri) };

	fx_device(f);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_REGION_INFO,
				&ri), 0);
	assert_int_equal(ri.offset, (uint64_t)REGION(VFIO_PCI_CONFIG_REGION_INDEX));
	assert_int_equal(ri.flags, VFIO_REGION_INFO_FLAG_READ |
				   VFIO_REGION_INFO_FLAG_WRITE);
	assert_true(ri.size >= 256);

	ri = (struct vfio_region_info){ .argsz = sizeof(ri),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_REGION_INFO,
				&ri), 0);
	assert_int_equal(ri.offset, 0);
	assert_int_equal(ri.size, RV_MODEL_BAR0_SIZE);
	assert_int_equal(ri.flags, VFIO_REGION_INFO_FLAG_READ |
				   VFIO_REGION_INFO_FLAG_WRITE |
				   VFIO_REGION_INFO_FLAG_MMAP);

	/* An absent BAR: size 0. */
	ri = (struct vfio_region_info){ .argsz = sizeof(ri), .index = 2 };
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_REGION_INFO,
				&ri), 0);
	assert_int_equal(ri.size, 0);
	assert_int_equal(ri.offset, (uint64_t)REGION(2));

	ri = (struct vfio_region_info){ .argsz = sizeof(ri),
					.index = VFIO_PCI_NUM_REGIONS };
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_GET_REGION_INFO, &ri),
		     EINVAL);
	ri = (struct vfio_region_info){
		.argsz = offsetof(struct vfio_region_info, offset),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_GET_REGION_INFO, &ri),
		     EINVAL);
	fx_close_all(f);
}

static void test_region_info_no_mmap(void **state)
{
	struct fx *f = *state;
	struct vfio_region_info ri = {
		.argsz = sizeof(ri), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};

	f->mx.cfg.bar0_mmap = false;
	fx_device(f);
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_REGION_INFO,
				&ri), 0);
	assert_int_equal(ri.flags & VFIO_REGION_INFO_FLAG_MMAP, 0);
	/* vfio_pci_core_mmap(): no mmap support, EINVAL. */
	errno = 0;
	assert_ptr_equal(f->ops->mmap(f->ops->ctx, RV_MODEL_BAR0_SIZE,
				      PROT_READ | PROT_WRITE, MAP_SHARED,
				      f->device, 0), MAP_FAILED);
	assert_int_equal(errno, EINVAL);
	fx_close_all(f);
}

static void test_config_space(void **state)
{
	struct fx *f = *state;
	const off_t cfg = REGION(VFIO_PCI_CONFIG_REGION_INDEX);
	struct rv_model_summary s;
	uint16_t ids[2], cmd;
	uint8_t b;

	fx_device(f);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, ids, 4, cfg),
			 4);
	assert_int_equal(ids[0], 0x13b5);
	assert_int_equal(ids[1], 0xff81);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &cmd, 2,
				       cfg + PCI_COMMAND), 2);
	assert_int_equal(cmd & PCI_COMMAND_MASTER, 0);

	cmd |= PCI_COMMAND_MASTER;
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, &cmd, 2,
					cfg + PCI_COMMAND), 2);
	mock_vfio_device_summary(f->mx.m, &s);
	assert_true(s.bus_master);
	/* A byte write of the low half of COMMAND reaches the device too. */
	b = (uint8_t)(cmd & ~PCI_COMMAND_MASTER);
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, &b, 1,
					cfg + PCI_COMMAND), 1);
	mock_vfio_device_summary(f->mx.m, &s);
	assert_false(s.bus_master);
	/* IDs are read-only. */
	ids[0] = 0;
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, ids, 2, cfg),
			 2);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, ids, 2, cfg),
			 2);
	assert_int_equal(ids[0], 0x13b5);
	/* Past the end of config space: vfio_config_do_rw() says EFAULT. */
	assert_errno(f->ops->pread(f->ops->ctx, f->device, ids, 4,
				   cfg + 4094), EFAULT);
	/* A region that does not exist; a file that is not a device. */
	assert_errno(f->ops->pread(f->ops->ctx, f->device, ids, 4,
				   REGION(VFIO_PCI_NUM_REGIONS)), EINVAL);
	assert_errno(f->ops->pread(f->ops->ctx, f->group, ids, 4, 0), EINVAL);
	fx_close_all(f);
}

/*
 * What vfio-pci presents for a PCIe endpoint (sim/rv_pci_cfg.c): 4 KiB, a
 * PCI Express capability, then MSI-X (spec 8.11), BAR sizing, and only the
 * COMMAND bits the device implements.
 */
static void test_config_space_layout(void **state)
{
	struct fx *f = *state;
	const off_t cfg = REGION(VFIO_PCI_CONFIG_REGION_INDEX);
	uint32_t bar[2] = { 0xffffffffu, 0xffffffffu };
	uint16_t cmd = 0xffff, st, flags = 0xffff;
	uint32_t table, pba;
	uint8_t cap[3];

	fx_device(f);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, cap, 1,
				       cfg + 4095), 1);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &st, 2,
				       cfg + PCI_STATUS), 2);
	assert_true(st & PCI_STATUS_CAP_LIST);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, cap, 1,
				       cfg + PCI_CAPABILITY_LIST), 1);
	assert_int_equal(cap[0], 0x40);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, cap, 3,
				       cfg + 0x40), 3);
	assert_int_equal(cap[0], PCI_CAP_ID_EXP);
	assert_int_equal(cap[1], 0x80);
	assert_int_equal(cap[2] & PCI_EXP_FLAGS_VERS, 2);
	assert_int_equal((cap[2] & PCI_EXP_FLAGS_TYPE) >> 4,
			 PCI_EXP_TYPE_ENDPOINT);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, cap, 2,
				       cfg + 0x80), 2);
	assert_int_equal(cap[0], PCI_CAP_ID_MSIX);
	assert_int_equal(cap[1], 0);			/* the last capability */
	/* 8 vectors; only enable and function mask are software's. */
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, &flags, 2,
					cfg + 0x80 + PCI_MSIX_FLAGS), 2);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &flags, 2,
				       cfg + 0x80 + PCI_MSIX_FLAGS), 2);
	assert_int_equal(flags, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL |
				(8 - 1));
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &table, 4,
				       cfg + 0x80 + PCI_MSIX_TABLE), 4);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &pba, 4,
				       cfg + 0x80 + PCI_MSIX_PBA), 4);
	assert_int_equal(table, 0xf0000u);		/* BIR 0 */
	assert_int_equal(pba, 0xf8000u);
	/* Sizing: all ones in, 1 MiB's complement and the type bits out. */
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, bar, 8,
					cfg + PCI_BASE_ADDRESS_0), 8);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, bar, 8,
				       cfg + PCI_BASE_ADDRESS_0), 8);
	assert_int_equal(bar[0], 0xfff00000u | PCI_BASE_ADDRESS_MEM_TYPE_64);
	assert_int_equal(bar[1], 0xffffffffu);
	/* COMMAND: memory, master, parity, SERR; no I/O, no INTx. */
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, &cmd, 2,
					cfg + PCI_COMMAND), 2);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &cmd, 2,
				       cfg + PCI_COMMAND), 2);
	assert_int_equal(cmd, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			      PCI_COMMAND_PARITY | PCI_COMMAND_SERR);
	fx_close_all(f);
}

static void test_bar_rw(void **state)
{
	struct fx *f = *state;
	const off_t bar = REGION(VFIO_PCI_BAR0_REGION_INDEX);
	uint32_t half;
	uint64_t v;

	fx_device(f);
	assert_int_equal(bar_read(f, RV_AMU_AIDR), 0x20);
	bar_write(f, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	assert_int_equal(bar_read(f, RV_AMU_CR), RV_AMU_CR_AMU_EN);
	assert_true(summary_amu_enabled(f));

	/* Aligned 32-bit reads: half a register. */
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &half, 4,
				       bar + RV_AMU_AIDR), 4);
	assert_int_equal(half, 0x20);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &half, 4,
				       bar + RV_AMU_AIDR + 4), 4);
	assert_int_equal(half, 0);
	/* 32-bit writes are refused (see mock_bar.c), as are odd sizes. */
	assert_errno(f->ops->pwrite(f->ops->ctx, f->device, &half, 4,
				    bar + RV_AMU_CR), EINVAL);
	assert_errno(f->ops->pread(f->ops->ctx, f->device, &v, 8,
				   bar + RV_AMU_CR + 4), EINVAL);
	assert_errno(f->ops->pread(f->ops->ctx, f->device, &v, 2,
				   bar + RV_AMU_CR), EINVAL);
	assert_errno(f->ops->pread(f->ops->ctx, f->device, &v, 8,
				   bar + RV_MODEL_BAR0_SIZE), EINVAL);
	assert_true(summary_amu_enabled(f));
	fx_close_all(f);
}

static bool cr_in_model(struct fx *f)
{
	return summary_amu_enabled(f);
}

static void test_bar_mmap(void **state)
{
	struct fx *f = *state;
	volatile uint64_t *regs;
	void *p;

	fx_device(f);
	/* Neither the config region, nor a private mapping, nor past BAR0. */
	errno = 0;
	assert_ptr_equal(f->ops->mmap(f->ops->ctx, PG, PROT_READ, MAP_SHARED,
				      f->device,
				      REGION(VFIO_PCI_CONFIG_REGION_INDEX)),
			 MAP_FAILED);
	assert_int_equal(errno, EINVAL);
	assert_ptr_equal(f->ops->mmap(f->ops->ctx, RV_MODEL_BAR0_SIZE,
				      PROT_READ, MAP_PRIVATE, f->device, 0),
			 MAP_FAILED);
	assert_ptr_equal(f->ops->mmap(f->ops->ctx, 2 * RV_MODEL_BAR0_SIZE,
				      PROT_READ, MAP_SHARED, f->device, 0),
			 MAP_FAILED);
	errno = 0;
	assert_ptr_equal(f->ops->mmap(f->ops->ctx, PG, PROT_READ, MAP_SHARED,
				      f->group, 0), MAP_FAILED);
	assert_int_equal(errno, ENODEV);

	p = f->ops->mmap(f->ops->ctx, RV_MODEL_BAR0_SIZE,
			 PROT_READ | PROT_WRITE, MAP_SHARED, f->device, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(counters(f).bar_mmaps, 1);
	regs = p;
	assert_int_equal(regs[RV_AMU_AIDR / 8], 0x20);
	mock_fx_bar_store(regs, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	assert_true(wait_for(cr_in_model, f));
	/* The same register through pread sees the store too. */
	assert_int_equal(bar_read(f, RV_AMU_CR), RV_AMU_CR_AMU_EN);

	/*
	 * The mapping keeps the device open after its fd is closed, as a
	 * VMA holds the file; munmap then releases it.
	 */
	assert_int_equal(xclose(f, f->device), 0);
	f->device = -1;
	assert_errno(xioctl(f, f->group, VFIO_GROUP_UNSET_CONTAINER, NULL),
		     EBUSY);
	assert_errno(f->ops->munmap(f->ops->ctx, p, PG), EINVAL);
	assert_int_equal(f->ops->munmap(f->ops->ctx, p, RV_MODEL_BAR0_SIZE),
			 0);
	assert_int_equal(counters(f).bar_mmaps, 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_UNSET_CONTAINER, NULL),
			 0);
	fx_close_all(f);
}

/* Stores made just before munmap still reach the device. */
static void test_bar_mmap_last_store(void **state)
{
	struct fx *f = *state;
	volatile uint64_t *regs;

	fx_device(f);
	for (int i = 0; i < 50; i++) {
		regs = f->ops->mmap(f->ops->ctx, RV_MODEL_BAR0_SIZE,
				    PROT_READ | PROT_WRITE, MAP_SHARED,
				    f->device, 0);
		assert_true(regs != MAP_FAILED);
		mock_fx_bar_store(regs, RV_AMU_CR, i & 1 ? RV_AMU_CR_AMU_EN : 0);
		assert_int_equal(f->ops->munmap(f->ops->ctx, (void *)regs,
						RV_MODEL_BAR0_SIZE), 0);
		assert_int_equal(summary_amu_enabled(f), i & 1);
	}
	fx_close_all(f);
}

static void test_reset(void **state)
{
	struct fx *f = *state;
	const off_t cfg = REGION(VFIO_PCI_CONFIG_REGION_INDEX);
	uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	struct rv_model_summary s;

	fx_device(f);
	assert_int_equal(f->ops->pwrite(f->ops->ctx, f->device, &cmd, 2,
					cfg + PCI_COMMAND), 2);
	bar_write(f, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	bar_write(f, RV_MSK_BASE_PTR(0), IOVA);
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_RESET, NULL), 0);
	/* Spec 8.10: all to power-on, identification kept. */
	assert_int_equal(bar_read(f, RV_AMU_CR), 0);
	assert_int_equal(bar_read(f, RV_MSK_BASE_PTR(0)), 0);
	assert_int_equal(bar_read(f, RV_AMU_AIDR), 0x20);
	/* vfio-pci restores config space around the reset. */
	cmd = 0;
	assert_int_equal(f->ops->pread(f->ops->ctx, f->device, &cmd, 2,
				       cfg + PCI_COMMAND), 2);
	assert_true(cmd & PCI_COMMAND_MASTER);
	mock_vfio_device_summary(f->mx.m, &s);
	assert_true(s.bus_master);
	assert_false(s.amu_enabled);
	fx_close_all(f);
}

static void test_reset_unsupported(void **state)
{
	struct fx *f = *state;
	struct vfio_device_info info = { .argsz = sizeof(info) };

	f->mx.cfg.reset = false;
	fx_device(f);
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags & VFIO_DEVICE_FLAGS_RESET, 0);
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_RESET, NULL), EINVAL);
	fx_close_all(f);
}

/* ---- interrupts ---- */

static void test_irq_info(void **state)
{
	struct fx *f = *state;
	struct vfio_irq_info ii = {
		.argsz = sizeof(ii), .index = VFIO_PCI_MSIX_IRQ_INDEX,
	};

	fx_device(f);
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_IRQ_INFO, &ii),
			 0);
	assert_int_equal(ii.count, 8);
	assert_int_equal(ii.flags, VFIO_IRQ_INFO_EVENTFD |
				   VFIO_IRQ_INFO_NORESIZE);
	ii.index = VFIO_PCI_INTX_IRQ_INDEX;
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_IRQ_INFO, &ii),
			 0);
	assert_true(ii.flags & VFIO_IRQ_INFO_MASKABLE);
	/* The device request: one eventfd, as vfio-pci offers it. */
	ii.index = VFIO_PCI_REQ_IRQ_INDEX;
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_GET_IRQ_INFO, &ii),
			 0);
	assert_int_equal(ii.count, 1);
	assert_int_equal(ii.flags, VFIO_IRQ_INFO_EVENTFD |
				   VFIO_IRQ_INFO_NORESIZE);
	ii.index = VFIO_PCI_NUM_IRQS;
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_GET_IRQ_INFO, &ii),
		     EINVAL);
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	ii.argsz = offsetof(struct vfio_irq_info, count);
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_GET_IRQ_INFO, &ii),
		     EINVAL);
	fx_close_all(f);
}

/* A vfio_irq_set with room for 16 eventfds after it. */
union irq_set_buf {
	struct vfio_irq_set set;
	char bytes[sizeof(struct vfio_irq_set) + 16 * sizeof(int32_t)];
};

static int set_irqs(struct fx *f, uint32_t index, uint32_t flags,
		    uint32_t start, uint32_t count, const int32_t *fds)
{
	union irq_set_buf b;

	b.set = (struct vfio_irq_set){
		.argsz = sizeof(b.set) +
			 (flags & VFIO_IRQ_SET_DATA_EVENTFD ?
			  count * sizeof(int32_t) : 0),
		.flags = flags,
		.index = index,
		.start = start,
		.count = count,
	};
	if (fds)
		memcpy(b.set.data, fds, count * sizeof(int32_t));
	return xioctl(f, f->device, VFIO_DEVICE_SET_IRQS, &b.set);
}

#define EVT (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define OFF (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)

static void test_set_irqs(void **state)
{
	struct fx *f = *state;
	const uint32_t msix = VFIO_PCI_MSIX_IRQ_INDEX;
	int32_t fds[4], bad[1];
	union irq_set_buf b;
	uint64_t n;

	fx_device(f);
	for (int i = 0; i < 4; i++) {
		fds[i] = f->ops->eventfd(f->ops->ctx, 0, EFD_CLOEXEC |
					 EFD_NONBLOCK);
		assert_true(fds[i] >= 0);
	}
	assert_int_equal(counters(f).fds_open, 3 + 4);

	/* Disabling what is not enabled. */
	assert_errno(set_irqs(f, msix, OFF, 0, 0, NULL), EINVAL);
	/* Validation: argsz, flags, ranges, index. */
	b.set = (struct vfio_irq_set){
		.argsz = offsetof(struct vfio_irq_set, count), .flags = EVT,
		.index = msix, .count = 1,
	};
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_SET_IRQS, &b.set),
		     EINVAL);
	b.set.argsz = sizeof(b.set);	/* no room for the one fd */
	assert_errno(xioctl(f, f->device, VFIO_DEVICE_SET_IRQS, &b.set),
		     EINVAL);
	assert_errno(set_irqs(f, msix, EVT | (1u << 9), 0, 1, fds), EINVAL);
	assert_errno(set_irqs(f, msix, VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_DATA_BOOL |
			      VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, fds), EINVAL);
	assert_errno(set_irqs(f, msix, EVT, 7, 2, fds), EINVAL);
	assert_errno(set_irqs(f, VFIO_PCI_NUM_IRQS, EVT, 0, 1, fds), EINVAL);
	/* Not an eventfd; not a file at all. */
	bad[0] = f->group;
	assert_errno(set_irqs(f, msix, EVT, 0, 1, bad), EINVAL);
	bad[0] = 9999;
	assert_errno(set_irqs(f, msix, EVT, 0, 1, bad), EBADF);
	assert_int_equal(counters(f).irqs_routed, 0);

	assert_int_equal(set_irqs(f, msix, EVT, 0, 4, fds), 0);
	assert_int_equal(counters(f).irqs_routed, 4);
	/* MSI while MSI-X is on: EINVAL. */
	assert_errno(set_irqs(f, VFIO_PCI_MSI_IRQ_INDEX, EVT, 0, 1, fds),
		     EINVAL);

	/* The device signals vector 2: only its eventfd fires. */
	mock_vfio_msix(f->mx.m, 2);
	assert_true(fd_readable(fds[2], 1000));
	assert_false(fd_readable(fds[1], 0));
	assert_int_equal(read(fds[2], &n, sizeof(n)), sizeof(n));
	assert_int_equal(n, 1);
	/* A vector nobody routed is dropped. */
	mock_vfio_msix(f->mx.m, 6);

	/* Unroute vector 1 with fd -1; the kernel's reference is its own. */
	bad[0] = -1;
	assert_int_equal(set_irqs(f, msix, EVT, 1, 1, bad), 0);
	assert_int_equal(counters(f).irqs_routed, 3);
	/* Loopback trigger through DATA_NONE. */
	assert_int_equal(set_irqs(f, msix, OFF, 3, 1, NULL), 0);
	assert_true(fd_readable(fds[3], 1000));

	assert_int_equal(set_irqs(f, msix, OFF, 0, 0, NULL), 0);
	assert_int_equal(counters(f).irqs_routed, 0);
	mock_vfio_msix(f->mx.m, 0);
	assert_false(fd_readable(fds[0], 0));

	/* Device release drops the routing (vfio_pci_core_disable). */
	assert_int_equal(set_irqs(f, msix, EVT, 0, 2, fds), 0);
	assert_int_equal(xclose(f, f->device), 0);
	f->device = -1;
	assert_int_equal(counters(f).irqs_routed, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(xclose(f, fds[i]), 0);
	fx_close_all(f);
}

/* VFIO_PCI_REQ_IRQ_INDEX: one trigger, vfio-pci's rules for it. */
static void test_req_irq(void **state)
{
	struct fx *f = *state;
	const uint32_t req = VFIO_PCI_REQ_IRQ_INDEX;
	union irq_set_buf b;
	int32_t fd[2] = { -1, -1 }, none[1] = { -1 };
	uint64_t n;

	fx_device(f);
	fd[0] = f->ops->eventfd(f->ops->ctx, 0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(fd[0] >= 0);

	/* Nothing set: DATA_NONE is refused, asking tells nobody. */
	assert_errno(set_irqs(f, req, OFF, 0, 0, NULL), EINVAL);
	assert_errno(set_irqs(f, req, OFF, 0, 1, NULL), EINVAL);
	assert_false(mock_vfio_request(f->mx.m));
	/* One trigger only; it cannot be masked. */
	assert_errno(set_irqs(f, req, EVT, 0, 2, fd), EINVAL);
	assert_errno(set_irqs(f, req, EVT, 1, 1, fd), EINVAL);
	assert_errno(set_irqs(f, req, VFIO_IRQ_SET_DATA_EVENTFD |
			      VFIO_IRQ_SET_ACTION_MASK, 0, 1, fd), ENOTTY);

	assert_int_equal(set_irqs(f, req, EVT, 0, 1, fd), 0);
	assert_int_equal(counters(f).irqs_routed, 1);
	assert_true(mock_vfio_request(f->mx.m));
	assert_true(fd_readable(fd[0], 1000));
	assert_int_equal(read(fd[0], &n, sizeof(n)), sizeof(n));
	/* Loopback: DATA_NONE count 1, and DATA_BOOL true, fire it. */
	assert_int_equal(set_irqs(f, req, OFF, 0, 1, NULL), 0);
	assert_true(fd_readable(fd[0], 1000));
	assert_int_equal(read(fd[0], &n, sizeof(n)), sizeof(n));
	b.set = (struct vfio_irq_set){
		.argsz = sizeof(b.set) + 1, .index = req, .count = 1,
		.flags = VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	b.set.data[0] = 1;
	assert_int_equal(xioctl(f, f->device, VFIO_DEVICE_SET_IRQS, &b.set),
			 0);
	assert_true(fd_readable(fd[0], 1000));
	assert_int_equal(read(fd[0], &n, sizeof(n)), sizeof(n));

	/* fd -1 clears it, as QEMU does; clearing twice is fine. */
	assert_int_equal(set_irqs(f, req, EVT, 0, 1, none), 0);
	assert_int_equal(counters(f).irqs_routed, 0);
	assert_int_equal(set_irqs(f, req, EVT, 0, 1, none), 0);
	assert_false(mock_vfio_request(f->mx.m));
	assert_false(fd_readable(fd[0], 0));

	/* Device release drops it (vfio_pci_core_close_device). */
	assert_int_equal(set_irqs(f, req, EVT, 0, 1, fd), 0);
	assert_int_equal(xclose(f, f->device), 0);
	f->device = -1;
	assert_int_equal(counters(f).irqs_routed, 0);
	assert_false(mock_vfio_request(f->mx.m));
	assert_int_equal(counters(f).requests, 4);
	assert_int_equal(xclose(f, fd[0]), 0);
	fx_close_all(f);
}

/* ---- fault injection and counters ---- */

static void test_faults(void **state)
{
	struct fx *f = *state;
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct mock_vfio_counters c;

	f->mx.cfg.faults[0] = (struct mock_fault){
		.op = MOCK_OP_OPEN, .nth = 2, .err = EACCES,
	};
	f->mx.cfg.num_faults = 1;
	fx_start(f);
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_GROUP_GET_STATUS, 2, EIO);

	f->container = xopen(f, "/dev/vfio/vfio");
	assert_true(f->container >= 0);
	assert_errno(xopen(f, mock_vfio_group_path(f->mx.m)), EACCES);
	f->group = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_true(f->group >= 0);

	/* Only GET_STATUS calls count towards that fault. */
	assert_int_equal(xioctl(f, f->container, VFIO_GET_API_VERSION, NULL),
			 0);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(xioctl(f, f->container, VFIO_GET_API_VERSION, NULL),
			 0);
	assert_errno(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), EIO);
	assert_int_equal(xioctl(f, f->group, VFIO_GROUP_GET_STATUS, &st), 0);

	/* A failed close still releases the descriptor, as close(2) does. */
	mock_vfio_fail(f->mx.m, MOCK_OP_CLOSE, 0, 1, EIO);
	assert_errno(xclose(f, f->group), EIO);
	f->group = -1;
	c = counters(f);
	assert_int_equal(c.fds_open, 1);
	assert_int_equal(c.calls[MOCK_OP_OPEN], 3);
	assert_int_equal(c.calls[MOCK_OP_IOCTL], 5);
	assert_int_equal(c.calls[MOCK_OP_CLOSE], 1);

	mock_vfio_fail(f->mx.m, MOCK_OP_EVENTFD, 0, 1, EMFILE);
	assert_errno(f->ops->eventfd(f->ops->ctx, 0, 0), EMFILE);
	fx_close_all(f);
}

static void test_list_dir_and_memlock(void **state)
{
	struct fx *f = *state;
	char buf[64];
	uint64_t lim = 0;

	fx_start(f);
	assert_int_equal(f->ops->list_dir(f->ops->ctx,
					  "/sys/kernel/iommu_groups/42/devices",
					  buf, sizeof(buf)), 1);
	assert_string_equal(buf, "0000:01:00.0");
	assert_errno(f->ops->list_dir(f->ops->ctx,
				      "/sys/kernel/iommu_groups/1/devices",
				      buf, sizeof(buf)), ENOENT);
	assert_int_equal(f->ops->memlock_limit(f->ops->ctx, &lim), 0);
	assert_int_equal(lim, 64ull << 20);
}

/* Whatever a driver leaks, destroy releases (like process exit). */
static void test_destroy_with_everything_open(void **state)
{
	struct fx *f = *state;
	uint8_t *buf = mock_fx_pages(PG);
	void *p;

	fx_device(f);
	assert_int_equal(map_dma(f, buf, IOVA, PG), 0);
	p = f->ops->mmap(f->ops->ctx, RV_MODEL_BAR0_SIZE,
			 PROT_READ | PROT_WRITE, MAP_SHARED, f->device, 0);
	assert_true(p != MAP_FAILED);
	assert_true(f->ops->eventfd(f->ops->ctx, 0, 0) >= 0);
	mock_vfio_destroy(f->mx.m);
	f->mx.m = NULL;
	munmap(buf, PG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_open_paths),
		T(test_container),
		T(test_container_no_v2),
		T(test_iommu_info),
		T(test_group_status),
		T(test_group_not_viable),
		T(test_group_set_container),
		T(test_group_unset_container),
		T(test_group_get_device_fd),
		T(test_map_dma),
		T(test_map_dma_unmapped_memory),
		T(test_map_dma_memlock),
		T(test_map_dma_big_pages),
		T(test_unmap_dma),
		T(test_device_dma),
		T(test_device_info),
		T(test_region_info),
		T(test_region_info_no_mmap),
		T(test_config_space),
		T(test_config_space_layout),
		T(test_bar_rw),
		T(test_bar_mmap),
		T(test_bar_mmap_last_store),
		T(test_reset),
		T(test_reset_unsupported),
		T(test_irq_info),
		T(test_set_irqs),
		T(test_req_irq),
		T(test_faults),
		T(test_list_dir_and_memlock),
		T(test_destroy_with_everything_open),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
