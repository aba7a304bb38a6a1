// SPDX-License-Identifier: BSD-3-Clause
/* --sim's one entry point (sim.h): the mock VFIO kernel carrying the model. */
#include "sim.h"
#include "mock_vfio.h"

#include <errno.h>
#include <stdlib.h>

struct revere_sim {
	struct mock_vfio *mock;
};

struct revere_sim *revere_sim_start(const char *spec,
				    struct vfio_target *target,
				    struct errmsg *err)
{
	struct mock_vfio_config cfg;
	struct revere_sim *sim;

	mock_vfio_default_config(&cfg);
	if (spec && mock_vfio_parse(&cfg, spec, err))
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (sim)
		sim->mock = mock_vfio_create(&cfg);
	if (!sim || !sim->mock) {
		errmsg_set_errno(err, errno, "creating the simulated device");
		free(sim);
		return NULL;
	}
	mock_vfio_target(sim->mock, target);
	return sim;
}

const struct vfio_ops *revere_sim_ops(struct revere_sim *sim)
{
	return mock_vfio_ops(sim->mock);
}

void revere_sim_stop(struct revere_sim *sim)
{
	if (!sim)
		return;
	mock_vfio_destroy(sim->mock);
	free(sim);
}
