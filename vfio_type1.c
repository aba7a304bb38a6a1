// SPDX-License-Identifier: BSD-3-Clause
/*
 * The type1 IOMMU backend of the VFIO layer (vfio_iommu.h), in the sequence
 * of Documentation/driver-api/vfio.rst: a container (/dev/vfio/vfio) holds
 * an IOMMU context, a group (/dev/vfio/<N>) is the unit of isolation that
 * joins it, and the device fd is obtained from the group by name. DMA is
 * mapped into the container with VFIO_IOMMU_MAP_DMA.
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

#include <linux/vfio.h>

#include "revere.h"
#include "vfio.h"
#include "vfio_device_io.h"
#include "vfio_sys.h"

#define VFIO_CONTAINER_PATH	"/dev/vfio/vfio"

/* dev->iommu_priv while anything is open or being opened. */
struct type1 {
	int container_fd;	/* -1 when closed, as every fd here */
	int group_fd;
	char group_path[128];
	uint32_t iommu_type;	/* VFIO_TYPE1v2_IOMMU or VFIO_TYPE1_IOMMU */
	uint64_t iova_pgsizes;	/* VFIO_IOMMU_GET_INFO: supported page sizes */
	bool iommu_set;
	bool group_attached;	/* SET_CONTAINER done: UNSET it on release */
};

/* The state, allocated by the first step that needs it; NULL: no memory. */
static struct type1 *type1_get(struct vfio_dev *dev)
{
	struct type1 *t = dev->iommu_priv;

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t) {
		vfio_fail(dev, ENOMEM, "the type1 IOMMU state");
		return NULL;
	}
	t->container_fd = -1;
	t->group_fd = -1;
	dev->iommu_priv = t;
	return t;
}

/* A step that failed and left nothing open leaves no memory either. */
static void type1_put_if_idle(struct vfio_dev *dev)
{
	struct type1 *t = dev->iommu_priv;

	if (t && t->container_fd < 0 && t->group_fd < 0) {
		free(t);
		dev->iommu_priv = NULL;
	}
}

/*
 * EPERM attaching a group: type1 refuses an IOMMU without interrupt
 * remapping (unless allow_unsafe_interrupts), and a no-IOMMU group
 * without CAP_SYS_RAWIO.
 */
#define EPERM_HINT \
	"the IOMMU has no interrupt remapping (enable it in the firmware, or accept the risk: `modprobe vfio_iommu_type1 allow_unsafe_interrupts=1`), or the group is a no-IOMMU group, which the demo does not support"

/* "42" from "/dev/vfio/42": the IOMMU group number, for sysfs hints. */
static const char *group_number(const struct type1 *t)
{
	const char *slash = strrchr(t->group_path, '/');

	return slash ? slash + 1 : t->group_path;
}

/* The devices of our IOMMU group, from sysfs, into buf (for hints). */
static void group_devices(struct vfio_dev *dev, char *buf, size_t len)
{
	char path[192];

	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/devices",
		 group_number(dev->iommu_priv));
	if (dev->ops->list_dir(dev->ops->ctx, path, buf, len) <= 0)
		snprintf(buf, len, "see %s", path);
}

