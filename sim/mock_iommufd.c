// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock's iommufd: /dev/iommu with the rules of Linux 6.12's
 * drivers/iommu/iommufd/ (main.c, ioas.c, io_pagetable.c, device.c), and
 * the device's cdev, /dev/vfio/devices/vfioN, with those of
 * drivers/vfio/device_cdev.c, vfio_main.c, group.c and iommufd.c.
 *
 * A context (an open of /dev/iommu) holds objects by id, allocated lowest
 * first from 1 as xa_alloc() does: IOASes, and while the device is bound
 * to it the device object, and while that is attached to an IOAS the
 * HWPT made for it (iommufd_device_auto_get_domain()). An IOAS without
 * the HWPT is a software table: any alignment, the whole 64-bit space,
 * nothing pinned. With it, the IOAS takes the domain's page size as its
 * alignment, its aperture and the device's reserved region
 * (cfg.iova_aperture_last, cfg.iova_resv_start/len) as reserved IOVAs,
 * and its mappings are pinned against RLIMIT_MEMLOCK (cfg.memlock_limit,
 * shared with type1) from then until the HWPT goes.
 *
 * Lifetimes: the bound device holds its context, as iommufd_device_bind()
 * takes a reference on the file: closing /dev/iommu leaves the IOASes,
 * their mappings and the device's DMA as they are until the cdev is
 * closed too (and a BAR mapping holds the cdev open, as its file).
 *
 * Where the mock knowingly differs from Linux: IOMMU_IOAS_ALLOW_IOVAS,
 * IOAS_COPY, OPTION, VFIO_IOAS, HWPT_ALLOC and the other commands are not
 * emulated (ENOTTY), nor the VFIO container ioctls /dev/iommu answers for
 * compatibility; a context has at most MOCK_MAX_IOAS IOASes and an IOAS
 * MOCK_MAX_AREAS mappings (ENOMEM past them); the device's DMA must fall
 * inside one mapping, as with type1 here; the pinned bytes are the
 * mappings' lengths, not whole pages; a command's size field is trusted
 * (where the kernel would fault on memory that is not there, EFAULT, the
 * mock reads it).
 */
#include "mock_vfio_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>

#include "iommufd_uapi.h"

/* The kernel's PAGE_SIZE (x86): the IOVA allocator works in it. */
#define MOCK_PAGE_SIZE		4096ull

#define MAP_PROT	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_KNOWN	(IOMMU_IOAS_MAP_FIXED_IOVA | MAP_PROT)

struct iova_span {
	uint64_t start, last;		/* last inclusive */
};

/* ---- objects and their ids ---- */

static bool area_alive(const struct mock_area *a)
{
	return a->length != 0;
}

static uint64_t area_last(const struct mock_area *a)
{
	return a->iova + a->length - 1;
}

static bool id_used(const struct mock_vfio *m, const struct mock_ictx *x,
		    uint32_t id)
{
	for (unsigned int i = 0; i < MOCK_MAX_IOAS; i++)
		if (x->ioas[i].id == id)
			return true;
	return m->bound == x && (m->devid == id || m->hwpt_id == id);
}

/* xa_alloc() with XA_FLAGS_ALLOC1: the lowest free id from 1. */
static uint32_t id_alloc(const struct mock_vfio *m, const struct mock_ictx *x)
{
	uint32_t id = 1;

	while (id_used(m, x, id))
		id++;
	return id;
}

/* iommufd_get_ioas(): ENOENT for no object, or one of another type. */
static struct mock_ioas *ioas_get(struct mock_ictx *x, uint32_t id)
{
	if (!id)
		return NULL;
	for (unsigned int i = 0; i < MOCK_MAX_IOAS; i++)
		if (x->ioas[i].id == id)
			return &x->ioas[i];
	return NULL;
}

/* ---- pinning (iopt_area_fill_domains(), RLIMIT_MEMLOCK) ---- */

/*
 * The kernel pins the pages behind the mapping: they must exist, and fit
 * the memlock limit (incr_user_locked_vm() gives ENOMEM past it).
 * madvise() fails with ENOMEM on a range with a hole, and changes nothing
 * with MADV_NORMAL.
 */
