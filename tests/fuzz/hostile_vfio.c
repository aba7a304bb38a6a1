// SPDX-License-Identifier: BSD-3-Clause
/*
 * The hostile device of the fuzzer (see hostile_vfio.h): the mock VFIO
 * kernel's answers, perturbed by a script, and the oracles that watch what
 * the driver does with them.
 */
#include "hostile_vfio.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "oracle.h"
#include "revere.h"

/* ---- the script ---- */

static bool take(struct hostile_vfio *h, void *buf, size_t n)
{
	if (h->script_len - h->pos < n) {
		h->script_done = true;
		return false;
	}
	memcpy(buf, h->script + h->pos, n);
	h->pos += n;
	return true;
}

/* Schedule the next record: it applies after its count of reads pass. */
static void schedule(struct hostile_vfio *h)
{
	uint8_t skip[2];

	if (take(h, skip, sizeof(skip)))
		h->next_event = h->reads + 1 + (skip[0] | (uint64_t)skip[1] << 8);
}

/* ---- what the driver mapped ---- */

/* The host address of [iova, iova + len) if the mapping covers it. */
static uint8_t *dma_ptr(const struct hostile_vfio *h, uint64_t iova,
			uint64_t len)
{
	if (!h->dma_size || iova < h->dma_iova || len > h->dma_size ||
	    iova - h->dma_iova > h->dma_size - len)
		return NULL;
	return h->dma_vaddr + (iova - h->dma_iova);
}

static uint64_t ring_bytes(const struct hostile_ring *r)
{
	return (uint64_t)r->slot_size << r->log2_size;
}

/* The device will DMA to and from the whole ring: it must be mapped. */
static void check_ring_mapped(const struct hostile_vfio *h,
			      const char *name, uint64_t iova, uint64_t bytes)
{
	if (!dma_ptr(h, iova, bytes))
		oracle_fail("%s at IOVA 0x%" PRIx64 ", %" PRIu64 " bytes, is outside the DMA mapping (0x%" PRIx64 ", %" PRIu64 " bytes)",
			     name, iova, bytes, h->dma_iova, h->dma_size);
}

/* ---- perturbations ---- */

static void poke(struct hostile_vfio *h)
{
	static const int rings[] = { H_RSP, H_EXC, H_RX };
	uint8_t a[5];
	const struct hostile_ring *r;
	uint64_t slot, off;
	uint8_t *p;

	if (!take(h, a, sizeof(a)))
		return;
	r = &h->ring[rings[a[0] % 3]];
	if (!r->known)
		return;
	slot = a[1] & ((1ull << r->log2_size) - 1);
	off = (a[2] | (uint64_t)a[3] << 8) % r->slot_size;
	p = dma_ptr(h, r->iova + slot * r->slot_size + off, 1);
	if (p)
		*p = a[4];
}

/* Apply the record due at this read; returns how to change the value. */
static void event(struct hostile_vfio *h, bool *eio, bool *replace,
		  uint64_t *val, int64_t *nudge)
{
	uint8_t op, arg[8];

	if (!take(h, &op, 1))
		return;
	switch (op % HOSTILE_OP_COUNT) {
	case HOSTILE_VALUE:
		if (take(h, arg, 8)) {
			memcpy(val, arg, 8);
			*val = le64toh(*val);
			*replace = true;
		}
		break;
	case HOSTILE_NUDGE:
		if (take(h, arg, 1))
			*nudge = (int8_t)arg[0];
		break;
	case HOSTILE_POKE:
		poke(h);
		break;
	case HOSTILE_EIO:
		*eio = true;
		break;
	case HOSTILE_DEAF:
		h->deaf = true;
		break;
	case HOSTILE_GONE:
		h->deaf = h->gone = true;
		break;
	case HOSTILE_SIGNAL:
		if (h->stop)
			*h->stop = 1;
		break;
	}
	schedule(h);
}

/* ---- the watcher ---- */

static void check_access(struct hostile_vfio *h, uint64_t reg, size_t count,
			 bool write)
{
	enum rv_reg_owner owner = rv_model_reg_owner(&h->regmap, reg);

	if (count != 8 || reg % 8 || reg > h->bar0_size - 8)
		oracle_fail("BAR0 %s of %zu bytes at 0x%" PRIx64 ": registers are aligned 64-bit words inside %" PRIu64 " bytes",
			     write ? "write" : "read", count, reg, h->bar0_size);
	if (owner == RV_REG_NONE)
		oracle_fail("BAR0 %s at 0x%" PRIx64 ": no register there (spec 3, 4)",
			     write ? "write" : "read", reg);
	if (write && owner != RV_REG_SW)
		oracle_fail("BAR0 write of a device-owned register at 0x%" PRIx64, reg);
}

