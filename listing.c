// SPDX-License-Identifier: BSD-3-Clause
#include "listing.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "devuse.h"
#include "preflight.h"
#include "sysfs.h"

/*
 * "group 7, /dev/vfio/7 (root:root 0600, no access), /dev/vfio/devices/vfio3
 * (...)": the group file beside the device file (iommufd).
 */
static void group_state(const struct sysfs_dev *d, char *buf, size_t len)
{
	char file[64], state[160], cdev[SYSFS_ESC_LEN + 256];

	preflight_cdev_state(d, cdev, sizeof(cdev));
	if (d->group < 0) {
		snprintf(buf, len, "no IOMMU group, %s", cdev);
		return;
	}
	sysfs_group_file(d->group, file, sizeof(file));
	preflight_file_state(file, state, sizeof(state));
	snprintf(buf, len, "group %d, %s, %s", d->group, state, cdev);
}

struct listed {
	FILE *out;
	int count;
};

static int print_dev(const struct sysfs_dev *d, void *arg)
{
	struct listed *l = arg;
	FILE *out = l->out;
	char grp[SYSFS_ESC_LEN + 512], ids[SYSFS_ESC_LEN + 16];
	char names[DEVUSE_LEN] = "";
	struct devuse u;

	if (d->bus == SYSFS_PCI && !preflight_is_revere(d) &&
	    strcmp(d->driver, "vfio-pci"))
		return 0;
	if (d->bus == SYSFS_PCI)
		snprintf(ids, sizeof(ids), "%04x:%04x%s", d->vendor, d->device,
			 preflight_is_revere(d) ? " Revere-AMU PF" : "");
	else
		snprintf(ids, sizeof(ids), "mdev type %s",
			 d->mdev_type[0] ? SYSFS_ESC(d->mdev_type) : "unknown");
	if (d->bus == SYSFS_PCI) {
		/* What could be read is named even when the rest could not. */
		devuse_read(d->name, &u);
		devuse_names(&u, names, sizeof(names));
	}
	group_state(d, grp, sizeof(grp));
	l->count++;
	fprintf(out, "%s  %s, driver %s%s%s, %s\n", d->name, ids,
		d->driver[0] ? SYSFS_ESC(d->driver) : "none",
		names[0] ? ", " : "", names, grp);
	return 0;
}

/* The IOMMU, and where it comes from when it is off. */
static void print_iommu(FILE *out)
{
	int groups = sysfs_iommu_group_count();
	char vm[PREFLIGHT_FIX_LEN];

	if (groups)
		fprintf(out, "IOMMU: on, %d groups in /sys/kernel/iommu_groups\n",
			groups);
	else if (preflight_vm_iommu(vm, sizeof(vm)))
		fprintf(out, "IOMMU: off or absent, no groups in /sys/kernel/iommu_groups; %s\n",
			vm);
	else
		fprintf(out, "IOMMU: off or absent, no groups in /sys/kernel/iommu_groups (intel_iommu=on or amd_iommu=on, the SMMU on Arm)\n");
}

/* "loaded", "built in", "not loaded", "not in this kernel (no CONFIG_VFIO)". */
static const char *module_words(bool loaded, const char *mod,
				const char *config, char *buf, size_t len)
{
	if (loaded)
		return "loaded";
	switch (sysfs_module_kind(mod)) {
	case SYSFS_MOD_BUILTIN:
		return "built in";
	case SYSFS_MOD_NONE:
		snprintf(buf, len, "not in this kernel (no %s)", config);
		return buf;
	default:
		return "not loaded";
	}
}

/* The modules, and a kernel that can load none of them. */
static void print_modules(FILE *out)
{
	struct stat st;
	char w[3][64];
	const char *words[] = {
		module_words(sysfs_module_loaded("vfio"), "vfio", "CONFIG_VFIO",
			     w[0], sizeof(w[0])),
		module_words(sysfs_module_loaded("vfio_iommu_type1"),
			     "vfio_iommu_type1", "CONFIG_VFIO_IOMMU_TYPE1", w[1],
			     sizeof(w[1])),
		module_words(sysfs_pci_driver_exists("vfio-pci"), "vfio-pci",
			     "CONFIG_VFIO_PCI", w[2], sizeof(w[2])),
	};
	bool unloaded = false;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		unloaded |= !strcmp(words[i], "not loaded");
	fprintf(out, "vfio modules: vfio %s, vfio_iommu_type1 %s, vfio-pci %s, /dev/vfio/vfio %s%s\n",
		words[0], words[1], words[2],
		sysfs_stat("/dev/vfio/vfio", &st) ? "missing" : "present",
		unloaded && sysfs_cmdline_has("nomodule") ?
		"; the kernel was booted with nomodule (/proc/cmdline): no module can be loaded" : "");
}

static void print_state(FILE *out, uint64_t need, uint64_t memlock)
{
	uint64_t need_kib = (need + 1023) >> 10;
	char lim[32], iofd[256];

	print_iommu(out);
	print_modules(out);
	preflight_iommufd_state(iofd, sizeof(iofd));
	fprintf(out, "%s\n", iofd);
	preflight_kib(memlock, lim, sizeof(lim));
	fprintf(out, "locked memory: limit %s, a run pins %" PRIu64 " KiB: ",
		lim, need_kib);
	if (sysfs_cap_ipc_lock())
		fprintf(out, "this user has CAP_IPC_LOCK, so the limit does not apply\n");
	else if (memlock >= need)
		fprintf(out, "enough\n");
	else
		fprintf(out, "too low: `ulimit -l %" PRIu64 "`\n", need_kib);
}

/* A bus's devices; a bus absent (no mdev support) has none. */
static int print_bus(enum sysfs_bus bus, struct listed *l, struct errmsg *e)
{
	char dir[64];
	int ret = sysfs_for_each_dev(bus, print_dev, l);

	if (!ret || ret == -ENOENT)
		return 0;
	sysfs_dev_dir(bus, "", dir, sizeof(dir));
	return sysfs_errmsg(e, ret, dir);
}

int listing_print(FILE *out, uint64_t need, uint64_t memlock,
		  struct errmsg *e)
{
	struct listed l = { .out = out };

	fprintf(out, "Revere-AMU PFs (13b5:ff81), devices bound to vfio-pci, mdevs:\n");
	if (print_bus(SYSFS_PCI, &l, e) || print_bus(SYSFS_MDEV, &l, e))
		return -e->err;
	if (!l.count)
		fprintf(out, "none\n");
	print_state(out, need, memlock);
	return ferror(out) ? -EIO : 0;
}
