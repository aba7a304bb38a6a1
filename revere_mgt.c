// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere-AMU management interface as the driver uses it (spec 3, 5,
 * 8.2): the transport, and the commands the demo sends. Facts come from
 * doc/revere-amu-v2.md (cited as "spec N").
 */
#include "revere_mgt.h"
#include "revere_wait.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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

	if (!rd->opts->trace)
		return;
	rv_msg_hex(slot, hex);
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

	ret = rv_ring_refresh(rd->vfio, rd->err, &rd->exc);
	if (ret || rv_ring_empty(&rd->exc))
		return ret;
	rv_rmb();
	while (!rv_ring_empty(&rd->exc)) {
		rv_slot_read(&rd->exc, rd->exc.cons, slot);
		rd->exc.cons++;
		report_exception(rd, slot);
	}
	rv_ring_doorbell(rd->vfio, &rd->exc);
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "writing the exception read index");
	return 0;
}

/*
 * The command's fate is unknown, and a response may still come: no later
 * command may be sent, or that response could be taken for its answer.
 */
/*
 * Once a command is published and something goes wrong before its answer
 * is read (no answer in time, a failed BAR0 access, an impossible index),
 * its fate is unknown and an answer may still come: nothing more may be
 * sent, or that answer could pass for a later command's. Teardown then
 * resets the device instead (revere_dev.c).
 */
static int mgt_lost(struct revere_dev *rd, int ret)
{
	rd->mgt_dead = true;
	return ret;
}

static int mgt_timeout(struct revere_dev *rd, unsigned int op)
{
	char what[96];

	if (vfio_device_lost(rd->vfio)) {
		snprintf(what, sizeof(what), "%s", op_name(op));
		return mgt_lost(rd, rv_device_gone(rd->vfio, rd->err, what));
	}
	/* Where did it stop: has the device even taken the command? */
	rv_ring_update(&rd->cmd, false, rv_reg_read(rd->vfio, rd->cmd.dev_reg));
	errmsg_set(rd->err, ETIMEDOUT,
		    "%s: no response within %u ms (command ring read %" PRIu64 " write %" PRIu64 ", response ring read %" PRIu64 " write %" PRIu64 ")%s",
		    op_name(op), rd->opts->timeout_ms, rd->cmd.cons, rd->cmd.prod,
		    rd->rsp.cons, rd->rsp.prod,
		    revere_wait_what(rd, REVERE_VEC_MGT_RX, what, sizeof(what)));
	rv_hint_device_state(rd->vfio, rd->err);
	return mgt_lost(rd, -ETIMEDOUT);
}

/* A register write of the protocol failed (pread/pwrite path). */
static int mgt_write_failed(struct revere_dev *rd, unsigned int op,
			    const char *what)
{
	return mgt_lost(rd, rv_bar_failed(rd->vfio, rd->err, "%s: writing %s",
					  op_name(op), what));
}

/* Take the oldest response off the ring and hand its slot back. */
static int mgt_take(struct revere_dev *rd, unsigned int op, uint8_t *rsp)
{
	rv_rmb();
	rv_slot_read(&rd->rsp, rd->rsp.cons, rsp);
	rd->rsp.cons++;
	rv_ring_doorbell(rd->vfio, &rd->rsp);
	trace_slot(rd, "rsp", op, rsp);
	if (vfio_bar0_error(rd->vfio))
		return mgt_write_failed(rd, op, "the response read index");
	return 0;
}

/* What mgt_wait's check needs, and what it found. */
struct mgt_wait_arg {
	unsigned int op;
	uint8_t *rsp;
	bool *discarded;
};

/*
 * One look for the response (revere_check_fn): exceptions drained, then
 * every response taken until the one for this command (> 0). A failure is
 * the command's loss (mgt_lost()).
 */
static int mgt_check(struct revere_dev *rd, void *arg)
{
	struct mgt_wait_arg *w = arg;
	unsigned int rop;
	int ret;

	ret = drain_exceptions(rd);
	if (!ret)
		ret = rv_ring_refresh(rd->vfio, rd->err, &rd->rsp);
	if (ret)
		return mgt_lost(rd, ret);
	while (!rv_ring_empty(&rd->rsp)) {
		ret = mgt_take(rd, w->op, w->rsp);
		if (ret)
			return ret;
		rop = (unsigned int)rv_msg_get(w->rsp, RV_MSG_OPCODE);
		if (rop == w->op)
			return 1;
		errmsg_set(rd->err, EPROTO,
			    "%s: device error: an answer with opcode %u (%s) instead of %u; discarded",
			    op_name(w->op), rop, op_name(rop), w->op);
		*w->discarded = true;
	}
	return 0;
}

