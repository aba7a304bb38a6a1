// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere-AMU driver of the demo. Facts come from
 * doc/revere-amu-v2.md (cited as "spec N"); where the facts are
 * silent the code follows the project's decisions of spec section 8 and
 * says so.
 */
#define _GNU_SOURCE		/* ppoll() */
#include "revere_dev.h"
#include "revere_mgt.h"
#include "moderation.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- the demo's configuration (spec 7) ---- */

#define F_OWNER			0	/* the demo is function 0, the PF */
#define AMI_SW			0
#define AMS			0	/* AMS 0 of every AMI involved */
#define AHA_INVERT		0	/* the inversion accelerator */
#define ASN_TO_AHA		0	/* AMI-SW 0 TX -> AMI-HW 0 RX */
#define ASN_FROM_AHA		1	/* AMI-HW 1 TX -> AMI-SW 0 RX */
#define DATA_LOG2_SIZE		6	/* 64 slots */
#define DATA_LOG2_MSG_LENGTH	8	/* 2^8 doublewords = 2 KiB */
#define DATA_MSG_SIZE		(8u << DATA_LOG2_MSG_LENGTH)
#define NSEC_PER_SEC		1000000000ull

_Static_assert(1u << DATA_LOG2_SIZE == REVERE_RING_SLOTS,
	       "REVERE_RING_SLOTS is the data rings' size");
#define RX_MODE_BACK_PRESSURE	0

/* AMI-SW 0's AMS 0 index registers (spec 4). */
#define TX_READ_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_READ_INDEX_TX(AMS))
#define TX_WRITE_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_WRITE_INDEX_TX(AMS))
#define RX_READ_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_READ_INDEX_RX(AMS))
#define RX_WRITE_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_WRITE_INDEX_RX(AMS))
#define RX_DIGEST_MASK	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_RX_DIGEST_MASK)

/*
 * The management rings hold a few 64-byte slots (spec 3: LOG2_MSG_LENGTH
 * = 3). Commands are sent one at a time, so one slot would do, as in the
 * original demo; four leave room for exceptions arriving in a burst.
 */
#define MGT_LOG2_SIZE		2

/* PF-PROBE and F-PROBE minimums (spec 7). */
#define MIN_AMI_SW		1
#define MIN_AMI_HW		2
#define MIN_ASN			2
#define MIN_AHA			1

/*
 * Where the buffers appear to the device. Any IOVA the IOMMU accepts will
 * do; this one is below 4 GiB for devices with 32-bit DMA and clear of the
 * x86 MSI window at 0xfee00000.
 */
#define DEMO_IOVA		0x10000000ull
/* Buffers are aligned for IOMMU pages up to this size. */
#define BUF_ALIGN		0x10000ull

/* BAR0 must reach the management page and AMI-SW page 0 (spec 2). */
#define BAR0_MIN_SIZE		(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_PAGE_SIZE)

bool revere_stop_requested(struct revere_dev *rd)
{
	if (rd->tearing_down)
		return false;
	if (rd->opts->stop && *rd->opts->stop)
		return true;
	if (rd->vfio->req_fd < 0 || rd->vfio->req_fired)
		return rd->vfio->req_fired;
	/* The exchange: read the eventfd only once the watcher saw it fire. */
	if (rd->req_watch.running && !rd->req_check &&
	    !fd_watch_fired(&rd->req_watch))
		return false;
	rd->req_check = false;
	return vfio_req_pending(rd->vfio);
}

/*
 * A blocked wait sleeps at most this long before it looks at the ring
 * again: an interrupt that is lost (the device's, or one the platform
 * dropped) costs this much, not the whole --timeout; and a signal that
 * lands between the stop check and poll(2) is seen this late at worst
 * (poll itself returns EINTR for any later one). The device request wakes
 * a stoppable wait at once: its eventfd is in the poll set.
 */
#define STOP_SLICE_MS		10

/*
 * A spin that has found nothing for this long gives its core away once
 * (sched_yield()): a system call per ms at most, like the request check,
 * never per look. Without it a spinning driver can starve whatever must
 * run for the device to make progress on a loaded machine: the simulated
 * device's own thread, on two shared cores, went 100 ms without the CPU.
 */
#define SPIN_YIELD_NS		NSEC_PER_MSEC

static const char *const vector_names[REVERE_NUM_VECTORS] = {
	[REVERE_VEC_MGT_RX] = "management RX",
	[REVERE_VEC_RX] = "RX AMS 0",
};

const char *revere_wait_what(const struct revere_dev *rd,
			     enum revere_vector vector, char *buf, size_t len)
{
	if (rd->wait == REVERE_WAIT_POLL)
		return "";
	snprintf(buf, len, ", waiting on MSI-X vector %u (%s): %" PRIu64 " interrupt%s",
		 (unsigned int)vector, vector_names[vector], rd->wakeups[vector],
		 rd->wakeups[vector] == 1 ? "" : "s");
	return buf;
}

/*
 * The fd a blocked stoppable wait also watches, so that the device request
 * ends it at once: the request's eventfd until it has fired, else -1.
 */
static int request_fd(const struct revere_dev *rd, bool stoppable)
{
	return stoppable && !rd->vfio->req_fired ? rd->vfio->req_fd : -1;
}

/* Block on vector's eventfd until it fires or deadline_ns passes. */
static int wait_irq(struct revere_dev *rd, enum revere_vector vector,
		    uint64_t now, uint64_t deadline_ns, bool stoppable)
{
	uint64_t ms = (deadline_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	int woke;

	if (ms > STOP_SLICE_MS)
		ms = STOP_SLICE_MS;
	woke = vfio_irq_wait(rd->vfio, vector, request_fd(rd, stoppable),
			     (int)ms);
	if (woke == -EINTR)
		return 0;	/* the stop check sees it, or the wait goes on */
	if (woke < 0)
		return woke;
	if (woke & VFIO_IRQ_WOKE_EXTRA)
		rd->req_check = true;	/* read the request now */
	if (woke & VFIO_IRQ_WOKE_VECTOR)
		rd->wakeups[vector]++;
	return woke & VFIO_IRQ_WOKE_VECTOR;
}

/* The digest mask register and bit that gate each vector (spec 3, 4, 8.8). */
static const struct {
	uint64_t reg, bit;
} vector_mask[REVERE_NUM_VECTORS] = {
	[REVERE_VEC_MGT_RX] = { RV_MGT_RX_DIGEST_MASK, RV_BIT(0) },
	[REVERE_VEC_RX] = { RX_DIGEST_MASK, RV_BIT(AMS) },
};

static void write_vector_mask(struct revere_dev *rd,
			      enum revere_vector vector, bool on)
{
	rv_reg_write(rd->vfio, vector_mask[vector].reg,
		     on ? vector_mask[vector].bit : 0);
}

/* The same, for a wait: a failed write is named. */
static int set_vector_mask(struct revere_dev *rd, enum revere_vector vector,
			   bool on)
{
	write_vector_mask(rd, vector, on);
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err, "%s the %s interrupt",
				     on ? "unmasking" : "masking",
				     vector_names[vector]);
	return 0;
}

