// SPDX-License-Identifier: BSD-3-Clause
/*
 * VFIO plumbing for a user-space PCI driver (see vfio.h), whatever the IOMMU
 * backend (vfio_iommu.h: the type1 container and group, vfio_type1.c) and
 * whatever the device's transport (vfio_device_io.h: the Linux VFIO device
 * fd, vfio_device_fd.c): the device's regions (config space, BARs) are read
 * and written through the transport, or mmap'd from the fd it hands out,
 * its interrupts are eventfds, and DMA memory is the process's own, mapped
 * through the backend.
 *
 * Each set-up step either succeeds or undoes what it did before returning
 * the error, with the same release helpers vfio_close() uses, so a step can
 * be retried and vfio_close() is right after any partial set-up.
 */
#define _GNU_SOURCE		/* memfd_create() */
#include "vfio.h"
#include "vfio_device_io.h"
#include "vfio_iommu.h"
#include "vfio_sys.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

/* ---- the Linux operations table ---- */

static int linux_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	return open(path, flags);
}

static int linux_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd);
}

static int linux_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	(void)ctx;
	return ioctl(fd, request, arg);
}

static ssize_t linux_pread(void *ctx, int fd, void *buf, size_t count,
			   off_t off)
{
	(void)ctx;
	return pread(fd, buf, count, off);
}

static ssize_t linux_pwrite(void *ctx, int fd, const void *buf, size_t count,
			    off_t off)
{
	(void)ctx;
	return pwrite(fd, buf, count, off);
}

static void *linux_mmap(void *ctx, size_t length, int prot, int flags, int fd,
			off_t off)
{
	(void)ctx;
	return mmap(NULL, length, prot, flags, fd, off);
}

static int linux_munmap(void *ctx, void *addr, size_t length)
{
	(void)ctx;
	return munmap(addr, length);
}

static int linux_eventfd(void *ctx, unsigned int initval, int flags)
{
	(void)ctx;
	return eventfd(initval, flags);
}

static ssize_t linux_read(void *ctx, int fd, void *buf, size_t count)
{
	(void)ctx;
	return read(fd, buf, count);
}

static int linux_list_dir(void *ctx, const char *path, char *buf, size_t len)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	(void)ctx;
	if (!len)
		return -1;
	buf[0] = '\0';
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		errmsg_list_add(buf, len, de->d_name);
		count++;
	}
	closedir(dir);
	return count;
}

int vfio_memlock_limit(uint64_t *bytes)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		return -1;
	*bytes = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur;
	return 0;
}

static int linux_memlock_limit(void *ctx, uint64_t *bytes)
{
	(void)ctx;
	return vfio_memlock_limit(bytes);
}

const struct vfio_ops vfio_linux_ops = {
	.name = "linux",
	.ctx = NULL,
	.open = linux_open,
	.close = linux_close,
	.ioctl = linux_ioctl,
	.pread = linux_pread,
	.pwrite = linux_pwrite,
	.mmap = linux_mmap,
	.munmap = linux_munmap,
	.eventfd = linux_eventfd,
	.read = linux_read,
	.list_dir = linux_list_dir,
	.memlock_limit = linux_memlock_limit,
};

/* ---- the IOMMU backends ---- */

/* The kernel's VFIO selftests' table of IOMMU modes, the default first. */
const struct vfio_iommu_backend *const vfio_iommu_backends[] = {
	&vfio_type1_backend,
	&vfio_iommufd_backend,
	&vfio_user_backend,
	NULL
};

const struct vfio_iommu_backend *vfio_iommu_backend(const char *name)
{
	if (!name || !strcmp(name, "default"))
		return vfio_iommu_backends[0];
	for (unsigned int i = 0; vfio_iommu_backends[i]; i++)
		if (!strcmp(vfio_iommu_backends[i]->name, name))
			return vfio_iommu_backends[i];
	return NULL;
}

/* ---- set-up and release, one pair per step ---- */

/* No device: nothing to read, write or mmap. */
static const struct vfio_region no_region = { .mmap_fd = -1 };

void vfio_init(struct vfio_dev *dev, const struct vfio_ops *ops,
	       const struct vfio_iommu_backend *iommu)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->iommu = iommu ? iommu : vfio_iommu_backend(NULL);
	dev->config = no_region;
	dev->bar0 = no_region;
	dev->device_fd = -1;
	dev->req_fd = -1;
	dev->reply_timeout_ms = VFIO_REPLY_TIMEOUT_MS;
	for (unsigned int i = 0; i < VFIO_MAX_IRQS; i++)
		dev->irq_fd[i] = -1;
	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++)
		dev->mem[i].fd = -1;
}