static void note_reported(struct hostile_vfio *h, uint64_t reg, uint64_t val)
{
	for (int i = 0; i < H_RINGS; i++) {
		if (h->ring[i].dev_reg != reg)
			continue;
		h->ring[i].reported = val;
		h->ring[i].reported_seen = true;
	}
}

static void learn_command(struct hostile_vfio *h, const uint8_t *c)
{
	struct hostile_ring *r;
	uint64_t base, log2_size, bytes;

	switch (rv_msg_get(c, RV_MSG_OPCODE)) {
	case RV_OP_PF_ASN_CREATE:
		if (rv_msg_get(c, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH) > h->msg_log2)
			h->msg_log2 = (unsigned int)rv_msg_get(c, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH);
		return;
	case RV_OP_F_AMS_RING_CONFIGURE:
		break;
	default:
		return;
	}
	base = rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR);
	log2_size = rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE);
	bytes = RV_MSG_BYTES(h->msg_log2) << log2_size;
	check_ring_mapped(h, "F-AMS-RING-CONFIGURE ring", base, bytes);
	if (rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID) != 0 ||
	    rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID) != 0)
		return;
	r = &h->ring[rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE) ==
		     RV_AMS_TYPE_TX ? H_TX : H_RX];
	r->iova = base;
	r->log2_size = (unsigned int)log2_size;
	r->slot_size = (uint32_t)RV_MSG_BYTES(h->msg_log2);
	r->known = true;
}

/* The management sockets: set up, and inside the mapping (spec 8.2). */
static void check_sockets(const struct hostile_vfio *h, const char *when)
{
	for (int i = H_CMD; i <= H_EXC; i++) {
		if (!h->ring[i].known)
			oracle_fail("%s before the %s was set up", when,
				    h->ring[i].name);
		check_ring_mapped(h, h->ring[i].name, h->ring[i].iova,
				  ring_bytes(&h->ring[i]));
	}
}

/* The command doorbell: learn what the new commands tell the device. */
static void learn_commands(struct hostile_vfio *h, uint64_t prod)
{
	struct hostile_ring *cmd = &h->ring[H_CMD];

	check_sockets(h, "a command doorbell");
	if (prod - cmd->doorbell > (1ull << cmd->log2_size))
		return;		/* a fresh start: nothing to learn */
	for (uint64_t i = cmd->doorbell; i != prod; i++) {
		uint64_t slot = i & ((1ull << cmd->log2_size) - 1);

		learn_command(h, dma_ptr(h, cmd->iova + slot * cmd->slot_size,
					 RV_MSG_SIZE));
	}
}

/* spec 8.1: a producer at most a ring ahead, a consumer never past. */
static void check_index(const struct hostile_ring *r, uint64_t val)
{
	if (!r->reported_seen || !r->known)
		return;
	if (r->sw_produces && val - r->reported > (1ull << r->log2_size))
		oracle_fail("%s: write index %" PRIu64 " is more than %u slots ahead of the read index %" PRIu64 " the device reported",
			     r->name, val, 1u << r->log2_size, r->reported);
	if (!r->sw_produces && (int64_t)(r->reported - val) < 0)
		oracle_fail("%s: read index %" PRIu64 " passes the write index %" PRIu64 " the device reported",
			     r->name, val, r->reported);
}

static void watch_socket(struct hostile_vfio *h, uint64_t reg, uint64_t val)
{
	for (unsigned int k = 0; k < RV_MSK_COUNT; k++) {
		struct hostile_ring *r = &h->ring[k];

		if (reg == RV_MSK_BASE_PTR(k)) {
			r->iova = val;
		} else if (reg == RV_MSK_CTRL(k)) {
			r->log2_size = (unsigned int)RV_FIELD_GET(RV_MSK_CTRL_LOG2_SIZE, val);
			r->slot_size = (uint32_t)RV_MSG_BYTES(RV_FIELD_GET(RV_MSK_CTRL_LOG2_MSG_LENGTH, val));
			r->known = true;
		}
	}
}

