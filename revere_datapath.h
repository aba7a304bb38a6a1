/* SPDX-License-Identifier: BSD-3-Clause */
/* Step 4's data path (revere_datapath.c), for revere_exchange(). */
#ifndef REVERE_DATAPATH_H
#define REVERE_DATAPATH_H

#include <stdint.h>

#include "revere_state.h"

/* --queue-depth, 0 (unset) meaning the ring size. */
uint64_t revere_queue_depth(const struct revere_dev *rd);

/*
 * Exchange opts->packets messages: 0 once every one is verified, or
 * -errno with rd->err set (-EINTR on a stop, -ETIMEDOUT after --timeout
 * without progress, -EBADMSG for a wrong byte).
 */
int revere_datapath_run(struct revere_dev *rd);

/* The error of an exchange that was stopped, with how far it got. */
int revere_exchange_interrupted(struct revere_dev *rd);

#endif /* REVERE_DATAPATH_H */