/* The transport frees its state even when closing fails. */
static int device_release(struct vfio_dev *dev)
{
	int ret = 0;

	dev->device_flags = 0;
	dev->num_regions = 0;
	dev->num_irqs = 0;
	dev->config = no_region;
	dev->bar0 = no_region;
	if (dev->io)
		ret = dev->io->close(dev);
	dev->io = NULL;
	dev->io_priv = NULL;
	return ret;
}

static int device_region(struct vfio_dev *dev, uint32_t index,
			 struct vfio_region *r, const char *what)
{
	struct vfio_region info = no_region;
	int ret;

	ret = dev->io->region_info(dev, index, &info);
	if (ret < 0)
		return vfio_fail(dev, -ret, "VFIO_DEVICE_GET_REGION_INFO(%s) on %s",
			    what, dev->device_name);
	if (!info.size)
		return errmsg_set(&dev->err, ENODEV,
				   "device %s has no %s region", dev->device_name,
				   what);
	*r = info;
	return 0;
}

static int device_info(struct vfio_dev *dev)
{
	struct vfio_device_info info;
	int ret;

	ret = dev->io->device_info(dev, &info);
	if (ret < 0)
		return vfio_fail(dev, -ret, "VFIO_DEVICE_GET_INFO on %s",
			    dev->device_name);
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return errmsg_set(&dev->err, ENODEV,
				   "device %s is not a PCI device (flags 0x%x)",
				   dev->device_name, info.flags);
	if (info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		return errmsg_set(&dev->err, ENODEV,
				   "device %s reports %u regions, too few for PCI",
				   dev->device_name, info.num_regions);
	dev->device_flags = info.flags;
	dev->num_regions = info.num_regions;
	dev->num_irqs = info.num_irqs;
	return 0;
}

int vfio_open_device(struct vfio_dev *dev, const char *device_name)
{
	int ret;

	if (dev->io)
		return 0;
	if (strlen(device_name) >= sizeof(dev->device_name))
		return vfio_fail(dev, ENAMETOOLONG, "device name %s", device_name);
	strcpy(dev->device_name, device_name);

	ret = dev->iommu->open_device(dev, device_name);
	if (ret < 0)
		return ret;
	ret = device_info(dev);
	if (!ret)
		ret = device_region(dev, VFIO_PCI_CONFIG_REGION_INDEX,
				    &dev->config, "config");
	if (!ret)
		ret = device_region(dev, VFIO_PCI_BAR0_REGION_INDEX,
				    &dev->bar0, "BAR0");
	if (ret < 0) {
		/*
		 * As in vfio_close(): the backend lets the device go before
		 * the transport closes it (iommufd's binding is the device
		 * file itself), so that a retry opens it anew. The first
		 * error stays the one reported.
		 */
		if (dev->iommu->detach)
			dev->iommu->detach(dev);
		device_release(dev);
	}
	return ret;
}

int vfio_open(struct vfio_dev *dev, const char *group_path,
	      const char *device_name)
{
	int ret = dev->iommu->open(dev, group_path);

	if (!ret)
		ret = vfio_open_device(dev, device_name);
	return ret;
}

void vfio_set_reply_timeout(struct vfio_dev *dev, int timeout_ms)
{
	dev->reply_timeout_ms = timeout_ms;
}

const char *vfio_transport_name(const struct vfio_dev *dev)
{
	return dev->io ? dev->io->name : "";
}

int vfio_device_lost(const struct vfio_dev *dev)
{
	return dev->io && dev->io->broken ? dev->io->broken(dev) : 0;
}

const char *vfio_transport_explain(struct vfio_dev *dev)
{
	return dev->io && dev->io->explain ? dev->io->explain(dev) : "";
}

bool vfio_device_is_open(const struct vfio_dev *dev)
{
	return dev->io != NULL;
}

const char *vfio_device_name(const struct vfio_dev *dev)
{
	return dev->device_name;
}

static int need_device(struct vfio_dev *dev, const char *what)
{
	if (dev->io)
		return 0;
	return errmsg_set(&dev->err, EBADF, "%s: no device open", what);
}

int vfio_reset(struct vfio_dev *dev)
{
	int ret = need_device(dev, "VFIO_DEVICE_RESET");

	if (ret < 0)
		return ret;
	if (!(dev->device_flags & VFIO_DEVICE_FLAGS_RESET))
		return errmsg_set(&dev->err, ENOTTY,
				   "device %s does not offer VFIO_DEVICE_RESET",
				   dev->device_name);
	ret = dev->io->reset(dev);
	if (ret < 0)
		return vfio_fail_hint(dev, -ret, -ret == EIO ?
			"the device did not come back from its reset: check it with `lspci -vv`, then remove and rescan it (`echo 1 > /sys/bus/pci/devices/BDF/remove && echo 1 > /sys/bus/pci/rescan`) or power-cycle the host" : NULL,
			"VFIO_DEVICE_RESET on %s", dev->device_name);
	return 0;
}

/* ---- config space: little-endian, through the config region ---- */

static int cfg_rw(struct vfio_dev *dev, bool write, uint32_t off, void *buf,
		  size_t len)
{
	const char *op = write ? "write" : "read";
	ssize_t n;
	int ret;

	ret = need_device(dev, "config space access");
	if (ret < 0)
		return ret;
	if ((uint64_t)off + len > dev->config.size)
		return errmsg_set(&dev->err, EINVAL,
				   "config %s of %zu bytes at 0x%x on %s: beyond the region (0x%" PRIx64 " bytes)",
				   op, len, off, dev->device_name,
				   dev->config.size);
	if (write)
		n = dev->io->region_write(dev, &dev->config, off, buf, len);
	else
		n = dev->io->region_read(dev, &dev->config, off, buf, len);
	if (n < 0)
		return vfio_fail(dev, (int)-n, "config %s at 0x%x on %s", op, off,
			    dev->device_name);
	if ((size_t)n != len)
		return errmsg_set(&dev->err, EIO,
				   "config %s at 0x%x on %s: %zd of %zu bytes",
				   op, off, dev->device_name, n, len);
	return 0;
}

int vfio_cfg_read8(struct vfio_dev *dev, uint32_t off, uint8_t *val)
{
	return cfg_rw(dev, false, off, val, sizeof(*val));
}

int vfio_cfg_read16(struct vfio_dev *dev, uint32_t off, uint16_t *val)
{
	uint16_t le;
	int ret = cfg_rw(dev, false, off, &le, sizeof(le));

	if (!ret)
		*val = le16toh(le);
	return ret;
}

int vfio_cfg_read32(struct vfio_dev *dev, uint32_t off, uint32_t *val)
{
	uint32_t le;
	int ret = cfg_rw(dev, false, off, &le, sizeof(le));

	if (!ret)
		*val = le32toh(le);
	return ret;
}

int vfio_cfg_write8(struct vfio_dev *dev, uint32_t off, uint8_t val)
{
	return cfg_rw(dev, true, off, &val, sizeof(val));
}

int vfio_cfg_write16(struct vfio_dev *dev, uint32_t off, uint16_t val)
{
	uint16_t le = htole16(val);

	return cfg_rw(dev, true, off, &le, sizeof(le));
}

int vfio_cfg_write32(struct vfio_dev *dev, uint32_t off, uint32_t val)
{
	uint32_t le = htole32(val);

	return cfg_rw(dev, true, off, &le, sizeof(le));
}

int vfio_set_bus_master(struct vfio_dev *dev, bool enable)
{
	uint16_t cmd = 0;
	int ret = vfio_cfg_read16(dev, PCI_COMMAND, &cmd);

	/*
	 * Turning mastering off is part of quiescing the device: when COMMAND
	 * cannot be read, still write it, with memory decode on (as vfio-pci
	 * leaves it) and mastering off, and report the failed read.
	 */
	if (ret < 0 && !enable) {
		vfio_cfg_write16(dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
		return ret;
	}
	if (ret < 0)
		return ret;
	if (enable)
		cmd |= PCI_COMMAND_MASTER;
	else
		cmd &= (uint16_t)~PCI_COMMAND_MASTER;
	return vfio_cfg_write16(dev, PCI_COMMAND, cmd);
}

/* ---- BAR0 ---- */

int vfio_bar0_map(struct vfio_dev *dev, bool force_rw)
{
	void *map;
	int ret = need_device(dev, "map BAR0");

	if (ret < 0 || dev->bar0.map)
		return ret;
	/* Without an fd to map, accesses go through the transport. */
	if (force_rw || dev->bar0.mmap_fd < 0)
		return 0;
	map = dev->ops->mmap(dev->ops->ctx, dev->bar0.size,
			     PROT_READ | PROT_WRITE, MAP_SHARED,
			     dev->bar0.mmap_fd, (off_t)dev->bar0.mmap_offset);
	if (map == MAP_FAILED)
		return vfio_fail(dev, vfio_sys_err(), "mmap BAR0 (0x%" PRIx64 " bytes) of %s",
			    dev->bar0.size, dev->device_name);
	dev->bar0.map = map;
	return 0;
}

/* The mapping is forgotten even if munmap fails: nothing else to try. */
static int bar0_release(struct vfio_dev *dev)
{
	int ret = 0;

	if (!dev->bar0.map)
		return 0;
	if (dev->ops->munmap(dev->ops->ctx, dev->bar0.map, dev->bar0.size) < 0)
		ret = vfio_fail(dev, vfio_sys_err(), "munmap BAR0 of %s",
			   dev->device_name);
	dev->bar0.map = NULL;
	return ret;
}

void vfio_bar0_unmap(struct vfio_dev *dev)
{
	bar0_release(dev);
}

bool vfio_bar0_mapped(const struct vfio_dev *dev)
{
	return dev->bar0.map != NULL;
}

uint64_t vfio_bar0_size(const struct vfio_dev *dev)
{
	return dev->bar0.size;
}

uint64_t vfio_bar0_offset(const struct vfio_dev *dev)
{
	return dev->bar0.offset;
}

/* Latch the first BAR0 access failure; the access then reads all-ones. */
static void bar_error(struct vfio_dev *dev, int err, const char *op,
		      uint64_t off)
{
	if (dev->bar_io_error)
		return;
	dev->bar_io_error = -err;
	vfio_fail(dev, err, "BAR0 %s at 0x%" PRIx64 " on %s", op, off,
	     dev->device_name[0] ? dev->device_name : "(no device)");
}

/* A device that went away fails every access, mapped or not. */
int vfio_bar0_error(const struct vfio_dev *dev)
{
	return dev->bar_io_error ? dev->bar_io_error : vfio_device_lost(dev);
}

void vfio_bar0_error_clear(struct vfio_dev *dev)
{
	dev->bar_io_error = 0;
}

static bool bar_check(struct vfio_dev *dev, uint64_t off, size_t width,
		      const char *op)
{
	if (!dev->io) {
		bar_error(dev, EBADF, op, off);
		return false;
	}
	if (off % width || off > dev->bar0.size ||
	    dev->bar0.size - off < width) {
		bar_error(dev, EINVAL, op, off);
		return false;
	}
	return true;
}

static bool bar_pread(struct vfio_dev *dev, uint64_t off, void *buf,
		      size_t width, const char *op)
{
	ssize_t n = dev->io->region_read(dev, &dev->bar0, off, buf, width);

	if (n == (ssize_t)width)
		return true;
	bar_error(dev, n < 0 ? (int)-n : EIO, op, off);
	return false;
}

static void bar_pwrite(struct vfio_dev *dev, uint64_t off, const void *buf,
		       size_t width, const char *op)
{
	ssize_t n = dev->io->region_write(dev, &dev->bar0, off, buf, width);

	if (n != (ssize_t)width)
		bar_error(dev, n < 0 ? (int)-n : EIO, op, off);
}

/*
 * Through the mapping, a volatile access of the full width is one load or
 * store instruction: the device never sees a register split in halves.
 * These four are the only accesses to the mapping; the simulated device's
 * thread shares it, like a device its registers (tests/tsan.supp).
 */
static uint32_t mmio_read32(const void *addr)
{
	return le32toh(*(const volatile uint32_t *)addr);
}

static void mmio_write32(void *addr, uint32_t val)
{
	*(volatile uint32_t *)addr = htole32(val);
}

static uint64_t mmio_read64(const void *addr)
{
	return le64toh(*(const volatile uint64_t *)addr);
}

static void mmio_write64(void *addr, uint64_t val)
{
	*(volatile uint64_t *)addr = htole64(val);
}

uint32_t vfio_bar0_read32(struct vfio_dev *dev, uint64_t off)
{
	uint32_t le;

	if (!bar_check(dev, off, sizeof(le), "read32"))
		return UINT32_MAX;
	if (dev->bar0.map)
		return mmio_read32((char *)dev->bar0.map + off);
	if (!bar_pread(dev, off, &le, sizeof(le), "read32"))
		return UINT32_MAX;
	return le32toh(le);
}

void vfio_bar0_write32(struct vfio_dev *dev, uint64_t off, uint32_t val)
{
	uint32_t le = htole32(val);

	if (!bar_check(dev, off, sizeof(le), "write32"))
		return;
	if (dev->bar0.map) {
		mmio_write32((char *)dev->bar0.map + off, val);
		return;
	}
	bar_pwrite(dev, off, &le, sizeof(le), "write32");
}

uint64_t vfio_bar0_read64(struct vfio_dev *dev, uint64_t off)
{
	uint64_t le;

	if (!bar_check(dev, off, sizeof(le), "read64"))
		return UINT64_MAX;
	if (dev->bar0.map)
		return mmio_read64((char *)dev->bar0.map + off);
	if (!bar_pread(dev, off, &le, sizeof(le), "read64"))
		return UINT64_MAX;
	return le64toh(le);
}

void vfio_bar0_write64(struct vfio_dev *dev, uint64_t off, uint64_t val)
{
	uint64_t le = htole64(val);

	if (!bar_check(dev, off, sizeof(le), "write64"))
		return;
	if (dev->bar0.map) {
		mmio_write64((char *)dev->bar0.map + off, val);
		return;
	}
	bar_pwrite(dev, off, &le, sizeof(le), "write64");
}

/* ---- DMA ---- */

uint64_t vfio_iommu_page_sizes(const struct vfio_dev *dev)
{
	return dev->iommu ? dev->iommu->page_sizes(dev) : 0;
}

uint64_t vfio_iommu_page_size(const struct vfio_dev *dev)
{
	uint64_t sizes = vfio_iommu_page_sizes(dev);

	if (!sizes)
		return 4096;
	/* The lowest bit set is the smallest page the IOMMU can map. */
	return sizes & -sizes;
}

const char *vfio_iommu_name(const struct vfio_dev *dev)
{
	return dev->iommu->describe(dev);
}

void vfio_iommu_context(const struct vfio_dev *dev, char *buf, size_t len)
{
	dev->iommu->context(dev, buf, len);
}

/*
 * The memfd at an address aligned to align: reserve size + align of
 * address space, place the memfd's pages at the aligned address inside it
 * (MAP_FIXED), give the slack on both sides back.
 */
static void *map_aligned(int fd, size_t size, size_t align)
{
	uint8_t *res, *at;
	size_t span = size + align;

	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return NULL;
	at = (uint8_t *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	if (mmap(at, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 0) == MAP_FAILED) {
		munmap(res, span);
		return NULL;
	}
	if (at > res)
		munmap(res, (size_t)(at - res));
	if (res + span > at + size)
		munmap(at + size, (size_t)(res + span - (at + size)));
	return at;
}

/* Memory is the process's own: plain libc here, not the ops table. */
void *vfio_dma_alloc(struct vfio_dev *dev, size_t size, size_t align)
{
	struct vfio_dma_mem *m = NULL;
	int err;

	for (unsigned int i = 0; i < VFIO_MAX_DMA && !m; i++)
		if (!dev->mem[i].addr)
			m = &dev->mem[i];
	if (!m || !size || (align & (align - 1))) {
		errmsg_set(&dev->err, EINVAL,
			    "allocating %zu bytes of DMA memory aligned to %zu: %s",
			    size, align, m ? "bad size or alignment" : "all slots in use");
		return NULL;
	}
	if (align < 4096)
		align = 4096;
	/*
	 * Sealed at its size: a device in another process that maps it
	 * (vfio-user) can trust that no access to it raises SIGBUS.
	 */
	m->fd = memfd_create("revere-dma", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m->fd < 0 || ftruncate(m->fd, (off_t)size) < 0 ||
	    fcntl(m->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0 ||
	    !(m->addr = map_aligned(m->fd, size, align))) {
		err = errno;
		if (m->fd >= 0)
			close(m->fd);
		*m = (struct vfio_dma_mem){ .fd = -1 };
		vfio_fail(dev, err, "allocating %zu bytes of DMA memory (memfd)",
			  size);
		return NULL;
	}
	m->size = size;
	return m->addr;
}

void vfio_dma_free(struct vfio_dev *dev, void *addr)
{
	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++) {
		struct vfio_dma_mem *m = &dev->mem[i];

		if (!addr || m->addr != addr)
			continue;
		munmap(m->addr, m->size);
		close(m->fd);
		*m = (struct vfio_dma_mem){ .fd = -1 };
	}
}

/* The memory from vfio_dma_alloc() that holds all of [vaddr, vaddr + size). */
static const struct vfio_dma_mem *dma_mem_of(const struct vfio_dev *dev,
					     const void *vaddr, uint64_t size)
{
	uintptr_t at = (uintptr_t)vaddr;

	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++) {
		const struct vfio_dma_mem *m = &dev->mem[i];
		uintptr_t base = (uintptr_t)m->addr;

		if (m->addr && at >= base && at - base <= m->size &&
		    size <= m->size - (at - base))
			return m;
	}
	return NULL;
}

/*
 * Whether the IOMMU is set up is the backend's to say: its page sizes are
 * no sign of it, a backend may map without naming any.
 */
static bool iommu_open(const struct vfio_dev *dev)
{
	return dev->iommu && dev->iommu->is_open(dev);
}

int vfio_dma_map(struct vfio_dev *dev, void *vaddr, uint64_t iova,
		 uint64_t size)
{
	uint64_t pg = vfio_iommu_page_size(dev);
	const struct vfio_dma_mem *mem;
	struct vfio_dma *slot = NULL;
	int ret;

	if (!iommu_open(dev))
		return errmsg_set(&dev->err, EBADF,
				   "DMA map at IOVA 0x%" PRIx64 ": no IOMMU set up (open the device first)",
				   iova);
	if (!size || ((uintptr_t)vaddr | iova | size) & (pg - 1))
		return errmsg_set(&dev->err, EINVAL,
				   "VFIO_IOMMU_MAP_DMA of %p+0x%" PRIx64
				   " at IOVA 0x%" PRIx64 ": address, IOVA and"
				   " size must be non-zero multiples of the"
				   " IOMMU page size 0x%" PRIx64,
				   vaddr, size, iova, pg);
	for (unsigned int i = 0; i < VFIO_MAX_DMA && !slot; i++)
		if (!dev->dma[i].size)
			slot = &dev->dma[i];
	if (!slot)
		return errmsg_set(&dev->err, ENOSPC,
				   "VFIO_IOMMU_MAP_DMA at IOVA 0x%" PRIx64 ": all %d DMA slots in use",
				   iova, VFIO_MAX_DMA);
	mem = dma_mem_of(dev, vaddr, size);
	if (!mem && dev->iommu->dma_needs_fd)
		return errmsg_set(&dev->err, EINVAL,
				   "DMA map of %p+0x%" PRIx64 " at IOVA 0x%" PRIx64 ": the %s IOMMU maps only memory from vfio_dma_alloc(), whose memfd it hands to the device",
				   vaddr, size, iova, vfio_iommu_name(dev));
	ret = dev->iommu->dma_map(dev, vaddr, mem ? mem->fd : -1,
				  mem ? (uint64_t)((uintptr_t)vaddr -
						   (uintptr_t)mem->addr) : 0,
				  iova, size);
	if (ret < 0)
		return ret;
	*slot = (struct vfio_dma){ .vaddr = vaddr, .iova = iova, .size = size };
	return 0;
}

int vfio_dma_unmap(struct vfio_dev *dev, uint64_t iova, uint64_t size)
{
	uint64_t unmapped = 0;
	int ret;

	if (!iommu_open(dev))
		return errmsg_set(&dev->err, EBADF,
				   "DMA unmap at IOVA 0x%" PRIx64 ": no IOMMU set up",
				   iova);
	ret = dev->iommu->dma_unmap(dev, iova, size, &unmapped);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++) {
		struct vfio_dma *d = &dev->dma[i];

		if (d->size && d->iova >= iova && d->iova - iova < size)
			*d = (struct vfio_dma){ 0 };
	}
	/* Less than asked means a mapping we did not know of: a bug. */
	if (unmapped != size)
		return errmsg_set(&dev->err, EINVAL,
				   "DMA unmap (%s) at IOVA 0x%" PRIx64 ": unmapped %" PRIu64 " of %" PRIu64 " bytes",
				   vfio_iommu_name(dev), iova, unmapped, size);
	return 0;
}

/* ---- interrupts ---- */

/* The eventfds' one release path (after SET_IRQS let go of them). */
static int irq_close_fds(struct vfio_dev *dev)
{
	int ret = 0;

	for (unsigned int i = 0; i < VFIO_MAX_IRQS; i++) {
		int cret = vfio_sys_close(dev, &dev->irq_fd[i], "eventfd");

		if (!ret)
			ret = cret;
	}
	dev->irq_count = 0;
	return ret;
}

static const char *irq_name(uint32_t index)
{
	return index == VFIO_PCI_MSIX_IRQ_INDEX ? "MSI-X" :
	       index == VFIO_PCI_MSI_IRQ_INDEX ? "MSI" : "IRQ";
}

/* VFIO_DEVICE_GET_IRQ_INFO of index into *info. */
static int irq_info(struct vfio_dev *dev, uint32_t index,
		    struct vfio_irq_info *info)
{
	int ret;

	*info = (struct vfio_irq_info){ .argsz = sizeof(*info), .index = index };
	ret = dev->io->irq_info(dev, info);
	if (ret < 0)
		return vfio_fail(dev, -ret, "VFIO_DEVICE_GET_IRQ_INFO(%s) on %s",
			    irq_name(index), dev->device_name);
	return 0;
}

static int irq_check(struct vfio_dev *dev, uint32_t index, uint32_t count)
{
	struct vfio_irq_info info;
	int ret = irq_info(dev, index, &info);

	if (ret < 0)
		return ret;
	if (!(info.flags & VFIO_IRQ_INFO_EVENTFD))
		return errmsg_set(&dev->err, ENOTSUP,
				   "%s of %s cannot signal an eventfd",
				   irq_name(index), dev->device_name);
	if (info.count < count)
		return errmsg_set(&dev->err, EINVAL,
				   "%s of %s has %u vectors, %u wanted",
				   irq_name(index), dev->device_name, info.count,
				   count);
	return 0;
}

int vfio_irq_enable(struct vfio_dev *dev, uint32_t irq_index, uint32_t count)
{
	int32_t fds[VFIO_MAX_IRQS];
	int ret = need_device(dev, "enable interrupts");

	if (ret < 0)
		return ret;
	if (dev->irq_count)
		return errmsg_set(&dev->err, EBUSY,
				   "enable %s on %s: %s already enabled",
				   irq_name(irq_index), dev->device_name,
				   irq_name(dev->irq_index));
	if ((irq_index != VFIO_PCI_MSIX_IRQ_INDEX &&
	     irq_index != VFIO_PCI_MSI_IRQ_INDEX) ||
	    !count || count > VFIO_MAX_IRQS)
		return errmsg_set(&dev->err, EINVAL,
				   "enable %u vectors of IRQ index %u on %s: MSI or MSI-X, 1 to %d vectors",
				   count, irq_index, dev->device_name,
				   VFIO_MAX_IRQS);
	ret = irq_check(dev, irq_index, count);
	if (ret < 0)
		return ret;

	for (uint32_t i = 0; i < count; i++) {
		int fd = dev->ops->eventfd(dev->ops->ctx, 0,
					   EFD_CLOEXEC | EFD_NONBLOCK);

		if (fd < 0) {
			ret = vfio_fail(dev, vfio_sys_err(), "eventfd for %s vector %u",
				   irq_name(irq_index), i);
			irq_close_fds(dev);
			return ret;
		}
		dev->irq_fd[i] = fd;
		fds[i] = fd;
	}
	ret = dev->io->set_irqs(dev, irq_index, 0, count, fds);
	if (ret < 0) {
		ret = vfio_fail(dev, -ret, "VFIO_DEVICE_SET_IRQS(%s, %u vectors) on %s",
			   irq_name(irq_index), count, dev->device_name);
		irq_close_fds(dev);
		return ret;
	}
	dev->irq_index = irq_index;
	dev->irq_count = count;
	return 0;
}

int vfio_irq_vectors(struct vfio_dev *dev, uint32_t irq_index)
{
	struct vfio_irq_info info;
	int ret = need_device(dev, "query interrupts");

	if (ret < 0)
		return ret;
	ret = irq_info(dev, irq_index, &info);
	if (ret < 0)
		return ret;
	if (!(info.flags & VFIO_IRQ_INFO_EVENTFD))
		return 0;
	return info.count > VFIO_MAX_IRQS ? VFIO_MAX_IRQS : (int)info.count;
}

int vfio_irq_wait(struct vfio_dev *dev, uint32_t vector, int extra_fd,
		  int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = vfio_irq_fd(dev, vector), .events = POLLIN },
		{ .fd = extra_fd, .events = POLLIN },
	};
	uint64_t count;
	int n, woke = 0;

	if (pfd[0].fd < 0)
		return errmsg_set(&dev->err, EINVAL,
				   "wait for vector %u of %s: not routed",
				   vector, dev->device_name);
	/* poll() is never restarted after a signal handler: EINTR. */
	n = poll(pfd, extra_fd >= 0 ? 2 : 1, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return -EINTR;
		return vfio_fail(dev, errno, "poll on the eventfd of %s vector %u of %s",
			    irq_name(dev->irq_index), vector, dev->device_name);
	}
	if (pfd[0].revents) {
		/* Drain: the next poll() blocks until the next interrupt. */
		if (dev->ops->read(dev->ops->ctx, pfd[0].fd, &count,
				   sizeof(count)) < 0 && errno != EAGAIN)
			return vfio_fail(dev, vfio_sys_err(), "read of the eventfd of %s vector %u of %s",
				    irq_name(dev->irq_index), vector,
				    dev->device_name);
		woke |= VFIO_IRQ_WOKE_VECTOR;
	}
	if (extra_fd >= 0 && pfd[1].revents)
		woke |= VFIO_IRQ_WOKE_EXTRA;
	return woke;
}

