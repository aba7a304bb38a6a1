// SPDX-License-Identifier: BSD-3-Clause
/*
 * The iommufd IOMMU backend of the VFIO layer (vfio_iommu.h), in the
 * sequence of Documentation/driver-api/vfio.rst, "VFIO device cdev": the
 * device's own file (/dev/vfio/devices/vfioN) is opened, bound to an
 * iommufd (/dev/iommu) with VFIO_DEVICE_BIND_IOMMUFD and attached to an
 * IO address space (IOAS) of it with VFIO_DEVICE_ATTACH_IOMMUFD_PT; DMA is
 * mapped into the IOAS with IOMMU_IOAS_MAP (include/uapi/linux/iommufd.h).
 * No group, no container: the device file is the unit the user owns.
 *
 * IOVAs: the demo's buffers sit at fixed IOVAs (revere_dev.c). Once the
 * device is attached, IOMMU_IOAS_IOVA_RANGES says which IOVAs the IOAS
 * may map (the domain's aperture less the reserved regions, the MSI
 * window on x86). The backend does not move the buffers elsewhere: the
 * device is told its buffer addresses by the driver, a moved IOVA would
 * be a second source of truth, and a user copying this code should see
 * a clash at once. A map outside the allowed ranges is refused before
 * the kernel is asked, with a message naming the ranges.
 *
 * Each step either succeeds or undoes what it did before returning the
 * error, with the same release helpers close uses.
 */
#include "vfio_iommu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "vfio.h"
#include "vfio_device_io.h"
#include "vfio_sys.h"
#include "iommufd_uapi.h"

#define IOMMUFD_PATH		"/dev/iommu"
/* More allowed ranges than this is refused: real IOMMUs report a few. */
#define IOMMUFD_MAX_RANGES	16

/* dev->iommu_priv while anything is open or being opened. */
struct iommufd {
	int iommufd;		/* /dev/iommu; -1 when closed, as every fd */
	int cdev_fd;		/* the device file while this backend owns it */
	int device_fd;		/* the same fd once the transport owns it */
	uint32_t ioas_id;	/* 0: none */
	bool bound;		/* BIND_IOMMUFD done (closing the fd undoes it) */
	bool attached;		/* ATTACH_IOMMUFD_PT done: DETACH on release */
	char cdev_path[128];
	uint64_t alignment;	/* out_iova_alignment; 0 before attach */
	uint32_t nr_ranges;
	struct iommu_iova_range ranges[IOMMUFD_MAX_RANGES];
};

static struct iommufd *ifd_get(struct vfio_dev *dev)
{
	struct iommufd *s = dev->iommu_priv;

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s) {
		vfio_fail(dev, ENOMEM, "the iommufd state");
		return NULL;
	}
	s->iommufd = -1;
	s->cdev_fd = -1;
	s->device_fd = -1;
	dev->iommu_priv = s;
	return s;
}

/* An open() of /dev/iommu or of the device file failed: why, what to do. */
static int open_error(struct vfio_dev *dev, const char *path, int err)
{
	char hint[256] = "";
	bool iommu = !strcmp(path, IOMMUFD_PATH);

	switch (err) {
	case ENOENT:
		snprintf(hint, sizeof(hint), "%s",
			 iommu ? "the kernel lacks CONFIG_IOMMUFD (`modprobe iommufd`), or use --iommu type1" :
				 "the kernel lacks CONFIG_VFIO_DEVICE_CDEV or the device is not bound to vfio-pci; or use --iommu type1");
		break;
	case EACCES:
	case EPERM:
		snprintf(hint, sizeof(hint),
			 "run as root, or give your user the file: `sudo chown $USER %s`",
			 path);
		break;
	case EBUSY:
		snprintf(hint, sizeof(hint),
			 "another process (or this one) has the device or its group open");
		break;
	}
	return vfio_fail_hint(dev, err, hint, "open %s", path);
}

/* ---- /dev/iommu and the IOAS ---- */

static int ctx_release(struct vfio_dev *dev, struct iommufd *s)
{
	int ret = 0, cret;

	if (s->ioas_id && s->iommufd >= 0) {
		struct iommu_destroy d = { .size = sizeof(d), .id = s->ioas_id };

		ret = vfio_sys_ioctl(dev, s->iommufd, IOMMU_DESTROY, &d);
		if (ret < 0)
			ret = vfio_fail(dev, -ret, "IOMMU_DESTROY of IOAS %u on %s",
					s->ioas_id, IOMMUFD_PATH);
	}
	s->ioas_id = 0;
	cret = vfio_sys_close(dev, &s->iommufd, "iommufd");
	return ret ? ret : cret;
}

