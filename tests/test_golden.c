// SPDX-License-Identifier: BSD-3-Clause
/*
 * Golden vectors for revere.h: each encoding is compared byte for byte with
 * bytes worked out by hand from the tables of spec section 6 (little-endian
 * words: the byte at offset b + i holds bits 8i+7..8i of the word at b).
 * The driver and the model share revere.h, so only vectors written
 * independently of it catch a wrong bit position.
 *
 * Each command is encoded twice: with the demo's values (spec 7) and with
 * distinctive non-zero values in every field, so that a field at the wrong
 * place or of the wrong width shows. Responses are decoded from hand-written
 * slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "revere.h"

/* A fresh slot, filled with a pattern so that reserved bytes must be zero. */
static void slot_init(uint8_t *slot, unsigned int op)
{
	memset(slot, 0, RV_MSG_SIZE);
	rv_msg_set(slot, RV_MSG_OPCODE, op);
}

#define CHECK_SLOT(got, ...) do {					\
	static const uint8_t want_[RV_MSG_SIZE] = { __VA_ARGS__ };	\
	assert_memory_equal((got), want_, RV_MSG_SIZE);			\
} while (0)

/* ---- rv_msg_get / rv_msg_set themselves ---- */

static void test_msg_set_masks_and_keeps_neighbours(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	memset(s, 0xff, sizeof(s));
	/* A 6-bit field in the middle of a word: only bits 11:6 change. */
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMS, 0);
	assert_int_equal(s[0x10], 0x3f);
	assert_int_equal(s[0x11], 0xf0);
	assert_int_equal(s[0x12], 0xff);
	assert_int_equal(s[0x13], 0xff);
	assert_int_equal(s[0x0f], 0xff);
	assert_int_equal(s[0x14], 0xff);

	/* A value wider than its field is cut to the field. */
	memset(s, 0, sizeof(s));
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_PHY_AMI_SW_ID, 0x3ffff);
	assert_int_equal(s[4], 0xff);
	assert_int_equal(s[5], 0xff);
	assert_int_equal(s[6], 0x00);		/* ANY_PHY_AMI_SW untouched */
	assert_int_equal(rv_msg_get(s, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW), 0);
}

static void test_msg_64bit_and_unaligned(void **state)
{
	uint8_t raw[RV_MSG_SIZE + 1];
	uint8_t *s = raw + 1;		/* deliberately misaligned */

	(void)state;
	memset(raw, 0, sizeof(raw));
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR,
		   0xfedcba9876543210ull);
	assert_int_equal(s[0x10], 0x10);
	assert_int_equal(s[0x11], 0x32);
	assert_int_equal(s[0x12], 0x54);
	assert_int_equal(s[0x13], 0x76);
	assert_int_equal(s[0x14], 0x98);
	assert_int_equal(s[0x15], 0xba);
	assert_int_equal(s[0x16], 0xdc);
	assert_int_equal(s[0x17], 0xfe);
	assert_true(rv_msg_get(s, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR) ==
		    0xfedcba9876543210ull);
	assert_int_equal(raw[0], 0);
}

/* ---- commands the demo sends ---- */

static void test_pf_probe_cmd(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_PROBE);
	CHECK_SLOT(s, [0x00] = 0x01);
}

static void test_f_probe_cmd(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_F_PROBE);
	CHECK_SLOT(s, [0x00] = 0x02);
}

static void test_pf_ami_sw_map_demo(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_AMI_SW_MAP);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW, 1);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_PHY_AMI_SW_ID, 0);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID, 0);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_F_OWNER, 0);
	/* opcode 6; word 0x4 bit 16 = ANY_PHY_AMI_SW */
	CHECK_SLOT(s, [0x00] = 0x06, [0x06] = 0x01);
}

static void test_pf_ami_sw_map_fields(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_AMI_SW_MAP);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_PHY_AMI_SW_ID, 0x0123);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW, 1);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID, 0x4567);
	rv_msg_set(s, RV_PF_AMI_SW_MAP_CMD_F_OWNER, 0x89ab);
	/* word 0x4 = 0x00010123, word 0x8 = 0x89ab4567 */
	CHECK_SLOT(s, [0x00] = 0x06,
		   [0x04] = 0x23, 0x01, 0x01, 0x00,
		   [0x08] = 0x67, 0x45, 0xab, 0x89);
}

