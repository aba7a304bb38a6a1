// SPDX-License-Identifier: BSD-3-Clause
/*
 * What uses a device (devuse.h). Interfaces and block devices are found
 * through /sys/class, whose links go through the device's directory
 * however deep the kernel put them (virtio: BDF/virtio2/net/eth0), not in
 * BDF/net/ alone. The refusals follow DPDK's dpdk-devbind.py, which will
 * not rebind a NIC the routing table uses: an up interface, a route, a
 * mounted file system, a swap area and a volume, LUKS device or array on
 * a disk are uses. A stacked device is a use even with nothing mounted on
 * it: the disk taken from under it breaks the LVM volume, the open LUKS
 * device, the array.
 */
#include "devuse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "sysfs.h"

/*
 * How deep holders are followed: LVM on md on a partition is three deep;
 * a tree whose holders loop must still end.
 */
#define HOLD_DEPTH	8

static void add_use(struct devuse *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_use(struct devuse *u, const char *fmt, ...)
{
	char item[DEVUSE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	errmsg_list_add(u->list, sizeof(u->list), item);
	u->n++;
}

/* A command, once: a disk's two partitions may hold the same array. */
static void add_fix(char (*fixes)[DEVUSE_FIX_LEN], int *n, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
static void add_fix(char (*fixes)[DEVUSE_FIX_LEN], int *n, const char *fmt,
		    ...)
{
	char cmd[DEVUSE_FIX_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	for (int i = 0; i < *n; i++)
		if (!strcmp(fixes[i], cmd))
			return;
	if (*n < DEVUSE_FIXES)
		snprintf(fixes[(*n)++], DEVUSE_FIX_LEN, "%s", cmd);
}

/* A word for a shell command: quoted when it holds more than a name. */
static const char *shell_word(const char *s, char *buf, size_t len)
{
	if (!s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@,=")])
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "'%s'", s);
	return buf;
}

static int net_use(const char *ifname, void *arg)
{
	struct devuse *u = arg;
	char routes[DEVUSE_LEN / 2];
	const char *name = SYSFS_ESC(ifname);
	bool up = false;
	int n;

	errmsg_list_add(u->ifaces, sizeof(u->ifaces), name);
	sysfs_net_up(ifname, &up);
	n = sysfs_net_routes(ifname, routes, sizeof(routes));
	if (!up && n <= 0)
		return 0;
	add_use(u, "network interface %s%s%s%s%s", name, up ? " is up" : "",
		up && n > 0 ? " and" : "", n > 0 ? " has routes " : "",
		n > 0 ? routes : "");
	add_fix(u->stop, &u->nstop, "ip link set %s down", name);
	return 0;
}

/* One umount per mount point of "/, /srv" (sysfs_mounts()' list). */
static void add_umounts(struct devuse *u, const char *dirs)
{
	char shown[4 * DEVUSE_FIX_LEN], word[sizeof(shown) + 2];
	const char *p = dirs, *comma;
	char one[DEVUSE_FIX_LEN];

	for (; *p; p = comma ? comma + 2 : p + strlen(p)) {
		comma = strstr(p, ", ");
		snprintf(one, sizeof(one), "%.*s",
			 (int)(comma ? (size_t)(comma - p) : strlen(p)), p);
		sysfs_esc(one, shown, sizeof(shown));
		add_fix(u->stop, &u->nstop, "umount %s",
			shell_word(shown, word, sizeof(word)));
	}
}

/* What ends a stacked device: device-mapper (LVM, LUKS) or md. */
static void add_release(struct devuse *u, const char *name, const char *dm)
{
	if (dm[0])
		add_fix(u->release, &u->nrelease, "dmsetup remove %s",
			SYSFS_ESC(dm));
	else
		add_fix(u->release, &u->nrelease, "mdadm --stop /dev/%s",
			SYSFS_ESC(name));
}

static int block_users(struct devuse *u, const char *name, const char *via,
		       int depth);

/* One step down the holders: who says how the walk got there. */
struct holders {
	struct devuse *u;
	const char *who;
	int depth;
};

static int holder_use(const char *name, void *arg)
{
	const struct holders *h = arg;
	char via[DEVUSE_LEN];

	snprintf(via, sizeof(via), "%s%s", h->who,
		 h->depth ? ", which holds " : " holds ");
	return block_users(h->u, name, via, h->depth + 1);
}

/*
 * What uses block device name: a mount, a swap area, and the devices
 * stacked on it, followed down: "nvme0n1p3 holds md0, which holds dm-1
 * (vg1-data) mounted on /srv".
 */
static int block_users(struct devuse *u, const char *name, const char *via,
		       int depth)
{
	char who[DEVUSE_LEN], dm[2 * SYSFS_NAME_LEN], dirs[DEVUSE_LEN / 2];
	char shown[4 * sizeof(dirs)];
	struct holders h = { .u = u, .who = who, .depth = depth };
	int n = u->n, ret = sysfs_block_dm_name(name, dm, sizeof(dm));

	snprintf(who, sizeof(who), "%s%s%s%s%s", via, SYSFS_ESC(name),
		 dm[0] ? " (" : "", SYSFS_ESC(dm), dm[0] ? ")" : "");
	if (!ret && depth)
		add_release(u, name, dm);
	if (!ret && (ret = sysfs_mounts(name, dirs, sizeof(dirs))) > 0) {
		add_use(u, "%s mounted on %s", who,
			sysfs_esc(dirs, shown, sizeof(shown)));
		add_umounts(u, dirs);
	}
	if (ret >= 0 && (ret = sysfs_swaps(name)) > 0) {
		add_use(u, "%s is an active swap area", who);
		add_fix(u->stop, &u->nstop, "swapoff /dev/%s", SYSFS_ESC(name));
	}
	if (ret >= 0 && depth < HOLD_DEPTH)
		ret = sysfs_for_each_holder(name, holder_use, &h);
	if (ret < 0) {
		if (!u->failed[0])
			snprintf(u->failed, sizeof(u->failed),
				 "/sys/class/block/%s, /proc/self/mounts and /proc/swaps",
				 SYSFS_ESC(name));
		return ret;
	}
	if (depth && u->n == n)
		add_use(u, "%s", who);
	return 0;
}

/* A disk or a partition of the device (/sys/class/block). */
static int block_use(const char *name, void *arg)
{
	struct devuse *u = arg;

	errmsg_list_add(u->blocks, sizeof(u->blocks), SYSFS_ESC(name));
	return block_users(u, name, "", 0);
}

int devuse_read(const char *bdf, struct devuse *u)
{
	int ret;

	*u = (struct devuse){ .list = "" };
	ret = sysfs_for_each_class_dev("net", bdf, net_use, u);
	if (ret < 0) {
		snprintf(u->failed, sizeof(u->failed), "/sys/class/net");
		return ret;
	}
	ret = sysfs_for_each_class_dev("block", bdf, block_use, u);
	if (ret < 0 && !u->failed[0])
		snprintf(u->failed, sizeof(u->failed), "/sys/class/block");
	return ret < 0 ? ret : 0;
}

void devuse_names(const struct devuse *u, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 u->ifaces[0] ? "network interface " : "", u->ifaces,
		 u->ifaces[0] && u->blocks[0] ? ", " : "",
		 u->blocks[0] ? "block device " : "", u->blocks);
}

void devuse_fixes(const struct devuse *u, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < u->nstop + u->nrelease && used < len; i++) {
		const char *cmd = i < u->nstop ? u->stop[i]
			: u->release[u->nrelease - 1 - (i - u->nstop)];

		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "; " : "", cmd);
	}
}