static int pin(struct mock_vfio *m, uint64_t uva, uint64_t length)
{
	if (m->pinned + length > m->cfg.memlock_limit ||
	    m->pinned + length < m->pinned)
		return ENOMEM;
	if (madvise((void *)(uintptr_t)uva, length, MADV_NORMAL))
		return EFAULT;
	m->pinned += length;
	return 0;
}

static void unpin_all(struct mock_vfio *m, const struct mock_ioas *ioas)
{
	for (unsigned int i = 0; i < MOCK_MAX_AREAS; i++)
		m->pinned -= ioas->area[i].length;
}

/* iopt_fill_domain(): all or nothing. */
static int pin_all(struct mock_vfio *m, const struct mock_ioas *ioas)
{
	uint64_t before = m->pinned;

	for (unsigned int i = 0; i < MOCK_MAX_AREAS; i++) {
		const struct mock_area *a = &ioas->area[i];
		int err;

		if (!area_alive(a))
			continue;
		err = pin(m, a->uva, a->length);
		if (err) {
			m->pinned = before;
			return err;
		}
	}
	return 0;
}

/* ---- the IOAS's IOVA space ---- */

/*
 * iopt->iova_alignment: 1 for a software table (iopt_init_table()), the
 * domain's smallest page once one is added (iopt_table_add_domain()).
 */
static uint64_t ioas_alignment(const struct mock_vfio *m,
			       const struct mock_ioas *ioas)
{
	uint64_t pg = m->cfg.iova_pgsizes & -m->cfg.iova_pgsizes;

	return ioas->domain && pg ? pg : 1;
}

/*
 * The reserved IOVAs a domain brings, by start: above its aperture
 * (iopt_table_add_domain()) and the device's reserved region
 * (iopt_table_enforce_dev_resv_regions()). Returns how many.
 */
static unsigned int ioas_reserved(const struct mock_vfio *m,
				  const struct mock_ioas *ioas,
				  struct iova_span r[2])
{
	const struct mock_vfio_config *c = &m->cfg;
	unsigned int n = 0;

	if (!ioas->domain)
		return 0;
	if (c->iova_resv_len)
		r[n++] = (struct iova_span){
			.start = c->iova_resv_start,
			.last = c->iova_resv_start + (c->iova_resv_len - 1),
		};
	if (c->iova_aperture_last != UINT64_MAX)
		r[n++] = (struct iova_span){
			.start = c->iova_aperture_last + 1, .last = UINT64_MAX,
		};
	if (n == 2 && r[1].start < r[0].start) {
		struct iova_span t = r[0];

		r[0] = r[1];
		r[1] = t;
	}
	return n;
}

static bool spans_meet(uint64_t a, uint64_t alast, uint64_t b, uint64_t blast)
{
	return a <= blast && b <= alast;
}

static const struct mock_area *area_hit(const struct mock_ioas *ioas,
					uint64_t iova, uint64_t last)
{
	for (unsigned int i = 0; i < MOCK_MAX_AREAS; i++) {
		const struct mock_area *a = &ioas->area[i];

		if (area_alive(a) && spans_meet(a->iova, area_last(a), iova,
						last))
			return a;
	}
	return NULL;
}

static const struct iova_span *resv_hit(const struct iova_span *r,
					unsigned int n, uint64_t iova,
					uint64_t last)
{
	for (unsigned int i = 0; i < n; i++)
		if (spans_meet(r[i].start, r[i].last, iova, last))
			return &r[i];
	return NULL;
}

/*
 * The allowed ranges IOMMU_IOAS_IOVA_RANGES reports: the holes between
 * the reserved spans (iommufd_ioas_iova_ranges()). Returns how many;
 * fills out up to max.
 */
static unsigned int ioas_holes(const struct mock_vfio *m,
			       const struct mock_ioas *ioas,
			       struct iommu_iova_range *out, unsigned int max)
{
	struct iova_span r[2];
	unsigned int nr = ioas_reserved(m, ioas, r), n = 0;
	uint64_t cur = 0;
	bool done = false;

