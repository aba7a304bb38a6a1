/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * revere-vfio-bind --user: the lines that keep a user's access to a bound
 * device after a reboot (a udev rule for each file the user was given,
 * a limits.d line for the locked memory), told, or with --install-rules
 * put in the system's files (sysconf.h).
 */
#ifndef REVERE_BIND_RULES_H
#define REVERE_BIND_RULES_H

#include "bind.h"
#include "sysfs.h"

/* The project's own files, one line per device file and per user. */
#define BIND_RULES_FILE		"/etc/udev/rules.d/70-revere-vfio.rules"
#define BIND_LIMITS_FILE	"/etc/security/limits.d/revere-vfio.conf"

/*
 * d was given to o->user: tell (or install, with o->install_rules) the
 * lines for its group file, its device file and /dev/iommu when it has
 * one, and the user's locked-memory limit. 0, or -errno with e filled.
 */
int bind_rules(const struct bind_opts *o, const struct bind_out *out,
	       const struct sysfs_dev *d, struct errmsg *e);

#endif /* REVERE_BIND_RULES_H */
