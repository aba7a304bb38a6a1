// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere-AMU management interface as the driver uses it (spec 3, 5,
 * 8.2): the transport, and the commands the demo sends. Facts come from
 * ../shared/spec/revere-amu-v2.md (cited as "spec N").
 */
#include "revere_mgt.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>

/* Every command the demo sends is for function 0, the PF. */
#define F_PF			0

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

	ret = rv_ring_refresh(rd->vfio, &rd->err, true, &rd->exc, RV_MGT_WRITE_INDEX_RX1);
	if (ret || rv_ring_empty(&rd->exc))
		return ret;
	rv_rmb();
	while (!rv_ring_empty(&rd->exc)) {
		rv_slot_read(&rd->exc, rd->exc.cons, slot);
		rd->exc.cons++;
		report_exception(rd, slot);
	}
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX1, rd->exc.cons);
	return 0;
}

/*
 * The command's fate is unknown, and a response may still come: no later
 * command may be sent, or that response could be taken for its answer.
 */
static int mgt_timeout(struct revere_dev *rd, unsigned int op)
{
	rd->mgt_dead = true;
	if (rd->vfio->bar_io_error)
		errmsg_setf(&rd->err, EIO,
			    "%s: cannot read the response (command ring read %" PRIu64 " write %" PRIu64 ", response ring read %" PRIu64 " write %" PRIu64 ")",
			    op_name(op), rd->cmd.cons, rd->cmd.prod,
			    rd->rsp.cons, rd->rsp.prod);
	else
		errmsg_setf(&rd->err, ETIMEDOUT,
			    "%s: no response within %u ms (command ring read %" PRIu64 " write %" PRIu64 ", response ring read %" PRIu64 " write %" PRIu64 ")",
			    op_name(op), rd->opts->timeout_ms, rd->cmd.cons,
			    rd->cmd.prod, rd->rsp.cons, rd->rsp.prod);
	rv_hint_device_state(rd->vfio, &rd->err);
	return rd->vfio->bar_io_error ? -EIO : -ETIMEDOUT;
}

/*
 * Wait for the response to the command just sent, copy it out and hand the
 * slot back. A signal does not cut this short: the device is working on
 * the command, and teardown must know whether it took effect before it
 * sends anything else. Only --timeout bounds the wait.
 */
static int mgt_wait(struct revere_dev *rd, unsigned int op, uint8_t *rsp)
{
	uint64_t deadline = rv_now_ns() + rd->opts->timeout_ms * NSEC_PER_MSEC;
	int ret;

	for (;;) {
		ret = drain_exceptions(rd);
		if (!ret)
			ret = rv_ring_refresh(rd->vfio, &rd->err, true, &rd->rsp, RV_MGT_WRITE_INDEX_RX0);
		if (ret)
			return ret;
		if (!rv_ring_empty(&rd->rsp))
			break;
		if (rd->vfio->bar_io_error || rv_now_ns() > deadline)
			return mgt_timeout(rd, op);
		sched_yield();
	}
	rv_rmb();
	/* By position (spec 8.2): the oldest response answers this command. */
	rv_slot_read(&rd->rsp, rd->rsp.cons, rsp);
	rd->rsp.cons++;
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX0, rd->rsp.cons);
	trace_slot(rd, "rsp", op, rsp);
	return 0;
}

/*
 * With no command outstanding the response ring must be empty: the device
 * answers each command once, in order (spec 8.2). A response beyond the
 * commands sent is a device error; it is discarded so that it can never be
 * taken for the answer to a later command, and the positions of later
 * responses stay matched to their commands.
 */
static int check_no_stray(struct revere_dev *rd, unsigned int op)
{
	uint64_t extra;
	int ret;

	ret = rv_ring_refresh(rd->vfio, &rd->err, true, &rd->rsp, RV_MGT_WRITE_INDEX_RX0);
	if (ret || rv_ring_empty(&rd->rsp))
		return ret;
	extra = rv_ring_used(&rd->rsp);
	errmsg_setf(&rd->err, EPROTO,
		    "%s: device error: %" PRIu64 " response%s more than the commands sent (response ring read %" PRIu64 " write %" PRIu64 ")",
		    op_name(op), extra, extra == 1 ? "" : "s", rd->rsp.cons,
		    rd->rsp.prod);
	errmsg_hint(&rd->err, "discarded; the device must answer each command once (spec 8.2): reset it");
	rd->rsp.cons = rd->rsp.prod;
	rv_reg_write(rd->vfio, RV_MGT_READ_INDEX_RX0, rd->rsp.cons);
	return -EPROTO;
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
 *
 * A stop (signal) is honoured only here, before anything is sent: once a
 * command is published, its response is awaited, so the command's effect
 * is known (rd->mgt_accepted) before teardown sends its own commands.
 * mgt_accepted stays true when the device accepted the command even if a
 * stray response found afterwards makes this call fail: teardown must
 * still undo what the command did.
 */
static int mgt_command(struct revere_dev *rd, const uint8_t *cmd,
		       uint8_t *rsp)
{
	unsigned int op = (unsigned int)rv_msg_get(cmd, RV_MSG_OPCODE);
	int ret;

	rd->mgt_accepted = false;
	if (rd->mgt_dead)
		return errmsg_setf(&rd->err, ETIMEDOUT,
				   "%s: skipped, the management interface stopped answering",
				   op_name(op));
	if (revere_stop_requested(rd))
		return errmsg_setf(&rd->err, EINTR, "%s: interrupted before sending",
				   op_name(op));
	ret = check_no_stray(rd, op);
	if (!ret)
		ret = rv_ring_refresh(rd->vfio, &rd->err, false, &rd->cmd, RV_MGT_READ_INDEX_TX0);
	if (ret)
		return ret;
	if (rv_ring_full(&rd->cmd))
		return mgt_timeout(rd, op);
	rv_slot_write(&rd->cmd, rd->cmd.prod, cmd);
	trace_slot(rd, "cmd", op, cmd);
	rv_wmb();
	rd->cmd.prod++;
	rv_reg_write(rd->vfio, RV_MGT_WRITE_INDEX_TX0, rd->cmd.prod);
	ret = mgt_wait(rd, op, rsp);
	if (!ret)
		ret = mgt_check(rd, op, rsp);
	if (ret)
		return ret;
	rd->mgt_accepted = true;
	return check_no_stray(rd, op);
}

static void msg_init(uint8_t *msg, unsigned int op)
{
	memset(msg, 0, RV_MSG_SIZE);
	rv_msg_set(msg, RV_MSG_OPCODE, op);
}

/* ---- the commands the demo sends (spec 6) ---- */

int revere_mgt_pf_probe(struct revere_dev *rd, struct revere_probe *p)
{
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

int revere_mgt_f_probe(struct revere_dev *rd, struct revere_probe *p)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];
	int ret;

	msg_init(c, RV_OP_F_PROBE);
	ret = mgt_command(rd, c, r);
	if (ret)
		return ret;
	p->ami_per_f = (uint32_t)rv_msg_get(r, RV_F_PROBE_RSP_AMI_PER_F_M1) + 1;
	return 0;
}

