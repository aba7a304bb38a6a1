// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere-AMU driver of the demo: the README's steps and their
 * teardown. Facts come from doc/revere-amu-v2.md (cited as "spec N");
 * where the facts are silent the code follows the project's decisions of
 * spec section 8 and says so. The management commands are revere_mgt.c's,
 * every wait for the device revere_wait.c's, step 4's rings
 * revere_datapath.c's.
 */
#include "revere_dev.h"
#include "revere_config.h"
#include "revere_datapath.h"
#include "revere_figures.h"
#include "revere_layout.h"
#include "revere_mgt.h"
#include "revere_wait.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>

_Static_assert(1u << DATA_LOG2_SIZE == REVERE_RING_SLOTS,
	       "REVERE_RING_SLOTS is the data rings' size");

/*
 * Where the buffers appear to the device. Any IOVA the IOMMU accepts will
 * do; this one is below 4 GiB for devices with 32-bit DMA and clear of the
 * x86 MSI window at 0xfee00000.
 */
#define DEMO_IOVA		0x10000000ull

/* BAR0 must reach the management page and AMI-SW page 0 (spec 2). */
#define BAR0_MIN_SIZE		(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_PAGE_SIZE)

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

int revere_alloc_buffers(struct revere_dev *rd)
{
	rd->mem_size = revere_buffer_size();
	/* Zeroed, aligned for any IOMMU page up to REVERE_BUF_ALIGN. */
	rd->mem = vfio_dma_alloc(rd->vfio, rd->mem_size, REVERE_BUF_ALIGN);
	if (!rd->mem)
		return -rd->err->err;
	revere_layout_rings(rd);
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
	errmsg_hint(rd->err, "%s",
		    !strcmp(vfio_transport_name(rd->vfio), "vfio-user") ?
		    "point --vfio-user at the Revere-AMU model's socket" :
		    "check --device and --vfio-group");
	return -ENODEV;
}

static int map_buffers(struct revere_dev *rd)
{
	uint64_t page = vfio_iommu_page_size(rd->vfio);
	int ret;

	if (page > REVERE_BUF_ALIGN)
		return errmsg_set(rd->err, EINVAL,
				   "IOMMU page size %" PRIu64 " is larger than the %llu the buffers are aligned to",
				   page, REVERE_BUF_ALIGN);
	ret = vfio_dma_map(rd->vfio, rd->mem, rd->iova, rd->mem_size);
	return ret;
}

static int map_bar0(struct revere_dev *rd)
{
	int ret = vfio_bar0_map(rd->vfio, rd->opts->bar0_rw);

	if (ret)
		return ret;
	if (vfio_bar0_size(rd->vfio) < BAR0_MIN_SIZE)
		return errmsg_set(rd->err, ENODEV,
				   "BAR0 of %s is %" PRIu64 " bytes, the Revere-AMU needs at least %llu (spec 2)",
				   vfio_device_name(rd->vfio), vfio_bar0_size(rd->vfio),
				   (unsigned long long)BAR0_MIN_SIZE);
	return 0;
}

static void log_vfio_info(struct revere_dev *rd)
{
	const struct vfio_dev *v = rd->vfio;
	char ctx[ERRMSG_LEN];

	vfio_iommu_context(v, ctx, sizeof(ctx));
	rd_log(rd, REVERE_LOG_INFO, "IOMMU: %s, page sizes 0x%" PRIx64 ": %s",
	       vfio_iommu_name(v), vfio_iommu_page_sizes(v), ctx);
	rd_log(rd, REVERE_LOG_INFO, "BAR0: %" PRIu64 " bytes at region offset 0x%" PRIx64 ", %s",
	       vfio_bar0_size(v), vfio_bar0_offset(v),
	       vfio_bar0_mapped(v) ? "mmap'd" : "accessed through pread/pwrite");
	rd_log(rd, REVERE_LOG_INFO, "DMA: %zu bytes at IOVA 0x%" PRIx64,
	       rd->mem_size, rd->iova);
}