	for (unsigned int i = 0; i < nr && !done; i++) {
		if (r[i].start > cur) {
			if (n < max)
				out[n] = (struct iommu_iova_range){
					.start = cur, .last = r[i].start - 1,
				};
			n++;
		}
		if (r[i].last == UINT64_MAX)
			done = true;
		else if (r[i].last + 1 > cur)
			cur = r[i].last + 1;
	}
	if (!done) {
		if (n < max)
			out[n] = (struct iommu_iova_range){
				.start = cur, .last = UINT64_MAX,
			};
		n++;
	}
	return n;
}

static uint64_t pow2_roundup(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/*
 * io_pagetable.c: iopt_alloc_iova(). First fit from PAGE_SIZE, never 0,
 * aligned to the length's power of two (capped by the user address's
 * own alignment, so huge pages stay possible) and keeping the address's
 * offset in its page; not over a reserved span nor a mapping.
 */
static int alloc_iova(const struct mock_vfio *m, const struct mock_ioas *ioas,
		      uint64_t uva, uint64_t length, uint64_t *iova)
{
	const uint64_t limit = ULONG_MAX - MOCK_PAGE_SIZE;
	uint64_t page_offset = uva % MOCK_PAGE_SIZE, align, cand;
	struct iova_span r[2];
	unsigned int nr = ioas_reserved(m, ioas, r);

	if (!length || length >= ULONG_MAX / 2)
		return EOVERFLOW;
	align = pow2_roundup(length);
	if (uva && (uva & -uva) < align)
		align = uva & -uva;
	if (align < ioas_alignment(m, ioas))
		return EINVAL;
	for (cand = MOCK_PAGE_SIZE;;) {
		uint64_t start = ((cand + align - 1) & ~(align - 1)) |
				 page_offset, last;
		const struct mock_area *a;
		const struct iova_span *s;

		if (start < cand || start > limit ||
		    length - 1 > limit - start)
			return ENOSPC;
		last = start + length - 1;
		a = area_hit(ioas, start, last);
		s = resv_hit(r, nr, start, last);
		if (!a && !s) {
			*iova = start;
			return 0;
		}
		cand = a ? area_last(a) : s->last;
		if (s && s->last > cand)
			cand = s->last;
		if (cand >= limit)
			return ENOSPC;
		cand++;
	}
}

/* io_pagetable.c: iopt_check_iova(), for IOMMU_IOAS_MAP_FIXED_IOVA. */
static int check_iova(const struct mock_vfio *m, const struct mock_ioas *ioas,
		      uint64_t iova, uint64_t length)
{
	struct iova_span r[2];
	unsigned int nr = ioas_reserved(m, ioas, r);
	uint64_t last;

	if (iova & (ioas_alignment(m, ioas) - 1))
		return EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return EOVERFLOW;
	if (resv_hit(r, nr, iova, last))
		return EINVAL;
	if (area_hit(ioas, iova, last))
		return EEXIST;
	return 0;
}

/* ---- the model's DMA through the IOAS ---- */

void *mock_ioas_translate(const struct mock_ioas *ioas, uint64_t iova,
			  size_t len, unsigned int access)
{
	uint32_t need = (access & MOCK_DMA_READ ? IOMMU_IOAS_MAP_READABLE : 0) |
			(access & MOCK_DMA_WRITE ? IOMMU_IOAS_MAP_WRITEABLE : 0);

	if (!len)
		return NULL;
	for (unsigned int i = 0; i < MOCK_MAX_AREAS; i++) {
		const struct mock_area *a = &ioas->area[i];

		if (area_alive(a) && iova >= a->iova && len <= a->length &&
		    iova - a->iova <= a->length - len &&
		    (a->flags & need) == need)
			return (void *)(uintptr_t)(a->uva + (iova - a->iova));
	}
	return NULL;
}

/* ---- the commands ---- */

static int ioas_alloc(struct mock_vfio *m, struct mock_ictx *x, void *arg)
{
	struct iommu_ioas_alloc *cmd = arg;
	struct mock_ioas *ioas = NULL;

	if (cmd->flags)
		return EOPNOTSUPP;
	for (unsigned int i = 0; i < MOCK_MAX_IOAS && !ioas; i++)
		if (!x->ioas[i].id)
			ioas = &x->ioas[i];
	if (!ioas)
		return ENOMEM;
	*ioas = (struct mock_ioas){ .id = id_alloc(m, x) };
	cmd->out_ioas_id = ioas->id;
	return 0;
}

/* ioas.c: iommufd_ioas_iova_ranges(). */
static int ioas_iova_ranges(struct mock_vfio *m, struct mock_ictx *x,
			    void *arg)
{
	struct iommu_ioas_iova_ranges *cmd = arg;
	struct iommu_iova_range *out =
		(struct iommu_iova_range *)(uintptr_t)cmd->allowed_iovas;
	struct mock_ioas *ioas;
	uint32_t max = cmd->num_iovas;

	if (cmd->__reserved)
		return EOPNOTSUPP;
	ioas = ioas_get(x, cmd->ioas_id);
	if (!ioas)
		return ENOENT;
	if (max && !out)
		return EFAULT;
	cmd->num_iovas = ioas_holes(m, ioas, out, max);
	cmd->out_iova_alignment = ioas_alignment(m, ioas);
	/* The count goes back to the caller with the error. */
	return cmd->num_iovas > max ? -EMSGSIZE : 0;
}

/* ioas.c: iommufd_ioas_map(), io_pagetable.c: iopt_map_user_pages(). */
static int ioas_map(struct mock_vfio *m, struct mock_ictx *x, void *arg)
{
	struct iommu_ioas_map *cmd = arg;
	struct mock_area *slot = NULL;
	struct mock_ioas *ioas;
	uint64_t iova = cmd->iova, align, end;
	int err;

	if (cmd->flags & ~MAP_KNOWN || cmd->__reserved)
		return EOPNOTSUPP;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
		return EOVERFLOW;
	if (!(cmd->flags & MAP_PROT))
		return EINVAL;
	ioas = ioas_get(x, cmd->ioas_id);
	if (!ioas)
		return ENOENT;
	/* iopt_alloc_pages() */
	if (!cmd->length || cmd->length > SIZE_MAX - MOCK_PAGE_SIZE)
		return EINVAL;
	if (__builtin_add_overflow(cmd->user_va, cmd->length, &end))
		return EOVERFLOW;
	/* iopt_alloc_area_pages() */
	align = ioas_alignment(m, ioas);
	if (cmd->length & (align - 1))
		return EINVAL;
	if (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		err = check_iova(m, ioas, iova, cmd->length);
	else
		err = alloc_iova(m, ioas, cmd->user_va, cmd->length, &iova);
	if (err)
		return err;
	/* iopt_insert_area(): the page offset must keep the alignment. */
	if ((cmd->user_va % MOCK_PAGE_SIZE) & (align - 1))
		return EINVAL;
	for (unsigned int i = 0; i < MOCK_MAX_AREAS && !slot; i++)
		if (!area_alive(&ioas->area[i]))
			slot = &ioas->area[i];
	if (!slot)
		return ENOMEM;
	if (ioas->domain) {
		err = pin(m, cmd->user_va, cmd->length);
		if (err)
			return err;
	}
	*slot = (struct mock_area){
		.iova = iova, .length = cmd->length, .uva = cmd->user_va,
		.flags = cmd->flags & MAP_PROT,
	};
	cmd->iova = iova;
	return 0;
}

static void area_remove(struct mock_vfio *m, struct mock_ioas *ioas,
			struct mock_area *a)
{
	if (ioas->domain)
		m->pinned -= a->length;
	*a = (struct mock_area){ 0 };
}

static struct mock_area *area_lowest(struct mock_ioas *ioas, uint64_t start,
				     uint64_t last)
{
	struct mock_area *low = NULL;

	for (unsigned int i = 0; i < MOCK_MAX_AREAS; i++) {
		struct mock_area *a = &ioas->area[i];

		if (area_alive(a) && spans_meet(a->iova, area_last(a), start,
						last) &&
		    (!low || a->iova < low->iova))
			low = a;
	}
	return low;
}

/*
 * io_pagetable.c: iopt_unmap_iova_range(). Mappings go in IOVA order; one
 * that sticks out of [start, last] stops it with ENOENT, and those before
 * it stay unmapped. Nothing there is ENOENT too.
 */
static int unmap_range(struct mock_vfio *m, struct mock_ioas *ioas,
		       uint64_t start, uint64_t last, uint64_t *unmapped)
{
	struct mock_area *a;

	*unmapped = 0;
	while ((a = area_lowest(ioas, start, last))) {
		if (a->iova < start || area_last(a) > last)
			return ENOENT;
		*unmapped += a->length;
		area_remove(m, ioas, a);
	}
	return *unmapped ? 0 : ENOENT;
}

/* ioas.c: iommufd_ioas_unmap(). */
static int ioas_unmap(struct mock_vfio *m, struct mock_ictx *x, void *arg)
{
	struct iommu_ioas_unmap *cmd = arg;
	struct mock_ioas *ioas = ioas_get(x, cmd->ioas_id);
	uint64_t last, unmapped;
	int err;

	if (!ioas)
		return ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		/* iopt_unmap_all(): an empty IOAS is no error. */
		err = unmap_range(m, ioas, 0, UINT64_MAX, &unmapped);
		if (err == ENOENT)
			err = 0;
	} else {
		if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
			return EOVERFLOW;
		if (!cmd->length)
			return EINVAL;
		if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last))
			return EOVERFLOW;
		err = unmap_range(m, ioas, cmd->iova, last, &unmapped);
	}
	if (err)
		return err;
	cmd->length = unmapped;
	return 0;
}