static void test_pf_ami_hw_map_demo(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	/* AHA 0 physical AMI-HW 0 -> AMI-HW 0 of function 0 */
	slot_init(s, RV_OP_PF_AMI_HW_MAP);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_AHA_ID, 0);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID, 0);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID, 0);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_F_OWNER, 0);
	CHECK_SLOT(s, [0x00] = 0x17);

	/* physical AMI-HW 1 -> AMI-HW 1 */
	slot_init(s, RV_OP_PF_AMI_HW_MAP);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_AHA_ID, 0);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID, 1);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID, 1);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_F_OWNER, 0);
	CHECK_SLOT(s, [0x00] = 0x17, [0x04] = 0x01, [0x08] = 0x01);
}

static void test_pf_ami_hw_map_fields(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_AMI_HW_MAP);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID, 0xa1b2);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_AHA_ID, 0xc3d4);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID, 0xe5f6);
	rv_msg_set(s, RV_PF_AMI_HW_MAP_CMD_F_OWNER, 0x0718);
	CHECK_SLOT(s, [0x00] = 0x17,
		   [0x04] = 0xb2, 0xa1, 0xd4, 0xc3,
		   [0x08] = 0xf6, 0xe5, 0x18, 0x07);
}

static void test_pf_asn_create_demo(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	/* ASN 0: AMI-SW 0 TX AMS 0 -> AMI-HW 0 RX AMS 0, 2 KiB messages */
	slot_init(s, RV_OP_PF_ASN_CREATE);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_ASN_ID, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE, RV_AMI_TYPE_SW);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMI, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMS, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, RV_AMI_TYPE_HW);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMI, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMS, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, 8);
	/* DST_AMI_TYPE is word 0x4 bit 4; LOG2_MSG_LENGTH word 0x38 13:10 */
	CHECK_SLOT(s, [0x00] = 0x10, [0x04] = 0x10, [0x39] = 0x20);

	/* ASN 1: AMI-HW 1 TX AMS 0 -> AMI-SW 0 RX AMS 0 */
	slot_init(s, RV_OP_PF_ASN_CREATE);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_ASN_ID, 1);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE, RV_AMI_TYPE_HW);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMI, 1);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMS, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, RV_AMI_TYPE_SW);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMI, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMS, 0);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, 8);
	CHECK_SLOT(s, [0x00] = 0x10, [0x04] = 0x20, [0x08] = 0x01,
		   [0x14] = 0x01, [0x39] = 0x20);
}

static void test_pf_asn_create_fields(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_ASN_CREATE);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_PRIO, 0xa);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE, 1);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE, 1);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_MON_OWNER, 0x1234);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMI, 0x0102);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_F_OWNER, 0x0304);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMI, 0x0506);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_F_OWNER, 0x0708);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_DST_AMS, 0x2a);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_SRC_AMS, 0x15);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_ASN_ID, 0xabcdef);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_STASH_CTL, 0x1122334455667788ull);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_PROF_MASK, 0x99aabbccddeeff00ull);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_PROF_TBL_BASE,
		   0x0123456789abcdefull);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_PROF_CTL, 0xbeef);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_TRACE_CTL, 0xcafe);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_MPIDR, 0x80000102);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_MFO, 5);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_MF_OB_BUF_NUM, 0x55);
	rv_msg_set(s, RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH, 9);
	/*
	 * 0x04: 0xa | 1 << 4 | 1 << 5 | 0x1234 << 6 = 0x00048d3a
	 * 0x10: 0x2a | 0x15 << 6 = 0x56a
	 * 0x38: 5 | 0x55 << 3 | 9 << 10 = 0x26ad
	 */
	CHECK_SLOT(s, [0x00] = 0x10,
		   [0x04] = 0x3a, 0x8d, 0x04, 0x00,
		   [0x08] = 0x02, 0x01, 0x04, 0x03,
		   [0x0c] = 0x06, 0x05, 0x08, 0x07,
		   [0x10] = 0x6a, 0x05, 0x00, 0x00,
		   [0x14] = 0xef, 0xcd, 0xab, 0x00,
		   [0x18] = 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		   [0x20] = 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99,
		   [0x28] = 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
		   [0x30] = 0xef, 0xbe, 0xfe, 0xca,
		   [0x34] = 0x02, 0x01, 0x00, 0x80,
		   [0x38] = 0xad, 0x26, 0x00, 0x00);
}

