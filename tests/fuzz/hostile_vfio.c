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
#include <sys/mman.h>
#include <unistd.h>

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

/* ---- system call faults of the driver's own calls ---- */

/* Count a call of op; true (errno set) if the header's fault picks it. */
static bool fault_hit(struct hostile_vfio *h, enum mock_op op)
{
	if (!h->cfg.fault.nth || h->cfg.fault.op != op ||
	    ++h->fault_seen != h->cfg.fault.nth)
		return false;
	errno = h->cfg.fault.err;
	return true;
}

/* ---- interrupts ---- */

/* Add n to an eventfd's count, as a signalled MSI-X does. */
static void irq_signal(int fd, uint64_t n)
{
	if (fd >= 0 && n && write(fd, &n, sizeof(n)) != sizeof(n))
		oracle_fail("eventfd write: %s", strerror(errno));
}

/*
 * Take the MSI-X the device raised since the last look (the count in the
 * driver's eventfds beyond what was left there for it) and hand them on
 * as the pattern says. A double comes again once the driver has read the
 * first (nothing left pending), so that it wakes twice.
 */
static void irq_filter(struct hostile_vfio *h)
{
	uint64_t raised[HOSTILE_VECTORS], out[HOSTILE_VECTORS];

	for (int v = 0; v < HOSTILE_VECTORS; v++) {
		uint64_t n = 0;

		raised[v] = out[v] = 0;
		if (h->irq_fd[v] < 0)
			continue;
		/* The driver's eventfds are EFD_NONBLOCK: EAGAIN if none. */
		if (read(h->irq_fd[v], &n, sizeof(n)) != sizeof(n))
			n = 0;
		raised[v] = n > h->irq_left[v] ? n - h->irq_left[v] : 0;
		out[v] = n - raised[v];
	}
	for (int v = 0; v < HOSTILE_VECTORS; v++) {
		int other = HOSTILE_VECTORS - 1 - v;

		if (h->irq_fd[v] >= 0 && !out[v] && h->irq_owed[v]) {
			h->irq_owed[v]--;
			out[v]++;
		}
		for (uint64_t i = 0; i < raised[v]; i++) {
			unsigned int shift = 2 * (unsigned int)(h->irqs++ % 4);

			switch ((h->irq_pattern >> shift) & 3) {
			case HOSTILE_IRQ_DELIVER:
				out[v]++;
				break;
			case HOSTILE_IRQ_DROP:
				break;
			case HOSTILE_IRQ_DOUBLE:
				out[v]++;
				h->irq_owed[v]++;
				break;
			case HOSTILE_IRQ_MISDIRECT:
				if (h->irq_fd[other] >= 0)
					out[other]++;
				break;
			}
		}
	}
	for (int v = 0; v < HOSTILE_VECTORS; v++) {
		irq_signal(h->irq_fd[v], out[v]);
		h->irq_left[v] = h->irq_fd[v] >= 0 ? out[v] : 0;
	}
}

/* An interrupt the device never raised. */
static void irq_forge(struct hostile_vfio *h, unsigned int vector)
{
	unsigned int v = vector % HOSTILE_VECTORS;

	if (h->irq_fd[v] < 0)
		return;
	irq_signal(h->irq_fd[v], 1);
	h->irq_left[v]++;
}

