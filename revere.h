/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * revere.h - Revere-AMU architecture revision 2 definitions.
 *
 * This is the "Revere-AMU generated header" of the README: the register map
 * (spec sections 2-4), the management commands (section 5) and every
 * command, response and exception layout (section 6), written from the
 * tables of doc/revere-amu-v2.md. Values that come from a project
 * decision rather than a published fact say so and cite section 8.
 *
 * Shared by the driver (user space), the device model and the kernel mdev,
 * so it uses nothing but types, memcpy/memset and static inline functions.
 */
#ifndef REVERE_H
#define REVERE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif

/* ---- PCI identity (spec 1) ---- */

#define RV_PCI_VENDOR_ARM		0x13b5
#define RV_PCI_DEVICE_PF		0xff81
#define RV_ARCH_MAJOR			2	/* the revision this code drives */

/* ---- Register fields: the kernel's GENMASK/FIELD_PREP idiom ---- */

#define RV_BIT(n)			((uint64_t)1 << (n))
#define RV_GENMASK(h, l)		\
	((~(uint64_t)0 >> (63 - (h))) & (~(uint64_t)0 << (l)))
/* mask must be a non-zero constant; __builtin_ctzll is in gcc and clang. */
#define RV_FIELD_GET(mask, reg)		\
	(((uint64_t)(reg) & (mask)) >> __builtin_ctzll(mask))
#define RV_FIELD_PREP(mask, val)	\
	(((uint64_t)(val) << __builtin_ctzll(mask)) & (mask))

/* ---- Management page registers, offsets from BAR0 (spec 3) ---- */

#define RV_AMU_IDR			0x000	/* read-only */
#define  RV_AMU_IDR_ASN_PROF		RV_BIT(18)
#define  RV_AMU_IDR_TRACING		RV_BIT(17)
#define  RV_AMU_IDR_AMI_TYPE		RV_GENMASK(16, 12)
#define   RV_AMU_IDR_AMI_TYPE_A1	0
#define   RV_AMU_IDR_AMI_TYPE_A2	1
#define   RV_AMU_IDR_AMI_TYPE_B		2
#define  RV_AMU_IDR_NUM_RX_AMS_M1	RV_GENMASK(11, 6)
#define  RV_AMU_IDR_NUM_TX_AMS_M1	RV_GENMASK(5, 0)
#define RV_AMU_AIDR			0x008	/* read-only */
#define  RV_AMU_AIDR_ARCH_MAJOR		RV_GENMASK(7, 4)
#define  RV_AMU_AIDR_ARCH_MINOR		RV_GENMASK(3, 0)
#define RV_AMU_IIDR			0x010	/* read-only, no fields */
#define RV_AMU_CR			0x018
#define  RV_AMU_CR_ASN_PROF_EN		RV_BIT(18)
#define  RV_AMU_CR_TRACE_EN		RV_BIT(17)
#define  RV_AMU_CR_VF_TRACE_EN		RV_BIT(2)
#define  RV_AMU_CR_AMU_FWD_EN		RV_BIT(1)
#define  RV_AMU_CR_AMU_EN		RV_BIT(0)
#define RV_AMU_SR			0x020
/* The spec defines no AMU_SR fields; bit 0 is this project's (spec 8.4). */
#define  RV_AMU_SR_IOMMU_FAULT		RV_BIT(0)
#define RV_MGT_RX_VECTOR		0x028
#define RV_MGT_TX_VECTOR		0x030
#define  RV_MGT_VECTOR			RV_GENMASK(10, 0)
#define RV_MGT_RX_IRQ_CTRL		0x040
#define RV_MGT_TX_IRQ_CTRL		0x048
#define  RV_MGT_IRQ_CTRL_EN		RV_BIT(0)
#define RV_MGT_TRACE_RX_CTRL		0x050
#define  RV_MGT_TRACE_RX_CTRL_RX_MODE	RV_BIT(0)	/* 1: overwriting */

/* Management sockets: k = command, response, exception. */
#define RV_MSK_CMD			0
#define RV_MSK_RSP			1
#define RV_MSK_EXC			2
#define RV_MSK_COUNT			3
#define RV_MSK_BASE_PTR(k)		(0x060 + 0x10 * (k))	/* IOVA */
#define RV_MSK_CTRL(k)			(0x068 + 0x10 * (k))
#define  RV_MSK_CTRL_THRESHOLD		RV_GENMASK(11, 8)
#define  RV_MSK_CTRL_LOG2_MSG_LENGTH	RV_GENMASK(7, 4)	/* doublewords */
#define  RV_MSK_CTRL_LOG2_SIZE		RV_GENMASK(3, 0)	/* slots */

/*
 * Management ring doorbells. TX is software to device (the command ring),
 * RX0 is the response ring and RX1 the exception ring. Indexes are
 * free-running 64-bit counters (spec 8.1).
 */
#define RV_MGT_TX_DIGEST		0x1000
#define RV_MGT_TX_DIGEST_MASK		0x1008
#define RV_MGT_READ_INDEX_TX0		0x1400	/* the device consumes */
#define RV_MGT_WRITE_INDEX_TX0		0x1600	/* software produces */
#define RV_MGT_RX_DIGEST		0x1800
#define RV_MGT_RX_DIGEST_MASK		0x1808
#define RV_MGT_READ_INDEX_RX0		0x1c00	/* responses: software consumes */
#define RV_MGT_READ_INDEX_RX1		0x1c08	/* exceptions: software consumes */
#define RV_MGT_READ_INDEX_RX2		0x1c10
#define RV_MGT_WRITE_INDEX_RX0		0x1e00	/* responses: the device produces */
#define RV_MGT_WRITE_INDEX_RX1		0x1e08	/* exceptions: the device produces */
#define RV_MGT_WRITE_INDEX_RX2		0x1e10
#define RV_MGT_PAGE_SIZE		0x2000	/* spec 2 */

/*
 * Management messages are 64 bytes: LOG2_MSG_LENGTH = 3 doublewords
 * (spec 3, last paragraph).
 */
#define RV_MGT_LOG2_MSG_LENGTH		3
#define RV_MSG_SIZE			64

/* ---- AMI-SW pages (spec 4) ---- */

/*
 * Page k belongs to AMI_SW_ID k of function 0. Only page 0 (at 0x10000) is
 * a published fact; the 0x10000 stride is a project decision (spec 8.7).
 */