/*
 * Interrupt moderation (moderation.h): sleep ns with vector masked. A
 * signal (EINTR) or the device request ends it early; unmasking comes
 * before the caller's next look at the ring, so a message landing from
 * then on raises the interrupt the look may miss.
 */
static int doze(struct revere_dev *rd, enum revere_vector vector,
		uint64_t ns, bool stoppable)
{
	/* poll(2) ignores an fd of -1. */
	struct pollfd pfd = { .fd = request_fd(rd, stoppable), .events = POLLIN };
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};
	int ret;

	ret = set_vector_mask(rd, vector, false);
	if (ret)
		return ret;
	ret = ppoll(&pfd, 1, &ts, NULL);
	if (ret < 0 && errno != EINTR)
		return errmsg_set_errno(rd->err, errno, "ppoll while dozing on %s",
					vector_names[vector]);
	if (ret > 0)
		rd->req_check = true;
	rd->dozes[vector]++;
	return set_vector_mask(rd, vector, true);
}

/*
 * No wake-up is lost: the eventfd counts every interrupt until it is read,
 * and it is read (drained) only when poll(2) says it fired, before the
 * index is read again. An interrupt for a message that arrives after that
 * read makes the next poll(2) return at once. A wake-up with nothing new
 * in the ring (a spurious interrupt, or one for a message an earlier look
 * took) is counted and the wait goes on: never progress by itself.
 */
int revere_wait(struct revere_dev *rd, enum revere_vector vector,
		uint64_t deadline_ns, bool stoppable, uint64_t doze_ns,
		revere_check_fn check, void *arg)
{
	uint64_t spin_ns = rd->wait == REVERE_WAIT_HYBRID ?
			   rd->opts->spin_us * NSEC_PER_USEC : 0;
	uint64_t now = rv_now_ns();
	uint64_t spin_until = now + spin_ns, yield_at = now + SPIN_YIELD_NS;
	bool woken = false;
	int ret;

	if (rd->wait == REVERE_WAIT_POLL)
		doze_ns = 0;
	for (;;) {
		if (stoppable && revere_stop_requested(rd))
			return -EINTR;
		ret = check(rd, arg);
		if (ret)
			return ret;
		if (woken)
			rd->idle_wakeups[vector]++;
		woken = false;
		now = rv_now_ns();
		if (now > deadline_ns)
			return -ETIMEDOUT;
		if (doze_ns) {
			if (doze_ns > deadline_ns - now)
				doze_ns = deadline_ns - now;
			ret = doze(rd, vector, doze_ns, stoppable);
			if (ret)
				return ret;
			doze_ns = 0;	/* once a wait: from here on, as usual */
			spin_until = rv_now_ns() + spin_ns;
			continue;
		}
		if (rd->wait == REVERE_WAIT_POLL || now < spin_until) {
			rv_cpu_relax();
			if (now >= yield_at) {
				sched_yield();
				yield_at = now + SPIN_YIELD_NS;
			}
			continue;
		}
		ret = wait_irq(rd, vector, now, deadline_ns, stoppable);
		if (ret < 0)
			return ret;
		woken = ret > 0;
	}
}

void revere_init(struct revere_dev *rd, struct vfio_dev *vfio,
		 const struct revere_opts *opts)
{
	*rd = (struct revere_dev){
		.vfio = vfio,
		.opts = opts,
		.err = &vfio->err,
		.iova = DEMO_IOVA,
		.msg_size = DATA_MSG_SIZE,
		.wait = opts->wait,
	};
}

/* ---- step 1: buffers ---- */

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void ring_place(struct revere_dev *rd, struct rv_ring *r,
		       const char *name, size_t *off, unsigned int log2_size,
		       uint32_t slot_size)
{
	*r = (struct rv_ring){
		.name = name,
		.base = rd->mem + *off,
		.iova = rd->iova + *off,
		.log2_size = log2_size,
		.slot_size = slot_size,
	};
	*off += (size_t)slot_size << log2_size;
}

/*
 * One mapping holds all the rings: the three management sockets in the
 * first page, then the TX and RX data rings, each page aligned.
 */
static size_t mgt_size(void)
{
	return align_up(3 * ((size_t)RV_MSG_SIZE << MGT_LOG2_SIZE), 4096);
}

size_t revere_buffer_size(void)
{
	size_t data = (size_t)DATA_MSG_SIZE << DATA_LOG2_SIZE;

	return align_up(mgt_size() + 2 * data, BUF_ALIGN);
}