/* An open() of a VFIO file failed: say why and what to do about it. */
static int open_error(struct vfio_dev *dev, const char *path, int err)
{
	char hint[256] = "";

	switch (err) {
	case ENOENT:
		if (!strcmp(path, VFIO_CONTAINER_PATH))
			snprintf(hint, sizeof(hint),
				 "is the vfio module loaded? `modprobe vfio-pci`");
		else
			snprintf(hint, sizeof(hint),
				 "is the device bound to vfio-pci? `modprobe vfio-pci ids=%04x:%04x` (and an IOMMU enabled)",
				 RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
		break;
	case EACCES:
	case EPERM:
		snprintf(hint, sizeof(hint),
			 "run as root, or give your user access to %s", path);
		break;
	case EBUSY:
		snprintf(hint, sizeof(hint),
			 "another process (or this one) has %s open", path);
		break;
	}
	return vfio_fail_hint(dev, err, hint, "open %s", path);
}

/* What to do about a group that is not viable: the same at both checks. */
static void not_viable_hint(struct vfio_dev *dev, char *hint, size_t len)
{
	char devices[256];

	group_devices(dev, devices, sizeof(devices));
	snprintf(hint, len,
		 "every device of IOMMU group %s must be bound to vfio-pci or to no driver (%s)",
		 group_number(dev->iommu_priv), devices);
}

/* ---- container and group ---- */

static int container_release(struct vfio_dev *dev, struct type1 *t)
{
	t->iommu_type = 0;
	return vfio_sys_close(dev, &t->container_fd, "container");
}

/* TYPE1v2 where the kernel offers it (cleaner unmap semantics), else v1. */
static int container_pick_iommu(struct vfio_dev *dev, struct type1 *t)
{
	static const uint32_t types[] = { VFIO_TYPE1v2_IOMMU,
					  VFIO_TYPE1_IOMMU };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int ret = vfio_sys_ioctl(dev, t->container_fd,
				    VFIO_CHECK_EXTENSION,
				    (void *)(uintptr_t)types[i]);

		if (ret < 0)
			return vfio_fail(dev, -ret,
				    "VFIO_CHECK_EXTENSION(%u) on %s", types[i],
				    VFIO_CONTAINER_PATH);
		if (ret > 0) {
			t->iommu_type = types[i];
			return 0;
		}
	}
	return vfio_fail_hint(dev, ENODEV,
			 "load vfio_iommu_type1 and enable the IOMMU (intel_iommu=on or amd_iommu=on)",
			 "no type1 IOMMU offered by %s", VFIO_CONTAINER_PATH);
}

static int container_open(struct vfio_dev *dev, struct type1 *t)
{
	int ret;

	if (t->container_fd >= 0)
		return 0;
	ret = vfio_sys_open(dev, VFIO_CONTAINER_PATH);
	if (ret < 0)
		return open_error(dev, VFIO_CONTAINER_PATH, -ret);
	t->container_fd = ret;

	ret = vfio_sys_ioctl(dev, t->container_fd, VFIO_GET_API_VERSION, NULL);
	if (ret < 0) {
		ret = vfio_fail(dev, -ret, "VFIO_GET_API_VERSION on %s",
			   VFIO_CONTAINER_PATH);
		goto err;
	}
	if (ret != VFIO_API_VERSION) {
		ret = errmsg_set(&dev->err, EINVAL,
				  "VFIO API version %d on %s, this program knows %d",
				  ret, VFIO_CONTAINER_PATH, VFIO_API_VERSION);
		goto err;
	}
	ret = container_pick_iommu(dev, t);
	if (ret < 0)
		goto err;
	return 0;
err:
	container_release(dev, t);
	return ret;
}

int vfio_open_container(struct vfio_dev *dev)
{
	struct type1 *t = type1_get(dev);
	int ret;

	if (!t)
		return -ENOMEM;
	ret = container_open(dev, t);
	if (ret < 0)
		type1_put_if_idle(dev);
	return ret;
}

static int group_release(struct vfio_dev *dev, struct type1 *t)
{
	int ret = 0, cret;

	/*
	 * Detaching the last group also drops the IOMMU and its mappings.
	 * EINVAL says no container is attached: the kernel detached it
	 * itself, as vfio_device_remove_group() does when the group's last
	 * device is unregistered (an unbind or mdev remove that closing our
	 * device fd let complete). That is the release we wanted.
	 */
	if (t->group_attached) {
		ret = vfio_sys_ioctl(dev, t->group_fd,
				     VFIO_GROUP_UNSET_CONTAINER, NULL);
		if (ret == -EINVAL)
			ret = 0;
		if (ret < 0)
			ret = vfio_fail(dev, -ret,
					"VFIO_GROUP_UNSET_CONTAINER on %s",
					t->group_path);
	}
	t->group_attached = false;
	t->iommu_set = false;
	t->iova_pgsizes = 0;
	cret = vfio_sys_close(dev, &t->group_fd, "group");
	return ret ? ret : cret;
}

