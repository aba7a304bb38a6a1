// SPDX-License-Identifier: BSD-3-Clause
/*
 * vfio.c on the mock VFIO kernel: the set-up path, config space, BAR0
 * through mmap and through pread/pwrite, DMA, interrupts, reset, the error
 * messages with their hints, and teardown after a fault injected into
 * every call of the set-up sequence.
 *
 * The cases where the IOMMU backend matters (anything that opens the
 * device, maps DMA, routes interrupts or tears down) run once per
 * backend, as the fixture variants of the kernel's VFIO selftests do:
 * variants[] below has a line per backend, with what differs (paths,
 * ioctls, messages). Those that test type1's own steps (the container,
 * the group, a device found in it by name) run on type1's variant; the
 * two that need no backend (the backends' list, the real system calls)
 * run once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "mock_fixture.h"
#include "mock_vfio.h"
#include "revere.h"
#include "vfio.h"
#include "vfio_iommu.h"
#include "iommufd_uapi.h"

#define MSIX	VFIO_PCI_MSIX_IRQ_INDEX

/* An error of set-up: the errno, and what its message must say. */
struct open_error {
	int err;
	const char *says[4];	/* each a part of the message; NULL ends */
};

/* An IOMMU backend, and what the tests expect of it on the mock. */
struct variant {
	const char *backend;	/* vfio_iommu_backend() finds it by this */
	/* What vfio_open() is given to reach the mock's device. */
	const char *(*path)(const struct mock_vfio *m);
	unsigned int fds;	/* the mock's fds an open device holds */
	/*
	 * The fds it keeps when set-up fails past the first file it opens,
	 * for a retry (type1: the container; iommufd starts anew each time).
	 */
	unsigned int kept_fds;
	const char *describe;	/* vfio_iommu_name() once open */
	const char *map_op;	/* a failed DMA map names the operation so */
	/* The backend's own release ioctls, for teardown to fail; 0 ends. */
	unsigned long release_ioctls[4];
	/* The mock's DMA mappings in this backend's IOMMU context. */
	unsigned int (*mappings)(const struct mock_vfio_counters *c);
	/* Unmapping what is not mapped: the error, and what it says. */
	int unmap_absent;
	const char *unmap_absent_msg;
	/* A BAR mapping holds the device file, and so its iommufd binding. */
	bool bar_holds_binding;
	/* The kernel answering no IOMMU page sizes (struct liar): the error. */
	const char *no_pgsizes_msg;
	/*
	 * Set-up's errors, as this backend meets them: the first file it
	 * opens missing; a device (a group, a device file) absent_path that
	 * does not exist; the second file it opens denied; the device's group
	 * open elsewhere; a group that is not viable.
	 */
	struct open_error first_missing;
	const char *absent_path;
	struct open_error absent, denied, group_busy, not_viable;
};

static unsigned int type1_mappings(const struct mock_vfio_counters *c)
{
	return c->dma_mappings;
}

static unsigned int ioas_mappings(const struct mock_vfio_counters *c)
{
	return c->ioas_mappings;
}

/* A backend is covered by its line here (test_backends checks for one). */
static const struct variant variants[] = {
	{
		.backend = "type1",
		.path = mock_vfio_group_path,
		.fds = 3,
		.kept_fds = 1,
		.describe = "type1v2",
		.map_op = "VFIO_IOMMU_MAP_DMA",
		.release_ioctls = { VFIO_IOMMU_UNMAP_DMA,
				    VFIO_GROUP_UNSET_CONTAINER },
		.mappings = type1_mappings,
		.unmap_absent = -EINVAL,
		.unmap_absent_msg = "unmapped 0 of 4096 bytes",
		.bar_holds_binding = false,
		.no_pgsizes_msg = "VFIO_IOMMU_GET_INFO for /dev/vfio/42 reports no IOMMU page sizes",
		.first_missing = { ENOENT, {
			"open /dev/vfio/vfio: No such file or directory",
			"modprobe vfio-pci" } },
		.absent_path = "/dev/vfio/7",
		.absent = { ENOENT, {
			"open /dev/vfio/7: No such file or directory",
			"is the device bound to vfio-pci?",
			"modprobe vfio-pci ids=13b5:ff81" } },
		.denied = { EACCES, {
			"open /dev/vfio/42: Permission denied",
			"run as root, or give your user access to /dev/vfio/42" } },
		.group_busy = { EBUSY, {
			"open /dev/vfio/42: Device or resource busy",
			"has /dev/vfio/42 open" } },
		.not_viable = { EBUSY, {
			"group /dev/vfio/42 is not viable",
			"every device of IOMMU group 42 must be bound to vfio-pci or to no driver",
			"(0000:01:00.0)" } },
	},
	/* /dev/iommu and the device file. */
	{
		.backend = "iommufd",
		.path = mock_vfio_cdev_path,
		.fds = 2,
		.kept_fds = 0,
		.describe = "iommufd",
		.map_op = "IOMMU_IOAS_MAP",
		.release_ioctls = { IOMMU_IOAS_UNMAP,
				    VFIO_DEVICE_DETACH_IOMMUFD_PT,
				    IOMMU_DESTROY },
		.mappings = ioas_mappings,
		.unmap_absent = -ENOENT,
		.unmap_absent_msg = "IOMMU_IOAS_UNMAP of 4096 bytes at IOVA 0x800000: No such file",
		.bar_holds_binding = true,
		.no_pgsizes_msg = "IOMMU_IOAS_IOVA_RANGES of IOAS 1 reports an alignment that is no power of two",
		.first_missing = { ENOENT, {
			"open /dev/iommu: No such file or directory",
			"the kernel lacks CONFIG_IOMMUFD" } },
		.absent_path = "/dev/vfio/devices/vfio7",
		.absent = { ENOENT, {
			"open /dev/vfio/devices/vfio7: No such file or directory",
			"the kernel lacks CONFIG_VFIO_DEVICE_CDEV or the device is not bound to vfio-pci" } },
		.denied = { EACCES, {
			"open /dev/vfio/devices/vfio0: Permission denied",
			"run as root, or give your user the file: `sudo chown $USER /dev/vfio/devices/vfio0`" } },
		/* device_cdev.c: the group's holder shuts the cdev out. */
		.group_busy = { EBUSY, {
			"VFIO_DEVICE_BIND_IOMMUFD of /dev/vfio/devices/vfio0 to /dev/iommu: Device or resource busy",
			"the device's VFIO group is open elsewhere" } },
		/* iommufd_device_bind() claims the group's DMA: EPERM. */
		.not_viable = { EPERM, {
			"VFIO_DEVICE_BIND_IOMMUFD of /dev/vfio/devices/vfio0 to /dev/iommu: Operation not permitted",
			"another device of its IOMMU group is bound to a host driver",
			"`revere-vfio-demo --check --device NAME` names them" } },
	},
};

struct fx {
	const struct variant *v;	/* the backend the case runs on */
	struct mock_fx mx;		/* the simulated device */
	struct vfio_dev dev;
	uint8_t *buf;		/* 8 pages of DMA memory */
};

/* *state: the variant on entry (cmocka's initial state), then the fixture. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->v = *state;
	mock_fx_init(&f->mx);
	f->buf = mock_fx_pages(8 * PG);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->mx.m)
		vfio_close(&f->dev);
	mock_fx_stop(&f->mx);
	munmap(f->buf, 8 * PG);
	free(f);
	return 0;
}

static const struct vfio_iommu_backend *backend(const struct fx *f)
{
	const struct vfio_iommu_backend *b = vfio_iommu_backend(f->v->backend);

	assert_non_null(b);
	return b;
}

/* The device, and the layer on it with ops (NULL: the mock's own). */
static void fx_start_ops(struct fx *f, const struct vfio_ops *ops,
			 const struct vfio_iommu_backend *iommu)
{
	if (!f->mx.m)
		mock_fx_start(&f->mx);
	vfio_init(&f->dev, ops ? ops : mock_vfio_ops(f->mx.m), iommu);
}

static void fx_start(struct fx *f)
{
	fx_start_ops(f, NULL, backend(f));
}

