/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a vfio-user socket serves, for --list and --check --vfio-user:
 * connect, agree a version, read the device's IDs from its config space,
 * its BAR0 and its MSI-X vectors, and let go. Nothing is written to the
 * device, and no root is needed: the socket's permissions decide.
 */
#ifndef REVERE_VFIO_USER_PROBE_H
#define REVERE_VFIO_USER_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"

struct vfio_user_probe {
	uint16_t vendor, device;	/* PCI IDs, config space 0x00, 0x02 */
	uint64_t bar0_size;		/* 0: no BAR0 */
	bool bar0_mmap;			/* BAR0 could be mmap'd */
	int msix;			/* MSI-X vectors on eventfds */
	char context[ERRMSG_LEN];	/* the connection, for -v */
};

/* 0, or -errno with err saying what failed on path, and why. */
int vfio_user_probe(const char *path, int timeout_ms,
		    struct vfio_user_probe *p, struct errmsg *err);

#endif /* REVERE_VFIO_USER_PROBE_H */
