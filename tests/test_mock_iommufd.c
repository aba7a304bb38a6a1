// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock's iommufd, driven through its raw operations table the way a
 * driver calls the kernel: /dev/iommu's commands and the device cdev's
 * bind, attach and detach, each one's success and the error answers Linux
 * gives (drivers/iommu/iommufd/, drivers/vfio/device_cdev.c, vfio_main.c,
 * group.c; the errnos of tools/testing/selftests/iommu/iommufd.c), the
 * device's DMA through the IOAS, the group and the cdev shutting each
 * other out, what outlives which fd, fault injection into each new
 * ioctl, and the counters and report line after a leak.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/vfio.h>

#include "iommufd_uapi.h"
#include "mock_fixture.h"
#include "mock_vfio.h"

#define BUF_SIZE	(16 * PG)	/* the tests' DMA memory */
#define MSI_START	0xfee00000ull	/* the default reserved window */
#define MSI_LAST	0xfeefffffull
#define APERTURE_LAST	((1ull << 48) - 1)

struct fx {
	struct mock_fx mx;		/* the simulated device */
	const struct vfio_ops *ops;
	int iommufd, cdev;
	uint32_t ioas, devid, hwpt;
	uint8_t *buf;			/* BUF_SIZE, page-aligned */
};

/* ---- helpers: the calls a driver makes, raw ---- */

#define xopen(f, path)		mock_fx_open(&(f)->mx, (path))
#define xclose(f, fd)		mock_fx_close(&(f)->mx, (fd))
#define xioctl(f, fd, req, arg)	mock_fx_ioctl(&(f)->mx, (fd), (req), (arg))

static struct mock_vfio_counters counters(struct fx *f)
{
	return mock_fx_counters(&f->mx);
}

static void fx_start(struct fx *f)
{
	mock_fx_start(&f->mx);
	f->ops = mock_vfio_ops(f->mx.m);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	mock_fx_init(&f->mx);
	f->iommufd = f->cdev = -1;
	f->buf = mock_fx_pages(BUF_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mock_fx_stop(&f->mx);
	munmap(f->buf, BUF_SIZE);
	free(f);
	return 0;
}

static uint32_t ioas_alloc(struct fx *f)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	assert_int_equal(xioctl(f, f->iommufd, IOMMU_IOAS_ALLOC, &cmd), 0);
	assert_true(cmd.out_ioas_id > 0);
	return cmd.out_ioas_id;
}

static int destroy(struct fx *f, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return xioctl(f, f->iommufd, IOMMU_DESTROY, &cmd);
}

/* IOMMU_IOAS_MAP with flags; *iova in (FIXED_IOVA) and out. */
static int map_flags(struct fx *f, uint32_t ioas, uint32_t flags,
		     const void *va, uint64_t length, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = *iova,
	};
	int ret = xioctl(f, f->iommufd, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return ret;
}

static int map_fixed(struct fx *f, uint32_t ioas, const void *va,
		     uint64_t length, uint64_t iova)
{
	return map_flags(f, ioas, IOMMU_IOAS_MAP_FIXED_IOVA |
			 IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			 va, length, &iova);
}

/* The kernel picks the IOVA (*iova out). */
static int map_auto(struct fx *f, uint32_t ioas, const void *va,
		    uint64_t length, uint64_t *iova)
{
	*iova = 0;
	return map_flags(f, ioas, IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE, va, length, iova);
}

static int unmap(struct fx *f, uint32_t ioas, uint64_t iova, uint64_t length,
		 uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = length,
	};
	int ret = xioctl(f, f->iommufd, IOMMU_IOAS_UNMAP, &cmd);

	if (unmapped)
		*unmapped = cmd.length;
	return ret;
}

/* IOMMU_IOAS_IOVA_RANGES into r[max]; *num is the count it said. */
static int ranges(struct fx *f, uint32_t ioas, struct iommu_iova_range *r,
		  uint32_t max, uint32_t *num, uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = max,
		.allowed_iovas = (uintptr_t)r,
	};
	int ret = xioctl(f, f->iommufd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	*num = cmd.num_iovas;
	if (align)
		*align = cmd.out_iova_alignment;
	return ret;
}

static int bind(struct fx *f, int cdev, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b),
		.iommufd = iommufd,
	};
	int ret = xioctl(f, cdev, VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (devid)
		*devid = b.out_devid;
	return ret;
}

/* ATTACH_IOMMUFD_PT to pt_id; *out is the pt_id that came back. */
static int attach(struct fx *f, uint32_t pt_id, uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at),
		.pt_id = pt_id,
	};
	int ret = xioctl(f, f->cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);

	if (out)
		*out = at.pt_id;
	return ret;
}

static int detach(struct fx *f)
{
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

	return xioctl(f, f->cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt);
}

/* /dev/iommu open with an IOAS; the device's cdev open and bound. */
static void fx_bound(struct fx *f)
{
	if (!f->mx.m)
		fx_start(f);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	assert_true(f->iommufd >= 0);
	f->ioas = ioas_alloc(f);
	f->cdev = xopen(f, mock_vfio_cdev_path(f->mx.m));
	assert_true(f->cdev >= 0);
	assert_int_equal(bind(f, f->cdev, f->iommufd, &f->devid), 0);
}

/* ...and attached to the IOAS. */
static void fx_attached(struct fx *f)
{
	fx_bound(f);
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
}

static void fx_close_all(struct fx *f)
{
	if (f->cdev >= 0)
		assert_int_equal(xclose(f, f->cdev), 0);
	if (f->iommufd >= 0)
		assert_int_equal(xclose(f, f->iommufd), 0);
	f->cdev = f->iommufd = -1;
	assert_int_equal(counters(f).fds_open, 0);
	assert_int_equal(counters(f).ioas_mappings, 0);
	assert_int_equal(counters(f).iommufd_bound, 0);
}