/*
 * Wait for the response to the command just sent. Responses come in
 * command order (spec 8.2), so the oldest one answers this command; one
 * with another opcode is an answer the device sent late or twice: a
 * device error, named and discarded, and the wait goes on. A signal does
 * not cut this short: teardown must know whether the command took effect
 * before it sends anything else. Only --timeout bounds the wait.
 */
static int mgt_wait(struct revere_dev *rd, unsigned int op, uint8_t *rsp,
		    bool *discarded)
{
	struct mgt_wait_arg w = { .op = op, .rsp = rsp, .discarded = discarded };
	uint64_t deadline = rv_now_ns() + rd->opts->timeout_ms * NSEC_PER_MSEC;
	int ret;

	ret = revere_wait(rd, REVERE_VEC_MGT_RX, deadline, false, NULL, mgt_check, &w);
	if (ret > 0)
		return 0;
	if (ret == -ETIMEDOUT)
		return mgt_timeout(rd, op);
	return rd->mgt_dead ? ret : mgt_lost(rd, ret);
}

/*
 * With no command outstanding the response ring must be empty: the device
 * answers each command once, in order (spec 8.2). A response beyond the
 * commands sent is a device error; it is discarded so that it can never be
 * taken for the answer to a later command. The caller goes on: the device
 * is still answering, and a teardown command must still be sent.
 */
static int check_no_stray(struct revere_dev *rd, unsigned int op)
{
	uint64_t extra;
	int ret;

	ret = rv_ring_refresh(rd->vfio, rd->err, &rd->rsp);
	if (ret)
		return mgt_lost(rd, ret);
	if (rv_ring_empty(&rd->rsp))
		return 0;
	extra = rv_ring_used(&rd->rsp);
	errmsg_set(rd->err, EPROTO,
		    "%s: device error: %" PRIu64 " response%s more than the commands sent (response ring read %" PRIu64 " write %" PRIu64 ")",
		    op_name(op), extra, extra == 1 ? "" : "s", rd->rsp.cons,
		    rd->rsp.prod);
	errmsg_hint(rd->err, "discarded; the device must answer each command once (spec 8.2): reset it");
	rd->rsp.cons = rd->rsp.prod;
	rv_ring_doorbell(rd->vfio, &rd->rsp);
	if (vfio_bar0_error(rd->vfio))
		return mgt_write_failed(rd, op, "the response read index");
	return -EPROTO;
}

/* The answer is untrusted: a status the spec knows, or a named refusal. */
static int mgt_status(struct revere_dev *rd, unsigned int op,
		      const uint8_t *rsp)
{
	unsigned int status;
	const char *text;

	if (!rv_op_has_status(op))
		return 0;	/* spec 8.3: such a command never fails */
	status = (unsigned int)rv_msg_get(rsp, RV_MSG_STATUS);
	if (status == 0)
		return 0;
	if (status == RV_STATUS_UNKNOWN_OPCODE)
		return errmsg_set(rd->err, EPROTO,
				   "%s: status 0x%x, the device does not know this command (spec 8.3)",
				   op_name(op), status);
	text = rv_status_text(op, status);
	return errmsg_set(rd->err, EPROTO, "%s: status %u, %s", op_name(op),
			   status, text ? text : "not a status the spec defines");
}