static void ioas_free(struct mock_vfio *m, struct mock_ioas *ioas)
{
	for (unsigned int i = 0; i < MOCK_MAX_AREAS; i++)
		if (area_alive(&ioas->area[i]))
			area_remove(m, ioas, &ioas->area[i]);
	*ioas = (struct mock_ioas){ .id = 0 };
}

/*
 * main.c: iommufd_destroy() through iommufd_object_remove(). An object
 * someone else holds is EBUSY: the IOAS under the device's HWPT, that
 * HWPT (the device holds it), the device object (its driver holds it
 * until unbind).
 */
static int destroy(struct mock_vfio *m, struct mock_ictx *x, void *arg)
{
	struct iommu_destroy *cmd = arg;
	struct mock_ioas *ioas = ioas_get(x, cmd->id);

	if (ioas) {
		if (ioas->domain)
			return EBUSY;
		ioas_free(m, ioas);
		return 0;
	}
	if (cmd->id && m->bound == x &&
	    (cmd->id == m->devid || cmd->id == m->hwpt_id))
		return EBUSY;
	return ENOENT;
}

/* ---- /dev/iommu: the file and its ioctl ---- */

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_unmap unmap;
};

/*
 * An answer is a positive errno, 0, or a negative errno when the command
 * still goes back to the caller (EMSGSIZE with the count).
 */