int revere_alloc_buffers(struct revere_dev *rd)
{
	size_t mgt = mgt_size();
	size_t data = (size_t)rd->msg_size << DATA_LOG2_SIZE;
	size_t off = 0;

	rd->mem_size = align_up(mgt + 2 * data, BUF_ALIGN);
	/* Zeroed, aligned for any IOMMU page up to BUF_ALIGN. */
	rd->mem = vfio_dma_alloc(rd->vfio, rd->mem_size, BUF_ALIGN);
	if (!rd->mem)
		return -rd->err->err;
	ring_place(rd, &rd->cmd, "command ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	ring_place(rd, &rd->rsp, "response ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	ring_place(rd, &rd->exc, "exception ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	off = mgt;
	ring_place(rd, &rd->tx, "TX AMS 0", &off, DATA_LOG2_SIZE, rd->msg_size);
	ring_place(rd, &rd->rx, "RX AMS 0", &off, DATA_LOG2_SIZE, rd->msg_size);
	/* Each ring's index registers (spec 3, 4). */
	rv_ring_set_regs(&rd->cmd, false, RV_MGT_READ_INDEX_TX0, RV_MGT_WRITE_INDEX_TX0);
	rv_ring_set_regs(&rd->rsp, true, RV_MGT_READ_INDEX_RX0, RV_MGT_WRITE_INDEX_RX0);
	rv_ring_set_regs(&rd->exc, true, RV_MGT_READ_INDEX_RX1, RV_MGT_WRITE_INDEX_RX1);
	rv_ring_set_regs(&rd->tx, false, TX_READ_INDEX, TX_WRITE_INDEX);
	rv_ring_set_regs(&rd->rx, true, RX_READ_INDEX, RX_WRITE_INDEX);
	rd_log(rd, REVERE_LOG_STEP,
	       "step 1: allocated %zu bytes of I/O buffers (management sockets, TX and RX rings of %u x %u bytes)",
	       rd->mem_size, 1u << DATA_LOG2_SIZE, rd->msg_size);
	return 0;
}

/* ---- step 2: the device through VFIO ---- */

/* Refuse anything that is not a Revere PF before touching its BAR0. */
static int check_pci_ids(struct revere_dev *rd, const char *device)
{
	uint16_t vendor, devid;
	int ret;

	ret = vfio_cfg_read16(rd->vfio, PCI_VENDOR_ID, &vendor);
	if (!ret)
		ret = vfio_cfg_read16(rd->vfio, PCI_DEVICE_ID, &devid);
	if (ret)
		return ret;
	if (vendor == RV_PCI_VENDOR_ARM && devid == RV_PCI_DEVICE_PF)
		return 0;
	errmsg_set(rd->err, ENODEV,
		    "%s is PCI device %04x:%04x, not a Revere-AMU PF (%04x:%04x)",
		    device, vendor, devid, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
	errmsg_hint(rd->err, "check --device and --vfio-group");
	return -ENODEV;
}

static int map_buffers(struct revere_dev *rd)
{
	uint64_t page = vfio_iommu_page_size(rd->vfio);
	int ret;

	if (page > BUF_ALIGN)
		return errmsg_set(rd->err, EINVAL,
				   "IOMMU page size %" PRIu64 " is larger than the %llu the buffers are aligned to",
				   page, BUF_ALIGN);
	ret = vfio_dma_map(rd->vfio, rd->mem, rd->iova, rd->mem_size);
	return ret;
}

static int map_bar0(struct revere_dev *rd)
{
	int ret = vfio_bar0_map(rd->vfio, false);

	if (ret)
		return ret;
	if (rd->vfio->bar0.size < BAR0_MIN_SIZE)
		return errmsg_set(rd->err, ENODEV,
				   "BAR0 of %s is %" PRIu64 " bytes, the Revere-AMU needs at least %llu (spec 2)",
				   rd->vfio->device_name, rd->vfio->bar0.size,
				   (unsigned long long)BAR0_MIN_SIZE);
	return 0;
}

static void log_vfio_info(struct revere_dev *rd)
{
	const struct vfio_dev *v = rd->vfio;

	rd_log(rd, REVERE_LOG_INFO, "IOMMU: %s, page sizes 0x%" PRIx64,
	       vfio_iommu_name(v), vfio_iommu_page_sizes(v));
	rd_log(rd, REVERE_LOG_INFO, "BAR0: %" PRIu64 " bytes at region offset 0x%" PRIx64 ", %s",
	       v->bar0.size, v->bar0.offset,
	       v->bar0.map ? "mmap'd" : "accessed through pread/pwrite");
	rd_log(rd, REVERE_LOG_INFO, "DMA: %zu bytes at IOVA 0x%" PRIx64,
	       rd->mem_size, rd->iova);
}

/*
 * Let the kernel ask for the device back (vfio.h: the device request)
 * whenever the device offers it; one that does not runs all the same.
 */
static int route_request(struct revere_dev *rd)
{
	int ret = vfio_req_enable(rd->vfio);

	if (ret == -ENOTSUP) {
		rd_log(rd, REVERE_LOG_INFO,
		       "device request: not offered by %s, the kernel cannot ask for it back",
		       rd->vfio->device_name);
		return 0;
	}
	if (ret)
		return ret;
	rd_log(rd, REVERE_LOG_INFO,
	       "device request: routed to an eventfd, a request stops the run");
	return 0;
}

const char *revere_wait_name(enum revere_wait_mode w)
{
	return w == REVERE_WAIT_IRQ ? "irq" :
	       w == REVERE_WAIT_HYBRID ? "hybrid" : "poll";
}

/*
 * --wait irq or hybrid: MSI-X vectors 0 (management RX) and 1 (RX AMS 0)
 * routed to eventfds (VFIO_DEVICE_SET_IRQS). A device without them fails
 * irq, naming what is missing; hybrid falls back to polling and says so.
 */
static int route_irqs(struct revere_dev *rd)
{
	int n, ret;

	if (rd->wait == REVERE_WAIT_POLL)
		return 0;
	n = vfio_irq_vectors(rd->vfio, VFIO_PCI_MSIX_IRQ_INDEX);
	if (n < 0)
		return n;
	if (n < REVERE_NUM_VECTORS) {
		if (rd->wait == REVERE_WAIT_HYBRID) {
			rd_log(rd, REVERE_LOG_INFO,
			       "--wait hybrid: %s has %d MSI-X vectors that can signal an eventfd, %d needed: polling instead",
			       rd->vfio->device_name, n, REVERE_NUM_VECTORS);
			rd->wait = REVERE_WAIT_POLL;
			return 0;
		}
		errmsg_set(rd->err, ENOTSUP,
			    "--wait irq: %s has %d MSI-X vectors that can signal an eventfd, the demo needs %d (management RX and RX AMS 0, spec 8.8)",
			    rd->vfio->device_name, n, REVERE_NUM_VECTORS);
		errmsg_hint(rd->err, "use --wait poll, or --wait hybrid, which polls on such a device");
		return -ENOTSUP;
	}
	ret = vfio_irq_enable(rd->vfio, VFIO_PCI_MSIX_IRQ_INDEX, REVERE_NUM_VECTORS);
	if (ret) {
		errmsg_prefix(rd->err, "--wait %s", revere_wait_name(rd->wait));
		return ret;
	}
	rd->done |= REVERE_DONE_IRQ_VECTORS;
	rd_log(rd, REVERE_LOG_INFO,
	       "interrupts: MSI-X vector %u (%s) and %u (%s) on eventfds, --wait %s",
	       REVERE_VEC_MGT_RX, vector_names[REVERE_VEC_MGT_RX],
	       REVERE_VEC_RX, vector_names[REVERE_VEC_RX], revere_wait_name(rd->wait));
	return 0;
}

int revere_open_device(struct revere_dev *rd, const char *group,
		       const char *device)
{
	int ret;

	ret = vfio_open(rd->vfio, group, device);
	if (ret)
		return ret;
	ret = check_pci_ids(rd, device);
	if (!ret)
		ret = route_request(rd);
	if (ret)
		return ret;
	/* Start from power-on state (spec 8.10), whatever ran before us. */
	ret = vfio_reset(rd->vfio);
	if (ret && ret != -ENOTTY)
		return ret;
	/* No reset offered: go on, and let the next failure name itself. */
	if (ret)
		errmsg_clear(rd->err);
	ret = map_buffers(rd);
	if (!ret)
		ret = map_bar0(rd);
	if (ret)
		return ret;
	/* The device masters DMA only with BME set (spec 1). */
	ret = vfio_set_bus_master(rd->vfio, true);
	if (ret)
		return ret;
	rd->done |= REVERE_DONE_BUS_MASTER;
	ret = route_irqs(rd);
	if (ret)
		return ret;
	log_vfio_info(rd);
	rd_log(rd, REVERE_LOG_STEP,
	       "step 2: opened %s in %s (%04x:%04x%s), buffers at IOVA 0x%" PRIx64 ", BAR0 %s, bus mastering on",
	       device, group, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF,
	       rd->opts->simulated ? ", simulated device on the mock VFIO kernel" : "", rd->iova,
	       rd->vfio->bar0.map ? "mmap'd" : "through pread/pwrite");
	return 0;
}

/* ---- step 3: set-up ---- */

static int check_identity(struct revere_dev *rd)
{
	struct revere_probe *p = &rd->probe;
	unsigned int major;

	p->idr = rv_reg_read(rd->vfio, RV_AMU_IDR);
	p->aidr = rv_reg_read(rd->vfio, RV_AMU_AIDR);
	p->iidr = rv_reg_read(rd->vfio, RV_AMU_IIDR);
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err,
				     "reading the identification registers");
	rd_log(rd, REVERE_LOG_INFO,
	       "AMU_IDR 0x%016" PRIx64 ": AMI type %u, %u TX and %u RX AMS per AMI",
	       p->idr, (unsigned int)RV_FIELD_GET(RV_AMU_IDR_AMI_TYPE, p->idr),
	       (unsigned int)RV_FIELD_GET(RV_AMU_IDR_NUM_TX_AMS_M1, p->idr) + 1,
	       (unsigned int)RV_FIELD_GET(RV_AMU_IDR_NUM_RX_AMS_M1, p->idr) + 1);
	rd_log(rd, REVERE_LOG_INFO, "AMU_AIDR 0x%016" PRIx64 ", AMU_IIDR 0x%016" PRIx64,
	       p->aidr, p->iidr);
	major = (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MAJOR, p->aidr);
	if (major != 2)
		return errmsg_set(rd->err, ENODEV,
				   "%s implements Revere-AMU architecture %u.%u (AMU_AIDR 0x%" PRIx64 "); this demo supports 2.x",
				   rd->vfio->device_name, major,
				   (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MINOR, p->aidr),
				   p->aidr);
	return 0;
}

static void setup_socket(struct revere_dev *rd, unsigned int k,
			 const struct rv_ring *r)
{
	rv_reg_write(rd->vfio, RV_MSK_BASE_PTR(k), r->iova);
	rv_reg_write(rd->vfio, RV_MSK_CTRL(k),
		     RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, RV_MGT_LOG2_MSG_LENGTH) |
		     RV_FIELD_PREP(RV_MSK_CTRL_LOG2_SIZE, r->log2_size));
}

/*
 * The management sockets, then AMU_EN: the device processes commands only
 * while AMU_EN and BME are both set (spec 8.2). The indexes start from
 * whatever the device holds (zero after the reset of step 2). A failed
 * register write (pread/pwrite path) is caught before AMU_EN: the device
 * is never enabled with half-programmed sockets.
 */
static int setup_management(struct revere_dev *rd)
{
	setup_socket(rd, RV_MSK_CMD, &rd->cmd);
	setup_socket(rd, RV_MSK_RSP, &rd->rsp);
	setup_socket(rd, RV_MSK_EXC, &rd->exc);
	rd->cmd.prod = rd->cmd.cons = rv_reg_read(rd->vfio, RV_MGT_READ_INDEX_TX0);
	rv_reg_write(rd->vfio, RV_MGT_WRITE_INDEX_TX0, rd->cmd.prod);
	rd->rsp.prod = rd->rsp.cons = rv_reg_read(rd->vfio, RV_MGT_WRITE_INDEX_RX0);
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX0, rd->rsp.cons);
	rd->exc.prod = rd->exc.cons = rv_reg_read(rd->vfio, RV_MGT_WRITE_INDEX_RX1);
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX1, rd->exc.cons);
	if (rd->wait != REVERE_WAIT_POLL) {
		/*
		 * A response raises MGT_RX_VECTOR when MGT_RX_IRQ_CTRL is on and
		 * the response socket's bit (RX socket 0) is set in
		 * MGT_RX_DIGEST_MASK (spec 3, 8.8).
		 */
		rv_reg_write(rd->vfio, RV_MGT_RX_VECTOR, REVERE_VEC_MGT_RX);
		write_vector_mask(rd, REVERE_VEC_MGT_RX, true);
		rv_reg_write(rd->vfio, RV_MGT_RX_IRQ_CTRL, RV_MGT_IRQ_CTRL_EN);
		rd->done |= REVERE_DONE_MGT_IRQ;
	}
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err,
				     "setting up the management interface");
	rv_reg_write(rd->vfio, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	rd->done |= REVERE_DONE_AMU_ENABLED;
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err, "enabling the AMU");
	return 0;
}

