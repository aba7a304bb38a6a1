/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --sim: the simulated Revere-AMU behind the mock VFIO kernel, as one
 * thing the demo starts, points its driver at, and stops. The demo knows
 * the simulator through this header alone; the mock (mock_vfio.h) and the
 * device model (revere_model.h) are this library's own.
 */
#ifndef REVERE_SIM_H
#define REVERE_SIM_H

#include "errmsg.h"
#include "vfio.h"
#include "vfio_target.h"

struct revere_sim;

/*
 * Build the simulated device, configured by spec ("key=value,...", the
 * REVERE_SIM variable of the manual page; NULL: the defaults), and set
 * *target to it, reached the way target->kind says (its group file, or
 * its device file for iommufd). NULL with err set when spec is wrong or
 * describes no device that can be (err->err EINVAL: the caller's usage
 * error), or the device cannot be built (another errno).
 */
struct revere_sim *revere_sim_start(const char *spec,
				    struct vfio_target *target,
				    struct errmsg *err);

/* The system calls of the mock kernel, for vfio_init(). */
const struct vfio_ops *revere_sim_ops(struct revere_sim *sim);

/*
 * Like a process exit: whatever the driver left open is released (with
 * report=1, the mock's counters are printed first). NULL is a no-op.
 */
void revere_sim_stop(struct revere_sim *sim);

#endif /* REVERE_SIM_H */
