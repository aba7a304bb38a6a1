// SPDX-License-Identifier: BSD-3-Clause
/*
 * The pre-flight checks of preflight.h, one function each, in the order a
 * user fixes things: the device, the IOMMU, the driver, the modules, the
 * group file, the group's other devices, the locked-memory limit. Then,
 * in functions of their own, the iommufd path: the device file and
 * /dev/iommu, their state for --list and --check, and their check.
 */
#include "preflight.h"
#include "devuse.h"
#include "revere.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LIST_LEN	384

bool preflight_is_revere(const struct sysfs_dev *d)
{
	return d->bus == SYSFS_PCI && d->vendor == RV_PCI_VENDOR_ARM &&
	       d->device == RV_PCI_DEVICE_PF;
}

bool preflight_driver_viable(const struct sysfs_dev *d)
{
	static const char *const ok[] = { "", "vfio-pci", "pci-stub",
					  "pcieport" };

	if (d->bus == SYSFS_MDEV)
		return true;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(d->driver, ok[i]))
			return true;
	return false;
}

void preflight_describe_owner(const struct stat *st, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char u[32], g[32];

	snprintf(u, sizeof(u), "%u", (unsigned int)st->st_uid);
	snprintf(g, sizeof(g), "%u", (unsigned int)st->st_gid);
	snprintf(buf, len, "%s:%s %04o", pw ? pw->pw_name : u,
		 gr ? gr->gr_name : g, (unsigned int)(st->st_mode & 07777));
}

void preflight_kib(uint64_t bytes, char *buf, size_t len)
{
	if (bytes == UINT64_MAX)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64 " KiB", bytes >> 10);
}

static int add_revere(const struct sysfs_dev *d, void *arg)
{
	if (preflight_is_revere(d))
		errmsg_list_add(arg, LIST_LEN, d->name);
	return 0;
}

static int add_any(const struct sysfs_dev *d, void *arg)
{
	errmsg_list_add(arg, LIST_LEN, d->name);
	return 0;
}

/* "0000:00:05.0, 0000:00:06.0" or "none". */
static void revere_pfs(char *buf)
{
	buf[0] = '\0';
	sysfs_for_each_dev(SYSFS_PCI, add_revere, buf);
	if (!buf[0])
		snprintf(buf, LIST_LEN, "none");
}

/* "driver virtio-pci", "no driver". */
static void driver_words(const struct sysfs_dev *d, char *buf, size_t len)
{
	if (d->driver[0])
		snprintf(buf, len, "bound to %s", SYSFS_ESC(d->driver));
	else
		snprintf(buf, len, "bound to no driver");
}

/* "IOMMU group 7", "no IOMMU group". */
static void group_words(const struct sysfs_dev *d, char *buf, size_t len)
{
	if (d->group >= 0)
		snprintf(buf, len, "IOMMU group %d", d->group);
	else
		snprintf(buf, len, "no IOMMU group");
}

#define CLASS_LEN	(DEVUSE_LEN + 64)

/* ", network interface eth0", ", block device vda, vda1" or "". */
static void class_words(const struct sysfs_dev *d, char *buf, size_t len)
{
	char names[DEVUSE_LEN];
	struct devuse u;

	buf[0] = '\0';
	if (d->bus != SYSFS_PCI)
		return;
	/* What could be read is named even when the rest could not. */
	devuse_read(d->name, &u);
	devuse_names(&u, names, sizeof(names));
	if (names[0])
		snprintf(buf, len, ", %s", names);
}

/* ---- the host ---- */

#define QEMU_VIOMMU \
	"-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on,caching-mode=on"