static int ctx_open(struct vfio_dev *dev, struct iommufd *s)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int ret;

	if (s->iommufd >= 0)
		return 0;
	ret = vfio_sys_open(dev, IOMMUFD_PATH);
	if (ret < 0)
		return open_error(dev, IOMMUFD_PATH, -ret);
	s->iommufd = ret;
	ret = vfio_sys_ioctl(dev, s->iommufd, IOMMU_IOAS_ALLOC, &a);
	if (ret < 0) {
		ret = vfio_fail(dev, -ret, "IOMMU_IOAS_ALLOC on %s",
				IOMMUFD_PATH);
		ctx_release(dev, s);
		return ret;
	}
	if (!a.out_ioas_id) {
		ctx_release(dev, s);
		return errmsg_set(&dev->err, EINVAL,
				  "IOMMU_IOAS_ALLOC on %s returned IOAS id 0",
				  IOMMUFD_PATH);
	}
	s->ioas_id = a.out_ioas_id;
	return 0;
}

/* ---- the device file ---- */

/* The fd for device ioctls, whichever of us holds it; -1: none. */
static int dev_fd(const struct iommufd *s)
{
	return s->cdev_fd >= 0 ? s->cdev_fd : s->device_fd;
}

/* DETACH while the device file is open; closing it unbinds. */
static int cdev_detach(struct vfio_dev *dev, struct iommufd *s)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };
	int ret = 0;

	if (s->attached && dev_fd(s) >= 0) {
		ret = vfio_sys_ioctl(dev, dev_fd(s),
				     VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
		if (ret < 0)
			ret = vfio_fail(dev, -ret,
					"VFIO_DEVICE_DETACH_IOMMUFD_PT on %s",
					s->cdev_path);
	}
	s->attached = false;
	s->alignment = 0;
	s->nr_ranges = 0;
	return ret;
}

static int cdev_release(struct vfio_dev *dev, struct iommufd *s)
{
	int ret = cdev_detach(dev, s), cret;

	s->bound = false;
	cret = vfio_sys_close(dev, &s->cdev_fd, "device");
	return ret ? ret : cret;
}

static int cdev_bind(struct vfio_dev *dev, struct iommufd *s)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = s->iommufd,
	};
	int ret = vfio_sys_ioctl(dev, s->cdev_fd, VFIO_DEVICE_BIND_IOMMUFD, &b);
	const char *hint = NULL;

	/*
	 * device_cdev.c refuses a device whose group is open (EBUSY).
	 * iommufd_device_bind() says EPERM for a group whose DMA another
	 * device's host driver owns (iommu_device_claim_dma_owner(); the
	 * device file has no VIABLE flag to read first, as the group file
	 * has) and for an IOMMU that cannot isolate MSIs, unless iommufd's
	 * own allow_unsafe_interrupts is set (type1's does not count here).
	 */
	if (ret == -EBUSY)
		hint = "the device's VFIO group is open elsewhere (another process, or this one with --iommu type1): close it first";
	else if (ret == -EPERM)
		hint = "another device of its IOMMU group is bound to a host driver (every device of the group must be on vfio-pci or on none: `revere-vfio-demo --check --device NAME` names them), or the IOMMU has no interrupt remapping (enable it in the firmware, or accept the risk: `echo Y > /sys/module/iommufd/parameters/allow_unsafe_interrupts`)";
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, hint,
				      "VFIO_DEVICE_BIND_IOMMUFD of %s to %s",
				      s->cdev_path, IOMMUFD_PATH);
	s->bound = true;
	return 0;
}

static int cdev_attach(struct vfio_dev *dev, struct iommufd *s)
{
	struct vfio_device_attach_iommufd_pt at = {
		.argsz = sizeof(at), .pt_id = s->ioas_id,
	};
	int ret = vfio_sys_ioctl(dev, s->cdev_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
				 &at);

	if (ret < 0)
		return vfio_fail(dev, -ret,
				 "VFIO_DEVICE_ATTACH_IOMMUFD_PT of %s to IOAS %u",
				 s->cdev_path, s->ioas_id);
	s->attached = true;
	return 0;
}

/* The allowed ranges, as "0x0-0xfedfffff, 0xfef00000-0xffffffffffff". */
static void ranges_text(const struct iommufd *s, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < s->nr_ranges && n < len; i++) {
		int w = snprintf(buf + n, len - n, "%s0x%" PRIx64 "-0x%" PRIx64,
				 i ? ", " : "", (uint64_t)s->ranges[i].start,
				 (uint64_t)s->ranges[i].last);

		if (w < 0)
			return;
		n += (size_t)w;
	}
}

/*
 * The kernel's answer is input like any other: a count that fits, ranges
 * in order that do not overlap, an alignment that is a power of two.
 */