static int fx_open(struct fx *f)
{
	if (!f->mx.m)
		fx_start(f);
	return vfio_open(&f->dev, f->v->path(f->mx.m),
			 mock_vfio_device_name(f->mx.m));
}

/* The mock's fds with the device open, and extra eventfds. */
static unsigned int fds(const struct fx *f, unsigned int extra)
{
	return f->v->fds + extra;
}

static struct mock_vfio_counters counters(struct fx *f)
{
	return mock_fx_counters(&f->mx);
}

/* The DMA mappings the backend under test has in the mock kernel. */
static unsigned int mapped(struct fx *f)
{
	struct mock_vfio_counters c = counters(f);

	return f->v->mappings(&c);
}

/* vfio_close() left nothing behind in the (mock) kernel. */
static void assert_all_released(struct fx *f)
{
	struct mock_vfio_counters c = counters(f);

	assert_int_equal(c.fds_open, 0);
	assert_int_equal(c.dma_mappings, 0);
	assert_int_equal(c.ioas_mappings, 0);
	assert_int_equal(c.iommufd_bound, 0);
	assert_int_equal(c.bar_mmaps, 0);
	assert_int_equal(c.irqs_routed, 0);
	/* Nor any memory: the backend and the transport freed their state. */
	assert_false(vfio_device_is_open(&f->dev));
	assert_null(f->dev.io);
	assert_null(f->dev.io_priv);
	assert_null(f->dev.iommu_priv);
}

#define assert_msg_has(f, s) do {					\
		if (!strstr((f)->dev.err.msg, (s)))			\
			fail_msg("message \"%s\" lacks \"%s\"",		\
				 (f)->dev.err.msg, (s));		\
	} while (0)

/* A set-up step failed as e says: its errno, and every part of the message. */
static void assert_open_error(struct fx *f, int ret, const struct open_error *e)
{
	assert_int_equal(ret, -e->err);
	assert_int_equal(f->dev.err.err, e->err);
	for (size_t i = 0; i < sizeof(e->says) / sizeof(e->says[0]) &&
	     e->says[i]; i++)
		assert_msg_has(f, e->says[i]);
}

static struct rv_model_summary summary(struct fx *f)
{
	return mock_fx_summary(&f->mx);
}