struct ucmd_op {
	unsigned long request;
	size_t size, min_size;
	int (*execute)(struct mock_vfio *m, struct mock_ictx *x, void *cmd);
};

#define UCMD_OP(_req, _fn, _struct, _last) {				\
		.request = _req, .size = sizeof(struct _struct),	\
		.min_size = offsetofend(struct _struct, _last),		\
		.execute = _fn,						\
	}

static const struct ucmd_op ucmd_ops[] = {
	UCMD_OP(IOMMU_DESTROY, destroy, iommu_destroy, id),
	UCMD_OP(IOMMU_IOAS_ALLOC, ioas_alloc, iommu_ioas_alloc, out_ioas_id),
	UCMD_OP(IOMMU_IOAS_IOVA_RANGES, ioas_iova_ranges,
		iommu_ioas_iova_ranges, out_iova_alignment),
	UCMD_OP(IOMMU_IOAS_MAP, ioas_map, iommu_ioas_map, iova),
	UCMD_OP(IOMMU_IOAS_UNMAP, ioas_unmap, iommu_ioas_unmap, length),
};

/*
 * copy_struct_from_user(): a caller's struct longer than the kernel's is
 * fine if the extra bytes are zero (E2BIG if not); a shorter one is
 * zero-extended.
 */
static int ucmd_copy_in(union ucmd_buffer *buf, const struct ucmd_op *op,
			const void *arg, uint32_t user_size)
{
	const uint8_t *u = arg;

	memset(buf, 0, sizeof(*buf));
	memcpy(buf, u, user_size < op->size ? user_size : op->size);
	for (size_t i = op->size; i < user_size; i++)
		if (u[i])
			return E2BIG;
	return 0;
}

