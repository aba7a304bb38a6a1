// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere-AMU driver of the demo. Facts come from
 * ../shared/spec/revere-amu-v2.md (cited as "spec N"); where the facts are
 * silent the code follows the project's decisions of spec section 8 and
 * says so.
 */
#include "revere_dev.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
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
#define RX_MODE_BACK_PRESSURE	0

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

#define NSEC_PER_MSEC		1000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define rd_log(rd, level, ...) \
	do { \
		if ((rd)->opts->log) \
			(rd)->opts->log((rd)->opts->log_arg, level, __VA_ARGS__); \
	} while (0)

static bool stop_requested(const struct revere_dev *rd)
{
	return !rd->tearing_down && rd->opts->stop && *rd->opts->stop;
}

/* A VFIO failure: its message is already complete, adopt it. */
static int vfio_failed(struct revere_dev *rd, int ret)
{
	return errmsg_setf(&rd->err, -ret, "%s", rd->vfio->err.msg);
}

void revere_init(struct revere_dev *rd, struct vfio_dev *vfio,
		 const struct revere_opts *opts)
{
	*rd = (struct revere_dev){
		.vfio = vfio,
		.opts = opts,
		.iova = DEMO_IOVA,
		.msg_size = 8u << DATA_LOG2_MSG_LENGTH,
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
int revere_alloc_buffers(struct revere_dev *rd)
{
	size_t mgt = align_up(3 * ((size_t)RV_MSG_SIZE << MGT_LOG2_SIZE), 4096);
	size_t data = (size_t)rd->msg_size << DATA_LOG2_SIZE;
	size_t off = 0;
	void *p;

	rd->mem_size = align_up(mgt + 2 * data, BUF_ALIGN);
	/* Anonymous mmap: page aligned and zeroed; pinned by MAP_DMA. */
	p = mmap(NULL, rd->mem_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return errmsg_set(&rd->err, errno,
				  "allocating %zu bytes of I/O buffers", rd->mem_size);
	rd->mem = p;
	ring_place(rd, &rd->cmd, "command ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	ring_place(rd, &rd->rsp, "response ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	ring_place(rd, &rd->exc, "exception ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	off = mgt;
	ring_place(rd, &rd->tx, "TX AMS 0", &off, DATA_LOG2_SIZE, rd->msg_size);
	ring_place(rd, &rd->rx, "RX AMS 0", &off, DATA_LOG2_SIZE, rd->msg_size);
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
		return vfio_failed(rd, ret);
	if (vendor == RV_PCI_VENDOR_ARM && devid == RV_PCI_DEVICE_PF)
		return 0;
	errmsg_setf(&rd->err, ENODEV,
		    "%s is PCI device %04x:%04x, not a Revere-AMU PF (%04x:%04x)",
		    device, vendor, devid, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
	errmsg_hint(&rd->err, "check --device and --vfio-group");
	return -ENODEV;
}

static int map_buffers(struct revere_dev *rd)
{
	uint64_t page = vfio_iommu_page_size(rd->vfio);
	int ret;

	if (page > BUF_ALIGN)
		return errmsg_setf(&rd->err, EINVAL,
				   "IOMMU page size %" PRIu64 " is larger than the %llu the buffers are aligned to",
				   page, BUF_ALIGN);
	ret = vfio_dma_map(rd->vfio, rd->mem, rd->iova, rd->mem_size);
	return ret ? vfio_failed(rd, ret) : 0;
}

static int map_bar0(struct revere_dev *rd)
{
	int ret = vfio_bar0_map(rd->vfio, false);

	if (ret)
		return vfio_failed(rd, ret);
	if (rd->vfio->bar0.size < BAR0_MIN_SIZE)
		return errmsg_setf(&rd->err, ENODEV,
				   "BAR0 of %s is %" PRIu64 " bytes, the Revere-AMU needs at least %llu (spec 2)",
				   rd->vfio->device_name, rd->vfio->bar0.size,
				   (unsigned long long)BAR0_MIN_SIZE);
	return 0;
}

static void log_vfio_info(struct revere_dev *rd)
{
	const struct vfio_dev *v = rd->vfio;

	rd_log(rd, REVERE_LOG_INFO, "IOMMU: type1%s, page sizes 0x%" PRIx64,
	       v->iommu_type == VFIO_TYPE1v2_IOMMU ? "v2" : "", v->iova_pgsizes);
	rd_log(rd, REVERE_LOG_INFO, "BAR0: %" PRIu64 " bytes at region offset 0x%" PRIx64 ", %s",
	       v->bar0.size, v->bar0.offset,
	       v->bar0.map ? "mmap'd" : "accessed through pread/pwrite");
	rd_log(rd, REVERE_LOG_INFO, "DMA: %zu bytes at IOVA 0x%" PRIx64,
	       rd->mem_size, rd->iova);
}

int revere_open_device(struct revere_dev *rd, const char *group,
		       const char *device)
{
	int ret;

	ret = vfio_open(rd->vfio, group, device);
	if (ret)
		return vfio_failed(rd, ret);
	ret = check_pci_ids(rd, device);
	if (ret)
		return ret;
	/* Start from power-on state (spec 8.10), whatever ran before us. */
	ret = vfio_reset(rd->vfio);
	if (ret && ret != -ENOTTY)
		return vfio_failed(rd, ret);
	/* No reset offered: go on, and let the next failure name itself. */
	if (ret)
		errmsg_clear(&rd->vfio->err);
	ret = map_buffers(rd);
	if (!ret)
		ret = map_bar0(rd);
	if (ret)
		return ret;
	/* The device masters DMA only with BME set (spec 1). */
	ret = vfio_set_bus_master(rd->vfio, true);
	if (ret)
		return vfio_failed(rd, ret);
	rd->done |= DONE_BUS_MASTER;
	log_vfio_info(rd);
	rd_log(rd, REVERE_LOG_STEP,
	       "step 2: opened %s in %s (%04x:%04x), buffers at IOVA 0x%" PRIx64 ", BAR0 %s, bus mastering on",
	       device, group, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF, rd->iova,
	       rd->vfio->bar0.map ? "mmap'd" : "through pread/pwrite");
	return 0;
}

/* ---- the management interface (spec 3, 5, 8.2) ---- */

static const char *op_name(unsigned int op)
{
	const char *name = rv_op_name(op);

	return name ? name : "unknown command";
}

static void trace_slot(struct revere_dev *rd, const char *dir,
		       unsigned int op, const uint8_t *slot)
{
	char hex[2 * RV_MSG_SIZE + 1];
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	if (!rd->opts->trace)
		return;
	for (i = 0; i < RV_MSG_SIZE; i++) {
		hex[2 * i] = digits[slot[i] >> 4];
		hex[2 * i + 1] = digits[slot[i] & 0xf];
	}
	hex[2 * RV_MSG_SIZE] = '\0';
	rd_log(rd, REVERE_LOG_TRACE, "%s %s %s", dir, op_name(op), hex);
}

/* A device-reported index failed validation: a device error, never used. */
static int bad_index(struct revere_dev *rd, const struct rv_ring *r,
		     const char *which, uint64_t index)
{
	return errmsg_setf(&rd->err, EIO,
			   "device error: %s %s index %" PRIu64 " is impossible (ring of %" PRIu64 " slots, read %" PRIu64 ", write %" PRIu64 ")",
			   r->name, which, index, rv_ring_size(r), r->cons, r->prod);
}

static int refresh_prod(struct revere_dev *rd, struct rv_ring *r,
			uint64_t reg)
{
	uint64_t idx = rv_reg_read(rd->vfio, reg);

	if (rv_ring_update(r, true, idx))
		return bad_index(rd, r, "write", idx);
	return 0;
}

static int refresh_cons(struct revere_dev *rd, struct rv_ring *r,
			uint64_t reg)
{
	uint64_t idx = rv_reg_read(rd->vfio, reg);

	if (rv_ring_update(r, false, idx))
		return bad_index(rd, r, "read", idx);
	return 0;
}

static void report_exception(struct revere_dev *rd, const uint8_t *slot)
{
	unsigned int op = (unsigned int)rv_msg_get(slot, RV_MSG_OPCODE);
	const char *name = rv_exc_name(op);

	switch (op) {
	case RV_EOP_PF_COMMAND_FROM_VF:
	case RV_EOP_PF_VF_RESET:
		rd_log(rd, REVERE_LOG_WARN, "device posted exception %s from VF %u",
		       name, (unsigned int)rv_msg_get(slot, RV_E_PF_VF_RESET_EXC_SOURCE));
		return;
	case RV_EOP_F_COUNTER_OVERFLOW:
		rd_log(rd, REVERE_LOG_WARN,
		       "device posted exception %s (AMI %u of function %u, counter %u)",
		       name,
		       (unsigned int)rv_msg_get(slot, RV_E_F_COUNTER_OVERFLOW_EXC_AMI_ID),
		       (unsigned int)rv_msg_get(slot, RV_E_F_COUNTER_OVERFLOW_EXC_F_OWNER),
		       (unsigned int)rv_msg_get(slot, RV_E_F_COUNTER_OVERFLOW_EXC_COUNTER_ID));
		return;
	default:
		/* Untrusted: an opcode the spec does not define. */
		rd_log(rd, REVERE_LOG_WARN,
		       "device posted an exception with unknown opcode %u", op);
	}
}

/* Report and consume whatever the device posted on the exception ring. */
static int drain_exceptions(struct revere_dev *rd)
{
	uint8_t slot[RV_MSG_SIZE];
	int ret;

	ret = refresh_prod(rd, &rd->exc, RV_MGT_WRITE_INDEX_RX1);
	if (ret || rv_ring_empty(&rd->exc))
		return ret;
	rv_rmb();
	while (!rv_ring_empty(&rd->exc)) {
		memcpy(slot, rv_ring_slot(&rd->exc, rd->exc.cons), RV_MSG_SIZE);
		rd->exc.cons++;
		report_exception(rd, slot);
	}
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX1, rd->exc.cons);
	return 0;
}

/* Something to say when the device goes quiet: did it fault? */
static void hint_device_state(struct revere_dev *rd)
{
	uint64_t sr = rv_reg_read(rd->vfio, RV_AMU_SR);

	if (rd->vfio->bar_io_error)
		errmsg_hint(&rd->err, "BAR0 access failed: %s",
			    strerror(-rd->vfio->bar_io_error));
	else if (sr & RV_AMU_SR_IOMMU_FAULT)
		errmsg_hint(&rd->err, "the device reports an IOMMU fault (AMU_SR 0x%" PRIx64 ")", sr);
	else
		errmsg_hint(&rd->err, "try a longer --timeout, or reset the device");
}

static int mgt_timeout(struct revere_dev *rd, unsigned int op)
{
	rd->mgt_dead = true;
	errmsg_setf(&rd->err, ETIMEDOUT,
		    "%s: no response within %u ms (command ring read %" PRIu64 " write %" PRIu64 ", response ring read %" PRIu64 " write %" PRIu64 ")",
		    op_name(op), rd->opts->timeout_ms, rd->cmd.cons, rd->cmd.prod,
		    rd->rsp.cons, rd->rsp.prod);
	hint_device_state(rd);
	return -ETIMEDOUT;
}

/* Wait for the next response slot, copy it out and hand the slot back. */
static int mgt_wait(struct revere_dev *rd, unsigned int op, uint8_t *rsp)
{
	uint64_t deadline = now_ns() + rd->opts->timeout_ms * NSEC_PER_MSEC;
	int ret;

	for (;;) {
		ret = drain_exceptions(rd);
		if (!ret)
			ret = refresh_prod(rd, &rd->rsp, RV_MGT_WRITE_INDEX_RX0);
		if (ret)
			return ret;
		if (!rv_ring_empty(&rd->rsp))
			break;
		if (stop_requested(rd))
			return errmsg_setf(&rd->err, EINTR, "%s: interrupted", op_name(op));
		if (rd->vfio->bar_io_error || now_ns() > deadline)
			return mgt_timeout(rd, op);
		sched_yield();
	}
	rv_rmb();
	memcpy(rsp, rv_ring_slot(&rd->rsp, rd->rsp.cons), RV_MSG_SIZE);
	rd->rsp.cons++;
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX0, rd->rsp.cons);
	trace_slot(rd, "rsp", op, rsp);
	return 0;
}

/* The response is untrusted: right opcode, and a status the spec knows. */
static int mgt_check(struct revere_dev *rd, unsigned int op,
		     const uint8_t *rsp)
{
	unsigned int rop = (unsigned int)rv_msg_get(rsp, RV_MSG_OPCODE);
	unsigned int status;
	const char *text;

	if (rop != op)
		return errmsg_setf(&rd->err, EPROTO,
				   "%s: device answered with opcode %u (%s) instead of %u",
				   op_name(op), rop, op_name(rop), op);
	if (!rv_op_has_status(op))
		return 0;	/* spec 8.3: such a command never fails */
	status = (unsigned int)rv_msg_get(rsp, RV_MSG_STATUS);
	if (status == 0)
		return 0;
	if (status == RV_STATUS_UNKNOWN_OPCODE)
		return errmsg_setf(&rd->err, EPROTO,
				   "%s: status 0x%x, the device does not know this command (spec 8.3)",
				   op_name(op), status);
	text = rv_status_text(op, status);
	return errmsg_setf(&rd->err, EPROTO, "%s: status %u, %s", op_name(op),
			   status, text ? text : "not a status the spec defines");
}

/*
 * Send one management command and wait for its response (spec 8.2): write
 * the slot, publish it with the command write index, wait for the response
 * write index to move, check opcode and status.
 */
static int mgt_command(struct revere_dev *rd, const uint8_t *cmd,
		       uint8_t *rsp)
{
	unsigned int op = (unsigned int)rv_msg_get(cmd, RV_MSG_OPCODE);
	int ret;

	if (rd->mgt_dead)
		return errmsg_setf(&rd->err, ETIMEDOUT,
				   "%s: skipped, the management interface stopped answering",
				   op_name(op));
	ret = refresh_cons(rd, &rd->cmd, RV_MGT_READ_INDEX_TX0);
	if (ret)
		return ret;
	if (rv_ring_full(&rd->cmd))
		return mgt_timeout(rd, op);
	memcpy(rv_ring_slot(&rd->cmd, rd->cmd.prod), cmd, RV_MSG_SIZE);
	trace_slot(rd, "cmd", op, cmd);
	rv_wmb();
	rd->cmd.prod++;
	rv_reg_write(rd->vfio, RV_MGT_WRITE_INDEX_TX0, rd->cmd.prod);
	ret = mgt_wait(rd, op, rsp);
	if (ret)
		return ret;
	return mgt_check(rd, op, rsp);
}

static void msg_init(uint8_t *msg, unsigned int op)
{
	memset(msg, 0, RV_MSG_SIZE);
	rv_msg_set(msg, RV_MSG_OPCODE, op);
}

/* ---- the commands the demo sends (spec 6) ---- */

static int cmd_pf_probe(struct revere_dev *rd)
{
	struct revere_probe *p = &rd->probe;
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];
	int ret;

	msg_init(c, RV_OP_PF_PROBE);
	ret = mgt_command(rd, c, r);
	if (ret)
		return ret;
	p->max_ami_sw = (uint32_t)rv_msg_get(r, RV_PF_PROBE_RSP_MAX_AMI_SW);
	p->max_ami_hw = (uint32_t)rv_msg_get(r, RV_PF_PROBE_RSP_MAX_AMI_HW);
	p->max_asn = (uint32_t)rv_msg_get(r, RV_PF_PROBE_RSP_MAX_ASN);
	p->num_aha = (uint32_t)rv_msg_get(r, RV_PF_PROBE_RSP_NUM_AHA);
	return 0;
}

static int cmd_f_probe(struct revere_dev *rd)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];
	int ret;

	msg_init(c, RV_OP_F_PROBE);
	ret = mgt_command(rd, c, r);
	if (ret)
		return ret;
	rd->probe.ami_per_f =
		(uint32_t)rv_msg_get(r, RV_F_PROBE_RSP_AMI_PER_F_M1) + 1;
	return 0;
}

static int cmd_ami_sw_map(struct revere_dev *rd)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_PF_AMI_SW_MAP);
	rv_msg_set(c, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW, 1);
	rv_msg_set(c, RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID, AMI_SW);
	rv_msg_set(c, RV_PF_AMI_SW_MAP_CMD_F_OWNER, F_OWNER);
	return mgt_command(rd, c, r);
}

