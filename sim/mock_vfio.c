// SPDX-License-Identifier: BSD-3-Clause
/*
 * A mock VFIO kernel (see mock_vfio.h): container, group and device files
 * with the rules of Linux's drivers/vfio/{container,group,vfio_main}.c,
 * vfio_iommu_type1.c and vfio-pci, and the Revere device model behind the
 * device fd.
 *
 * File descriptors. Every container, group and device fd the mock hands
 * out is a real descriptor: an open of /dev/null, so numbers never collide
 * with the process's other files, a leaked fd is a real leak (valgrind
 * --track-fds sees it), and running out of descriptors fails as it would.
 * Eventfds are real eventfd(2)s, so poll() and read() work on them.
 *
 * Objects follow the kernel's lifetimes: a group joined to a container
 * keeps the container (and its IOMMU and mappings) alive after the
 * container fd is closed; a device fd keeps its group file in use; a BAR
 * mapping keeps the device open after its fd is closed. Detaching the last
 * group from a container drops the IOMMU and every DMA mapping with it.
 *
 * Where the mock knowingly differs from Linux:
 *  - On release of the device, vfio-pci clears bus mastering and resets the
 *    function; the mock leaves the model as the driver left it so tests can
 *    check that the driver itself quiesced the device (report line). It
 *    does drop the interrupt routing, as vfio-pci does.
 *  - BAR0 may be mapped once at a time, whole (offset 0, length <= size).
 *  - BAR0 through pread/pwrite takes aligned 8-byte accesses, and aligned
 *    4-byte reads (half a register). 4-byte writes are rejected (EINVAL):
 *    registers are 64-bit (spec "Conventions"), and a read-modify-write
 *    of a doorbell would make the device act on a half-written index.
 *    Through the mapping a 32-bit store cannot be refused; the device
 *    thread sees the resulting 64-bit value.
 *  - MAP_DMA/UNMAP_DMA with FLAG_VADDR and UNMAP with GET_DIRTY_BITMAP are
 *    not emulated (EINVAL); no IOVA ranges are reserved.
 *
 * Locking: one mutex guards the whole mock, including the model, which is
 * called by the ops (pread/pwrite/ioctl) and by the BAR device thread.
 * The model's DMA and MSI-X callbacks run with it held.
 */
#include "mock_vfio.h"
#include "rv_pci_cfg.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define MOCK_MAX_HANDLES	64
#define MOCK_MAX_CONTAINERS	4
#define MOCK_MAX_DMA		64	/* type1's dma_entry_limit is 65535 */
#define MOCK_MAX_IRQS		64
#define MOCK_CONTAINER_PATH	"/dev/vfio/vfio"

/* vfio-pci's fixed region layout: index << 40 (vfio_pci_core.h). */
#define MOCK_REGION_SHIFT	40
#define MOCK_REGION_MASK	((1ull << MOCK_REGION_SHIFT) - 1)

/* How long the idle BAR device thread pauses between doorbell polls. */
#define MOCK_POLL_NS		20000

/*
 * signal_cmd: the command that raises the signal is held at least this
 * long, so that the driver is waiting for its response when the signal
 * lands, as with a real device that takes its time.
 */
#define MOCK_SIGNAL_HOLD_NS	20000000ull

/* Bound on model steps per access: a model bug must not hang the test. */
#define MOCK_MAX_STEPS		100000

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

enum handle_type { H_FREE, H_CONTAINER, H_GROUP, H_DEVICE, H_EVENTFD };

struct mock_container;

struct handle {
	enum handle_type type;
	int fd;
	struct mock_container *c;	/* H_CONTAINER */
};

struct mock_dma {
	uint64_t iova, size, vaddr;	/* size 0: free */
};

struct mock_container {
	bool used;
	unsigned int refs;		/* its fd + an attached group */
	bool has_group;
	uint32_t iommu;			/* 0: VFIO_SET_IOMMU not done */
	struct mock_dma dma[MOCK_MAX_DMA];
};

struct mock_bar_map {
	uint64_t *page;			/* NULL: BAR0 not mapped */
	size_t len;
	pthread_t thread;
	bool stop;			/* under the lock: the thread must exit */
	uint32_t *sw_off, *dev_off;	/* byte offsets of registers */
	uint64_t *shadow;		/* last software value seen, per sw_off */
	size_t n_sw, n_dev;
};

/*
 * The command doorbell (MGT_WRITE_INDEX_TX0) on its way to the model: how
 * many commands software has announced, and a write held back until due
 * (REVERE_SIM rsp_delay_us and signal_cmd: a device that answers late).
 */
struct mock_doorbell {
	uint64_t commands;		/* announced since create */
	uint64_t value;			/* last value software wrote */
	bool held;			/* value has not reached the model yet */
	uint64_t due_ns;		/* CLOCK_MONOTONIC time it does */
};

struct mock_fault_slot {
	struct mock_fault f;
	unsigned int seen;
	bool armed;
};

struct mock_vfio {
	struct mock_vfio_config cfg;
	struct vfio_ops ops;
	pthread_mutex_t lock;
	char group_path[32];
	char sysfs_devices[64];

	struct handle h[MOCK_MAX_HANDLES];
	struct mock_container c[MOCK_MAX_CONTAINERS];

	/* The one group: its file, and the container it joined. */
	bool group_open;
	unsigned int group_refs;	/* group fd + device users */
	struct mock_container *gc;

	/* The one device: fds and mappings keep it open. */
	unsigned int dev_users;
	uint8_t config[RV_PCI_CFG_SIZE];
	uint32_t irq_index, irq_count;	/* irq_count 0: none routed */
	int irq_fd[MOCK_MAX_IRQS];	/* the mock's own dups, like eventfd_ctx */
	int req_fd;			/* VFIO_PCI_REQ_IRQ_INDEX's, or -1 */
	unsigned int requests;		/* times the device was asked back */
	bool request_msg_done;		/* cfg.request_msg fired */
	struct mock_bar_map map;
	struct rv_model model;
	struct mock_doorbell db;
	unsigned long amu_en_writes;	/* AMU_CR writes with AMU_EN set */

	uint64_t pinned;		/* bytes MAP_DMA pinned, all containers */
	struct mock_fault_slot faults[MOCK_MAX_FAULTS];
	unsigned long calls[MOCK_OP_COUNT];
};

/* ---- configuration ---- */

void mock_vfio_default_config(struct mock_vfio_config *cfg)
{
	*cfg = (struct mock_vfio_config){
		.group_id = 42,
		.device_name = "0000:00:03.0",
		.vendor_id = 0x13b5,	/* spec 1 */
		.device_id = 0xff81,
		.bar0_mmap = true,
		.group_viable = true,
		.type1v2 = true,
		.reset = true,
		.iova_pgsizes = 0x1000 | 0x200000 | 0x40000000,
		.memlock_limit = 64ull << 20,
		.msix_count = 8,
		.req_irq = true,
	};
	rv_model_default_params(&cfg->model);
}

/* ---- small helpers ---- */

/* Fail like a system call: errno and -1. */
static int fail_errno(int err)
{
	errno = err;
	return -1;
}

static void lock(struct mock_vfio *m)
{
	pthread_mutex_lock(&m->lock);
}

static void unlock(struct mock_vfio *m)
{
	pthread_mutex_unlock(&m->lock);
}

/* Count the call; true (with *err) if an armed fault picks this one. */
static bool fault_hit(struct mock_vfio *m, enum mock_op op,
		      unsigned long request, int *err)
{
	m->calls[op]++;
	for (unsigned int i = 0; i < MOCK_MAX_FAULTS; i++) {
		struct mock_fault_slot *s = &m->faults[i];

		if (!s->armed || s->f.op != op)
			continue;
		if (op == MOCK_OP_IOCTL && s->f.request &&
		    s->f.request != request)
			continue;
		if (++s->seen == s->f.nth) {
			s->armed = false;
			*err = s->f.err;
			return true;
		}
	}
	return false;
}