static void test_f_ami_sw_configure(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_F_AMI_SW_CONFIGURE);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID, 0);
	CHECK_SLOT(s, [0x00] = 0x0b);

	slot_init(s, RV_OP_F_AMI_SW_CONFIGURE);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID, 0x0203);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_PASID, 0xabcde);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_PASID_ENABLED, 1);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_TX_VECTOR, 0x5a5);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_RX_VECTOR, 0x3c3);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_TX_IRQ_ENABLE, 1);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE, 0);
	/* 0x08: 0xabcde | 1 << 20; 0x0c: 0x5a5 | 0x3c3 << 11 | 1 << 22 */
	CHECK_SLOT(s, [0x00] = 0x0b,
		   [0x04] = 0x03, 0x02,
		   [0x08] = 0xde, 0xbc, 0x1a, 0x00,
		   [0x0c] = 0xa5, 0x1d, 0x5e, 0x00);

	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_TX_IRQ_ENABLE, 0);
	rv_msg_set(s, RV_F_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE, 1);
	assert_int_equal(s[0x0e], 0x9e);
}

static void test_f_ams_ring_configure_demo(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	/* TX AMS 0 of AMI-SW 0: 64 slots, back-pressure */
	slot_init(s, RV_OP_F_AMS_RING_CONFIGURE);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID, 0);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID, 0);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE, RV_AMS_TYPE_TX);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE,
		   RV_RX_MODE_BACK_PRESSURE);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, 6);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_THRESHOLD, 0);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR,
		   0x0000000100002000ull);
	CHECK_SLOT(s, [0x00] = 0x14, [0x08] = 0x40, [0x0c] = 0x18,
		   [0x10] = 0x00, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00);

	/* RX AMS 0 */
	slot_init(s, RV_OP_F_AMS_RING_CONFIGURE);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE, RV_AMS_TYPE_RX);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, 6);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR,
		   0x0000000100022000ull);
	CHECK_SLOT(s, [0x00] = 0x14, [0x0c] = 0x18,
		   [0x10] = 0x00, 0x20, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00);
}

static void test_f_ams_ring_configure_fields(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_F_AMS_RING_CONFIGURE);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID, 0x0f0e);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID, 0x2b);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE, 1);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE, 1);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, 0xd);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_THRESHOLD, 0xa);
	rv_msg_set(s, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR,
		   0xfedcba9876543210ull);
	/* 0x0c: 1 << 1 | 0xd << 2 | 0xa << 6 = 0x2b6 */
	CHECK_SLOT(s, [0x00] = 0x14,
		   [0x04] = 0x0e, 0x0f,
		   [0x08] = 0x6b,
		   [0x0c] = 0xb6, 0x02,
		   [0x10] = 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe);
}

/* PF-AMS-RING-CONFIGURE puts the ring fields one bit lower (spec 6). */
static void test_pf_ams_ring_configure_fields(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_AMS_RING_CONFIGURE);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_AMI_SW_ID, 0x0f0e);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_F_OWNER, 0x0d0c);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_AMS_ID, 0x2b);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_AMS_TYPE, 1);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_RX_MODE, 1);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_LOG2_SIZE, 0xd);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_THRESHOLD, 0xa);
	rv_msg_set(s, RV_PF_AMS_RING_CONFIGURE_CMD_BASE_PTR,
		   0xfedcba9876543210ull);
	/* 0x0c: 1 | 0xd << 1 | 0xa << 5 = 0x15b */
	CHECK_SLOT(s, [0x00] = 0x12,
		   [0x04] = 0x0e, 0x0f, 0x0c, 0x0d,
		   [0x08] = 0x6b,
		   [0x0c] = 0x5b, 0x01,
		   [0x10] = 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe);
}