bool preflight_vm_iommu(char *buf, size_t len)
{
	char vendor[SYSFS_NAME_LEN];

	if (!sysfs_cpu_flag("hypervisor"))
		return false;
	if (sysfs_dmi_vendor(vendor, sizeof(vendor)))
		snprintf(buf, len,
			 "this host is a virtual machine (the hypervisor flag in /proc/cpuinfo), which has no IOMMU unless its hypervisor gives it one: add a virtual IOMMU to it there (QEMU: `" QEMU_VIOMMU "`) and boot it with intel_iommu=on or amd_iommu=on");
	else if (!strcmp(vendor, "QEMU"))
		snprintf(buf, len,
			 "this host is a virtual machine (QEMU), which has no IOMMU unless QEMU gives it one: start it with `" QEMU_VIOMMU "` and boot it with intel_iommu=on");
	else
		snprintf(buf, len,
			 "this host is a virtual machine (%s), which has no IOMMU unless its hypervisor gives it one: add a virtual IOMMU to it there and boot it with intel_iommu=on or amd_iommu=on",
			 SYSFS_ESC(vendor));
	return true;
}

bool preflight_no_modprobe(const char *mod, const char *config, char *buf,
			   size_t len)
{
	char release[SYSFS_NAME_LEN * 2];
	const char *rel;

	/* A kernel without the module: no command line brings it. */
	if (sysfs_module_kind(mod) == SYSFS_MOD_NONE) {
		sysfs_kernel_release(release, sizeof(release));
		rel = SYSFS_ESC(release);
		snprintf(buf, len,
			 "kernel %s lacks %s: %s is neither built in (/lib/modules/%s/modules.builtin) nor a module (/lib/modules/%s/modules.dep); boot a kernel built with %s",
			 rel, config, mod, rel, rel, config);
		return true;
	}
	if (!sysfs_cmdline_has("nomodule"))
		return false;
	snprintf(buf, len,
		 "the kernel was booted with nomodule (/proc/cmdline), so no module can be loaded: remove nomodule from the kernel command line and reboot");
	return true;
}

/* ---- the checks ---- */

static int check_exists(struct preflight *pf, struct errmsg *err)
{
	char dir[256], list[LIST_LEN] = "";
	int ret = sysfs_dev_read(pf->bus, pf->device, &pf->dev);

	sysfs_dev_dir(pf->bus, pf->device, dir, sizeof(dir));
	/* A device half there (no vendor file) is judged by what it has. */
	if (ret == -ENAMETOOLONG)
		return sysfs_errmsg(err, ret, dir);
	if (ret != -ENOENT)
		return 0;
	if (pf->bus == SYSFS_MDEV) {
		sysfs_for_each_dev(SYSFS_MDEV, add_any, list);
		return errmsg_set(err, ENODEV,
				  "no mdev %s (no %s); mdevs on this host: %s; see `revere-vfio-demo --list`",
				  pf->device, dir, list[0] ? list : "none");
	}
	revere_pfs(list);
	return errmsg_set(err, ENODEV,
			  "no PCI device %s (no %s); Revere-AMU PFs (13b5:ff81) on this host: %s; see `revere-vfio-demo --list`",
			  pf->device, dir, list);
}

static int check_ids(struct preflight *pf, struct errmsg *err)
{
	const struct sysfs_dev *d = &pf->dev;
	char drv[SYSFS_ESC_LEN], grp[48], list[LIST_LEN], what[CLASS_LEN];

	if (d->bus != SYSFS_PCI || preflight_is_revere(d))
		return 0;
	driver_words(d, drv, sizeof(drv));
	group_words(d, grp, sizeof(grp));
	class_words(d, what, sizeof(what));
	revere_pfs(list);
	return errmsg_set(err, ENODEV,
			  "%s is PCI device %04x:%04x (class %06x, %s, %s%s), not a Revere-AMU PF (13b5:ff81); pass a Revere PF: on this host %s",
			  d->name, d->vendor, d->device, d->class, drv, grp,
			  what, list);
}

static int check_group(struct preflight *pf, struct errmsg *err)
{
	const struct sysfs_dev *d = &pf->dev;
	char vm[PREFLIGHT_FIX_LEN];
	int groups;

	if (d->group >= 0)
		return 0;
	groups = sysfs_iommu_group_count();
	if (!groups && preflight_vm_iommu(vm, sizeof(vm)))
		return errmsg_set(err, ENODEV,
				  "%s has no IOMMU group (0 groups in /sys/kernel/iommu_groups): the IOMMU is off or absent; %s; VFIO's no-IOMMU mode is not supported",
				  d->name, vm);
	return errmsg_set(err, ENODEV,
			  "%s has no IOMMU group (%d groups in /sys/kernel/iommu_groups): the IOMMU is %s; enable it in the firmware (VT-d, AMD-Vi, or the SMMU on Arm) and on the kernel command line (intel_iommu=on or amd_iommu=on), then reboot; VFIO's no-IOMMU mode is not supported",
			  d->name, groups,
			  groups ? "on but does not cover this device"
				 : "off or absent");
}

