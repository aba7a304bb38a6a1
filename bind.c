// SPDX-License-Identifier: BSD-3-Clause
/*
 * Binding to vfio-pci and back (bind.h). The refusals follow DPDK's
 * dpdk-devbind.py, which will not rebind a NIC the routing table uses
 * unless forced: taking a device from its kernel driver takes away
 * whatever the system does with it, so an up interface, a route, a
 * mounted file system, a swap area and a volume, LUKS device or array on
 * its disks (devuse.h finds them) are named and need --force, with the
 * commands that end each use. The IOMMU group check
 * is VFIO's own rule: a group can be opened only when every device in it
 * is on vfio-pci or on no driver.
 */
#include "config.h"

#include "bind.h"

#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind_rules.h"
#include "devuse.h"
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
				  "no PCI device %s (no %s); `lspci -D` lists them",
				  bdf, dir);
	return ret ? sysfs_errmsg(e, ret, dir) : 0;
}

/* ---- what the device is in use for ---- */

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
	char fixes[DEVUSE_FIXES * DEVUSE_FIX_LEN];
	struct devuse u;
	int ret = devuse_read(d->name, &u);

	if (ret < 0)
		return use_unknown(c, d, ret, u.failed);
	if (!u.n)
		return 0;
	if (c->o->force) {
		tell(c, "%s: in use (%s), taken anyway (--force)", d->name,
		     u.list);
		return 0;
	}
	devuse_fixes(&u, fixes, sizeof(fixes));
	return errmsg_set(c->e, EBUSY,
			  "%s is in use: %s; binding it to %s takes it from %s and the system: stop using it first (%s), or pass --force",
			  d->name, u.list, BIND_DRIVER, SYSFS_ESC(d->driver),
			  fixes);
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

static int no_group(const struct ctx *c, const struct sysfs_dev *d)
{
	char vm[PREFLIGHT_FIX_LEN];

	if (!sysfs_iommu_group_count() && preflight_vm_iommu(vm, sizeof(vm)))
		return errmsg_set(c->e, ENODEV,
				  "%s has no IOMMU group: the IOMMU is off or absent and %s cannot take it; %s",
				  d->name, BIND_DRIVER, vm);
	return errmsg_set(c->e, ENODEV,
			  "%s has no IOMMU group: the IOMMU is off or absent and %s cannot take it; enable it in the firmware and on the kernel command line (intel_iommu=on, amd_iommu=on), then reboot",
			  d->name, BIND_DRIVER);
}

static int check_group(const struct ctx *c, const struct sysfs_dev *d,
		       struct group *g)
{
	char dir[64];
	int ret;