/* Container and group, attached, IOMMU set; the device fd returned. */
static int group_device(struct fx *f, int *container, int *group)
{
	int c = xopen(f, "/dev/vfio/vfio");
	int g = xopen(f, mock_vfio_group_path(f->mx.m));
	int dev;

	assert_true(c >= 0 && g >= 0);
	assert_int_equal(xioctl(f, g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(f->ops->ioctl(f->ops->ctx, c, VFIO_SET_IOMMU,
				       (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU),
			 0);
	dev = xioctl(f, g, VFIO_GROUP_GET_DEVICE_FD,
		     (void *)mock_vfio_device_name(f->mx.m));
	assert_true(dev >= 0);
	*container = c;
	*group = g;
	return dev;
}

/* ---- the files ---- */

static void test_open_paths(void **state)
{
	struct fx *f = *state;
	int a, b, c1, c2;

	fx_start(f);
	assert_string_equal(mock_vfio_cdev_path(f->mx.m),
			    "/dev/vfio/devices/vfio0");
	a = xopen(f, MOCK_IOMMUFD_PATH);
	b = xopen(f, MOCK_IOMMUFD_PATH);
	/* vfio_device_fops_cdev_open(): any number; only bind is once. */
	c1 = xopen(f, "/dev/vfio/devices/vfio0");
	c2 = xopen(f, "/dev/vfio/devices/vfio0");
	assert_true(a >= 0 && b >= 0 && c1 >= 0 && c2 >= 0);
	assert_true(fcntl(a, F_GETFD) & FD_CLOEXEC);
	assert_errno(xopen(f, "/dev/vfio/devices/vfio1"), ENOENT);
	assert_int_equal(counters(f).fds_open, 4);
	/* Neither file has an mmap. */
	assert_true(f->ops->mmap(f->ops->ctx, PG, PROT_READ, MAP_SHARED, a,
				 0) == MAP_FAILED);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(xclose(f, a), 0);
	assert_int_equal(xclose(f, b), 0);
	assert_int_equal(xclose(f, c1), 0);
	assert_int_equal(xclose(f, c2), 0);
	assert_int_equal(counters(f).fds_open, 0);
}

static void test_open_config(void **state)
{
	struct fx *f = *state;
	int g;

	f->mx.cfg.cdev_id = 3;
	fx_start(f);
	assert_string_equal(mock_vfio_cdev_path(f->mx.m),
			    "/dev/vfio/devices/vfio3");
	assert_errno(xopen(f, "/dev/vfio/devices/vfio0"), ENOENT);
	g = xopen(f, "/dev/vfio/devices/vfio3");
	assert_true(g >= 0);
	assert_int_equal(xclose(f, g), 0);
	mock_fx_stop(&f->mx);

	/* iommufd=0: a kernel without it; the group is still there. */
	f->mx.cfg.iommufd = false;
	fx_start(f);
	assert_errno(xopen(f, MOCK_IOMMUFD_PATH), ENOENT);
	assert_errno(xopen(f, "/dev/vfio/devices/vfio3"), ENOENT);
	g = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_true(g >= 0);
	assert_int_equal(xclose(f, g), 0);
}

/* ---- /dev/iommu: the command format (main.c: iommufd_fops_ioctl()) ---- */

static void test_ucmd(void **state)
{
	struct fx *f = *state;
	struct {
		struct iommu_destroy cmd;
		uint64_t future;
	} ex = { .cmd = { .size = sizeof(ex), .id = 0 } };
	struct iommu_ioas_alloc small = {
		.size = offsetof(struct iommu_ioas_alloc, out_ioas_id),
	};

	fx_start(f);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	assert_errno(xioctl(f, f->iommufd, IOMMU_DESTROY, NULL), EFAULT);
	assert_errno(xioctl(f, f->iommufd, _IO(IOMMUFD_TYPE, 0x7f), &ex),
		     ENOTTY);
	assert_errno(xioctl(f, f->iommufd, VFIO_DEVICE_GET_INFO, &ex),
		     ENOTTY);
	/* Object 0 is never one. */
	assert_errno(destroy(f, 0), ENOENT);
	/* A longer struct is fine while the rest is zero... */
	assert_errno(xioctl(f, f->iommufd, IOMMU_DESTROY, &ex), ENOENT);
	/* ...and E2BIG when it is not. */
	ex.future = 1;
	assert_errno(xioctl(f, f->iommufd, IOMMU_DESTROY, &ex), E2BIG);
	ex.cmd.size = sizeof(ex.cmd) - 1;
	assert_errno(xioctl(f, f->iommufd, IOMMU_DESTROY, &ex), EINVAL);
	/* Shorter than the last field the kernel needs: EINVAL. */
	assert_errno(xioctl(f, f->iommufd, IOMMU_IOAS_ALLOC, &small), EINVAL);
	/* Commands the mock does not offer. */
	assert_errno(xioctl(f, f->iommufd,
			    _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS),
			    &ex), ENOTTY);
	/* And /dev/iommu's commands mean nothing to other files. */
	assert_errno(xioctl(f, 9999, IOMMU_IOAS_ALLOC, &small), EBADF);
	fx_close_all(f);
}

/* ---- IOAS ---- */

static void test_ioas_alloc_destroy(void **state)
{
	struct fx *f = *state;
	struct iommu_ioas_alloc flags = { .size = sizeof(flags), .flags = 1 };
	uint32_t ids[4];

	fx_start(f);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	/* xa_alloc() from 1, lowest first. */
	for (unsigned int i = 0; i < 4; i++)
		ids[i] = ioas_alloc(f);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[3], 4);
	assert_errno(xioctl(f, f->iommufd, IOMMU_IOAS_ALLOC, &flags),
		     EOPNOTSUPP);
	/* The mock's limit on IOASes in a context. */
	assert_errno(xioctl(f, f->iommufd, IOMMU_IOAS_ALLOC,
			    &(struct iommu_ioas_alloc){ .size = 12 }), ENOMEM);
	assert_int_equal(destroy(f, ids[1]), 0);
	assert_errno(destroy(f, ids[1]), ENOENT);
	assert_int_equal(ioas_alloc(f), ids[1]);

	/* An IOAS goes with its mappings. */
	assert_int_equal(map_fixed(f, ids[0], f->buf, PG, IOVA), 0);
	assert_int_equal(map_fixed(f, ids[0], f->buf, PG, IOVA + PG), 0);
	assert_int_equal(counters(f).ioas_mappings, 2);
	assert_int_equal(counters(f).ioas_bytes, 2 * PG);
	assert_int_equal(destroy(f, ids[0]), 0);
	assert_int_equal(counters(f).ioas_mappings, 0);
	assert_errno(map_fixed(f, ids[0], f->buf, PG, IOVA), ENOENT);

	/* Contexts are apart: ids are per context. */
	{
		int other = xopen(f, MOCK_IOMMUFD_PATH);
		struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

		assert_int_equal(xioctl(f, other, IOMMU_IOAS_ALLOC, &cmd), 0);
		assert_int_equal(cmd.out_ioas_id, 1);
		assert_int_equal(xclose(f, other), 0);
	}
	fx_close_all(f);
}

static void test_iova_ranges(void **state)
{
	struct fx *f = *state;
	struct {
		struct iommu_iova_range r[4];
	} p;
	struct iommu_ioas_iova_ranges rsv = {
		.size = sizeof(rsv), .__reserved = 1,
	};
	uint64_t align;
	uint32_t num;

	fx_bound(f);
	/* A fresh IOAS: the whole space, any alignment. */
	memset(&p, 0xaa, sizeof(p));
	assert_int_equal(ranges(f, f->ioas, p.r, 4, &num, &align), 0);
	assert_int_equal(num, 1);
	assert_int_equal(p.r[0].start, 0);
	assert_int_equal(p.r[0].last, UINT64_MAX);
	assert_int_equal(align, 1);
	/* Too small an array: EMSGSIZE, with the count it needs. */
	memset(&p, 0, sizeof(p));
	assert_errno(ranges(f, f->ioas, p.r, 0, &num, NULL), EMSGSIZE);
	assert_int_equal(num, 1);
	assert_int_equal(p.r[0].last, 0);
	assert_errno(ranges(f, f->ioas, NULL, 1, &num, NULL), EFAULT);
	assert_errno(ranges(f, 77, p.r, 4, &num, NULL), ENOENT);
	assert_errno(xioctl(f, f->iommufd, IOMMU_IOAS_IOVA_RANGES, &rsv),
		     EOPNOTSUPP);

	/* Attached: the domain's aperture less the MSI window, 4K. */
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(ranges(f, f->ioas, p.r, 4, &num, &align), 0);
	assert_int_equal(num, 2);
	assert_int_equal(p.r[0].start, 0);
	assert_int_equal(p.r[0].last, MSI_START - 1);
	assert_int_equal(p.r[1].start, MSI_LAST + 1);
	assert_int_equal(p.r[1].last, APERTURE_LAST);
	assert_int_equal(align, PG);
	memset(&p, 0, sizeof(p));
	assert_errno(ranges(f, f->ioas, p.r, 1, &num, NULL), EMSGSIZE);
	assert_int_equal(num, 2);
	assert_int_equal(p.r[0].last, MSI_START - 1);
	assert_int_equal(p.r[1].last, 0);

	/* Detached, it widens again. */
	assert_int_equal(detach(f), 0);
	assert_int_equal(ranges(f, f->ioas, p.r, 4, &num, &align), 0);
	assert_int_equal(num, 1);
	assert_int_equal(align, 1);
	fx_close_all(f);
}

static void test_iova_ranges_config(void **state)
{
	struct fx *f = *state;
	struct iommu_iova_range r[4];
	uint32_t num;

	/* No reserved region, a 32-bit aperture. */
	f->mx.cfg.iova_resv_len = 0;
	f->mx.cfg.iova_aperture_last = 0xffffffff;
	fx_attached(f);
	assert_int_equal(ranges(f, f->ioas, r, 4, &num, NULL), 0);
	assert_int_equal(num, 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, 0xffffffff);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, 1ull << 32), EINVAL);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, MSI_START), 0);
	fx_close_all(f);
}