int vfio_irq_fd(const struct vfio_dev *dev, uint32_t vector)
{
	return vector < dev->irq_count ? dev->irq_fd[vector] : -1;
}

int vfio_irq_disable(struct vfio_dev *dev)
{
	int ret = 0, cret;

	if (dev->irq_count && dev->io) {
		ret = dev->io->set_irqs(dev, dev->irq_index, 0, 0, NULL);
		if (ret < 0)
			ret = vfio_fail(dev, -ret,
				   "VFIO_DEVICE_SET_IRQS(%s off) on %s",
				   irq_name(dev->irq_index), dev->device_name);
	}
	cret = irq_close_fds(dev);
	return ret ? ret : cret;
}

/* ---- the device request interrupt ---- */

/*
 * Is VFIO_PCI_REQ_IRQ_INDEX offered, as an eventfd? vfio-pci always
 * offers it (vfio_pci_get_irq_count() says 1); other drivers may report
 * count 0, or refuse the index with EINVAL: then there is nothing to
 * route, which is not an error.
 */
static int req_offered(struct vfio_dev *dev)
{
	struct vfio_irq_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_REQ_IRQ_INDEX,
	};
	int ret;

	if (dev->num_irqs <= VFIO_PCI_REQ_IRQ_INDEX)
		return -ENOTSUP;
	ret = dev->io->irq_info(dev, &info);
	if (ret == -EINVAL)
		return -ENOTSUP;
	if (ret < 0)
		return vfio_fail(dev, -ret,
			    "VFIO_DEVICE_GET_IRQ_INFO(device request) on %s",
			    dev->device_name);
	if (!info.count || !(info.flags & VFIO_IRQ_INFO_EVENTFD))
		return -ENOTSUP;
	return 0;
}