static void test_enable_disable(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_F_AMI_SW_ENABLE);
	rv_msg_set(s, RV_F_AMI_SW_ENABLE_CMD_AMI_SW_ID, 0);
	CHECK_SLOT(s, [0x00] = 0x0e);
	rv_msg_set(s, RV_F_AMI_SW_ENABLE_CMD_AMI_SW_ID, 0xbeef);
	CHECK_SLOT(s, [0x00] = 0x0e, [0x04] = 0xef, 0xbe);

	slot_init(s, RV_OP_F_AMI_SW_DISABLE);
	rv_msg_set(s, RV_F_AMI_SW_DISABLE_CMD_AMI_SW_ID, 0xbeef);
	CHECK_SLOT(s, [0x00] = 0x0f, [0x04] = 0xef, 0xbe);

	slot_init(s, RV_OP_F_AMI_HW_ENABLE);
	rv_msg_set(s, RV_F_AMI_HW_ENABLE_CMD_AMI_HW_ID, 1);
	CHECK_SLOT(s, [0x00] = 0x21, [0x04] = 0x01);
	rv_msg_set(s, RV_F_AMI_HW_ENABLE_CMD_AMI_HW_ID, 0xcafe);
	CHECK_SLOT(s, [0x00] = 0x21, [0x04] = 0xfe, 0xca);

	slot_init(s, RV_OP_F_AMI_HW_DISABLE);
	rv_msg_set(s, RV_F_AMI_HW_DISABLE_CMD_AMI_HW_ID, 0xcafe);
	CHECK_SLOT(s, [0x00] = 0x22, [0x04] = 0xfe, 0xca);
}

static void test_teardown_cmds(void **state)
{
	uint8_t s[RV_MSG_SIZE];

	(void)state;
	slot_init(s, RV_OP_PF_ASN_DESTROY);
	rv_msg_set(s, RV_PF_ASN_DESTROY_CMD_ASN_ID, 1);
	CHECK_SLOT(s, [0x00] = 0x11, [0x04] = 0x01);
	rv_msg_set(s, RV_PF_ASN_DESTROY_CMD_ASN_ID, 0xfedcba);
	CHECK_SLOT(s, [0x00] = 0x11, [0x04] = 0xba, 0xdc, 0xfe, 0x00);

	slot_init(s, RV_OP_PF_AMI_SW_UNMAP);
	rv_msg_set(s, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID, 0);
	rv_msg_set(s, RV_PF_AMI_SW_UNMAP_CMD_F_OWNER, 0);
	CHECK_SLOT(s, [0x00] = 0x07);
	rv_msg_set(s, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID, 0x1357);
	rv_msg_set(s, RV_PF_AMI_SW_UNMAP_CMD_F_OWNER, 0x2468);
	CHECK_SLOT(s, [0x00] = 0x07, [0x04] = 0x57, 0x13, 0x68, 0x24);

	slot_init(s, RV_OP_PF_AMI_HW_UNMAP);
	rv_msg_set(s, RV_PF_AMI_HW_UNMAP_CMD_AMI_HW_ID, 1);
	rv_msg_set(s, RV_PF_AMI_HW_UNMAP_CMD_F_OWNER, 0);
	CHECK_SLOT(s, [0x00] = 0x18, [0x04] = 0x01);
	rv_msg_set(s, RV_PF_AMI_HW_UNMAP_CMD_AMI_HW_ID, 0x1357);
	rv_msg_set(s, RV_PF_AMI_HW_UNMAP_CMD_F_OWNER, 0x2468);
	CHECK_SLOT(s, [0x00] = 0x18, [0x04] = 0x57, 0x13, 0x68, 0x24);
}

/* ---- responses the demo reads ---- */

static void test_pf_probe_rsp(void **state)
{
	/* The model's identity (spec 8.9): 4 AMI-SW, 8 AMI-HW, 16 ASN, 1 AHA */
	static const uint8_t demo[RV_MSG_SIZE] = {
		[0x00] = 0x01, [0x04] = 0x04, 0x00, 0x08, 0x00,
		[0x08] = 0x10, [0x0c] = 0x01,
	};
	/* Reserved bits 31:21 of word 0x8 set: MAX_ASN must ignore them. */
	static const uint8_t odd[RV_MSG_SIZE] = {
		[0x00] = 0x01, [0x04] = 0x34, 0x12, 0x78, 0x56,
		[0x08] = 0xef, 0xcd, 0xab, 0xff, [0x0c] = 0x9a, 0x00, 0xff,
	};

	(void)state;
	assert_int_equal(rv_msg_get(demo, RV_MSG_OPCODE), RV_OP_PF_PROBE);
	assert_int_equal(rv_msg_get(demo, RV_PF_PROBE_RSP_MAX_AMI_SW), 4);
	assert_int_equal(rv_msg_get(demo, RV_PF_PROBE_RSP_MAX_AMI_HW), 8);
	assert_int_equal(rv_msg_get(demo, RV_PF_PROBE_RSP_MAX_ASN), 16);
	assert_int_equal(rv_msg_get(demo, RV_PF_PROBE_RSP_NUM_AHA), 1);

	assert_int_equal(rv_msg_get(odd, RV_PF_PROBE_RSP_MAX_AMI_SW), 0x1234);
	assert_int_equal(rv_msg_get(odd, RV_PF_PROBE_RSP_MAX_AMI_HW), 0x5678);
	assert_int_equal(rv_msg_get(odd, RV_PF_PROBE_RSP_MAX_ASN), 0x0bcdef);
	assert_int_equal(rv_msg_get(odd, RV_PF_PROBE_RSP_NUM_AHA), 0x9a);
}

