/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The demo's configuration of the device (spec 7): which AMI, AMS,
 * accelerator and sessions it uses, the data rings' shape, and what the
 * probe must report. The steps (revere_dev.c) and the wait engine
 * (revere_wait.c) both program these.
 */
#ifndef REVERE_CONFIG_H
#define REVERE_CONFIG_H

#include "revere.h"

#define F_OWNER			0	/* the demo is function 0, the PF */
#define AMI_SW			0
#define AMS			0	/* AMS 0 of every AMI involved */
#define AHA_INVERT		0	/* the inversion accelerator */
#define ASN_TO_AHA		0	/* AMI-SW 0 TX -> AMI-HW 0 RX */
#define ASN_FROM_AHA		1	/* AMI-HW 1 TX -> AMI-SW 0 RX */
#define DATA_LOG2_SIZE		6	/* 64 slots */
#define DATA_LOG2_MSG_LENGTH	8	/* 2^8 doublewords = 2 KiB */
#define DATA_MSG_SIZE		(8u << DATA_LOG2_MSG_LENGTH)

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

#endif /* REVERE_CONFIG_H */
