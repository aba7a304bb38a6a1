/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A model of a Revere-AMU v2 PF with the inversion accelerator (AHA 0),
 * after doc/revere-amu-v2.md, sections 1-8.
 *
 * Host-agnostic, freestanding C: a struct of state, a register read/write
 * entry point, a step function that does pending work, and callbacks into
 * the host for DMA (by IOVA) and MSI-X. No allocation, no threads, no libc
 * beyond memcpy/memset, so that the same source is carried by the
 * in-process mock VFIO kernel (make check, --sim) and by a Linux kernel
 * module (an mdev, for the real-kernel tests). Locking is the host's job:
 * every entry point assumes it is the only one running on this model.
 */
#ifndef REVERE_MODEL_H
#define REVERE_MODEL_H

#include "revere.h"	/* types (kernel or user space) and the spec */

/* Largest configuration the model can hold (its arrays are sized by it). */
#define RV_MODEL_MAX_AMI_SW	8
#define RV_MODEL_MAX_AMI_HW	8
#define RV_MODEL_MAX_ASN	32
#define RV_MODEL_MAX_AMS	4	/* TX and RX AMS per AMI (spec 8.9) */

/* BAR0 size (spec 8.9). */
#define RV_MODEL_BAR0_SIZE	0x100000ull

struct rv_model_host {
	void *host;
	/*
	 * Device DMA by I/O virtual address. Return 0, or non-zero when no
	 * IOMMU mapping covers [iova, iova + len): the model then takes an
	 * IOMMU fault (spec 8.4) and must not have touched anything.
	 */
	int (*dma_read)(void *host, uint64_t iova, void *buf, size_t len);
	int (*dma_write)(void *host, uint64_t iova, const void *buf,
			 size_t len);
	/*
	 * Optional (may be NULL): where the device may read and write
	 * [iova, iova + len) in place, or NULL when the host cannot say (no
	 * one mapping covers it, or memory it cannot point at, like the
	 * mdev's user pages). The pointer is used within the same call into
	 * the model (a session's turn of up to RV_MODEL_RUN messages, the
	 * host's msix and index_moved called in between, which must not
	 * unmap it) and never kept. NULL is not a fault by itself: the model
	 * then goes through dma_read and dma_write, whose answer is. A host
	 * that can lend it saves a copy each way.
	 */
	void *(*dma_ptr)(void *host, uint64_t iova, size_t len);
	/* Signal MSI-X vector (spec 8.8). May be NULL: no interrupts. */
	void (*msix)(void *host, uint32_t vector);
	/*
	 * Optional: the device advanced a ring index of its own (spec 3, 4):
	 * off is its BAR0 offset, val its new value. A message's
	 * READ_INDEX_TX and WRITE_INDEX_RX of an AMI-SW page, each after the
	 * message and before the MSI-X it raises; a command's, once, as
	 * MGT_WRITE_INDEX_RX0 after all the command did (its response, any
	 * duplicate or exception), before its response's MSI-X: the host
	 * then publishes every management register. A host that mirrors
	 * BAR0 in memory publishes what software needs at once
	 * (sim/rv_bar_mirror.c), rather than comparing every register after
	 * each message.
	 */
	void (*index_moved)(void *host, uint64_t off, uint64_t val);
	/*
	 * Optional: the device took command cmd and answers rsp (both
	 * RV_MSG_SIZE bytes), for a host that traces them.
	 */
	void (*command)(void *host, const uint8_t *cmd, const uint8_t *rsp);
};

/* What a test can vary to reach the driver's error paths (spec 8.9). */
struct rv_model_params {
	uint64_t aidr;			/* AMU_AIDR; 0x20 = v2.0 */
	uint64_t iidr;			/* AMU_IIDR */
	uint16_t num_ami_sw;		/* PF-PROBE MAX_AMI_SW (<= MAX) */
	uint16_t num_ami_hw;		/* PF-PROBE MAX_AMI_HW (<= MAX) */
	uint32_t max_asn;		/* PF-PROBE MAX_ASN (<= MAX) */
	uint16_t num_aha;		/* PF-PROBE NUM_AHA (0 or 1) */
	uint16_t ami_per_f_m1;		/* F-PROBE AMI_PER_F_M1 */
	uint8_t num_tx_ams;		/* AMU_IDR NUM_TX_AMS_M1 + 1 */
	uint8_t num_rx_ams;		/* AMU_IDR NUM_RX_AMS_M1 + 1 */
	/* Faults on demand, for the driver's error paths. */
	bool mute;			/* never answer any command */
	uint16_t mute_opcode;		/* never answer this opcode (0: none) */
	uint16_t fail_opcode;		/* answer this opcode with fail_status */
	uint16_t fail_status;
	uint64_t corrupt_msg;		/* AHA flips byte 0 of the reply to this
					 * message (1-based count of messages the
					 * AHA has processed; 0: never) */
	uint16_t exception_opcode;	/* post one exception with this opcode
					 * (SOURCE 1) before the first response
					 * after reset (0: never) */
	uint64_t dup_rsp;		/* post the response to this command (1-based
					 * count of commands answered since reset)
					 * twice: one response too many (0: never) */
	uint64_t dup_rsp_late;		/* post the response to this command again,
					 * late: as the next command is taken */
	/*
	 * The host times the accelerator (the model keeps no time): the AHA
	 * takes a message only against a credit from rv_model_aha_grant().
	 */
	bool aha_paced;
};