#define RV_AMI_SW_PAGE(k)		(0x10000 * ((uint64_t)(k) + 1))
#define RV_AMI_SW_PAGE_SIZE		0x1000
#define RV_AMI_SW_MAX_AMS		64
#define RV_AMI_SW_TX_DIGEST		0x000
#define RV_AMI_SW_TX_DIGEST_MASK	0x008
/*
 * 8-byte stride for n = 0..63. The published definitions put
 * READ_INDEX_TX63 at 0x5c0 instead of 0x5f8 (spec 4): do not use AMS 63.
 */
#define RV_AMI_SW_READ_INDEX_TX(n)	(0x400 + 8 * (n))	/* device consumes */
#define RV_AMI_SW_WRITE_INDEX_TX(n)	(0x600 + 8 * (n))	/* software produces */
#define RV_AMI_SW_RX_DIGEST		0x800
#define RV_AMI_SW_RX_DIGEST_MASK	0x808
#define RV_AMI_SW_READ_INDEX_RX(n)	(0xc00 + 8 * (n))	/* software consumes */
#define RV_AMI_SW_WRITE_INDEX_RX(n)	(0xe00 + 8 * (n))	/* device produces */

/* ---- Message field values (spec 5, notes) ---- */

#define RV_AMI_TYPE_SW			0
#define RV_AMI_TYPE_HW			1
#define RV_AMS_TYPE_RX			0
#define RV_AMS_TYPE_TX			1
#define RV_RX_MODE_BACK_PRESSURE	0
#define RV_RX_MODE_OVERWRITING		1

/* Bytes in a message of 2^log2 doublewords (spec 3, 8.5). */
#define RV_MSG_BYTES(log2)		((size_t)8 << (log2))

/* ---- Message fields (spec 6) ---- */

/*
 * A field is (byte offset of its little-endian 32-bit word, or of its 64-bit
 * word when it has bits above 31; high bit; low bit), as in the spec's
 * tables. Pass it to rv_msg_get()/rv_msg_set():
 *	rv_msg_set(slot, RV_PF_AMI_HW_MAP_CMD_AHA_ID, 0);
 * Byte by byte, so it works on any host byte order and any alignment.
 */
#define RV_FIELD(byte, hi, lo)		(byte), (hi), (lo)

static inline uint64_t rv_field_mask(unsigned int hi, unsigned int lo)
{
	unsigned int width = hi - lo + 1;

	return width >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << width) - 1;
}

