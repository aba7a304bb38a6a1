/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Revere-AMU management interface as the driver uses it (spec 3, 5,
 * 8.2): one command at a time on the command socket, its response matched
 * by position on the response socket, checked for opcode and status, the
 * exception socket drained and reported while waiting, --trace; and one
 * encoder for each command the demo sends (spec 6), all for function 0.
 *
 * Which AMIs, sessions and rings to use is the caller's (revere_dev.c,
 * spec 7). Every function returns 0 or -errno with rd->err filled. A
 * signal is honoured only before a command is sent: once published, a
 * command's response is awaited (bounded by --timeout), and
 * rd->mgt_accepted says whether the device accepted it.
 */
#ifndef REVERE_MGT_H
#define REVERE_MGT_H

#include "revere_state.h"

/* One end of a session: an AMS of an AMI of the PF. */
struct revere_asn_end {
	unsigned int ami_type;	/* RV_AMI_TYPE_SW or _HW */
	unsigned int ami;
	unsigned int ams;
};

int revere_mgt_pf_probe(struct revere_dev *rd, struct revere_probe *p);
int revere_mgt_f_probe(struct revere_dev *rd, struct revere_probe *p);
int revere_mgt_ami_sw_map(struct revere_dev *rd, unsigned int id);
int revere_mgt_ami_hw_map(struct revere_dev *rd, unsigned int aha,
			  unsigned int phy, unsigned int id);
int revere_mgt_asn_create(struct revere_dev *rd, unsigned int asn,
			  struct revere_asn_end src, struct revere_asn_end dst,
			  unsigned int log2_msg_length);
int revere_mgt_ami_sw_configure(struct revere_dev *rd, unsigned int id,
				bool rx_irq, unsigned int rx_vector);
int revere_mgt_ring_configure(struct revere_dev *rd, unsigned int ami_sw,
			      unsigned int ams, unsigned int ams_type,
			      unsigned int rx_mode, const struct rv_ring *ring);
/* op: RV_OP_F_AMI_SW_ENABLE or RV_OP_F_AMI_HW_ENABLE. */
int revere_mgt_ami_enable(struct revere_dev *rd, unsigned int op,
			  unsigned int id);
/*
 * The command that undoes a set-up command, for the object id:
 * RV_OP_F_AMI_{SW,HW}_DISABLE, RV_OP_PF_ASN_DESTROY or
 * RV_OP_PF_AMI_{SW,HW}_UNMAP.
 */
int revere_mgt_undo(struct revere_dev *rd, unsigned int op, unsigned int id);

#endif /* REVERE_MGT_H */