/* Logical AMI-SW id of the PF, on any free physical AMI-SW. */
int revere_mgt_ami_sw_map(struct revere_dev *rd, unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_PF_AMI_SW_MAP);
	rv_msg_set(c, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW, 1);
	rv_msg_set(c, RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID, id);
	rv_msg_set(c, RV_PF_AMI_SW_MAP_CMD_F_OWNER, F_PF);
	return mgt_command(rd, c, r);
}

/* Physical AMI-HW phy of accelerator aha becomes AMI-HW id of the PF. */
int revere_mgt_ami_hw_map(struct revere_dev *rd, unsigned int aha,
			  unsigned int phy, unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_PF_AMI_HW_MAP);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID, phy);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_AHA_ID, aha);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID, id);
	rv_msg_set(c, RV_PF_AMI_HW_MAP_CMD_F_OWNER, F_PF);
	return mgt_command(rd, c, r);
}

int revere_mgt_asn_create(struct revere_dev *rd, unsigned int asn,
			  struct revere_asn_end src, struct revere_asn_end dst,
			  unsigned int log2_msg_length)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_PF_ASN_CREATE);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE, src.ami_type);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_AMI, src.ami);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_F_OWNER, F_PF);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_SRC_AMS, src.ams);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, dst.ami_type);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_AMI, dst.ami);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_F_OWNER, F_PF);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_DST_AMS, dst.ams);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_ASN_ID, asn);
	rv_msg_set(c, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, log2_msg_length);
	return mgt_command(rd, c, r);
}

/* No PASID, no interrupts: the demo polls the ring indexes. */
int revere_mgt_ami_sw_configure(struct revere_dev *rd, unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_F_AMI_SW_CONFIGURE);
	rv_msg_set(c, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID, id);
	return mgt_command(rd, c, r);
}

int revere_mgt_ring_configure(struct revere_dev *rd, unsigned int ami_sw,
			      unsigned int ams, unsigned int ams_type,
			      unsigned int rx_mode, const struct rv_ring *ring)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_F_AMS_RING_CONFIGURE);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID, ami_sw);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID, ams);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE, ams_type);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE, rx_mode);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, ring->log2_size);
	rv_msg_set(c, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR, ring->iova);
	return mgt_command(rd, c, r);
}

/* F-AMI-{SW,HW}-ENABLE: the same layout, the ID at byte 4. */
int revere_mgt_ami_enable(struct revere_dev *rd, unsigned int op,
			  unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, op);
	rv_msg_set(c, RV_F_AMI_SW_ENABLE_CMD_AMI_SW_ID, id);
	return mgt_command(rd, c, r);
}

/*
 * What teardown sends: each command undoes one set-up command and names
 * one object by its ID, at byte 4 in each layout (spec 6).
 */
int revere_mgt_undo(struct revere_dev *rd, unsigned int op, unsigned int id)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, op);
	switch (op) {
	case RV_OP_PF_ASN_DESTROY:
		rv_msg_set(c, RV_PF_ASN_DESTROY_CMD_ASN_ID, id);
		break;
	case RV_OP_PF_AMI_SW_UNMAP:
	case RV_OP_PF_AMI_HW_UNMAP:	/* the same layout */
		rv_msg_set(c, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID, id);
		rv_msg_set(c, RV_PF_AMI_SW_UNMAP_CMD_F_OWNER, F_PF);
		break;
	default:			/* F-AMI-{SW,HW}-DISABLE */
		rv_msg_set(c, RV_F_AMI_SW_DISABLE_CMD_AMI_SW_ID, id);
	}
	return mgt_command(rd, c, r);
}