int revere_open_device(struct revere_dev *rd,
		       const struct vfio_target *target)
{
	const char *device = target->device;
	int ret;

	ret = vfio_open(rd->vfio, target->path, device);
	if (ret)
		return ret;
	ret = check_pci_ids(rd, device);
	if (!ret)
		ret = revere_route_request(rd);
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
	ret = revere_route_irqs(rd);
	if (ret)
		return ret;
	log_vfio_info(rd);
	/* A vfio-user device's name is its socket: the way there is vfio-user. */
	rd_log(rd, REVERE_LOG_STEP,
	       "step 2: opened %s via %s (%04x:%04x, IOMMU %s%s), buffers at IOVA 0x%" PRIx64 ", BAR0 %s, bus mastering on",
	       device, strcmp(device, target->path) ? target->path :
	       vfio_transport_name(rd->vfio), RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF,
	       vfio_iommu_name(rd->vfio),
	       rd->opts->simulated ? ", simulated device on the mock VFIO kernel" : "", rd->iova,
	       vfio_bar0_mapped(rd->vfio) ? "mmap'd" : "through pread/pwrite");
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
	if (vfio_bar0_error(rd->vfio))
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
				   vfio_device_name(rd->vfio), major,
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
 * A response raises MGT_RX_VECTOR when MGT_RX_IRQ_CTRL is on and the
 * response socket's bit (RX socket 0) is set in MGT_RX_DIGEST_MASK
 * (spec 3, 8.8).
 */
static int setup_management_irq(struct revere_dev *rd)
{
	int ret;

	rv_reg_write(rd->vfio, RV_MGT_RX_VECTOR, REVERE_VEC_MGT_RX);
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "setting up the management interface");
	rd->done |= REVERE_DONE_MGT_IRQ;
	ret = revere_vector_mask(rd, REVERE_VEC_MGT_RX, true);
	if (ret)
		return ret;
	rv_reg_write(rd->vfio, RV_MGT_RX_IRQ_CTRL, RV_MGT_IRQ_CTRL_EN);
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "turning management interrupts on");
	return 0;
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
	int ret;

	setup_socket(rd, RV_MSK_CMD, &rd->cmd);
	setup_socket(rd, RV_MSK_RSP, &rd->rsp);
	setup_socket(rd, RV_MSK_EXC, &rd->exc);
	rd->cmd.prod = rd->cmd.cons = rv_reg_read(rd->vfio, RV_MGT_READ_INDEX_TX0);
	rv_reg_write(rd->vfio, RV_MGT_WRITE_INDEX_TX0, rd->cmd.prod);
	rd->rsp.prod = rd->rsp.cons = rv_reg_read(rd->vfio, RV_MGT_WRITE_INDEX_RX0);
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX0, rd->rsp.cons);
	rd->exc.prod = rd->exc.cons = rv_reg_read(rd->vfio, RV_MGT_WRITE_INDEX_RX1);
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX1, rd->exc.cons);
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "setting up the management interface");
	if (rd->wait != REVERE_WAIT_POLL) {
		ret = setup_management_irq(rd);
		if (ret)
			return ret;
	}
	rv_reg_write(rd->vfio, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	rd->done |= REVERE_DONE_AMU_ENABLED;
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err, "enabling the AMU");
	return 0;
}

static int too_few(struct revere_dev *rd, const char *what, uint32_t have,
		   uint32_t need)
{
	return errmsg_set(rd->err, ENODEV,
			   "%s: the device has %" PRIu32 " %s, the demo needs at least %" PRIu32 " (spec 7)",
			   vfio_device_name(rd->vfio), have, what, need);
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
	if (vfio_bar0_error(rd->vfio))
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
	return revere_vector_mask(rd, REVERE_VEC_RX, true);
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

int revere_exchange(struct revere_dev *rd)
{
	struct revere_figures *f = &rd->fig;
	uint64_t irqs = rd->wakeups[REVERE_VEC_RX];
	uint64_t dozes = rd->dozes[REVERE_VEC_RX];
	double secs, mean_us;
	char took[32];
	int ret;

	rd_log(rd, REVERE_LOG_INFO, "exchange: %" PRIu64 " messages of %u bytes, at most %" PRIu64 " in flight",
	       rd->opts->packets, rd->msg_size, revere_queue_depth(rd));
	ret = revere_watch_start(rd);
	if (ret)
		return ret;
	revere_figures_start(f, vfio_bar0_mapped(rd->vfio));
	ret = revere_datapath_run(rd);
	revere_figures_stop(f);
	/*
	 * On a loaded machine the watcher thread may not have had a core
	 * since the request came: revere_watch_stop() looks at the eventfd
	 * itself, so a request made while the exchange ran always stops the
	 * run (design.md, "The device request").
	 */
	if (revere_watch_stop(rd) && !ret)
		ret = revere_exchange_interrupted(rd);
	f->interrupts = rd->wakeups[REVERE_VEC_RX] - irqs;
	f->dozes = rd->dozes[REVERE_VEC_RX] - dozes;
	if (ret)
		return ret;
	revere_wait_report(rd);
	/* A rate divides by it. */
	if (!f->elapsed_ns)
		f->elapsed_ns = 1;
	secs = (double)f->elapsed_ns / NSEC_PER_SEC;
	mean_us = f->lat_count ?
		  (double)f->lat_sum_ns / (double)f->lat_count / 1000 : 0;
	revere_format_elapsed(took, sizeof(took), f->elapsed_ns);
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
	int ret;

	vfio_bar0_error_clear(rd->vfio);
	errmsg_clear(rd->err);
	ret = revere_vector_mask(rd, vector, false);
	if (ret)
		teardown_failed(rd, ret, first);
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
	if ((rd->mgt_dead || rd->reset_needed) && vfio_device_is_open(rd->vfio))
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

/*
 * The device went away (its vfio-user server left): nothing reaches it to
 * quiesce it, and whatever served it let go of it. Said once; what this
 * process holds is still released.
 */
static bool device_gone(struct revere_dev *rd, int *first)
{
	int lost = vfio_device_lost(rd->vfio);

	if (!lost)
		return false;
	rd_log(rd, REVERE_LOG_WARN,
	       "teardown: %s cannot be reached (%s): it was not quiesced (AMIs, AMU and bus mastering left as they were); releasing what this process holds",
	       vfio_device_name(rd->vfio), strerror(-lost));
	rd->done &= ~(REVERE_DONE_BUS_MASTER | REVERE_DONE_SW_IRQ |
		      REVERE_DONE_MGT_IRQ | REVERE_DONE_AMU_ENABLED);
	for (size_t i = 0; i < sizeof(undo_steps) / sizeof(undo_steps[0]); i++)
		rd->done &= ~undo_steps[i].done;
	*first = lost;
	return true;
}

int revere_teardown(struct revere_dev *rd)
{
	struct errmsg saved = *rd->err;
	bool had_device = vfio_device_is_open(rd->vfio);
	int first = 0;

	rd->tearing_down = true;
	if (!device_gone(rd, &first))
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
