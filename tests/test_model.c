// SPDX-License-Identifier: BSD-3-Clause
/*
 * The device model on its own, with a fake host: two DMA windows backed by
 * static arrays with guard bytes around them (an access outside them is an
 * IOMMU fault), and an MSI-X recorder. Every test runs twice: with a host
 * that only copies (dma_read, dma_write: the mdev's kind) and with one
 * that also lends the windows in place (dma_ptr: the mock's kind), since
 * the model moves messages differently through each and must behave the
 * same. Software's side (ring indexes,
 * command slots) is played by the helpers below, through BAR0 registers
 * only, as a driver would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "revere_model.h"

/* ---- fake host: IOMMU windows and MSI-X ---- */

#define GUARD		256
#define GUARD_BYTE	0xa5
#define MGT_IOVA	0x10000000ull		/* management rings */
#define MGT_SIZE	0x1000
#define DATA_IOVA	0x100000000ull		/* data rings */
#define DATA_SIZE	0x80000
#define TX_OFF		0x00000			/* TX ring, in the data window */
#define RX_OFF		0x40000			/* RX ring */
#define CMD_OFF		0x000			/* in the management window */
#define RSP_OFF		0x400
#define EXC_OFF		0x800
#define MAX_IRQS	8192

static uint8_t mgt_mem[GUARD + MGT_SIZE + GUARD];
static uint8_t data_mem[GUARD + DATA_SIZE + GUARD];

static struct {
	struct rv_model m;
	uint64_t dma_calls;
	uint64_t lent;			/* dma_ptr answers other than NULL */
	unsigned int nirqs;
	uint32_t irqs[MAX_IRQS];
	uint64_t cmd_w, rsp_r;		/* software's management indexes */
	unsigned int cmd_log2, rsp_log2;
	uint8_t cmd[RV_MSG_SIZE], rsp[RV_MSG_SIZE];
} t;

#define M (&t.m)

/* The host memory behind [iova, iova + len), or NULL if no window holds it. */
static uint8_t *window(uint64_t iova, size_t len)
{
	if (iova >= MGT_IOVA && len <= MGT_SIZE &&
	    iova - MGT_IOVA <= MGT_SIZE - len)
		return mgt_mem + GUARD + (iova - MGT_IOVA);
	if (iova >= DATA_IOVA && len <= DATA_SIZE &&
	    iova - DATA_IOVA <= DATA_SIZE - len)
		return data_mem + GUARD + (iova - DATA_IOVA);
	return NULL;
}

static int host_dma_read(void *host, uint64_t iova, void *buf, size_t len)
{
	uint8_t *p = window(iova, len);

	(void)host;
	t.dma_calls++;
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static int host_dma_write(void *host, uint64_t iova, const void *buf,
			  size_t len)
{
	uint8_t *p = window(iova, len);

	(void)host;
	t.dma_calls++;
	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

static void *host_dma_ptr(void *host, uint64_t iova, size_t len)
{
	uint8_t *p = window(iova, len);

	(void)host;
	t.dma_calls++;
	t.lent += p != NULL;
	return p;
}

static void host_msix(void *host, uint32_t vector)
{
	(void)host;
	assert_true(t.nirqs < MAX_IRQS);
	t.irqs[t.nirqs++] = vector;
}

static const struct rv_model_host fake_host = {
	.dma_read = host_dma_read,
	.dma_write = host_dma_write,
	.msix = host_msix,
};

/* The host of this run: fake_host, or fake_host lending its windows. */
static struct rv_model_host host;

static void guards_intact(void)
{
	size_t i;

	for (i = 0; i < GUARD; i++) {
		assert_int_equal(mgt_mem[i], GUARD_BYTE);
		assert_int_equal(mgt_mem[GUARD + MGT_SIZE + i], GUARD_BYTE);
		assert_int_equal(data_mem[i], GUARD_BYTE);
		assert_int_equal(data_mem[GUARD + DATA_SIZE + i], GUARD_BYTE);
	}
}

static uint8_t *data(size_t off)
{
	return data_mem + GUARD + off;
}

/* ---- fixture ---- */

static void start(const struct rv_model_params *p)
{
	memset(&t, 0, sizeof(t));
	memset(mgt_mem, GUARD_BYTE, sizeof(mgt_mem));
	memset(data_mem, GUARD_BYTE, sizeof(data_mem));
	memset(mgt_mem + GUARD, 0, MGT_SIZE);
	memset(data_mem + GUARD, 0, DATA_SIZE);
	assert_int_equal(rv_model_init(M, p, &host), 0);
}

static int setup(void **state)
{
	struct rv_model_params p;

	(void)state;
	rv_model_default_params(&p);
	start(&p);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	guards_intact();
	return 0;
}

/* Do all pending work; the model must go idle in bounded time. */
static unsigned int run(void)
{
	unsigned int n, total = 0, rounds = 0;

	while ((n = rv_model_step(M)) != 0) {
		assert_true(n <= RV_MODEL_STEP_BUDGET);
		total += n;
		assert_true(++rounds < 1000000);
	}
	return total;
}

static void mgt_setup(unsigned int cmd_log2, unsigned int rsp_log2)
{
	t.cmd_log2 = cmd_log2;
	t.rsp_log2 = rsp_log2;
	rv_model_write(M, RV_MSK_BASE_PTR(RV_MSK_CMD), MGT_IOVA + CMD_OFF);
	rv_model_write(M, RV_MSK_BASE_PTR(RV_MSK_RSP), MGT_IOVA + RSP_OFF);
	rv_model_write(M, RV_MSK_BASE_PTR(RV_MSK_EXC), MGT_IOVA + EXC_OFF);
	rv_model_write(M, RV_MSK_CTRL(RV_MSK_CMD),
		       RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, 3) |
		       RV_FIELD_PREP(RV_MSK_CTRL_LOG2_SIZE, cmd_log2));
	rv_model_write(M, RV_MSK_CTRL(RV_MSK_RSP),
		       RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, 3) |
		       RV_FIELD_PREP(RV_MSK_CTRL_LOG2_SIZE, rsp_log2));
	rv_model_write(M, RV_MSK_CTRL(RV_MSK_EXC),
		       RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH, 3));
	rv_model_set_bus_master(M, true);
	rv_model_write(M, RV_AMU_CR, RV_AMU_CR_AMU_EN);
}

static int setup_mgt(void **state)
{
	setup(state);
	mgt_setup(0, 0);	/* one-slot rings, like the original demo */
	return 0;
}

/* ---- software's side of the management interface ---- */

/* A fresh command in t.cmd. */
static uint8_t *cmd(unsigned int op)
{
	memset(t.cmd, 0, sizeof(t.cmd));
	rv_msg_set(t.cmd, RV_MSG_OPCODE, op);
	return t.cmd;
}

static void post(const uint8_t *c)
{
	uint64_t slot = t.cmd_w & ((1u << t.cmd_log2) - 1);

	memcpy(mgt_mem + GUARD + CMD_OFF + slot * RV_MSG_SIZE, c, RV_MSG_SIZE);
	rv_model_write(M, RV_MGT_WRITE_INDEX_TX0, ++t.cmd_w);
}

static uint64_t responses(void)
{
	return rv_model_read(M, RV_MGT_WRITE_INDEX_RX0) - t.rsp_r;
}

static void take(uint8_t *r)
{
	uint64_t slot = t.rsp_r & ((1u << t.rsp_log2) - 1);

	memcpy(r, mgt_mem + GUARD + RSP_OFF + slot * RV_MSG_SIZE, RV_MSG_SIZE);
	rv_model_write(M, RV_MGT_READ_INDEX_RX0, ++t.rsp_r);
}

/* Send t.cmd, get its response into t.rsp; returns its status. */
static unsigned int exec(void)
{
	unsigned int op = rv_msg_get(t.cmd, RV_MSG_OPCODE);

	post(t.cmd);
	run();
	assert_int_equal(responses(), 1);
	take(t.rsp);
	assert_int_equal(rv_msg_get(t.rsp, RV_MSG_OPCODE), op);
	assert_true(rv_model_read(M, RV_MGT_READ_INDEX_TX0) == t.cmd_w);
	return rv_msg_get(t.rsp, RV_MSG_STATUS);
}

/* ---- command builders ---- */

static unsigned int map_sw(bool any, unsigned int phy, unsigned int id,
			   unsigned int f)
{
	cmd(RV_OP_PF_AMI_SW_MAP);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW, any);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_MAP_CMD_PHY_AMI_SW_ID, phy);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID, id);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_MAP_CMD_F_OWNER, f);
	return exec();
}

static unsigned int map_hw(unsigned int aha, unsigned int phy,
			   unsigned int id)
{
	cmd(RV_OP_PF_AMI_HW_MAP);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_MAP_CMD_AHA_ID, aha);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID, phy);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID, id);
	return exec();
}

/* Commands whose only argument is an AMI ID at byte 0x4, bits 15:0. */
static unsigned int by_id(unsigned int op, unsigned int id)
{
	cmd(op);
	rv_msg_set(t.cmd, RV_FIELD(0x4, 15, 0), id);
	return exec();
}

static unsigned int asn_create(unsigned int id, unsigned int src_type,
			       unsigned int src, unsigned int src_ams,
			       unsigned int dst_type, unsigned int dst,
			       unsigned int dst_ams, unsigned int log2_len)
{
	cmd(RV_OP_PF_ASN_CREATE);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_ASN_ID, id);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE, src_type);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_SRC_AMI, src);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_SRC_AMS, src_ams);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, dst_type);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMI, dst);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMS, dst_ams);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, log2_len);
	return exec();
}