static inline uint64_t rv_msg_word(const uint8_t *p, unsigned int n)
{
	uint64_t w = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static inline uint64_t rv_msg_get(const uint8_t *msg, unsigned int byte,
				  unsigned int hi, unsigned int lo)
{
	unsigned int n = hi < 32 ? 4 : 8;

	return (rv_msg_word(msg + byte, n) >> lo) & rv_field_mask(hi, lo);
}

static inline void rv_msg_set(uint8_t *msg, unsigned int byte,
			      unsigned int hi, unsigned int lo, uint64_t val)
{
	unsigned int n = hi < 32 ? 4 : 8;
	uint64_t mask = rv_field_mask(hi, lo) << lo;
	uint64_t w = rv_msg_word(msg + byte, n);
	unsigned int i;

	w = (w & ~mask) | ((val << lo) & mask);
	for (i = 0; i < n; i++)
		msg[byte + i] = (uint8_t)(w >> (8 * i));
}

/* Every command, response and exception starts with these. */
#define RV_MSG_OPCODE			RV_FIELD(0x0, 15, 0)
#define RV_MSG_STATUS			RV_FIELD(0x0, 31, 16)	/* responses */

/* Status of the response to a command with an unknown opcode (spec 8.3). */
#define RV_STATUS_UNKNOWN_OPCODE	0xffff

/* ---- Opcodes (spec 5) ---- */

enum rv_opcode {
	RV_OP_PF_PROBE				= 1,
	RV_OP_F_PROBE				= 2,
	RV_OP_PF_F_ENABLE			= 3,
	RV_OP_PF_F_DISABLE			= 4,
	RV_OP_F_TYPEB_TABLE_CONFIGURE		= 5,
	RV_OP_PF_AMI_SW_MAP			= 6,
	RV_OP_PF_AMI_SW_UNMAP			= 7,
	RV_OP_PF_AMI_SW_CONFIGURE		= 8,
	RV_OP_PF_AMI_SW_SAVE			= 9,
	RV_OP_PF_AMI_SW_RESET			= 10,
	RV_OP_F_AMI_SW_CONFIGURE		= 11,
	RV_OP_F_AMI_SW_SAVE			= 12,
	RV_OP_F_AMI_SW_RESET			= 13,
	RV_OP_F_AMI_SW_ENABLE			= 14,
	RV_OP_F_AMI_SW_DISABLE			= 15,
	RV_OP_PF_ASN_CREATE			= 16,
	RV_OP_PF_ASN_DESTROY			= 17,
	RV_OP_PF_AMS_RING_CONFIGURE		= 18,
	RV_OP_PF_AMS_RING_SAVE			= 19,
	RV_OP_F_AMS_RING_CONFIGURE		= 20,
	RV_OP_F_AMS_RING_SAVE			= 21,
	RV_OP_PF_RESPONSE_TO_VF			= 22,
	RV_OP_PF_AMI_HW_MAP			= 23,
	RV_OP_PF_AMI_HW_UNMAP			= 24,
	RV_OP_PF_AMI_HW_CONFIGURE		= 25,
	RV_OP_PF_AMI_HW_SAVE			= 26,
	RV_OP_PF_AMI_HW_RESET			= 27,
	RV_OP_VF_COMMAND_TO_PF			= 28,
	RV_OP_F_PROF_TABLE_FLUSH		= 29,
	RV_OP_F_AMI_HW_CONFIGURE		= 30,
	RV_OP_F_AMI_HW_SAVE			= 31,
	RV_OP_F_AMI_HW_RESET			= 32,
	RV_OP_F_AMI_HW_ENABLE			= 33,
	RV_OP_F_AMI_HW_DISABLE			= 34,
	RV_OP_F_AMS_PROF_CONFIGURE		= 35,
	RV_OP_F_AMS_TRACE_CONFIGURE		= 36,
};

/* Exceptions, on the exception ring (MSK 2, MGT RX1). */
enum rv_exc_opcode {
	RV_EOP_PF_COMMAND_FROM_VF		= 1,
	RV_EOP_PF_VF_RESET			= 2,
	RV_EOP_F_COUNTER_OVERFLOW		= 3,
};

/* The spec's name of a command, "PF-ASN-CREATE"; NULL if unknown. */
static inline const char *rv_op_name(unsigned int op)
{
	switch (op) {
	case RV_OP_PF_PROBE:				return "PF-PROBE";
	case RV_OP_F_PROBE:				return "F-PROBE";
	case RV_OP_PF_F_ENABLE:			return "PF-F-ENABLE";
	case RV_OP_PF_F_DISABLE:			return "PF-F-DISABLE";
	case RV_OP_F_TYPEB_TABLE_CONFIGURE:		return "F-TYPEB-TABLE-CONFIGURE";
	case RV_OP_PF_AMI_SW_MAP:			return "PF-AMI-SW-MAP";
	case RV_OP_PF_AMI_SW_UNMAP:			return "PF-AMI-SW-UNMAP";
	case RV_OP_PF_AMI_SW_CONFIGURE:		return "PF-AMI-SW-CONFIGURE";
	case RV_OP_PF_AMI_SW_SAVE:			return "PF-AMI-SW-SAVE";
	case RV_OP_PF_AMI_SW_RESET:			return "PF-AMI-SW-RESET";
	case RV_OP_F_AMI_SW_CONFIGURE:		return "F-AMI-SW-CONFIGURE";
	case RV_OP_F_AMI_SW_SAVE:			return "F-AMI-SW-SAVE";
	case RV_OP_F_AMI_SW_RESET:			return "F-AMI-SW-RESET";
	case RV_OP_F_AMI_SW_ENABLE:			return "F-AMI-SW-ENABLE";
	case RV_OP_F_AMI_SW_DISABLE:			return "F-AMI-SW-DISABLE";
	case RV_OP_PF_ASN_CREATE:			return "PF-ASN-CREATE";
	case RV_OP_PF_ASN_DESTROY:			return "PF-ASN-DESTROY";
	case RV_OP_PF_AMS_RING_CONFIGURE:		return "PF-AMS-RING-CONFIGURE";
	case RV_OP_PF_AMS_RING_SAVE:			return "PF-AMS-RING-SAVE";
	case RV_OP_F_AMS_RING_CONFIGURE:		return "F-AMS-RING-CONFIGURE";
	case RV_OP_F_AMS_RING_SAVE:			return "F-AMS-RING-SAVE";
	case RV_OP_PF_RESPONSE_TO_VF:		return "PF-RESPONSE-TO-VF";
	case RV_OP_PF_AMI_HW_MAP:			return "PF-AMI-HW-MAP";
	case RV_OP_PF_AMI_HW_UNMAP:			return "PF-AMI-HW-UNMAP";
	case RV_OP_PF_AMI_HW_CONFIGURE:		return "PF-AMI-HW-CONFIGURE";
	case RV_OP_PF_AMI_HW_SAVE:			return "PF-AMI-HW-SAVE";
	case RV_OP_PF_AMI_HW_RESET:			return "PF-AMI-HW-RESET";
	case RV_OP_VF_COMMAND_TO_PF:			return "VF-COMMAND-TO-PF";
	case RV_OP_F_PROF_TABLE_FLUSH:		return "F-PROF-TABLE-FLUSH";
	case RV_OP_F_AMI_HW_CONFIGURE:		return "F-AMI-HW-CONFIGURE";
	case RV_OP_F_AMI_HW_SAVE:			return "F-AMI-HW-SAVE";
	case RV_OP_F_AMI_HW_RESET:			return "F-AMI-HW-RESET";
	case RV_OP_F_AMI_HW_ENABLE:			return "F-AMI-HW-ENABLE";
	case RV_OP_F_AMI_HW_DISABLE:			return "F-AMI-HW-DISABLE";
	case RV_OP_F_AMS_PROF_CONFIGURE:		return "F-AMS-PROF-CONFIGURE";
	case RV_OP_F_AMS_TRACE_CONFIGURE:		return "F-AMS-TRACE-CONFIGURE";
	default:					return NULL;
	}
}

/*
 * A 64-byte management message as 128 hex digits and a NUL, byte by byte
 * in memory order: the form --trace prints, wherever a message is traced.
 */
static inline void rv_msg_hex(const uint8_t *slot, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < RV_MSG_SIZE; i++) {
		hex[2 * i] = digits[slot[i] >> 4];
		hex[2 * i + 1] = digits[slot[i] & 0xf];
	}
	hex[2 * RV_MSG_SIZE] = '\0';
}

/* The spec's name of an exception, "E-PF-VF-RESET"; NULL if unknown. */
static inline const char *rv_exc_name(unsigned int op)
{
	switch (op) {
	case RV_EOP_PF_COMMAND_FROM_VF:		return "E-PF-COMMAND-FROM-VF";
	case RV_EOP_PF_VF_RESET:		return "E-PF-VF-RESET";
	case RV_EOP_F_COUNTER_OVERFLOW:		return "E-F-COUNTER-OVERFLOW";
	default:				return NULL;
	}
}

/*
 * Whether the response to op has a Status field (spec 6). A command whose
 * response has none never fails (spec 8.3).
 */
static inline bool rv_op_has_status(unsigned int op)
{
	switch (op) {
	case RV_OP_PF_AMI_SW_MAP:
	case RV_OP_PF_AMI_SW_CONFIGURE:
	case RV_OP_PF_AMI_SW_SAVE:
	case RV_OP_PF_AMI_SW_RESET:
	case RV_OP_F_AMI_SW_CONFIGURE:
	case RV_OP_F_AMI_SW_SAVE:
	case RV_OP_F_AMI_SW_RESET:
	case RV_OP_F_AMI_SW_ENABLE:
	case RV_OP_F_AMI_SW_DISABLE:
	case RV_OP_PF_ASN_CREATE:
	case RV_OP_PF_ASN_DESTROY:
	case RV_OP_PF_AMS_RING_CONFIGURE:
	case RV_OP_PF_AMS_RING_SAVE:
	case RV_OP_F_AMS_RING_CONFIGURE:
	case RV_OP_F_AMS_RING_SAVE:
	case RV_OP_PF_RESPONSE_TO_VF:
	case RV_OP_PF_AMI_HW_MAP:
	case RV_OP_PF_AMI_HW_CONFIGURE:
	case RV_OP_PF_AMI_HW_SAVE:
	case RV_OP_PF_AMI_HW_RESET:
	case RV_OP_VF_COMMAND_TO_PF:
	case RV_OP_F_AMI_HW_CONFIGURE:
	case RV_OP_F_AMI_HW_SAVE:
	case RV_OP_F_AMI_HW_RESET:
	case RV_OP_F_AMI_HW_ENABLE:
	case RV_OP_F_AMI_HW_DISABLE:
	case RV_OP_F_AMS_PROF_CONFIGURE:
	case RV_OP_F_AMS_TRACE_CONFIGURE:
		return true;
	default:
		return false;
	}
}

