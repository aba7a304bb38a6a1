// SPDX-License-Identifier: BSD-3-Clause
/*
 * Binding to vfio-pci and back (bind.h). The refusals follow DPDK's
 * dpdk-devbind.py, which will not rebind a NIC the routing table uses
 * unless forced: taking a device from its kernel driver takes away
 * whatever the system does with it, so an up interface, a route, a
 * mounted file system, a swap area and a volume, LUKS device or array on
 * its disks are named and need --force. The IOMMU group check
 * is VFIO's own rule: a group can be opened only when every device in it
 * is on vfio-pci or on no driver.
 */
#include "config.h"

#include "bind.h"

#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "preflight.h"
#include "sysfs.h"

#define LIST_LEN	512

extern char **environ;

struct ctx {
	const struct bind_opts *o;
	const struct bind_out *out;
	struct errmsg *e;
};

/* One action line; under --dry-run it says what would be done. */
static void tell(const struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tell(const struct ctx *c, const char *fmt, ...)
{
	char line[ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->out->say(c->out->arg, "%s%s", c->o->dry_run ? "dry run: " : "",
		    line);
}

static int read_dev(const char *bdf, struct sysfs_dev *d, struct errmsg *e)
{
	char dir[128];
	int ret = sysfs_dev_read(SYSFS_PCI, bdf, d);

	sysfs_dev_dir(SYSFS_PCI, bdf, dir, sizeof(dir));
	if (ret == -ENOENT)
		return errmsg_set(e, ENOENT,
				  "no PCI device %s (no %s); lspci -D lists them",
				  bdf, dir);
	return ret ? sysfs_errmsg(e, ret, dir) : 0;
}

/* ---- what the device is in use for ---- */

/*
 * How deep holders are followed: LVM on md on a partition is three deep;
 * a tree whose holders loop must still end.
 */
#define HOLD_DEPTH	8

struct use {
	char list[LIST_LEN];
	int n;				/* items in list */
	char failed[LIST_LEN / 2];	/* what could not be read */
};

static void use_add(struct use *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void use_add(struct use *u, const char *fmt, ...)
{
	char item[LIST_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	errmsg_list_add(u->list, sizeof(u->list), item);
	u->n++;
}

static int net_use(const char *ifname, void *arg)
{
	struct use *u = arg;
	char routes[LIST_LEN / 2];
	bool up = false;
	int n;

	sysfs_net_up(ifname, &up);
	n = sysfs_net_routes(ifname, routes, sizeof(routes));
	if (up || n > 0)
		use_add(u, "network interface %s%s%s%s%s", SYSFS_ESC(ifname),
			up ? " is up" : "", up && n > 0 ? " and" : "",
			n > 0 ? " has routes " : "", n > 0 ? routes : "");
	return 0;
}

static int block_users(struct use *u, const char *name, const char *via,
		       int depth);

/* One step down the holders: who says how the walk got there. */
struct holders {
	struct use *u;
	const char *who;
	int depth;
};

static int holder_use(const char *name, void *arg)
{
	const struct holders *h = arg;
	char via[LIST_LEN];

	snprintf(via, sizeof(via), "%s%s", h->who,
		 h->depth ? ", which holds " : " holds ");
	return block_users(h->u, name, via, h->depth + 1);
}

/*
 * What uses block device name: a mount, a swap area, and the devices
 * stacked on it (dm: LVM, LUKS; md), followed down: "nvme0n1p3 holds md0,
 * which holds dm-1 (vg1-data) mounted on /srv". A stacked device is a use
 * even with nothing mounted on it: the disk taken from under it breaks
 * the LVM volume, the open LUKS device, the array.
 */
static int block_users(struct use *u, const char *name, const char *via,
		       int depth)
{
	char who[LIST_LEN], dm[2 * SYSFS_NAME_LEN], dirs[LIST_LEN / 2];
	char shown[4 * sizeof(dirs)];
	struct holders h = { .u = u, .who = who, .depth = depth };
	int n = u->n, ret = sysfs_block_dm_name(name, dm, sizeof(dm));

	snprintf(who, sizeof(who), "%s%s%s%s%s", via, SYSFS_ESC(name),
		 dm[0] ? " (" : "", SYSFS_ESC(dm), dm[0] ? ")" : "");
	if (!ret && (ret = sysfs_mounts(name, dirs, sizeof(dirs))) > 0)
		use_add(u, "%s mounted on %s", who,
			sysfs_esc(dirs, shown, sizeof(shown)));
	if (ret >= 0 && (ret = sysfs_swaps(name)) > 0)
		use_add(u, "%s is an active swap area", who);
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
		use_add(u, "%s", who);
	return 0;
}

/* A disk or a partition of the device (/sys/class/block). */
static int block_use(const char *name, void *arg)
{
	return block_users(arg, name, "", 0);
}

/* What the device is used for cannot be told: say what failed. */
static int use_unknown(const struct ctx *c, const struct sysfs_dev *d,
		       int err, const char *path)
{
	sysfs_errmsg(c->e, err, path);
	errmsg_prefix(c->e, "%s: finding what uses it", d->name);
	errmsg_hint(c->e, "pass --force to bind it all the same");
	return err;
}

/* A device the system uses: refused unless --force, which says so. */
static int check_use(const struct ctx *c, const struct sysfs_dev *d)
{
	struct use u = { .list = "" };
	int ret = sysfs_for_each_class_dev("net", d->name, net_use, &u);

	if (ret < 0)
		return use_unknown(c, d, ret, "/sys/class/net");
	ret = sysfs_for_each_class_dev("block", d->name, block_use, &u);
	if (ret < 0)
		return use_unknown(c, d, ret,
				   u.failed[0] ? u.failed : "/sys/class/block");
	if (!u.n)
		return 0;
	if (c->o->force) {
		tell(c, "%s: in use (%s), taken anyway (--force)", d->name,
		     u.list);
		return 0;
	}
	return errmsg_set(c->e, EBUSY,
			  "%s is in use: %s; binding it to %s takes it from %s and the system: stop using it first (ip link set IF down, umount, swapoff; vgchange -an, cryptsetup close, mdadm --stop for what is stacked on it), or pass --force",
			  d->name, u.list, BIND_DRIVER, SYSFS_ESC(d->driver));
}

/* ---- the IOMMU group ---- */

struct group {
	const char *self;
	char list[LIST_LEN];
	char names[8][SYSFS_NAME_LEN];
	int n;
	int more;
};

/* Devices of the group on another driver: the group is not viable. */
static int group_other(const struct sysfs_dev *d, void *arg)
{
	struct group *g = arg;
	char item[SYSFS_NAME_LEN + SYSFS_ESC_LEN + 32];

	if (!strcmp(d->name, g->self) || !d->driver[0] ||
	    !strcmp(d->driver, BIND_DRIVER))
		return 0;
	if (snprintf(item, sizeof(item), "%s (%04x:%04x) bound to %s",
		     d->name, d->vendor, d->device, SYSFS_ESC(d->driver)) < 0)
		return -EINVAL;
	errmsg_list_add(g->list, sizeof(g->list), item);
	if (g->n < (int)(sizeof(g->names) / sizeof(g->names[0])))
		snprintf(g->names[g->n++], SYSFS_NAME_LEN, "%s", d->name);
	else
		g->more++;
	return 0;
}

static int check_group(const struct ctx *c, const struct sysfs_dev *d,
		       struct group *g)
{
	char dir[64];
	int ret;

	if (d->group < 0)
		return errmsg_set(c->e, ENODEV,
				  "%s has no IOMMU group: the IOMMU is off or absent and %s cannot take it; enable it in the firmware and on the kernel command line (intel_iommu=on, amd_iommu=on), then reboot",
				  d->name, BIND_DRIVER);
	*g = (struct group){ .self = d->name };
	ret = sysfs_for_each_group_dev(d->group, group_other, g);
	if (ret < 0) {
		snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%d/devices",
			 d->group);
		return sysfs_errmsg(c->e, ret, dir);
	}
	if (g->more)
		return errmsg_set(c->e, E2BIG,
				  "IOMMU group %d of %s holds more than %d other devices on other drivers: %s; bind them one by one",
				  d->group, d->name, g->n, g->list);
	if (g->n && !c->o->group)
		return errmsg_set(c->e, EBUSY,
				  "IOMMU group %d of %s also holds %s: VFIO needs every device of the group on %s or on no driver; pass --group to bind them all, or unbind them",
				  d->group, d->name, g->list, BIND_DRIVER);
	return 0;
}

/* ---- vfio-pci itself ---- */

/*
 * vfio-pci must be registered before driver_override can name it. On a
 * fake root (REVERE_SYSROOT, the tests) modprobe would load the module
 * into the real system, so it runs only when o->modprobe names the
 * command to use there.
 */
static int load_vfio_pci(const struct ctx *c)
{
	const char *cmd = c->o->modprobe ? c->o->modprobe : "modprobe";
	char *argv[] = { (char *)cmd, (char *)BIND_DRIVER, NULL };
	int ret, status;
	pid_t pid;

	if (sysfs_pci_driver_exists(BIND_DRIVER))
		return 0;
	tell(c, "%s %s", cmd, BIND_DRIVER);
	if (c->o->dry_run)
		return 0;
	if (!c->o->modprobe && strcmp(sysfs_root(), "/"))
		return errmsg_set(c->e, ENOENT,
				  "%s is not loaded under REVERE_SYSROOT=%s, a fake root: modprobe would load it into this system; set REVERE_MODPROBE to the command that loads it there",
				  BIND_DRIVER, sysfs_root());
	ret = posix_spawnp(&pid, cmd, NULL, NULL, argv, environ);
	if (ret)
		return errmsg_set_errno(c->e, ret, "running %s %s", cmd,
					BIND_DRIVER);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return errmsg_set_errno(c->e, errno, "waiting for %s",
						cmd);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return errmsg_set(c->e, EIO,
				  "%s %s failed (status %d); is the module installed (ls /lib/modules/$(uname -r)/kernel/drivers/vfio/pci)?",
				  cmd, BIND_DRIVER,
				  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (!sysfs_pci_driver_exists(BIND_DRIVER))
		return errmsg_set(c->e, ENOENT,
				  "%s %s succeeded but /sys/bus/pci/drivers/%s does not exist",
				  cmd, BIND_DRIVER, BIND_DRIVER);
	return 0;
}

/* ---- the three writes ---- */

static int set_override(const struct ctx *c, const char *bdf,
			const char *driver)
{
	int ret = c->o->dry_run ? 0 : sysfs_set_override(bdf, driver);

	if (ret)
		return errmsg_set_errno(c->e, -ret,
					"writing '%s' to /sys/bus/pci/devices/%s/driver_override",
					driver[0] ? driver : "\\n", bdf);
	if (driver[0])
		tell(c, "%s: driver_override <- %s", bdf, driver);
	else
		tell(c, "%s: driver_override cleared", bdf);
	return 0;
}

static int unbind_from(const struct ctx *c, const char *bdf,
		       const char *driver)
{
	int ret = c->o->dry_run ? 0 : sysfs_unbind_driver(bdf);

	if (ret)
		return errmsg_set_errno(c->e, -ret,
					"writing %s to /sys/bus/pci/devices/%s/driver/unbind",
					bdf, bdf);
	tell(c, "%s: unbound from %s", bdf, SYSFS_ESC(driver));
	return 0;
}

static int probe(const struct ctx *c, const char *bdf)
{
	int ret = c->o->dry_run ? 0 : sysfs_drivers_probe(bdf);

	if (ret)
		return errmsg_set_errno(c->e, -ret,
					"writing %s to /sys/bus/pci/drivers_probe",
					bdf);
	tell(c, "%s: drivers_probe", bdf);
	return 0;
}

/*
 * The files a user opens after the bind, and who can: the group file
 * (type1) and the device file with /dev/iommu (iommufd).
 */
static void tell_files(const struct ctx *c, const struct sysfs_dev *d)
{
	char grp[64], state[160], cdev[SYSFS_ESC_LEN + 256], iofd[256];

	sysfs_group_file(d->group, grp, sizeof(grp));
	preflight_file_state(grp, state, sizeof(state));
	preflight_cdev_state(d, cdev, sizeof(cdev));
	preflight_iommufd_state(iofd, sizeof(iofd));
	c->out->say(c->out->arg, "%s: group file %s; %s; %s",
		    d->name, state, cdev, iofd);
}

static int bind_one(const struct ctx *c, const char *bdf)
{
	struct sysfs_dev d;
	int ret = read_dev(bdf, &d, c->e);

	if (ret)
		return ret;
	if (!strcmp(d.driver, BIND_DRIVER)) {
		c->out->say(c->out->arg,
			    "%s: already bound to %s (IOMMU group %d, /dev/vfio/%d)",
			    bdf, BIND_DRIVER, d.group, d.group);
		tell_files(c, &d);
		return 0;
	}
	if (strcmp(d.driver_override, BIND_DRIVER) &&
	    (ret = set_override(c, bdf, BIND_DRIVER)))
		return ret;
	if (d.driver[0] && (ret = unbind_from(c, bdf, d.driver)))
		return ret;
	if ((ret = probe(c, bdf)) || c->o->dry_run)
		return ret;
	if ((ret = read_dev(bdf, &d, c->e)))
		return ret;
	if (strcmp(d.driver, BIND_DRIVER))
		return errmsg_set(c->e, EBUSY,
				  "%s: %s did not take it after drivers_probe (driver now: %s); the kernel log (dmesg) says why",
				  bdf, BIND_DRIVER,
				  d.driver[0] ? SYSFS_ESC(d.driver) : "none");
	tell(c, "%s: bound to %s (IOMMU group %d, /dev/vfio/%d)", bdf,
	     BIND_DRIVER, d.group, d.group);
	tell_files(c, &d);
	return 0;
}

int bind_device(const struct bind_opts *o, const struct bind_out *out,
		const char *bdf, struct errmsg *e)
{
	const struct ctx c = { .o = o, .out = out, .e = e };
	struct sysfs_dev d, other;
	struct group g;
	int ret = read_dev(bdf, &d, e);

	if (ret || (ret = check_group(&c, &d, &g)))
		return ret;
	if (!strcmp(d.driver, BIND_DRIVER) && !g.n)
		return bind_one(&c, bdf);
	/* Every refusal before the first write: all or nothing. */
	if (strcmp(d.driver, BIND_DRIVER) && (ret = check_use(&c, &d)))
		return ret;
	for (int i = 0; i < g.n; i++)
		if ((ret = read_dev(g.names[i], &other, e)) ||
		    (ret = check_use(&c, &other)))
			return ret;
	if ((ret = load_vfio_pci(&c)) || (ret = bind_one(&c, bdf)))
		return ret;
	for (int i = 0; i < g.n; i++)
		if ((ret = bind_one(&c, g.names[i])))
			return ret;
	return 0;
}

int bind_undo(const struct bind_opts *o, const struct bind_out *out,
	      const char *bdf, struct errmsg *e)
{
	const struct ctx c = { .o = o, .out = out, .e = e };
	struct sysfs_dev d;
	int ret = read_dev(bdf, &d, e);

	if (ret)
		return ret;
	if (d.driver[0] && strcmp(d.driver, BIND_DRIVER)) {
		out->say(out->arg, "%s: bound to %s, not %s: left alone", bdf,
			 SYSFS_ESC(d.driver), BIND_DRIVER);
		return 0;
	}
	if (!d.driver[0] && !d.driver_override[0]) {
		out->say(out->arg,
			 "%s: no driver and no driver_override: nothing to do",
			 bdf);
		return 0;
	}
	if (d.driver_override[0] && (ret = set_override(&c, bdf, "")))
		return ret;
	if (d.driver[0] && (ret = unbind_from(&c, bdf, d.driver)))
		return ret;
	/* With the override gone, the kernel's own driver may take it. */
	if ((ret = probe(&c, bdf)) || o->dry_run)
		return ret;
	if ((ret = read_dev(bdf, &d, e)))
		return ret;
	if (d.driver[0])
		tell(&c, "%s: now bound to %s", bdf, SYSFS_ESC(d.driver));
	else
		tell(&c, "%s: no driver (none of the kernel's drivers claims it)",
		     bdf);
	return 0;
}