static unsigned int asn_destroy(unsigned int id)
{
	cmd(RV_OP_PF_ASN_DESTROY);
	rv_msg_set(t.cmd, RV_PF_ASN_DESTROY_CMD_ASN_ID, id);
	return exec();
}

static unsigned int ring_cfg(unsigned int sw, unsigned int ams,
			     unsigned int type, unsigned int mode,
			     unsigned int log2_size, uint64_t base)
{
	cmd(RV_OP_F_AMS_RING_CONFIGURE);
	rv_msg_set(t.cmd, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID, sw);
	rv_msg_set(t.cmd, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID, ams);
	rv_msg_set(t.cmd, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE, type);
	rv_msg_set(t.cmd, RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE, mode);
	rv_msg_set(t.cmd, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, log2_size);
	rv_msg_set(t.cmd, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR, base);
	return exec();
}

static unsigned int sw_cfg(unsigned int id, unsigned int txv, unsigned int rxv,
			   bool tx_irq, bool rx_irq)
{
	cmd(RV_OP_F_AMI_SW_CONFIGURE);
	rv_msg_set(t.cmd, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID, id);
	rv_msg_set(t.cmd, RV_F_AMI_SW_CONFIGURE_CMD_TX_VECTOR, txv);
	rv_msg_set(t.cmd, RV_F_AMI_SW_CONFIGURE_CMD_RX_VECTOR, rxv);
	rv_msg_set(t.cmd, RV_F_AMI_SW_CONFIGURE_CMD_TX_IRQ_ENABLE, tx_irq);
	rv_msg_set(t.cmd, RV_F_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE, rx_irq);
	return exec();
}

/*
 * Spec 7's configuration: AMI-SW 0 TX AMS 0 -> ASN 0 -> AMI-HW 0 (AHA 0
 * phys 0) RX AMS 0; AMI-HW 1 (phys 1) TX AMS 0 -> ASN 1 -> AMI-SW 0 RX
 * AMS 0, with the given ring and message sizes.
 */
/* The demo's set-up, with messages of log2_in into the AHA, log2_out out. */
static void aha_config(unsigned int log2_ring, unsigned int log2_in,
		       unsigned int log2_out)
{
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(map_hw(0, 0, 0), 0);
	assert_int_equal(map_hw(0, 1, 1), 0);
	assert_int_equal(asn_create(0, RV_AMI_TYPE_SW, 0, 0,
				    RV_AMI_TYPE_HW, 0, 0, log2_in), 0);
	assert_int_equal(asn_create(1, RV_AMI_TYPE_HW, 1, 0,
				    RV_AMI_TYPE_SW, 0, 0, log2_out), 0);
	assert_int_equal(sw_cfg(0, 0, 0, false, false), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, log2_ring,
				  DATA_IOVA + TX_OFF), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 0, log2_ring,
				  DATA_IOVA + RX_OFF), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_ENABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_ENABLE, 1), 0);
}

static void demo_config(unsigned int log2_ring, unsigned int log2_msg)
{
	aha_config(log2_ring, log2_msg, log2_msg);
}

/* A loopback session: AMI-SW 0 TX AMS 0 -> AMI-SW 0 RX AMS 0. */
static void loop_config(unsigned int log2_tx, unsigned int log2_rx,
			unsigned int log2_msg)
{
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(asn_create(0, RV_AMI_TYPE_SW, 0, 0,
				    RV_AMI_TYPE_SW, 0, 0, log2_msg), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, log2_tx,
				  DATA_IOVA + TX_OFF), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 0, log2_rx,
				  DATA_IOVA + RX_OFF), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
}

/* ---- software's side of AMI-SW 0's data rings ---- */

#define SW0(reg)	(RV_AMI_SW_PAGE(0) + (reg))

static uint8_t pattern(uint64_t msg, size_t byte)
{
	return (uint8_t)(msg * 31 + byte * 7 + (byte >> 8));
}

/* Write message number i into TX slot w of a ring, advance WRITE_INDEX. */
static void produce(uint64_t i, unsigned int log2_ring, size_t len)
{
	uint64_t w = rv_model_read(M, SW0(RV_AMI_SW_WRITE_INDEX_TX(0)));
	uint8_t *slot = data(TX_OFF + (w & ((1u << log2_ring) - 1)) * len);
	size_t j;

	for (j = 0; j < len; j++)
		slot[j] = pattern(i, j);
	rv_model_write(M, SW0(RV_AMI_SW_WRITE_INDEX_TX(0)), w + 1);
}

static uint64_t rx_pending(void)
{
	return rv_model_read(M, SW0(RV_AMI_SW_WRITE_INDEX_RX(0))) -
	       rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_RX(0)));
}

/* Check the next RX message is message i (inverted or not), consume it. */
static void consume(uint64_t i, unsigned int log2_ring, size_t len,
		    bool inverted)
{
	uint64_t r = rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_RX(0)));
	const uint8_t *slot = data(RX_OFF +
				   (r & ((1u << log2_ring) - 1)) * len);
	size_t j;

	assert_true(rx_pending() > 0);
	for (j = 0; j < len; j++) {
		uint8_t want = pattern(i, j);

		if (inverted)
			want = (uint8_t)~want;
		if (slot[j] != want)
			fail_msg("message %llu byte %zu: 0x%02x, want 0x%02x",
				 (unsigned long long)i, j, slot[j], want);
	}
	rv_model_write(M, SW0(RV_AMI_SW_READ_INDEX_RX(0)), r + 1);
}

/* ---- registers ---- */

static void test_init_rejects_bad_params(void **state)
{
	struct rv_model_params p;
	struct rv_model_host h = host;

	(void)state;
	rv_model_default_params(&p);
	p.num_ami_sw = RV_MODEL_MAX_AMI_SW + 1;
	assert_int_equal(rv_model_init(M, &p, &host), -1);
	rv_model_default_params(&p);
	p.max_asn = RV_MODEL_MAX_ASN + 1;
	assert_int_equal(rv_model_init(M, &p, &host), -1);
	rv_model_default_params(&p);
	p.num_rx_ams = 0;
	assert_int_equal(rv_model_init(M, &p, &host), -1);
	rv_model_default_params(&p);
	h.dma_write = NULL;
	assert_int_equal(rv_model_init(M, &p, &h), -1);
	assert_int_equal(rv_model_init(M, &p, &host), 0);
}

static void test_identity(void **state)
{
	struct rv_model_params p;

	(void)state;
	/* spec 8.9: 4 TX + 4 RX AMS, AMI_TYPE 0, v2.0 */
	assert_int_equal(rv_model_read(M, RV_AMU_IDR), 0xc3);
	assert_int_equal(rv_model_read(M, RV_AMU_AIDR), 0x20);
	rv_model_write(M, RV_AMU_IDR, ~0ull);
	rv_model_write(M, RV_AMU_AIDR, 0);
	rv_model_write(M, RV_AMU_SR, 1);
	assert_int_equal(rv_model_read(M, RV_AMU_IDR), 0xc3);
	assert_int_equal(rv_model_read(M, RV_AMU_AIDR), 0x20);
	assert_int_equal(rv_model_read(M, RV_AMU_SR), 0);

	rv_model_default_params(&p);
	p.num_tx_ams = 2;
	p.num_rx_ams = 3;
	p.aidr = 0x31;
	p.iidr = 0x1234abcd;
	start(&p);
	assert_int_equal(rv_model_read(M, RV_AMU_IDR), (2 << 6) | 1);
	assert_int_equal(rv_model_read(M, RV_AMU_AIDR), 0x31);
	assert_int_equal(rv_model_read(M, RV_AMU_IIDR), 0x1234abcd);
}

static void test_register_storage(void **state)
{
	(void)state;
	/* Only the defined bits of AMU_CR and MSK_CTRL stick. */
	rv_model_write(M, RV_AMU_CR, ~0ull);
	assert_int_equal(rv_model_read(M, RV_AMU_CR), 0x60007);
	rv_model_write(M, RV_MSK_CTRL(1), ~0ull);
	assert_int_equal(rv_model_read(M, RV_MSK_CTRL(1)), 0xfff);
	rv_model_write(M, RV_MGT_RX_VECTOR, ~0ull);
	assert_int_equal(rv_model_read(M, RV_MGT_RX_VECTOR), 0x7ff);
	rv_model_write(M, RV_MSK_BASE_PTR(2), 0xfedcba9876543210ull);
	assert_true(rv_model_read(M, RV_MSK_BASE_PTR(2)) ==
		    0xfedcba9876543210ull);
	/* Device-owned indexes ignore software. */
	rv_model_write(M, RV_MGT_READ_INDEX_TX0, 5);
	rv_model_write(M, RV_MGT_WRITE_INDEX_RX0, 5);
	rv_model_write(M, SW0(RV_AMI_SW_READ_INDEX_TX(0)), 5);
	rv_model_write(M, SW0(RV_AMI_SW_WRITE_INDEX_RX(3)), 5);
	assert_int_equal(rv_model_read(M, RV_MGT_READ_INDEX_TX0), 0);
	assert_int_equal(rv_model_read(M, RV_MGT_WRITE_INDEX_RX0), 0);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_TX(0))), 0);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_WRITE_INDEX_RX(3))),
			 0);
	/* Software-owned ones keep full 64-bit values. */
	rv_model_write(M, RV_AMI_SW_PAGE(3) + RV_AMI_SW_WRITE_INDEX_TX(2),
		       0x8000000000000001ull);
	assert_true(rv_model_read(M, RV_AMI_SW_PAGE(3) +
				  RV_AMI_SW_WRITE_INDEX_TX(2)) ==
		    0x8000000000000001ull);
	/* Unaligned, absent and beyond-BAR offsets read 0. */
	rv_model_write(M, RV_AMU_CR + 4, ~0ull);
	assert_int_equal(rv_model_read(M, RV_AMU_CR + 4), 0);
	assert_int_equal(rv_model_read(M, 0x38), 0);
	assert_int_equal(rv_model_read(M, RV_MODEL_BAR0_SIZE), 0);
	assert_int_equal(rv_model_read(M, RV_AMI_SW_PAGE(4)), 0);
}