/* ---- IOMMU_IOAS_MAP ---- */

static void test_map_fixed(void **state)
{
	struct fx *f = *state;
	struct iommu_ioas_map rsv = {
		.size = sizeof(rsv), .__reserved = 1, .ioas_id = 1,
		.flags = IOMMU_IOAS_MAP_READABLE, .length = PG,
	};
	uint64_t iova;

	fx_bound(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 4 * PG, IOVA), 0);
	assert_int_equal(counters(f).ioas_mappings, 1);
	/* iopt_check_iova(): any overlap is EEXIST. */
	assert_errno(map_fixed(f, f->ioas, f->buf, 4 * PG, IOVA), EEXIST);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, IOVA + 3 * PG), EEXIST);
	assert_errno(map_fixed(f, f->ioas, f->buf, 2 * PG, IOVA - PG), EEXIST);
	assert_errno(map_fixed(f, f->ioas, f->buf, 8 * PG, IOVA - PG), EEXIST);
	/* Next to it is fine. */
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA - PG), 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA + 4 * PG), 0);
	assert_int_equal(counters(f).ioas_mappings, 3);

	/* iommufd_ioas_map(): the flags, then the numbers. */
	iova = 0x200000;
	assert_errno(map_flags(f, f->ioas, IOMMU_IOAS_MAP_FIXED_IOVA | 8,
			       f->buf, PG, &iova), EOPNOTSUPP);
	assert_errno(xioctl(f, f->iommufd, IOMMU_IOAS_MAP, &rsv), EOPNOTSUPP);
	assert_errno(map_flags(f, f->ioas, IOMMU_IOAS_MAP_FIXED_IOVA, f->buf,
			       PG, &iova), EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf, 0, 0x200000), EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, ULONG_MAX), EOVERFLOW);
	assert_errno(map_fixed(f, f->ioas, f->buf, ULONG_MAX, 0x200000),
		     EOVERFLOW);
	assert_errno(map_fixed(f, f->ioas, f->buf, 2 * PG,
			       UINT64_MAX - PG + 1), EOVERFLOW);
	assert_errno(map_fixed(f, f->ioas, (void *)(uintptr_t)(UINTPTR_MAX -
							       PG + 1),
			       2 * PG, 0x200000), EOVERFLOW);
	assert_errno(map_fixed(f, 99, f->buf, PG, 0x200000), ENOENT);

	/* A software table has no alignment: bytes are fine. */
	assert_int_equal(map_fixed(f, f->ioas, f->buf + 1, 100, 0x300003), 0);
	assert_int_equal(unmap(f, f->ioas, 0x300003, 100, NULL), 0);
	fx_close_all(f);
}

