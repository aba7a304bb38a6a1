/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one reader (and writer) of the system's device state: sysfs, the
 * VFIO group files, loaded modules and the process' capabilities; and of
 * what the host is, for advice that fits it: the kernel's release,
 * command line and module lists, the CPU's flags, the firmware's vendor.
 *
 * Every path is read under a root, "/" unless the environment variable
 * REVERE_SYSROOT names another directory: a test builds a fake tree there
 * (sys/..., dev/vfio/N as regular files, proc/self/status) and points the
 * module at it. Paths given to and returned by this module are the
 * system's own ("/sys/bus/pci/devices/..."), for messages; the root is
 * prefixed only when a file is opened.
 *
 * Functions return 0 or -errno; nothing here prints or exits. A path
 * under the root longer than PATH_MAX gives -ENAMETOOLONG: cut short, it
 * would name another file. The predicates (sysfs_module_loaded()...) say
 * false then.
 */
#ifndef REVERE_SYSFS_H
#define REVERE_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "errmsg.h"

#define SYSFS_NAME_LEN	64

/* The forms --device accepts, for usage messages. */
#define SYSFS_NAME_FORMS \
	"a PCI address DDDD:BB:DD.F, its short form BB:DD.F (as lspci prints it), or an mdev UUID"

enum sysfs_bus {
	SYSFS_PCI,		/* /sys/bus/pci/devices/DDDD:BB:DD.F */
	SYSFS_MDEV,		/* /sys/bus/mdev/devices/UUID */
};

/* What sysfs says about one device. Strings are "" when absent. */
struct sysfs_dev {
	enum sysfs_bus bus;
	char name[SYSFS_NAME_LEN];	/* normalised */
	uint16_t vendor;		/* PCI only */
	uint16_t device;
	uint32_t class;			/* PCI class code, 24 bits */
	char driver[SYSFS_NAME_LEN];
	char driver_override[SYSFS_NAME_LEN];
	char mdev_type[SYSFS_NAME_LEN];	/* mdev only: its type's name */
	int group;			/* IOMMU group number, -1: none */
	char cdev[SYSFS_NAME_LEN];	/* VFIO device file: "vfio0", "" none */
};

/*
 * A name read from sysfs or /proc (a driver, an interface, a mount
 * point...), made safe to print: printable ASCII as it is, every other
 * byte and the backslash as \xHH, as `ls -b` and `ip` do it. A name can
 * then neither drive the terminal (an ESC byte) nor pass for another, and
 * the escapes read back unambiguously. buf gets as much as fits, never
 * half an escape; returns buf.
 */
const char *sysfs_esc(const char *s, char *buf, size_t len);
/* Room for any one file name (NAME_MAX bytes) escaped. */
#define SYSFS_ESC_LEN	(4 * 256)
/*
 * sysfs_esc() into a buffer that lasts to the end of the enclosing block,
 * for a name given straight to printf.
 */
#define SYSFS_ESC(s) \
	sysfs_esc((s), (char[SYSFS_ESC_LEN]){ 0 }, SYSFS_ESC_LEN)

/* The root everything is read under ("/" or REVERE_SYSROOT). */
const char *sysfs_root(void);

/*
 * Record err, a return of this module, as the failure to read path (the
 * system's), with what to do when there is something: "reading PATH:
 * why[; hint]". Returns err.
 */
int sysfs_errmsg(struct errmsg *e, int err, const char *path);

/*
 * Normalise a device name: "0000:01:00.0" and "01:00.0" give
 * "0000:01:00.0" (lower case), a UUID gives itself in lower case.
 * -EINVAL when it is neither (see SYSFS_NAME_FORMS).
 */
int sysfs_name_parse(const char *in, char *out, size_t len,
		     enum sysfs_bus *bus);

/* The sysfs directory of a device: "/sys/bus/pci/devices/NAME". */
void sysfs_dev_dir(enum sysfs_bus bus, const char *name, char *buf,
		   size_t len);

/* Read a device: -ENOENT when sysfs has no such device. */
int sysfs_dev_read(enum sysfs_bus bus, const char *name,
		   struct sysfs_dev *d);

/*
 * Call fn for every device of a bus, in name order, or of an IOMMU group.
 * Stops at the first non-zero return of fn and returns it; -errno when
 * the directory cannot be read (-ENOENT: no such bus or group).
 */
typedef int (*sysfs_dev_fn)(const struct sysfs_dev *d, void *arg);
int sysfs_for_each_dev(enum sysfs_bus bus, sysfs_dev_fn fn, void *arg);
int sysfs_for_each_group_dev(int group, sysfs_dev_fn fn, void *arg);

/* "/dev/vfio/N", and whether the file exists, its owner and mode. */
void sysfs_group_file(int group, char *buf, size_t len);
/* A device's VFIO device file: "/dev/vfio/devices/vfioN" of cdev "vfioN". */
void sysfs_cdev_file(const char *cdev, char *buf, size_t len);
/* The iommufd device file, which the device file is bound to. */
#define SYSFS_IOMMUFD_FILE	"/dev/iommu"
int sysfs_stat(const char *path, struct stat *st);
/* access(2) with R_OK | W_OK under the root: 0 or -errno. */
int sysfs_access_rw(const char *path);
/*
 * Whether this process may write a file, by its effective ids (sysfs'
 * files are root's): 0 or -errno.
 */