static void test_reg_owner(void **state)
{
	static const struct {
		uint64_t off;
		enum rv_reg_owner owner;
	} want[] = {
		{ RV_AMU_IDR, RV_REG_DEVICE },
		{ RV_AMU_AIDR, RV_REG_DEVICE },
		{ RV_AMU_IIDR, RV_REG_DEVICE },
		{ RV_AMU_CR, RV_REG_SW },
		{ RV_AMU_SR, RV_REG_DEVICE },
		{ RV_MGT_RX_VECTOR, RV_REG_SW },
		{ RV_MGT_TX_IRQ_CTRL, RV_REG_SW },
		{ RV_MGT_TRACE_RX_CTRL, RV_REG_SW },
		{ RV_MSK_BASE_PTR(0), RV_REG_SW },
		{ RV_MSK_CTRL(2), RV_REG_SW },
		{ RV_MGT_TX_DIGEST, RV_REG_DEVICE },
		{ RV_MGT_TX_DIGEST_MASK, RV_REG_SW },
		{ RV_MGT_READ_INDEX_TX0, RV_REG_DEVICE },
		{ RV_MGT_WRITE_INDEX_TX0, RV_REG_SW },
		{ RV_MGT_RX_DIGEST, RV_REG_DEVICE },
		{ RV_MGT_READ_INDEX_RX0, RV_REG_SW },
		{ RV_MGT_READ_INDEX_RX1, RV_REG_SW },
		{ RV_MGT_WRITE_INDEX_RX0, RV_REG_DEVICE },
		{ RV_MGT_WRITE_INDEX_RX1, RV_REG_DEVICE },
		{ 0x038, RV_REG_NONE },
		{ 0x090, RV_REG_NONE },
		{ 0x1404, RV_REG_NONE },		/* unaligned */
		{ 0x2000, RV_REG_NONE },
		{ SW0(RV_AMI_SW_TX_DIGEST), RV_REG_DEVICE },
		{ SW0(RV_AMI_SW_TX_DIGEST_MASK), RV_REG_SW },
		{ SW0(RV_AMI_SW_READ_INDEX_TX(0)), RV_REG_DEVICE },
		{ SW0(RV_AMI_SW_WRITE_INDEX_TX(3)), RV_REG_SW },
		{ SW0(RV_AMI_SW_WRITE_INDEX_TX(4)), RV_REG_NONE }, /* 4 AMS */
		{ SW0(RV_AMI_SW_RX_DIGEST), RV_REG_DEVICE },
		{ SW0(RV_AMI_SW_RX_DIGEST_MASK), RV_REG_SW },
		{ SW0(RV_AMI_SW_READ_INDEX_RX(1)), RV_REG_SW },
		{ SW0(RV_AMI_SW_WRITE_INDEX_RX(2)), RV_REG_DEVICE },
		{ SW0(0x010), RV_REG_NONE },
		{ RV_AMI_SW_PAGE(3) + RV_AMI_SW_READ_INDEX_RX(0), RV_REG_SW },
		{ RV_AMI_SW_PAGE(4) + RV_AMI_SW_READ_INDEX_RX(0), RV_REG_NONE },
		{ RV_AMI_SW_PAGE(0) + 0x1000, RV_REG_NONE },
		{ RV_MODEL_BAR0_SIZE, RV_REG_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (rv_model_reg_owner(M, want[i].off) != want[i].owner)
			fail_msg("offset 0x%llx: owner %d, want %d",
				 (unsigned long long)want[i].off,
				 rv_model_reg_owner(M, want[i].off),
				 want[i].owner);
}

/* ---- management interface ---- */

static void test_probe(void **state)
{
	struct rv_model_params p;

	(void)state;
	cmd(RV_OP_PF_PROBE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_MAX_AMI_SW), 4);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_MAX_AMI_HW), 8);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_MAX_ASN), 16);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_NUM_AHA), 1);
	cmd(RV_OP_F_PROBE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_PROBE_RSP_AMI_PER_F_M1), 3);

	/* Probes report the params, whatever they are. */
	rv_model_default_params(&p);
	p.num_ami_sw = 1;
	p.num_ami_hw = 2;
	p.max_asn = 3;
	p.num_aha = 0;
	p.ami_per_f_m1 = 0;
	start(&p);
	mgt_setup(0, 0);
	cmd(RV_OP_PF_PROBE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_MAX_AMI_SW), 1);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_MAX_AMI_HW), 2);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_MAX_ASN), 3);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_PROBE_RSP_NUM_AHA), 0);
	cmd(RV_OP_F_PROBE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_PROBE_RSP_AMI_PER_F_M1), 0);
}

/* spec 8.3: same opcode, status 0xffff, the rest of the slot zero. */
static void test_unknown_opcode(void **state)
{
	static const unsigned int ops[] = { 0, 37, 0x100, 0xffff };
	static const uint8_t zero[RV_MSG_SIZE - 4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		cmd(ops[i]);
		memset(t.cmd + 4, 0x5a, RV_MSG_SIZE - 4);
		assert_int_equal(exec(), RV_STATUS_UNKNOWN_OPCODE);
		assert_memory_equal(t.rsp + 4, zero, sizeof(zero));
	}
}

static void test_response_unused_bytes_zero(void **state)
{
	static const uint8_t zero[RV_MSG_SIZE - 0x10];

	(void)state;
	/* Stale bytes in the response slot must be overwritten by zeros. */
	memset(mgt_mem + GUARD + RSP_OFF, 0xee, RV_MSG_SIZE);
	cmd(RV_OP_PF_PROBE);
	memset(t.cmd + 4, 0x77, RV_MSG_SIZE - 4);
	assert_int_equal(exec(), 0);
	assert_memory_equal(t.rsp + 0x10, zero, sizeof(zero));
	assert_int_equal(t.rsp[0x0e], 0);
	assert_int_equal(t.rsp[0x0f], 0);
}

static void test_ami_sw_map_unmap(void **state)
{
	struct rv_model_summary s;

	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(map_sw(true, 0, 0, 0), 1);	/* ID in use */
	assert_int_equal(map_sw(false, 0, 1, 0), 2);	/* phys 0 taken */
	assert_int_equal(map_sw(false, 3, 1, 0), 0);
	assert_int_equal(map_sw(false, 4, 2, 0), 2);	/* no phys 4 */
	assert_int_equal(map_sw(true, 0, 2, 0), 0);
	assert_int_equal(map_sw(true, 0, 3, 0), 0);	/* last phys */
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_sw_mapped, 4);
	/* All 4 physical AMI-SWs are in use; ID 4 >= AMI_PER_F anyway. */
	assert_int_equal(map_sw(true, 0, 4, 0), 2);
	/* Only function 0 exists in the model. */
	cmd(RV_OP_PF_AMI_SW_UNMAP);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID, 2);
	assert_int_equal(exec(), 0);
	assert_int_equal(map_sw(true, 0, 2, 5), 2);
	assert_int_equal(map_sw(true, 0, 2, 0), 0);

	/* UNMAP never fails, even of an unmapped ID; it frees the phys. */
	cmd(RV_OP_PF_AMI_SW_UNMAP);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID, 1);
	assert_int_equal(exec(), 0);
	assert_int_equal(exec(), 0);
	assert_int_equal(map_sw(false, 3, 1, 0), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_sw_mapped, 4);
	assert_int_equal(s.commands, t.rsp_r);
}

static void test_ami_sw_lifecycle(void **state)
{
	struct rv_model_summary s;

	(void)state;
	/* Not mapped: status 1 everywhere. */
	assert_int_equal(sw_cfg(0, 1, 2, true, true), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_SAVE, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_RESET, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 1);
	assert_int_equal(by_id(RV_OP_PF_AMI_SW_SAVE, 0), 1);
	assert_int_equal(by_id(RV_OP_PF_AMI_SW_RESET, 0), 1);

	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(sw_cfg(0, 0x5a5, 0x3c3, true, false), 0);
	cmd(RV_OP_F_AMI_SW_SAVE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_SW_SAVE_RSP_TX_VECTOR),
			 0x5a5);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_SW_SAVE_RSP_RX_VECTOR),
			 0x3c3);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_SW_SAVE_RSP_TX_IRQ_ENABLE),
			 1);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_SW_SAVE_RSP_RX_IRQ_ENABLE),
			 0);

	/* Enabled: configure, save, reset and rings refuse with status 2. */
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_sw_enabled, 1);
	assert_int_equal(sw_cfg(0, 1, 2, true, true), 2);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_SAVE, 0), 2);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_RESET, 0), 2);
	assert_int_equal(by_id(RV_OP_PF_AMI_SW_SAVE, 0), 2);
	assert_int_equal(by_id(RV_OP_PF_AMI_SW_RESET, 0), 2);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, 6, DATA_IOVA), 2);
	cmd(RV_OP_PF_AMI_SW_CONFIGURE);
	assert_int_equal(exec(), 2);

	assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_RESET, 0), 0);
	cmd(RV_OP_PF_AMI_SW_SAVE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_TX_VECTOR), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_TX_IRQ_ENABLE),
			 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_ENABLE), 0);

	/* PF-AMI-SW-CONFIGURE sets everything and may enable. */
	cmd(RV_OP_PF_AMI_SW_CONFIGURE);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_CONFIGURE_CMD_PASID, 0xabcde);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_CONFIGURE_CMD_PASID_ENABLED, 1);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_CONFIGURE_CMD_RX_VECTOR, 0x123);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE, 1);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_PF_AMI_SW_SAVE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_PASID),
			 0xabcde);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_PASID_ENABLED),
			 1);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_RX_VECTOR),
			 0x123);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_SW_SAVE_RSP_RX_IRQ_ENABLE),
			 1);
	cmd(RV_OP_PF_AMI_SW_CONFIGURE);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_CONFIGURE_CMD_ENABLE, 1);
	assert_int_equal(exec(), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_sw_enabled, 1);
	/* PF-* commands for another function: not mapped there. */
	cmd(RV_OP_PF_AMI_SW_RESET);
	rv_msg_set(t.cmd, RV_PF_AMI_SW_RESET_CMD_F_OWNER, 1);
	assert_int_equal(exec(), 1);
	assert_int_equal(by_id(RV_OP_PF_AMI_SW_RESET, 0), 2);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_PF_AMI_SW_RESET, 0), 0);
}

