/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What uses a PCI device: its network interfaces and block devices, and of
 * those what the system is using (an interface up or with routes, a
 * mount, a swap area, a device stacked on a disk), with the commands that
 * end each use. revere-vfio-bind refuses and lists devices by it, and the
 * demo names a device's interfaces by it: one reader, so that both
 * programs see the same uses (virtio's interfaces one level down too).
 *
 * Names from the system are stored escaped (sysfs_esc()), ready to print.
 */
#ifndef REVERE_DEVUSE_H
#define REVERE_DEVUSE_H

#include <stddef.h>

#define DEVUSE_LEN	512
#define DEVUSE_FIXES	16
#define DEVUSE_FIX_LEN	160

struct devuse {
	char ifaces[DEVUSE_LEN / 2];	/* every interface: "ens3, ens4" */
	char blocks[DEVUSE_LEN / 2];	/* every disk and partition */
	char list[DEVUSE_LEN];		/* the uses, "ens3 is up, ..." */
	int n;				/* uses in list */
	/* Commands that end the uses: what is on top first (stop), then
	 * what is stacked, deepest first (release, kept outermost first). */
	char stop[DEVUSE_FIXES][DEVUSE_FIX_LEN];
	int nstop;
	char release[DEVUSE_FIXES][DEVUSE_FIX_LEN];
	int nrelease;
	char failed[DEVUSE_LEN / 2];	/* the files that could not be read */
};

/*
 * Read what uses PCI device bdf (normalised): 0, or -errno with
 * u->failed naming what could not be read (what was found before stays).
 */
int devuse_read(const char *bdf, struct devuse *u);

/*
 * The device's interfaces and block devices, for a message:
 * "network interface eth0", "block device vda, vda1", both, or "".
 */
void devuse_names(const struct devuse *u, char *buf, size_t len);

/* The commands that end the uses, in order: "ip link set ens3 down; ...". */
void devuse_fixes(const struct devuse *u, char *buf, size_t len);

#endif /* REVERE_DEVUSE_H */