static bool fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Bounded wait (2 s) for a BAR0 register to read as want. */
static bool wait_reg(struct fx *f, uint64_t off, uint64_t want)
{
	const struct timespec tick = { .tv_nsec = 100000 };

	for (int i = 0; i < 20000; i++) {
		if (vfio_bar0_read64(&f->dev, off) == want)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static bool wait_amu_enabled(struct fx *f, bool want)
{
	const struct timespec tick = { .tv_nsec = 100000 };

	for (int i = 0; i < 20000; i++) {
		if (summary(f).amu_enabled == want)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

/* ---- set-up ---- */

static void test_open_close(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	assert_null(f->dev.iommu_priv);
	assert_false(vfio_device_is_open(&f->dev));
	assert_string_equal(vfio_device_name(&f->dev), "");
	assert_int_equal(vfio_bar0_size(&f->dev), 0);
	assert_int_equal(vfio_iommu_page_size(&f->dev), 4096);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(f->dev.err.err, 0);
	assert_string_equal(vfio_iommu_name(&f->dev), f->v->describe);
	assert_true(f->dev.iommu->is_open(&f->dev));
	/* type1 names every page size, iommufd its smallest. */
	assert_int_equal(vfio_iommu_page_sizes(&f->dev) &
			 -vfio_iommu_page_sizes(&f->dev),
			 f->mx.cfg.iova_pgsizes & -f->mx.cfg.iova_pgsizes);
	assert_int_equal(vfio_iommu_page_size(&f->dev), 4096);
	assert_true(vfio_device_is_open(&f->dev));
	assert_true(f->dev.device_flags & VFIO_DEVICE_FLAGS_PCI);
	assert_true(f->dev.device_flags & VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(f->dev.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(f->dev.config.offset,
			 (uint64_t)REGION(VFIO_PCI_CONFIG_REGION_INDEX));
	assert_int_equal(vfio_bar0_size(&f->dev), RV_MODEL_BAR0_SIZE);
	assert_int_equal(vfio_bar0_offset(&f->dev),
			 (uint64_t)REGION(VFIO_PCI_BAR0_REGION_INDEX));
	assert_true(f->dev.bar0.flags & VFIO_REGION_INFO_FLAG_MMAP);
	assert_true(f->dev.bar0.mmap_fd >= 0);
	assert_false(vfio_bar0_mapped(&f->dev));
	assert_string_equal(vfio_device_name(&f->dev), "0000:01:00.0");
	assert_int_equal(counters(f).fds_open, fds(f, 0));

	/* Steps already done are not redone. */
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(counters(f).fds_open, fds(f, 0));

	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_int_equal(f->dev.err.err, 0);
}

static void test_open_type1_only(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.type1v2 = false;
	f->mx.cfg.iova_pgsizes = 0x10000 | 0x200000;
	assert_int_equal(fx_open(f), 0);
	assert_string_equal(vfio_iommu_name(&f->dev), "type1");
	assert_int_equal(vfio_iommu_page_size(&f->dev), 0x10000);
}

/* An ops table in front of the mock that can lie about the container. */
struct liar {
	struct vfio_ops ops;
	const struct vfio_ops *real;
	int api_version;
	bool no_type1;
	bool not_pci;		/* VFIO_DEVICE_GET_INFO without FLAGS_PCI */
	/*
	 * The IOMMU's page sizes answered as none: VFIO_IOMMU_GET_INFO
	 * without PGSIZES, IOMMU_IOAS_IOVA_RANGES with alignment 0.
	 */
	bool no_pgsizes;
};

static int liar_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct liar *l = ctx;

	if (req == VFIO_GET_API_VERSION)
		return l->api_version;
	int ret;

	if (req == VFIO_CHECK_EXTENSION && l->no_type1)
		return 0;
	ret = l->real->ioctl(l->real->ctx, fd, req, arg);
	if (!ret && req == VFIO_DEVICE_GET_INFO && l->not_pci)
		((struct vfio_device_info *)arg)->flags &=
			~VFIO_DEVICE_FLAGS_PCI;
	if (!ret && req == VFIO_IOMMU_GET_INFO && l->no_pgsizes)
		((struct vfio_iommu_type1_info *)arg)->flags &=
			~VFIO_IOMMU_INFO_PGSIZES;
	if (!ret && req == IOMMU_IOAS_IOVA_RANGES && l->no_pgsizes)
		((struct iommu_ioas_iova_ranges *)arg)->out_iova_alignment = 0;
	return ret;
}

static int liar_open(void *ctx, const char *path, int flags)
{
	struct liar *l = ctx;

	return l->real->open(l->real->ctx, path, flags);
}

static int liar_close(void *ctx, int fd)
{
	struct liar *l = ctx;

	return l->real->close(l->real->ctx, fd);
}

/* Set-up without errors needs only open, close and ioctl. */
static void liar_init(struct liar *l, struct mock_vfio *m)
{
	l->real = mock_vfio_ops(m);
	l->ops = (struct vfio_ops){
		.name = "liar",
		.ctx = l,
		.open = liar_open,
		.close = liar_close,
		.ioctl = liar_ioctl,
	};
}

/* type1's container: its API version and IOMMU types are checked. */
static void test_container_checks(void **state)
{
	struct fx *f = *state;
	struct liar l = { .api_version = 1 };

	mock_fx_start(&f->mx);
	liar_init(&l, f->mx.m);
	fx_start_ops(f, &l.ops, backend(f));
	assert_int_equal(vfio_open_container(&f->dev), -EINVAL);
	assert_msg_has(f, "VFIO API version 1 on /dev/vfio/vfio");
	assert_int_equal(counters(f).fds_open, 0);

	l.api_version = VFIO_API_VERSION;
	l.no_type1 = true;
	errmsg_clear(&f->dev.err);
	assert_int_equal(vfio_open_container(&f->dev), -ENODEV);
	assert_msg_has(f, "no type1 IOMMU");
	assert_msg_has(f, "intel_iommu=on");
	assert_int_equal(counters(f).fds_open, 0);
}

/*
 * The kernel's answers are checked, not trusted: the IOMMU's page sizes
 * (each backend asks its own way), the device's PCI flag. A refused
 * device leaves the backend ready for a retry, which opens it anew.
 */
static void test_kernel_answers_checked(void **state)
{
	struct fx *f = *state;
	struct liar l = { .api_version = VFIO_API_VERSION, .no_pgsizes = true };

	mock_fx_start(&f->mx);
	liar_init(&l, f->mx.m);
	fx_start_ops(f, &l.ops, backend(f));
	assert_int_equal(fx_open(f), -EINVAL);
	assert_msg_has(f, f->v->no_pgsizes_msg);
	assert_int_equal(counters(f).fds_open, f->v->kept_fds);

	l.no_pgsizes = false;
	l.not_pci = true;
	errmsg_clear(&f->dev.err);
	assert_int_equal(fx_open(f), -ENODEV);
	assert_msg_has(f, "device 0000:01:00.0 is not a PCI device");
	/* All the backend holds, less the device. */
	assert_int_equal(counters(f).fds_open, fds(f, 0) - 1);
	assert_int_equal(counters(f).iommufd_bound, 0);
	assert_false(vfio_device_is_open(&f->dev));
	assert_null(f->dev.io_priv);

	l.not_pci = false;
	errmsg_clear(&f->dev.err);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/* The real table: the parts that need no VFIO on this machine. */
static void test_linux_ops(void **state)
{
	const struct vfio_ops *ops = &vfio_linux_ops;
	char dir[] = "/tmp/test_vfio.XXXXXX", path[64], buf[128];
	struct vfio_dev dev;
	uint64_t lim = 0;
	int fd;

	(void)state;
	assert_string_equal(ops->name, "linux");
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/0000:01:00.%d", dir, i);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	assert_int_equal(ops->list_dir(ops->ctx, dir, buf, sizeof(buf)), 2);
	assert_non_null(strstr(buf, "0000:01:00.0"));
	assert_non_null(strstr(buf, "0000:01:00.1"));
	assert_non_null(strstr(buf, ", "));
	/* Truncated, still terminated. */
	assert_int_equal(ops->list_dir(ops->ctx, dir, buf, 8), 2);
	assert_true(strlen(buf) < 8);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/0000:01:00.%d", dir, i);
		unlink(path);
	}
	rmdir(dir);
	assert_int_equal(ops->list_dir(ops->ctx, dir, buf, sizeof(buf)), -1);
	assert_int_equal(ops->memlock_limit(ops->ctx, &lim), 0);
	assert_true(lim > 0);

	/* No such group here, whether or not this machine has VFIO. */
	vfio_init(&dev, ops, NULL);
	assert_int_equal(vfio_open(&dev, "/dev/vfio/no-such-group",
				   "0000:01:00.0"), -ENOENT);
	assert_non_null(strstr(dev.err.msg, "No such file or directory; "));
	assert_int_equal(vfio_close(&dev), 0);
	assert_null(dev.iommu_priv);
}

/* A device before its IOMMU context: refused, nothing opened. */
static void test_step_order(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	assert_int_equal(vfio_open_device(&f->dev, "0000:01:00.0"), -EBADF);
	assert_int_equal(counters(f).calls[MOCK_OP_OPEN], 0);
	assert_null(f->dev.io_priv);
}

/* type1's own steps: a group before its container. */
static void test_group_before_container(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	assert_int_equal(vfio_open_group(&f->dev, "/dev/vfio/42"), -EBADF);
	assert_int_equal(vfio_open_device(&f->dev, "0000:01:00.0"), -EBADF);
	assert_int_equal(counters(f).calls[MOCK_OP_OPEN], 0);
}

/* ---- errors and hints ---- */

/* The first file the backend opens is missing: its module is not loaded. */
static void test_err_container_missing(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.faults[0] = (struct mock_fault){ MOCK_OP_OPEN, 0, 1, ENOENT };
	f->mx.cfg.num_faults = 1;
	assert_open_error(f, fx_open(f), &f->v->first_missing);
	assert_all_released(f);
}

/* The device's file (a group, a device file) does not exist. */
static void test_err_group_missing(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	assert_open_error(f, vfio_open(&f->dev, f->v->absent_path,
				       "0000:01:00.0"), &f->v->absent);
	/* What the backend keeps for a retry; vfio_close() undoes it. */
	assert_int_equal(counters(f).fds_open, f->v->kept_fds);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

static void test_err_permission(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.faults[0] = (struct mock_fault){ MOCK_OP_OPEN, 0, 2, EACCES };
	f->mx.cfg.num_faults = 1;
	assert_open_error(f, fx_open(f), &f->v->denied);
	/* Retrying the step works once the cause is gone. */
	errmsg_clear(&f->dev.err);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
}

/* Another holder of the device's group shuts the driver out. */
static void test_err_group_busy(void **state)
{
	struct fx *f = *state;
	const struct vfio_ops *ops;
	int g;

	fx_start(f);
	ops = mock_vfio_ops(f->mx.m);
	g = ops->open(ops->ctx, mock_vfio_group_path(f->mx.m), 0);
	assert_true(g >= 0);
	assert_open_error(f, fx_open(f), &f->v->group_busy);
	assert_int_equal(counters(f).fds_open, 1 + f->v->kept_fds);
	assert_int_equal(ops->close(ops->ctx, g), 0);
}

static void test_err_not_viable(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.group_viable = false;
	assert_open_error(f, fx_open(f), &f->v->not_viable);
	assert_int_equal(counters(f).fds_open, f->v->kept_fds);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/* Linux >= 5.19 answers SET_CONTAINER with EBUSY for such a group. */
static void test_err_set_container_busy(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_GROUP_SET_CONTAINER, 1, EBUSY);
	assert_int_equal(fx_open(f), -EBUSY);
	assert_msg_has(f, "VFIO_GROUP_SET_CONTAINER on /dev/vfio/42: Device or resource busy");
	assert_msg_has(f, "bound to vfio-pci or to no driver (0000:01:00.0)");
}

static void test_err_unknown_device(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	assert_int_equal(vfio_open(&f->dev, mock_vfio_group_path(f->mx.m),
				   "0000:00:09.0"), -ENODEV);
	assert_msg_has(f, "VFIO_GROUP_GET_DEVICE_FD(0000:00:09.0) on /dev/vfio/42: No such device");
	assert_msg_has(f, "pass a device of IOMMU group 42: 0000:01:00.0");
	assert_int_equal(counters(f).fds_open, 2);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

static void test_err_memlock(void **state)
{
	struct fx *f = *state;
	char want[128];

	f->mx.cfg.memlock_limit = 64 << 10;
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, 4 * PG), 0);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf + 4 * PG, IOVA + 4 * PG,
				      4 * PG), 0);
	/* 32 KiB pinned; a mapping that needs the total past 64 KiB. */
	{
		uint8_t *big = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(big != MAP_FAILED);
		assert_int_equal(vfio_dma_map(&f->dev, big, 0x400000,
					      64 << 10), -ENOMEM);
		munmap(big, 64 << 10);
	}
	snprintf(want, sizeof(want),
		 "%s of 65536 bytes at IOVA 0x400000: Cannot allocate memory",
		 f->v->map_op);
	assert_msg_has(f, want);
	assert_msg_has(f, "the locked-memory limit is 64 KiB");
	assert_msg_has(f, "need 96 KiB");
	assert_msg_has(f, "ulimit -l");
	assert_int_equal(mapped(f), 2);
}

/* ---- config space ---- */

static void test_config(void **state)
{
	struct fx *f = *state;
	uint32_t id32;
	uint16_t id16;
	uint8_t hdr;

	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_cfg_read16(&f->dev, PCI_VENDOR_ID, &id16), 0);
	assert_int_equal(id16, 0x13b5);
	assert_int_equal(vfio_cfg_read16(&f->dev, PCI_DEVICE_ID, &id16), 0);
	assert_int_equal(id16, 0xff81);
	assert_int_equal(vfio_cfg_read32(&f->dev, PCI_VENDOR_ID, &id32), 0);
	assert_int_equal(id32, 0xff8113b5);
	assert_int_equal(vfio_cfg_read8(&f->dev, PCI_HEADER_TYPE, &hdr), 0);
	assert_int_equal(hdr, PCI_HEADER_TYPE_NORMAL);

	assert_false(summary(f).bus_master);
	assert_int_equal(vfio_set_bus_master(&f->dev, true), 0);
	assert_true(summary(f).bus_master);
	assert_int_equal(vfio_cfg_read16(&f->dev, PCI_COMMAND, &id16), 0);
	assert_true(id16 & PCI_COMMAND_MASTER);
	assert_true(id16 & PCI_COMMAND_MEMORY);	/* untouched */
	assert_int_equal(vfio_set_bus_master(&f->dev, false), 0);
	assert_false(summary(f).bus_master);
	assert_int_equal(vfio_cfg_write8(&f->dev, PCI_COMMAND,
					 PCI_COMMAND_MASTER), 0);
	assert_true(summary(f).bus_master);
	assert_int_equal(vfio_cfg_write32(&f->dev, PCI_COMMAND, 0), 0);
	assert_false(summary(f).bus_master);

	assert_int_equal(vfio_cfg_read32(&f->dev, (uint32_t)f->dev.config.size - 2,
					 &id32), -EINVAL);
	assert_msg_has(f, "config read of 4 bytes at 0xffe on 0000:01:00.0: beyond the region");

	vfio_close(&f->dev);
	assert_int_equal(vfio_cfg_read16(&f->dev, PCI_COMMAND, &id16), -EBADF);
}

/* ---- BAR0, both access paths ---- */

static void bar_basics(struct fx *f, bool want_map)
{
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_bar0_map(&f->dev, !want_map && f->mx.cfg.bar0_mmap),
			 0);
	assert_int_equal(vfio_bar0_mapped(&f->dev), want_map);
	assert_int_equal(counters(f).bar_mmaps, want_map);

	assert_int_equal(vfio_bar0_read64(&f->dev, RV_AMU_AIDR), 0x20);
	assert_int_equal(vfio_bar0_read32(&f->dev, RV_AMU_AIDR), 0x20);
	vfio_bar0_write64(&f->dev, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	assert_int_equal(vfio_bar0_read64(&f->dev, RV_AMU_CR),
			 RV_AMU_CR_AMU_EN);
	assert_true(wait_amu_enabled(f, true));
	vfio_bar0_write64(&f->dev, RV_AMU_CR, 0);
	assert_true(wait_amu_enabled(f, false));
	assert_int_equal(vfio_bar0_error(&f->dev), 0);

	vfio_bar0_unmap(&f->dev);
	assert_false(vfio_bar0_mapped(&f->dev));
	assert_int_equal(counters(f).bar_mmaps, 0);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

static void test_bar_mmap(void **state)
{
	bar_basics(*state, true);
}

static void test_bar_rw_no_mmap_flag(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.bar0_mmap = false;
	bar_basics(f, false);
}

static void test_bar_rw_forced(void **state)
{
	bar_basics(*state, false);
}

static void test_bar_errors(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.bar0_mmap = false;
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_bar0_map(&f->dev, false), 0);

	/* Past the region: all-ones, latched, no system call. */
	assert_int_equal(vfio_bar0_read64(&f->dev, RV_MODEL_BAR0_SIZE),
			 UINT64_MAX);
	assert_int_equal(vfio_bar0_error(&f->dev), -EINVAL);
	assert_msg_has(f, "BAR0 read64 at 0x100000 on 0000:01:00.0: Invalid argument");
	assert_int_equal(counters(f).calls[MOCK_OP_PREAD], 0);

	vfio_bar0_error_clear(&f->dev);
	errmsg_clear(&f->dev.err);
	assert_int_equal(vfio_bar0_read32(&f->dev, 2), UINT32_MAX);
	assert_int_equal(vfio_bar0_error(&f->dev), -EINVAL);

	/* The device refuses a 32-bit write (mock_bar.c; spec: 64-bit only). */
	vfio_bar0_error_clear(&f->dev);
	errmsg_clear(&f->dev.err);
	vfio_bar0_write32(&f->dev, RV_AMU_CR, 1);
	assert_int_equal(vfio_bar0_error(&f->dev), -EINVAL);
	assert_false(summary(f).amu_enabled);

	/* A failing pread: all-ones, and the first error stays. */
	vfio_bar0_error_clear(&f->dev);
	errmsg_clear(&f->dev.err);
	mock_vfio_fail(f->mx.m, MOCK_OP_PREAD, 0, 1, EIO);
	assert_int_equal(vfio_bar0_read64(&f->dev, RV_AMU_AIDR), UINT64_MAX);
	assert_int_equal(vfio_bar0_error(&f->dev), -EIO);
	assert_msg_has(f, "BAR0 read64 at 0x8 on 0000:01:00.0: Input/output error");
	vfio_bar0_write64(&f->dev, RV_MODEL_BAR0_SIZE + 8, 0);
	assert_int_equal(vfio_bar0_error(&f->dev), -EIO);
	assert_int_equal(vfio_bar0_read64(&f->dev, RV_AMU_AIDR), 0x20);

	vfio_close(&f->dev);
	assert_int_equal(vfio_bar0_read64(&f->dev, 0), UINT64_MAX);
}

static void test_bar_mmap_fails(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_open(f), 0);
	mock_vfio_fail(f->mx.m, MOCK_OP_MMAP, 0, 1, ENOMEM);
	assert_int_equal(vfio_bar0_map(&f->dev, false), -ENOMEM);
	assert_msg_has(f, "mmap BAR0 (0x100000 bytes) of 0000:01:00.0: Cannot allocate memory");
	assert_false(vfio_bar0_mapped(&f->dev));
}

/* ---- DMA ---- */

static void test_dma(void **state)
{
	struct fx *f = *state;
	unsigned long ioctls;

	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, PG), -EBADF);
	errmsg_clear(&f->dev.err);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, 2 * PG), 0);
	assert_int_equal(mapped(f), 1);
	assert_int_equal(f->dev.dma[0].iova, IOVA);
	assert_int_equal(f->dev.dma[0].size, 2 * PG);

	/* Alignment is checked before the kernel is asked. */
	ioctls = counters(f).calls[MOCK_OP_IOCTL];
	assert_int_equal(vfio_dma_map(&f->dev, f->buf + 8, IOVA + 4 * PG, PG),
			 -EINVAL);
	assert_msg_has(f, "multiples of the IOMMU page size 0x1000");
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA + 4 * PG, 0),
			 -EINVAL);
	assert_int_equal(counters(f).calls[MOCK_OP_IOCTL], ioctls);

	/* The kernel's answer comes back with the operation named. */
	errmsg_clear(&f->dev.err);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf + 2 * PG, IOVA + PG, PG),
			 -EEXIST);
	assert_msg_has(f, f->v->map_op);
	assert_msg_has(f, " of 4096 bytes at IOVA 0x101000: File exists");

	/*
	 * Unmapping what is not mapped: type1 unmaps 0 bytes, iommufd says
	 * ENOENT (iopt_unmap_iova_range()).
	 */
	errmsg_clear(&f->dev.err);
	assert_int_equal(vfio_dma_unmap(&f->dev, 0x800000, PG),
			 f->v->unmap_absent);
	assert_msg_has(f, f->v->unmap_absent_msg);

	assert_int_equal(vfio_dma_unmap(&f->dev, IOVA, 2 * PG), 0);
	assert_int_equal(f->dev.dma[0].size, 0);
	assert_int_equal(mapped(f), 0);

	/* All slots in use. */
	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++)
		assert_int_equal(vfio_dma_map(&f->dev, f->buf + (i % 8) * PG,
					      IOVA + i * PG, PG), 0);
	errmsg_clear(&f->dev.err);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, 0x800000, PG), -ENOSPC);
	assert_int_equal(mapped(f), VFIO_MAX_DMA);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/*
 * DMA memory: aligned as asked, zeroed, a memfd shared mapping (what
 * another process could map too), and gone after vfio_dma_free().
 */
