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

#include "errmsg.h"

#define BIND_DRIVER	"vfio-pci"

struct bind_opts {
	bool force;		/* bind a device the system uses */
	bool group;		/* bind the other devices of the IOMMU group */
	bool dry_run;		/* say what would be done, write nothing */
	/* How vfio-pci is loaded when absent: argv[0] of a command given
	 * "vfio-pci"; NULL: "modprobe", or refuse on a fake root. */
	const char *modprobe;
};

struct bind_out {
	void (*say)(void *arg, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	void *arg;
};

/* Bind PCI device bdf (normalised) to vfio-pci. */
int bind_device(const struct bind_opts *o, const struct bind_out *out,
		const char *bdf, struct errmsg *e);
/* Clear its driver_override and let the kernel's own driver take it. */
int bind_undo(const struct bind_opts *o, const struct bind_out *out,
	      const char *bdf, struct errmsg *e);

#endif /* REVERE_BIND_H */