/* Spec 8.9's identity: v2.0, 4 AMI-SW, 8 AMI-HW, 16 ASN, 1 AHA, 4+4 AMS. */
void rv_model_default_params(struct rv_model_params *p);

struct rv_model;	/* defined below by the implementation */

/* Power-on: params are copied; returns 0 or -1 if they exceed the MAXes. */
int rv_model_init(struct rv_model *m, const struct rv_model_params *p,
		  const struct rv_model_host *host);

/* Device reset (spec 8.10): all state to power-on, identity kept. */
void rv_model_reset(struct rv_model *m);

/* 64-bit aligned BAR0 register access at offset off (spec 3, 4). */
uint64_t rv_model_read(struct rv_model *m, uint64_t off);
void rv_model_write(struct rv_model *m, uint64_t off, uint64_t val);

/*
 * Where the model keeps register off, if it is stored rather than computed
 * on each read (digests, identification): a host that mirrors registers
 * reads it directly, as often as it likes. NULL otherwise.
 */
const uint64_t *rv_model_reg_stored(struct rv_model *m, uint64_t off);

/* PCI COMMAND.BME as the host's config space sees it (spec 1, 8.2). */
void rv_model_set_bus_master(struct rv_model *m, bool enable);

/*
 * Do the pending work: commands, session moves, the AHA. Returns how many
 * units of work were done (0 when idle), so a host can loop until idle.
 */
unsigned int rv_model_step(struct rv_model *m);

/*
 * The same, stopping once budget units are done (rv_model_step()'s is
 * RV_MODEL_STEP_BUDGET): a host that mirrors the registers in shared
 * memory takes software's stores between steps, so a step's budget is
 * how long software's doorbells wait. Ring indexes reach it as they move
 * (struct rv_model_host.index_moved), not at the end of the step.
 */
unsigned int rv_model_step_budget(struct rv_model *m, unsigned int budget);

/*
 * With params.aha_paced: let the AHA take one more message, and whether a
 * message waits at the AHA for want of a credit, as the sessions' last
 * turns found it (the host then starts its clock for it). Credits are
 * state: reset drops them.
 */
void rv_model_aha_grant(struct rv_model *m);
bool rv_model_aha_waiting(const struct rv_model *m);

/*
 * Who owns a BAR0 register, for a host that exposes BAR0 as shared memory
 * (mmap) and must copy software's stores into the model and the device's
 * values out to software.
 */
enum rv_reg_owner {
	RV_REG_NONE,		/* no register here (reads 0, writes ignored) */
	RV_REG_SW,		/* software writes, device reads (doorbells, CR) */
	RV_REG_DEVICE,		/* device writes, software reads (RO, indexes) */
};
enum rv_reg_owner rv_model_reg_owner(const struct rv_model *m, uint64_t off);

/* What the tests read to check that a driver left the device quiesced. */
struct rv_model_summary {
	bool amu_enabled;
	bool bus_master;
	bool iommu_fault;		/* AMU_SR bit 0 */
	unsigned int ami_sw_mapped, ami_sw_enabled;
	unsigned int ami_hw_mapped, ami_hw_enabled;
	unsigned int asn_count;
	uint64_t commands;		/* commands answered since reset */
	uint64_t messages;		/* messages moved by sessions */
	uint64_t irqs;			/* MSI-X signalled */
};
void rv_model_summary(const struct rv_model *m, struct rv_model_summary *s);

/* ---- the model's state ---- */

/*
 * Everything below is the model's private state: hosts allocate a struct
 * rv_model (its size is fixed, no allocation inside) and touch it only
 * through the functions above.
 */