static int ranges_check(struct vfio_dev *dev, const struct iommufd *s,
			const struct iommu_ioas_iova_ranges *r)
{
	const char *bad = NULL;

	if (!r->num_iovas || r->num_iovas > IOMMUFD_MAX_RANGES)
		bad = "a number of ranges";
	else if (!r->out_iova_alignment ||
		 (r->out_iova_alignment & (r->out_iova_alignment - 1)))
		bad = "an alignment that is no power of two";
	for (uint32_t i = 0; !bad && i < r->num_iovas; i++)
		if (s->ranges[i].start > s->ranges[i].last ||
		    (i && s->ranges[i].start <= s->ranges[i - 1].last))
			bad = "ranges out of order";
	if (!bad)
		return 0;
	return errmsg_set(&dev->err, EINVAL,
			  "IOMMU_IOAS_IOVA_RANGES of IOAS %u reports %s (%u ranges, alignment 0x%" PRIx64 "); this program reads at most %d",
			  s->ioas_id, bad, r->num_iovas,
			  (uint64_t)r->out_iova_alignment, IOMMUFD_MAX_RANGES);
}

static int read_ranges(struct vfio_dev *dev, struct iommufd *s)
{
	struct iommu_ioas_iova_ranges r = {
		.size = sizeof(r),
		.ioas_id = s->ioas_id,
		.num_iovas = IOMMUFD_MAX_RANGES,
		.allowed_iovas = (uintptr_t)s->ranges,
	};
	int ret = vfio_sys_ioctl(dev, s->iommufd, IOMMU_IOAS_IOVA_RANGES, &r);

	/* More ranges than fit: the count came back, and is refused. */
	if (ret == -EMSGSIZE && r.num_iovas > IOMMUFD_MAX_RANGES)
		return ranges_check(dev, s, &r);
	if (ret < 0)
		return vfio_fail(dev, -ret, "IOMMU_IOAS_IOVA_RANGES of IOAS %u",
				 s->ioas_id);
	ret = ranges_check(dev, s, &r);
	if (ret < 0)
		return ret;
	s->nr_ranges = r.num_iovas;
	s->alignment = r.out_iova_alignment;
	return 0;
}

static int cdev_open(struct vfio_dev *dev, struct iommufd *s, const char *path)
{
	int ret;

	if (s->cdev_fd >= 0 || s->device_fd >= 0)
		return 0;
	if (strlen(path) >= sizeof(s->cdev_path))
		return vfio_fail(dev, ENAMETOOLONG, "device file %s", path);
	strcpy(s->cdev_path, path);
	ret = vfio_sys_open(dev, path);
	if (ret < 0)
		return open_error(dev, path, -ret);
	s->cdev_fd = ret;
	ret = cdev_bind(dev, s);
	if (!ret)
		ret = cdev_attach(dev, s);
	if (!ret)
		ret = read_ranges(dev, s);
	if (ret < 0)
		cdev_release(dev, s);
	return ret;
}

/* ---- the backend ---- */

static int ifd_close(struct vfio_dev *dev);

static int ifd_open(struct vfio_dev *dev, const char *path)
{
	struct iommufd *s = ifd_get(dev);
	int ret;

	if (!s)
		return -ENOMEM;
	ret = ctx_open(dev, s);
	if (!ret)
		ret = cdev_open(dev, s, path);
	/* Nothing is kept for a retry: each try starts from /dev/iommu. */
	if (ret < 0 && s->cdev_fd < 0 && s->device_fd < 0)
		ifd_close(dev);
	return ret;
}

/* The device was opened by open: hand its fd to the transport. */
static int ifd_open_device(struct vfio_dev *dev, const char *name)
{
	struct iommufd *s = dev->iommu_priv;
	int fd, ret;

	if (!s || s->cdev_fd < 0)
		return errmsg_set(&dev->err, EBADF,
				  "open device %s: no device file bound (call vfio_open first)",
				  name);
	fd = s->cdev_fd;
	s->cdev_fd = -1;
	ret = vfio_device_fd_attach(dev, fd);
	/* The transport closed it on failure, which unbound it too. */
	if (ret < 0) {
		s->bound = false;
		s->attached = false;
		return ret;
	}
	s->device_fd = fd;
	return 0;
}

static bool ifd_is_open(const struct vfio_dev *dev)
{
	const struct iommufd *s = dev->iommu_priv;

	return s && s->attached && s->alignment;
}

/* The range that holds all of [iova, last], or NULL. */
static const struct iommu_iova_range *range_of(const struct iommufd *s,
					       uint64_t iova, uint64_t last)
{
	for (uint32_t i = 0; i < s->nr_ranges; i++)
		if (iova >= s->ranges[i].start && last <= s->ranges[i].last)
			return &s->ranges[i];
	return NULL;
}