/*
 * Point the device request at eventfd fd, or at nothing with fd -1: the
 * one-trigger form of vfio_pci_set_ctx_trigger_single(). Unrouting with
 * DATA_EVENTFD and -1, as QEMU does, rather than DATA_NONE with count 0,
 * which vfio-pci refuses when no eventfd is set.
 */
static int req_route(struct vfio_dev *dev, int32_t fd)
{
	return dev->io->set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &fd);
}

int vfio_req_enable(struct vfio_dev *dev)
{
	int ret = need_device(dev, "route the device request");

	if (ret < 0 || dev->req_fd >= 0)
		return ret;
	ret = req_offered(dev);
	if (ret < 0)
		return ret;
	ret = dev->ops->eventfd(dev->ops->ctx, 0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ret < 0)
		return vfio_fail(dev, vfio_sys_err(), "eventfd for the device request of %s",
			    dev->device_name);
	dev->req_fd = ret;
	dev->req_fired = false;
	ret = req_route(dev, dev->req_fd);
	if (ret < 0) {
		ret = vfio_fail(dev, -ret,
			   "VFIO_DEVICE_SET_IRQS(device request) on %s",
			   dev->device_name);
		vfio_sys_close(dev, &dev->req_fd, "eventfd");
	}
	return ret;
}