static void test_f_probe_rsp(void **state)
{
	static const uint8_t s[RV_MSG_SIZE] = {
		[0x00] = 0x02,
		[0x04] = 0xef, 0xbe, 0xad, 0xde,
		[0x08] = 0x03, 0x00, 0x34, 0xc0,	/* 0xc0: reserved */
	};

	(void)state;
	assert_int_equal(rv_msg_get(s, RV_MSG_OPCODE), RV_OP_F_PROBE);
	assert_int_equal(rv_msg_get(s, RV_F_PROBE_RSP_ASN_PROF_N_COUNTERS),
			 0xdeadbeef);
	assert_int_equal(rv_msg_get(s, RV_F_PROBE_RSP_AMI_PER_F_M1), 3);
	assert_int_equal(rv_msg_get(s, RV_F_PROBE_RSP_PASID_WIDTH), 20);
	assert_int_equal(rv_msg_get(s, RV_F_PROBE_RSP_PASID_SUPPORTED), 1);
}

static void test_status_rsp(void **state)
{
	static const uint8_t ok[RV_MSG_SIZE] = { [0x00] = 0x17 };
	static const uint8_t mapped[RV_MSG_SIZE] = { 0x17, 0x00, 0x01, 0x00 };
	static const uint8_t busy[RV_MSG_SIZE] = { 0x14, 0x00, 0x02, 0x00 };
	static const uint8_t unknown[RV_MSG_SIZE] = { 0x63, 0x00, 0xff, 0xff };

	(void)state;
	assert_int_equal(rv_msg_get(ok, RV_MSG_OPCODE), RV_OP_PF_AMI_HW_MAP);
	assert_int_equal(rv_msg_get(ok, RV_PF_AMI_HW_MAP_RSP_STATUS), 0);
	assert_int_equal(rv_msg_get(mapped, RV_MSG_STATUS), 1);
	assert_int_equal(rv_msg_get(mapped, RV_PF_AMI_HW_MAP_RSP_STATUS), 1);
	assert_int_equal(rv_msg_get(busy, RV_MSG_OPCODE),
			 RV_OP_F_AMS_RING_CONFIGURE);
	assert_int_equal(rv_msg_get(busy, RV_F_AMS_RING_CONFIGURE_RSP_STATUS),
			 2);
	assert_int_equal(rv_msg_get(unknown, RV_MSG_OPCODE), 99);
	assert_int_equal(rv_msg_get(unknown, RV_MSG_STATUS),
			 RV_STATUS_UNKNOWN_OPCODE);
}

static void test_pf_asn_destroy_rsp(void **state)
{
	static const uint8_t s[RV_MSG_SIZE] = {
		[0x00] = 0x11,
		[0x04] = 0x3a, 0x8d, 0x04, 0x00,
		[0x08] = 0x02, 0x01, 0x04, 0x03,
		[0x0c] = 0x06, 0x05, 0x08, 0x07,
		[0x10] = 0x6a, 0x05, 0x00, 0x00,
		[0x14] = 0xef, 0xbe, 0xfe, 0xca,
		[0x18] = 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		[0x20] = 0x00, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99,
		[0x28] = 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
		[0x30] = 0x02, 0x01, 0x00, 0x80,
		[0x34] = 0xad, 0x26, 0x00, 0x00,
	};

	(void)state;
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_STATUS), 0);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_PRIO), 0xa);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_DST_AMI_TYPE), 1);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_SRC_AMI_TYPE), 1);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_MON_OWNER),
			 0x1234);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_SRC_AMI), 0x0102);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_SRC_F_OWNER),
			 0x0304);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_DST_AMI), 0x0506);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_DST_F_OWNER),
			 0x0708);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_DST_AMS), 0x2a);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_SRC_AMS), 0x15);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_PROF_CTL), 0xbeef);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_TRACE_CTL),
			 0xcafe);
	assert_true(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_STASH_CTL) ==
		    0x1122334455667788ull);
	assert_true(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_PROF_MASK) ==
		    0x99aabbccddeeff00ull);
	assert_true(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_PROF_TBL_BASE) ==
		    0x0123456789abcdefull);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_MPIDR),
			 0x80000102);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_MFO), 5);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_MF_OB_BUF_NUM),
			 0x55);
	assert_int_equal(rv_msg_get(s, RV_PF_ASN_DESTROY_RSP_LOG2_MSG_LENGTH),
			 9);
}