/* The kernel pins the pages at vaddr itself: the memfd is not needed. */
static int ifd_dma_map(struct vfio_dev *dev, void *vaddr, int fd,
		       uint64_t offset, uint64_t iova, uint64_t size)
{
	const struct iommufd *s = dev->iommu_priv;
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = s->ioas_id,
		.user_va = (uintptr_t)vaddr,
		.length = size,
		.iova = iova,
	};
	char hint[ERRMSG_LEN] = "";
	int ret;

	(void)fd;
	(void)offset;
	if (!range_of(s, iova, iova + size - 1)) {
		ranges_text(s, hint, sizeof(hint));
		return errmsg_set(&dev->err, ERANGE,
				  "IOMMU_IOAS_MAP of %" PRIu64 " bytes at IOVA 0x%" PRIx64 ": outside the IOVAs %s allows (%s); the demo's IOVAs are fixed, see revere_dev.c",
				  size, iova, s->cdev_path, hint);
	}
	ret = vfio_sys_ioctl(dev, s->iommufd, IOMMU_IOAS_MAP, &map);
	/* The attached domain pins the pages against RLIMIT_MEMLOCK. */
	if (ret == -ENOMEM)
		vfio_memlock_hint(dev, size, hint, sizeof(hint));
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, hint,
				      "IOMMU_IOAS_MAP of %" PRIu64 " bytes at IOVA 0x%" PRIx64,
				      size, iova);
	return 0;
}

static int ifd_dma_unmap(struct vfio_dev *dev, uint64_t iova, uint64_t size,
			 uint64_t *unmapped)
{
	const struct iommufd *s = dev->iommu_priv;
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = s->ioas_id,
		.iova = iova,
		.length = size,
	};
	int ret = vfio_sys_ioctl(dev, s->iommufd, IOMMU_IOAS_UNMAP, &unmap);

	if (ret < 0)
		return vfio_fail(dev, -ret,
				 "IOMMU_IOAS_UNMAP of %" PRIu64 " bytes at IOVA 0x%" PRIx64,
				 size, iova);
	*unmapped = unmap.length;
	return 0;
}

/*
 * Before the transport closes the device file (vfio_close(), or a device
 * that vfio_open_device() refused after it was handed over): detach from
 * the IOAS, and forget the fd, whose closing unbinds the device. Kept, it
 * would be detached again on close (a closed fd, or another file's by
 * then), and a retry would take it for a device still bound.
 */
static int ifd_detach(struct vfio_dev *dev)
{
	struct iommufd *s = dev->iommu_priv;
	int ret;

	if (!s)
		return 0;
	ret = cdev_detach(dev, s);
	if (s->device_fd >= 0) {
		s->device_fd = -1;
		s->bound = false;
	}
	return ret;
}

/*
 * The device file goes before the IOAS and /dev/iommu: the bound device
 * holds the iommufd, and an attached IOAS cannot be destroyed (EBUSY).
 */
static int ifd_close(struct vfio_dev *dev)
{
	struct iommufd *s = dev->iommu_priv;
	int ret, cret;

	if (!s)
		return 0;
	ret = cdev_release(dev, s);
	s->device_fd = -1;
	cret = ctx_release(dev, s);
	free(s);
	dev->iommu_priv = NULL;
	return ret ? ret : cret;
}

/* iommufd names one alignment, the smallest page it maps. */
static uint64_t ifd_page_sizes(const struct vfio_dev *dev)
{
	const struct iommufd *s = dev->iommu_priv;

	return s ? s->alignment : 0;
}

static const char *ifd_describe(const struct vfio_dev *dev)
{
	(void)dev;
	return "iommufd";
}

static void ifd_context(const struct vfio_dev *dev, char *buf, size_t len)
{
	const struct iommufd *s = dev->iommu_priv;
	char ranges[ERRMSG_LEN];

	if (!ifd_is_open(dev)) {
		buf[0] = '\0';
		return;
	}
	ranges_text(s, ranges, sizeof(ranges));
	snprintf(buf, len,
		 "device file %s bound to " IOMMUFD_PATH " (VFIO_DEVICE_BIND_IOMMUFD) and attached to IOAS %u (IOMMU_IOAS_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT); IOVAs it allows %s, alignment 0x%" PRIx64 " (IOMMU_IOAS_IOVA_RANGES); DMA by IOMMU_IOAS_MAP",
		 s->cdev_path, s->ioas_id, ranges, s->alignment);
}

const struct vfio_iommu_backend vfio_iommufd_backend = {
	.name = "iommufd",
	.open = ifd_open,
	.open_device = ifd_open_device,
	.is_open = ifd_is_open,
	.dma_map = ifd_dma_map,
	.dma_unmap = ifd_dma_unmap,
	.detach = ifd_detach,
	.close = ifd_close,
	.page_sizes = ifd_page_sizes,
	.describe = ifd_describe,
	.context = ifd_context,
};