static int too_few(struct revere_dev *rd, const char *what, uint32_t have,
		   uint32_t need)
{
	return errmsg_set(rd->err, ENODEV,
			   "%s: the device has %" PRIu32 " %s, the demo needs at least %" PRIu32 " (spec 7)",
			   rd->vfio->device_name, have, what, need);
}

static int probe(struct revere_dev *rd)
{
	const struct revere_probe *p = &rd->probe;
	int ret;

	ret = revere_mgt_pf_probe(rd, &rd->probe);
	if (!ret)
		ret = revere_mgt_f_probe(rd, &rd->probe);
	if (ret)
		return ret;
	rd_log(rd, REVERE_LOG_INFO,
	       "PF-PROBE: %" PRIu32 " AMI-SW, %" PRIu32 " AMI-HW, %" PRIu32 " ASN, %" PRIu32 " AHA; F-PROBE: %" PRIu32 " AMI per function",
	       p->max_ami_sw, p->max_ami_hw, p->max_asn, p->num_aha, p->ami_per_f);
	if (p->max_ami_sw < MIN_AMI_SW)
		return too_few(rd, "AMI-SW", p->max_ami_sw, MIN_AMI_SW);
	if (!rd->opts->loopback && p->max_ami_hw < MIN_AMI_HW)
		return too_few(rd, "AMI-HW", p->max_ami_hw, MIN_AMI_HW);
	if (p->max_asn < (rd->opts->loopback ? 1u : MIN_ASN))
		return too_few(rd, "ASN", p->max_asn, MIN_ASN);
	if (!rd->opts->loopback && p->num_aha < MIN_AHA)
		return too_few(rd, "AHA", p->num_aha, MIN_AHA);
	return 0;
}