int sysfs_access_w(const char *path);
/* Give a file (a group file) to user uid, its group unchanged. */
int sysfs_chown(const char *path, uid_t uid);

/* IOMMU groups in /sys/kernel/iommu_groups: 0 when the IOMMU is off. */
int sysfs_iommu_group_count(void);
/* A module is loaded (or built in): /sys/module/NAME exists. */
bool sysfs_module_loaded(const char *module);
/* A PCI driver is registered: /sys/bus/pci/drivers/NAME exists. */
bool sysfs_pci_driver_exists(const char *driver);
/* CAP_IPC_LOCK in this process' effective set (/proc/self/status). */
bool sysfs_cap_ipc_lock(void);

/*
 * The host: a remedy for a virtual machine, or for a kernel that cannot
 * load modules, is not the one for bare metal.
 *
 * The running kernel's release (/proc/sys/kernel/osrelease), as `uname
 * -r` prints it, which names its /lib/modules directory.
 */
int sysfs_kernel_release(char *buf, size_t len);

/* How the running kernel has a module, by /lib/modules/RELEASE. */
enum sysfs_mod_kind {
	SYSFS_MOD_UNKNOWN,	/* a list or the release could not be read */
	SYSFS_MOD_BUILTIN,	/* modules.builtin lists it */
	SYSFS_MOD_FILE,		/* modules.dep lists it: modprobe can load it */
	SYSFS_MOD_NONE,		/* neither: the kernel was built without it */
};
/* A module's name: "vfio-pci" and "vfio_pci" are the same module. */
enum sysfs_mod_kind sysfs_module_kind(const char *module);

/* The kernel command line (/proc/cmdline) holds word, whole ("nomodule"). */
bool sysfs_cmdline_has(const char *word);
/* A CPU's flags in /proc/cpuinfo hold flag ("hypervisor": a guest). */
bool sysfs_cpu_flag(const char *flag);
/*
 * The system's maker as its firmware gives it (/sys/class/dmi/id/
 * sys_vendor): "QEMU", "VMware, Inc."... in a virtual machine. Trailing
 * blanks cut; -ENOENT when it is empty.
 */
int sysfs_dmi_vendor(char *buf, size_t len);

/*
 * Devices of a class (/sys/class/CLS/NAME: "net", "block" with its
 * partitions) that sit under PCI device bdf: their link goes through the
 * device's directory, however deep (virtio-net puts its interface under
 * BDF/virtio0/net). fn gets each name, in name order; its non-zero return
 * stops the walk and is returned. A missing class is no device.
 */
typedef int (*sysfs_name_fn)(const char *name, void *arg);
int sysfs_for_each_class_dev(const char *cls, const char *bdf,
			     sysfs_name_fn fn, void *arg);
/* The interface is up (IFF_UP in /sys/class/net/IF/flags). */
int sysfs_net_up(const char *ifname, bool *up);
/*
 * The IPv4 routes through an interface (/proc/net/route), as
 * "10.0.2.0/24, default via 10.0.2.2" in buf; returns how many, or -errno.
 */
int sysfs_net_routes(const char *ifname, char *buf, size_t len);

/*
 * Block devices, by their name in /sys/class/block ("nvme0n1p2", "dm-0",
 * "md0"); a name that is not one file name is -EINVAL.
 *
 * The device-mapper name of a dm device ("vg0-root", LVM's VG-LV, or the
 * name cryptsetup opened a LUKS device under): "" for any other device.
 */
int sysfs_block_dm_name(const char *name, char *buf, size_t len);
/*
 * The devices stacked on a block device (its holders/: dm for LVM and
 * LUKS, md): fn gets each name, in name order; its non-zero return stops
 * the walk and is returned. Recursing is the caller's.
 */
int sysfs_for_each_holder(const char *name, sysfs_name_fn fn, void *arg);
/*
 * Where a block device is mounted (/proc/self/mounts), as "/, /home" in
 * buf, the kernel's octal escapes undone; returns how many, or -errno.
 * The device is known there as /dev/NAME, as /dev/mapper/DM for a dm
 * device, and as /dev/root when "/" is on it (the device number of "/"
 * names it in /sys/dev/block).
 */
int sysfs_mounts(const char *blockdev, char *buf, size_t len);
/* A block device is an active swap area (/proc/swaps): 1, 0 or -errno. */
int sysfs_swaps(const char *blockdev);

/*
 * The three writes of a bind, one at a time, so that a caller can say
 * each: driver_override ("" clears it: the kernel takes "\n"), unbind
 * from the current driver (0 when there is none), drivers_probe.
 */
int sysfs_set_override(const char *bdf, const char *driver);
int sysfs_unbind_driver(const char *bdf);
int sysfs_drivers_probe(const char *bdf);

/*
 * Bind a PCI device to driver as the README does: driver_override,
 * unbind from its current driver (if any), drivers_probe. Then read the
 * driver back: -EBUSY when another one (or none) got the device.
 */
int sysfs_bind(const char *bdf, const char *driver);
/* Unbind a PCI device from its driver and clear driver_override. */
int sysfs_unbind(const char *bdf);

#endif /* REVERE_SYSFS_H */