static int group_check_viable(struct vfio_dev *dev, struct type1 *t)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char hint[ERRMSG_LEN] = "";
	int ret;

	ret = vfio_sys_ioctl(dev, t->group_fd, VFIO_GROUP_GET_STATUS, &status);
	if (ret == -ENOTTY)
		snprintf(hint, sizeof(hint),
			 "%s is not a VFIO group file: pass /dev/vfio/N, the device's group (`revere-vfio-demo --list`), or leave --vfio-group out",
			 t->group_path);
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, hint,
				      "VFIO_GROUP_GET_STATUS on %s",
				      t->group_path);
	if (status.flags & VFIO_GROUP_FLAGS_VIABLE)
		return 0;
	not_viable_hint(dev, hint, sizeof(hint));
	ret = errmsg_set(&dev->err, EBUSY, "group %s is not viable",
			  t->group_path);
	errmsg_hint(&dev->err, "%s", hint);
	return ret;
}

static int group_attach(struct vfio_dev *dev, struct type1 *t)
{
	char hint[ERRMSG_LEN] = "";
	int ret;

	ret = vfio_sys_ioctl(dev, t->group_fd, VFIO_GROUP_SET_CONTAINER,
			     &t->container_fd);
	/* Linux >= 5.19 refuses a non-viable group here with EBUSY. */
	if (ret == -EBUSY)
		not_viable_hint(dev, hint, sizeof(hint));
	if (ret == -EPERM)
		snprintf(hint, sizeof(hint), "%s", EPERM_HINT);
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, hint, "VFIO_GROUP_SET_CONTAINER on %s",
				 t->group_path);
	t->group_attached = true;
	return 0;
}

static int group_set_iommu(struct vfio_dev *dev, struct type1 *t)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	int ret;

	ret = vfio_sys_ioctl(dev, t->container_fd, VFIO_SET_IOMMU,
			(void *)(uintptr_t)t->iommu_type);
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, ret == -EPERM ? EPERM_HINT : NULL,
				      "VFIO_SET_IOMMU(%u) for %s",
				      t->iommu_type, t->group_path);
	t->iommu_set = true;

	ret = vfio_sys_ioctl(dev, t->container_fd, VFIO_IOMMU_GET_INFO, &info);
	if (ret < 0)
		return vfio_fail(dev, -ret, "VFIO_IOMMU_GET_INFO for %s",
			    t->group_path);
	if (!(info.flags & VFIO_IOMMU_INFO_PGSIZES) || !info.iova_pgsizes)
		return errmsg_set(&dev->err, EINVAL,
				   "VFIO_IOMMU_GET_INFO for %s reports no IOMMU page sizes",
				   t->group_path);
	t->iova_pgsizes = info.iova_pgsizes;
	return 0;
}

static int group_open(struct vfio_dev *dev, struct type1 *t,
		      const char *group_path)
{
	int ret;

	if (t->group_fd >= 0)
		return 0;
	if (t->container_fd < 0)
		return errmsg_set(&dev->err, EBADF,
				   "open group %s: no container (call vfio_open_container first)",
				   group_path);
	if (strlen(group_path) >= sizeof(t->group_path))
		return vfio_fail(dev, ENAMETOOLONG, "group path %s", group_path);
	strcpy(t->group_path, group_path);

	ret = vfio_sys_open(dev, group_path);
	if (ret < 0)
		return open_error(dev, group_path, -ret);
	t->group_fd = ret;

	ret = group_check_viable(dev, t);
	if (!ret)
		ret = group_attach(dev, t);
	if (!ret)
		ret = group_set_iommu(dev, t);
	if (ret < 0)
		group_release(dev, t);
	return ret;
}

int vfio_open_group(struct vfio_dev *dev, const char *group_path)
{
	struct type1 *t = type1_get(dev);
	int ret;

	if (!t)
		return -ENOMEM;
	ret = group_open(dev, t, group_path);
	if (ret < 0)
		type1_put_if_idle(dev);
	return ret;
}

/* ---- the device ---- */