/* The same file: equal paths, or the same inode. */
static bool same_file(const char *given, const char *group_file)
{
	struct stat a, b;

	if (!strcmp(given, group_file))
		return true;
	if (sysfs_stat(given, &a) || sysfs_stat(group_file, &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int check_override(struct preflight *pf, struct errmsg *err)
{
	char file[PREFLIGHT_GROUP_LEN];
	struct stat st;
	int ret;

	sysfs_group_file(pf->dev.group, file, sizeof(file));
	if (!pf->group_override) {
		snprintf(pf->group_file, sizeof(pf->group_file), "%s", file);
		return 0;
	}
	snprintf(pf->group_file, sizeof(pf->group_file), "%s",
		 pf->group_override);
	if (same_file(pf->group_override, file))
		return 0;
	ret = sysfs_stat(pf->group_override, &st);
	if (ret) {
		errmsg_set_errno(err, -ret, "--vfio-group %s",
				 pf->group_override);
		errmsg_hint(err, "%s is in IOMMU group %d, whose file is %s: pass --vfio-group %s, or leave --vfio-group out",
			    pf->device, pf->dev.group, file, file);
		return ret;
	}
	return errmsg_set(err, EINVAL,
			  "--vfio-group %s is not the group of %s, which sysfs puts in IOMMU group %d (%s); pass --vfio-group %s, or leave --vfio-group out",
			  pf->group_override, pf->device, pf->dev.group, file,
			  file);
}

/* revere-vfio-bind loads vfio-pci when it must, and refuses a device in use. */
static int check_driver(struct preflight *pf, struct errmsg *err)
{
	const struct sysfs_dev *d = &pf->dev;
	char what[CLASS_LEN];

	if (d->bus != SYSFS_PCI || !strcmp(d->driver, "vfio-pci"))
		return 0;
	class_words(d, what, sizeof(what));
	return errmsg_set(err, EBUSY,
			  "Revere-AMU PF %s is bound to %s%s%s%s, not vfio-pci; bind it to vfio-pci: `revere-vfio-bind %s`",
			  d->name, d->driver[0] ? SYSFS_ESC(d->driver) : "no driver",
			  what[0] ? " (" : "", what[0] ? what + 2 : "",
			  what[0] ? ")" : "", d->name);
}

/*
 * The interface: what --iommu asks for, or for auto the device file
 * where it can be used (preflight.h says why), and its checks.
 */
static int check_interface(struct preflight *pf, struct errmsg *err)
{
	struct errmsg scratch = { .err = 0 };
	int ret;

	pf->iommufd = false;
	if (pf->iommu == VFIO_IOMMU_TYPE1 || pf->group_override)
		return 0;
	if (pf->iommu == VFIO_IOMMU_AUTO &&
	    preflight_check_iommufd(pf, &scratch))
		return 0;
	ret = preflight_check_iommufd(pf, err);
	if (ret)
		return ret;
	pf->iommufd = true;
	sysfs_cdev_file(pf->dev.cdev, pf->cdev_file, sizeof(pf->cdev_file));
	return 0;
}

/* A module of the type1 path is not loaded: modprobe it, where it can. */
static int not_loaded(const char *missing, const char *mod,
		      const char *config, struct errmsg *err)
{
	char why[PREFLIGHT_FIX_LEN];

	if (preflight_no_modprobe(mod, config, why, sizeof(why)))
		return errmsg_set(err, ENOENT,
				  "the vfio modules are not loaded: %s; %s",
				  missing, why);
	return errmsg_set(err, ENOENT,
			  "the vfio modules are not loaded: %s; `modprobe vfio-pci` and `modprobe vfio_iommu_type1`",
			  missing);
}

/*
 * No /dev/vfio/vfio. Since Linux 6.2 vfio makes it only with
 * CONFIG_VFIO_CONTAINER (or iommufd, with CONFIG_IOMMUFD_VFIO_CONTAINER):
 * with vfio loaded or built in, no modprobe makes it.
 */
static int check_container(struct errmsg *err)
{
	char release[SYSFS_NAME_LEN * 2];
	char vfio[SYSFS_ESC_LEN + 64] = "module vfio is loaded (/sys/module/vfio)";

	if (!sysfs_module_loaded("vfio")) {
		if (sysfs_module_kind("vfio") != SYSFS_MOD_BUILTIN)
			return not_loaded("vfio (no /dev/vfio/vfio)", "vfio",
					  "CONFIG_VFIO", err);
		sysfs_kernel_release(release, sizeof(release));
		snprintf(vfio, sizeof(vfio),
			 "vfio is built in (/lib/modules/%s/modules.builtin)",
			 SYSFS_ESC(release));
	}
	return errmsg_set(err, ENOENT,
			  "/dev/vfio/vfio does not exist although %s: the kernel lacks CONFIG_VFIO_CONTAINER, or /dev is not a devtmpfs (`ls -l /dev/vfio`); boot a kernel with CONFIG_VFIO_CONTAINER, or use the device file: `--iommu iommufd`",
			  vfio);
}

static int check_modules(struct preflight *pf, struct errmsg *err)
{
	struct stat st;

	if (pf->iommufd)
		return 0;
	if (sysfs_stat("/dev/vfio/vfio", &st))
		return check_container(err);
	/* Built in, it is there: its parameters give it /sys/module too. */
	if (sysfs_module_loaded("vfio_iommu_type1") ||
	    sysfs_module_kind("vfio_iommu_type1") == SYSFS_MOD_BUILTIN)
		return 0;
	return not_loaded("vfio_iommu_type1 (no /sys/module/vfio_iommu_type1)",
			  "vfio_iommu_type1", "CONFIG_VFIO_IOMMU_TYPE1", err);
}

static int check_group_file(struct preflight *pf, struct errmsg *err)
{
	struct stat st;
	const char *f = pf->group_file;

	if (pf->iommufd || !sysfs_stat(f, &st))
		return 0;
	if (pf->bus == SYSFS_MDEV)
		return errmsg_set(err, ENOENT,
				  "mdev %s is in IOMMU group %d but %s does not exist; is its vendor driver's VFIO support loaded, and /dev a devtmpfs? `ls -l /dev/vfio`",
				  pf->device, pf->dev.group, f);
	return errmsg_set(err, ENOENT,
			  "%s is bound to vfio-pci in IOMMU group %d but %s does not exist; check that /dev is a devtmpfs (`ls -l /dev/vfio`), or rebind it: `revere-vfio-bind --unbind %s && revere-vfio-bind %s`",
			  pf->device, pf->dev.group, f, pf->device, pf->device);
}

static int access_msg(const char *f, const char *bdf, const char *grant,
		      struct errmsg *err);

static int check_access(struct preflight *pf, struct errmsg *err)
{
	if (pf->iommufd)
		return 0;
	return access_msg(pf->group_file,
			  pf->bus == SYSFS_PCI ? pf->device : NULL, "", err);
}

struct viable {
	const char *self;
	char busy[LIST_LEN];
	int count;
};

static int add_busy(const struct sysfs_dev *d, void *arg)
{
	struct viable *v = arg;
	char one[SYSFS_ESC_LEN + 64];

	if (!strcmp(d->name, v->self) || preflight_driver_viable(d))
		return 0;
	snprintf(one, sizeof(one), "%s (%04x:%04x) bound to %s", d->name,
		 d->vendor, d->device, SYSFS_ESC(d->driver));
	errmsg_list_add(v->busy, sizeof(v->busy), one);
	v->count++;
	return 0;
}

static int check_viable(struct preflight *pf, struct errmsg *err)
{
	struct viable v = { .self = pf->device };

	sysfs_for_each_group_dev(pf->dev.group, add_busy, &v);
	if (!v.count)
		return 0;
	return errmsg_set(err, EBUSY,
			  "IOMMU group %d of %s is not viable: %s; every device of the group must be bound to vfio-pci or to no driver: unbind %s or bind %s to vfio-pci too (see /sys/kernel/iommu_groups/%d/devices)",
			  pf->dev.group, pf->device, v.busy,
			  v.count > 1 ? "them" : "it",
			  v.count > 1 ? "them" : "it", pf->dev.group);
}

static int check_memlock(struct preflight *pf, struct errmsg *err)
{
	uint64_t need_kib = (pf->need + 1023) >> 10;

	if (pf->memlock == UINT64_MAX || pf->memlock >= pf->need ||
	    sysfs_cap_ipc_lock())
		return 0;
	return errmsg_set(err, ENOMEM,
			  "the locked-memory limit is %" PRIu64 " KiB and a run pins %" PRIu64 " KiB of DMA buffers; raise it to %" PRIu64 " KiB: `ulimit -l %" PRIu64 "`, or for good in /etc/security/limits.conf: `USER - memlock %" PRIu64 "` (or run as root)",
			  pf->memlock >> 10, need_kib, need_kib, need_kib,
			  need_kib);
}

int preflight_run(struct preflight *pf, struct errmsg *err)
{
	static int (*const checks[])(struct preflight *, struct errmsg *) = {
		check_exists, check_ids, check_group, check_override,
		check_driver, check_interface, check_modules,
		check_group_file, check_access,
		check_viable, check_memlock,
	};
	int ret;

	pf->group_file[0] = '\0';
	pf->cdev_file[0] = '\0';
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		ret = checks[i](pf, err);
		if (ret)
			return ret;
	}
	return 0;
}

void preflight_file_state(const char *path, char *buf, size_t len)
{
	struct stat st;
	char owner[96];

	if (sysfs_stat(path, &st)) {
		snprintf(buf, len, "%s missing", path);
		return;
	}
	preflight_describe_owner(&st, owner, sizeof(owner));
	snprintf(buf, len, "%s (%s, %s)", path, owner,
		 sysfs_access_rw(path) ? "this user cannot open it"
				       : "this user can open it");
}

/* A PCI driver of VFIO's: vfio-pci, or a variant (mlx5_vfio_pci...). */
static bool vfio_driver(const struct sysfs_dev *d)
{
	return d->bus == SYSFS_MDEV ? d->driver[0] != '\0'
				    : strstr(d->driver, "vfio") != NULL;
}

/* iommufd is not loaded: modprobe it, where it can be. */
static void iommufd_why(char *buf, size_t len)
{
	char why[PREFLIGHT_FIX_LEN];
	static const char head[] =
		"no iommufd: module iommufd not loaded (no /sys/module/iommufd, no " SYSFS_IOMMUFD_FILE ")";

	if (preflight_no_modprobe("iommufd", "CONFIG_IOMMUFD", why,
				  sizeof(why)))
		snprintf(buf, len, "%s: %s", head, why);
	else
		snprintf(buf, len,
			 "%s: `modprobe iommufd`, or a kernel with CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV",
			 head);
}

/*
 * The kernel makes vfio-dev/vfioN when a VFIO driver binds the device and
 * it is built with CONFIG_VFIO_DEVICE_CDEV, which needs CONFIG_IOMMUFD
 * (Documentation/driver-api/vfio.rst "VFIO device cdev").
 */
void preflight_cdev_why(const struct sysfs_dev *d, char *buf, size_t len)
{
	struct stat st;

	if (!vfio_driver(d))
		snprintf(buf, len, "no VFIO driver holds it (driver %s)",
			 d->driver[0] ? SYSFS_ESC(d->driver) : "none");
	else if (!sysfs_module_loaded("iommufd") &&
		 sysfs_stat(SYSFS_IOMMUFD_FILE, &st))
		iommufd_why(buf, len);
	else
		snprintf(buf, len,
			 "the kernel lacks CONFIG_VFIO_DEVICE_CDEV (no vfio-dev/vfioN/dev under the device's sysfs directory)");
}

void preflight_cdev_state(const struct sysfs_dev *d, char *buf, size_t len)
{
	char file[SYSFS_NAME_LEN + 32], why[SYSFS_ESC_LEN + 192];

	if (!d->cdev[0]) {
		preflight_cdev_why(d, why, sizeof(why));
		snprintf(buf, len, "no device file: %s", why);
		return;
	}
	sysfs_cdev_file(d->cdev, file, sizeof(file));
	preflight_file_state(file, why, sizeof(why));
	snprintf(buf, len, "device file %s", why);
}

void preflight_iommufd_state(char *buf, size_t len)
{
	char state[160];
	struct stat st;
	const char *mod = "module iommufd not loaded";

	/* Built in, iommufd has no parameters and so no /sys/module entry. */
	if (sysfs_module_loaded("iommufd"))
		mod = "module iommufd loaded";
	else if (!sysfs_stat(SYSFS_IOMMUFD_FILE, &st))
		mod = "built in (no /sys/module/iommufd)";
	preflight_file_state(SYSFS_IOMMUFD_FILE, state, sizeof(state));
	snprintf(buf, len, "iommufd: %s, %s", mod, state);
}

void preflight_user_name(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned int)geteuid());
}

