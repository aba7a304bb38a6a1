// SPDX-License-Identifier: BSD-3-Clause
#include "config.h"

#include "version.h"

void version_print(FILE *out, const char *prog)
{
	fprintf(out, "%s " PACKAGE_VERSION "\n"
		"Copyright (c) 2026, the revere-vfio-demo authors.\n"
		"License BSD-3-Clause: see LICENSE.\n", prog);
}
