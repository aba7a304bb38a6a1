// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock's container and group files and its type1 IOMMU, with the rules
 * of Linux's drivers/vfio/container.c, group.c and vfio_iommu_type1.c; and
 * the device's DMA through the attached container's mappings.
 *
 * A group joined to a container keeps the container (and its IOMMU and
 * mappings) alive after the container fd is closed; a device fd keeps its
 * group file in use. Detaching the last group from a container drops the
 * IOMMU and every DMA mapping with it.
 *
 * Where the mock knowingly differs from Linux: MAP_DMA/UNMAP_DMA with
 * FLAG_VADDR and UNMAP with GET_DIRTY_BITMAP are not emulated (EINVAL); no
 * IOVA ranges are reserved.
 */
#include "mock_vfio_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/vfio.h>

/* ---- the container and its type1 IOMMU ---- */

/* container.c: vfio_fops_open(). */
int mock_container_open(struct mock_vfio *m)
{
	struct mock_container *c = NULL;
	struct handle *h;

	for (unsigned int i = 0; i < MOCK_MAX_CONTAINERS && !c; i++)
		if (!m->c[i].used)
			c = &m->c[i];
	if (!c)
		return fail_errno(ENOMEM);
	h = mock_handle_new(m, H_CONTAINER);
	if (!h)
		return -1;
	*c = (struct mock_container){ .used = true, .refs = 1 };
	h->c = c;
	return h->fd;
}

void mock_container_put(struct mock_container *c)
{
	if (--c->refs == 0)
		*c = (struct mock_container){ 0 };
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
 * access (MOCK_DMA_READ/WRITE) matters to an IOAS only: type1 here keeps
 * no protections.
 */
static void *dma_translate(struct mock_vfio *m, uint64_t iova, size_t len,
			   unsigned int access)
{
	struct mock_container *c = m->gc;

	/* A device attached through its cdev: its IOAS translates. */
	if (m->hwpt_ioas)
		return mock_ioas_translate(m->hwpt_ioas, iova, len, access);
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

/* The model's DMA callbacks (struct rv_model_host). */
int mock_host_dma_read(void *host, uint64_t iova, void *buf, size_t len)
{
	void *p = dma_translate(host, iova, len, MOCK_DMA_READ);

	if (!p)
		return -1;
	dma_copy(buf, p, len);
	return 0;
}

int mock_host_dma_write(void *host, uint64_t iova, const void *buf,
			size_t len)
{
	void *p = dma_translate(host, iova, len, MOCK_DMA_WRITE);

	if (!p)
		return -1;
	dma_copy(p, buf, len);
	return 0;
}

/*
 * The model's direct access (struct rv_model_host.dma_ptr): the same
 * translation, for the model to move messages slot to slot in one pass
 * (a whole ring at a time). Used under the lock, like the callbacks above,
 * so no unmap can pull the memory away while the model holds the pointer.
 */
void *mock_host_dma_ptr(void *host, uint64_t iova, size_t len)
{
	return dma_translate(host, iova, len, MOCK_DMA_READ | MOCK_DMA_WRITE);
}

/* For tests: the device's DMA, under the lock. */
static int dma_locked(struct mock_vfio *m, uint64_t iova, void *buf,
		      size_t len, bool write)
{
	int ret;

	lock(m);
	if (write)
		ret = mock_host_dma_write(m, iova, buf, len);
	else
		ret = mock_host_dma_read(m, iova, buf, len);
	unlock(m);
	return ret;
}

int mock_vfio_dma_read(struct mock_vfio *m, uint64_t iova, void *buf,
		       size_t len)
{
	return dma_locked(m, iova, buf, len, false);
}

int mock_vfio_dma_write(struct mock_vfio *m, uint64_t iova, const void *buf,
			size_t len)
{
	return dma_locked(m, iova, (void *)buf, len, true);
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
int mock_container_ioctl(struct mock_vfio *m, struct mock_container *c,
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
	mock_container_put(c);
}

/* group.c: vfio_group_fops_open(). */
int mock_group_open(struct mock_vfio *m)
{
	struct handle *h;

	if (m->group_open)
		return fail_errno(EBUSY);	/* group.c: one open at a time */
	/* vfio_group_fops_open(): nor while the cdev has the device. */
	if (m->bound)
		return fail_errno(EBUSY);
	h = mock_handle_new(m, H_GROUP);
	if (!h)
		return -1;
	m->group_open = true;
	m->group_refs = 1;
	return h->fd;
}

void mock_group_put(struct mock_vfio *m)
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
	h = mock_handle_get(m, *arg);
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
	h = mock_handle_new(m, H_DEVICE);
	if (!h)
		return -1;
	/* The open device holds the group file, once for all its users. */
	if (m->dev_users++ == 0) {
		mock_device_open(m);
		m->group_refs++;
	}
	return h->fd;
}

int mock_group_ioctl(struct mock_vfio *m, unsigned long request, void *arg)
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