/*
 * When the device accepted a set-up command, remember that teardown must
 * undo it: even if the call failed afterwards (a stray response).
 */
static int done_if_ok(struct revere_dev *rd, unsigned int flag, int ret)
{
	if (rd->mgt_accepted)
		rd->done |= flag;
	return ret;
}

static int map_amis(struct revere_dev *rd)
{
	int ret;

	ret = done_if_ok(rd, REVERE_DONE_AMI_SW_MAPPED,
			 revere_mgt_ami_sw_map(rd, AMI_SW));
	if (ret || rd->opts->loopback)
		return ret;
	/* Physical AMI-HW n of AHA 0 becomes AMI-HW n of function 0. */
	ret = done_if_ok(rd, REVERE_DONE_AMI_HW0_MAPPED,
			 revere_mgt_ami_hw_map(rd, AHA_INVERT, 0, 0));
	if (!ret)
		ret = done_if_ok(rd, REVERE_DONE_AMI_HW1_MAPPED,
				 revere_mgt_ami_hw_map(rd, AHA_INVERT, 1, 1));
	return ret;
}

static int create_sessions(struct revere_dev *rd)
{
	const struct revere_asn_end sw = { .ami_type = RV_AMI_TYPE_SW, .ami = AMI_SW, .ams = AMS };
	const struct revere_asn_end hw0 = { .ami_type = RV_AMI_TYPE_HW, .ami = 0, .ams = AMS };
	const struct revere_asn_end hw1 = { .ami_type = RV_AMI_TYPE_HW, .ami = 1, .ams = AMS };
	int ret;

	/* Loopback (spec 8.6): one session from the TX AMS to the RX AMS. */
	if (rd->opts->loopback)
		return done_if_ok(rd, REVERE_DONE_ASN0,
				  revere_mgt_asn_create(rd, ASN_TO_AHA, sw, sw, DATA_LOG2_MSG_LENGTH));
	ret = done_if_ok(rd, REVERE_DONE_ASN0,
			 revere_mgt_asn_create(rd, ASN_TO_AHA, sw, hw0, DATA_LOG2_MSG_LENGTH));
	if (!ret)
		ret = done_if_ok(rd, REVERE_DONE_ASN1,
				 revere_mgt_asn_create(rd, ASN_FROM_AHA, hw1, sw, DATA_LOG2_MSG_LENGTH));
	return ret;
}

/* Rings are configured while the AMI-SW is disabled (spec 7, status 2). */
static int configure_ami_sw(struct revere_dev *rd)
{
	int ret;

	ret = revere_mgt_ami_sw_configure(rd, AMI_SW,
					  rd->wait != REVERE_WAIT_POLL, REVERE_VEC_RX);
	if (!ret)
		ret = revere_mgt_ring_configure(rd, AMI_SW, AMS, RV_AMS_TYPE_TX,
						RX_MODE_BACK_PRESSURE, &rd->tx);
	if (!ret)
		ret = revere_mgt_ring_configure(rd, AMI_SW, AMS, RV_AMS_TYPE_RX,
						RX_MODE_BACK_PRESSURE, &rd->rx);
	if (ret)
		return ret;
	rd->tx.prod = rd->tx.cons = rv_reg_read(rd->vfio, TX_READ_INDEX);
	rd->rx.prod = rd->rx.cons = rv_reg_read(rd->vfio, RX_WRITE_INDEX);
	/* A failed read is all-ones: never a starting index to trust. */
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err,
				     "reading the ring indexes of AMI-SW %u", AMI_SW);
	rv_reg_write(rd->vfio, TX_WRITE_INDEX, rd->tx.prod);
	rv_reg_write(rd->vfio, RX_READ_INDEX, rd->rx.cons);
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "writing the ring indexes of AMI-SW %u", AMI_SW);
	if (rd->wait == REVERE_WAIT_POLL)
		return 0;
	/* RX AMS 0 raises RX_VECTOR only with its mask bit (spec 8.8). */
	rd->done |= REVERE_DONE_SW_IRQ;
	return set_vector_mask(rd, REVERE_VEC_RX, true);
}

static int enable_amis(struct revere_dev *rd)
{
	int ret = 0;

	if (!rd->opts->loopback) {
		ret = done_if_ok(rd, REVERE_DONE_AMI_HW0_ENABLED,
			 revere_mgt_ami_enable(rd, RV_OP_F_AMI_HW_ENABLE, 0));
		if (!ret)
			ret = done_if_ok(rd, REVERE_DONE_AMI_HW1_ENABLED,
				 revere_mgt_ami_enable(rd, RV_OP_F_AMI_HW_ENABLE, 1));
	}
	if (!ret)
		ret = done_if_ok(rd, REVERE_DONE_AMI_SW_ENABLED,
			 revere_mgt_ami_enable(rd, RV_OP_F_AMI_SW_ENABLE, AMI_SW));
	return ret;
}

int revere_setup(struct revere_dev *rd)
{
	int ret;

	ret = check_identity(rd);
	if (!ret)
		ret = setup_management(rd);
	if (!ret)
		ret = probe(rd);
	if (!ret)
		ret = map_amis(rd);
	if (!ret)
		ret = create_sessions(rd);
	if (!ret)
		ret = configure_ami_sw(rd);
	if (!ret)
		ret = enable_amis(rd);
	if (ret)
		return ret;
	if (rd->opts->loopback)
		rd_log(rd, REVERE_LOG_STEP,
		       "step 3: Revere-AMU v%u.%u set up: AMI-SW 0, loopback session 0 (TX AMS 0 -> RX AMS 0)",
		       (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MAJOR, rd->probe.aidr),
		       (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MINOR, rd->probe.aidr));
	else
		rd_log(rd, REVERE_LOG_STEP,
		       "step 3: Revere-AMU v%u.%u set up: AMI-SW 0, AMI-HW 0 and 1 of AHA 0, sessions 0 and 1",
		       (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MAJOR, rd->probe.aidr),
		       (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MINOR, rd->probe.aidr));
	return 0;
}

/* ---- step 4: the exchange ---- */

/* Message i carries the byte i mod 256 (spec 7). */
static uint8_t msg_byte(uint64_t i)
{
	return (uint8_t)i;
}

/* --queue-depth, 0 (unset) meaning the ring size. */
static uint64_t queue_depth(const struct revere_dev *rd)
{
	unsigned int d = rd->opts->queue_depth;

	return d && d < REVERE_RING_SLOTS ? d : REVERE_RING_SLOTS;
}