static void test_map_attached(void **state)
{
	struct fx *f = *state;

	fx_attached(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);
	/* The domain's page: IOVA, length and the address's offset. */
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, IOVA + PG + 8), EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG + 8, IOVA + PG), EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf + 8, PG, IOVA + PG), EINVAL);
	/* Outside the allowed ranges: iopt_check_iova() says EINVAL. */
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, MSI_START), EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, MSI_LAST + 1 - PG),
		     EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf, 2 * PG, MSI_START - PG),
		     EINVAL);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, APERTURE_LAST + 1),
		     EINVAL);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, MSI_START - PG), 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, MSI_LAST + 1), 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG,
				   APERTURE_LAST + 1 - PG), 0);
	assert_int_equal(counters(f).ioas_mappings, 4);
	fx_close_all(f);
}

static void test_map_auto_iova(void **state)
{
	struct fx *f = *state;
	uintptr_t ua = (uintptr_t)f->buf & -(uintptr_t)f->buf;
	uint64_t a, b, c, d;

	fx_bound(f);
	/*
	 * iopt_alloc_iova(): never 0, apart, aligned to the length's power
	 * of two but no more than the address is.
	 */
	assert_int_equal(map_auto(f, f->ioas, f->buf, PG, &a), 0);
	assert_int_equal(map_auto(f, f->ioas, f->buf, PG, &b), 0);
	assert_int_equal(map_auto(f, f->ioas, f->buf, 4 * PG, &c), 0);
	assert_true(a >= PG && b >= PG && c >= PG);
	assert_true(a != b);
	assert_int_equal(c % (ua < 4 * PG ? ua : 4 * PG), 0);
	assert_true(c >= a + PG || c + 4 * PG <= a);
	assert_true(c >= b + PG || c + 4 * PG <= b);
	assert_int_equal(counters(f).ioas_mappings, 3);
	/* The IOVA keeps the address's offset in its page. */
	assert_int_equal(map_auto(f, f->ioas, f->buf + 0x10, 0x100, &d), 0);
	assert_int_equal(d % PG, 0x10);
	/* Half the space and more: the allocator's own limit. */
	assert_errno(map_auto(f, f->ioas, f->buf, 1ull << 63, &d), EOVERFLOW);
	fx_close_all(f);
}

static void test_map_auto_reserved(void **state)
{
	struct fx *f = *state;
	uint64_t a;

	/* A reserved region where the allocator would start. */
	f->mx.cfg.iova_resv_start = PG;
	f->mx.cfg.iova_resv_len = 0x100000;
	f->mx.cfg.iova_aperture_last = 0x3fffff;
	fx_attached(f);
	assert_int_equal(map_auto(f, f->ioas, f->buf, PG, &a), 0);
	assert_true(a >= PG + 0x100000);
	/* An address aligned below the domain's page: EINVAL. */
	assert_errno(map_auto(f, f->ioas, f->buf + 8, PG, &a), EINVAL);
	/* No room left in a 4 MiB aperture: ENOSPC. */
	assert_errno(map_auto(f, f->ioas, f->buf, 0x400000, &a), ENOSPC);
	fx_close_all(f);
}

/* ---- IOMMU_IOAS_UNMAP ---- */

static void test_unmap(void **state)
{
	struct fx *f = *state;
	struct iommu_ioas_unmap bad = {
		.size = sizeof(bad), .ioas_id = 42, .length = PG,
	};
	uint64_t done;

	fx_bound(f);
	/* Nothing there: ENOENT; an empty unmap-all is no error. */
	assert_errno(unmap(f, f->ioas, IOVA, PG, NULL), ENOENT);
	assert_int_equal(unmap(f, f->ioas, 0, UINT64_MAX, &done), 0);
	assert_int_equal(done, 0);
	assert_errno(xioctl(f, f->iommufd, IOMMU_IOAS_UNMAP, &bad), ENOENT);
	assert_errno(unmap(f, f->ioas, IOVA, 0, NULL), EINVAL);
	assert_errno(unmap(f, f->ioas, ULONG_MAX, PG, NULL), EOVERFLOW);
	assert_errno(unmap(f, f->ioas, UINT64_MAX - PG + 1, 2 * PG, NULL),
		     EOVERFLOW);

	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(map_fixed(f, f->ioas, f->buf, 2 * PG,
					   IOVA + i * 4 * PG), 0);
	/* No splitting or cutting short: ENOENT, nothing unmapped. */
	assert_errno(unmap(f, f->ioas, IOVA, PG, NULL), ENOENT);
	assert_errno(unmap(f, f->ioas, IOVA - PG, 2 * PG, NULL), ENOENT);
	assert_errno(unmap(f, f->ioas, IOVA + 13 * PG, 2 * PG, NULL), ENOENT);
	assert_int_equal(counters(f).ioas_mappings, 4);
	/* Whole mappings and the gaps between them: fine. */
	assert_int_equal(unmap(f, f->ioas, IOVA - PG, 8 * PG, &done), 0);
	assert_int_equal(done, 4 * PG);
	assert_int_equal(counters(f).ioas_mappings, 2);
	/* One whole, the next cut: the first goes, then ENOENT. */
	assert_errno(unmap(f, f->ioas, IOVA + 8 * PG, 5 * PG, NULL), ENOENT);
	assert_int_equal(counters(f).ioas_mappings, 1);
	assert_int_equal(unmap(f, f->ioas, 0, UINT64_MAX, &done), 0);
	assert_int_equal(done, 2 * PG);
	assert_int_equal(counters(f).ioas_mappings, 0);
	fx_close_all(f);
}

/* ---- the device cdev: bind ---- */