static void test_save_rsp(void **state)
{
	/* F-AMS-RING-SAVE: word 0x4 = 1 << 1 | 6 << 2 | 0x9 << 6 = 0x25a */
	static const uint8_t ring[RV_MSG_SIZE] = {
		[0x00] = 0x15,
		[0x04] = 0x5a, 0x02,
		[0x08] = 0x00, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	/* PF-AMS-RING-SAVE: the same values one bit lower: 0x12d */
	static const uint8_t pf_ring[RV_MSG_SIZE] = {
		[0x00] = 0x13,
		[0x04] = 0x2d, 0x01,
		[0x08] = 0x00, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	/* PF-AMI-SW-SAVE: as F-AMI-SW-CONFIGURE above, plus ENABLE at 0x10 */
	static const uint8_t sw[RV_MSG_SIZE] = {
		[0x00] = 0x09,
		[0x08] = 0xde, 0xbc, 0x1a, 0x00,
		[0x0c] = 0xa5, 0x1d, 0x9e, 0x00,
		[0x10] = 0x01,
	};
	/* PF-AMI-HW-SAVE: 0x4 = 0x12345 | 1 << 20 | 0x5a5 << 21 */
	static const uint8_t hw[RV_MSG_SIZE] = {
		[0x00] = 0x1a,
		[0x04] = 0x45, 0x23, 0xb1, 0xb4,
		[0x08] = 0x01,
	};

	(void)state;
	assert_int_equal(rv_msg_get(ring, RV_F_AMS_RING_SAVE_RSP_RX_MODE), 1);
	assert_int_equal(rv_msg_get(ring, RV_F_AMS_RING_SAVE_RSP_LOG2_SIZE), 6);
	assert_int_equal(rv_msg_get(ring, RV_F_AMS_RING_SAVE_RSP_THRESHOLD), 9);
	assert_true(rv_msg_get(ring, RV_F_AMS_RING_SAVE_RSP_BASE_PTR) ==
		    0x100002000ull);
	assert_int_equal(rv_msg_get(pf_ring, RV_PF_AMS_RING_SAVE_RSP_RX_MODE),
			 1);
	assert_int_equal(rv_msg_get(pf_ring,
				    RV_PF_AMS_RING_SAVE_RSP_LOG2_SIZE), 6);
	assert_int_equal(rv_msg_get(pf_ring,
				    RV_PF_AMS_RING_SAVE_RSP_THRESHOLD), 9);

	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_PASID), 0xabcde);
	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_PASID_ENABLED),
			 1);
	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_TX_VECTOR),
			 0x5a5);
	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_RX_VECTOR),
			 0x3c3);
	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_TX_IRQ_ENABLE),
			 0);
	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_RX_IRQ_ENABLE),
			 1);
	assert_int_equal(rv_msg_get(sw, RV_PF_AMI_SW_SAVE_RSP_ENABLE), 1);

	assert_int_equal(rv_msg_get(hw, RV_PF_AMI_HW_SAVE_RSP_PASID), 0x12345);
	assert_int_equal(rv_msg_get(hw, RV_PF_AMI_HW_SAVE_RSP_PASID_ENABLED),
			 1);
	assert_int_equal(rv_msg_get(hw, RV_PF_AMI_HW_SAVE_RSP_HW_CRED_SIZE),
			 0x5a5);
	assert_int_equal(rv_msg_get(hw, RV_PF_AMI_HW_SAVE_RSP_ENABLE), 1);
}