static void test_ams_rings(void **state)
{
	(void)state;
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, 6, DATA_IOVA), 1);
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(ring_cfg(0, 3, RV_AMS_TYPE_RX, 1, 0xd,
				  0xfedcba9876543210ull), 0);
	assert_int_equal(ring_cfg(0, 4, RV_AMS_TYPE_RX, 0, 1, DATA_IOVA), 1);

	cmd(RV_OP_F_AMS_RING_SAVE);
	rv_msg_set(t.cmd, RV_F_AMS_RING_SAVE_CMD_AMS_ID, 3);
	rv_msg_set(t.cmd, RV_F_AMS_RING_SAVE_CMD_AMS_TYPE, RV_AMS_TYPE_RX);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_RX_MODE), 1);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_LOG2_SIZE),
			 0xd);
	assert_true(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_BASE_PTR) ==
		    0xfedcba9876543210ull);

	/* The PF variant, with its fields one bit lower, reaches the same. */
	cmd(RV_OP_PF_AMS_RING_CONFIGURE);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_CONFIGURE_CMD_AMS_ID, 2);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_CONFIGURE_CMD_AMS_TYPE,
		   RV_AMS_TYPE_TX);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, 5);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_CONFIGURE_CMD_THRESHOLD, 9);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_CONFIGURE_CMD_BASE_PTR, 0x1234000);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_F_AMS_RING_SAVE);
	rv_msg_set(t.cmd, RV_F_AMS_RING_SAVE_CMD_AMS_ID, 2);
	rv_msg_set(t.cmd, RV_F_AMS_RING_SAVE_CMD_AMS_TYPE, RV_AMS_TYPE_TX);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_RX_MODE), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_LOG2_SIZE),
			 5);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_THRESHOLD),
			 9);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMS_RING_SAVE_RSP_BASE_PTR),
			 0x1234000);
	cmd(RV_OP_PF_AMS_RING_SAVE);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_SAVE_CMD_AMS_ID, 2);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_SAVE_CMD_AMS_TYPE, RV_AMS_TYPE_TX);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMS_RING_SAVE_RSP_LOG2_SIZE),
			 5);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMS_RING_SAVE_RSP_THRESHOLD),
			 9);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMS_RING_SAVE_RSP_BASE_PTR),
			 0x1234000);
	cmd(RV_OP_PF_AMS_RING_SAVE);
	rv_msg_set(t.cmd, RV_PF_AMS_RING_SAVE_CMD_F_OWNER, 2);
	assert_int_equal(exec(), 1);

	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	cmd(RV_OP_F_AMS_RING_SAVE);
	assert_int_equal(exec(), 2);
	cmd(RV_OP_PF_AMS_RING_SAVE);
	assert_int_equal(exec(), 2);
	cmd(RV_OP_PF_AMS_RING_CONFIGURE);
	assert_int_equal(exec(), 2);
}

static void test_ami_hw(void **state)
{
	struct rv_model_summary s;

	(void)state;
	assert_int_equal(by_id(RV_OP_F_AMI_HW_ENABLE, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_DISABLE, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_CONFIGURE, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_SAVE, 0), 1);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_RESET, 0), 1);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_CONFIGURE, 0), 1);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_SAVE, 0), 1);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_RESET, 0), 1);

	assert_int_equal(map_hw(0, 0, 0), 0);
	assert_int_equal(map_hw(0, 1, 0), 1);	/* ID 0 already mapped */
	assert_int_equal(map_hw(0, 0, 1), 1);	/* phys 0 already mapped */
	assert_int_equal(map_hw(1, 1, 1), 1);	/* no AHA 1 */
	assert_int_equal(map_hw(0, 8, 1), 1);	/* no phys 8 */
	assert_int_equal(map_hw(0, 1, 1), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_hw_mapped, 2);

	cmd(RV_OP_PF_AMI_HW_CONFIGURE);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_CONFIGURE_CMD_AMI_HW_ID, 1);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_CONFIGURE_CMD_PASID, 0x12345);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_CONFIGURE_CMD_PASID_ENABLED, 1);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_CONFIGURE_CMD_HW_CRED_SIZE, 0x5a5);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_PF_AMI_HW_SAVE);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_SAVE_CMD_AMI_HW_ID, 1);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_HW_SAVE_RSP_PASID),
			 0x12345);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_HW_SAVE_RSP_PASID_ENABLED),
			 1);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_HW_SAVE_RSP_HW_CRED_SIZE),
			 0x5a5);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_AMI_HW_SAVE_RSP_ENABLE), 0);

	cmd(RV_OP_F_AMI_HW_CONFIGURE);
	rv_msg_set(t.cmd, RV_F_AMI_HW_CONFIGURE_CMD_AMI_HW_ID, 0);
	rv_msg_set(t.cmd, RV_F_AMI_HW_CONFIGURE_CMD_PASID, 0x54321);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_F_AMI_HW_SAVE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_HW_SAVE_RSP_PASID),
			 0x54321);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_HW_SAVE_RSP_PASID_ENABLED),
			 0);

	assert_int_equal(by_id(RV_OP_F_AMI_HW_ENABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_CONFIGURE, 0), 2);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_SAVE, 0), 2);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_RESET, 0), 2);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_CONFIGURE, 0), 2);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_SAVE, 0), 2);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_RESET, 0), 2);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_hw_enabled, 1);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_DISABLE, 0), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_RESET, 0), 0);
	cmd(RV_OP_F_AMI_HW_SAVE);
	assert_int_equal(exec(), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_F_AMI_HW_SAVE_RSP_PASID), 0);
	assert_int_equal(by_id(RV_OP_PF_AMI_HW_RESET, 1), 0);

	/* PF-AMI-HW-CONFIGURE with ENABLE */
	cmd(RV_OP_PF_AMI_HW_CONFIGURE);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_CONFIGURE_CMD_AMI_HW_ID, 1);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_CONFIGURE_CMD_ENABLE, 1);
	assert_int_equal(exec(), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_hw_enabled, 1);

	/* UNMAP never fails and frees the physical AMI-HW. */
	cmd(RV_OP_PF_AMI_HW_UNMAP);
	rv_msg_set(t.cmd, RV_PF_AMI_HW_UNMAP_CMD_AMI_HW_ID, 1);
	assert_int_equal(exec(), 0);
	assert_int_equal(exec(), 0);
	assert_int_equal(map_hw(0, 1, 2), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_hw_mapped, 2);
	assert_int_equal(s.ami_hw_enabled, 0);
}

static void test_asn(void **state)
{
	struct rv_model_summary s;

	(void)state;
	cmd(RV_OP_PF_ASN_CREATE);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_ASN_ID, 15);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_PRIO, 0xa);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, 1);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_MON_OWNER, 0x1234);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_SRC_AMI, 0x0102);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMI, 0x0506);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_F_OWNER, 0x0708);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMS, 0x2a);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_SRC_AMS, 0x15);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_STASH_CTL, 0x1122334455667788);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_PROF_MASK, 0x99aabbccddeeff00);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_PROF_TBL_BASE, 0xabc000);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_PROF_CTL, 0xbeef);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_TRACE_CTL, 0xcafe);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_MPIDR, 0x80000102);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_MFO, 5);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_MF_OB_BUF_NUM, 0x55);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, 9);
	assert_int_equal(exec(), 0);
	assert_int_equal(exec(), 1);		/* in use */
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_ASN_ID, 16);
	assert_int_equal(exec(), 1);		/* beyond MAX_ASN */
	rv_model_summary(M, &s);
	assert_int_equal(s.asn_count, 1);

	assert_int_equal(asn_destroy(14), 1);
	assert_int_equal(asn_destroy(16), 1);
	assert_int_equal(asn_destroy(15), 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_PRIO), 0xa);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_DST_AMI_TYPE),
			 1);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_SRC_AMI_TYPE),
			 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_MON_OWNER),
			 0x1234);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_SRC_AMI),
			 0x0102);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_SRC_F_OWNER),
			 0);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_DST_AMI),
			 0x0506);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_DST_F_OWNER),
			 0x0708);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_DST_AMS),
			 0x2a);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_SRC_AMS),
			 0x15);
	assert_true(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_STASH_CTL) ==
		    0x1122334455667788ull);
	assert_true(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_PROF_MASK) ==
		    0x99aabbccddeeff00ull);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_PROF_TBL_BASE),
			 0xabc000);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_PROF_CTL),
			 0xbeef);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_TRACE_CTL),
			 0xcafe);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_MPIDR),
			 0x80000102);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_MFO), 5);
	assert_int_equal(rv_msg_get(t.rsp,
				    RV_PF_ASN_DESTROY_RSP_MF_OB_BUF_NUM), 0x55);
	assert_int_equal(rv_msg_get(t.rsp,
				    RV_PF_ASN_DESTROY_RSP_LOG2_MSG_LENGTH), 9);
	assert_int_equal(asn_destroy(15), 1);	/* gone */
	rv_model_summary(M, &s);
	assert_int_equal(s.asn_count, 0);
}