/*
 * Fill as many free TX slots as allowed (no more than queue_depth()
 * messages sent and not yet verified), then ring the doorbell once: the
 * TX read index is read only when the ring looks full, the write index
 * written once per batch. The batch's messages are stamped with one clock
 * read, just before the doorbell.
 */
static int send_messages(struct revere_dev *rd)
{
	uint64_t first = rd->sent, depth = queue_depth(rd), now;
	int ret;

	if (rv_ring_full(&rd->tx)) {
		ret = rv_ring_refresh(rd->vfio, rd->err, &rd->tx);
		if (ret)
			return ret;
	}
	while (rd->sent < rd->opts->packets && !rv_ring_full(&rd->tx) &&
	       rd->sent - rd->verified < depth) {
		rv_slot_fill(&rd->tx, rd->tx.prod, msg_byte(rd->sent));
		rd->tx.prod++;
		rd->sent++;
	}
	if (rd->sent == first)
		return 0;
	now = rv_now_ns();
	for (uint64_t i = first; i < rd->sent; i++)
		rd->sent_ns[i % REVERE_RING_SLOTS] = now;
	rv_ring_doorbell(rd->vfio, &rd->tx);
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err,
				     "exchange: writing the TX AMS 0 write index");
	return 0;
}

/* One round trip into the histogram: a few adds, no allocation. */
static void record_latency(struct revere_figures *f, uint64_t ns)
{
	unsigned int b = ns ? 64 - (unsigned int)__builtin_clzll(ns) : 0;

	f->lat_buckets[b]++;
	f->lat_count++;
	f->lat_sum_ns += ns;
	if (ns > f->lat_max_ns)
		f->lat_max_ns = ns;
}

uint64_t revere_latency_quantile(const struct revere_figures *f,
				 unsigned int num, unsigned int den)
{
	uint64_t rank, seen = 0, top;

	if (!f->lat_count)
		return 0;
	/* The smallest round trip with at least num/den of them at or below. */
	rank = (f->lat_count * num + den - 1) / den;
	if (!rank)
		rank = 1;
	for (unsigned int b = 0; b < REVERE_LAT_BUCKETS; b++) {
		seen += f->lat_buckets[b];
		if (seen < rank)
			continue;
		top = b == 0 ? 0 : b >= 64 ? UINT64_MAX : (1ull << b) - 1;
		return top < f->lat_max_ns ? top : f->lat_max_ns;
	}
	return f->lat_max_ns;
}

/* Every byte of the message in RX slot rd->rx.cons, word by word. */
static int verify_message(struct revere_dev *rd, uint64_t now)
{
	uint64_t i = rd->verified;
	uint8_t want = rd->opts->loopback ? msg_byte(i) : (uint8_t)~msg_byte(i);
	uint8_t found;
	uint32_t off;

	if (!rv_slot_verify(&rd->rx, rd->rx.cons, want, &off, &found))
		return errmsg_set(rd->err, EBADMSG,
				   "message %" PRIu64 " (RX AMS 0 slot %" PRIu64 "), byte %" PRIu32 ": expected 0x%02x, found 0x%02x",
				   i, (rd->rx.cons & (rv_ring_size(&rd->rx) - 1)),
				   off, want, found);
	record_latency(&rd->fig, now - rd->sent_ns[i % REVERE_RING_SLOTS]);
	rd->verified++;
	return 0;
}

/*
 * Check every message that has arrived, then give the slots back: the RX
 * write index read once, the read index written once, per batch. The
 * wait's check (revere_check_fn): > 0 when messages were verified.
 */
static int receive_messages(struct revere_dev *rd, void *arg)
{
	uint64_t first = rd->rx.cons, now;
	int ret;

	(void)arg;
	ret = rv_ring_refresh(rd->vfio, rd->err, &rd->rx);
	if (ret)
		return ret;
	if (rv_ring_empty(&rd->rx))
		/* A failed BAR0 access: stop as the timeout does, naming it. */
		return rd->vfio->bar_io_error ? -ETIMEDOUT : 0;
	/* The device may not deliver more messages than were sent. */
	if (rd->verified + rv_ring_used(&rd->rx) > rd->sent)
		return rv_ring_bad_index(rd->err, &rd->rx, "write", rd->rx.prod);
	rv_rmb();
	/* One clock read for the batch: its messages arrived by now. */
	now = rv_now_ns();
	while (!rv_ring_empty(&rd->rx)) {
		ret = verify_message(rd, now);
		if (ret)
			return ret;
		rd->rx.cons++;
	}
	/* Moderation's measure of the device (moderation.h): irq waits only. */
	if (rd->wait != REVERE_WAIT_POLL)
		rv_pace_note(&rd->pace, rd->rx.cons - first, now,
			     rd->verified == rd->sent);
	rv_ring_doorbell(rd->vfio, &rd->rx);
	if (rd->vfio->bar_io_error)
		return rv_bar_failed(rd->vfio, rd->err,
				     "exchange: writing the RX AMS 0 read index");
	return rd->rx.cons != first;
}

static int exchange_timeout(struct revere_dev *rd)
{
	char what[96];

	/* Read the TX read index for the message: where did it stop? */
	rv_ring_refresh(rd->vfio, rd->err, &rd->tx);
	errmsg_set(rd->err, ETIMEDOUT,
		    "exchange: no message for %u ms after %" PRIu64 " of %" PRIu64 " (TX AMS 0 read %" PRIu64 " write %" PRIu64 ", RX AMS 0 read %" PRIu64 " write %" PRIu64 ")%s",
		    rd->opts->timeout_ms, rd->verified, rd->opts->packets,
		    rd->tx.cons, rd->tx.prod, rd->rx.cons, rd->rx.prod,
		    revere_wait_what(rd, REVERE_VEC_RX, what, sizeof(what)));
	rv_hint_device_state(rd->vfio, rd->err);
	return -ETIMEDOUT;
}