static void test_bind(void **state)
{
	struct fx *f = *state;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	uint64_t v = 0;
	int other, closed;

	fx_start(f);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	f->ioas = ioas_alloc(f);
	f->cdev = xopen(f, mock_vfio_cdev_path(f->mx.m));
	/* vfio_device_fops_*(): nothing reaches the device before bind. */
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_GET_INFO, &info), EINVAL);
	assert_errno(attach(f, f->ioas, NULL), EINVAL);
	assert_errno(detach(f), EINVAL);
	assert_errno(f->ops->pread(f->ops->ctx, f->cdev, &v, 2, 0), EINVAL);
	assert_true(f->ops->mmap(f->ops->ctx, PG, PROT_READ, MAP_SHARED,
				 f->cdev, REGION(VFIO_PCI_BAR0_REGION_INDEX)) ==
		    MAP_FAILED);
	assert_int_equal(errno, EINVAL);

	/* vfio_df_ioctl_bind_iommufd(): the argument. */
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_BIND_IOMMUFD, NULL),
		     EFAULT);
	b.iommufd = f->iommufd;
	b.argsz = offsetof(struct vfio_device_bind_iommufd, out_devid);
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_BIND_IOMMUFD, &b), EINVAL);
	b.argsz = sizeof(b);
	b.flags = 1;
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_BIND_IOMMUFD, &b), EINVAL);
	assert_errno(bind(f, f->cdev, -1, NULL), EINVAL);
	/* iommufd_ctx_from_fd(): no file, or not /dev/iommu. */
	closed = xopen(f, MOCK_IOMMUFD_PATH);
	assert_int_equal(xclose(f, closed), 0);
	assert_errno(bind(f, f->cdev, closed, NULL), EBADF);
	assert_errno(bind(f, f->cdev, f->cdev, NULL), EBADFD);
	assert_int_equal(counters(f).iommufd_bound, 0);

	assert_int_equal(bind(f, f->cdev, f->iommufd, &f->devid), 0);
	assert_int_equal(f->devid, 2);	/* the next id after the IOAS */
	assert_int_equal(counters(f).iommufd_bound, 1);
	assert_int_equal(xioctl(f, f->cdev, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_true(info.flags & VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(f->ops->pread(f->ops->ctx, f->cdev, &v, 2,
				       REGION(VFIO_PCI_CONFIG_REGION_INDEX)), 2);
	assert_int_equal(v, f->mx.cfg.vendor_id);
	/* Bound twice, or the device through another cdev fd: EINVAL. */
	assert_errno(bind(f, f->cdev, f->iommufd, NULL), EINVAL);
	other = xopen(f, mock_vfio_cdev_path(f->mx.m));
	assert_true(other >= 0);
	assert_errno(bind(f, other, f->iommufd, NULL), EINVAL);
	assert_errno(xioctl(f, other, VFIO_DEVICE_GET_INFO, &info), EINVAL);
	assert_int_equal(xclose(f, other), 0);
	/* The device object belongs to its driver until unbind. */
	assert_errno(destroy(f, f->devid), EBUSY);
	assert_errno(xioctl(f, f->cdev, 0x3b99, NULL), ENOTTY);
	fx_close_all(f);
}

/* ---- attach and detach ---- */

static void test_attach_detach(void **state)
{
	struct fx *f = *state;
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };
	uint32_t second, pt;

	fx_bound(f);
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, NULL),
		     EFAULT);
	at.pt_id = f->ioas;
	at.argsz = offsetof(struct vfio_device_attach_iommufd_pt, pt_id);
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at),
		     EINVAL);
	at.argsz = sizeof(at);
	at.flags = 1;
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at),
		     EINVAL);
	/* iommufd_device_change_pt(): no such object, or no page table. */
	assert_errno(attach(f, 99, NULL), ENOENT);
	assert_errno(attach(f, f->devid, NULL), EINVAL);

	/* pt_id comes back as the HWPT made for the IOAS. */
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
	assert_true(f->hwpt != f->ioas && f->hwpt != f->devid && f->hwpt);
	assert_int_equal(attach(f, f->ioas, &pt), 0);
	assert_int_equal(pt, f->hwpt);
	assert_int_equal(attach(f, f->hwpt, &pt), 0);
	assert_int_equal(pt, f->hwpt);
	/* Both are held while attached. */
	assert_errno(destroy(f, f->ioas), EBUSY);
	assert_errno(destroy(f, f->hwpt), EBUSY);

	/* Another IOAS replaces the attachment; the old HWPT goes. */
	second = ioas_alloc(f);
	assert_int_equal(attach(f, second, &pt), 0);
	assert_true(pt != f->hwpt && pt != second);
	assert_errno(destroy(f, f->hwpt), ENOENT);
	assert_int_equal(destroy(f, f->ioas), 0);
	assert_errno(destroy(f, second), EBUSY);

	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, NULL),
		     EFAULT);
	dt.argsz = 4;
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt),
		     EINVAL);
	dt.argsz = sizeof(dt);
	dt.flags = 1;
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt),
		     EINVAL);
	assert_int_equal(detach(f), 0);
	/* Not attached: detach does nothing, and says nothing. */
	assert_int_equal(detach(f), 0);
	assert_errno(destroy(f, pt), ENOENT);
	assert_int_equal(destroy(f, second), 0);
	fx_close_all(f);
}

static void test_attach_refused(void **state)
{
	struct fx *f = *state;
	struct iommu_iova_range r[2];
	uint32_t num;

	fx_bound(f);
	/* iopt_table_enforce_dev_resv_regions(): a mapping is in the way. */
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, MSI_START), 0);
	assert_errno(attach(f, f->ioas, NULL), EADDRINUSE);
	assert_int_equal(unmap(f, f->ioas, MSI_START, PG, NULL), 0);
	/* iopt_table_add_domain(): beyond the aperture... */
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, 1ull << 50), 0);
	assert_errno(attach(f, f->ioas, NULL), EADDRINUSE);
	assert_int_equal(unmap(f, f->ioas, 1ull << 50, PG, NULL), 0);
	/* ...or not on the domain's pages. */
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 100, IOVA), 0);
	assert_errno(attach(f, f->ioas, NULL), EADDRINUSE);
	assert_int_equal(unmap(f, f->ioas, IOVA, 100, NULL), 0);
	/* Refused, nothing changed: still the software table. */
	assert_int_equal(ranges(f, f->ioas, r, 2, &num, NULL), 0);
	assert_int_equal(num, 1);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, r, 8), -1);
	fx_close_all(f);
}