static void test_functions_and_vf_messages(void **state)
{
	(void)state;
	cmd(RV_OP_PF_RESPONSE_TO_VF);
	rv_msg_set(t.cmd, RV_PF_RESPONSE_TO_VF_CMD_F_TARGET, 3);
	assert_int_equal(exec(), 1);		/* VF 3 not enabled */
	cmd(RV_OP_PF_F_ENABLE);
	rv_msg_set(t.cmd, RV_PF_F_ENABLE_CMD_F_OWNER, 3);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_PF_RESPONSE_TO_VF);
	rv_msg_set(t.cmd, RV_PF_RESPONSE_TO_VF_CMD_F_TARGET, 3);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_PF_F_DISABLE);
	rv_msg_set(t.cmd, RV_PF_F_DISABLE_CMD_F_OWNER, 3);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_PF_RESPONSE_TO_VF);
	rv_msg_set(t.cmd, RV_PF_RESPONSE_TO_VF_CMD_F_TARGET, 3);
	assert_int_equal(exec(), 1);
	cmd(RV_OP_VF_COMMAND_TO_PF);
	assert_int_equal(exec(), 1);
	cmd(RV_OP_F_TYPEB_TABLE_CONFIGURE);
	rv_msg_set(t.cmd, RV_F_TYPEB_TABLE_CONFIGURE_CMD_TYPEB_TBL_SIZE, 4096);
	assert_int_equal(exec(), 0);
	cmd(RV_OP_F_PROF_TABLE_FLUSH);
	assert_int_equal(exec(), 0);
}

static unsigned int prof(unsigned int op, unsigned int ami,
			 unsigned int ami_type, unsigned int ams,
			 unsigned int ams_type)
{
	/* PROF- and TRACE-CONFIGURE share these places (spec 6). */
	cmd(op);
	rv_msg_set(t.cmd, RV_F_AMS_PROF_CONFIGURE_CMD_AMI_ID, ami);
	rv_msg_set(t.cmd, RV_F_AMS_PROF_CONFIGURE_CMD_AMI_TYPE, ami_type);
	rv_msg_set(t.cmd, RV_F_AMS_PROF_CONFIGURE_CMD_AMS_ID, ams);
	rv_msg_set(t.cmd, RV_F_AMS_PROF_CONFIGURE_CMD_AMS_TYPE, ams_type);
	return exec();
}

static void test_prof_trace(void **state)
{
	static const unsigned int ops[] = {
		RV_OP_F_AMS_PROF_CONFIGURE, RV_OP_F_AMS_TRACE_CONFIGURE,
	};
	size_t i;

	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(map_hw(0, 0, 0), 0);
	/* ASN 2 from AMI-SW 0 TX 1 names function 7 as monitoring owner */
	cmd(RV_OP_PF_ASN_CREATE);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_ASN_ID, 2);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_SRC_AMS, 1);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, RV_AMI_TYPE_HW);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_DST_AMS, 2);
	rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_MON_OWNER, 7);
	assert_int_equal(exec(), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(prof(ops[i], 1, RV_AMI_TYPE_SW, 0, 1), 1);
		assert_int_equal(prof(ops[i], 1, RV_AMI_TYPE_HW, 0, 1), 1);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_SW, 4, 1), 1);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_SW, 0, 1), 0);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_HW, 0, 0), 0);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_HW, 2, 0), 3);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_SW, 1, 1), 3);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_SW, 1, 0), 0);
		assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
		assert_int_equal(prof(ops[i], 0, RV_AMI_TYPE_SW, 0, 1), 2);
		assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 0);
	}
}

/* params.fail_opcode: that opcode fails with the status, and does nothing. */
static void test_fail_opcode(void **state)
{
	struct rv_model_params p;
	struct rv_model_summary s;

	(void)state;
	rv_model_default_params(&p);
	p.fail_opcode = RV_OP_PF_AMI_HW_MAP;
	p.fail_status = 1;
	start(&p);
	mgt_setup(0, 0);
	assert_int_equal(map_hw(0, 0, 0), 1);
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	rv_model_summary(M, &s);
	assert_int_equal(s.ami_hw_mapped, 0);
	assert_int_equal(s.ami_sw_mapped, 1);
}

/* params.mute / mute_opcode: the command is consumed, never answered. */
static void test_mute(void **state)
{
	struct rv_model_params p;

	(void)state;
	rv_model_default_params(&p);
	p.mute_opcode = RV_OP_F_PROBE;
	start(&p);
	mgt_setup(0, 0);
	post(cmd(RV_OP_F_PROBE));
	run();
	assert_int_equal(rv_model_read(M, RV_MGT_READ_INDEX_TX0), 1);
	assert_int_equal(responses(), 0);
	cmd(RV_OP_PF_PROBE);
	assert_int_equal(exec(), 0);

	p.mute_opcode = 0;
	p.mute = true;
	start(&p);
	mgt_setup(0, 0);
	post(cmd(RV_OP_PF_PROBE));
	run();
	assert_int_equal(responses(), 0);
	assert_int_equal(rv_model_read(M, RV_MGT_WRITE_INDEX_RX0), 0);
}

/* spec 8.2: commands only while AMU_EN and BME; no DMA at all otherwise. */
static void test_cmd_gating(void **state)
{
	(void)state;
	rv_model_write(M, RV_AMU_CR, 0);
	post(cmd(RV_OP_PF_PROBE));
	assert_int_equal(run(), 0);
	assert_int_equal(rv_model_read(M, RV_MGT_READ_INDEX_TX0), 0);
	rv_model_write(M, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	rv_model_set_bus_master(M, false);
	assert_int_equal(run(), 0);
	assert_int_equal(t.dma_calls, 0);
	assert_int_equal(responses(), 0);
	rv_model_set_bus_master(M, true);
	assert_int_equal(run(), 1);
	assert_int_equal(responses(), 1);
	take(t.rsp);
	assert_int_equal(rv_msg_get(t.rsp, RV_MSG_OPCODE), RV_OP_PF_PROBE);
}

/*
 * Rings of several sizes, wrapped thousands of times, in batches that fill
 * the command ring: command n creates ASN (n / 2) % 16 tagged with MPIDR n
 * when n is even, and destroys it when n is odd; the destroy response must
 * carry the tag of the create before it, so a response in the wrong slot or
 * out of order shows.
 */
static void post_nth(uint64_t n)
{
	if (n % 2 == 0) {
		cmd(RV_OP_PF_ASN_CREATE);
		rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_ASN_ID, (n / 2) % 16);
		rv_msg_set(t.cmd, RV_PF_ASN_CREATE_CMD_MPIDR, n);
	} else {
		cmd(RV_OP_PF_ASN_DESTROY);
		rv_msg_set(t.cmd, RV_PF_ASN_DESTROY_CMD_ASN_ID, (n / 2) % 16);
	}
	post(t.cmd);
}

static void check_nth(uint64_t n)
{
	take(t.rsp);
	assert_int_equal(rv_msg_get(t.rsp, RV_MSG_STATUS), 0);
	if (n % 2 == 0) {
		assert_int_equal(rv_msg_get(t.rsp, RV_MSG_OPCODE),
				 RV_OP_PF_ASN_CREATE);
		return;
	}
	assert_int_equal(rv_msg_get(t.rsp, RV_MSG_OPCODE),
			 RV_OP_PF_ASN_DESTROY);
	assert_int_equal(rv_msg_get(t.rsp, RV_PF_ASN_DESTROY_RSP_MPIDR), n - 1);
}

static void test_mgt_rings_wrap(void **state)
{
	static const unsigned int sizes[][2] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 3 }, { 4, 2 },
	};
	uint64_t sent, got;
	size_t k;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned int csize = 1u << sizes[k][0];
		unsigned int rsize = 1u << sizes[k][1];

		setup(state);
		mgt_setup(sizes[k][0], sizes[k][1]);
		for (sent = got = 0; got < 4000;) {
			while (sent - rv_model_read(M, RV_MGT_READ_INDEX_TX0) <
			       csize)
				post_nth(sent++);
			run();
			assert_true(responses() >= 1);
			assert_true(responses() <= rsize);
			while (responses())
				check_nth(got++);
		}
		assert_true(rv_model_read(M, RV_MGT_WRITE_INDEX_RX0) == got);
		guards_intact();
	}
}

/* A full response ring holds commands back (spec 8.2). */
static void test_mgt_response_ring_full(void **state)
{
	unsigned int i;

	(void)state;
	mgt_setup(2, 1);		/* 4 command slots, 2 response slots */
	for (i = 0; i < 4; i++)
		post(cmd(RV_OP_PF_PROBE));
	assert_int_equal(run(), 2);
	assert_int_equal(rv_model_read(M, RV_MGT_READ_INDEX_TX0), 2);
	assert_int_equal(responses(), 2);
	take(t.rsp);
	assert_int_equal(run(), 1);
	assert_int_equal(responses(), 2);
	take(t.rsp);
	take(t.rsp);
	assert_int_equal(run(), 1);
	take(t.rsp);
	assert_int_equal(run(), 0);
	assert_int_equal(rv_model_read(M, RV_MGT_READ_INDEX_TX0), 4);
}