void mock_vfio_fail(struct mock_vfio *m, enum mock_op op,
		    unsigned long request, unsigned int nth, int err)
{
	lock(m);
	for (unsigned int i = 0; i < MOCK_MAX_FAULTS; i++) {
		struct mock_fault_slot *s = &m->faults[i];

		if (s->armed)
			continue;
		*s = (struct mock_fault_slot){
			.f = { .op = op, .request = request, .nth = nth,
			       .err = err },
			.armed = nth > 0 && op < MOCK_OP_COUNT,
		};
		break;
	}
	unlock(m);
}

static struct handle *handle_get(struct mock_vfio *m, int fd)
{
	if (fd < 0)
		return NULL;
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		if (m->h[i].type != H_FREE && m->h[i].fd == fd)
			return &m->h[i];
	return NULL;
}

/* A new handle backed by a real fd (an open of /dev/null). */
static struct handle *handle_new(struct mock_vfio *m, enum handle_type type)
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

/* ---- the container and its type1 IOMMU ---- */

static void container_put(struct mock_container *c)
{
	if (--c->refs == 0)
		*c = (struct mock_container){ 0 };
}

static bool dma_alive(const struct mock_dma *d)
{
	return d->size != 0;
}

static void container_drop_dma(struct mock_vfio *m, struct mock_container *c)
{
	for (unsigned int i = 0; i < MOCK_MAX_DMA; i++) {
		m->pinned -= c->dma[i].size;
		c->dma[i] = (struct mock_dma){ 0 };
	}
}

/*
 * Device DMA: translate [iova, iova + len) through the attached container's
 * mappings. Only a range inside one mapping is valid (an IOMMU fault
 * otherwise), and only while the group is attached with its IOMMU set.
 */
static void *dma_translate(struct mock_vfio *m, uint64_t iova, size_t len)
{
	struct mock_container *c = m->gc;

	if (!c || !c->iommu || !len)
		return NULL;
	for (unsigned int i = 0; i < MOCK_MAX_DMA; i++) {
		const struct mock_dma *d = &c->dma[i];

		if (dma_alive(d) && iova >= d->iova && len <= d->size &&
		    iova - d->iova <= d->size - len)
			return (void *)(uintptr_t)(d->vaddr + (iova - d->iova));
	}
	return NULL;
}

/*
 * The device's only accesses to the driver's DMA buffers. The driver
 * touches the same bytes without the mock's lock, as it would real DMA
 * memory, ordered by barriers and doorbells (revere_hw.h): tests/tsan.supp
 * names this function.
 */
static void dma_copy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

static int host_dma_read(void *host, uint64_t iova, void *buf, size_t len)
{
	void *p = dma_translate(host, iova, len);

	if (!p)
		return -1;
	dma_copy(buf, p, len);
	return 0;
}

static int host_dma_write(void *host, uint64_t iova, const void *buf,
			  size_t len)
{
	void *p = dma_translate(host, iova, len);

	if (!p)
		return -1;
	dma_copy(p, buf, len);
	return 0;
}

/* MSI-X (or MSI) vector: signal its eventfd if SET_IRQS routed one. */
static void host_msix(void *host, uint32_t vector)
{
	struct mock_vfio *m = host;
	uint64_t one = 1;

	if (vector >= m->irq_count || m->irq_fd[vector] < 0)
		return;
	if (write(m->irq_fd[vector], &one, sizeof(one)) < 0) {
		/* Counter saturated: the interrupt is already pending. */
	}
}