static void test_attach_pins(void **state)
{
	struct fx *f = *state;
	void *gone = mock_fx_pages(PG);

	f->mx.cfg.memlock_limit = 4 * PG;
	fx_bound(f);
	/* Nothing is pinned before a domain: the limit waits for it. */
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 8 * PG, IOVA), 0);
	assert_errno(attach(f, f->ioas, NULL), ENOMEM);
	assert_int_equal(unmap(f, f->ioas, IOVA, 8 * PG, NULL), 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 3 * PG, IOVA), 0);
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
	/* Then each map is pinned as it comes. */
	assert_errno(map_fixed(f, f->ioas, f->buf, 2 * PG, IOVA + 4 * PG),
		     ENOMEM);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA + 4 * PG), 0);
	/* Detach unpins: the limit is whole again for another IOAS. */
	assert_int_equal(detach(f), 0);
	assert_int_equal(unmap(f, f->ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 4 * PG, IOVA), 0);
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
	assert_int_equal(detach(f), 0);
	assert_int_equal(unmap(f, f->ioas, 0, UINT64_MAX, NULL), 0);

	/* Memory that is not there cannot be pinned: EFAULT. */
	assert_int_equal(munmap(gone, PG), 0);
	assert_int_equal(map_fixed(f, f->ioas, gone, PG, IOVA), 0);
	assert_errno(attach(f, f->ioas, NULL), EFAULT);
	assert_int_equal(unmap(f, f->ioas, IOVA, PG, NULL), 0);
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
	assert_errno(map_fixed(f, f->ioas, gone, PG, IOVA), EFAULT);
	fx_close_all(f);
}

/* ---- the device's DMA through the IOAS ---- */

static void test_dma(void **state)
{
	struct fx *f = *state;
	uint8_t in[64], out[64];

	fx_attached(f);
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 2 * PG, IOVA), 0);
	assert_int_equal(mock_vfio_dma_write(f->mx.m, IOVA + PG - 32, out,
					     sizeof(out)), 0);
	assert_memory_equal(f->buf + PG - 32, out, sizeof(out));
	mock_fx_dma_fill(f->buf, 0xc3, sizeof(in));
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, in, sizeof(in)), 0);
	assert_int_equal(in[0], 0xc3);
	/* Unmapped, or beyond the mapping: an IOMMU fault. */
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA - PG, in, 8), -1);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA + 2 * PG - 4, in, 8),
			 -1);

	/* The mapping's protections hold for the device. */
	{
		uint64_t ro = IOVA + 4 * PG, wo = IOVA + 8 * PG;

		assert_int_equal(map_flags(f, f->ioas,
					   IOMMU_IOAS_MAP_FIXED_IOVA |
					   IOMMU_IOAS_MAP_READABLE,
					   f->buf, PG, &ro), 0);
		assert_int_equal(map_flags(f, f->ioas,
					   IOMMU_IOAS_MAP_FIXED_IOVA |
					   IOMMU_IOAS_MAP_WRITEABLE,
					   f->buf, PG, &wo), 0);
		assert_int_equal(mock_vfio_dma_read(f->mx.m, ro, in, 8), 0);
		assert_int_equal(mock_vfio_dma_write(f->mx.m, ro, out, 8), -1);
		assert_int_equal(mock_vfio_dma_write(f->mx.m, wo, out, 8), 0);
		assert_int_equal(mock_vfio_dma_read(f->mx.m, wo, in, 8), -1);
	}

	/* Unmapped, the IOVA faults; detached, every IOVA does. */
	assert_int_equal(unmap(f, f->ioas, IOVA, 2 * PG, NULL), 0);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, in, 8), -1);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);
	assert_int_equal(detach(f), 0);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, in, 8), -1);
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, in, 8), 0);
	fx_close_all(f);
}

/* ---- the group and the cdev shut each other out ---- */

static void test_group_then_cdev(void **state)
{
	struct fx *f = *state;
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	int c, g, dev, dev2, cdev;

	fx_start(f);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	f->ioas = ioas_alloc(f);
	/* The group file open is enough (vfio_device_block_group()). */
	g = xopen(f, mock_vfio_group_path(f->mx.m));
	cdev = xopen(f, mock_vfio_cdev_path(f->mx.m));
	assert_true(g >= 0 && cdev >= 0);
	assert_errno(bind(f, cdev, f->iommufd, NULL), EBUSY);
	assert_int_equal(xclose(f, g), 0);

	/* The device open through the group, twice. */
	dev = group_device(f, &c, &g);
	dev2 = xioctl(f, g, VFIO_GROUP_GET_DEVICE_FD,
		      (void *)mock_vfio_device_name(f->mx.m));
	assert_true(dev2 >= 0);
	assert_errno(bind(f, cdev, f->iommufd, NULL), EBUSY);
	/* A group's device fd is no cdev: BIND is EINVAL, ATTACH vfio-pci's. */
	assert_errno(bind(f, dev, f->iommufd, NULL), EINVAL);
	at.pt_id = f->ioas;
	assert_errno(xioctl(f, dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at),
		     ENOTTY);
	/* The group fd closes first: its device fds still hold it. */
	assert_int_equal(xclose(f, g), 0);
	assert_errno(bind(f, cdev, f->iommufd, NULL), EBUSY);
	assert_int_equal(xclose(f, dev), 0);
	assert_errno(bind(f, cdev, f->iommufd, NULL), EBUSY);
	assert_int_equal(xclose(f, dev2), 0);
	assert_int_equal(xclose(f, c), 0);

	/* All gone: the cdev binds. */
	f->cdev = cdev;
	assert_int_equal(bind(f, f->cdev, f->iommufd, &f->devid), 0);
	fx_close_all(f);
}

static void test_cdev_then_group(void **state)
{
	struct fx *f = *state;
	int g, unbound;

	fx_start(f);
	/* A cdev open but not bound takes nothing. */
	unbound = xopen(f, mock_vfio_cdev_path(f->mx.m));
	g = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_true(unbound >= 0 && g >= 0);
	assert_int_equal(xclose(f, g), 0);

	/* Bound, it blocks the group (vfio_group_fops_open(): EBUSY). */
	fx_bound(f);
	assert_errno(xopen(f, mock_vfio_group_path(f->mx.m)), EBUSY);
	assert_errno(bind(f, unbound, f->iommufd, NULL), EINVAL);
	assert_int_equal(xclose(f, unbound), 0);
	assert_int_equal(xclose(f, f->cdev), 0);
	f->cdev = -1;
	g = xopen(f, mock_vfio_group_path(f->mx.m));
	assert_true(g >= 0);
	assert_int_equal(xclose(f, g), 0);
	fx_close_all(f);
}