bool vfio_req_pending(struct vfio_dev *dev)
{
	uint64_t count;

	if (dev->req_fired || dev->req_fd < 0)
		return dev->req_fired;
	/* Non-blocking: EAGAIN until the kernel signals it. */
	if (dev->ops->read(dev->ops->ctx, dev->req_fd, &count,
			   sizeof(count)) == (ssize_t)sizeof(count))
		dev->req_fired = true;
	return dev->req_fired;
}

bool vfio_req_fired(const struct vfio_dev *dev)
{
	return dev->req_fired;
}

int vfio_req_fd(const struct vfio_dev *dev)
{
	return dev->req_fd;
}

/* req_fired is kept: whoever stopped because of it still reports it. */
int vfio_req_disable(struct vfio_dev *dev)
{
	int ret = 0, cret;

	if (dev->req_fd < 0)
		return 0;
	if (dev->io) {
		ret = req_route(dev, -1);
		if (ret < 0)
			ret = vfio_fail(dev, -ret,
				   "VFIO_DEVICE_SET_IRQS(device request off) on %s",
				   dev->device_name);
	}
	cret = vfio_sys_close(dev, &dev->req_fd, "eventfd");
	return ret ? ret : cret;
}

/* ---- teardown ---- */

static void keep_first(int *first, int ret)
{
	if (!*first && ret < 0)
		*first = ret;
}

int vfio_close(struct vfio_dev *dev)
{
	int first = 0;

	keep_first(&first, vfio_irq_disable(dev));
	keep_first(&first, vfio_req_disable(dev));
	for (unsigned int i = 0; i < VFIO_MAX_DMA; i++) {
		struct vfio_dma *d = &dev->dma[i];

		if (d->size)
			keep_first(&first, vfio_dma_unmap(dev, d->iova,
							  d->size));
		*d = (struct vfio_dma){ 0 };
	}
	keep_first(&first, bar0_release(dev));
	if (dev->iommu->detach)
		keep_first(&first, dev->iommu->detach(dev));
	keep_first(&first, device_release(dev));
	keep_first(&first, dev->iommu->close(dev));
	return first;
}