/*
 * The spec's meaning of a response status for command op (spec 6), NULL
 * when its table lists no such status. Status 0 is success everywhere,
 * including PF-ASN-CREATE/DESTROY whose tables say "Message Delivered to
 * VF" (spec 5, notes). 0xffff answers an unknown opcode (spec 8.3).
 */
static inline const char *rv_status_text(unsigned int op, unsigned int status)
{
	if (status == RV_STATUS_UNKNOWN_OPCODE)
		return "unknown opcode";
	if (!rv_op_has_status(op))
		return NULL;
	if (status == 0)
		return "success";
	switch (op) {
	case RV_OP_PF_AMI_SW_MAP:
		switch (status) {
		case 1:
			return "AMI-SW already mapped";
		case 2:
			return "Physical AMI-SW not available";
		default:
			return NULL;
		}
	case RV_OP_PF_AMI_SW_CONFIGURE:
	case RV_OP_PF_AMI_SW_SAVE:
	case RV_OP_PF_AMI_SW_RESET:
		switch (status) {
		case 1:
			return "AMI-SW is not mapped in F_OWNER";
		case 2:
			return "AMI-SW is not disabled";
		default:
			return NULL;
		}
	case RV_OP_F_AMI_SW_CONFIGURE:
	case RV_OP_F_AMI_SW_SAVE:
	case RV_OP_F_AMI_SW_RESET:
	case RV_OP_F_AMS_RING_CONFIGURE:
		switch (status) {
		case 1:
			return "AMI-SW is not mapped in Function";
		case 2:
			return "AMI-SW is not disabled";
		default:
			return NULL;
		}
	case RV_OP_F_AMI_SW_ENABLE:
	case RV_OP_F_AMI_SW_DISABLE:
		switch (status) {
		case 1:
			return "AMI-SW is not mapped in Function";
		default:
			return NULL;
		}
	case RV_OP_PF_ASN_CREATE:
		switch (status) {
		case 1:
			return "Requested ASN ID already in use";
		default:
			return NULL;
		}
	case RV_OP_PF_ASN_DESTROY:
		switch (status) {
		case 1:
			return "ASN does not exist";
		default:
			return NULL;
		}
	case RV_OP_PF_AMS_RING_CONFIGURE:
	case RV_OP_PF_AMS_RING_SAVE:
		switch (status) {
		case 1:
			return "AMI-SW is not mapped in F_OWNER";
		case 2:
			return "F_OWNER is not disabled";
		default:
			return NULL;
		}
	case RV_OP_F_AMS_RING_SAVE:
		switch (status) {
		case 1:
			return "AMI-SW is not mapped in the Function";
		case 2:
			return "AMI-SW is not disabled";
		default:
			return NULL;
		}
	case RV_OP_PF_RESPONSE_TO_VF:
		switch (status) {
		case 1:
			return "Message could not be delivered";
		default:
			return NULL;
		}
	case RV_OP_PF_AMI_HW_MAP:
		switch (status) {
		case 1:
			return "AMI-HW already mapped";
		default:
			return NULL;
		}
	case RV_OP_PF_AMI_HW_CONFIGURE:
	case RV_OP_PF_AMI_HW_SAVE:
	case RV_OP_PF_AMI_HW_RESET:
		switch (status) {
		case 1:
			return "AMI-HW is not mapped in F_OWNER";
		case 2:
			return "AMI-HW is not disabled";
		default:
			return NULL;
		}
	case RV_OP_VF_COMMAND_TO_PF:
		switch (status) {
		case 1:
			return "Message could not be delivered. Payload is invalid";
		default:
			return NULL;
		}
	case RV_OP_F_AMI_HW_CONFIGURE:
	case RV_OP_F_AMI_HW_SAVE:
	case RV_OP_F_AMI_HW_RESET:
		switch (status) {
		case 1:
			return "AMI-HW is not mapped in Function";
		case 2:
			return "AMI-HW is not disabled";
		default:
			return NULL;
		}
	case RV_OP_F_AMI_HW_ENABLE:
	case RV_OP_F_AMI_HW_DISABLE:
		switch (status) {
		case 1:
			return "AMI-HW is not mapped in Function";
		default:
			return NULL;
		}
	case RV_OP_F_AMS_PROF_CONFIGURE:
	case RV_OP_F_AMS_TRACE_CONFIGURE:
		switch (status) {
		case 1:
			return "AMI is not mapped in Function";
		case 2:
			return "AMI is not disabled";
		case 3:
			return "Function is not the monitoring owner";
		default:
			return NULL;
		}
	default:
		return NULL;
	}
}

/*
 * Layouts (spec 6), by opcode: RV_<CMD>_CMD_<FIELD>, RV_<CMD>_RSP_<FIELD>,
 * RV_<EXC>_EXC_<FIELD>. OPCODE is RV_MSG_OPCODE throughout. A layout with
 * no field but OPCODE is listed for completeness. *_PAYLOAD is the byte
 * offset where a use-case specific payload starts.
 */

/* PF-PROBE command (opcode 1): OPCODE only */

/* PF-PROBE response (opcode 1) */
#define RV_PF_PROBE_RSP_MAX_AMI_SW			RV_FIELD(0x4, 15, 0)
#define RV_PF_PROBE_RSP_MAX_AMI_HW			RV_FIELD(0x4, 31, 16)
#define RV_PF_PROBE_RSP_MAX_ASN				RV_FIELD(0x8, 20, 0)
#define RV_PF_PROBE_RSP_NUM_AHA				RV_FIELD(0xc, 15, 0)

/* F-PROBE command (opcode 2): OPCODE only */

/* F-PROBE response (opcode 2) */
#define RV_F_PROBE_RSP_ASN_PROF_N_COUNTERS		RV_FIELD(0x4, 31, 0)
#define RV_F_PROBE_RSP_AMI_PER_F_M1			RV_FIELD(0x8, 15, 0)
#define RV_F_PROBE_RSP_PASID_WIDTH			RV_FIELD(0x8, 20, 16)
#define RV_F_PROBE_RSP_PASID_SUPPORTED			RV_FIELD(0x8, 21, 21)