static int type1_open_device(struct vfio_dev *dev, const char *device_name)
{
	struct type1 *t = dev->iommu_priv;
	char devices[256];
	char hint[ERRMSG_LEN] = "";
	int ret;

	if (!t || t->group_fd < 0)
		return errmsg_set(&dev->err, EBADF,
				   "open device %s: no group (call vfio_open_group first)",
				   device_name);
	ret = vfio_sys_ioctl(dev, t->group_fd, VFIO_GROUP_GET_DEVICE_FD,
			     (void *)device_name);
	if (ret == -ENODEV) {
		group_devices(dev, devices, sizeof(devices));
		snprintf(hint, sizeof(hint),
			 "pass a device of IOMMU group %s: %s",
			 group_number(t), devices);
	}
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, hint,
				 "VFIO_GROUP_GET_DEVICE_FD(%s) on %s",
				 device_name, t->group_path);
	return vfio_device_fd_attach(dev, ret);
}

/* ---- DMA ---- */

/*
 * The kernel pins the pages at vaddr itself, in this process: the memfd
 * behind them (fd, offset) is not needed.
 */
static int type1_dma_map(struct vfio_dev *dev, void *vaddr, int fd,
			 uint64_t offset, uint64_t iova, uint64_t size)
{
	const struct type1 *t = dev->iommu_priv;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};
	char hint[256] = "";
	int ret;

	(void)fd;
	(void)offset;
	ret = vfio_sys_ioctl(dev, t->container_fd, VFIO_IOMMU_MAP_DMA, &map);
	/* MAP_DMA pins the pages and charges them to RLIMIT_MEMLOCK. */
	if (ret == -ENOMEM)
		vfio_memlock_hint(dev, size, hint, sizeof(hint));
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, hint,
				      "VFIO_IOMMU_MAP_DMA of %" PRIu64 " bytes at IOVA 0x%" PRIx64,
				      size, iova);
	return 0;
}

static int type1_dma_unmap(struct vfio_dev *dev, uint64_t iova, uint64_t size,
			   uint64_t *unmapped)
{
	const struct type1 *t = dev->iommu_priv;
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};
	int ret;

	ret = vfio_sys_ioctl(dev, t->container_fd, VFIO_IOMMU_UNMAP_DMA,
			     &unmap);
	if (ret < 0)
		return vfio_fail(dev, -ret,
				 "VFIO_IOMMU_UNMAP_DMA of %" PRIu64 " bytes at IOVA 0x%" PRIx64,
				 size, iova);
	/* The kernel says how much it unmapped. */
	*unmapped = unmap.size;
	return 0;
}

/* ---- the backend ---- */

static int type1_open(struct vfio_dev *dev, const char *group_path)
{
	int ret = vfio_open_container(dev);

	return ret ? ret : vfio_open_group(dev, group_path);
}

static bool type1_is_open(const struct vfio_dev *dev)
{
	const struct type1 *t = dev->iommu_priv;

	return t && t->iommu_set;
}

static int type1_close(struct vfio_dev *dev)
{
	struct type1 *t = dev->iommu_priv;
	int ret, cret;

	if (!t)
		return 0;
	ret = group_release(dev, t);
	cret = container_release(dev, t);
	free(t);
	dev->iommu_priv = NULL;
	return ret ? ret : cret;
}

static uint64_t type1_page_sizes(const struct vfio_dev *dev)
{
	const struct type1 *t = dev->iommu_priv;

	return t ? t->iova_pgsizes : 0;
}

static const char *type1_describe(const struct vfio_dev *dev)
{
	const struct type1 *t = dev->iommu_priv;

	return t && t->iommu_type == VFIO_TYPE1_IOMMU ? "type1" : "type1v2";
}

static void type1_context(const struct vfio_dev *dev, char *buf, size_t len)
{
	const struct type1 *t = dev->iommu_priv;

	if (!t || !t->iommu_set) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len,
		 "group %s in container " VFIO_CONTAINER_PATH " (VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU %s); DMA by VFIO_IOMMU_MAP_DMA",
		 t->group_path, type1_describe(dev));
}

const struct vfio_iommu_backend vfio_type1_backend = {
	.name = "type1",
	.open = type1_open,
	.open_device = type1_open_device,
	.is_open = type1_is_open,
	.dma_map = type1_dma_map,
	.dma_unmap = type1_dma_unmap,
	.close = type1_close,
	.page_sizes = type1_page_sizes,
	.describe = type1_describe,
	.context = type1_context,
};