/* main.c: iommufd_fops_ioctl() and iommufd_ucmd_respond(). */
int mock_iommufd_ioctl(struct mock_vfio *m, struct mock_ictx *x,
		       unsigned long request, void *arg)
{
	const struct ucmd_op *op = NULL;
	union ucmd_buffer buf;
	uint32_t user_size;
	int ret;

	for (size_t i = 0; i < sizeof(ucmd_ops) / sizeof(ucmd_ops[0]); i++)
		if (ucmd_ops[i].request == request)
			op = &ucmd_ops[i];
	if (!op)
		return fail_errno(ENOTTY);
	if (!arg)
		return fail_errno(EFAULT);
	memcpy(&user_size, arg, sizeof(user_size));
	if (user_size < op->min_size)
		return fail_errno(EINVAL);
	ret = ucmd_copy_in(&buf, op, arg, user_size);
	if (ret)
		return fail_errno(ret);
	ret = op->execute(m, x, &buf);
	if (ret > 0)
		return fail_errno(ret);
	memcpy(arg, &buf, user_size < op->size ? user_size : op->size);
	return ret ? fail_errno(-ret) : 0;
}

/* main.c: iommufd_fops_open(). */
int mock_iommufd_open(struct mock_vfio *m)
{
	struct mock_ictx *x = NULL;
	struct handle *h;

	for (unsigned int i = 0; i < MOCK_MAX_ICTX && !x; i++)
		if (!m->ictx[i].used)
			x = &m->ictx[i];
	if (!x)
		return fail_errno(ENOMEM);
	h = mock_handle_new(m, H_IOMMUFD);
	if (!h)
		return -1;
	*x = (struct mock_ictx){ .used = true, .refs = 1 };
	h->ictx = x;
	return h->fd;
}

/*
 * main.c: iommufd_fops_release(), once the last reference goes: every
 * object is destroyed, the IOASes with their mappings.
 */
void mock_iommufd_put(struct mock_vfio *m, struct mock_ictx *x)
{
	if (--x->refs)
		return;
	for (unsigned int i = 0; i < MOCK_MAX_IOAS; i++)
		if (x->ioas[i].id)
			ioas_free(m, &x->ioas[i]);
	*x = (struct mock_ictx){ .used = false };
}

/* ---- the device cdev: attach and detach ---- */

/*
 * io_pagetable.c: iopt_table_enforce_dev_resv_regions() and
 * iopt_table_add_domain(): no mapping may sit in what the domain reserves
 * or be misaligned for its pages (EADDRINUSE); then iopt_fill_domain()
 * pins them all.
 */
static int domain_add(struct mock_vfio *m, struct mock_ioas *ioas)
{
	struct iova_span r[2];
	unsigned int nr;
	uint64_t align;
	int err;

	/* As if added: its reserved spans and alignment, to check against. */
	ioas->domain = true;
	nr = ioas_reserved(m, ioas, r);
	align = ioas_alignment(m, ioas);
	err = 0;
	for (unsigned int i = 0; i < MOCK_MAX_AREAS && !err; i++) {
		const struct mock_area *a = &ioas->area[i];

		if (!area_alive(a))
			continue;
		if (resv_hit(r, nr, a->iova, area_last(a)) ||
		    (a->iova | a->length | (a->uva % MOCK_PAGE_SIZE)) &
		    (align - 1))
			err = EADDRINUSE;
	}
	if (!err)
		err = pin_all(m, ioas);
	if (err)
		ioas->domain = false;
	return err;
}