static void log_wakeups(struct revere_dev *rd)
{
	if (rd->wait == REVERE_WAIT_POLL)
		return;
	for (unsigned int v = 0; v < REVERE_NUM_VECTORS; v++)
		rd_log(rd, REVERE_LOG_INFO,
		       "MSI-X vector %u (%s): %" PRIu64 " wake-ups, %" PRIu64 " with nothing new",
		       v, vector_names[v], rd->wakeups[v], rd->idle_wakeups[v]);
	if (rd->dozes[REVERE_VEC_RX])
		rd_log(rd, REVERE_LOG_INFO,
		       "%s: %" PRIu64 " dozes with its interrupt masked, at %" PRIu64 " ns a message",
		       vector_names[REVERE_VEC_RX], rd->dozes[REVERE_VEC_RX],
		       rd->pace.ns);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int exchange_interrupted(struct revere_dev *rd)
{
	return errmsg_set(rd->err, EINTR,
			   "exchange: interrupted after %" PRIu64 " of %" PRIu64 " messages",
			   rd->verified, rd->opts->packets);
}

static int exchange_loop(struct revere_dev *rd)
{
	uint64_t timeout = rd->opts->timeout_ms * NSEC_PER_MSEC;
	uint64_t next_progress = rd->fig.start_ns + rd->opts->progress_ns, now;
	int ret;

	while (rd->verified < rd->opts->packets) {
		ret = send_messages(rd);
		if (ret)
			return ret;
		/* --timeout bounds the time without progress. */
		ret = revere_wait(rd, REVERE_VEC_RX, rv_now_ns() + timeout, true,
				  rv_doze_ns(&rd->pace, rd->sent - rd->verified),
				  receive_messages, NULL);
		if (ret == -EINTR)
			return exchange_interrupted(rd);
		if (ret == -ETIMEDOUT)
			return exchange_timeout(rd);
		if (ret < 0)
			return ret;
		if (!rd->opts->progress || !rd->opts->progress_ns)
			continue;
		now = rv_now_ns();
		if (now < next_progress || rd->verified == rd->opts->packets)
			continue;
		rd->opts->progress(rd->opts->log_arg, rd->verified,
				   now - rd->fig.start_ns);
		next_progress = now + rd->opts->progress_ns;
	}
	return 0;
}

/* "in 1.234 ms" below a second, "in 12.345 s" from there. */
static void format_elapsed(char *buf, size_t len, uint64_t ns)
{
	if (ns < NSEC_PER_SEC)
		snprintf(buf, len, "%.3f ms", (double)ns / NSEC_PER_MSEC);
	else
		snprintf(buf, len, "%.3f s", (double)ns / NSEC_PER_SEC);
}

/*
 * The exchange spins on BAR0 without a system call: a thread watches the
 * device request's eventfd for it, and the loop looks at a flag.
 */
static int watch_request(struct revere_dev *rd)
{
	int ret;

	if (rd->vfio->req_fd < 0 || rd->vfio->req_fired)
		return 0;
	ret = fd_watch_start(&rd->req_watch, rd->vfio->req_fd);
	/* The first look reads it: a request from before the watcher. */
	rd->req_check = true;
	if (!ret)
		return 0;
	errmsg_set_errno(rd->err, -ret,
			 "exchange: cannot start the thread that watches the device request of %s",
			 rd->vfio->device_name);
	/* fd_watch_start() needs an eventfd, then a thread. */
	if (ret == -EMFILE || ret == -ENFILE)
		errmsg_hint(rd->err, "raise the limit on open files (ulimit -n)");
	else if (ret == -EAGAIN)
		errmsg_hint(rd->err, "raise the limit on threads (ulimit -u)");
	else
		errmsg_hint(rd->err, "check free memory");
	return ret;
}

int revere_exchange(struct revere_dev *rd)
{
	struct revere_figures *f = &rd->fig;
	uint64_t cpu, irqs = rd->wakeups[REVERE_VEC_RX];
	uint64_t dozes = rd->dozes[REVERE_VEC_RX];
	double secs, mean_us;
	char took[32];
	int ret;

	rd_log(rd, REVERE_LOG_INFO, "exchange: %" PRIu64 " messages of %u bytes, at most %" PRIu64 " in flight",
	       rd->opts->packets, rd->msg_size, queue_depth(rd));
	ret = watch_request(rd);
	if (ret)
		return ret;
	cpu = thread_cpu_ns();
	f->started = true;
	f->bar0_mmap = rd->vfio->bar0.map != NULL;
	f->start_ns = rv_now_ns();
	ret = exchange_loop(rd);
	f->elapsed_ns = rv_now_ns() - f->start_ns;
	f->cpu_ns = thread_cpu_ns() - cpu;
	fd_watch_stop(&rd->req_watch);
	/*
	 * On a loaded machine the watcher thread may not have had a core
	 * since the request came: one look at the eventfd itself as the
	 * exchange ends, so a request made while it ran always stops the run
	 * (design.md, "The device request").
	 */
	rd->req_check = true;
	if (!ret && revere_stop_requested(rd))
		ret = exchange_interrupted(rd);
	f->interrupts = rd->wakeups[REVERE_VEC_RX] - irqs;
	f->dozes = rd->dozes[REVERE_VEC_RX] - dozes;
	if (ret)
		return ret;
	log_wakeups(rd);
	if (!f->elapsed_ns)
		f->elapsed_ns = 1;
	secs = (double)f->elapsed_ns / NSEC_PER_SEC;
	mean_us = f->lat_count ?
		  (double)f->lat_sum_ns / (double)f->lat_count / 1000 : 0;
	format_elapsed(took, sizeof(took), f->elapsed_ns);
	rd_log(rd, REVERE_LOG_STEP,
	       "step 4: %" PRIu64 " messages of %u bytes %s and verified in %s: %.0f messages/s, %.1f MB/s, mean round trip %.1f us",
	       rd->verified, rd->msg_size,
	       rd->opts->loopback ? "looped back" : "inverted", took,
	       (double)rd->verified / secs,
	       (double)rd->verified * rd->msg_size / secs / 1e6, mean_us);
	return 0;
}

/* ---- step 5: teardown ---- */

/*
 * What each set-up command did, and the command that undoes it. Teardown
 * walks the table backwards: AMIs disabled first, so no message moves,
 * then the sessions destroyed, then the AMIs unmapped; within each kind in
 * the order set-up went.
 */
static const struct undo_step {
	unsigned int done;	/* enum revere_done bit */
	unsigned int op;	/* the command that undoes it */
	unsigned int id;	/* of the AMI or session */
} undo_steps[] = {
	{ REVERE_DONE_AMI_HW1_MAPPED,	RV_OP_PF_AMI_HW_UNMAP,	1 },
	{ REVERE_DONE_AMI_HW0_MAPPED,	RV_OP_PF_AMI_HW_UNMAP,	0 },
	{ REVERE_DONE_AMI_SW_MAPPED,	RV_OP_PF_AMI_SW_UNMAP,	AMI_SW },
	{ REVERE_DONE_ASN1,		RV_OP_PF_ASN_DESTROY,	ASN_FROM_AHA },
	{ REVERE_DONE_ASN0,		RV_OP_PF_ASN_DESTROY,	ASN_TO_AHA },
	{ REVERE_DONE_AMI_HW1_ENABLED,	RV_OP_F_AMI_HW_DISABLE,	1 },
	{ REVERE_DONE_AMI_HW0_ENABLED,	RV_OP_F_AMI_HW_DISABLE,	0 },
	{ REVERE_DONE_AMI_SW_ENABLED,	RV_OP_F_AMI_SW_DISABLE,	AMI_SW },
};

/*
 * A teardown step failed: named in a "teardown:" line, and the device is
 * reset at the end of quiescing (reset_device()), since what it still
 * holds is unknown. Teardown goes on with the next step.
 */
static void teardown_failed(struct revere_dev *rd, int ret, int *first)
{
	rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->err->msg);
	rd->reset_needed = true;
	if (!*first)
		*first = ret;
}