/* eventfd_signal() on the request trigger. */
static void req_signal(struct mock_vfio *m)
{
	uint64_t one = 1;

	if (write(m->req_fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "mock-vfio: device request eventfd: %s\n",
			strerror(errno));
}

/* vfio_unregister_group_dev() calling vfio_pci_core_request(). */
static bool request_locked(struct mock_vfio *m)
{
	m->requests++;
	if (!m->dev_users || m->req_fd < 0)
		return false;
	req_signal(m);
	return true;
}

bool mock_vfio_request(struct mock_vfio *m)
{
	bool told;

	lock(m);
	told = request_locked(m);
	unlock(m);
	return told;
}

/* REVERE_SIM's request_msg: once the device has moved that many. */
static void request_on_messages(struct mock_vfio *m)
{
	struct rv_model_summary s;

	if (!m->cfg.request_msg || m->request_msg_done)
		return;
	rv_model_summary(&m->model, &s);
	if (s.messages < m->cfg.request_msg)
		return;
	m->request_msg_done = true;
	request_locked(m);
}

int mock_vfio_dma_read(struct mock_vfio *m, uint64_t iova, void *buf,
		       size_t len)
{
	int ret;

	lock(m);
	ret = host_dma_read(m, iova, buf, len);
	unlock(m);
	return ret;
}

int mock_vfio_dma_write(struct mock_vfio *m, uint64_t iova, const void *buf,
			size_t len)
{
	int ret;

	lock(m);
	ret = host_dma_write(m, iova, buf, len);
	unlock(m);
	return ret;
}

void mock_vfio_msix(struct mock_vfio *m, uint32_t vector)
{
	lock(m);
	host_msix(m, vector);
	unlock(m);
}

/*
 * The kernel pins the pages behind [vaddr, vaddr + size): they must exist.
 * madvise() fails with ENOMEM on a range with a hole, and changes nothing
 * with MADV_NORMAL.
 */
static bool user_range_mapped(uint64_t vaddr, uint64_t size)
{
	return madvise((void *)(uintptr_t)vaddr, size, MADV_NORMAL) == 0;
}

static bool dma_overlaps(const struct mock_container *c, uint64_t iova,
			 uint64_t last)
{
	for (unsigned int i = 0; i < MOCK_MAX_DMA; i++) {
		const struct mock_dma *d = &c->dma[i];

		if (dma_alive(d) && iova <= d->iova + d->size - 1 &&
		    d->iova <= last)
			return true;
	}
	return false;
}

/* vfio_iommu_type1.c: vfio_dma_do_map(). */
static int iommu_map(struct mock_vfio *m, struct mock_container *c,
		     struct vfio_iommu_type1_dma_map *map)
{
	const uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	uint64_t pg = m->cfg.iova_pgsizes & -m->cfg.iova_pgsizes;
	struct mock_dma *slot = NULL;

	if (!map)
		return fail_errno(EFAULT);
	if (map->argsz < offsetofend(struct vfio_iommu_type1_dma_map, size) ||
	    map->flags & ~known)
		return fail_errno(EINVAL);
	if (!map->size)
		return fail_errno(EINVAL);
	if (map->iova + (map->size - 1) < map->iova ||
	    map->vaddr + (map->size - 1) < map->vaddr)
		return fail_errno(EOVERFLOW);
	if (!(map->flags & known))	/* no READ nor WRITE: prot 0 */
		return fail_errno(EINVAL);
	if ((map->size | map->iova | map->vaddr) & (pg - 1))
		return fail_errno(EINVAL);
	if (dma_overlaps(c, map->iova, map->iova + map->size - 1))
		return fail_errno(EEXIST);
	for (unsigned int i = 0; i < MOCK_MAX_DMA && !slot; i++)
		if (!dma_alive(&c->dma[i]))
			slot = &c->dma[i];
	if (!slot)
		return fail_errno(ENOSPC);
	/* vfio_lock_acct(): pinned pages count against RLIMIT_MEMLOCK. */
	if (m->pinned + map->size > m->cfg.memlock_limit ||
	    m->pinned + map->size < m->pinned)
		return fail_errno(ENOMEM);
	if (!user_range_mapped(map->vaddr, map->size))
		return fail_errno(EFAULT);
	*slot = (struct mock_dma){
		.iova = map->iova, .size = map->size, .vaddr = map->vaddr,
	};
	m->pinned += map->size;
	return 0;
}

/* Does a v2 unmap of [iova, last] cut through a mapping? */
static bool dma_bisected(const struct mock_container *c, uint64_t iova,
			 uint64_t last)
{
	for (unsigned int i = 0; i < MOCK_MAX_DMA; i++) {
		const struct mock_dma *d = &c->dma[i];
		uint64_t dlast = d->iova + d->size - 1;

		if (!dma_alive(d))
			continue;
		if (iova > d->iova && iova <= dlast)
			return true;
		if (last >= d->iova && last < dlast)
			return true;
	}
	return false;
}

/*
 * vfio_iommu_type1.c: vfio_dma_do_unmap(). v2 refuses to split a mapping;
 * v1 removes every mapping the range touches. Reports the size unmapped.
 */
static int iommu_unmap(struct mock_vfio *m, struct mock_container *c,
		       struct vfio_iommu_type1_dma_unmap *unmap)
{
	uint64_t pg = m->cfg.iova_pgsizes & -m->cfg.iova_pgsizes;
	uint64_t last, done = 0;
	bool all;

	if (!unmap)
		return fail_errno(EFAULT);
	if (unmap->argsz < offsetofend(struct vfio_iommu_type1_dma_unmap, size) ||
	    unmap->flags & ~VFIO_DMA_UNMAP_FLAG_ALL)
		return fail_errno(EINVAL);
	all = unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL;
	if (all) {
		if (unmap->iova || unmap->size)
			return fail_errno(EINVAL);
		last = UINT64_MAX;
	} else {
		if (!unmap->size || (unmap->size | unmap->iova) & (pg - 1))
			return fail_errno(EINVAL);
		if (unmap->iova + (unmap->size - 1) < unmap->iova)
			return fail_errno(EOVERFLOW);
		last = unmap->iova + unmap->size - 1;
		if (c->iommu == VFIO_TYPE1v2_IOMMU &&
		    dma_bisected(c, unmap->iova, last))
			return fail_errno(EINVAL);
	}
	for (unsigned int i = 0; i < MOCK_MAX_DMA; i++) {
		struct mock_dma *d = &c->dma[i];

		if (!dma_alive(d) || d->iova > last ||
		    d->iova + d->size - 1 < unmap->iova)
			continue;
		done += d->size;
		m->pinned -= d->size;
		*d = (struct mock_dma){ 0 };
	}
	unmap->size = done;
	return 0;
}

/* vfio_iommu_type1_ioctl(): GET_INFO, MAP_DMA, UNMAP_DMA. */
static int iommu_ioctl(struct mock_vfio *m, struct mock_container *c,
		       unsigned long request, void *arg)
{
	struct vfio_iommu_type1_info *info = arg;

	switch (request) {
	case VFIO_IOMMU_GET_INFO:
		if (!info)
			return fail_errno(EFAULT);
		if (info->argsz < offsetofend(struct vfio_iommu_type1_info,
					      iova_pgsizes))
			return fail_errno(EINVAL);
		info->flags = VFIO_IOMMU_INFO_PGSIZES;
		info->iova_pgsizes = m->cfg.iova_pgsizes;
		if (info->argsz >= offsetofend(struct vfio_iommu_type1_info,
					       cap_offset))
			info->cap_offset = 0;	/* no capabilities */
		return 0;
	case VFIO_IOMMU_MAP_DMA:
		return iommu_map(m, c, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommu_unmap(m, c, arg);
	}
	return fail_errno(ENOTTY);
}

static int check_extension(struct mock_vfio *m, unsigned long ext)
{
	switch (ext) {
	case VFIO_TYPE1_IOMMU:
		return 1;
	case VFIO_TYPE1v2_IOMMU:
		return m->cfg.type1v2;
	}
	return 0;
}

/* container.c: vfio_fops_unl_ioctl() and vfio_ioctl_set_iommu(). */
static int container_ioctl(struct mock_vfio *m, struct mock_container *c,
			   unsigned long request, void *arg)
{
	unsigned long ext = (unsigned long)(uintptr_t)arg;

	switch (request) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return check_extension(m, ext);
	case VFIO_SET_IOMMU:
		if (!c->has_group || c->iommu)
			return fail_errno(EINVAL);
		if (check_extension(m, ext) <= 0)
			return fail_errno(ENODEV);	/* no driver offers it */
		c->iommu = (uint32_t)ext;
		return 0;
	}
	if (!c->iommu)
		return fail_errno(EINVAL);	/* no IOMMU driver to pass to */
	return iommu_ioctl(m, c, request, arg);
}

/* ---- the group ---- */

static void device_put(struct mock_vfio *m);

static void group_detach(struct mock_vfio *m)
{
	struct mock_container *c = m->gc;

	if (!c)
		return;
	c->has_group = false;
	/* Detaching the last group deprivileges the container. */
	container_drop_dma(m, c);
	c->iommu = 0;
	m->gc = NULL;
	container_put(c);
}

static void group_put(struct mock_vfio *m)
{
	if (--m->group_refs)
		return;
	group_detach(m);
	m->group_open = false;
}

static int group_status(struct mock_vfio *m, struct vfio_group_status *st)
{
	if (!st)
		return fail_errno(EFAULT);
	if (st->argsz < offsetofend(struct vfio_group_status, flags))
		return fail_errno(EINVAL);
	st->flags = 0;
	if (m->gc)
		st->flags = VFIO_GROUP_FLAGS_CONTAINER_SET |
			    VFIO_GROUP_FLAGS_VIABLE;
	else if (m->cfg.group_viable)
		st->flags = VFIO_GROUP_FLAGS_VIABLE;
	return 0;
}

/* group.c: vfio_group_ioctl_set_container(). */
static int group_set_container(struct mock_vfio *m, const int *arg)
{
	struct handle *h;

	if (!arg)
		return fail_errno(EFAULT);
	if (fcntl(*arg, F_GETFD) < 0)
		return fail_errno(EBADF);
	if (m->gc)
		return fail_errno(EINVAL);
	h = handle_get(m, *arg);
	if (!h || h->type != H_CONTAINER)
		return fail_errno(EBADFD);
	/* iommu_group_claim_dma_owner(): another driver holds a device. */
	if (!m->cfg.group_viable)
		return fail_errno(EBUSY);
	m->gc = h->c;
	h->c->has_group = true;
	h->c->refs++;
	return 0;
}

static void device_open(struct mock_vfio *m);

/* group.c: vfio_group_ioctl_get_device_fd(). */
static int group_get_device_fd(struct mock_vfio *m, const char *name)
{
	struct handle *h;

	if (!name)
		return fail_errno(EFAULT);
	if (strcmp(name, m->cfg.device_name))
		return fail_errno(ENODEV);
	if (!m->gc || !m->gc->iommu)
		return fail_errno(EINVAL);
	h = handle_new(m, H_DEVICE);
	if (!h)
		return -1;
	if (m->dev_users++ == 0)
		device_open(m);
	m->group_refs++;	/* the device holds the group file */
	return h->fd;
}

static int group_ioctl(struct mock_vfio *m, unsigned long request, void *arg)
{
	switch (request) {
	case VFIO_GROUP_GET_STATUS:
		return group_status(m, arg);
	case VFIO_GROUP_SET_CONTAINER:
		return group_set_container(m, arg);
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!m->gc)
			return fail_errno(EINVAL);
		if (m->dev_users)
			return fail_errno(EBUSY);
		group_detach(m);
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		return group_get_device_fd(m, arg);
	}
	return fail_errno(ENOTTY);
}