/* iommufd_hw_pagetable_detach() and the automatic HWPT's destruction. */
static void hwpt_detach(struct mock_vfio *m)
{
	struct mock_ioas *ioas = m->hwpt_ioas;

	if (!ioas)
		return;
	unpin_all(m, ioas);
	ioas->domain = false;
	m->hwpt_ioas = NULL;
	m->hwpt_id = 0;
}

/*
 * device.c: iommufd_device_change_pt() with an IOAS: attach, or replace
 * an attachment (vfio_iommufd_physical_attach_ioas()). The same IOAS keeps
 * its HWPT; another gets a new one, and the old one goes.
 */
static int attach_ioas(struct mock_vfio *m, struct mock_ioas *ioas,
		       uint32_t *pt_id)
{
	struct mock_ioas *old = m->hwpt_ioas;
	uint32_t id;
	int err;

	if (old == ioas) {
		*pt_id = m->hwpt_id;
		return 0;
	}
	err = domain_add(m, ioas);
	if (err)
		return err;
	id = id_alloc(m, m->bound);
	if (old) {
		unpin_all(m, old);
		old->domain = false;
	}
	m->hwpt_ioas = ioas;
	m->hwpt_id = id;
	*pt_id = id;
	return 0;
}

/* device_cdev.c: vfio_df_ioctl_attach_pt(), 6.12's (no PASID). */
static int cdev_attach(struct mock_vfio *m, void *arg)
{
	struct vfio_device_attach_iommufd_pt *at = arg;
	struct mock_ioas *ioas;

	if (!at)
		return fail_errno(EFAULT);
	if (at->argsz < offsetofend(struct vfio_device_attach_iommufd_pt,
				    pt_id) || at->flags)
		return fail_errno(EINVAL);
	ioas = ioas_get(m->bound, at->pt_id);
	if (ioas) {
		int err = attach_ioas(m, ioas, &at->pt_id);

		return err ? fail_errno(err) : 0;
	}
	/* Its own HWPT: already attached there. */
	if (at->pt_id && at->pt_id == m->hwpt_id)
		return 0;
	/* Any other object is no page table. */
	if (at->pt_id && at->pt_id == m->devid)
		return fail_errno(EINVAL);
	return fail_errno(ENOENT);
}

/*
 * device_cdev.c: vfio_df_ioctl_detach_pt(); detaching what is not
 * attached does nothing (vfio_iommufd_physical_detach_ioas()).
 */
static int cdev_detach(struct mock_vfio *m, void *arg)
{
	struct vfio_device_detach_iommufd_pt *dt = arg;

	if (!dt)
		return fail_errno(EFAULT);
	if (dt->argsz < offsetofend(struct vfio_device_detach_iommufd_pt,
				    flags) || dt->flags)
		return fail_errno(EINVAL);
	hwpt_detach(m);
	return 0;
}

/* ---- the device cdev: open, bind, release ---- */

/*
 * device_cdev.c: vfio_device_fops_cdev_open(). Any number of opens: the
 * device is only taken at bind.
 */
int mock_cdev_open(struct mock_vfio *m)
{
	struct handle *h = mock_handle_new(m, H_CDEV);

	return h ? h->fd : -1;
}

/*
 * iommufd_ctx_from_fd(): EBADF for no file, EBADFD for a file that is not
 * /dev/iommu.
 */
static int ictx_from_fd(struct mock_vfio *m, int fd, struct mock_ictx **x)
{
	struct handle *h = mock_handle_get(m, fd);

	if (fcntl(fd, F_GETFD) < 0)
		return EBADF;
	if (!h || h->type != H_IOMMUFD)
		return EBADFD;
	*x = h->ictx;
	return 0;
}