static void watch_write(struct hostile_vfio *h, uint64_t reg, uint64_t val)
{
	watch_socket(h, reg, val);
	/* From AMU_EN on, the device may DMA to the sockets. */
	if (reg == RV_AMU_CR && (val & RV_AMU_CR_AMU_EN))
		check_sockets(h, "AMU_EN");
	for (int i = 0; i < H_RINGS; i++) {
		struct hostile_ring *r = &h->ring[i];

		if (r->sw_reg != reg)
			continue;
		check_index(r, val);
		if (i == H_CMD)
			learn_commands(h, val);
		r->doorbell = val;
	}
}

/* ---- the operations ---- */

/* Is this a BAR0 access? Sets *reg; fails on a device access nowhere. */
static bool bar0_access(const struct hostile_vfio *h, int fd, off_t off,
			uint64_t *reg)
{
	uint64_t pos = (uint64_t)off;

	if (fd != h->device_fd || !h->bar0_known)
		return false;
	if (pos >= h->cfg_offset && pos - h->cfg_offset < h->cfg_size)
		return false;
	if (pos < h->bar0_offset || pos - h->bar0_offset >= h->bar0_size)
		oracle_fail("device file access at 0x%" PRIx64 ": in no region the driver uses",
			     pos);
	*reg = pos - h->bar0_offset;
	return true;
}

static ssize_t bar0_read(struct hostile_vfio *h, int fd, void *buf,
			 size_t count, off_t off, uint64_t reg)
{
	bool eio = false, replace = false;
	uint64_t val = 0, le;
	int64_t nudge = 0;
	ssize_t n;

	h->reads++;
	if (!h->script_done && h->reads == h->next_event)
		event(h, &eio, &replace, &val, &nudge);
	if (h->gone) {
		memset(buf, 0xff, count);
		note_reported(h, reg, UINT64_MAX);
		return (ssize_t)count;
	}
	if (eio) {
		h->failed_reads++;
		errno = EIO;
		return -1;
	}
	n = h->real->pread(h->real->ctx, fd, buf, count, off);
	if (n < 0)
		h->failed_reads++;
	if (n != 8)
		return n;
	if (!replace) {
		memcpy(&le, buf, 8);
		val = le64toh(le) + (uint64_t)nudge;
	}
	le = htole64(val);
	memcpy(buf, &le, 8);
	note_reported(h, reg, val);
	return n;
}

static ssize_t h_pread(void *ctx, int fd, void *buf, size_t count, off_t off)
{
	struct hostile_vfio *h = ctx;
	uint64_t reg;

	if (!bar0_access(h, fd, off, &reg))
		return h->real->pread(h->real->ctx, fd, buf, count, off);
	check_access(h, reg, count, false);
	return bar0_read(h, fd, buf, count, off, reg);
}

static ssize_t h_pwrite(void *ctx, int fd, const void *buf, size_t count,
			off_t off)
{
	struct hostile_vfio *h = ctx;
	uint64_t reg, le;

	if (!bar0_access(h, fd, off, &reg))
		return h->real->pwrite(h->real->ctx, fd, buf, count, off);
	check_access(h, reg, count, true);
	memcpy(&le, buf, 8);
	watch_write(h, reg, le64toh(le));
	if (reg == RV_AMU_CR)
		h->amu_off_dropped = h->deaf &&
				     !(le64toh(le) & RV_AMU_CR_AMU_EN);
	if (h->deaf)
		return (ssize_t)count;
	return h->real->pwrite(h->real->ctx, fd, buf, count, off);
}

static void learn_region(struct hostile_vfio *h,
			 const struct vfio_region_info *ri)
{
	if (ri->index == VFIO_PCI_BAR0_REGION_INDEX) {
		h->bar0_offset = ri->offset;
		h->bar0_size = ri->size;
		h->bar0_known = true;
	} else if (ri->index == VFIO_PCI_CONFIG_REGION_INDEX) {
		h->cfg_offset = ri->offset;
		h->cfg_size = ri->size;
	}
}

static void learn_dma(struct hostile_vfio *h, unsigned long request,
		      const void *arg)
{
	const struct vfio_iommu_type1_dma_map *map = arg;
	const struct vfio_iommu_type1_dma_unmap *unmap = arg;

	if (request == VFIO_IOMMU_MAP_DMA) {
		if (h->dma_size)
			oracle_fail("a second DMA mapping at IOVA 0x%" PRIx64,
				     (uint64_t)map->iova);
		h->dma_vaddr = (uint8_t *)(uintptr_t)map->vaddr;
		h->dma_iova = map->iova;
		h->dma_size = map->size;
	} else if (request == VFIO_IOMMU_UNMAP_DMA &&
		   unmap->iova == h->dma_iova && unmap->size == h->dma_size) {
		h->dma_size = 0;
	}
}