/* ---- the device: config space (sim/rv_pci_cfg.h) ---- */

static void config_init(struct mock_vfio *m)
{
	rv_pci_cfg_power_on(m->config, m->cfg.vendor_id, m->cfg.device_id);
}

static void config_write(struct mock_vfio *m, uint32_t off, const uint8_t *buf,
			 size_t len)
{
	rv_pci_cfg_write(m->config, off, buf, len);
	rv_model_set_bus_master(&m->model, rv_pci_cfg_bus_master(m->config));
}

/* vfio_pci_config_rw(): out of range is EFAULT there. */
static ssize_t config_rw(struct mock_vfio *m, void *buf, size_t len,
			 uint64_t off, bool write)
{
	if (off >= RV_PCI_CFG_SIZE || len > RV_PCI_CFG_SIZE - off)
		return fail_errno(EFAULT);
	if (write)
		config_write(m, (uint32_t)off, buf, len);
	else
		memcpy(buf, m->config + off, len);
	return (ssize_t)len;
}

/* ---- the device: BAR0 and the model ---- */

static unsigned int model_run(struct mock_vfio *m)
{
	unsigned int work = 0, n, steps = 0;

	while ((n = rv_model_step(&m->model)) && ++steps < MOCK_MAX_STEPS)
		work += n;
	request_on_messages(m);
	return work;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Software wrote the command doorbell: count the commands it announces,
 * raise SIGINT when the signal_cmd-th arrives, ask for the device back
 * (mock_vfio_request()) when the request_cmd-th does, and hold the write
 * for rsp_delay_us before the model sees it.
 */
static void cmd_doorbell(struct mock_vfio *m, uint64_t val)
{
	uint64_t before = m->db.commands;
	uint64_t hold = m->cfg.rsp_delay_us * 1000ull;
	uint64_t last = m->db.held ? m->db.value :
		rv_model_read(&m->model, RV_MGT_WRITE_INDEX_TX0);

	m->db.commands += val - last;
	m->db.value = val;
	if (m->cfg.signal_cmd && before < m->cfg.signal_cmd &&
	    m->db.commands >= m->cfg.signal_cmd) {
		kill(getpid(), SIGINT);
		if (hold < MOCK_SIGNAL_HOLD_NS)
			hold = MOCK_SIGNAL_HOLD_NS;
	}
	if (m->cfg.request_cmd && before < m->cfg.request_cmd &&
	    m->db.commands >= m->cfg.request_cmd)
		request_locked(m);
	if (m->db.held)
		return;		/* goes with the held write, when it is due */
	if (!hold) {
		rv_model_write(&m->model, RV_MGT_WRITE_INDEX_TX0, val);
		return;
	}
	m->db.held = true;
	m->db.due_ns = mono_ns() + hold;
}

/* Let a held doorbell through once it is due; 1 if it did. */
static unsigned int db_release(struct mock_vfio *m)
{
	if (!m->db.held || mono_ns() < m->db.due_ns)
		return 0;
	m->db.held = false;
	rv_model_write(&m->model, RV_MGT_WRITE_INDEX_TX0, m->db.value);
	return 1;
}

/* A store of software's to a device register, by either BAR0 path. */
static void sw_write(struct mock_vfio *m, uint64_t off, uint64_t val)
{
	if (off == RV_AMU_CR && (val & RV_AMU_CR_AMU_EN))
		m->amu_en_writes++;
	if (off == RV_MGT_WRITE_INDEX_TX0) {
		cmd_doorbell(m, val);
		return;
	}
	rv_model_write(&m->model, off, val);
}

/*
 * The mock's only accesses to the BAR0 page it shares with the driver. The
 * driver's loads and stores there are MMIO on hardware (volatile, no lock),
 * ordered by barriers and doorbells: tests/tsan.supp names these two.
 */
static uint64_t bar_page_load(const struct mock_bar_map *b, uint32_t off)
{
	return __atomic_load_n(&b->page[off / 8], __ATOMIC_ACQUIRE);
}

static void bar_page_store(struct mock_bar_map *b, uint32_t off, uint64_t v)
{
	__atomic_store_n(&b->page[off / 8], v, __ATOMIC_RELEASE);
}

/* Device registers out to the mapping, after the model's DMA writes. */
static void bar_publish(struct mock_vfio *m)
{
	struct mock_bar_map *b = &m->map;

	for (size_t i = 0; i < b->n_dev; i++)
		bar_page_store(b, b->dev_off[i],
			       rv_model_read(&m->model, b->dev_off[i]));
}

/* Make the mapping show the model's registers (after map or reset). */
static void bar_resync(struct mock_vfio *m)
{
	struct mock_bar_map *b = &m->map;

	if (!b->page)
		return;
	for (size_t i = 0; i < b->n_sw; i++) {
		b->shadow[i] = rv_model_read(&m->model, b->sw_off[i]);
		bar_page_store(b, b->sw_off[i], b->shadow[i]);
	}
	bar_publish(m);
}

/* One poll of the device thread: doorbells in, work, registers out. */
static unsigned int bar_poll(struct mock_vfio *m)
{
	struct mock_bar_map *b = &m->map;
	unsigned int work = db_release(m);

	for (size_t i = 0; i < b->n_sw; i++) {
		uint64_t v = bar_page_load(b, b->sw_off[i]);

		if (v == b->shadow[i])
			continue;
		b->shadow[i] = v;
		sw_write(m, b->sw_off[i], v);
		work++;
	}
	work += model_run(m);
	bar_publish(m);
	return work;
}

static void *bar_thread(void *arg)
{
	struct mock_vfio *m = arg;
	const struct timespec pause = { .tv_nsec = MOCK_POLL_NS };

	for (;;) {
		unsigned int work;

		lock(m);
		if (m->map.stop) {
			unlock(m);
			return NULL;
		}
		work = bar_poll(m);
		unlock(m);
		if (!work)
			nanosleep(&pause, NULL);
	}
}

/* After a pwrite while mapped: keep the mapping's view in step. */
static void bar_after_write(struct mock_vfio *m, uint64_t off, uint64_t val)
{
	struct mock_bar_map *b = &m->map;

	if (!b->page)
		return;
	for (size_t i = 0; i < b->n_sw; i++) {
		if (b->sw_off[i] != off)
			continue;
		b->shadow[i] = val;
		bar_page_store(b, (uint32_t)off, val);
	}
	bar_publish(m);
}

/* vfio_pci_bar_rw(), with the model as the device (see the top comment). */
static ssize_t bar_rw(struct mock_vfio *m, void *buf, size_t len, uint64_t off,
		      bool write)
{
	uint64_t v;

	if (off >= RV_MODEL_BAR0_SIZE)
		return fail_errno(EINVAL);
	if (db_release(m))
		model_run(m);
	if (len == 8 && !(off & 7)) {
		if (!write) {
			v = htole64(rv_model_read(&m->model, off));
			memcpy(buf, &v, 8);
			return 8;
		}
		memcpy(&v, buf, 8);
		v = le64toh(v);
		sw_write(m, off, v);
		model_run(m);
		bar_after_write(m, off, v);
		return 8;
	}
	if (len == 4 && !(off & 3) && !write) {
		uint32_t half;

		v = rv_model_read(&m->model, off & ~7ull);
		half = htole32((uint32_t)(v >> (off & 4 ? 32 : 0)));
		memcpy(buf, &half, 4);
		return 4;
	}
	return fail_errno(EINVAL);
}

static ssize_t device_rw(struct mock_vfio *m, void *buf, size_t len,
			 uint64_t pos, bool write)
{
	uint64_t index = pos >> MOCK_REGION_SHIFT;
	uint64_t off = pos & MOCK_REGION_MASK;

	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return config_rw(m, buf, len, off, write);
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return bar_rw(m, buf, len, off, write);
	return fail_errno(EINVAL);
}

/* vfio_pci_core_enable(): the function is reset when the device opens. */
static void device_open(struct mock_vfio *m)
{
	if (m->cfg.reset)
		rv_model_reset(&m->model);
	rv_pci_cfg_open(m->config);
	rv_model_set_bus_master(&m->model, false);
}

static void irq_unroute(struct mock_vfio *m, uint32_t from)
{
	for (uint32_t i = from; i < MOCK_MAX_IRQS; i++) {
		if (m->irq_fd[i] >= 0)
			close(m->irq_fd[i]);
		m->irq_fd[i] = -1;
	}
	if (from == 0)
		m->irq_count = 0;
}

static void req_unroute(struct mock_vfio *m)
{
	if (m->req_fd >= 0)
		close(m->req_fd);
	m->req_fd = -1;
}

static void device_put(struct mock_vfio *m)
{
	if (--m->dev_users)
		return;
	/*
	 * vfio_pci_core_disable() tears the interrupts down, and
	 * vfio_pci_core_close_device() drops the request eventfd.
	 */
	irq_unroute(m, 0);
	req_unroute(m);
	group_put(m);
}

static int device_info(struct mock_vfio *m, struct vfio_device_info *info)
{
	if (!info)
		return fail_errno(EFAULT);
	if (info->argsz < offsetofend(struct vfio_device_info, num_irqs))
		return fail_errno(EINVAL);
	info->flags = VFIO_DEVICE_FLAGS_PCI |
		      (m->cfg.reset ? VFIO_DEVICE_FLAGS_RESET : 0);
	info->num_regions = VFIO_PCI_NUM_REGIONS;
	info->num_irqs = VFIO_PCI_NUM_IRQS;
	return 0;
}

static int region_info(struct mock_vfio *m, struct vfio_region_info *info)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE;

	if (!info)
		return fail_errno(EFAULT);
	if (info->argsz < offsetofend(struct vfio_region_info, offset) ||
	    info->index >= VFIO_PCI_NUM_REGIONS)
		return fail_errno(EINVAL);
	info->offset = (uint64_t)info->index << MOCK_REGION_SHIFT;
	info->flags = 0;
	info->size = 0;
	if (info->index == VFIO_PCI_CONFIG_REGION_INDEX) {
		info->flags = rw;	/* never mmap-able */
		info->size = RV_PCI_CFG_SIZE;
	} else if (info->index == VFIO_PCI_BAR0_REGION_INDEX) {
		info->flags = rw |
			(m->cfg.bar0_mmap ? VFIO_REGION_INFO_FLAG_MMAP : 0);
		info->size = RV_MODEL_BAR0_SIZE;
	}
	return 0;
}

