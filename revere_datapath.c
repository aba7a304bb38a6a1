// SPDX-License-Identifier: BSD-3-Clause
/*
 * Step 4's data path: messages onto AMI-SW 0's TX AMS 0 ring, their
 * replies off its RX AMS 0 ring, every byte of every reply checked
 * (spec 7, 8.1, 8.5). Batches: one index read and one doorbell per batch
 * in each direction, never per message.
 */
#include "revere_datapath.h"
#include "revere_config.h"
#include "revere_wait.h"
#include "moderation.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* Message i carries the byte i mod 256 (spec 7). */
static uint8_t msg_byte(uint64_t i)
{
	return (uint8_t)i;
}

/* --queue-depth, 0 (unset) meaning the ring size. */
uint64_t revere_queue_depth(const struct revere_dev *rd)
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
	uint64_t first = rd->sent, depth = revere_queue_depth(rd), now;
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
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "exchange: writing the TX AMS 0 write index");
	return 0;
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
	revere_figures_record(&rd->fig, now - rd->sent_ns[i % REVERE_RING_SLOTS]);
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
		return vfio_bar0_error(rd->vfio) ? -ETIMEDOUT : 0;
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
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err,
				     "exchange: writing the RX AMS 0 read index");
	return rd->rx.cons != first;
}

static int exchange_timeout(struct revere_dev *rd)
{
	char what[96];

	if (vfio_device_lost(rd->vfio)) {
		snprintf(what, sizeof(what), "exchange: after %" PRIu64 " of %" PRIu64 " messages",
			 rd->verified, rd->opts->packets);
		return rv_device_gone(rd->vfio, rd->err, what);
	}

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

int revere_exchange_interrupted(struct revere_dev *rd)
{
	return errmsg_set(rd->err, EINTR,
			   "exchange: interrupted after %" PRIu64 " of %" PRIu64 " messages",
			   rd->verified, rd->opts->packets);
}

int revere_datapath_run(struct revere_dev *rd)
{
	uint64_t timeout = rd->opts->timeout_ms * NSEC_PER_MSEC;
	uint64_t next_progress = rd->fig.start_ns + rd->opts->progress_ns, now;
	uint64_t in_flight;
	struct revere_moderation mod;
	int ret;

	while (rd->verified < rd->opts->packets) {
		ret = send_messages(rd);
		if (ret)
			return ret;
		/* --timeout bounds the time without progress. */
		in_flight = rd->sent - rd->verified;
		mod = (struct revere_moderation){
			.doze_ns = rv_doze_ns(&rd->pace, in_flight),
			.spin_ns = rv_spin_ns(&rd->pace, in_flight),
		};
		ret = revere_wait(rd, REVERE_VEC_RX, rv_now_ns() + timeout, true,
				  &mod, receive_messages, NULL);
		if (ret == -EINTR)
			return revere_exchange_interrupted(rd);
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
	return revere_wait_unmask(rd, REVERE_VEC_RX);
}