static void test_dma_alloc(void **state)
{
	struct fx *f = *state;
	const size_t align = 0x10000, size = 5 * PG;
	uint8_t *p, *q;

	fx_start(f);
	p = vfio_dma_alloc(&f->dev, size, align);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p & (align - 1), 0);
	for (size_t i = 0; i < size; i++)
		assert_int_equal(p[i], 0);
	assert_true(f->dev.mem[0].fd >= 0);
	/* Shared: the memfd's pages are the mapping's. */
	p[7] = 0x5a;
	q = mmap(NULL, PG, PROT_READ, MAP_SHARED, f->dev.mem[0].fd, 0);
	assert_true(q != MAP_FAILED);
	assert_int_equal(q[7], 0x5a);
	munmap(q, PG);
	/* The IOMMU maps it like any memory. */
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_dma_map(&f->dev, p, IOVA, size), 0);
	assert_int_equal(vfio_close(&f->dev), 0);
	vfio_dma_free(&f->dev, p);
	assert_null(f->dev.mem[0].addr);
	assert_int_equal(f->dev.mem[0].fd, -1);
	/* A bad alignment is refused with a message. */
	assert_null(vfio_dma_alloc(&f->dev, size, 3 * PG));
	assert_msg_has(f, "bad size or alignment");
	assert_all_released(f);
}