/*
 * A group that is not viable (another of its devices on a host driver):
 * iommufd_device_bind() claims DMA ownership of the device with
 * iommu_device_claim_dma_owner(), which finds the group owned by the DMA
 * API for that driver (owner_cnt, another owner) and says EPERM. The cdev
 * must not bind where the group file could not be attached.
 */
static void test_bind_not_viable(void **state)
{
	struct fx *f = *state;
	struct vfio_device_info info = { .argsz = sizeof(info) };

	f->mx.cfg.group_viable = false;
	fx_start(f);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	f->ioas = ioas_alloc(f);
	f->cdev = xopen(f, mock_vfio_cdev_path(f->mx.m));
	assert_true(f->iommufd >= 0 && f->cdev >= 0);
	assert_errno(bind(f, f->cdev, f->iommufd, NULL), EPERM);
	/* Nothing taken: not bound, the device unreachable, the group free. */
	assert_int_equal(counters(f).iommufd_bound, 0);
	assert_errno(xioctl(f, f->cdev, VFIO_DEVICE_GET_INFO, &info), EINVAL);
	assert_errno(attach(f, f->ioas, NULL), EINVAL);
	/* The refusals before it keep their order (vfio_df_ioctl_bind_iommufd()). */
	assert_errno(bind(f, f->cdev, f->cdev, NULL), EBADFD);
	fx_close_all(f);
}

/* ---- what outlives which fd ---- */

static void test_iommufd_closed_first(void **state)
{
	struct fx *f = *state;
	uint8_t v;

	fx_attached(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);
	/* The bound device holds the context: mappings and DMA stay. */
	assert_int_equal(xclose(f, f->iommufd), 0);
	f->iommufd = -1;
	assert_int_equal(counters(f).fds_open, 1);
	assert_int_equal(counters(f).ioas_mappings, 1);
	assert_int_equal(counters(f).iommufd_bound, 1);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, &v, 1), 0);
	/* The cdev closed, the context goes with its mappings. */
	fx_close_all(f);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, &v, 1), -1);
}

static void test_cdev_closed_first(void **state)
{
	struct fx *f = *state;
	struct iommu_iova_range r[2];
	uint32_t num;
	uint8_t v;

	fx_attached(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);
	/* Closing the cdev unbinds and detaches; the IOAS stays. */
	assert_int_equal(xclose(f, f->cdev), 0);
	f->cdev = -1;
	assert_int_equal(counters(f).iommufd_bound, 0);
	assert_int_equal(counters(f).ioas_mappings, 1);
	assert_int_equal(mock_vfio_dma_read(f->mx.m, IOVA, &v, 1), -1);
	assert_int_equal(ranges(f, f->ioas, r, 2, &num, NULL), 0);
	assert_int_equal(num, 1);
	assert_errno(destroy(f, f->hwpt), ENOENT);
	assert_errno(destroy(f, f->devid), ENOENT);
	/* Until the mapping is unmapped or /dev/iommu closed. */
	fx_close_all(f);
}

static void test_bar_mapping_holds_cdev(void **state)
{
	struct fx *f = *state;
	void *bar;

	fx_attached(f);
	bar = f->ops->mmap(f->ops->ctx, RV_MODEL_BAR0_SIZE,
			   PROT_READ | PROT_WRITE, MAP_SHARED, f->cdev,
			   REGION(VFIO_PCI_BAR0_REGION_INDEX));
	assert_true(bar != MAP_FAILED);
	/* The mapping holds the cdev's file: still bound, still attached. */
	assert_int_equal(xclose(f, f->cdev), 0);
	f->cdev = -1;
	assert_int_equal(counters(f).iommufd_bound, 1);
	assert_errno(destroy(f, f->hwpt), EBUSY);
	assert_errno(xopen(f, mock_vfio_group_path(f->mx.m)), EBUSY);
	assert_int_equal(f->ops->munmap(f->ops->ctx, bar, RV_MODEL_BAR0_SIZE),
			 0);
	assert_int_equal(counters(f).iommufd_bound, 0);
	assert_int_equal(destroy(f, f->ioas), 0);
	fx_close_all(f);
}

/* ---- fault injection into each new operation ---- */

/* Arm one fault, see it taken once, as asked. */
#define FAIL_ONCE(f, req, err, call) do {				\
		mock_vfio_fail((f)->mx.m, MOCK_OP_IOCTL, (req), 1, (err)); \
		assert_errno((call), (err));				\
	} while (0)

static void test_faults(void **state)
{
	struct fx *f = *state;
	struct iommu_iova_range r[2];
	uint32_t num;

	fx_start(f);
	mock_vfio_fail(f->mx.m, MOCK_OP_OPEN, 0, 1, EACCES);
	assert_errno(xopen(f, MOCK_IOMMUFD_PATH), EACCES);
	f->iommufd = xopen(f, MOCK_IOMMUFD_PATH);
	assert_true(f->iommufd >= 0);

	FAIL_ONCE(f, IOMMU_IOAS_ALLOC, ENOMEM,
		  xioctl(f, f->iommufd, IOMMU_IOAS_ALLOC,
			 &(struct iommu_ioas_alloc){ .size = 12 }));
	f->ioas = ioas_alloc(f);
	assert_int_equal(f->ioas, 1);	/* the failed one took no id */

	mock_vfio_fail(f->mx.m, MOCK_OP_OPEN, 0, 1, EMFILE);
	assert_errno(xopen(f, mock_vfio_cdev_path(f->mx.m)), EMFILE);
	f->cdev = xopen(f, mock_vfio_cdev_path(f->mx.m));
	FAIL_ONCE(f, VFIO_DEVICE_BIND_IOMMUFD, EBADFD,
		  bind(f, f->cdev, f->iommufd, NULL));
	assert_int_equal(counters(f).iommufd_bound, 0);
	assert_int_equal(bind(f, f->cdev, f->iommufd, &f->devid), 0);

	FAIL_ONCE(f, VFIO_DEVICE_ATTACH_IOMMUFD_PT, EADDRINUSE,
		  attach(f, f->ioas, NULL));
	assert_int_equal(ranges(f, f->ioas, r, 2, &num, NULL), 0);
	assert_int_equal(num, 1);	/* not attached */
	assert_int_equal(attach(f, f->ioas, &f->hwpt), 0);

	FAIL_ONCE(f, IOMMU_IOAS_IOVA_RANGES, EFAULT,
		  ranges(f, f->ioas, r, 2, &num, NULL));
	assert_int_equal(ranges(f, f->ioas, r, 2, &num, NULL), 0);

	FAIL_ONCE(f, IOMMU_IOAS_MAP, ENOMEM,
		  map_fixed(f, f->ioas, f->buf, PG, IOVA));
	assert_int_equal(counters(f).ioas_mappings, 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);

	FAIL_ONCE(f, IOMMU_IOAS_UNMAP, EIO, unmap(f, f->ioas, IOVA, PG, NULL));
	assert_int_equal(counters(f).ioas_mappings, 1);
	assert_int_equal(unmap(f, f->ioas, IOVA, PG, NULL), 0);

	FAIL_ONCE(f, VFIO_DEVICE_DETACH_IOMMUFD_PT, EIO, detach(f));
	assert_errno(destroy(f, f->ioas), EBUSY);	/* still attached */
	assert_int_equal(detach(f), 0);

	FAIL_ONCE(f, IOMMU_DESTROY, EIO, destroy(f, f->ioas));
	assert_int_equal(destroy(f, f->ioas), 0);
	fx_close_all(f);
}