static int cmd_ami_hw_map(struct revere_dev *rd, unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	/* Physical AMI-HW n of AHA 0 becomes AMI-HW n of function 0. */
	msg_init(c, RV_OP_PF_AMI_HW_MAP);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID, id);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_AHA_ID, AHA_INVERT);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID, id);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_F_OWNER, F_OWNER);
	return mgt_command(rd, c, r);
}

struct asn_end {
	unsigned int ami_type;	/* RV_AMI_TYPE_SW or _HW */
	unsigned int ami;
	unsigned int ams;
};

static int cmd_asn_create(struct revere_dev *rd, unsigned int asn,
			  struct asn_end src, struct asn_end dst)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_PF_ASN_CREATE);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE, src.ami_type);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_AMI, src.ami);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_F_OWNER, F_OWNER);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_AMS, src.ams);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, dst.ami_type);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_AMI, dst.ami);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_F_OWNER, F_OWNER);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_AMS, dst.ams);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_ASN_ID, asn);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, DATA_LOG2_MSG_LENGTH);
	return mgt_command(rd, c, r);
}

static int cmd_ami_sw_configure(struct revere_dev *rd)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	/* No PASID, no interrupts: the demo polls the ring indexes. */
	msg_init(c, RV_OP_F_AMI_SW_CONFIGURE);
	rv_msg_set(c, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID, AMI_SW);
	return mgt_command(rd, c, r);
}