/*
 * An existing file this user must open read-write, and how to give it to
 * the user if not: the group file of a PCI device by revere-vfio-bind
 * --user, which also prints what keeps it given after a reboot (bdf);
 * any other file (bdf NULL) by chown.
 */
static int access_msg(const char *f, const char *bdf, const char *grant,
		      struct errmsg *err)
{
	struct stat st = { .st_mode = 0 };
	char owner[96], user[32], how[160];
	int ret = sysfs_access_rw(f);

	if (!ret)
		return 0;
	sysfs_stat(f, &st);
	preflight_describe_owner(&st, owner, sizeof(owner));
	preflight_user_name(user, sizeof(user));
	if (bdf)
		snprintf(how, sizeof(how),
			 "`sudo revere-vfio-bind --user %s %s` (or `chown %s %s` until the next bind)",
			 user, bdf, user, f);
	else
		snprintf(how, sizeof(how), "`chown %s %s`", user, f);
	return errmsg_set(err, -ret,
			  "%s (%s) cannot be opened for reading and writing by this user (%s, uid %u): %s; run as root, or give it to %s: %s%s",
			  f, owner, user, (unsigned int)geteuid(), strerror(-ret),
			  user, how, grant);
}

int preflight_check_iommufd(struct preflight *pf, struct errmsg *err)
{
	char file[SYSFS_NAME_LEN + 32], why[SYSFS_ESC_LEN + 192];
	struct stat st;
	int ret;

	if (!pf->dev.cdev[0]) {
		preflight_cdev_why(&pf->dev, why, sizeof(why));
		return errmsg_set(err, ENOENT,
				  "%s has no VFIO device file (no vfio-dev/vfioN/dev in its sysfs directory): %s; or use the group file with --iommu type1",
				  pf->device, why);
	}
	sysfs_cdev_file(pf->dev.cdev, file, sizeof(file));
	if (sysfs_stat(file, &st))
		return errmsg_set(err, ENOENT,
				  "%s has the VFIO device file %s in sysfs but %s does not exist; check that /dev is a devtmpfs: `ls -l /dev/vfio/devices`",
				  pf->device, pf->dev.cdev, file);
	ret = access_msg(file, NULL, "", err);
	if (ret)
		return ret;
	if (sysfs_stat(SYSFS_IOMMUFD_FILE, &st))
		return errmsg_set(err, ENOENT,
				  SYSFS_IOMMUFD_FILE " does not exist although %s does: is /dev a devtmpfs? `ls -l " SYSFS_IOMMUFD_FILE "`; module iommufd is %s",
				  file, sysfs_module_loaded("iommufd") ? "loaded" : "not loaded: `modprobe iommufd`");
	/* Documentation/userspace-api/iommufd.rst: the fd of /dev/iommu. */
	return access_msg(SYSFS_IOMMUFD_FILE, NULL,
			      "; for good, a udev rule: `KERNEL==\"iommu\", GROUP=\"GROUP\", MODE=\"0660\"` in /etc/udev/rules.d/ with the user in GROUP",
			      err);
}