/*
 * The backend under test, seen through a wrapper: what its DMA map was
 * given, and a backend that names no page sizes or that maps only memory
 * it can hand to another process. Tests run one at a time: static is fine.
 */
static struct {
	struct vfio_iommu_backend b;
	const struct vfio_iommu_backend *real;
	unsigned int maps;
	int fd;
	uint64_t offset;
} wrap;

static int wrap_dma_map(struct vfio_dev *dev, void *vaddr, int fd,
			uint64_t offset, uint64_t iova, uint64_t size)
{
	wrap.maps++;
	wrap.fd = fd;
	wrap.offset = offset;
	return wrap.real->dma_map(dev, vaddr, fd, offset, iova, size);
}

static uint64_t wrap_no_page_sizes(const struct vfio_dev *dev)
{
	(void)dev;
	return 0;
}

static void wrap_start(struct fx *f)
{
	wrap.real = backend(f);
	wrap.b = *wrap.real;
	wrap.b.dma_map = wrap_dma_map;
	wrap.maps = 0;
	fx_start_ops(f, NULL, &wrap.b);
}

/*
 * vfio_dma_map() gives the backend the memfd and the offset in it of
 * memory from vfio_dma_alloc(), and fd -1 for other memory, which a
 * backend that needs the fd is refused before it is asked.
 */
static void test_dma_fd(void **state)
{
	struct fx *f = *state;
	uint8_t *p;

	wrap_start(f);
	p = vfio_dma_alloc(&f->dev, 4 * PG, PG);
	assert_non_null(p);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_dma_map(&f->dev, p + PG, IOVA, 2 * PG), 0);
	assert_int_equal(wrap.fd, f->dev.mem[0].fd);
	assert_int_equal(wrap.offset, PG);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA + 8 * PG, PG), 0);
	assert_int_equal(wrap.fd, -1);
	assert_int_equal(wrap.offset, 0);

	wrap.b.dma_needs_fd = true;
	assert_int_equal(vfio_dma_map(&f->dev, f->buf + PG, IOVA + 9 * PG, PG),
			 -EINVAL);
	assert_msg_has(f, "maps only memory from vfio_dma_alloc()");
	/* Running past the end of the allocation: not all its memory. */
	assert_int_equal(vfio_dma_map(&f->dev, p + 2 * PG, IOVA + 12 * PG,
				      4 * PG), -EINVAL);
	assert_int_equal(wrap.maps, 2);
	assert_int_equal(mapped(f), 2);
	assert_int_equal(vfio_dma_map(&f->dev, p + 3 * PG, IOVA + 10 * PG, PG),
			 0);
	assert_int_equal(wrap.offset, 3 * PG);
	assert_int_equal(mapped(f), 3);
	assert_int_equal(vfio_close(&f->dev), 0);
	vfio_dma_free(&f->dev, p);
	assert_all_released(f);
}

/*
 * A backend that names no page sizes is still set up: DMA is mapped at
 * 4 KiB alignment, and "no IOMMU set up" comes only before it opened.
 */
static void test_dma_no_page_sizes(void **state)
{
	struct fx *f = *state;

	wrap_start(f);
	wrap.b.page_sizes = wrap_no_page_sizes;
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, PG), -EBADF);
	assert_msg_has(f, "no IOMMU set up");
	assert_int_equal(vfio_dma_unmap(&f->dev, IOVA, PG), -EBADF);
	errmsg_clear(&f->dev.err);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_iommu_page_sizes(&f->dev), 0);
	assert_int_equal(vfio_iommu_page_size(&f->dev), 4096);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf + 8, IOVA, PG), -EINVAL);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, 2 * PG), 0);
	assert_int_equal(mapped(f), 1);
	assert_int_equal(vfio_dma_unmap(&f->dev, IOVA, 2 * PG), 0);
	assert_int_equal(mapped(f), 0);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/* The backends by name, and a variant for each one this build has. */
static void test_backends(void **state)
{
	const struct vfio_iommu_backend *const *b;
	struct fx *f = *state;

	assert_ptr_equal(vfio_iommu_backend("type1"), &vfio_type1_backend);
	assert_ptr_equal(vfio_iommu_backend(NULL), vfio_iommu_backends[0]);
	assert_ptr_equal(vfio_iommu_backend("default"), vfio_iommu_backends[0]);
	assert_null(vfio_iommu_backend("type2"));
	fx_start_ops(f, NULL, NULL);
	assert_ptr_equal(f->dev.iommu, vfio_iommu_backends[0]);
	for (b = vfio_iommu_backends; *b; b++) {
		size_t i = 0;

		/*
		 * vfio-user's device is a process, not the mock kernel: its
		 * tests run it against a server (tests/test_vfu_client.c).
		 */
		if (*b == &vfio_user_backend)
			continue;
		while (i < sizeof(variants) / sizeof(variants[0]) &&
		       strcmp(variants[i].backend, (*b)->name))
			i++;
		if (i == sizeof(variants) / sizeof(variants[0]))
			fail_msg("backend %s has no line in variants[]",
				 (*b)->name);
	}
}

/* ---- interrupts ---- */

static void test_irqs(void **state)
{
	struct fx *f = *state;
	uint64_t n;

	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_irq_fd(&f->dev, 0), -1);
	assert_int_equal(vfio_irq_enable(&f->dev, MSIX, 4), 0);
	assert_int_equal(counters(f).irqs_routed, 4);
	assert_int_equal(counters(f).fds_open, fds(f, 4));
	for (uint32_t i = 0; i < 4; i++)
		assert_true(vfio_irq_fd(&f->dev, i) >= 0);
	assert_int_equal(vfio_irq_fd(&f->dev, 4), -1);

	mock_vfio_msix(f->mx.m, 2);
	assert_true(fd_readable(vfio_irq_fd(&f->dev, 2), 1000));
	assert_false(fd_readable(vfio_irq_fd(&f->dev, 0), 0));
	assert_int_equal(read(vfio_irq_fd(&f->dev, 2), &n, sizeof(n)),
			 sizeof(n));

	assert_int_equal(vfio_irq_enable(&f->dev, MSIX, 1), -EBUSY);
	assert_int_equal(vfio_irq_disable(&f->dev), 0);
	assert_int_equal(counters(f).irqs_routed, 0);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_int_equal(vfio_irq_fd(&f->dev, 0), -1);
	assert_int_equal(vfio_irq_disable(&f->dev), 0);	/* idempotent */

	errmsg_clear(&f->dev.err);
	assert_int_equal(vfio_irq_enable(&f->dev, MSIX, 9), -EINVAL);
	assert_msg_has(f, "MSI-X of 0000:01:00.0 has 8 vectors, 9 wanted");
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_int_equal(vfio_irq_enable(&f->dev, VFIO_PCI_INTX_IRQ_INDEX, 1),
			 -EINVAL);

	/* MSI: one vector on the mock. */
	assert_int_equal(vfio_irq_enable(&f->dev, VFIO_PCI_MSI_IRQ_INDEX, 1),
			 0);
	mock_vfio_msix(f->mx.m, 0);
	assert_true(fd_readable(vfio_irq_fd(&f->dev, 0), 1000));
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

