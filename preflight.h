/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pre-flight: before any VFIO call, read what the system says about
 * the device (sysfs.h) and refuse a run that cannot work, naming the real
 * state and what to do about it, in one line.
 */
#ifndef REVERE_PREFLIGHT_H
#define REVERE_PREFLIGHT_H

#include <stdint.h>

#include "errmsg.h"
#include "sysfs.h"
#include "vfio_target.h"

#define PREFLIGHT_GROUP_LEN	256

struct preflight {
	/* In. */
	const char *device;		/* normalised (sysfs_name_parse()) */
	enum sysfs_bus bus;
	const char *group_override;	/* --vfio-group, or NULL */
	enum vfio_iommu_choice iommu;	/* --iommu */
	uint64_t need;			/* bytes a run pins for DMA */
	uint64_t memlock;		/* RLIMIT_MEMLOCK, UINT64_MAX: none */
	/* Out. */
	struct sysfs_dev dev;
	char group_file[PREFLIGHT_GROUP_LEN];	/* the group file to open */
	bool iommufd;			/* the iommufd interface was chosen */
	char cdev_file[PREFLIGHT_GROUP_LEN];	/* its device file to open */
};

/*
 * Find the device's IOMMU group and check, in order: the device exists,
 * it is a Revere-AMU PF (PCI), it has an IOMMU group (and --vfio-group,
 * when given, is that group), it is bound to vfio-pci; then the interface
 * pf->iommu asks for: for iommufd, that its device file and /dev/iommu
 * exist and this user can open them (preflight_check_iommufd()); for
 * type1, that the vfio modules are loaded, the group file exists and this
 * user can open it. Last, that the group is viable (both interfaces need
 * it) and the locked-memory limit covers pf->need.
 *
 * auto takes iommufd where it would pass those checks and --vfio-group
 * was not given, else type1: the device file is the interface the kernel
 * is moving to (Documentation/driver-api/vfio.rst, "VFIO device cdev"),
 * and it can be given to a user alone, without the group. A host with no
 * usable device file is not refused for it: type1 is tried as before.
 *
 * Returns 0 with pf->group_file, pf->iommufd and (for iommufd)
 * pf->cdev_file set, or -errno with the one-line message in err.
 */
int preflight_run(struct preflight *pf, struct errmsg *err);

/* Whether a PCI device is a Revere-AMU PF. */
bool preflight_is_revere(const struct sysfs_dev *d);

/*
 * Whether a driver leaves an IOMMU group viable for VFIO: none, vfio-pci,
 * pci-stub, pcieport (the drivers that manage no DMA of their own).
 */
bool preflight_driver_viable(const struct sysfs_dev *d);

/* Owner, group and mode of a file, "root:root 0600", for messages. */
void preflight_describe_owner(const struct stat *st, char *buf, size_t len);

/*
 * A device file for messages: "/dev/vfio/7 (root:root 0600, this user
 * can open it)", or "/dev/vfio/7 missing".
 */
void preflight_file_state(const char *path, char *buf, size_t len);

/*
 * Why a device has no VFIO device file (struct sysfs_dev cdev ""), in
 * terms of the host: no VFIO driver holds it, no iommufd, or a kernel
 * without CONFIG_VFIO_DEVICE_CDEV.
 */
void preflight_cdev_why(const struct sysfs_dev *d, char *buf, size_t len);
/* "device file " and its preflight_file_state(), or "no device file: why". */
void preflight_cdev_state(const struct sysfs_dev *d, char *buf, size_t len);
/* "iommufd: module iommufd loaded, /dev/iommu (root:root 0600, ...)". */
void preflight_iommufd_state(char *buf, size_t len);

/*
 * The pre-flight of the iommufd path, after preflight_run() found the
 * device: its device file exists and this user can open it, and
 * /dev/iommu too. 0, or -errno with the one-line message (the chown that
 * fixes it) in err.
 */
int preflight_check_iommufd(struct preflight *pf, struct errmsg *err);

/* Room for a remedy of preflight_vm_iommu() or preflight_no_modprobe(). */
#define PREFLIGHT_FIX_LEN	768

/*
 * What to do about an IOMMU that is off when this host is a virtual
 * machine (the hypervisor flag in /proc/cpuinfo), whose IOMMU can only
 * come from its hypervisor: "this host is a virtual machine (QEMU),
 * ...". False on bare metal, where the callers' own advice (the firmware
 * and the kernel command line) is the remedy.
 */
bool preflight_vm_iommu(char *buf, size_t len);

/*
 * Why modprobe cannot load module mod on this host: the kernel was
 * booted with nomodule, or built without config (mod neither built in nor
 * installed); buf then says what to do instead. False when modprobe is
 * the remedy, or when that cannot be told (modprobe then says why).
 */
bool preflight_no_modprobe(const char *mod, const char *config, char *buf,
			   size_t len);

/* This process' user's name (effective uid), or the uid when it has none. */
void preflight_user_name(char *buf, size_t len);

/* "64 KiB", "unlimited". */
void preflight_kib(uint64_t bytes, char *buf, size_t len);

#endif /* REVERE_PREFLIGHT_H */