static int cmd_ring_configure(struct revere_dev *rd, const struct rv_ring *ring,
			      unsigned int ams_type)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_F_AMS_RING_CONFIGURE);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID, AMI_SW);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID, AMS);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE, ams_type);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE, RX_MODE_BACK_PRESSURE);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, ring->log2_size);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR, ring->iova);
	return mgt_command(rd, c, r);
}

/* F-AMI-{SW,HW}-{ENABLE,DISABLE}: the same layout, the ID at byte 4. */
static int cmd_ami_onoff(struct revere_dev *rd, unsigned int op,
			 unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, op);
	rv_msg_set(c, RV_F_AMI_SW_ENABLE_CMD_AMI_SW_ID, id);
	return mgt_command(rd, c, r);
}

static int cmd_asn_destroy(struct revere_dev *rd, unsigned int asn)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_PF_ASN_DESTROY);
	rv_msg_set(c, RV_PF_ASN_DESTROY_CMD_ASN_ID, asn);
	return mgt_command(rd, c, r);
}

/* PF-AMI-{SW,HW}-UNMAP: the same layout, ID and F_OWNER at byte 4. */
static int cmd_ami_unmap(struct revere_dev *rd, unsigned int op,
			 unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, op);
	rv_msg_set(c, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID, id);
	rv_msg_set(c, RV_PF_AMI_SW_UNMAP_CMD_F_OWNER, F_OWNER);
	return mgt_command(rd, c, r);
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
		return errmsg_set(&rd->err, -rd->vfio->bar_io_error,
				  "reading the identification registers of %s",
				  rd->vfio->device_name);
	rd_log(rd, REVERE_LOG_INFO,
	       "AMU_IDR 0x%016" PRIx64 ": AMI type %u, %u TX and %u RX AMS per AMI",
	       p->idr, (unsigned int)RV_FIELD_GET(RV_AMU_IDR_AMI_TYPE, p->idr),
	       (unsigned int)RV_FIELD_GET(RV_AMU_IDR_NUM_TX_AMS_M1, p->idr) + 1,
	       (unsigned int)RV_FIELD_GET(RV_AMU_IDR_NUM_RX_AMS_M1, p->idr) + 1);
	rd_log(rd, REVERE_LOG_INFO, "AMU_AIDR 0x%016" PRIx64 ", AMU_IIDR 0x%016" PRIx64,
	       p->aidr, p->iidr);
	major = (unsigned int)RV_FIELD_GET(RV_AMU_AIDR_ARCH_MAJOR, p->aidr);
	if (major != 2)
		return errmsg_setf(&rd->err, ENODEV,
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
 * whatever the device holds (zero after the reset of step 2).
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
	rv_reg_write(rd->vfio, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	rd->done |= DONE_AMU_ENABLED;
	if (rd->vfio->bar_io_error)
		return errmsg_set(&rd->err, -rd->vfio->bar_io_error,
				  "setting up the management interface of %s",
				  rd->vfio->device_name);
	return 0;
}

static int too_few(struct revere_dev *rd, const char *what, uint32_t have,
		   uint32_t need)
{
	return errmsg_setf(&rd->err, ENODEV,
			   "%s: the device has %" PRIu32 " %s, the demo needs at least %" PRIu32 " (spec 7)",
			   rd->vfio->device_name, have, what, need);
}

static int probe(struct revere_dev *rd)
{
	const struct revere_probe *p = &rd->probe;
	int ret;

	ret = cmd_pf_probe(rd);
	if (!ret)
		ret = cmd_f_probe(rd);
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
	if (p->ami_per_f < 1)
		return too_few(rd, "AMI per function", p->ami_per_f, 1);
	return 0;
}

/* When a set-up command succeeded, remember that teardown must undo it. */
static int done_if_ok(struct revere_dev *rd, unsigned int flag, int ret)
{
	if (!ret)
		rd->done |= flag;
	return ret;
}

static int map_amis(struct revere_dev *rd)
{
	int ret;

	ret = done_if_ok(rd, DONE_AMI_SW_MAPPED, cmd_ami_sw_map(rd));
	if (ret || rd->opts->loopback)
		return ret;
	ret = done_if_ok(rd, DONE_AMI_HW0_MAPPED, cmd_ami_hw_map(rd, 0));
	if (!ret)
		ret = done_if_ok(rd, DONE_AMI_HW1_MAPPED, cmd_ami_hw_map(rd, 1));
	return ret;
}

static int create_sessions(struct revere_dev *rd)
{
	const struct asn_end sw = { .ami_type = RV_AMI_TYPE_SW, .ami = AMI_SW, .ams = AMS };
	const struct asn_end hw0 = { .ami_type = RV_AMI_TYPE_HW, .ami = 0, .ams = AMS };
	const struct asn_end hw1 = { .ami_type = RV_AMI_TYPE_HW, .ami = 1, .ams = AMS };
	int ret;

	/* Loopback (spec 8.6): one session from the TX AMS to the RX AMS. */
	if (rd->opts->loopback)
		return done_if_ok(rd, DONE_ASN0, cmd_asn_create(rd, ASN_TO_AHA, sw, sw));
	ret = done_if_ok(rd, DONE_ASN0, cmd_asn_create(rd, ASN_TO_AHA, sw, hw0));
	if (!ret)
		ret = done_if_ok(rd, DONE_ASN1, cmd_asn_create(rd, ASN_FROM_AHA, hw1, sw));
	return ret;
}

/* Rings are configured while the AMI-SW is disabled (spec 7, status 2). */
static int configure_ami_sw(struct revere_dev *rd)
{
	int ret;

	ret = cmd_ami_sw_configure(rd);
	if (!ret)
		ret = cmd_ring_configure(rd, &rd->tx, RV_AMS_TYPE_TX);
	if (!ret)
		ret = cmd_ring_configure(rd, &rd->rx, RV_AMS_TYPE_RX);
	if (ret)
		return ret;
	rd->tx.prod = rd->tx.cons = rv_reg_read(rd->vfio,
		RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_READ_INDEX_TX(AMS));
	rd->rx.prod = rd->rx.cons = rv_reg_read(rd->vfio,
		RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_WRITE_INDEX_RX(AMS));
	/* A failed read is all-ones: never a starting index to trust. */
	if (rd->vfio->bar_io_error)
		return errmsg_set(&rd->err, -rd->vfio->bar_io_error,
				  "reading the ring indexes of AMI-SW %u of %s",
				  AMI_SW, rd->vfio->device_name);
	rv_reg_write(rd->vfio, RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_WRITE_INDEX_TX(AMS),
		     rd->tx.prod);
	rv_reg_write(rd->vfio, RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_READ_INDEX_RX(AMS),
		     rd->rx.cons);
	return 0;
}

static int enable_amis(struct revere_dev *rd)
{
	int ret = 0;

	if (!rd->opts->loopback) {
		ret = done_if_ok(rd, DONE_AMI_HW0_ENABLED,
			 cmd_ami_onoff(rd, RV_OP_F_AMI_HW_ENABLE, 0));
		if (!ret)
			ret = done_if_ok(rd, DONE_AMI_HW1_ENABLED,
				 cmd_ami_onoff(rd, RV_OP_F_AMI_HW_ENABLE, 1));
	}
	if (!ret)
		ret = done_if_ok(rd, DONE_AMI_SW_ENABLED,
			 cmd_ami_onoff(rd, RV_OP_F_AMI_SW_ENABLE, AMI_SW));
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

#define TX_READ_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_READ_INDEX_TX(AMS))
#define TX_WRITE_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_WRITE_INDEX_TX(AMS))
#define RX_READ_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_READ_INDEX_RX(AMS))
#define RX_WRITE_INDEX	(RV_AMI_SW_PAGE(AMI_SW) + RV_AMI_SW_WRITE_INDEX_RX(AMS))

/* Message i carries the byte i mod 256 (spec 7). */
static uint8_t msg_byte(uint64_t i)
{
	return (uint8_t)i;
}

/* Fill as many free TX slots as allowed, then ring the doorbell once. */
static int send_messages(struct revere_dev *rd)
{
	uint64_t first = rd->sent;
	int ret;

	if (rv_ring_full(&rd->tx)) {
		ret = refresh_cons(rd, &rd->tx, TX_READ_INDEX);
		if (ret)
			return ret;
	}
	while (rd->sent < rd->opts->packets && !rv_ring_full(&rd->tx)) {
		memset(rv_ring_slot(&rd->tx, rd->tx.prod), msg_byte(rd->sent),
		       rd->msg_size);
		rd->tx.prod++;
		rd->sent++;
	}
	if (rd->sent == first)
		return 0;
	rv_wmb();
	rv_reg_write(rd->vfio, TX_WRITE_INDEX, rd->tx.prod);
	return 0;
}

static int verify_message(struct revere_dev *rd, const uint8_t *slot)
{
	uint64_t i = rd->verified;
	uint8_t want = rd->opts->loopback ? msg_byte(i) : (uint8_t)~msg_byte(i);
	uint32_t off;

	for (off = 0; off < rd->msg_size; off++) {
		if (slot[off] != want)
			return errmsg_setf(&rd->err, EBADMSG,
					   "message %" PRIu64 " (RX AMS 0 slot %" PRIu64 "), byte %" PRIu32 ": expected 0x%02x, found 0x%02x",
					   i, (rd->rx.cons & (rv_ring_size(&rd->rx) - 1)),
					   off, want, slot[off]);
	}
	rd->verified++;
	return 0;
}

/* Check every message that has arrived, then give the slots back. */
static int receive_messages(struct revere_dev *rd, bool *progress)
{
	uint64_t first = rd->rx.cons;
	int ret;

	ret = refresh_prod(rd, &rd->rx, RX_WRITE_INDEX);
	if (ret || rv_ring_empty(&rd->rx))
		return ret;
	/* The device may not deliver more messages than were sent. */
	if (rd->verified + rv_ring_used(&rd->rx) > rd->sent)
		return bad_index(rd, &rd->rx, "write", rd->rx.prod);
	rv_rmb();
	while (!rv_ring_empty(&rd->rx)) {
		ret = verify_message(rd, rv_ring_slot(&rd->rx, rd->rx.cons));
		if (ret)
			return ret;
		rd->rx.cons++;
	}
	rv_reg_write(rd->vfio, RX_READ_INDEX, rd->rx.cons);
	*progress = rd->rx.cons != first;
	return 0;
}

static int exchange_timeout(struct revere_dev *rd)
{
	/* Read the TX read index for the message: where did it stop? */
	refresh_cons(rd, &rd->tx, TX_READ_INDEX);
	errmsg_setf(&rd->err, ETIMEDOUT,
		    "exchange: no message for %u ms after %" PRIu64 " of %" PRIu64 " (TX AMS 0 read %" PRIu64 " write %" PRIu64 ", RX AMS 0 read %" PRIu64 " write %" PRIu64 ")",
		    rd->opts->timeout_ms, rd->verified, rd->opts->packets,
		    rd->tx.cons, rd->tx.prod, rd->rx.cons, rd->rx.prod);
	hint_device_state(rd);
	return -ETIMEDOUT;
}

int revere_exchange(struct revere_dev *rd)
{
	uint64_t timeout = rd->opts->timeout_ms * NSEC_PER_MSEC;
	uint64_t start = now_ns(), last = start, elapsed;
	bool progress;
	int ret;

	rd_log(rd, REVERE_LOG_INFO, "exchange: %" PRIu64 " messages of %u bytes",
	       rd->opts->packets, rd->msg_size);
	while (rd->verified < rd->opts->packets) {
		progress = false;
		ret = send_messages(rd);
		if (!ret)
			ret = receive_messages(rd, &progress);
		if (ret)
			return ret;
		if (stop_requested(rd))
			return errmsg_setf(&rd->err, EINTR,
					   "exchange: interrupted after %" PRIu64 " of %" PRIu64 " messages",
					   rd->verified, rd->opts->packets);
		if (progress) {
			last = now_ns();
			continue;
		}
		if (rd->vfio->bar_io_error || now_ns() - last > timeout)
			return exchange_timeout(rd);
		sched_yield();
	}
	elapsed = now_ns() - start;
	rd_log(rd, REVERE_LOG_STEP,
	       "step 4: %" PRIu64 " messages of %u bytes %s and verified in %" PRIu64 " ms",
	       rd->verified, rd->msg_size,
	       rd->opts->loopback ? "looped back" : "inverted",
	       (uint64_t)(elapsed / NSEC_PER_MSEC));
	return 0;
}

/* ---- step 5: teardown ---- */

/* One teardown step: run it if its flag is set, log a failure, go on. */
static void undo(struct revere_dev *rd, unsigned int flag, int *first,
		 int (*fn)(struct revere_dev *, unsigned int, unsigned int),
		 unsigned int op, unsigned int id)
{
	int ret;

	if (!(rd->done & flag))
		return;
	rd->done &= ~flag;
	if (rd->mgt_dead) {
		rd->skipped++;
		return;
	}
	errmsg_clear(&rd->err);
	ret = fn(rd, op, id);
	if (!ret)
		return;
	rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->err.msg);
	if (!*first)
		*first = ret;
}

static int asn_destroy(struct revere_dev *rd, unsigned int op, unsigned int id)
{
	(void)op;
	return cmd_asn_destroy(rd, id);
}

static void quiesce_revere(struct revere_dev *rd, int *first)
{
	undo(rd, DONE_AMI_SW_ENABLED, first, cmd_ami_onoff, RV_OP_F_AMI_SW_DISABLE, AMI_SW);
	undo(rd, DONE_AMI_HW0_ENABLED, first, cmd_ami_onoff, RV_OP_F_AMI_HW_DISABLE, 0);
	undo(rd, DONE_AMI_HW1_ENABLED, first, cmd_ami_onoff, RV_OP_F_AMI_HW_DISABLE, 1);
	undo(rd, DONE_ASN0, first, asn_destroy, 0, ASN_TO_AHA);
	undo(rd, DONE_ASN1, first, asn_destroy, 0, ASN_FROM_AHA);
	undo(rd, DONE_AMI_SW_MAPPED, first, cmd_ami_unmap, RV_OP_PF_AMI_SW_UNMAP, AMI_SW);
	undo(rd, DONE_AMI_HW0_MAPPED, first, cmd_ami_unmap, RV_OP_PF_AMI_HW_UNMAP, 0);
	undo(rd, DONE_AMI_HW1_MAPPED, first, cmd_ami_unmap, RV_OP_PF_AMI_HW_UNMAP, 1);
	if (rd->skipped)
		rd_log(rd, REVERE_LOG_WARN,
		       "teardown: the management interface is not answering, %u commands skipped; turning the AMU off",
		       rd->skipped);
	if (rd->done & DONE_AMU_ENABLED) {
		rd->done &= ~DONE_AMU_ENABLED;
		rv_reg_write(rd->vfio, RV_AMU_CR, 0);
	}
}

static void release_vfio(struct revere_dev *rd, int *first)
{
	int ret;

	/* After the AMU is off: no DMA may be under way when BME drops. */
	if (rd->done & DONE_BUS_MASTER) {
		rd->done &= ~DONE_BUS_MASTER;
		ret = vfio_set_bus_master(rd->vfio, false);
		if (ret) {
			rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->vfio->err.msg);
			*first = *first ? *first : ret;
		}
	}
	/* Unmaps DMA, unmaps BAR0, closes device, group, container. */
	errmsg_clear(&rd->vfio->err);
	ret = vfio_close(rd->vfio);
	if (ret) {
		rd_log(rd, REVERE_LOG_WARN, "teardown: %s", rd->vfio->err.msg);
		*first = *first ? *first : ret;
	}
}

int revere_teardown(struct revere_dev *rd)
{
	struct errmsg saved = rd->err;
	bool had_device = rd->vfio->device_fd >= 0;
	int first = 0;

	rd->tearing_down = true;
	quiesce_revere(rd, &first);
	release_vfio(rd, &first);
	if (rd->mem) {
		munmap(rd->mem, rd->mem_size);
		rd->mem = NULL;
	}
	/* The error that stopped the run is the one main() reports. */
	if (saved.err)
		rd->err = saved;
	if (had_device)
		rd_log(rd, REVERE_LOG_STEP, "step 5: torn down%s",
		       first ? " (with errors, see above)" : "");
	return first;
}
