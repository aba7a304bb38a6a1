// SPDX-License-Identifier: BSD-3-Clause
/* The rings' places in the I/O buffers: see revere_layout.h. */
#include "revere_layout.h"
#include "revere_config.h"

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

/* The management sockets fill the first page; the data rings follow. */
static size_t mgt_size(void)
{
	return align_up(3 * ((size_t)RV_MSG_SIZE << MGT_LOG2_SIZE), 4096);
}

size_t revere_buffer_size(void)
{
	size_t data = (size_t)DATA_MSG_SIZE << DATA_LOG2_SIZE;

	return align_up(mgt_size() + 2 * data, REVERE_BUF_ALIGN);
}

void revere_layout_rings(struct revere_dev *rd)
{
	size_t off = 0;

	ring_place(rd, &rd->cmd, "command ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	ring_place(rd, &rd->rsp, "response ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	ring_place(rd, &rd->exc, "exception ring", &off, MGT_LOG2_SIZE, RV_MSG_SIZE);
	off = mgt_size();
	ring_place(rd, &rd->tx, "TX AMS 0", &off, DATA_LOG2_SIZE, rd->msg_size);
	ring_place(rd, &rd->rx, "RX AMS 0", &off, DATA_LOG2_SIZE, rd->msg_size);
	rv_ring_set_regs(&rd->cmd, false, RV_MGT_READ_INDEX_TX0, RV_MGT_WRITE_INDEX_TX0);
	rv_ring_set_regs(&rd->rsp, true, RV_MGT_READ_INDEX_RX0, RV_MGT_WRITE_INDEX_RX0);
	rv_ring_set_regs(&rd->exc, true, RV_MGT_READ_INDEX_RX1, RV_MGT_WRITE_INDEX_RX1);
	rv_ring_set_regs(&rd->tx, false, TX_READ_INDEX, TX_WRITE_INDEX);
	rv_ring_set_regs(&rd->rx, true, RX_READ_INDEX, RX_WRITE_INDEX);
}