static void test_exceptions(void **state)
{
	/* E-F-COUNTER-OVERFLOW: 0x8 = 0x2a | 1 << 6 | 1 << 7 = 0xea */
	static const uint8_t e[RV_MSG_SIZE] = {
		[0x00] = 0x03,
		[0x04] = 0x34, 0x12, 0x78, 0x56,
		[0x08] = 0xea,
		[0x0c] = 0xcd, 0xab,
	};
	static const uint8_t reset[RV_MSG_SIZE] = {
		[0x00] = 0x02, [0x04] = 0x07, 0x00,
	};

	(void)state;
	assert_int_equal(rv_msg_get(e, RV_MSG_OPCODE),
			 RV_EOP_F_COUNTER_OVERFLOW);
	assert_int_equal(rv_msg_get(e, RV_E_F_COUNTER_OVERFLOW_EXC_AMI_ID),
			 0x1234);
	assert_int_equal(rv_msg_get(e, RV_E_F_COUNTER_OVERFLOW_EXC_F_OWNER),
			 0x5678);
	assert_int_equal(rv_msg_get(e, RV_E_F_COUNTER_OVERFLOW_EXC_AMS_ID),
			 0x2a);
	assert_int_equal(rv_msg_get(e, RV_E_F_COUNTER_OVERFLOW_EXC_AMI_TYPE),
			 1);
	assert_int_equal(rv_msg_get(e, RV_E_F_COUNTER_OVERFLOW_EXC_AMS_TYPE),
			 1);
	assert_int_equal(rv_msg_get(e, RV_E_F_COUNTER_OVERFLOW_EXC_COUNTER_ID),
			 0xabcd);
	assert_int_equal(rv_msg_get(reset, RV_MSG_OPCODE), RV_EOP_PF_VF_RESET);
	assert_int_equal(rv_msg_get(reset, RV_E_PF_VF_RESET_EXC_SOURCE), 7);
}

/* ---- names, statuses, registers ---- */

static void test_names(void **state)
{
	unsigned int op;

	(void)state;
	assert_string_equal(rv_op_name(1), "PF-PROBE");
	assert_string_equal(rv_op_name(16), "PF-ASN-CREATE");
	assert_string_equal(rv_op_name(20), "F-AMS-RING-CONFIGURE");
	assert_string_equal(rv_op_name(28), "VF-COMMAND-TO-PF");
	assert_string_equal(rv_op_name(36), "F-AMS-TRACE-CONFIGURE");
	assert_null(rv_op_name(0));
	assert_null(rv_op_name(37));
	for (op = 1; op <= 36; op++)
		assert_non_null(rv_op_name(op));
	assert_string_equal(rv_exc_name(1), "E-PF-COMMAND-FROM-VF");
	assert_string_equal(rv_exc_name(2), "E-PF-VF-RESET");
	assert_string_equal(rv_exc_name(3), "E-F-COUNTER-OVERFLOW");
	assert_null(rv_exc_name(0));
	assert_null(rv_exc_name(4));
}

static void test_status_text(void **state)
{
	/* Responses without a Status field (spec 6). */
	static const unsigned int no_status[] = { 1, 2, 3, 4, 5, 7, 24, 29 };
	unsigned int i, op, n = 0;

	(void)state;
	assert_string_equal(rv_status_text(23, 1), "AMI-HW already mapped");
	assert_string_equal(rv_status_text(23, 0), "success");
	assert_string_equal(rv_status_text(16, 0), "success");
	assert_string_equal(rv_status_text(17, 0), "success");
	assert_string_equal(rv_status_text(16, 1),
			    "Requested ASN ID already in use");
	assert_string_equal(rv_status_text(17, 1), "ASN does not exist");
	assert_string_equal(rv_status_text(6, 2),
			    "Physical AMI-SW not available");
	assert_string_equal(rv_status_text(20, 1),
			    "AMI-SW is not mapped in Function");
	assert_string_equal(rv_status_text(20, 2), "AMI-SW is not disabled");
	assert_string_equal(rv_status_text(35, 3),
			    "Function is not the monitoring owner");
	assert_non_null(rv_status_text(99, RV_STATUS_UNKNOWN_OPCODE));
	assert_null(rv_status_text(23, 2));
	assert_null(rv_status_text(14, 2));
	assert_null(rv_status_text(1, 0));
	assert_null(rv_status_text(99, 0));

	for (i = 0; i < sizeof(no_status) / sizeof(no_status[0]); i++)
		assert_false(rv_op_has_status(no_status[i]));
	for (op = 1; op <= 36; op++)
		n += rv_op_has_status(op);
	assert_int_equal(n, 36 - 8);
	assert_false(rv_op_has_status(0));
	assert_false(rv_op_has_status(37));
}