static uint32_t irq_max(const struct mock_vfio *m, uint32_t index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		/* The mock routes at most MOCK_MAX_IRQS vectors. */
		return m->cfg.msix_count < MOCK_MAX_IRQS ? m->cfg.msix_count :
							   MOCK_MAX_IRQS;
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
		return 1;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return m->cfg.req_irq;
	}
	return 0;	/* ERR: no AER */
}

/* vfio_pci_ioctl_get_irq_info(). */
static int irq_info(struct mock_vfio *m, struct vfio_irq_info *info)
{
	if (!info)
		return fail_errno(EFAULT);
	if (info->argsz < offsetofend(struct vfio_irq_info, count) ||
	    info->index >= VFIO_PCI_NUM_IRQS)
		return fail_errno(EINVAL);
	info->flags = VFIO_IRQ_INFO_EVENTFD;
	if (info->index == VFIO_PCI_INTX_IRQ_INDEX)
		info->flags |= VFIO_IRQ_INFO_MASKABLE |
			       VFIO_IRQ_INFO_AUTOMASKED;
	else
		info->flags |= VFIO_IRQ_INFO_NORESIZE;
	info->count = irq_max(m, info->index);
	return 0;
}

/* eventfd_ctx_fdget(): EBADF for no file, EINVAL for another kind. */
static int irq_take_eventfd(struct mock_vfio *m, int32_t fd, int *dup_fd)
{
	struct handle *h = handle_get(m, fd);

	if (fcntl(fd, F_GETFD) < 0)
		return EBADF;
	if (!h || h->type != H_EVENTFD)
		return EINVAL;
	*dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return *dup_fd < 0 ? errno : 0;
}

/* vfio_msi_set_block(): fd -1 unroutes a vector; unwinds on error. */
static int irq_set_block(struct mock_vfio *m, uint32_t start, uint32_t count,
			 const int32_t *fds)
{
	for (uint32_t i = 0; i < count; i++) {
		uint32_t v = start + i;
		int nfd = -1, err;

		if (fds[i] >= 0) {
			err = irq_take_eventfd(m, fds[i], &nfd);
			if (err) {
				for (uint32_t j = start; j < v; j++) {
					close(m->irq_fd[j]);
					m->irq_fd[j] = -1;
				}
				return fail_errno(err);
			}
		}
		if (m->irq_fd[v] >= 0)
			close(m->irq_fd[v]);
		m->irq_fd[v] = nfd;
	}
	return 0;
}

/* vfio_pci_set_msi_trigger(), for MSI and MSI-X. */
static int irq_msi_trigger(struct mock_vfio *m, const struct vfio_irq_set *s)
{
	bool enabled = m->irq_count && m->irq_index == s->index;

	if (enabled && !s->count && s->flags & VFIO_IRQ_SET_DATA_NONE) {
		irq_unroute(m, 0);
		return 0;
	}
	if (m->irq_count && !enabled)
		return fail_errno(EINVAL);	/* the other kind is on */
	if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		const int32_t *fds = (const int32_t *)s->data;
		bool was = enabled;

		if (!enabled) {
			m->irq_index = s->index;
			m->irq_count = s->start + s->count;
		}
		if (irq_set_block(m, s->start, s->count, fds) < 0) {
			if (!was)
				irq_unroute(m, 0);
			return -1;
		}
		return 0;
	}
	if (!enabled)
		return fail_errno(EINVAL);
	/* DATA_NONE / DATA_BOOL: loopback trigger of the vectors. */
	for (uint32_t i = s->start; i < s->start + s->count; i++)
		if (!(s->flags & VFIO_IRQ_SET_DATA_BOOL) || s->data[i - s->start])
			host_msix(m, i);
	return 0;
}

/*
 * vfio_pci_set_req_trigger(): one trigger, vfio_pci_set_ctx_trigger_single()'s
 * rules. DATA_EVENTFD sets it (fd -1 clears it); DATA_NONE with count 0
 * clears it and with count 1 fires it, but only when one is set; DATA_BOOL
 * fires it if true.
 */
static int req_trigger(struct mock_vfio *m, const struct vfio_irq_set *s)
{
	int32_t fd;
	int nfd, err;

	switch (s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (m->req_fd < 0)
			return fail_errno(EINVAL);
		if (s->count)
			req_signal(m);
		else
			req_unroute(m);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!s->count)
			return fail_errno(EINVAL);
		if (s->data[0] && m->req_fd >= 0)
			req_signal(m);
		return 0;
	}
	if (!s->count)
		return fail_errno(EINVAL);
	memcpy(&fd, s->data, sizeof(fd));
	if (fd == -1) {
		req_unroute(m);
		return 0;
	}
	if (fd < 0)
		return 0;	/* vfio-pci ignores other negative fds */
	err = irq_take_eventfd(m, fd, &nfd);
	if (err)
		return fail_errno(err);
	req_unroute(m);
	m->req_fd = nfd;
	return 0;
}