static void test_irq_faults(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_open(f), 0);
	/* The third eventfd fails: the two made are closed again. */
	mock_vfio_fail(f->mx.m, MOCK_OP_EVENTFD, 0, 3, EMFILE);
	assert_int_equal(vfio_irq_enable(&f->dev, MSIX, 4), -EMFILE);
	assert_msg_has(f, "eventfd for MSI-X vector 2: Too many open files");
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_int_equal(f->dev.irq_count, 0);

	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_DEVICE_SET_IRQS, 1, EINVAL);
	assert_int_equal(vfio_irq_enable(&f->dev, MSIX, 4), -EINVAL);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_int_equal(counters(f).irqs_routed, 0);
}

/* ---- the device request ---- */

static void test_req(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_open(f), 0);
	assert_false(vfio_req_pending(&f->dev));	/* not routed: never */
	assert_int_equal(vfio_req_enable(&f->dev), 0);
	assert_true(vfio_req_fd(&f->dev) >= 0);
	assert_int_equal(counters(f).irqs_routed, 1);
	assert_int_equal(counters(f).fds_open, fds(f, 1));
	assert_int_equal(vfio_req_enable(&f->dev), 0);	/* already routed */
	assert_int_equal(counters(f).fds_open, fds(f, 1));
	assert_false(vfio_req_pending(&f->dev));
	assert_int_equal(counters(f).calls[MOCK_OP_READ], 1);

	assert_true(mock_vfio_request(f->mx.m));
	assert_true(vfio_req_pending(&f->dev));
	/* Latched: true from then on, without another read. */
	assert_true(vfio_req_pending(&f->dev));
	assert_int_equal(counters(f).calls[MOCK_OP_READ], 2);

	assert_int_equal(vfio_req_disable(&f->dev), 0);
	assert_int_equal(vfio_req_fd(&f->dev), -1);
	assert_true(vfio_req_fired(&f->dev));
	assert_int_equal(counters(f).irqs_routed, 0);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_false(mock_vfio_request(f->mx.m));	/* nobody to tell */
	assert_int_equal(vfio_req_disable(&f->dev), 0);	/* idempotent */

	/* vfio_close() unroutes it before it closes the device. */
	assert_int_equal(vfio_req_enable(&f->dev), 0);
	assert_false(vfio_req_fired(&f->dev));
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
	assert_int_equal(counters(f).requests, 2);
	assert_int_equal(counters(f).calls[MOCK_OP_READ], 2);
}

/* A device without it runs without it: nothing routed, nothing wrong. */
static void test_req_not_offered(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.req_irq = false;
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_req_enable(&f->dev), -ENOTSUP);
	assert_int_equal(vfio_req_fd(&f->dev), -1);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_false(mock_vfio_request(f->mx.m));
	assert_false(vfio_req_pending(&f->dev));
	/* A driver that refuses the index (EINVAL) does not offer it either. */
	assert_int_equal(vfio_close(&f->dev), 0);
	mock_vfio_destroy(f->mx.m);
	f->mx.m = NULL;
	f->mx.cfg.req_irq = true;
	assert_int_equal(fx_open(f), 0);
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_DEVICE_GET_IRQ_INFO, 1,
		       EINVAL);
	assert_int_equal(vfio_req_enable(&f->dev), -ENOTSUP);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
}

static void test_req_faults(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_open(f), 0);
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_DEVICE_GET_IRQ_INFO, 1, EIO);
	assert_int_equal(vfio_req_enable(&f->dev), -EIO);
	assert_msg_has(f, "VFIO_DEVICE_GET_IRQ_INFO(device request) on 0000:01:00.0");
	errmsg_clear(&f->dev.err);
	mock_vfio_fail(f->mx.m, MOCK_OP_EVENTFD, 0, 1, EMFILE);
	assert_int_equal(vfio_req_enable(&f->dev), -EMFILE);
	assert_msg_has(f, "eventfd for the device request of 0000:01:00.0");
	errmsg_clear(&f->dev.err);
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_DEVICE_SET_IRQS, 1, EINVAL);
	assert_int_equal(vfio_req_enable(&f->dev), -EINVAL);
	assert_msg_has(f, "VFIO_DEVICE_SET_IRQS(device request) on 0000:01:00.0");
	assert_int_equal(vfio_req_fd(&f->dev), -1);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
	assert_int_equal(counters(f).irqs_routed, 0);

	/* A read that fails is no request; the next one still sees it. */
	assert_int_equal(vfio_req_enable(&f->dev), 0);
	assert_true(mock_vfio_request(f->mx.m));
	mock_vfio_fail(f->mx.m, MOCK_OP_READ, 0, 1, EIO);
	assert_false(vfio_req_pending(&f->dev));
	assert_true(vfio_req_pending(&f->dev));

	/* Unrouting fails: the eventfd is closed all the same. */
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_DEVICE_SET_IRQS, 1, EIO);
	assert_int_equal(vfio_req_disable(&f->dev), -EIO);
	assert_int_equal(vfio_req_fd(&f->dev), -1);
	assert_int_equal(counters(f).fds_open, fds(f, 0));
}

/* ---- reset ---- */

static void test_reset(void **state)
{
	struct fx *f = *state;

	fx_start(f);
	assert_int_equal(vfio_reset(&f->dev), -EBADF);
	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_bar0_map(&f->dev, false), 0);
	vfio_bar0_write64(&f->dev, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	assert_true(wait_amu_enabled(f, true));
	assert_int_equal(vfio_reset(&f->dev), 0);
	assert_false(summary(f).amu_enabled);
	/* The mapping shows the power-on registers after the reset. */
	assert_true(wait_reg(f, RV_AMU_CR, 0));
	assert_int_equal(vfio_bar0_read64(&f->dev, RV_AMU_AIDR), 0x20);
}

static void test_reset_unsupported(void **state)
{
	struct fx *f = *state;

	unsigned long ioctls;

	f->mx.cfg.reset = false;
	assert_int_equal(fx_open(f), 0);
	ioctls = counters(f).calls[MOCK_OP_IOCTL];
	assert_int_equal(vfio_reset(&f->dev), -ENOTTY);
	assert_msg_has(f, "device 0000:01:00.0 does not offer VFIO_DEVICE_RESET");
	assert_int_equal(counters(f).calls[MOCK_OP_IOCTL], ioctls);
}

/* ---- the whole path: a command through the ring, by DMA ---- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * PF-PROBE (spec 5, 6) on one-slot management rings (spec 3): the device
 * reads the command and writes the response by DMA through the mock's
 * IOMMU, and signals the response vector (spec 8.8). Then a command ring
 * at an IOVA nobody mapped: an IOMMU fault (spec 8.4).
 */