/* PF-F-ENABLE command (opcode 3) */
#define RV_PF_F_ENABLE_CMD_F_OWNER			RV_FIELD(0x4, 15, 0)

/* PF-F-ENABLE response (opcode 3): OPCODE only */

/* PF-F-DISABLE command (opcode 4) */
#define RV_PF_F_DISABLE_CMD_F_OWNER			RV_FIELD(0x4, 15, 0)

/* PF-F-DISABLE response (opcode 4): OPCODE only */

/* F-TYPEB-TABLE-CONFIGURE command (opcode 5) */
#define RV_F_TYPEB_TABLE_CONFIGURE_CMD_TYPEB_TBL_SIZE	RV_FIELD(0x4, 31, 0)
#define RV_F_TYPEB_TABLE_CONFIGURE_CMD_TYPEB_TBL_BASE	RV_FIELD(0x8, 63, 0)

/* F-TYPEB-TABLE-CONFIGURE response (opcode 5): OPCODE only */

/* PF-AMI-SW-MAP command (opcode 6) */
#define RV_PF_AMI_SW_MAP_CMD_PHY_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW		RV_FIELD(0x4, 16, 16)
#define RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID			RV_FIELD(0x8, 15, 0)
#define RV_PF_AMI_SW_MAP_CMD_F_OWNER			RV_FIELD(0x8, 31, 16)

/* PF-AMI-SW-MAP response (opcode 6) */
#define RV_PF_AMI_SW_MAP_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* PF-AMI-SW-UNMAP command (opcode 7) */
#define RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_SW_UNMAP_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)

/* PF-AMI-SW-UNMAP response (opcode 7): OPCODE only */

/* PF-AMI-SW-CONFIGURE command (opcode 8) */
#define RV_PF_AMI_SW_CONFIGURE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_SW_CONFIGURE_CMD_F_OWNER		RV_FIELD(0x4, 31, 16)
#define RV_PF_AMI_SW_CONFIGURE_CMD_PASID		RV_FIELD(0x8, 19, 0)
#define RV_PF_AMI_SW_CONFIGURE_CMD_PASID_ENABLED	RV_FIELD(0x8, 20, 20)
#define RV_PF_AMI_SW_CONFIGURE_CMD_TX_VECTOR		RV_FIELD(0xc, 10, 0)
#define RV_PF_AMI_SW_CONFIGURE_CMD_RX_VECTOR		RV_FIELD(0xc, 21, 11)
#define RV_PF_AMI_SW_CONFIGURE_CMD_TX_IRQ_ENABLE	RV_FIELD(0xc, 22, 22)
#define RV_PF_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE	RV_FIELD(0xc, 23, 23)
#define RV_PF_AMI_SW_CONFIGURE_CMD_ENABLE		RV_FIELD(0x10, 0, 0)

/* PF-AMI-SW-CONFIGURE response (opcode 8) */
#define RV_PF_AMI_SW_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* PF-AMI-SW-SAVE command (opcode 9) */
#define RV_PF_AMI_SW_SAVE_CMD_AMI_SW_ID			RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_SW_SAVE_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)

/* PF-AMI-SW-SAVE response (opcode 9) */
#define RV_PF_AMI_SW_SAVE_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_PF_AMI_SW_SAVE_RSP_PASID			RV_FIELD(0x8, 19, 0)
#define RV_PF_AMI_SW_SAVE_RSP_PASID_ENABLED		RV_FIELD(0x8, 20, 20)
#define RV_PF_AMI_SW_SAVE_RSP_TX_VECTOR			RV_FIELD(0xc, 10, 0)
#define RV_PF_AMI_SW_SAVE_RSP_RX_VECTOR			RV_FIELD(0xc, 21, 11)
#define RV_PF_AMI_SW_SAVE_RSP_TX_IRQ_ENABLE		RV_FIELD(0xc, 22, 22)
#define RV_PF_AMI_SW_SAVE_RSP_RX_IRQ_ENABLE		RV_FIELD(0xc, 23, 23)
#define RV_PF_AMI_SW_SAVE_RSP_ENABLE			RV_FIELD(0x10, 0, 0)

/* PF-AMI-SW-RESET command (opcode 10) */
#define RV_PF_AMI_SW_RESET_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_SW_RESET_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)

/* PF-AMI-SW-RESET response (opcode 10) */
#define RV_PF_AMI_SW_RESET_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* F-AMI-SW-CONFIGURE command (opcode 11) */
#define RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_F_AMI_SW_CONFIGURE_CMD_PASID			RV_FIELD(0x8, 19, 0)
#define RV_F_AMI_SW_CONFIGURE_CMD_PASID_ENABLED		RV_FIELD(0x8, 20, 20)
#define RV_F_AMI_SW_CONFIGURE_CMD_TX_VECTOR		RV_FIELD(0xc, 10, 0)
#define RV_F_AMI_SW_CONFIGURE_CMD_RX_VECTOR		RV_FIELD(0xc, 21, 11)
#define RV_F_AMI_SW_CONFIGURE_CMD_TX_IRQ_ENABLE		RV_FIELD(0xc, 22, 22)
#define RV_F_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE		RV_FIELD(0xc, 23, 23)

/* F-AMI-SW-CONFIGURE response (opcode 11) */
#define RV_F_AMI_SW_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* F-AMI-SW-SAVE command (opcode 12) */
#define RV_F_AMI_SW_SAVE_CMD_AMI_SW_ID			RV_FIELD(0x4, 15, 0)

/* F-AMI-SW-SAVE response (opcode 12) */
#define RV_F_AMI_SW_SAVE_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_F_AMI_SW_SAVE_RSP_PASID			RV_FIELD(0x8, 19, 0)
#define RV_F_AMI_SW_SAVE_RSP_PASID_ENABLED		RV_FIELD(0x8, 20, 20)
#define RV_F_AMI_SW_SAVE_RSP_TX_VECTOR			RV_FIELD(0xc, 10, 0)
#define RV_F_AMI_SW_SAVE_RSP_RX_VECTOR			RV_FIELD(0xc, 21, 11)
#define RV_F_AMI_SW_SAVE_RSP_TX_IRQ_ENABLE		RV_FIELD(0xc, 22, 22)
#define RV_F_AMI_SW_SAVE_RSP_RX_IRQ_ENABLE		RV_FIELD(0xc, 23, 23)