static int h_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	struct hostile_vfio *h = ctx;
	int ret = h->real->ioctl(h->real->ctx, fd, request, arg);

	if (ret < 0)
		return ret;
	if (request == VFIO_GROUP_GET_DEVICE_FD)
		h->device_fd = ret;
	else if (request == VFIO_DEVICE_GET_REGION_INFO)
		learn_region(h, arg);
	else
		learn_dma(h, request, arg);
	return ret;
}

static int h_close(void *ctx, int fd)
{
	struct hostile_vfio *h = ctx;

	if (fd == h->device_fd)
		h->device_fd = -1;
	return h->real->close(h->real->ctx, fd);
}

/* The calls the hostile device has nothing to say about. */
static int h_open(void *ctx, const char *path, int flags)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->open(real->ctx, path, flags);
}

static void *h_mmap(void *ctx, size_t length, int prot, int flags, int fd,
		    off_t off)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->mmap(real->ctx, length, prot, flags, fd, off);
}

static int h_munmap(void *ctx, void *addr, size_t length)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->munmap(real->ctx, addr, length);
}

static int h_eventfd(void *ctx, unsigned int initval, int flags)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->eventfd(real->ctx, initval, flags);
}

static ssize_t h_read(void *ctx, int fd, void *buf, size_t count)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->read(real->ctx, fd, buf, count);
}

static int h_list_dir(void *ctx, const char *path, char *buf, size_t len)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->list_dir(real->ctx, path, buf, len);
}

static int h_memlock_limit(void *ctx, uint64_t *bytes)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->memlock_limit(real->ctx, bytes);
}

/* DMA callbacks of the register map: never called, it never steps. */
static int no_dma(void *host, uint64_t iova, void *buf, size_t len)
{
	(void)host, (void)iova, (void)buf, (void)len;
	return -1;
}

static int no_dma_write(void *host, uint64_t iova, const void *buf, size_t len)
{
	(void)host, (void)iova, (void)buf, (void)len;
	return -1;
}

static void init_rings(struct hostile_vfio *h)
{
#define RING(n, sw, dev, prod) \
	{ .name = n, .sw_reg = sw, .dev_reg = dev, .sw_produces = prod }
	static const struct hostile_ring rings[H_RINGS] = {
		[H_CMD] = RING("command ring", RV_MGT_WRITE_INDEX_TX0,
			       RV_MGT_READ_INDEX_TX0, true),
		[H_RSP] = RING("response ring", RV_MGT_READ_INDEX_RX0,
			       RV_MGT_WRITE_INDEX_RX0, false),
		[H_EXC] = RING("exception ring", RV_MGT_READ_INDEX_RX1,
			       RV_MGT_WRITE_INDEX_RX1, false),
		[H_TX] = RING("TX AMS 0", RV_AMI_SW_PAGE(0) + RV_AMI_SW_WRITE_INDEX_TX(0),
			      RV_AMI_SW_PAGE(0) + RV_AMI_SW_READ_INDEX_TX(0), true),
		[H_RX] = RING("RX AMS 0", RV_AMI_SW_PAGE(0) + RV_AMI_SW_READ_INDEX_RX(0),
			      RV_AMI_SW_PAGE(0) + RV_AMI_SW_WRITE_INDEX_RX(0), false),
	};
#undef RING

	memcpy(h->ring, rings, sizeof(rings));
}

void hostile_init(struct hostile_vfio *h, struct mock_vfio *mock,
		  const struct rv_model_params *params,
		  const uint8_t *script, size_t len,
		  volatile sig_atomic_t *stop)
{
	const struct rv_model_host none = {
		.dma_read = no_dma,
		.dma_write = no_dma_write,
	};

	*h = (struct hostile_vfio){
		.real = mock_vfio_ops(mock),
		.mock = mock,
		.stop = stop,
		.script = script,
		.script_len = len,
		.device_fd = -1,
	};
	if (rv_model_init(&h->regmap, params, &none) < 0)
		oracle_fail("the mock's model parameters are not a model's");
	init_rings(h);
	schedule(h);
	h->ops = (struct vfio_ops){
		.name = "hostile",
		.ctx = h,
		.open = h_open,
		.close = h_close,
		.ioctl = h_ioctl,
		.pread = h_pread,
		.pwrite = h_pwrite,
		.mmap = h_mmap,
		.munmap = h_munmap,
		.eventfd = h_eventfd,
		.read = h_read,
		.list_dir = h_list_dir,
		.memlock_limit = h_memlock_limit,
	};
}