/* A write index more than a ring ahead: the ring is left alone. */
static void test_mgt_index_overrun(void **state)
{
	(void)state;
	mgt_setup(1, 1);
	rv_model_write(M, RV_MGT_WRITE_INDEX_TX0, 3);
	assert_int_equal(run(), 0);
	assert_int_equal(t.dma_calls, 0);
	/* A consumer index past the producer is no better. */
	rv_model_write(M, RV_MGT_WRITE_INDEX_TX0, 0);
	rv_model_write(M, RV_MGT_READ_INDEX_RX0, 5);
	post(cmd(RV_OP_PF_PROBE));
	assert_int_equal(run(), 0);
	assert_int_equal(t.dma_calls, 0);
	rv_model_write(M, RV_MGT_READ_INDEX_RX0, 0);
	assert_int_equal(run(), 1);
	assert_int_equal(responses(), 1);
}

/* ---- sessions ---- */

/*
 * The demo: 42 messages of 2 KiB, 64-slot rings, inverted by AHA 0. Two
 * DMA calls a message: a read and a write; from a host that lends its
 * memory, two a session's turn of up to RV_MODEL_RUN messages: both rings
 * asked for once, and the messages moved in place, no copy.
 */
static void test_demo_inversion(void **state)
{
	const uint64_t turns = (42 + RV_MODEL_RUN - 1) / RV_MODEL_RUN;
	struct rv_model_summary s;
	uint64_t i, calls;

	(void)state;
	demo_config(6, 8);
	for (i = 0; i < 42; i++)
		produce(i, 6, 2048);
	calls = t.dma_calls;
	run();
	assert_int_equal(t.dma_calls - calls, host.dma_ptr ? 2 * turns : 2 * 42);
	assert_int_equal(t.lent, host.dma_ptr ? 2 * turns : 0);
	assert_int_equal(rx_pending(), 42);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_TX(0))), 42);
	for (i = 0; i < 42; i++)
		consume(i, 6, 2048, true);
	rv_model_summary(M, &s);
	assert_int_equal(s.messages, 42);
	assert_int_equal(s.ami_sw_enabled, 1);
	assert_int_equal(s.ami_hw_enabled, 2);
	assert_int_equal(s.asn_count, 2);
	assert_false(s.iommu_fault);
}

/*
 * An RX ring laid half a slot over the TX ring: each reply is still its
 * message whole, inverted, as if read before it was written. In place,
 * slot to slot, it would not be: the model copies it instead.
 */
static void test_overlapping_slots(void **state)
{
	const uint8_t *slot;
	uint64_t i;
	size_t j;

	(void)state;
	demo_config(2, 8);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 0, 2,
				  DATA_IOVA + TX_OFF + 1024), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	for (i = 0; i < 6; i++) {
		produce(i, 2, 2048);
		run();
		assert_int_equal(rx_pending(), 1);
		slot = data(TX_OFF + 1024 + (i & 3) * 2048);
		for (j = 0; j < 2048; j++)
			assert_int_equal(slot[j], (uint8_t)~pattern(i, j));
		rv_model_write(M, SW0(RV_AMI_SW_READ_INDEX_RX(0)), i + 1);
	}
}

/*
 * Three loopback sessions with full rings, from TX AMS n of AMI-SW 0 into
 * its RX AMS n: steps of two turns' budget go round them, so that each
 * moves as much as the others, none waiting for another's ring to drain.
 */
static void test_session_turns(void **state)
{
	unsigned int n, step;

	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	for (n = 0; n < 3; n++) {
		assert_int_equal(asn_create(n, RV_AMI_TYPE_SW, 0, n,
					    RV_AMI_TYPE_SW, 0, n, 3), 0);
		assert_int_equal(ring_cfg(0, n, RV_AMS_TYPE_TX, 0, 6,
					  DATA_IOVA + TX_OFF + n * 64 * 64), 0);
		assert_int_equal(ring_cfg(0, n, RV_AMS_TYPE_RX, 0, 6,
					  DATA_IOVA + RX_OFF + n * 64 * 64), 0);
	}
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	for (n = 0; n < 3; n++)
		rv_model_write(M, SW0(RV_AMI_SW_WRITE_INDEX_TX(n)), 64);
	for (step = 0; step < 3; step++)
		assert_int_equal(rv_model_step_budget(M, 2 * RV_MODEL_RUN),
				 2 * RV_MODEL_RUN);
	for (n = 0; n < 3; n++) {
		assert_int_equal(rv_model_read(M,
				 SW0(RV_AMI_SW_READ_INDEX_TX(n))),
				 2 * RV_MODEL_RUN);
		assert_int_equal(rv_model_read(M,
				 SW0(RV_AMI_SW_WRITE_INDEX_RX(n))),
				 2 * RV_MODEL_RUN);
	}
	assert_int_equal(run(), 3 * (64 - 2 * RV_MODEL_RUN));
}

/* Loopback and inversion for every message size from 64 B to 2 KiB. */
static void test_message_sizes(void **state)
{
	unsigned int l, inv;
	uint64_t i;

	for (inv = 0; inv < 2; inv++) {
		for (l = 3; l <= 8; l++) {
			size_t len = RV_MSG_BYTES(l);

			setup(state);
			mgt_setup(0, 0);
			if (inv)
				demo_config(4, l);
			else
				loop_config(4, 4, l);
			/* Guard the slot after each message: not touched. */
			memset(data(RX_OFF), 0xcc, 16 * 2048);
			for (i = 0; i < 40; i++) {
				produce(i, 4, len);
				run();
				/* the next slot is untouched until its turn */
				if (i < 15)
					assert_int_equal(data(RX_OFF)[(i + 1) *
								      len],
							 0xcc);
				consume(i, 4, len, inv);
			}
			guards_intact();
		}
	}
}

/* Rings of several sizes wrapped thousands of times, in uneven batches. */
static void test_ring_wraps(void **state)
{
	static const unsigned int log2s[] = { 0, 1, 2, 3, 6 };
	unsigned int k, inv;
	uint64_t sent, got, n;

	for (inv = 0; inv < 2; inv++) {
		for (k = 0; k < sizeof(log2s) / sizeof(log2s[0]); k++) {
			unsigned int l = log2s[k], size = 1u << l;

			setup(state);
			mgt_setup(0, 0);
			if (inv)
				demo_config(l, 3);
			else
				loop_config(l, l, 3);
			sent = got = 0;
			for (n = 0; sent < 3000 + 100 * size; n++) {
				/* produce up to the free TX space, unevenly */
				uint64_t want = 1 + (n * 7) % size;

				while (want-- && sent - rv_model_read(M,
				       SW0(RV_AMI_SW_READ_INDEX_TX(0))) < size)
					produce(sent++, l, 64);
				run();
				while (rx_pending() && got < sent)
					consume(got++, l, 64, inv);
			}
			run();
			while (got < sent) {
				consume(got++, l, 64, inv);
				run();
			}
			assert_true(rv_model_read(M,
				SW0(RV_AMI_SW_WRITE_INDEX_RX(0))) == sent);
			guards_intact();
		}
	}
}

/* Back-pressure: a full RX ring holds messages in the TX ring (spec 8.5). */
static void test_back_pressure(void **state)
{
	unsigned int inv;
	uint64_t i;

	for (inv = 0; inv < 2; inv++) {
		setup(state);
		mgt_setup(0, 0);
		if (inv)
			demo_config(2, 3);	/* 4-slot rings both */
		else
			loop_config(3, 2, 3);	/* 8 TX slots, 4 RX */
		for (i = 0; i < (inv ? 4u : 8u); i++)
			produce(i, inv ? 2 : 3, 64);
		run();
		assert_int_equal(rx_pending(), 4);
		assert_int_equal(rv_model_read(M,
				 SW0(RV_AMI_SW_READ_INDEX_TX(0))), 4);
		assert_int_equal(run(), 0);
		if (inv) {
			/* refill the TX ring while RX is full */
			for (i = 4; i < 8; i++)
				produce(i, 2, 64);
			assert_int_equal(run(), 0);
		}
		/* Consume two: exactly two more move, into those slots. */
		consume(0, 2, 64, inv);
		consume(1, 2, 64, inv);
		assert_int_equal(run(), 2);
		assert_int_equal(rx_pending(), 4);
		/* slots 2, 3 still hold messages 2, 3: nothing overwritten */
		consume(2, 2, 64, inv);
		consume(3, 2, 64, inv);
		consume(4, 2, 64, inv);
		consume(5, 2, 64, inv);
		run();
		consume(6, 2, 64, inv);
		consume(7, 2, 64, inv);
		assert_int_equal(rx_pending(), 0);
		assert_int_equal(run(), 0);
	}
}

/* RX_MODE 1 (overwriting): the sender is never held back. */
static void test_overwriting_mode(void **state)
{
	uint64_t i;

	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(asn_create(0, RV_AMI_TYPE_SW, 0, 0,
				    RV_AMI_TYPE_SW, 0, 0, 3), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, 2,
				  DATA_IOVA + TX_OFF), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 1, 1,
				  DATA_IOVA + RX_OFF), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	for (i = 0; i < 3; i++)
		produce(i, 2, 64);
	run();
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_TX(0))), 3);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_WRITE_INDEX_RX(0))), 3);
	/* Slot 0 now holds message 2 over message 0. */
	assert_int_equal(data(RX_OFF)[0], pattern(2, 0));
	assert_int_equal(data(RX_OFF)[64], pattern(1, 0));
}