/* F-AMI-SW-RESET command (opcode 13) */
#define RV_F_AMI_SW_RESET_CMD_AMI_SW_ID			RV_FIELD(0x4, 15, 0)

/* F-AMI-SW-RESET response (opcode 13) */
#define RV_F_AMI_SW_RESET_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* F-AMI-SW-ENABLE command (opcode 14) */
#define RV_F_AMI_SW_ENABLE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)

/* F-AMI-SW-ENABLE response (opcode 14) */
#define RV_F_AMI_SW_ENABLE_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* F-AMI-SW-DISABLE command (opcode 15) */
#define RV_F_AMI_SW_DISABLE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)

/* F-AMI-SW-DISABLE response (opcode 15) */
#define RV_F_AMI_SW_DISABLE_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* PF-ASN-CREATE command (opcode 16) */
#define RV_PF_ASN_CREATE_CMD_PRIO			RV_FIELD(0x4, 3, 0)
#define RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE		RV_FIELD(0x4, 4, 4)
#define RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE		RV_FIELD(0x4, 5, 5)
#define RV_PF_ASN_CREATE_CMD_MON_OWNER			RV_FIELD(0x4, 21, 6)
#define RV_PF_ASN_CREATE_CMD_SRC_AMI			RV_FIELD(0x8, 15, 0)
#define RV_PF_ASN_CREATE_CMD_SRC_F_OWNER		RV_FIELD(0x8, 31, 16)
#define RV_PF_ASN_CREATE_CMD_DST_AMI			RV_FIELD(0xc, 15, 0)
#define RV_PF_ASN_CREATE_CMD_DST_F_OWNER		RV_FIELD(0xc, 31, 16)
#define RV_PF_ASN_CREATE_CMD_DST_AMS			RV_FIELD(0x10, 5, 0)
#define RV_PF_ASN_CREATE_CMD_SRC_AMS			RV_FIELD(0x10, 11, 6)
#define RV_PF_ASN_CREATE_CMD_ASN_ID			RV_FIELD(0x14, 27, 0)
#define RV_PF_ASN_CREATE_CMD_STASH_CTL			RV_FIELD(0x18, 63, 0)
#define RV_PF_ASN_CREATE_CMD_PROF_MASK			RV_FIELD(0x20, 63, 0)
#define RV_PF_ASN_CREATE_CMD_PROF_TBL_BASE		RV_FIELD(0x28, 63, 0)
#define RV_PF_ASN_CREATE_CMD_PROF_CTL			RV_FIELD(0x30, 15, 0)
#define RV_PF_ASN_CREATE_CMD_TRACE_CTL			RV_FIELD(0x30, 31, 16)
#define RV_PF_ASN_CREATE_CMD_MPIDR			RV_FIELD(0x34, 31, 0)
#define RV_PF_ASN_CREATE_CMD_MFO			RV_FIELD(0x38, 2, 0)
#define RV_PF_ASN_CREATE_CMD_MF_OB_BUF_NUM		RV_FIELD(0x38, 9, 3)
#define RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH		RV_FIELD(0x38, 13, 10)

/* PF-ASN-CREATE response (opcode 16) */
#define RV_PF_ASN_CREATE_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* PF-ASN-DESTROY command (opcode 17) */
#define RV_PF_ASN_DESTROY_CMD_ASN_ID			RV_FIELD(0x4, 27, 0)

/* PF-ASN-DESTROY response (opcode 17) */
#define RV_PF_ASN_DESTROY_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_PF_ASN_DESTROY_RSP_PRIO			RV_FIELD(0x4, 3, 0)
#define RV_PF_ASN_DESTROY_RSP_DST_AMI_TYPE		RV_FIELD(0x4, 4, 4)
#define RV_PF_ASN_DESTROY_RSP_SRC_AMI_TYPE		RV_FIELD(0x4, 5, 5)
#define RV_PF_ASN_DESTROY_RSP_MON_OWNER			RV_FIELD(0x4, 21, 6)
#define RV_PF_ASN_DESTROY_RSP_SRC_AMI			RV_FIELD(0x8, 15, 0)
#define RV_PF_ASN_DESTROY_RSP_SRC_F_OWNER		RV_FIELD(0x8, 31, 16)
#define RV_PF_ASN_DESTROY_RSP_DST_AMI			RV_FIELD(0xc, 15, 0)
#define RV_PF_ASN_DESTROY_RSP_DST_F_OWNER		RV_FIELD(0xc, 31, 16)
#define RV_PF_ASN_DESTROY_RSP_DST_AMS			RV_FIELD(0x10, 5, 0)
#define RV_PF_ASN_DESTROY_RSP_SRC_AMS			RV_FIELD(0x10, 11, 6)
#define RV_PF_ASN_DESTROY_RSP_PROF_CTL			RV_FIELD(0x14, 15, 0)
#define RV_PF_ASN_DESTROY_RSP_TRACE_CTL			RV_FIELD(0x14, 31, 16)
#define RV_PF_ASN_DESTROY_RSP_STASH_CTL			RV_FIELD(0x18, 63, 0)
#define RV_PF_ASN_DESTROY_RSP_PROF_MASK			RV_FIELD(0x20, 63, 0)
#define RV_PF_ASN_DESTROY_RSP_PROF_TBL_BASE		RV_FIELD(0x28, 63, 0)
#define RV_PF_ASN_DESTROY_RSP_MPIDR			RV_FIELD(0x30, 31, 0)
#define RV_PF_ASN_DESTROY_RSP_MFO			RV_FIELD(0x34, 2, 0)
#define RV_PF_ASN_DESTROY_RSP_MF_OB_BUF_NUM		RV_FIELD(0x34, 9, 3)
#define RV_PF_ASN_DESTROY_RSP_LOG2_MSG_LENGTH		RV_FIELD(0x34, 13, 10)