/* Write the slot and publish it with the command write index. */
static int mgt_publish(struct revere_dev *rd, unsigned int op,
		       const uint8_t *cmd)
{
	int ret;

	ret = rv_ring_refresh(rd->vfio, rd->err, &rd->cmd);
	if (ret)
		return mgt_lost(rd, ret);
	/* One command at a time: a full ring means earlier ones are stuck. */
	if (rv_ring_full(&rd->cmd)) {
		errmsg_set(rd->err, EBUSY,
			    "%s: the command ring is full (read %" PRIu64 " write %" PRIu64 "): the device has not taken earlier commands",
			    op_name(op), rd->cmd.cons, rd->cmd.prod);
		rv_hint_device_state(rd->vfio, rd->err);
		return mgt_lost(rd, -EBUSY);
	}
	rv_slot_write(&rd->cmd, rd->cmd.prod, cmd);
	trace_slot(rd, "cmd", op, cmd);
	rd->cmd.prod++;
	rv_ring_doorbell(rd->vfio, &rd->cmd);
	if (vfio_bar0_error(rd->vfio))
		return mgt_write_failed(rd, op, "the command write index");
	return 0;
}

/*
 * Send one management command and wait for its response (spec 8.2).
 *
 * A stop (signal) is honoured only here, before anything is sent: once a
 * command is published, its response is awaited, so the command's effect
 * is known (rd->mgt_accepted) before teardown sends its own commands.
 * A stray response (before, during or after) is a device error that does
 * not stop the command: mgt_accepted says whether the device accepted it,
 * and teardown must undo what it did even when the call fails for the
 * stray.
 */
static int mgt_command(struct revere_dev *rd, const uint8_t *cmd,
		       uint8_t *rsp)
{
	unsigned int op = (unsigned int)rv_msg_get(cmd, RV_MSG_OPCODE);
	bool discarded = false;
	int stray, ret;

	rd->mgt_accepted = false;
	if (rd->mgt_dead)
		return errmsg_set(rd->err, ETIMEDOUT,
				   "%s: skipped, the management interface stopped answering",
				   op_name(op));
	if (revere_stop_requested(rd))
		return errmsg_set(rd->err, EINTR, "%s: interrupted before sending",
				   op_name(op));
	/*
	 * Every BAR0 access is checked where it is made, and teardown forgets
	 * a failure it reported before each step: one still pending here was
	 * missed, and the device may not be set up as the driver believes.
	 */
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err, "%s: before sending",
				     op_name(op));
	stray = check_no_stray(rd, op);
	if (rd->mgt_dead)
		return stray;
	ret = mgt_publish(rd, op, cmd);
	if (!ret)
		ret = mgt_wait(rd, op, rsp, &discarded);
	if (!ret)
		ret = mgt_status(rd, op, rsp);
	if (ret)
		return ret;
	rd->mgt_accepted = true;
	ret = check_no_stray(rd, op);
	if (stray || discarded)
		return -EPROTO;
	return ret;
}

static void msg_init(uint8_t *msg, unsigned int op)
{
	memset(msg, 0, RV_MSG_SIZE);
	rv_msg_set(msg, RV_MSG_OPCODE, op);
}

/* ---- the commands the demo sends (spec 6) ---- */

/* A command with no argument, whose answer the caller reads. */
static int mgt_query(struct revere_dev *rd, unsigned int op, uint8_t *r)
{
	uint8_t c[RV_MSG_SIZE];

	msg_init(c, op);
	return mgt_command(rd, c, r);
}

int revere_mgt_pf_probe(struct revere_dev *rd, struct revere_probe *p)
{
	uint8_t r[RV_MSG_SIZE];
	int ret = mgt_query(rd, RV_OP_PF_PROBE, r);

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
	uint8_t r[RV_MSG_SIZE];
	int ret = mgt_query(rd, RV_OP_F_PROBE, r);

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

/*
 * No PASID. With rx_irq, a message written into an RX AMS raises MSI-X
 * vector rx_vector (spec 6, 8.8: RX_IRQ_ENABLE, RX_VECTOR); the AMS's
 * RX_DIGEST_MASK bit, the caller's, also gates it. TX interrupts stay off:
 * the driver never waits for TX room alone (doc/design.md).
 */
int revere_mgt_ami_sw_configure(struct revere_dev *rd, unsigned int id,
				bool rx_irq, unsigned int rx_vector)
{
	uint8_t c[RV_MSG_SIZE], r[RV_MSG_SIZE];

	msg_init(c, RV_OP_F_AMI_SW_CONFIGURE);
	rv_msg_set(c, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID, id);
	if (rx_irq) {
		rv_msg_set(c, RV_F_AMI_SW_CONFIGURE_CMD_RX_VECTOR, rx_vector);
		rv_msg_set(c, RV_F_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE, 1);
	}
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
