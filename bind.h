/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * revere-vfio-bind's work: bind PCI devices to vfio-pci through
 * driver_override, unbind and drivers_probe (the README's three lines), and
 * give them back to the kernel's own driver. Every read and write goes
 * through sysfs.h, so tests run it on fake trees.
 *
 * Each action is told through say() as one line before (or, under
 * dry_run, instead of) doing it; a refusal or failure fills the errmsg
 * and returns -errno. Nothing here prints or exits.
 */
#ifndef REVERE_BIND_H
#define REVERE_BIND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"

#define BIND_DRIVER	"vfio-pci"

struct bind_opts {
	bool force;		/* bind a device the system uses */
	bool group;		/* bind the other devices of the IOMMU group */
	bool dry_run;		/* say what would be done, write nothing */
	/* How vfio-pci is loaded when absent: argv[0] of a command given
	 * "vfio-pci"; NULL: "modprobe", or refuse on a fake root. */
	const char *modprobe;
	/* The command line to run again as root, for the hint: "revere-vfio-bind 01:00.0". */
	const char *again;
	/* --user: the user given the group file after the bind, and the
	 * locked memory revere-vfio-demo needs, for what to tell it. */
	const char *user;
	uid_t uid;
	bool install_rules;	/* write the lines that make --user last */
	uint64_t memlock_need;
};

struct bind_out {
	void (*say)(void *arg, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	void *arg;
};

/* Bind PCI device bdf (normalised) to vfio-pci. */
int bind_device(const struct bind_opts *o, const struct bind_out *out,
		const char *bdf, struct errmsg *e);
/*
 * --status: every PCI device, Revere-AMU PFs first, with its driver, the
 * drivers that could take it, its IOMMU group and what uses it, one line
 * each through out->say. 0, or -errno when the devices cannot be listed.
 */
int bind_status(const struct bind_out *out, struct errmsg *e);
/* Clear its driver_override and let the kernel's own driver take it. */
int bind_undo(const struct bind_opts *o, const struct bind_out *out,
	      const char *bdf, struct errmsg *e);

#endif /* REVERE_BIND_H */