/* Nothing moves without both AMIs enabled and a session. */
static void test_session_preconditions(void **state)
{
	(void)state;
	loop_config(2, 2, 3);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 0);
	produce(0, 2, 64);
	assert_int_equal(run(), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	assert_int_equal(rx_pending(), 1);
	consume(0, 2, 64, false);
	assert_int_equal(asn_destroy(0), 0);
	produce(1, 2, 64);
	assert_int_equal(run(), 0);
	assert_int_equal(rx_pending(), 0);
	/* The AHA does not take messages whose output cannot go anywhere. */
	setup(state);
	mgt_setup(0, 0);
	demo_config(2, 3);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_DISABLE, 1), 0);
	produce(0, 2, 64);
	assert_int_equal(run(), 0);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_TX(0))), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_HW_ENABLE, 1), 0);
	assert_int_equal(rx_pending(), 1);
	consume(0, 2, 64, true);
}

/*
 * The AHA inverts by 64-bit words: its reply against bytes worked out by
 * hand (message 1 is bytes 31 + 7 * j), at and around each word's edges.
 */
static void test_aha_invert_golden(void **state)
{
	static const struct { size_t byte; uint8_t want; } golden[] = {
		{ 0, 0xe0 }, { 1, 0xd9 }, { 7, 0xaf }, { 8, 0xa8 },
		{ 9, 0xa1 }, { 15, 0x77 }, { 16, 0x70 }, { 31, 0x07 },
		{ 32, 0x00 }, { 56, 0x58 }, { 63, 0x27 },
	};
	size_t i;

	(void)state;
	mgt_setup(0, 0);
	demo_config(3, 3);
	produce(0, 3, 64);
	produce(1, 3, 64);
	run();
	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++)
		assert_int_equal(data(RX_OFF)[64 + golden[i].byte],
				 golden[i].want);
	consume(0, 3, 64, true);
	consume(1, 3, 64, true);
}

/*
 * Sessions of different lengths either side of the AHA, messages over a
 * chunk (RV_MODEL_CHUNK) long: 4096 bytes in, 8192 out, the reply is the
 * message inverted then zeros; 4096 in, 2048 out, its first 2048 bytes
 * inverted and nothing past the slot written.
 */
static void test_aha_lengths(void **state)
{
	uint8_t *rx = data(RX_OFF);
	size_t j;

	(void)state;
	mgt_setup(0, 0);
	aha_config(2, 9, 10);
	memset(rx, 0xaa, 8192);
	produce(0, 2, 4096);
	run();
	for (j = 0; j < 4096; j++)
		assert_int_equal(rx[j], (uint8_t)~pattern(0, j));
	for (; j < 8192; j++)
		assert_int_equal(rx[j], 0);

	setup(state);
	mgt_setup(0, 0);
	aha_config(2, 9, 8);
	memset(rx, 0xaa, 4096);
	produce(0, 2, 4096);
	run();
	consume(0, 2, 2048, true);
	for (j = 2048; j < 4096; j++)
		assert_int_equal(rx[j], 0xaa);
}

/*
 * params.aha_paced: the AHA takes a message only against the host's
 * credit, one message each, and says when one waits for it.
 */
static void test_aha_paced(void **state)
{
	struct rv_model_params p;

	(void)state;
	rv_model_default_params(&p);
	p.aha_paced = true;
	start(&p);
	mgt_setup(0, 0);
	demo_config(3, 3);
	assert_false(rv_model_aha_waiting(M));
	produce(0, 3, 64);
	produce(1, 3, 64);
	run();
	assert_int_equal(rx_pending(), 0);
	assert_true(rv_model_aha_waiting(M));
	rv_model_aha_grant(M);
	run();
	assert_int_equal(rx_pending(), 1);
	assert_true(rv_model_aha_waiting(M));
	rv_model_aha_grant(M);
	run();
	assert_int_equal(rx_pending(), 2);
	assert_false(rv_model_aha_waiting(M));
	consume(0, 3, 64, true);
	consume(1, 3, 64, true);
	/* A credit granted ahead is used at once. */
	rv_model_aha_grant(M);
	produce(2, 3, 64);
	run();
	assert_int_equal(rx_pending(), 1);
	consume(2, 3, 64, true);
	produce(3, 3, 64);
	run();
	assert_int_equal(rx_pending(), 0);
	assert_true(rv_model_aha_waiting(M));
	/* A step whose budget a command took still says so. */
	post(cmd(RV_OP_PF_PROBE));
	assert_int_equal(rv_model_step_budget(M, 1), 1);
	assert_true(rv_model_aha_waiting(M));
	assert_int_equal(responses(), 1);
	/* Not once the credit is there, nor while the device is stopped. */
	rv_model_aha_grant(M);
	assert_false(rv_model_aha_waiting(M));
	run();
	assert_int_equal(rx_pending(), 1);
	produce(4, 3, 64);
	run();
	assert_true(rv_model_aha_waiting(M));
	rv_model_write(M, RV_AMU_CR, 0);
	assert_false(rv_model_aha_waiting(M));
	rv_model_write(M, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	assert_true(rv_model_aha_waiting(M));
}

/* params.corrupt_msg: the AHA spoils byte 0 of that one reply. */
static void test_corrupt_msg(void **state)
{
	struct rv_model_params p;
	uint64_t i;

	(void)state;
	rv_model_default_params(&p);
	p.corrupt_msg = 3;
	start(&p);
	mgt_setup(0, 0);
	demo_config(3, 3);
	for (i = 0; i < 5; i++)
		produce(i, 3, 64);
	run();
	consume(0, 3, 64, true);
	consume(1, 3, 64, true);
	assert_int_equal(data(RX_OFF)[2 * 64], pattern(2, 0));
	/* Only that byte: the rest of the reply is inverted, word by word. */
	for (i = 1; i < 64; i++)
		assert_int_equal(data(RX_OFF)[2 * 64 + i],
				 (uint8_t)~pattern(2, i));
	rv_model_write(M, SW0(RV_AMI_SW_READ_INDEX_RX(0)), 3);
	consume(3, 3, 64, true);
	consume(4, 3, 64, true);
}

/* ---- faults, bus mastering, reset ---- */

/* spec 8.4: a command ring outside every mapping. */
static void test_iommu_fault_command(void **state)
{
	struct rv_model_summary s;

	(void)state;
	rv_model_write(M, RV_MSK_BASE_PTR(RV_MSK_CMD), 0x20000000);
	post(cmd(RV_OP_PF_PROBE));
	run();
	assert_int_equal(rv_model_read(M, RV_AMU_SR), RV_AMU_SR_IOMMU_FAULT);
	assert_int_equal(rv_model_read(M, RV_MGT_READ_INDEX_TX0), 0);
	assert_int_equal(responses(), 0);
	/* Stopped until reset, even once the pointer is fixed. */
	rv_model_write(M, RV_MSK_BASE_PTR(RV_MSK_CMD), MGT_IOVA + CMD_OFF);
	assert_int_equal(run(), 0);
	rv_model_summary(M, &s);
	assert_true(s.iommu_fault);
	rv_model_reset(M);
	assert_int_equal(rv_model_read(M, RV_AMU_SR), 0);
	t.cmd_w = t.rsp_r = 0;
	mgt_setup(0, 0);
	cmd(RV_OP_PF_PROBE);
	assert_int_equal(exec(), 0);
}

/* A response slot that straddles the end of the window. */
static void test_iommu_fault_response(void **state)
{
	(void)state;
	rv_model_write(M, RV_MSK_BASE_PTR(RV_MSK_RSP),
		       MGT_IOVA + MGT_SIZE - 32);
	post(cmd(RV_OP_PF_PROBE));
	run();
	assert_int_equal(rv_model_read(M, RV_AMU_SR), RV_AMU_SR_IOMMU_FAULT);
	assert_int_equal(rv_model_read(M, RV_MGT_WRITE_INDEX_RX0), 0);
	guards_intact();
}

/* A data ring whose last slot runs off its window: stop, touch nothing. */
static void test_iommu_fault_data(void **state)
{
	struct rv_model_summary s;
	uint64_t i;

	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(asn_create(0, RV_AMI_TYPE_SW, 0, 0,
				    RV_AMI_TYPE_SW, 0, 0, 8), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, 2,
				  DATA_IOVA + TX_OFF), 0);
	/* 4 slots of 2 KiB; the window ends 1 KiB into slot 3 */
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 0, 2,
				  DATA_IOVA + DATA_SIZE - 3 * 2048 - 1024), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	for (i = 0; i < 4; i++)
		produce(i, 2, 2048);
	run();
	rv_model_summary(M, &s);
	assert_true(s.iommu_fault);
	assert_int_equal(s.messages, 3);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_WRITE_INDEX_RX(0))), 3);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_READ_INDEX_TX(0))), 3);
	guards_intact();
	/* Stopped: no more commands either. */
	post(cmd(RV_OP_PF_PROBE));
	assert_int_equal(run(), 0);
	assert_int_equal(responses(), 0);
}

/* A TX ring at an unmapped IOVA: the read faults, nothing is delivered. */
static void test_iommu_fault_tx_read(void **state)
{
	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(asn_create(0, RV_AMI_TYPE_SW, 0, 0,
				    RV_AMI_TYPE_SW, 0, 0, 3), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, 2, 0x4000), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 0, 2,
				  DATA_IOVA + RX_OFF), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	memset(data(RX_OFF), 0xcc, 4 * 64);
	rv_model_write(M, SW0(RV_AMI_SW_WRITE_INDEX_TX(0)), 1);
	run();
	assert_int_equal(rv_model_read(M, RV_AMU_SR), RV_AMU_SR_IOMMU_FAULT);
	assert_int_equal(rx_pending(), 0);
	assert_int_equal(data(RX_OFF)[0], 0xcc);
}

