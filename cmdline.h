/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of revere-vfio-demo, parsed and validated. */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "errmsg.h"
#include "sysfs.h"
#include "vfio_target.h"

#define CMDLINE_DEFAULT_PACKETS		42
#define CMDLINE_DEFAULT_TIMEOUT_MS	100
/*
 * With --sim: the simulated device is a thread that, on a busy machine,
 * may wait for a CPU far longer than hardware takes to answer (100 ms
 * was seen); a wait that gives up then blames the device for the OS.
 * The same holds for a device model behind --vfio-user, a process.
 */
#define CMDLINE_SIM_TIMEOUT_MS		5000
#define CMDLINE_MAX_TIMEOUT_MS		3600000u	/* one hour */
/* Hybrid's spin before it blocks: doc/design.md says why 50 us. */
#define CMDLINE_DEFAULT_SPIN_US		50
#define CMDLINE_MAX_SPIN_US		1000000u	/* one second */
/* --queue-depth: up to the data rings' 64 slots (REVERE_RING_SLOTS). */
#define CMDLINE_MAX_QUEUE_DEPTH		64u

/* --wait (revere_dev.h's enum revere_wait_mode, in the same order). */
enum cmdline_wait {
	CMDLINE_WAIT_POLL,
	CMDLINE_WAIT_IRQ,
	CMDLINE_WAIT_HYBRID,
};

enum cmdline_action {
	CMDLINE_RUN,
	CMDLINE_LIST,		/* --list */
	CMDLINE_CHECK,		/* --check: the pre-flight alone */
	CMDLINE_HELP,
	CMDLINE_VERSION,
};

enum cmdline_verbosity {
	CMDLINE_QUIET,		/* errors only */
	CMDLINE_NORMAL,		/* one line per step and a summary */
	CMDLINE_VERBOSE,	/* plus identification and probe results */
};

struct cmdline {
	enum cmdline_action action;
	const char *vfio_group;		/* --vfio-group, NULL: from sysfs */
	const char *device;		/* --device normalised, NULL with --sim */
	const char *vfio_user;		/* --vfio-user: the server's socket */
	enum sysfs_bus bus;		/* what --device names */
	/*
	 * Where the device is, from --device and --vfio-group (its path ""
	 * until the pre-flight finds the group or device file); --sim fills
	 * it instead.
	 */
	struct vfio_target target;
	enum vfio_iommu_choice iommu;	/* --iommu */
	bool sim;			/* --sim */
	uint64_t packets;		/* --packets, >= 1 */
	unsigned int timeout_ms;	/* --timeout, >= 1 (or the default) */
	bool loopback;			/* --loopback */
	bool no_mmap;			/* --no-mmap: BAR0 never mapped */
	enum cmdline_wait wait;		/* --wait, default poll */
	unsigned int spin_us;		/* --spin-us */
	unsigned int queue_depth;	/* --queue-depth, 1 to the ring size */
	bool json;			/* --json: the summary on stdout */
	bool trace;			/* --trace */
	enum cmdline_verbosity verbosity;
};

/*
 * Parse argv into cl. Returns 0, or -EINVAL for a usage error with a
 * one-line message in err naming the option and the problem.
 */
int cmdline_parse(struct cmdline *cl, int argc, char *argv[],
		  struct errmsg *err);

void cmdline_usage(FILE *out, const char *prog);

#endif /* CMDLINE_H */
