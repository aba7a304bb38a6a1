/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Revere-AMU driver of the demo: buffers, device, management interface,
 * the configuration of spec section 7, the message exchange and teardown.
 * One function per step of the README; main() calls them in order.
 */
#ifndef REVERE_DEV_H
#define REVERE_DEV_H

#include <stddef.h>

#include "revere_layout.h"
#include "revere_state.h"
#include "vfio_target.h"

void revere_init(struct revere_dev *rd, struct vfio_dev *vfio,
		 const struct revere_opts *opts);

/* 1. Allocate the I/O buffers shared with the device. */
int revere_alloc_buffers(struct revere_dev *rd);

/*
 * 2. Open the device through VFIO, check it is a Revere-AMU PF, route the
 *    device request (when the kernel asks for the device back, the run
 *    stops as on a signal, and vfio_req_fired() says why), reset it, map
 *    the buffers for DMA, map BAR0 and turn on bus mastering.
 */
int revere_open_device(struct revere_dev *rd,
		       const struct vfio_target *target);

/*
 * 3. Set up the management interface, then through it the AMI-SW, the
 *    AMI-HWs of the inversion accelerator and the sessions between them.
 */
int revere_setup(struct revere_dev *rd);

/* 4. Send opts->packets messages and check every byte of every reply. */
int revere_exchange(struct revere_dev *rd);

/*
 * 5. Undo everything that was done, in reverse order, whatever failed
 *    before: AMIs disabled, sessions destroyed, AMIs unmapped, AMU off,
 *    bus mastering off, DMA unmapped, BAR0 unmapped, fds closed, buffers
 *    freed. Failures are logged as warnings and the rest still runs;
 *    returns the first one.
 */
int revere_teardown(struct revere_dev *rd);

#endif /* REVERE_DEV_H */