/* REVERE_SIM's keys and fault names for all of it. */
static void test_parse(void **state)
{
	struct mock_vfio_config cfg;
	struct errmsg err = { 0 };

	(void)state;
	mock_vfio_default_config(&cfg);
	assert_true(cfg.iommufd);
	assert_int_equal(cfg.cdev_id, 0);
	assert_int_equal(cfg.iova_aperture_last, APERTURE_LAST);
	assert_int_equal(cfg.iova_resv_start, MSI_START);
	assert_int_equal(cfg.iova_resv_len, MSI_LAST - MSI_START + 1);
	assert_int_equal(mock_vfio_parse(&cfg,
		"iommufd=0,cdev_id=7,iova_aperture_last=0xffffffff,"
		"iova_resv_start=0x8000000,iova_resv_len=0x100000,"
		"fail=ioctl:IOMMU_IOAS_MAP:2:EADDRINUSE,"
		"fail=ioctl:VFIO_DEVICE_BIND_IOMMUFD:1:EBADFD,"
		"fail=ioctl:IOMMU_IOAS_IOVA_RANGES:1:EMSGSIZE", &err), 0);
	assert_false(cfg.iommufd);
	assert_int_equal(cfg.cdev_id, 7);
	assert_int_equal(cfg.iova_aperture_last, 0xffffffff);
	assert_int_equal(cfg.iova_resv_start, 0x8000000);
	assert_int_equal(cfg.iova_resv_len, 0x100000);
	assert_int_equal(cfg.num_faults, 3);
	assert_int_equal(cfg.faults[0].request, IOMMU_IOAS_MAP);
	assert_int_equal(cfg.faults[0].nth, 2);
	assert_int_equal(cfg.faults[0].err, EADDRINUSE);
	assert_int_equal(cfg.faults[1].request, VFIO_DEVICE_BIND_IOMMUFD);
	assert_int_equal(cfg.faults[1].err, EBADFD);
	assert_int_equal(cfg.faults[2].err, EMSGSIZE);
	assert_int_equal(mock_vfio_parse(&cfg, "fail=ioctl:IOMMU_BOGUS:1:EIO",
					 &err), -EINVAL);
}

static void test_parsed_fault_fires(void **state)
{
	struct fx *f = *state;
	struct errmsg err = { 0 };

	assert_int_equal(mock_vfio_parse(&f->mx.cfg,
		"fail=ioctl:IOMMU_IOAS_MAP:2:ENOSPC", &err), 0);
	fx_bound(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);
	assert_errno(map_fixed(f, f->ioas, f->buf, PG, IOVA + PG), ENOSPC);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA + PG), 0);
	fx_close_all(f);
}

/* ---- what was left: counters and the report line ---- */

/* Like process exit, with the report line captured. */
static const char *destroy_captured(struct fx *f)
{
	const char *out = mock_fx_destroy_captured(f->mx.m);

	f->mx.m = NULL;
	return out;
}

static void test_report_leak(void **state)
{
	struct fx *f = *state;
	struct mock_vfio_counters c;

	f->mx.cfg.report = true;
	fx_attached(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, 2 * PG, IOVA), 0);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA + 4 * PG), 0);
	c = counters(f);
	assert_int_equal(c.fds_open, 2);
	assert_int_equal(c.ioas_mappings, 2);
	assert_int_equal(c.ioas_bytes, 3 * PG);
	assert_int_equal(c.iommufd_bound, 1);
	assert_int_equal(c.dma_mappings, 0);
	/* A driver that forgot its teardown: the line says what is left. */
	assert_non_null(strstr(destroy_captured(f),
		"mock-vfio: fds_open=2 dma_mappings=0 bar_mmaps=0 "
		"irqs_routed=0 ioas_mappings=2 iommufd_bound=1 "));
	f->iommufd = f->cdev = -1;	/* destroy closed them */

	/* One that did it: zeros. */
	fx_attached(f);
	assert_int_equal(map_fixed(f, f->ioas, f->buf, PG, IOVA), 0);
	assert_int_equal(unmap(f, f->ioas, IOVA, PG, NULL), 0);
	assert_int_equal(detach(f), 0);
	assert_int_equal(destroy(f, f->ioas), 0);
	fx_close_all(f);
	assert_non_null(strstr(destroy_captured(f),
		" ioas_mappings=0 iommufd_bound=0 "));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_paths),
		T(test_open_config),
		T(test_ucmd),
		T(test_ioas_alloc_destroy),
		T(test_iova_ranges),
		T(test_iova_ranges_config),
		T(test_map_fixed),
		T(test_map_attached),
		T(test_map_auto_iova),
		T(test_map_auto_reserved),
		T(test_unmap),
		T(test_bind),
		T(test_attach_detach),
		T(test_attach_refused),
		T(test_attach_pins),
		T(test_dma),
		T(test_group_then_cdev),
		T(test_cdev_then_group),
		T(test_bind_not_viable),
		T(test_iommufd_closed_first),
		T(test_cdev_closed_first),
		T(test_bar_mapping_holds_cdev),
		T(test_faults),
		T(test_parse),
		T(test_parsed_fault_fires),
		T(test_report_leak),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