static void test_registers(void **state)
{
	(void)state;
	assert_int_equal(RV_AMU_CR, 0x018);
	assert_int_equal(RV_MGT_TRACE_RX_CTRL, 0x050);
	assert_int_equal(RV_MSK_BASE_PTR(RV_MSK_CMD), 0x060);
	assert_int_equal(RV_MSK_CTRL(RV_MSK_RSP), 0x078);
	assert_int_equal(RV_MSK_BASE_PTR(RV_MSK_EXC), 0x080);
	assert_int_equal(RV_MSK_CTRL(RV_MSK_EXC), 0x088);
	assert_int_equal(RV_MGT_READ_INDEX_RX2, 0x1c10);
	assert_int_equal(RV_MGT_WRITE_INDEX_RX1, 0x1e08);
	assert_int_equal(RV_AMI_SW_PAGE(0), 0x10000);
	assert_int_equal(RV_AMI_SW_PAGE(3), 0x40000);
	assert_int_equal(RV_AMI_SW_READ_INDEX_TX(1), 0x408);
	assert_int_equal(RV_AMI_SW_WRITE_INDEX_TX(2), 0x610);
	assert_int_equal(RV_AMI_SW_READ_INDEX_RX(3), 0xc18);
	assert_int_equal(RV_AMI_SW_WRITE_INDEX_RX(0), 0xe00);

	assert_int_equal(RV_AMU_IDR_ASN_PROF, 0x40000);
	assert_int_equal(RV_AMU_IDR_AMI_TYPE, 0x1f000);
	assert_int_equal(RV_AMU_IDR_NUM_RX_AMS_M1, 0xfc0);
	assert_int_equal(RV_AMU_IDR_NUM_TX_AMS_M1, 0x3f);
	assert_int_equal(RV_MSK_CTRL_THRESHOLD, 0xf00);
	assert_int_equal(RV_MSK_CTRL_LOG2_MSG_LENGTH, 0xf0);
	assert_int_equal(RV_MGT_VECTOR, 0x7ff);
	/* 4 TX and 4 RX AMS, AMI_TYPE 0 (spec 8.9) */
	assert_int_equal(RV_FIELD_GET(RV_AMU_IDR_NUM_RX_AMS_M1, 0xc3), 3);
	assert_int_equal(RV_FIELD_GET(RV_AMU_IDR_NUM_TX_AMS_M1, 0xc3), 3);
	assert_int_equal(RV_FIELD_GET(RV_AMU_AIDR_ARCH_MAJOR, 0x20), 2);
	/* A one-slot command socket of 64-byte messages: 0x30 */
	assert_int_equal(RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH,
				       RV_MGT_LOG2_MSG_LENGTH) |
			 RV_FIELD_PREP(RV_MSK_CTRL_LOG2_SIZE, 0), 0x30);
	assert_true(RV_GENMASK(63, 0) == ~0ull);
	assert_int_equal(RV_MSG_BYTES(8), 2048);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_set_masks_and_keeps_neighbours),
		cmocka_unit_test(test_msg_64bit_and_unaligned),
		cmocka_unit_test(test_pf_probe_cmd),
		cmocka_unit_test(test_f_probe_cmd),
		cmocka_unit_test(test_pf_ami_sw_map_demo),
		cmocka_unit_test(test_pf_ami_sw_map_fields),
		cmocka_unit_test(test_pf_ami_hw_map_demo),
		cmocka_unit_test(test_pf_ami_hw_map_fields),
		cmocka_unit_test(test_pf_asn_create_demo),
		cmocka_unit_test(test_pf_asn_create_fields),
		cmocka_unit_test(test_f_ami_sw_configure),
		cmocka_unit_test(test_f_ams_ring_configure_demo),
		cmocka_unit_test(test_f_ams_ring_configure_fields),
		cmocka_unit_test(test_pf_ams_ring_configure_fields),
		cmocka_unit_test(test_enable_disable),
		cmocka_unit_test(test_teardown_cmds),
		cmocka_unit_test(test_pf_probe_rsp),
		cmocka_unit_test(test_f_probe_rsp),
		cmocka_unit_test(test_status_rsp),
		cmocka_unit_test(test_pf_asn_destroy_rsp),
		cmocka_unit_test(test_save_rsp),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_registers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