static void probe_roundtrip(struct fx *f, bool force_rw)
{
	const uint64_t ctrl = RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, 3);
	uint8_t *cmd = f->buf, *rsp = f->buf + PG;

	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_bar0_map(&f->dev, force_rw), 0);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, 3 * PG), 0);
	assert_int_equal(vfio_irq_enable(&f->dev, MSIX, 2), 0);
	for (int k = 0; k < RV_MSK_COUNT; k++) {
		vfio_bar0_write64(&f->dev, RV_MSK_BASE_PTR(k), IOVA + k * PG);
		vfio_bar0_write64(&f->dev, RV_MSK_CTRL(k), ctrl);
	}
	vfio_bar0_write64(&f->dev, RV_MGT_RX_VECTOR, 1);
	vfio_bar0_write64(&f->dev, RV_MGT_RX_DIGEST_MASK, 1);
	vfio_bar0_write64(&f->dev, RV_MGT_RX_IRQ_CTRL, RV_MGT_IRQ_CTRL_EN);
	assert_int_equal(vfio_set_bus_master(&f->dev, true), 0);
	vfio_bar0_write64(&f->dev, RV_AMU_CR, RV_AMU_CR_AMU_EN);

	mock_fx_dma_fill(rsp, 0xee, RV_MSG_SIZE);
	mock_fx_dma_fill(cmd, 0, RV_MSG_SIZE);
	mock_fx_dma_fill(cmd, RV_OP_PF_PROBE, 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vfio_bar0_write64(&f->dev, RV_MGT_WRITE_INDEX_TX0, 1);
	assert_true(wait_reg(f, RV_MGT_WRITE_INDEX_RX0, 1));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	/* PF-PROBE response bytes, from the spec 6 table and spec 8.9. */
	assert_int_equal(le16(rsp + 0x0), RV_OP_PF_PROBE);
	assert_int_equal(le16(rsp + 0x4), 4);		/* MAX_AMI_SW */
	assert_int_equal(le16(rsp + 0x6), 8);		/* MAX_AMI_HW */
	assert_int_equal(le16(rsp + 0x8), 16);		/* MAX_ASN */
	assert_int_equal(le16(rsp + 0xc), 1);		/* NUM_AHA */
	assert_true(fd_readable(vfio_irq_fd(&f->dev, 1), 2000));
	assert_false(fd_readable(vfio_irq_fd(&f->dev, 0), 0));
	assert_false(summary(f).iommu_fault);
	/* Consume the response: the one-slot response ring has room again. */
	vfio_bar0_write64(&f->dev, RV_MGT_READ_INDEX_RX0, 1);

	/* The command ring moved out of the mappings: an IOMMU fault. */
	vfio_bar0_write64(&f->dev, RV_MSK_BASE_PTR(RV_MSK_CMD), 0x800000);
	vfio_bar0_write64(&f->dev, RV_MGT_WRITE_INDEX_TX0, 2);
	assert_true(wait_reg(f, RV_AMU_SR, RV_AMU_SR_IOMMU_FAULT));
	assert_true(summary(f).iommu_fault);
	assert_int_equal(vfio_bar0_read64(&f->dev, RV_MGT_WRITE_INDEX_RX0), 1);
	assert_int_equal(vfio_bar0_error(&f->dev), 0);

	assert_int_equal(vfio_set_bus_master(&f->dev, false), 0);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

static void test_probe_mmap(void **state)
{
	probe_roundtrip(*state, false);
}

static void test_probe_rw(void **state)
{
	probe_roundtrip(*state, true);
}

/* Spin (no sleep: the device thread must still be polling) for a value. */
static bool spin_reg(struct fx *f, uint64_t off, uint64_t want)
{
	uint64_t end = 0;
	struct timespec ts;

	for (unsigned int i = 0;; i++) {
		if (vfio_bar0_read64(&f->dev, off) == want)
			return true;
		if (i % 1024)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (!end)
			end = (uint64_t)ts.tv_sec + 3;
		else if ((uint64_t)ts.tv_sec > end)
			return false;
	}
}

/*
 * Commands back to back through the mapping, each doorbell followed at
 * once by a call into the mock (a config space read), whose lock the
 * device thread holds while it polls: it cuts its poll short for the
 * waiter and must still act on a doorbell it took just before (mock_bar.c,
 * bar_poll()'s *more). One was once left untouched that way, and the
 * device sat idle with a command announced.
 */
static void test_mmap_lock_waiter(void **state)
{
	const uint64_t ctrl = RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, 3);
	struct fx *f = *state;
	uint16_t cmd;
	uint64_t i;

	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_bar0_map(&f->dev, false), 0);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, 3 * PG), 0);
	for (int k = 0; k < RV_MSK_COUNT; k++) {
		vfio_bar0_write64(&f->dev, RV_MSK_BASE_PTR(k), IOVA + k * PG);
		vfio_bar0_write64(&f->dev, RV_MSK_CTRL(k), ctrl);
	}
	assert_int_equal(vfio_set_bus_master(&f->dev, true), 0);
	vfio_bar0_write64(&f->dev, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	mock_fx_dma_fill(f->buf, RV_OP_PF_PROBE, 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 1; i <= 20000; i++) {
		/*
		 * The doorbell a little after the response's slot is given
		 * back, by a varying margin, so that it lands at every point
		 * of the poll that the first store started.
		 */
		for (volatile unsigned int j = 0; j < i % 128; j++)
			;
		vfio_bar0_write64(&f->dev, RV_MGT_WRITE_INDEX_TX0, i);
		assert_int_equal(vfio_cfg_read16(&f->dev, PCI_COMMAND, &cmd), 0);
		if (!spin_reg(f, RV_MGT_WRITE_INDEX_RX0, i))
			break;
		vfio_bar0_write64(&f->dev, RV_MGT_READ_INDEX_RX0, i);
	}
	assert_int_equal(i, 20001);
	assert_false(summary(f).iommu_fault);
	assert_int_equal(vfio_set_bus_master(&f->dev, false), 0);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/*
 * Stores through the mapping reach the device in the order software made
 * them, as posted writes on PCIe do: the command ring's base, then its
 * doorbell. The ring moves between two command buffers, one with PF-PROBE
 * and one with F-PROBE, so a device that took the doorbell before the new
 * base answers the other opcode. The device thread once did, when the
 * doorbell landed in the middle of its pass over the registers.
 */
static void test_mmap_store_order(void **state)
{
	const uint64_t ctrl = RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, 3);
	struct fx *f = *state;
	uint8_t *rsp = f->buf + PG;
	uint64_t i;

	assert_int_equal(fx_open(f), 0);
	assert_int_equal(vfio_bar0_map(&f->dev, false), 0);
	assert_int_equal(vfio_dma_map(&f->dev, f->buf, IOVA, 4 * PG), 0);
	for (int k = 0; k < RV_MSK_COUNT; k++) {
		vfio_bar0_write64(&f->dev, RV_MSK_BASE_PTR(k), IOVA + k * PG);
		vfio_bar0_write64(&f->dev, RV_MSK_CTRL(k), ctrl);
	}
	assert_int_equal(vfio_set_bus_master(&f->dev, true), 0);
	vfio_bar0_write64(&f->dev, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	mock_fx_dma_fill(f->buf, RV_OP_PF_PROBE, 1);
	mock_fx_dma_fill(f->buf + 3 * PG, RV_OP_F_PROBE, 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 1; i <= 20000; i++) {
		uint64_t page = i % 2 ? 0 : 3 * PG;

		for (volatile unsigned int j = 0; j < i % 128; j++)
			;
		vfio_bar0_write64(&f->dev, RV_MSK_BASE_PTR(RV_MSK_CMD),
				  IOVA + page);
		vfio_bar0_write64(&f->dev, RV_MGT_WRITE_INDEX_TX0, i);
		if (!spin_reg(f, RV_MGT_WRITE_INDEX_RX0, i))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (le16(rsp) != f->buf[page])
			break;
		vfio_bar0_write64(&f->dev, RV_MGT_READ_INDEX_RX0, i);
	}
	assert_int_equal(i, 20001);
	assert_false(summary(f).iommu_fault);
	assert_int_equal(vfio_set_bus_master(&f->dev, false), 0);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/* ---- teardown after a set-up interrupted at every call ---- */

/* What a driver does before its first command. */
static int full_setup(struct fx *f)
{
	int ret = fx_open(f);

	if (!ret)
		ret = vfio_reset(&f->dev);
	if (!ret)
		ret = vfio_bar0_map(&f->dev, false);
	if (!ret)
		ret = vfio_dma_map(&f->dev, f->buf, IOVA, 4 * PG);
	if (!ret)
		ret = vfio_irq_enable(&f->dev, MSIX, 4);
	if (!ret)
		ret = vfio_req_enable(&f->dev);
	if (!ret)
		ret = vfio_set_bus_master(&f->dev, true);
	if (!ret && vfio_bar0_read64(&f->dev, RV_AMU_AIDR) != 0x20)
		ret = vfio_bar0_error(&f->dev) ? vfio_bar0_error(&f->dev) : -EIO;
	return ret;
}

static void fault_every_call(struct fx *f)
{
	static const enum mock_op ops[] = {
		MOCK_OP_OPEN, MOCK_OP_IOCTL, MOCK_OP_PREAD, MOCK_OP_PWRITE,
		MOCK_OP_MMAP, MOCK_OP_EVENTFD,
	};
	struct mock_vfio_counters clean;
	unsigned int runs = 0;

	/* A clean run counts the calls of each kind. */
	assert_int_equal(full_setup(f), 0);
	clean = counters(f);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
	mock_vfio_destroy(f->mx.m);
	f->mx.m = NULL;
	assert_true(clean.calls[MOCK_OP_OPEN] >= 2);
	assert_true(clean.calls[MOCK_OP_IOCTL] >= 10);
	assert_true(clean.calls[MOCK_OP_EVENTFD] == 4 + 1);

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		for (unsigned int n = 1; n <= clean.calls[ops[i]]; n++) {
			fx_start(f);
			mock_vfio_fail(f->mx.m, ops[i], 0, n, EIO);
			if (full_setup(f) != -EIO)
				fail_msg("op %d call %u: set-up did not fail with EIO (%s)",
					 ops[i], n, f->dev.err.msg);
			if (!strstr(f->dev.err.msg, "Input/output error"))
				fail_msg("op %d call %u: message \"%s\"",
					 ops[i], n, f->dev.err.msg);
			vfio_close(&f->dev);
			assert_all_released(f);
			assert_int_equal(vfio_close(&f->dev), 0);
			mock_vfio_destroy(f->mx.m);
			f->mx.m = NULL;
			runs++;
		}
	}
	assert_true(runs >= 20);
}

static void test_teardown_after_fault_mmap(void **state)
{
	fault_every_call(*state);
}

static void test_teardown_after_fault_rw(void **state)
{
	struct fx *f = *state;

	f->mx.cfg.bar0_mmap = false;
	fault_every_call(f);
}

/*
 * The kernel detaches the group itself when its last device goes away
 * (an unbind completing once we closed the device): UNSET_CONTAINER then
 * says EINVAL, and that is no failure of the release.
 */
static void test_close_after_kernel_detached(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fx_open(f), 0);
	mock_vfio_fail(f->mx.m, MOCK_OP_IOCTL, VFIO_GROUP_UNSET_CONTAINER, 1,
		       EINVAL);
	assert_int_equal(vfio_close(&f->dev), 0);
	assert_all_released(f);
}