/* PF-AMS-RING-CONFIGURE command (opcode 18) */
#define RV_PF_AMS_RING_CONFIGURE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMS_RING_CONFIGURE_CMD_F_OWNER		RV_FIELD(0x4, 31, 16)
#define RV_PF_AMS_RING_CONFIGURE_CMD_AMS_ID		RV_FIELD(0x8, 5, 0)
#define RV_PF_AMS_RING_CONFIGURE_CMD_AMS_TYPE		RV_FIELD(0x8, 6, 6)
#define RV_PF_AMS_RING_CONFIGURE_CMD_RX_MODE		RV_FIELD(0xc, 0, 0)
#define RV_PF_AMS_RING_CONFIGURE_CMD_LOG2_SIZE		RV_FIELD(0xc, 4, 1)
#define RV_PF_AMS_RING_CONFIGURE_CMD_THRESHOLD		RV_FIELD(0xc, 8, 5)
#define RV_PF_AMS_RING_CONFIGURE_CMD_BASE_PTR		RV_FIELD(0x10, 63, 0)

/* PF-AMS-RING-CONFIGURE response (opcode 18) */
#define RV_PF_AMS_RING_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* PF-AMS-RING-SAVE command (opcode 19) */
#define RV_PF_AMS_RING_SAVE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMS_RING_SAVE_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)
#define RV_PF_AMS_RING_SAVE_CMD_AMS_ID			RV_FIELD(0x8, 5, 0)
#define RV_PF_AMS_RING_SAVE_CMD_AMS_TYPE		RV_FIELD(0x8, 6, 6)

/* PF-AMS-RING-SAVE response (opcode 19) */
#define RV_PF_AMS_RING_SAVE_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_PF_AMS_RING_SAVE_RSP_RX_MODE			RV_FIELD(0x4, 0, 0)
#define RV_PF_AMS_RING_SAVE_RSP_LOG2_SIZE		RV_FIELD(0x4, 4, 1)
#define RV_PF_AMS_RING_SAVE_RSP_THRESHOLD		RV_FIELD(0x4, 8, 5)
#define RV_PF_AMS_RING_SAVE_RSP_BASE_PTR		RV_FIELD(0x8, 63, 0)

/* F-AMS-RING-CONFIGURE command (opcode 20) */
#define RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID		RV_FIELD(0x8, 5, 0)
#define RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE		RV_FIELD(0x8, 6, 6)
#define RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE		RV_FIELD(0xc, 1, 1)
#define RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE		RV_FIELD(0xc, 5, 2)
#define RV_F_AMS_RING_CONFIGURE_CMD_THRESHOLD		RV_FIELD(0xc, 9, 6)
#define RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR		RV_FIELD(0x10, 63, 0)

/* F-AMS-RING-CONFIGURE response (opcode 20) */
#define RV_F_AMS_RING_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* F-AMS-RING-SAVE command (opcode 21) */
#define RV_F_AMS_RING_SAVE_CMD_AMI_SW_ID		RV_FIELD(0x4, 15, 0)
#define RV_F_AMS_RING_SAVE_CMD_AMS_ID			RV_FIELD(0x4, 21, 16)
#define RV_F_AMS_RING_SAVE_CMD_AMS_TYPE			RV_FIELD(0x4, 22, 22)

/* F-AMS-RING-SAVE response (opcode 21) */
#define RV_F_AMS_RING_SAVE_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_F_AMS_RING_SAVE_RSP_RX_MODE			RV_FIELD(0x4, 1, 1)
#define RV_F_AMS_RING_SAVE_RSP_LOG2_SIZE		RV_FIELD(0x4, 5, 2)
#define RV_F_AMS_RING_SAVE_RSP_THRESHOLD		RV_FIELD(0x4, 9, 6)
#define RV_F_AMS_RING_SAVE_RSP_BASE_PTR			RV_FIELD(0x8, 63, 0)

/* PF-RESPONSE-TO-VF command (opcode 22) */
#define RV_PF_RESPONSE_TO_VF_CMD_F_TARGET		RV_FIELD(0x0, 31, 16)
#define RV_PF_RESPONSE_TO_VF_CMD_PAYLOAD		0x4	/* payload */

/* PF-RESPONSE-TO-VF response (opcode 22) */
#define RV_PF_RESPONSE_TO_VF_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* PF-AMI-HW-MAP command (opcode 23) */
#define RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_HW_MAP_CMD_AHA_ID			RV_FIELD(0x4, 31, 16)
#define RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID			RV_FIELD(0x8, 15, 0)
#define RV_PF_AMI_HW_MAP_CMD_F_OWNER			RV_FIELD(0x8, 31, 16)

/* PF-AMI-HW-MAP response (opcode 23) */
#define RV_PF_AMI_HW_MAP_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* PF-AMI-HW-UNMAP command (opcode 24) */
#define RV_PF_AMI_HW_UNMAP_CMD_AMI_HW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_HW_UNMAP_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)

/* PF-AMI-HW-UNMAP response (opcode 24): OPCODE only */

/* PF-AMI-HW-CONFIGURE command (opcode 25) */
#define RV_PF_AMI_HW_CONFIGURE_CMD_AMI_HW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_HW_CONFIGURE_CMD_F_OWNER		RV_FIELD(0x4, 31, 16)
#define RV_PF_AMI_HW_CONFIGURE_CMD_PASID		RV_FIELD(0x8, 19, 0)
#define RV_PF_AMI_HW_CONFIGURE_CMD_PASID_ENABLED	RV_FIELD(0x8, 20, 20)
#define RV_PF_AMI_HW_CONFIGURE_CMD_HW_CRED_SIZE		RV_FIELD(0x8, 31, 21)
#define RV_PF_AMI_HW_CONFIGURE_CMD_ENABLE		RV_FIELD(0xc, 0, 0)

/* PF-AMI-HW-CONFIGURE response (opcode 25) */
#define RV_PF_AMI_HW_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* PF-AMI-HW-SAVE command (opcode 26) */
#define RV_PF_AMI_HW_SAVE_CMD_AMI_HW_ID			RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_HW_SAVE_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)

/* PF-AMI-HW-SAVE response (opcode 26) */
#define RV_PF_AMI_HW_SAVE_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_PF_AMI_HW_SAVE_RSP_PASID			RV_FIELD(0x4, 19, 0)
#define RV_PF_AMI_HW_SAVE_RSP_PASID_ENABLED		RV_FIELD(0x4, 20, 20)
#define RV_PF_AMI_HW_SAVE_RSP_HW_CRED_SIZE		RV_FIELD(0x4, 31, 21)
#define RV_PF_AMI_HW_SAVE_RSP_ENABLE			RV_FIELD(0x8, 0, 0)

/* PF-AMI-HW-RESET command (opcode 27) */
#define RV_PF_AMI_HW_RESET_CMD_AMI_HW_ID		RV_FIELD(0x4, 15, 0)
#define RV_PF_AMI_HW_RESET_CMD_F_OWNER			RV_FIELD(0x4, 31, 16)