/* vfio_set_irqs_validate_and_prepare() and vfio_pci_set_irqs_ioctl(). */
static int set_irqs(struct mock_vfio *m, const struct vfio_irq_set *s)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count), size;
	uint32_t max;

	if (!s)
		return fail_errno(EFAULT);
	if (s->argsz < minsz || s->index >= VFIO_PCI_NUM_IRQS ||
	    s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			 VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return fail_errno(EINVAL);
	max = irq_max(m, s->index);
	if (!max || s->start >= max || s->count >= UINT32_MAX - s->start ||
	    s->start + s->count > max)
		return fail_errno(EINVAL);
	switch (s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(uint8_t);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(int32_t);
		break;
	default:
		return fail_errno(EINVAL);
	}
	if (size && s->argsz - minsz < (size_t)s->count * size)
		return fail_errno(EINVAL);
	if (s->index == VFIO_PCI_REQ_IRQ_INDEX &&
	    (s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return req_trigger(m, s);
	if ((s->index != VFIO_PCI_MSI_IRQ_INDEX &&
	     s->index != VFIO_PCI_MSIX_IRQ_INDEX) ||
	    (s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return fail_errno(ENOTTY);	/* INTx/ERR: not emulated */
	return irq_msi_trigger(m, s);
}

/* vfio_pci_core_ioctl_reset(): config space is saved and restored. */
static int device_reset(struct mock_vfio *m)
{
	if (!m->cfg.reset)
		return fail_errno(EINVAL);
	rv_model_reset(&m->model);
	m->db.held = false;
	rv_model_set_bus_master(&m->model,
				rv_pci_cfg_bus_master(m->config));
	bar_resync(m);
	return 0;
}

static int device_ioctl(struct mock_vfio *m, unsigned long request, void *arg)
{
	switch (request) {
	case VFIO_DEVICE_GET_INFO:
		return device_info(m, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(m, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return irq_info(m, arg);
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(m, arg);
	case VFIO_DEVICE_RESET:
		return device_reset(m);
	}
	return fail_errno(ENOTTY);
}

/* ---- BAR0 mmap ---- */

static void bar_map_free(struct mock_bar_map *b)
{
	if (b->page)
		munmap(b->page, b->len);
	free(b->sw_off);
	free(b->dev_off);
	free(b->shadow);
	*b = (struct mock_bar_map){ 0 };
}

/* Which registers the thread copies in and out (rv_model_reg_owner). */
static int bar_map_tables(struct mock_vfio *m, struct mock_bar_map *b)
{
	size_t n = RV_MODEL_BAR0_SIZE / 8;

	b->sw_off = calloc(n, sizeof(*b->sw_off));
	b->dev_off = calloc(n, sizeof(*b->dev_off));
	if (!b->sw_off || !b->dev_off)
		return ENOMEM;
	for (uint64_t off = 0; off < RV_MODEL_BAR0_SIZE; off += 8) {
		switch (rv_model_reg_owner(&m->model, off)) {
		case RV_REG_SW:
			b->sw_off[b->n_sw++] = (uint32_t)off;
			break;
		case RV_REG_DEVICE:
			b->dev_off[b->n_dev++] = (uint32_t)off;
			break;
		case RV_REG_NONE:
			break;
		}
	}
	b->shadow = calloc(b->n_sw ? b->n_sw : 1, sizeof(*b->shadow));
	return b->shadow ? 0 : ENOMEM;
}

static void *bar_mmap(struct mock_vfio *m, size_t len, int flags, off_t off)
{
	struct mock_bar_map *b = &m->map;
	uint64_t index = (uint64_t)off >> MOCK_REGION_SHIFT;
	int err;

	/* vfio_pci_core_mmap(). */
	if (index != VFIO_PCI_BAR0_REGION_INDEX || !m->cfg.bar0_mmap ||
	    !(flags & MAP_SHARED) || !len ||
	    ((uint64_t)off & MOCK_REGION_MASK) || len > RV_MODEL_BAR0_SIZE) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (b->page) {
		errno = EBUSY;	/* the mock's limit: one mapping */
		return MAP_FAILED;
	}
	b->page = mmap(NULL, RV_MODEL_BAR0_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->page == MAP_FAILED) {
		b->page = NULL;
		return MAP_FAILED;
	}
	b->len = RV_MODEL_BAR0_SIZE;
	err = bar_map_tables(m, b);
	if (!err)
		bar_resync(m);
	b->stop = false;
	if (!err)
		err = pthread_create(&b->thread, NULL, bar_thread, m);
	if (err) {
		bar_map_free(b);
		errno = err;
		return MAP_FAILED;
	}
	m->dev_users++;
	return b->page;
}

/*
 * Stop the device thread; the lock must not be held (it takes it). A last
 * poll then delivers software's final stores, as posted writes issued
 * before munmap reach a real device.
 */
static void bar_stop(struct mock_vfio *m)
{
	lock(m);
	m->map.stop = true;
	unlock(m);
	pthread_join(m->map.thread, NULL);
	lock(m);
	bar_poll(m);
	unlock(m);
}

/* ---- the operations ---- */

static int mock_open(void *ctx, const char *path, int flags)
{
	struct mock_vfio *m = ctx;
	struct mock_container *c = NULL;
	struct handle *h;
	int err, fd = -1;

	(void)flags;
	lock(m);
	if (fault_hit(m, MOCK_OP_OPEN, 0, &err)) {
		errno = err;
		goto out;
	}
	if (!strcmp(path, MOCK_CONTAINER_PATH)) {
		for (unsigned int i = 0; i < MOCK_MAX_CONTAINERS && !c; i++)
			if (!m->c[i].used)
				c = &m->c[i];
		if (!c) {
			errno = ENOMEM;
			goto out;
		}
		h = handle_new(m, H_CONTAINER);
		if (!h)
			goto out;
		*c = (struct mock_container){ .used = true, .refs = 1 };
		h->c = c;
		fd = h->fd;
	} else if (!strcmp(path, m->group_path)) {
		if (m->group_open) {
			errno = EBUSY;	/* group.c: one open at a time */
			goto out;
		}
		h = handle_new(m, H_GROUP);
		if (!h)
			goto out;
		m->group_open = true;
		m->group_refs = 1;
		fd = h->fd;
	} else {
		errno = ENOENT;
	}
out:
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
	fault_hit(m, MOCK_OP_CLOSE, 0, &err);
	h = handle_get(m, fd);
	if (!h) {
		unlock(m);
		return fail_errno(EBADF);
	}
	switch (h->type) {
	case H_CONTAINER:
		container_put(h->c);
		break;
	case H_GROUP:
		group_put(m);
		break;
	case H_DEVICE:
		device_put(m);
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
	if (fault_hit(m, MOCK_OP_IOCTL, request, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	h = handle_get(m, fd);
	if (!h)
		ret = fail_errno(EBADF);
	else if (h->type == H_CONTAINER)
		ret = container_ioctl(m, h->c, request, arg);
	else if (h->type == H_GROUP)
		ret = group_ioctl(m, request, arg);
	else if (h->type == H_DEVICE)
		ret = device_ioctl(m, request, arg);
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
	if (fault_hit(m, op, 0, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	h = handle_get(m, fd);
	if (!h)
		ret = fail_errno(EBADF);
	else if (h->type != H_DEVICE || off < 0)
		ret = fail_errno(EINVAL);
	else
		ret = device_rw(m, buf, count, (uint64_t)off,
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
	if (fault_hit(m, MOCK_OP_MMAP, 0, &err)) {
		errno = err;
	} else if (!(h = handle_get(m, fd))) {
		errno = EBADF;
	} else if (h->type != H_DEVICE) {
		errno = ENODEV;		/* no mmap file operation */
	} else {
		p = bar_mmap(m, length, flags, off);
	}
	unlock(m);
	return p;
}

static int mock_munmap(void *ctx, void *addr, size_t length)
{
	struct mock_vfio *m = ctx;
	int err;

	lock(m);
	if (fault_hit(m, MOCK_OP_MUNMAP, 0, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	if (!addr || addr != m->map.page || length != m->map.len) {
		unlock(m);
		return fail_errno(EINVAL);
	}
	unlock(m);
	/* The thread takes the lock: join it without holding it. */
	bar_stop(m);
	lock(m);
	bar_map_free(&m->map);
	device_put(m);
	unlock(m);
	return 0;
}

static int mock_eventfd(void *ctx, unsigned int initval, int flags)
{
	struct mock_vfio *m = ctx;
	int err, fd = -1;

	lock(m);
	if (fault_hit(m, MOCK_OP_EVENTFD, 0, &err)) {
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
	if (fault_hit(m, MOCK_OP_READ, 0, &err)) {
		unlock(m);
		return fail_errno(err);
	}
	h = handle_get(m, fd);
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
	host = (struct rv_model_host){
		.host = m,
		.dma_read = host_dma_read,
		.dma_write = host_dma_write,
		.msix = host_msix,
	};
	if (rv_model_init(&m->model, &cfg->model, &host) < 0) {
		free(m);
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	snprintf(m->group_path, sizeof(m->group_path), "/dev/vfio/%u",
		 cfg->group_id);
	snprintf(m->sysfs_devices, sizeof(m->sysfs_devices),
		 "/sys/kernel/iommu_groups/%u/devices", cfg->group_id);
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		m->h[i].fd = -1;
	for (unsigned int i = 0; i < MOCK_MAX_IRQS; i++)
		m->irq_fd[i] = -1;
	m->req_fd = -1;
	config_init(m);
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

const char *mock_vfio_group_path(const struct mock_vfio *m)
{
	return m->group_path;
}

const char *mock_vfio_device_name(const struct mock_vfio *m)
{
	return m->cfg.device_name;
}

static void counters_locked(struct mock_vfio *m, struct mock_vfio_counters *c)
{
	*c = (struct mock_vfio_counters){ .bar_mmaps = m->map.page != NULL };
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		c->fds_open += m->h[i].type != H_FREE;
	for (unsigned int i = 0; i < MOCK_MAX_CONTAINERS; i++) {
		for (unsigned int j = 0; j < MOCK_MAX_DMA; j++) {
			const struct mock_dma *d = &m->c[i].dma[j];

			c->dma_mappings += dma_alive(d);
			c->dma_bytes += d->size;
		}
	}
	for (unsigned int i = 0; i < MOCK_MAX_IRQS; i++)
		c->irqs_routed += m->irq_fd[i] >= 0;
	c->irqs_routed += m->req_fd >= 0;
	c->requests = m->requests;
	memcpy(c->calls, m->calls, sizeof(c->calls));
}

void mock_vfio_counters(struct mock_vfio *m, struct mock_vfio_counters *c)
{
	lock(m);
	counters_locked(m, c);
	unlock(m);
}

void mock_vfio_device_summary(struct mock_vfio *m, struct rv_model_summary *s)
{
	lock(m);
	rv_model_summary(&m->model, s);
	unlock(m);
}

/*
 * One line, key=value, for the demo's shell tests: the counters, then the
 * device summary (the keys after ami_hw_mapped are the model's activity).
 */
static void report(struct mock_vfio *m)
{
	struct mock_vfio_counters c;
	struct rv_model_summary s;

	counters_locked(m, &c);
	rv_model_summary(&m->model, &s);
	fprintf(stderr,
		"mock-vfio: fds_open=%u dma_mappings=%u bar_mmaps=%u"
		" irqs_routed=%u amu_enabled=%d bus_master=%d"
		" ami_sw_enabled=%u ami_hw_enabled=%u asn_count=%u"
		" ami_sw_mapped=%u ami_hw_mapped=%u commands=%" PRIu64
		" messages=%" PRIu64 " irqs=%" PRIu64 " iommu_fault=%d"
		" amu_en_writes=%lu requests=%u reads=%lu\n",
		c.fds_open, c.dma_mappings, c.bar_mmaps, c.irqs_routed,
		s.amu_enabled, s.bus_master, s.ami_sw_enabled,
		s.ami_hw_enabled, s.asn_count, s.ami_sw_mapped,
		s.ami_hw_mapped, s.commands, s.messages, s.irqs,
		s.iommu_fault, m->amu_en_writes, c.requests,
		c.calls[MOCK_OP_READ]);
}

/* Like process exit: whatever the driver left open is released. */
void mock_vfio_destroy(struct mock_vfio *m)
{
	if (!m)
		return;
	lock(m);
	if (m->cfg.report)
		report(m);
	unlock(m);
	if (m->map.page) {
		bar_stop(m);
		bar_map_free(&m->map);
	}
	irq_unroute(m, 0);
	req_unroute(m);
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		if (m->h[i].type != H_FREE)
			close(m->h[i].fd);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* ---- REVERE_SIM=key=value,... ---- */

enum key_kind { K_BOOL, K_U8, K_U16, K_U32, K_U64, K_STR };

struct sim_key {
	const char *name;
	enum key_kind kind;
	size_t off;
};

#define CFG_KEY(name, kind) { #name, kind, offsetof(struct mock_vfio_config, name) }
#define MODEL_KEY(name, kind) \
	{ #name, kind, offsetof(struct mock_vfio_config, model.name) }

static const struct sim_key sim_keys[] = {
	CFG_KEY(group_id, K_U32),
	CFG_KEY(device_name, K_STR),
	CFG_KEY(vendor_id, K_U16),
	CFG_KEY(device_id, K_U16),
	CFG_KEY(bar0_mmap, K_BOOL),
	CFG_KEY(group_viable, K_BOOL),
	CFG_KEY(type1v2, K_BOOL),
	CFG_KEY(reset, K_BOOL),
	CFG_KEY(iova_pgsizes, K_U64),
	CFG_KEY(memlock_limit, K_U64),
	CFG_KEY(msix_count, K_U32),
	CFG_KEY(req_irq, K_BOOL),
	CFG_KEY(request_msg, K_U64),
	CFG_KEY(request_cmd, K_U32),
	CFG_KEY(report, K_BOOL),
	CFG_KEY(signal_cmd, K_U32),
	CFG_KEY(rsp_delay_us, K_U32),
	MODEL_KEY(aidr, K_U64),
	MODEL_KEY(iidr, K_U64),
	MODEL_KEY(num_ami_sw, K_U16),
	MODEL_KEY(num_ami_hw, K_U16),
	MODEL_KEY(max_asn, K_U32),
	MODEL_KEY(num_aha, K_U16),
	MODEL_KEY(ami_per_f_m1, K_U16),
	MODEL_KEY(num_tx_ams, K_U8),
	MODEL_KEY(num_rx_ams, K_U8),
	MODEL_KEY(mute, K_BOOL),
	MODEL_KEY(mute_opcode, K_U16),
	MODEL_KEY(fail_opcode, K_U16),
	MODEL_KEY(fail_status, K_U16),
	MODEL_KEY(corrupt_msg, K_U64),
	MODEL_KEY(exception_opcode, K_U16),
	MODEL_KEY(dup_rsp, K_U64),
	MODEL_KEY(dup_rsp_late, K_U64),
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int set_key(struct mock_vfio_config *cfg, const struct sim_key *k,
		   const char *val)
{
	char *p = (char *)cfg + k->off;
	uint64_t v = 0;

	if (k->kind == K_STR) {
		if (strlen(val) >= sizeof(cfg->device_name))
			return -EINVAL;
		strcpy(p, val);
		return 0;
	}
	if (parse_u64(val, &v) < 0)
		return -EINVAL;
	switch (k->kind) {
	case K_BOOL:
		if (v > 1)
			return -EINVAL;
		*(bool *)p = v;
		return 0;
	case K_U8:
		if (v > UINT8_MAX)
			return -EINVAL;
		*(uint8_t *)p = (uint8_t)v;
		return 0;
	case K_U16:
		if (v > UINT16_MAX)
			return -EINVAL;
		*(uint16_t *)p = (uint16_t)v;
		return 0;
	case K_U32:
		if (v > UINT32_MAX)
			return -EINVAL;
		*(uint32_t *)p = (uint32_t)v;
		return 0;
	case K_U64:
		*(uint64_t *)p = v;
		return 0;
	case K_STR:
		break;
	}
	return -EINVAL;
}

#define NAMED(x) { #x, x }

static const struct { const char *name; unsigned long request; } ioctl_names[] = {
	NAMED(VFIO_GET_API_VERSION),
	NAMED(VFIO_CHECK_EXTENSION),
	NAMED(VFIO_SET_IOMMU),
	NAMED(VFIO_GROUP_GET_STATUS),
	NAMED(VFIO_GROUP_SET_CONTAINER),
	NAMED(VFIO_GROUP_UNSET_CONTAINER),
	NAMED(VFIO_GROUP_GET_DEVICE_FD),
	NAMED(VFIO_DEVICE_GET_INFO),
	NAMED(VFIO_DEVICE_GET_REGION_INFO),
	NAMED(VFIO_DEVICE_GET_IRQ_INFO),
	NAMED(VFIO_DEVICE_SET_IRQS),
	NAMED(VFIO_DEVICE_RESET),
	NAMED(VFIO_IOMMU_GET_INFO),
	NAMED(VFIO_IOMMU_MAP_DMA),
	NAMED(VFIO_IOMMU_UNMAP_DMA),
};

static const struct { const char *name; int err; } errno_names[] = {
	NAMED(EPERM), NAMED(ENOENT), NAMED(EINTR), NAMED(EIO), NAMED(ENXIO),
	NAMED(EBADF), NAMED(EAGAIN), NAMED(ENOMEM), NAMED(EACCES),
	NAMED(EFAULT), NAMED(EBUSY), NAMED(EEXIST), NAMED(ENODEV),
	NAMED(EINVAL), NAMED(ENFILE), NAMED(EMFILE), NAMED(ENOTTY),
	NAMED(ENOSPC), NAMED(ENOSYS), NAMED(EOVERFLOW), NAMED(ETIMEDOUT),
};

static const char *const op_names[MOCK_OP_COUNT] = {
	[MOCK_OP_OPEN] = "open",
	[MOCK_OP_CLOSE] = "close",
	[MOCK_OP_IOCTL] = "ioctl",
	[MOCK_OP_PREAD] = "pread",
	[MOCK_OP_PWRITE] = "pwrite",
	[MOCK_OP_MMAP] = "mmap",
	[MOCK_OP_MUNMAP] = "munmap",
	[MOCK_OP_EVENTFD] = "eventfd",
	[MOCK_OP_READ] = "read",
};

static int parse_op(const char *s, enum mock_op *op, unsigned long *request)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	*request = 0;
	for (int i = 0; i < MOCK_OP_COUNT; i++) {
		if (strlen(op_names[i]) != n || strncmp(s, op_names[i], n))
			continue;
		*op = (enum mock_op)i;
		if (!colon)
			return 0;
		if (*op != MOCK_OP_IOCTL)
			return -EINVAL;
		for (size_t j = 0; j < sizeof(ioctl_names) /
				       sizeof(ioctl_names[0]); j++) {
			if (!strcmp(colon + 1, ioctl_names[j].name)) {
				*request = ioctl_names[j].request;
				return 0;
			}
		}
		return -EINVAL;
	}
	return -EINVAL;
}

static int parse_errno(const char *s, int *err)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]);
	     i++) {
		if (!strcmp(s, errno_names[i].name)) {
			*err = errno_names[i].err;
			return 0;
		}
	}
	if (parse_u64(s, &v) < 0 || !v || v > 4095)
		return -EINVAL;
	*err = (int)v;
	return 0;
}

/* "OP:N:ERRNO", OP possibly "ioctl:NAME": split from the right. */
static int parse_fault(struct mock_vfio_config *cfg, char *val,
		       struct errmsg *err)
{
	char *e = strrchr(val, ':'), *n;
	struct mock_fault f = { 0 };
	uint64_t nth;

	if (!e)
		goto bad;
	*e++ = '\0';
	n = strrchr(val, ':');
	if (!n)
		goto bad;
	*n++ = '\0';
	if (parse_op(val, &f.op, &f.request) < 0 ||
	    parse_u64(n, &nth) < 0 || !nth || nth > UINT32_MAX ||
	    parse_errno(e, &f.err) < 0)
		goto bad;
	f.nth = (unsigned int)nth;
	if (cfg->num_faults >= MOCK_MAX_FAULTS)
		return errmsg_set(err, EINVAL,
				   "REVERE_SIM: more than %d fail= entries",
				   MOCK_MAX_FAULTS);
	cfg->faults[cfg->num_faults++] = f;
	return 0;
bad:
	errmsg_set(err, EINVAL, "REVERE_SIM: bad fail= value");
	errmsg_hint(err, "write fail=OP:N:ERRNO, e.g. fail=ioctl:VFIO_IOMMU_MAP_DMA:1:ENOMEM or fail=open:2:EACCES");
	return -EINVAL;
}

static int parse_item(struct mock_vfio_config *cfg, char *item,
		      struct errmsg *err)
{
	char *val = strchr(item, '=');

	if (!val)
		return errmsg_set(err, EINVAL,
				   "REVERE_SIM: '%s' is not key=value", item);
	*val++ = '\0';
	if (!strcmp(item, "fail"))
		return parse_fault(cfg, val, err);
	for (size_t i = 0; i < sizeof(sim_keys) / sizeof(sim_keys[0]); i++) {
		if (strcmp(item, sim_keys[i].name))
			continue;
		if (set_key(cfg, &sim_keys[i], val) < 0)
			return errmsg_set(err, EINVAL,
					   "REVERE_SIM: bad value '%s' for %s",
					   val, item);
		return 0;
	}
	errmsg_set(err, EINVAL, "REVERE_SIM: unknown key '%s'", item);
	errmsg_hint(err, "keys are the fields of struct mock_vfio_config and struct rv_model_params, vendor_id, device_id, fail=OP:N:ERRNO and report=1");
	return -EINVAL;
}

/* All or nothing: a bad item leaves cfg as it was. */
int mock_vfio_parse(struct mock_vfio_config *cfg, const char *spec,
		    struct errmsg *err)
{
	struct mock_vfio_config tmp = *cfg;
	char *copy, *item, *save = NULL;
	int ret = 0;

	if (!spec || !*spec)
		return 0;
	copy = strdup(spec);
	if (!copy)
		return errmsg_set_errno(err, ENOMEM, "REVERE_SIM");
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = parse_item(&tmp, item, err);
	free(copy);
	if (!ret)
		*cfg = tmp;
	return ret;
}