/* vfio_close() of a full set-up, with op (and for an ioctl, req) failing. */
static void teardown_fails_at(struct fx *f, enum mock_op op, unsigned long req)
{
	struct mock_vfio_counters c;

	fx_start(f);
	assert_int_equal(full_setup(f), 0);
	/* Faults count calls from when they are armed. */
	mock_vfio_fail(f->mx.m, op, req, 1, EIO);
	assert_int_equal(vfio_close(&f->dev), -EIO);
	assert_msg_has(f, "Input/output error");
	mock_vfio_counters(f->mx.m, &c);
	assert_int_equal(c.fds_open, 0);
	assert_int_equal(c.dma_mappings, 0);
	assert_int_equal(c.ioas_mappings, 0);
	assert_int_equal(c.irqs_routed, 0);
	/*
	 * A failed munmap leaves the (mock) mapping, and the device file it
	 * holds: a device bound through it stays bound; nothing else.
	 */
	assert_int_equal(c.bar_mmaps, op == MOCK_OP_MUNMAP);
	assert_int_equal(c.iommufd_bound,
			 op == MOCK_OP_MUNMAP && f->v->bar_holds_binding);
	assert_null(f->dev.io_priv);
	assert_null(f->dev.iommu_priv);
	mock_vfio_destroy(f->mx.m);
	f->mx.m = NULL;
}

/* Teardown itself failing at each step still releases everything. */
static void test_teardown_faults(void **state)
{
	struct fx *f = *state;
	static const struct { enum mock_op op; unsigned long req; } at[] = {
		{ MOCK_OP_IOCTL, VFIO_DEVICE_SET_IRQS },
		{ MOCK_OP_MUNMAP, 0 },
		{ MOCK_OP_CLOSE, 0 },
	};

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		teardown_fails_at(f, at[i].op, at[i].req);
	for (size_t i = 0; f->v->release_ioctls[i]; i++)
		teardown_fails_at(f, MOCK_OP_IOCTL, f->v->release_ioctls[i]);
}

/*
 * The cases where the backend matters, everything that opens the device,
 * maps DMA, routes interrupts or tears down: each runs once per variant.
 */
static const struct CMUnitTest per_backend[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	T(test_open_close),
	T(test_kernel_answers_checked),
	T(test_step_order),
	T(test_err_container_missing),
	T(test_err_group_missing),
	T(test_err_permission),
	T(test_err_group_busy),
	T(test_err_not_viable),
	T(test_err_memlock),
	T(test_config),
	T(test_bar_mmap),
	T(test_bar_rw_no_mmap_flag),
	T(test_bar_rw_forced),
	T(test_bar_errors),
	T(test_bar_mmap_fails),
	T(test_dma),
	T(test_dma_alloc),
	T(test_dma_fd),
	T(test_dma_no_page_sizes),
	T(test_irqs),
	T(test_irq_faults),
	T(test_req),
	T(test_req_not_offered),
	T(test_req_faults),
	T(test_reset),
	T(test_reset_unsupported),
	T(test_probe_mmap),
	T(test_probe_rw),
	T(test_mmap_lock_waiter),
	T(test_mmap_store_order),
	T(test_teardown_after_fault_mmap),
	T(test_teardown_after_fault_rw),
	T(test_teardown_faults),
};

/*
 * type1's own steps, which iommufd does not have: TYPE1 without v2, the
 * container's checks, a group before its container, VFIO_GROUP_SET_CONTAINER,
 * a device found by name in its group (VFIO_GROUP_GET_DEVICE_FD), the
 * group detached by the kernel (VFIO_GROUP_UNSET_CONTAINER). On its variant.
 */
static const struct CMUnitTest type1_only[] = {
	T(test_open_type1_only),
	T(test_container_checks),
	T(test_group_before_container),
	T(test_err_set_container_busy),
	T(test_err_unknown_device),
	T(test_close_after_kernel_detached),
};

/*
 * No backend at all: the list of backends, and the real system calls'
 * table (no mock), once.
 */
static const struct CMUnitTest once[] = {
	T(test_backends),
	T(test_linux_ops),
#undef T
};

#define N(a)		(sizeof(a) / sizeof((a)[0]))
#define N_VARIANTS	N(variants)
#define N_TESTS		(N(once) + N(type1_only) + N_VARIANTS * N(per_backend))

/* cases[i] as tests[*n], on variant v, named "case.variant" if named. */
static void add(struct CMUnitTest *tests, size_t *n, char (*names)[64],
		const struct CMUnitTest *c, const struct variant *v,
		bool named)
{
	tests[*n] = *c;
	tests[*n].initial_state = (void *)v;
	if (named) {
		/* As the selftests name theirs: case.variant. */
		snprintf(names[*n], sizeof(names[0]), "%s.%s", c->name,
			 v->backend);
		tests[*n].name = names[*n];
	}
	(*n)++;
}

int main(void)
{
	static struct CMUnitTest tests[N_TESTS];
	static char names[N_TESTS][64];
	const struct variant *type1 = NULL;
	size_t n = 0;

	for (size_t v = 0; v < N_VARIANTS; v++)
		if (!strcmp(variants[v].backend, "type1"))
			type1 = &variants[v];
	if (!type1) {
		fprintf(stderr, "test_vfio: no type1 line in variants[]\n");
		return 1;
	}
	for (size_t i = 0; i < N(once); i++)
		add(tests, &n, names, &once[i], &variants[0], false);
	for (size_t i = 0; i < N(type1_only); i++)
		add(tests, &n, names, &type1_only[i], type1, true);
	for (size_t v = 0; v < N_VARIANTS; v++)
		for (size_t i = 0; i < N(per_backend); i++)
			add(tests, &n, names, &per_backend[i], &variants[v],
			    true);
	return _cmocka_run_group_tests("test_vfio", tests, n, NULL, NULL);
}