/* Bytes the model moves per DMA access; messages are copied in chunks. */
#define RV_MODEL_CHUNK		2048
/* Units of work per rv_model_step() call: bounds the time under a lock. */
#define RV_MODEL_STEP_BUDGET	64
/*
 * Messages a session moves in one turn before the next session's: what
 * finding the route and the rings costs is paid once a turn.
 */
#define RV_MODEL_RUN		16

/* An AMS ring in memory, as F/PF-AMS-RING-CONFIGURE set it (spec 6). */
struct rv_model_ring {
	uint64_t base;			/* IOVA of slot 0 */
	uint8_t log2_size;		/* slots, as log2 */
	uint8_t rx_mode;		/* RV_RX_MODE_* */
	uint8_t threshold;
};

/*
 * What an AMI is, whatever its type: mapped into function 0 onto a
 * physical AMI, enabled or not, and its PASID. The AMI-SW and AMI-HW
 * commands that only touch this (ENABLE, DISABLE, the checks of CONFIGURE,
 * SAVE and RESET) are one piece of code for both types.
 */
struct rv_model_ami {
	bool mapped, enabled;
	uint16_t phy;			/* physical AMI behind it */
	uint32_t pasid;
	bool pasid_enabled;
};

/* A logical AMI-SW of function 0 and its BAR0 page (spec 4, 8.7). */
struct rv_model_ami_sw {
	struct rv_model_ami ami;
	uint16_t tx_vector, rx_vector;
	bool tx_irq_enable, rx_irq_enable;
	struct rv_model_ring tx[RV_MODEL_MAX_AMS], rx[RV_MODEL_MAX_AMS];
	/* Page registers (not cleared by the AMI's own reset commands). */
	uint64_t tx_digest_mask, rx_digest_mask;
	uint64_t read_tx[RV_MODEL_MAX_AMS], write_tx[RV_MODEL_MAX_AMS];
	uint64_t read_rx[RV_MODEL_MAX_AMS], write_rx[RV_MODEL_MAX_AMS];
};

/* A logical AMI-HW of function 0, on physical AMI-HW ami.phy of aha. */
struct rv_model_ami_hw {
	struct rv_model_ami ami;
	uint16_t aha;
	uint16_t hw_cred_size;
};

/* A session, with every field PF-ASN-CREATE gave it (spec 6). */
struct rv_model_asn {
	bool used;
	uint8_t prio, dst_ami_type, src_ami_type;
	uint16_t mon_owner;
	uint16_t src_ami, src_f_owner, dst_ami, dst_f_owner;
	uint8_t dst_ams, src_ams;
	uint64_t stash_ctl, prof_mask, prof_tbl_base;
	uint16_t prof_ctl, trace_ctl;
	uint32_t mpidr;
	uint8_t mfo, mf_ob_buf_num, log2_msg_length;
};

struct rv_model {
	struct rv_model_params p;
	struct rv_model_host host;
	bool bus_master;

	/* Management page (spec 3). */
	uint64_t cr, sr;
	uint64_t mgt_rx_vector, mgt_tx_vector;
	uint64_t mgt_rx_irq_ctrl, mgt_tx_irq_ctrl, mgt_trace_rx_ctrl;
	uint64_t msk_base[RV_MSK_COUNT], msk_ctrl[RV_MSK_COUNT];
	uint64_t mgt_tx_digest_mask, mgt_rx_digest_mask;
	uint64_t mgt_read_tx0, mgt_write_tx0;
	uint64_t mgt_read_rx[3], mgt_write_rx[3];

	struct rv_model_ami_sw sw[RV_MODEL_MAX_AMI_SW];
	struct rv_model_ami_hw hw[RV_MODEL_MAX_AMI_HW];
	bool phy_sw_used[RV_MODEL_MAX_AMI_SW];
	bool phy_hw_used[RV_MODEL_MAX_AMI_HW];	/* of AHA 0 */
	struct rv_model_asn asn[RV_MODEL_MAX_ASN];
	uint64_t asn_used;	/* bit i: asn[i].used, for the step's walk */
	unsigned int asn_turn;	/* the session the next step starts at */
	uint64_t f_enabled;		/* PF-F-ENABLE'd functions 1..63 */

	uint64_t commands, messages, irqs, aha_messages;
	uint64_t aha_credits;		/* params.aha_paced: messages granted */
	uint64_t aha_held;		/* bit i: session i waits for a credit */
	bool exception_posted;		/* params.exception_opcode done */

	/* Command, response and message chunks: never on the stack. */
	uint8_t cmd[RV_MSG_SIZE], rsp[RV_MSG_SIZE];
	uint8_t buf[RV_MODEL_CHUNK];
};

#endif /* REVERE_MODEL_H */