/*
 * device_cdev.c: vfio_df_ioctl_bind_iommufd(). h is NULL for a device fd
 * from the group, which may not bind. The order of the refusals is the
 * kernel's: the group open (vfio_device_block_group(), EBUSY), this fd
 * bound already (EINVAL), the iommufd, the device open through another
 * fd (vfio_df_open(): the cdev path opens it once, EINVAL), then a group
 * that is not viable: iommufd_device_bind() claims the device's DMA with
 * iommu_device_claim_dma_owner(), and a group whose other device is on a
 * host driver is owned already (owner_cnt from the DMA API, another
 * owner): EPERM. The group path reads VFIO_GROUP_FLAGS_VIABLE first; the
 * device file has only this answer.
 */
int mock_cdev_bind(struct mock_vfio *m, struct handle *h, void *arg)
{
	struct vfio_device_bind_iommufd *b = arg;
	struct mock_ictx *x;
	int err;

	if (!b)
		return fail_errno(EFAULT);
	if (b->argsz < offsetofend(struct vfio_device_bind_iommufd, out_devid) ||
	    b->flags || b->iommufd < 0 || !h)
		return fail_errno(EINVAL);
	if (m->group_open)
		return fail_errno(EBUSY);
	if (h->bound)
		return fail_errno(EINVAL);
	err = ictx_from_fd(m, b->iommufd, &x);
	if (err)
		return fail_errno(err);
	if (m->bound || m->dev_users)
		return fail_errno(EINVAL);
	if (!m->cfg.group_viable)
		return fail_errno(EPERM);
	/* iommufd_device_bind(): the device object, a reference on x. */
	x->refs++;
	m->bound = x;
	m->devid = id_alloc(m, x);
	h->bound = true;
	if (m->dev_users++ == 0)
		mock_device_open(m);
	b->out_devid = m->devid;
	return 0;
}

/*
 * vfio_iommufd_physical_unbind() as the device closes (mock_device_put(),
 * after vfio-pci let go of the interrupts): detach, drop the device
 * object and the reference on its context, unblock the group.
 */
void mock_cdev_unbind(struct mock_vfio *m)
{
	struct mock_ictx *x = m->bound;

	if (!x)
		return;
	hwpt_detach(m);
	m->bound = NULL;
	m->devid = 0;
	mock_iommufd_put(m, x);
}

/* vfio_device_fops_release() -> vfio_df_unbind_iommufd(). */
void mock_cdev_release(struct mock_vfio *m, struct handle *h)
{
	if (h->bound)
		mock_device_put(m);
}

/*
 * vfio_main.c: vfio_device_fops_unl_ioctl(): BIND first; nothing else
 * before it (EINVAL); then the cdev's own ioctls, then vfio-pci's.
 */
int mock_cdev_ioctl(struct mock_vfio *m, struct handle *h,
		    unsigned long request, void *arg)
{
	if (request == VFIO_DEVICE_BIND_IOMMUFD)
		return mock_cdev_bind(m, h, arg);
	if (!h->bound)
		return fail_errno(EINVAL);
	if (request == VFIO_DEVICE_ATTACH_IOMMUFD_PT)
		return cdev_attach(m, arg);
	if (request == VFIO_DEVICE_DETACH_IOMMUFD_PT)
		return cdev_detach(m, arg);
	return mock_device_ioctl(m, request, arg);
}

/* ---- counters ---- */

void mock_iommufd_count(const struct mock_vfio *m, unsigned int *mappings,
			uint64_t *bytes)
{
	*mappings = 0;
	*bytes = 0;
	for (unsigned int i = 0; i < MOCK_MAX_ICTX; i++) {
		if (!m->ictx[i].used)
			continue;
		for (unsigned int j = 0; j < MOCK_MAX_IOAS; j++) {
			const struct mock_ioas *ioas = &m->ictx[i].ioas[j];

			for (unsigned int k = 0; k < MOCK_MAX_AREAS; k++) {
				*mappings += area_alive(&ioas->area[k]);
				*bytes += ioas->area[k].length;
			}
		}
	}
}