/* PF-AMI-HW-RESET response (opcode 27) */
#define RV_PF_AMI_HW_RESET_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* VF-COMMAND-TO-PF command (opcode 28) */
#define RV_VF_COMMAND_TO_PF_CMD_PAYLOAD			0x4	/* payload */

/* VF-COMMAND-TO-PF response (opcode 28) */
#define RV_VF_COMMAND_TO_PF_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_VF_COMMAND_TO_PF_RSP_PAYLOAD			0x4	/* payload */

/* F-PROF-TABLE-FLUSH command (opcode 29): OPCODE only */

/* F-PROF-TABLE-FLUSH response (opcode 29): OPCODE only */

/* F-AMI-HW-CONFIGURE command (opcode 30) */
#define RV_F_AMI_HW_CONFIGURE_CMD_AMI_HW_ID		RV_FIELD(0x4, 15, 0)
#define RV_F_AMI_HW_CONFIGURE_CMD_PASID			RV_FIELD(0x8, 19, 0)
#define RV_F_AMI_HW_CONFIGURE_CMD_PASID_ENABLED		RV_FIELD(0x8, 20, 20)

/* F-AMI-HW-CONFIGURE response (opcode 30) */
#define RV_F_AMI_HW_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* F-AMI-HW-SAVE command (opcode 31) */
#define RV_F_AMI_HW_SAVE_CMD_AMI_HW_ID			RV_FIELD(0x4, 15, 0)

/* F-AMI-HW-SAVE response (opcode 31) */
#define RV_F_AMI_HW_SAVE_RSP_STATUS			RV_FIELD(0x0, 31, 16)
#define RV_F_AMI_HW_SAVE_RSP_PASID			RV_FIELD(0x4, 19, 0)
#define RV_F_AMI_HW_SAVE_RSP_PASID_ENABLED		RV_FIELD(0x4, 20, 20)

/* F-AMI-HW-RESET command (opcode 32) */
#define RV_F_AMI_HW_RESET_CMD_AMI_HW_ID			RV_FIELD(0x4, 15, 0)

/* F-AMI-HW-RESET response (opcode 32) */
#define RV_F_AMI_HW_RESET_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* F-AMI-HW-ENABLE command (opcode 33) */
#define RV_F_AMI_HW_ENABLE_CMD_AMI_HW_ID		RV_FIELD(0x4, 15, 0)

/* F-AMI-HW-ENABLE response (opcode 33) */
#define RV_F_AMI_HW_ENABLE_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* F-AMI-HW-DISABLE command (opcode 34) */
#define RV_F_AMI_HW_DISABLE_CMD_AMI_HW_ID		RV_FIELD(0x4, 15, 0)

/* F-AMI-HW-DISABLE response (opcode 34) */
#define RV_F_AMI_HW_DISABLE_RSP_STATUS			RV_FIELD(0x0, 31, 16)

/* F-AMS-PROF-CONFIGURE command (opcode 35) */
#define RV_F_AMS_PROF_CONFIGURE_CMD_AMI_ID		RV_FIELD(0x4, 15, 0)
#define RV_F_AMS_PROF_CONFIGURE_CMD_AMI_TYPE		RV_FIELD(0x4, 16, 16)
#define RV_F_AMS_PROF_CONFIGURE_CMD_AMS_ID		RV_FIELD(0x4, 22, 17)
#define RV_F_AMS_PROF_CONFIGURE_CMD_AMS_TYPE		RV_FIELD(0x4, 23, 23)
#define RV_F_AMS_PROF_CONFIGURE_CMD_PROF_MASK		RV_FIELD(0x8, 63, 0)
#define RV_F_AMS_PROF_CONFIGURE_CMD_PROF_TBL_BASE	RV_FIELD(0x10, 63, 0)
#define RV_F_AMS_PROF_CONFIGURE_CMD_PROF_CTL		RV_FIELD(0x18, 15, 0)

/* F-AMS-PROF-CONFIGURE response (opcode 35) */
#define RV_F_AMS_PROF_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* F-AMS-TRACE-CONFIGURE command (opcode 36) */
#define RV_F_AMS_TRACE_CONFIGURE_CMD_AMI_ID		RV_FIELD(0x4, 15, 0)
#define RV_F_AMS_TRACE_CONFIGURE_CMD_AMI_TYPE		RV_FIELD(0x4, 16, 16)
#define RV_F_AMS_TRACE_CONFIGURE_CMD_AMS_ID		RV_FIELD(0x4, 22, 17)
#define RV_F_AMS_TRACE_CONFIGURE_CMD_AMS_TYPE		RV_FIELD(0x4, 23, 23)
#define RV_F_AMS_TRACE_CONFIGURE_CMD_TRACE_CTL		RV_FIELD(0x8, 15, 0)

/* F-AMS-TRACE-CONFIGURE response (opcode 36) */
#define RV_F_AMS_TRACE_CONFIGURE_RSP_STATUS		RV_FIELD(0x0, 31, 16)

/* E-PF-COMMAND-FROM-VF exception (opcode 1) */
#define RV_E_PF_COMMAND_FROM_VF_EXC_SOURCE		RV_FIELD(0x4, 15, 0)
#define RV_E_PF_COMMAND_FROM_VF_EXC_PAYLOAD		0x8	/* payload */

/* E-PF-VF-RESET exception (opcode 2) */
#define RV_E_PF_VF_RESET_EXC_SOURCE			RV_FIELD(0x4, 15, 0)

/* E-F-COUNTER-OVERFLOW exception (opcode 3) */
#define RV_E_F_COUNTER_OVERFLOW_EXC_AMI_ID		RV_FIELD(0x4, 15, 0)
#define RV_E_F_COUNTER_OVERFLOW_EXC_F_OWNER		RV_FIELD(0x4, 31, 16)
#define RV_E_F_COUNTER_OVERFLOW_EXC_AMS_ID		RV_FIELD(0x8, 5, 0)
#define RV_E_F_COUNTER_OVERFLOW_EXC_AMI_TYPE		RV_FIELD(0x8, 6, 6)
#define RV_E_F_COUNTER_OVERFLOW_EXC_AMS_TYPE		RV_FIELD(0x8, 7, 7)
#define RV_E_F_COUNTER_OVERFLOW_EXC_COUNTER_ID		RV_FIELD(0xc, 15, 0)

#endif /* REVERE_H */