/* One teardown step: send it if set-up did its part, log a failure, go on. */
static void undo(struct revere_dev *rd, const struct undo_step *u, int *first)
{
	int ret;

	if (!(rd->done & u->done))
		return;
	rd->done &= ~u->done;
	if (rd->mgt_dead) {
		rd->skipped++;
		return;
	}
	/* An earlier failure was reported where it happened. */
	vfio_bar0_error_clear(rd->vfio);
	errmsg_clear(rd->err);
	ret = revere_mgt_undo(rd, u->op, u->id);
	if (ret)
		teardown_failed(rd, ret, first);
}

/*
 * A register write of teardown. One that failed (pread/pwrite path) left
 * the register as it was: an interrupt unmasked, the AMU still on.
 */
static void quiesce_write(struct revere_dev *rd, uint64_t reg, uint64_t val,
			  const char *what, int *first)
{
	vfio_bar0_error_clear(rd->vfio);
	errmsg_clear(rd->err);
	rv_reg_write(rd->vfio, reg, val);
	if (vfio_bar0_error(rd->vfio))
		teardown_failed(rd, rv_bar_failed(rd->vfio, rd->err, "%s", what),
				first);
}

static void quiesce_vector(struct revere_dev *rd, enum revere_vector vector,
			   int *first)
{
	char what[64];

	snprintf(what, sizeof(what), "masking the %s interrupt",
		 vector_names[vector]);
	quiesce_write(rd, vector_mask[vector].reg, 0, what, first);
}

/*
 * What the device holds is unknown: the management interface lost track
 * of a command (mgt_dead), so no command may be sent, or a teardown step
 * failed. A function reset brings every mapping, session, ring and
 * register back to power-on (spec 8.10), which the steps would have done.
 */
static void reset_device(struct revere_dev *rd, int *first)
{
	int ret;

	if (rd->skipped)
		rd_log(rd, REVERE_LOG_WARN,
		       "teardown: the management interface is not answering, %u command%s not sent; resetting the device",
		       rd->skipped, rd->skipped == 1 ? "" : "s");
	else if (rd->mgt_dead)
		rd_log(rd, REVERE_LOG_WARN,
		       "teardown: the management interface lost track of a command; resetting the device");
	else
		rd_log(rd, REVERE_LOG_WARN,
		       "teardown: a step failed; resetting the device to power-on (spec 8.10)");
	errmsg_clear(rd->err);
	ret = vfio_reset(rd->vfio);
	if (!ret)
		return;
	rd_log(rd, REVERE_LOG_WARN, "teardown: %s; the device may stay configured until it is reset",
	       rd->err->msg);
	if (!*first)
		*first = ret;
}

static void quiesce_revere(struct revere_dev *rd, int *first)
{
	size_t i = sizeof(undo_steps) / sizeof(undo_steps[0]);

	while (i--)
		undo(rd, &undo_steps[i], first);
	/*
	 * The device stops raising interrupts before the vectors are
	 * released (release_vfio()): the last command has been answered,
	 * and the AMI-SW no longer receives (spec 8.8).
	 */
	if (rd->done & REVERE_DONE_SW_IRQ) {
		rd->done &= ~REVERE_DONE_SW_IRQ;
		quiesce_vector(rd, REVERE_VEC_RX, first);
	}
	if (rd->done & REVERE_DONE_MGT_IRQ) {
		rd->done &= ~REVERE_DONE_MGT_IRQ;
		quiesce_write(rd, RV_MGT_RX_IRQ_CTRL, 0,
			      "turning management interrupts off", first);
		quiesce_vector(rd, REVERE_VEC_MGT_RX, first);
	}
	if (rd->done & REVERE_DONE_AMU_ENABLED) {
		rd->done &= ~REVERE_DONE_AMU_ENABLED;
		quiesce_write(rd, RV_AMU_CR, 0, "turning the AMU off", first);
	}
	if ((rd->mgt_dead || rd->reset_needed) && rd->vfio->device_fd >= 0)
		reset_device(rd, first);
}

static void release_vfio(struct revere_dev *rd, int *first)
{
	int ret;

	/* After the device stopped raising them (quiesce_revere()). */
	if (rd->done & REVERE_DONE_IRQ_VECTORS) {
		rd->done &= ~REVERE_DONE_IRQ_VECTORS;
		errmsg_clear(rd->err);
		ret = vfio_irq_disable(rd->vfio);
		if (ret) {
			rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->err->msg);
			*first = *first ? *first : ret;
		}
	}
	/* After the AMU is off: no DMA may be under way when BME drops. */
	if (rd->done & REVERE_DONE_BUS_MASTER) {
		rd->done &= ~REVERE_DONE_BUS_MASTER;
		errmsg_clear(rd->err);
		ret = vfio_set_bus_master(rd->vfio, false);
		if (ret) {
			/* vfio_pci_core_disable() clears it as the fd closes. */
			errmsg_prefix(rd->err, "clearing bus mastering");
			errmsg_hint(rd->err, "vfio-pci clears it when the device is released");
			rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->err->msg);
			*first = *first ? *first : ret;
		}
	}
	/* Unmaps DMA, unmaps BAR0, closes device, group, container. */
	errmsg_clear(rd->err);
	ret = vfio_close(rd->vfio);
	if (ret) {
		rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->err->msg);
		*first = *first ? *first : ret;
	}
}

int revere_teardown(struct revere_dev *rd)
{
	struct errmsg saved = *rd->err;
	bool had_device = rd->vfio->device_fd >= 0;
	int first = 0;

	rd->tearing_down = true;
	quiesce_revere(rd, &first);
	release_vfio(rd, &first);
	if (rd->mem) {
		vfio_dma_free(rd->vfio, rd->mem);
		rd->mem = NULL;
	}
	/* The error that stopped the run is the one main() reports. */
	if (saved.err)
		*rd->err = saved;
	if (had_device)
		rd_log(rd, REVERE_LOG_STEP, "step 5: torn down%s",
		       first ? " (with errors, see above)" : "");
	return first;
}