	if (d->group < 0)
		return no_group(c, d);
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
 * Where modprobe cannot load vfio-pci, what is true instead: built in
 * yet not registered, a kernel booted with nomodule, or one without it.
 */
static int cannot_load(const struct ctx *c)
{
	char why[PREFLIGHT_FIX_LEN], release[SYSFS_NAME_LEN * 2];

	if (sysfs_module_kind(BIND_DRIVER) == SYSFS_MOD_BUILTIN) {
		sysfs_kernel_release(release, sizeof(release));
		return errmsg_set(c->e, ENOENT,
				  "%s is built into the kernel (/lib/modules/%s/modules.builtin) but not registered (no /sys/bus/pci/drivers/%s): it failed to initialise; the kernel log says why: `dmesg | grep -i vfio`",
				  BIND_DRIVER, SYSFS_ESC(release), BIND_DRIVER);
	}
	if (!preflight_no_modprobe(BIND_DRIVER, "CONFIG_VFIO_PCI", why,
				   sizeof(why)))
		return 0;
	return errmsg_set(c->e, ENOENT, "%s is not loaded and cannot be: %s",
			  BIND_DRIVER, why);
}

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
	if ((ret = cannot_load(c)))
		return ret;
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

/* ---- root, and a user given the device ---- */

/*
 * sysfs' files are root's: a user who cannot write driver_override is told
 * to run as root before anything is tried, rather than "Permission
 * denied" on the first write; under --dry-run it is a note. Whether the
 * file can be written is asked of the tree itself, so a fake root's
 * permissions make a test's user root or not.
 */
static int check_root(const struct ctx *c, const char *bdf)
{
	char path[128], user[64];
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	ret = sysfs_access_w(path);
	if (ret != -EACCES && ret != -EPERM)
		return 0;
	preflight_user_name(user, sizeof(user));
	if (c->o->dry_run) {
		c->out->say(c->out->arg,
			    "dry run: %s: the real run needs root: this user (%s, uid %u) cannot write %s; run it as root: `sudo %s`",
			    bdf, user, (unsigned int)geteuid(), path,
			    c->o->again);
		return 0;
	}
	return errmsg_set(c->e, -ret,
			  "%s: writing %s needs root: this user (%s, uid %u) cannot write it (%s); run it as root: `sudo %s`",
			  bdf, path, user, (unsigned int)geteuid(),
			  strerror(-ret), c->o->again);
}

/* --user: one device node given to the user (chown). */
static int give_file(const struct ctx *c, const char *bdf, const char *file)
{
	const char *user = c->o->user;
	int ret = c->o->dry_run ? 0 : sysfs_chown(file, c->o->uid);

	if (ret) {
		errmsg_set_errno(c->e, -ret, "%s: giving %s to %s (chown %s %s)",
				 bdf, file, user, user, file);
		errmsg_hint(c->e, ret == -ENOENT ?
			    "is /dev a devtmpfs? `ls -l /dev/vfio`" :
			    "run it as root: `sudo %s`", c->o->again);
		return ret;
	}
	tell(c, "%s: %s given to %s (chown %s %s)", bdf, file, user, user, file);
	return 0;
}

/*
 * --user: the group file given to the user, as SPDK's setup.sh does for
 * its TARGET_USER, and the device file with /dev/iommu where the kernel
 * has them (iommufd), with what revere-vfio-demo needs of the user's
 * locked-memory limit and the lines that make it last (bind_rules.h).
 */
static int give_user(const struct ctx *c, const struct sysfs_dev *d)
{
	uint64_t kib = (c->o->memlock_need + 1023) >> 10;
	char file[64];
	struct stat st;
	int ret;

	sysfs_group_file(d->group, file, sizeof(file));
	if ((ret = give_file(c, d->name, file)))
		return ret;
	if (d->cdev[0]) {
		sysfs_cdev_file(d->cdev, file, sizeof(file));
		if ((ret = give_file(c, d->name, file)))
			return ret;
		/* A device file is opened with iommufd, when it is loaded. */
		if (!sysfs_stat("/dev/iommu", &st) &&
		    (ret = give_file(c, d->name, "/dev/iommu")))
			return ret;
	}
	c->out->say(c->out->arg,
		    "%s: revere-vfio-demo locks %" PRIu64 " KiB of DMA buffers: %s's locked-memory limit must allow it (`ulimit -l %" PRIu64 "`), unless it runs with CAP_IPC_LOCK",
		    d->name, kib, c->o->user, kib);
	return bind_rules(c->o, c->out, d, c->e);
}

/* Every refusal before the first write: all or nothing. */
static int bind_all(const struct ctx *c, const struct sysfs_dev *d,
		    const struct group *g)
{
	struct sysfs_dev other;
	int ret;

	if (strcmp(d->driver, BIND_DRIVER) && (ret = check_use(c, d)))
		return ret;
	for (int i = 0; i < g->n; i++)
		if ((ret = read_dev(g->names[i], &other, c->e)) ||
		    (ret = check_use(c, &other)))
			return ret;
	if ((ret = check_root(c, d->name)) || (ret = load_vfio_pci(c)) ||
	    (ret = bind_one(c, d->name)))
		return ret;
	for (int i = 0; i < g->n; i++)
		if ((ret = bind_one(c, g->names[i])))
			return ret;
	return 0;
}

int bind_device(const struct bind_opts *o, const struct bind_out *out,
		const char *bdf, struct errmsg *e)
{
	const struct ctx c = { .o = o, .out = out, .e = e };
	struct sysfs_dev d;
	struct group g;
	int ret = read_dev(bdf, &d, e);

	if (ret || (ret = check_group(&c, &d, &g)))
		return ret;
	if (!strcmp(d.driver, BIND_DRIVER) && !g.n)
		ret = bind_one(&c, bdf);
	else
		ret = bind_all(&c, &d, &g);
	return ret || !o->user ? ret : give_user(&c, &d);
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
	if ((ret = check_root(&c, bdf)))
		return ret;
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

/* ---- --status ---- */

struct status {
	const struct bind_out *out;
	bool revere;		/* this pass lists the PFs, or the others */
	int count;
};

/* A ", "-separated list as one field: "ens3,ens4". */
static const char *field(const char *list, char *buf, size_t len)
{
	size_t n = 0;

	for (; *list && n + 1 < len; list++) {
		buf[n++] = *list;
		if (list[0] == ',' && list[1] == ' ')
			list++;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The driver that could take the device besides its own: the one
 * driver_override names, which alone may then; else vfio-pci when it is
 * loaded. Matching the modalias against every module is modprobe's.
 */
static const char *unused_driver(const struct sysfs_dev *d)
{
	const char *cand = d->driver_override;

	if (!cand[0])
		cand = sysfs_pci_driver_exists(BIND_DRIVER) ? BIND_DRIVER : "";
	return strcmp(cand, d->driver) ? cand : "";
}

/* What uses the device, as dpdk-devbind marks it: "*Active: ...*". */
static void status_use(const struct sysfs_dev *d, char *buf, size_t len)
{
	char ifs[DEVUSE_LEN], blk[DEVUSE_LEN];
	struct devuse u;
	int ret = devuse_read(d->name, &u);

	snprintf(buf, len, "%s%s%s%s%s%s%s", u.ifaces[0] ? " if=" : "",
		 field(u.ifaces, ifs, sizeof(ifs)), u.blocks[0] ? " block=" : "",
		 field(u.blocks, blk, sizeof(blk)), u.n ? " *Active: " : "",
		 u.list, u.n ? "*" : "");
	if (ret < 0) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " *uses unknown: reading %s: %s*",
			 u.failed, strerror(-ret));
	}
}

static int status_dev(const struct sysfs_dev *d, void *arg)
{
	struct status *st = arg;
	char grp[16], use[4 * DEVUSE_LEN];
	const char *unused = unused_driver(d);

	if (preflight_is_revere(d) != st->revere)
		return 0;
	if (d->group >= 0)
		snprintf(grp, sizeof(grp), "%d", d->group);
	else
		snprintf(grp, sizeof(grp), "none");
	status_use(d, use, sizeof(use));
	st->out->say(st->out->arg,
		     "%s '%04x:%04x' class=%06x drv=%s%s%s%s%s iommu_group=%s%s",
		     d->name, d->vendor, d->device, d->class,
		     d->driver[0] ? SYSFS_ESC(d->driver) : "none",
		     unused[0] ? " unused=" : "", SYSFS_ESC(unused),
		     d->driver_override[0] ? " override=" : "",
		     SYSFS_ESC(d->driver_override), grp, use);
	st->count++;
	return 0;
}

int bind_status(const struct bind_out *out, struct errmsg *e)
{
	static const char *const heads[] = {
		"Revere-AMU PFs (13b5:ff81)",
		"Other PCI devices",
	};
	static const char rule[] = "==========================";
	struct status st = { .out = out };
	int ret;

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		st = (struct status){ .out = out, .revere = i == 0 };
		if (i)
			out->say(out->arg, "%s", "");
		out->say(out->arg, "%s", heads[i]);
		out->say(out->arg, "%.*s", (int)strlen(heads[i]), rule);
		ret = sysfs_for_each_dev(SYSFS_PCI, status_dev, &st);
		if (ret < 0)
			return sysfs_errmsg(e, ret, "/sys/bus/pci/devices");
		if (!st.count)
			out->say(out->arg, "none");
	}
	return 0;
}