/* SET_IRQS went through: which eventfds now stand for the vectors. */
static void learn_irqs(struct hostile_vfio *h, const struct vfio_irq_set *s)
{
	if (s->index != VFIO_PCI_MSIX_IRQ_INDEX)
		return;
	if ((s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_NONE &&
	    !s->count) {
		for (int v = 0; v < HOSTILE_VECTORS; v++)
			h->irq_fd[v] = -1;
		return;
	}
	if (!(s->flags & VFIO_IRQ_SET_DATA_EVENTFD))
		return;
	for (uint32_t i = 0; i < s->count; i++) {
		uint32_t v = s->start + i;
		int32_t fd;

		if (v >= HOSTILE_VECTORS)
			break;
		memcpy(&fd, s->data + i * sizeof(fd), sizeof(fd));
		h->irq_fd[v] = fd;
		h->irq_left[v] = h->irq_owed[v] = 0;
	}
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

	static const char *const names[HOSTILE_OP_COUNT] = {
		"value", "nudge", "poke", "eio", "deaf", "gone", "signal",
		"request", "forge", "irqs",
	};

	if (!take(h, &op, 1))
		return;
	/* FUZZ_LOG: what the script did where, between the driver's lines. */
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "hostile: BAR0 read %" PRIu64 ": %s\n", h->reads,
			names[op % HOSTILE_OP_COUNT]);
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
		h->eintr = true;
		break;
	case HOSTILE_REQUEST:
		/* Lost (vfio-pci only logs it) if no eventfd is routed. */
		if (mock_vfio_request(h->mock) && !h->requested)
			h->requested = h->reads;
		break;
	case HOSTILE_FORGE:
		if (take(h, arg, 1))
			irq_forge(h, arg[0]);
		break;
	case HOSTILE_IRQS:
		if (take(h, arg, 1))
			h->irq_pattern = arg[0];
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

/* ---- BAR0 reads, by either path ---- */

/*
 * A BAR0 read as the device answers it: the script's record due at this
 * read applies, then fetch (the device's true value; false if the access
 * failed) unless the device is gone. *val is what the driver gets; false
 * for a read that failed (scripted EIO, or fetch's failure).
 */
static bool device_read(struct hostile_vfio *h, uint64_t reg, uint64_t *val,
			bool (*fetch)(struct hostile_vfio *h, uint64_t reg,
				      uint64_t *val, void *arg),
			void *arg)
{
	bool eio = false, replace = false;
	uint64_t forged = 0;
	int64_t nudge = 0;

	h->reads++;
	if (!h->script_done && h->reads == h->next_event)
		event(h, &eio, &replace, &forged, &nudge);
	if (h->gone) {
		*val = UINT64_MAX;
		note_reported(h, reg, *val);
		return true;
	}
	if (eio || !fetch(h, reg, val, arg))
		return false;
	*val = replace ? forged : *val + (uint64_t)nudge;
	note_reported(h, reg, *val);
	return true;
}

/* ---- the device's pace ---- */

/*
 * The driver's BAR0 stores wait in h->queue until the device takes them,
 * in order, as posted writes arrive; the model runs as each one reaches
 * it through the mock's pwrite. With device_lag 0 the device takes each
 * store as it is made (the mock's pread/pwrite path: the model runs in
 * the pwrite). Otherwise it runs every device_lag virtual clock ticks, as
 * a device thread or a slow device would: loads see it as of the last
 * time it ran. It also runs before the driver blocks, and before any
 * other call of the driver's reaches the kernel (which a posted write may
 * not pass).
 */
static void device_run(struct hostile_vfio *h)
{
	for (unsigned int i = 0; i < h->queued; i++) {
		const struct hostile_store *st = &h->queue[i];
		uint64_t le = htole64(st->val);

		if (st->reg == RV_AMU_CR)
			h->amu_off_dropped = h->deaf &&
					     !(st->val & RV_AMU_CR_AMU_EN);
		/* Dropped: deaf, or the device fd is gone. */
		if (h->deaf || h->device_fd < 0)
			continue;
		h->real->pwrite(h->real->ctx, h->device_fd, &le, sizeof(le),
				(off_t)(h->bar0_offset + st->reg));
	}
	h->queued = 0;
	irq_filter(h);
}

static void store(struct hostile_vfio *h, uint64_t reg, uint64_t val)
{
	if (h->queued == HOSTILE_QUEUE)
		device_run(h);
	h->queue[h->queued++] = (struct hostile_store){ .reg = reg, .val = val };
	if (!h->cfg.device_lag)
		device_run(h);
}

/* A read may not pass a posted write: software's own value, if queued. */
static bool queued_value(const struct hostile_vfio *h, uint64_t reg,
			 uint64_t *val)
{
	for (unsigned int i = h->queued; i-- > 0;) {
		if (h->queue[i].reg == reg) {
			*val = h->queue[i].val;
			return true;
		}
	}
	return false;
}

/* ---- an mmap'd BAR0 ---- */

/* The device's value of a register, as of the last time it ran. */
static bool mapped_fetch(struct hostile_vfio *h, uint64_t reg,
			 uint64_t *val, void *arg)
{
	uint64_t le;

	(void)arg;
	if (queued_value(h, reg, val))
		return true;
	if (h->device_fd < 0 ||
	    h->real->pread(h->real->ctx, h->device_fd, &le, sizeof(le),
			   (off_t)(h->bar0_offset + reg)) != sizeof(le))
		*val = UINT64_MAX;
	else
		*val = le64toh(le);
	return true;
}

/* vfio.c's own, renamed by run.sh: they access our page. */
uint32_t fuzz_real_bar0_read32(struct vfio_dev *dev, uint64_t off);
void fuzz_real_bar0_write32(struct vfio_dev *dev, uint64_t off, uint32_t val);
uint64_t fuzz_real_bar0_read64(struct vfio_dev *dev, uint64_t off);
void fuzz_real_bar0_write64(struct vfio_dev *dev, uint64_t off, uint64_t val);

static ssize_t h_pread(void *ctx, int fd, void *buf, size_t count, off_t off);

/* The hostile device behind dev's mapped BAR0, or NULL. */
static struct hostile_vfio *mapped(const struct vfio_dev *dev)
{
	struct hostile_vfio *h;

	if (dev->ops->pread != h_pread)
		return NULL;
	h = dev->ops->ctx;
	return h->page && dev->bar0.map == h->page ? h : NULL;
}

/*
 * A load of the mapping: whatever the device shows there is what the
 * load returns (a failed or scripted read of a mapping is all-ones: a
 * load has no error to report).
 */
uint64_t vfio_bar0_read64(struct vfio_dev *dev, uint64_t off)
{
	struct hostile_vfio *h = mapped(dev);
	uint64_t val;

	if (!h || off > h->page_len - 8)
		return fuzz_real_bar0_read64(dev, off);
	check_access(h, off, 8, false);
	if (!device_read(h, off, &val, mapped_fetch, NULL))
		val = UINT64_MAX;
	h->page[off / 8] = htole64(val);
	return fuzz_real_bar0_read64(dev, off);
}

void vfio_bar0_write64(struct vfio_dev *dev, uint64_t off, uint64_t val)
{
	struct hostile_vfio *h = mapped(dev);

	fuzz_real_bar0_write64(dev, off, val);
	if (!h || off > h->page_len - 8)
		return;
	check_access(h, off, 8, true);
	watch_write(h, off, val);
	store(h, off, val);
}

/* Registers are 64-bit (spec "Conventions"): no driver access is half. */
uint32_t vfio_bar0_read32(struct vfio_dev *dev, uint64_t off)
{
	struct hostile_vfio *h = mapped(dev);

	if (h)
		check_access(h, off, 4, false);
	return fuzz_real_bar0_read32(dev, off);
}

void vfio_bar0_write32(struct vfio_dev *dev, uint64_t off, uint32_t val)
{
	struct hostile_vfio *h = mapped(dev);

	if (h)
		check_access(h, off, 4, true);
	fuzz_real_bar0_write32(dev, off, val);
}

/* vfio_pci_core_mmap()'s checks, as the mock makes them (mock_bar.c). */
static void *map_bar0(struct hostile_vfio *h, size_t length, int flags,
		      int fd, off_t off)
{
	void *p;

	if (fd != h->device_fd || !h->bar0_known) {
		errno = fd == h->device_fd ? EINVAL : ENODEV;
		return MAP_FAILED;
	}
	if ((uint64_t)off != h->bar0_offset || !(flags & MAP_SHARED) ||
	    !length || length > h->bar0_size || length % 8) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (h->page) {
		errno = EBUSY;
		return MAP_FAILED;
	}
	p = mmap(NULL, length, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	h->page = p;
	h->page_len = length;
	return p;
}

/* The mapping goes: the stores made before reach the device first. */
static void unmap_bar0(struct hostile_vfio *h)
{
	device_run(h);
	munmap(h->page, h->page_len);
	h->page = NULL;
	h->page_len = 0;
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

struct pread_args {
	int fd;
	void *buf;
	size_t count;
	off_t off;
	bool fetched;		/* the mock was asked: n is its answer */
	ssize_t n;
};

/* The mock's answer to a BAR0 pread of the driver's. */
static bool pread_fetch(struct hostile_vfio *h, uint64_t reg, uint64_t *val,
			void *arg)
{
	struct pread_args *a = arg;
	uint64_t le;

	a->fetched = true;
	if (fault_hit(h, MOCK_OP_PREAD)) {
		a->n = -1;
		return false;
	}
	if (queued_value(h, reg, val)) {
		a->n = 8;
		return true;
	}
	a->n = h->real->pread(h->real->ctx, a->fd, a->buf, a->count, a->off);
	irq_filter(h);
	if (a->n != 8)
		return false;
	memcpy(&le, a->buf, 8);
	*val = le64toh(le);
	return true;
}

static ssize_t bar0_read(struct hostile_vfio *h, int fd, void *buf,
			 size_t count, off_t off, uint64_t reg)
{
	struct pread_args a = { .fd = fd, .buf = buf, .count = count, .off = off };
	uint64_t val, le;

	if (!device_read(h, reg, &val, pread_fetch, &a)) {
		if (!a.fetched) {	/* the script's EIO */
			errno = EIO;
			a.n = -1;
		}
		if (a.n < 0)
			h->failed_reads++;
		return a.n;
	}
	le = htole64(val);
	memcpy(buf, &le, 8);
	return 8;
}

static ssize_t h_pread(void *ctx, int fd, void *buf, size_t count, off_t off)
{
	struct hostile_vfio *h = ctx;
	uint64_t reg;

	if (!bar0_access(h, fd, off, &reg)) {
		/* Config space: a non-posted access, after the stores. */
		device_run(h);
		if (fault_hit(h, MOCK_OP_PREAD))
			return -1;
		return h->real->pread(h->real->ctx, fd, buf, count, off);
	}
	check_access(h, reg, count, false);
	return bar0_read(h, fd, buf, count, off, reg);
}

static ssize_t h_pwrite(void *ctx, int fd, const void *buf, size_t count,
			off_t off)
{
	struct hostile_vfio *h = ctx;
	uint64_t reg, le;

	if (!bar0_access(h, fd, off, &reg)) {
		device_run(h);
		if (fault_hit(h, MOCK_OP_PWRITE))
			return -1;
		return h->real->pwrite(h->real->ctx, fd, buf, count, off);
	}
	check_access(h, reg, count, true);
	memcpy(&le, buf, 8);
	watch_write(h, reg, le64toh(le));
	/* A deaf device drops it later, silently: the call went through. */
	if (!h->deaf && fault_hit(h, MOCK_OP_PWRITE)) {
		h->failed_writes++;
		return -1;
	}
	store(h, reg, le64toh(le));
	return (ssize_t)count;
}

static void learn_region(struct hostile_vfio *h, struct vfio_region_info *ri)
{
	/* Smaller than spec 2's map: the driver must refuse it. */
	if (ri->index == VFIO_PCI_BAR0_REGION_INDEX && h->cfg.small_bar0)
		ri->size = 0x10000;
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
	int ret;

	device_run(h);
	ret = h->real->ioctl(h->real->ctx, fd, request, arg);
	if (ret < 0)
		return ret;
	if (request == VFIO_GROUP_GET_DEVICE_FD)
		h->device_fd = ret;
	else if (request == VFIO_DEVICE_GET_REGION_INFO)
		learn_region(h, arg);
	else if (request == VFIO_DEVICE_SET_IRQS)
		learn_irqs(h, arg);
	else
		learn_dma(h, request, arg);
	/* SET_IRQS may signal at once (the mock's msix_spurious). */
	irq_filter(h);
	return ret;
}

static int h_close(void *ctx, int fd)
{
	struct hostile_vfio *h = ctx;

	device_run(h);
	if (fd == h->device_fd)
		h->device_fd = -1;
	for (int v = 0; v < HOSTILE_VECTORS; v++)
		if (fd == h->irq_fd[v])
			h->irq_fd[v] = -1;
	return h->real->close(h->real->ctx, fd);
}

/* BAR0 mmap'd is ours (map_bar0()); the fault of the header applies. */
static void *h_mmap(void *ctx, size_t length, int prot, int flags, int fd,
		    off_t off)
{
	struct hostile_vfio *h = ctx;

	if (!h->cfg.mmap)
		return h->real->mmap(h->real->ctx, length, prot, flags, fd, off);
	if (fault_hit(h, MOCK_OP_MMAP))
		return MAP_FAILED;
	return map_bar0(h, length, flags, fd, off);
}

static int h_munmap(void *ctx, void *addr, size_t length)
{
	struct hostile_vfio *h = ctx;

	if (h->page && addr == h->page && length == h->page_len) {
		unmap_bar0(h);
		return 0;
	}
	return h->real->munmap(h->real->ctx, addr, length);
}

/* The driver takes an interrupt: nothing is left pending for it. */
static ssize_t h_read(void *ctx, int fd, void *buf, size_t count)
{
	struct hostile_vfio *h = ctx;
	ssize_t n = h->real->read(h->real->ctx, fd, buf, count);

	for (int v = 0; v < HOSTILE_VECTORS; v++)
		if (n > 0 && fd == h->irq_fd[v])
			h->irq_left[v] = 0;
	return n;
}

/* The calls the hostile device has nothing to say about. */
static int h_open(void *ctx, const char *path, int flags)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->open(real->ctx, path, flags);
}

static int h_eventfd(void *ctx, unsigned int initval, int flags)
{
	const struct vfio_ops *real = ((struct hostile_vfio *)ctx)->real;

	return real->eventfd(real->ctx, initval, flags);
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

/* ---- time ---- */

void hostile_tick(struct hostile_vfio *h)
{
	if (h->cfg.device_lag && ++h->ticks % h->cfg.device_lag == 0)
		device_run(h);
}

bool hostile_block(struct hostile_vfio *h)
{
	bool eintr = h->eintr;

	device_run(h);
	h->eintr = false;
	return eintr;
}

bool hostile_release(struct hostile_vfio *h)
{
	if (!h->page)
		return false;
	unmap_bar0(h);
	return true;
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
		  const struct hostile_config *cfg,
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
		.cfg = *cfg,
		.script = script,
		.script_len = len,
		.device_fd = -1,
		.irq_fd = { -1, -1 },
		.irq_pattern = cfg->irq_pattern,
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