/* No DMA at all while bus mastering is off, with work pending. */
static void test_no_dma_without_bme(void **state)
{
	uint64_t calls;

	(void)state;
	demo_config(2, 3);
	rv_model_set_bus_master(M, false);
	produce(0, 2, 64);
	post(cmd(RV_OP_PF_PROBE));
	calls = t.dma_calls;
	assert_int_equal(run(), 0);
	assert_int_equal(t.dma_calls, calls);
	assert_int_equal(rx_pending(), 0);
	rv_model_set_bus_master(M, true);
	run();
	assert_int_equal(rx_pending(), 1);
	assert_int_equal(responses(), 1);
	consume(0, 2, 64, true);
}

/* spec 8.10: everything back to power-on, identity kept. */
static void test_reset(void **state)
{
	struct rv_model_summary s;
	uint64_t off;

	(void)state;
	demo_config(2, 3);
	rv_model_write(M, RV_MGT_RX_VECTOR, 3);
	rv_model_write(M, SW0(RV_AMI_SW_RX_DIGEST_MASK), 1);
	produce(0, 2, 64);
	run();
	rv_model_reset(M);
	rv_model_summary(M, &s);
	assert_false(s.amu_enabled);
	assert_false(s.iommu_fault);
	assert_int_equal(s.ami_sw_mapped + s.ami_hw_mapped + s.asn_count, 0);
	assert_int_equal(s.commands + s.messages + s.irqs, 0);
	for (off = 0; off < RV_MODEL_BAR0_SIZE; off += 8) {
		uint64_t v = rv_model_read(M, off);

		if (off == RV_AMU_IDR || off == RV_AMU_AIDR)
			continue;
		/* TX digests say "room" for an empty ring (model decision) */
		if (off == RV_MGT_TX_DIGEST ||
		    ((off & 0xffff) == RV_AMI_SW_TX_DIGEST && off >= 0x10000))
			continue;
		if (v)
			fail_msg("0x%llx reads 0x%llx after reset",
				 (unsigned long long)off,
				 (unsigned long long)v);
	}
	assert_int_equal(rv_model_read(M, RV_AMU_IDR), 0xc3);
	assert_int_equal(rv_model_read(M, RV_AMU_AIDR), 0x20);
	/* And it works again from scratch. */
	t.cmd_w = t.rsp_r = 0;
	mgt_setup(0, 0);
	demo_config(2, 3);
	produce(5, 2, 64);
	run();
	consume(5, 2, 64, true);
}

/* ---- interrupts (spec 8.8) and digests ---- */

static void test_mgt_interrupts(void **state)
{
	(void)state;
	rv_model_write(M, RV_MGT_RX_VECTOR, 5);
	rv_model_write(M, RV_MGT_TX_VECTOR, 6);
	/* enabled but masked: nothing */
	rv_model_write(M, RV_MGT_RX_IRQ_CTRL, 1);
	rv_model_write(M, RV_MGT_TX_IRQ_CTRL, 1);
	cmd(RV_OP_PF_PROBE);
	assert_int_equal(exec(), 0);
	assert_int_equal(t.nirqs, 0);
	rv_model_write(M, RV_MGT_RX_DIGEST_MASK, 1);
	assert_int_equal(exec(), 0);
	assert_int_equal(t.nirqs, 1);
	assert_int_equal(t.irqs[0], 5);
	rv_model_write(M, RV_MGT_TX_DIGEST_MASK, 1);
	assert_int_equal(exec(), 0);
	assert_int_equal(t.nirqs, 3);
	assert_int_equal(t.irqs[1], 6);		/* command consumed */
	assert_int_equal(t.irqs[2], 5);		/* response written */
	rv_model_write(M, RV_MGT_RX_IRQ_CTRL, 0);
	rv_model_write(M, RV_MGT_TX_IRQ_CTRL, 0);
	assert_int_equal(exec(), 0);
	assert_int_equal(t.nirqs, 3);
}

static void test_data_interrupts(void **state)
{
	struct rv_model_summary s;
	unsigned int i;

	(void)state;
	assert_int_equal(map_sw(true, 0, 0, 0), 0);
	assert_int_equal(asn_create(0, RV_AMI_TYPE_SW, 0, 0,
				    RV_AMI_TYPE_SW, 0, 0, 3), 0);
	assert_int_equal(sw_cfg(0, 7, 9, true, true), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_TX, 0, 2,
				  DATA_IOVA + TX_OFF), 0);
	assert_int_equal(ring_cfg(0, 0, RV_AMS_TYPE_RX, 0, 2,
				  DATA_IOVA + RX_OFF), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);

	produce(0, 2, 64);		/* digest masks clear: no interrupt */
	run();
	assert_int_equal(t.nirqs, 0);
	rv_model_write(M, SW0(RV_AMI_SW_RX_DIGEST_MASK), 1);
	rv_model_write(M, SW0(RV_AMI_SW_TX_DIGEST_MASK), 1);
	for (i = 1; i < 3; i++)
		produce(i, 2, 64);
	run();
	assert_int_equal(t.nirqs, 4);
	for (i = 0; i < 4; i += 2) {
		assert_int_equal(t.irqs[i], 9);		/* RX written */
		assert_int_equal(t.irqs[i + 1], 7);	/* TX consumed */
	}
	rv_model_summary(M, &s);
	assert_int_equal(s.irqs, 4);
	/* RX_DIGEST: AMS 0 holds messages; clears once consumed. */
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_RX_DIGEST)), 1);
	for (i = 0; i < 3; i++)
		consume(i, 2, 64, false);
	assert_int_equal(rv_model_read(M, SW0(RV_AMI_SW_RX_DIGEST)), 0);
	/* The AMI-SW's own IRQ enables gate it too. */
	assert_int_equal(by_id(RV_OP_F_AMI_SW_DISABLE, 0), 0);
	assert_int_equal(sw_cfg(0, 7, 9, false, true), 0);
	assert_int_equal(by_id(RV_OP_F_AMI_SW_ENABLE, 0), 0);
	produce(3, 2, 64);
	run();
	assert_int_equal(t.nirqs, 5);
	assert_int_equal(t.irqs[4], 9);
}

static void test_mgt_digests(void **state)
{
	(void)state;
	mgt_setup(1, 1);
	assert_int_equal(rv_model_read(M, RV_MGT_RX_DIGEST), 0);
	assert_int_equal(rv_model_read(M, RV_MGT_TX_DIGEST), 1);
	rv_model_write(M, RV_AMU_CR, 0);
	post(cmd(RV_OP_PF_PROBE));
	post(cmd(RV_OP_PF_PROBE));
	assert_int_equal(rv_model_read(M, RV_MGT_TX_DIGEST), 0); /* full */
	rv_model_write(M, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	run();
	assert_int_equal(rv_model_read(M, RV_MGT_RX_DIGEST), 1);
	assert_int_equal(rv_model_read(M, RV_MGT_TX_DIGEST), 1);
}

/* One step does a bounded amount of work; the host loops until idle. */
static void test_step_budget(void **state)
{
	unsigned int n;
	uint64_t i;

	(void)state;
	loop_config(8, 8, 3);
	for (i = 0; i < 200; i++)
		produce(i, 8, 64);
	n = rv_model_step(M);
	assert_int_equal(n, RV_MODEL_STEP_BUDGET);
	run();
	assert_int_equal(rx_pending(), 200);
	for (i = 0; i < 200; i++)
		consume(i, 8, 64, false);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TM(f)	cmocka_unit_test_setup_teardown(f, setup_mgt, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_rejects_bad_params),
		T(test_identity),
		T(test_register_storage),
		T(test_reg_owner),
		TM(test_probe),
		TM(test_unknown_opcode),
		TM(test_response_unused_bytes_zero),
		TM(test_ami_sw_map_unmap),
		TM(test_ami_sw_lifecycle),
		TM(test_ams_rings),
		TM(test_ami_hw),
		TM(test_asn),
		TM(test_functions_and_vf_messages),
		TM(test_prof_trace),
		T(test_fail_opcode),
		T(test_mute),
		TM(test_cmd_gating),
		T(test_mgt_rings_wrap),
		TM(test_mgt_response_ring_full),
		T(test_mgt_index_overrun),
		TM(test_demo_inversion),
		TM(test_overlapping_slots),
		T(test_message_sizes),
		T(test_ring_wraps),
		T(test_back_pressure),
		TM(test_session_turns),
		TM(test_overwriting_mode),
		TM(test_session_preconditions),
		T(test_aha_invert_golden),
		T(test_aha_lengths),
		T(test_aha_paced),
		T(test_corrupt_msg),
		TM(test_iommu_fault_command),
		TM(test_iommu_fault_response),
		TM(test_iommu_fault_data),
		TM(test_iommu_fault_tx_read),
		TM(test_no_dma_without_bme),
		TM(test_reset),
		TM(test_mgt_interrupts),
		TM(test_data_interrupts),
		T(test_mgt_digests),
		TM(test_step_budget),
	};

	struct rv_model_host lending = fake_host;
	int failed;

	lending.dma_ptr = host_dma_ptr;
	host = fake_host;
	failed = cmocka_run_group_tests_name("model, host copies", tests,
					     NULL, NULL);
	host = lending;
	return failed + cmocka_run_group_tests_name("model, host lends memory",
						    tests, NULL, NULL);
}
