// SPDX-License-Identifier: BSD-3-Clause
/*
 * sysfs.c on fake trees under REVERE_SYSROOT: names, what a device's
 * directory says, IOMMU groups and their members, class names, modules,
 * capabilities, the host (kernel, module lists, hypervisor, vendor),
 * and the bind/unbind writes revere-vfio-bind will make.
 * The pre-flight's outcomes and --list are tested through the binary in
 * tests/demo_preflight.sh, on trees built the same way; the iommufd
 * path's check (preflight_check_iommufd()) here, through the library.
 */
#define _GNU_SOURCE	/* setresuid() */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "preflight.h"
#include "sysfs.h"

static char root[64];

static void mkdirs(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[256];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void link_to(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

#define DEV0	"sys/devices/pci0000:00/0000:01:00.0"
#define DEV1	"sys/devices/pci0000:00/0000:01:00.1"

/*
 * Two functions of one card in IOMMU group 7: 00.0 a Revere PF on
 * virtio-pci (to be rebound), 00.1 a NIC with interface eth0; group 3
 * empty; an mdev in group 9; vfio and vfio_iommu_type1 loaded.
 */
static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test-sysfs.XXXXXX");
	assert_non_null(mkdtemp(root));
	mkdirs("sys/bus/pci/devices");
	mkdirs("sys/bus/pci/drivers/virtio-pci");
	mkdirs("sys/bus/pci/drivers/vfio-pci");
	mkdirs("sys/bus/mdev/devices");
	mkdirs("sys/kernel/iommu_groups/7/devices");
	mkdirs("sys/kernel/iommu_groups/3/devices");
	mkdirs("sys/kernel/iommu_groups/9/devices");
	mkdirs("sys/module/vfio");
	mkdirs("sys/module/vfio_iommu_type1");
	mkdirs("proc/self");
	mkdirs(DEV0);
	/* eth0 one level down, as virtio-net puts it (BDF/virtio2/net). */
	mkdirs(DEV1 "/virtio2/net/eth0");
	mkdirs("sys/class/net");
	link_to("../../devices/pci0000:00/0000:01:00.1/virtio2/net/eth0",
		"sys/class/net/eth0");
	/* 00.1's device file, beside what the kernel also puts there. */
	mkdirs(DEV1 "/vfio-dev/vfio12");
	put(DEV1 "/vfio-dev/vfio12/dev", "511:12\n");
	put(DEV1 "/vfio-dev/uevent", "");
	mkdirs("sys/devices/virtual/revere/11111111-2222-3333-4444-555555555555/vfio-dev/vfio0");
	put("sys/devices/virtual/revere/11111111-2222-3333-4444-555555555555/vfio-dev/vfio0/dev", "511:0\n");
	mkdirs("sys/devices/virtual/revere/11111111-2222-3333-4444-555555555555");
	put(DEV0 "/vendor", "0x13b5\n");
	put(DEV0 "/device", "0xff81\n");
	put(DEV0 "/class", "0x120000\n");
	put(DEV0 "/driver_override", "(null)\n");
	put(DEV1 "/vendor", "0x8086\n");
	put(DEV1 "/device", "0x10d3\n");
	put(DEV1 "/class", "0x020000\n");
	put(DEV1 "/driver_override", "vfio-pci\n");
	put("sys/bus/pci/drivers/virtio-pci/unbind", "");
	put("sys/bus/pci/drivers_probe", "");
	put("proc/self/status", "Name:\tx\nCapEff:\t000001ffffffffff\n");
	link_to("../../../devices/pci0000:00/0000:01:00.0",
		"sys/bus/pci/devices/0000:01:00.0");
	link_to("../../../devices/pci0000:00/0000:01:00.1",
		"sys/bus/pci/devices/0000:01:00.1");
	link_to("../../../bus/pci/drivers/virtio-pci", DEV0 "/driver");
	link_to("../../../kernel/iommu_groups/7", DEV0 "/iommu_group");
	link_to("../../../kernel/iommu_groups/7", DEV1 "/iommu_group");
	link_to("../../../../devices/pci0000:00/0000:01:00.0",
		"sys/kernel/iommu_groups/7/devices/0000:01:00.0");
	link_to("../../../../devices/pci0000:00/0000:01:00.1",
		"sys/kernel/iommu_groups/7/devices/0000:01:00.1");
	link_to("../../../devices/virtual/revere/11111111-2222-3333-4444-555555555555",
		"sys/bus/mdev/devices/11111111-2222-3333-4444-555555555555");
	link_to("../../../kernel/iommu_groups/9",
		"sys/devices/virtual/revere/11111111-2222-3333-4444-555555555555/iommu_group");
	link_to("../../../class/mdev_bus/revere/mdev_supported_types/revere_mdev-revere-pf",
		"sys/devices/virtual/revere/11111111-2222-3333-4444-555555555555/mdev_type");
	setenv("REVERE_SYSROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	unsetenv("REVERE_SYSROOT");
	return 0;
}

static void expect_name(const char *in, const char *out, enum sysfs_bus bus)
{
	char buf[SYSFS_NAME_LEN];
	enum sysfs_bus b;

	assert_int_equal(sysfs_name_parse(in, buf, sizeof(buf), &b), 0);
	assert_string_equal(buf, out);
	assert_int_equal(b, bus);
}

static void test_names(void **state)
{
	static const char *const bad[] = {
		"", "0000:01:0.0", "01:0.0", "0:01:00.0", "01:00.8", "00:20.0",
		"0000:01:00.0x", "x0000:01:00.0", "2", "/dev/vfio/2",
		"0000-01:00.0", "000g:01:00.0",
		"11111111-2222-3333-4444-55555555555",
		"11111111-2222-3333-4444-5555555555555",
		"11111111-2222-3333-4444_555555555555",
		"1111111g-2222-3333-4444-555555555555",
	};
	char buf[SYSFS_NAME_LEN];
	enum sysfs_bus b;

	(void)state;
	expect_name("0000:01:00.0", "0000:01:00.0", SYSFS_PCI);
	expect_name("01:00.0", "0000:01:00.0", SYSFS_PCI);
	expect_name("AB:1F.7", "0000:ab:1f.7", SYSFS_PCI);
	expect_name("10DE:AB:1f.7", "10de:ab:1f.7", SYSFS_PCI);
	expect_name("11111111-2222-3333-4444-55555555555A",
		    "11111111-2222-3333-4444-55555555555a", SYSFS_MDEV);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sysfs_name_parse(bad[i], buf, sizeof(buf), &b),
				 -EINVAL);
}

static void test_esc(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(SYSFS_ESC("eth0 vg0-root:/_"), "eth0 vg0-root:/_");
	assert_string_equal(SYSFS_ESC("eth\x1b[2J0"), "eth\\x1b[2J0");
	assert_string_equal(SYSFS_ESC("a\\x1b\n\t\x7f\xc3\xa9"),
			    "a\\x5cx1b\\x0a\\x09\\x7f\\xc3\\xa9");
	/* Cut to fit, but never inside an escape. */
	assert_string_equal(sysfs_esc("abcdefghijkl\x1b", buf, sizeof(buf)),
			    "abcdefghijkl");
	assert_string_equal(sysfs_esc("abcdefghijk\x1b", buf, sizeof(buf)),
			    "abcdefghijk\\x1b");
	assert_string_equal(sysfs_esc("", buf, sizeof(buf)), "");
}

static void test_root(void **state)
{
	(void)state;
	assert_string_equal(sysfs_root(), root);
	unsetenv("REVERE_SYSROOT");
	assert_string_equal(sysfs_root(), "/");
	setenv("REVERE_SYSROOT", "", 1);
	assert_string_equal(sysfs_root(), "/");
	setenv("REVERE_SYSROOT", root, 1);
}

static int add_name(const char *name, void *arg)
{
	strcat(arg, name);
	strcat(arg, ";");
	return 0;
}

static void test_dev_read(void **state)
{
	struct sysfs_dev d;
	char names[64];

	(void)state;
	assert_int_equal(sysfs_dev_read(SYSFS_PCI, "0000:01:00.0", &d), 0);
	assert_int_equal(d.vendor, 0x13b5);
	assert_int_equal(d.device, 0xff81);
	assert_int_equal(d.class, 0x120000);
	assert_string_equal(d.driver, "virtio-pci");
	assert_string_equal(d.driver_override, "");
	assert_int_equal(d.group, 7);
	assert_string_equal(d.cdev, "");
	assert_true(preflight_is_revere(&d));
	assert_false(preflight_driver_viable(&d));
	names[0] = '\0';
	assert_int_equal(sysfs_for_each_class_dev("net", d.name, add_name,
						  names), 0);
	assert_string_equal(names, "");

	assert_int_equal(sysfs_dev_read(SYSFS_PCI, "0000:01:00.1", &d), 0);
	assert_string_equal(d.driver, "");
	assert_string_equal(d.driver_override, "vfio-pci");
	assert_string_equal(d.cdev, "vfio12");
	sysfs_cdev_file(d.cdev, names, sizeof(names));
	assert_string_equal(names, "/dev/vfio/devices/vfio12");
	assert_false(preflight_is_revere(&d));
	assert_true(preflight_driver_viable(&d));
	names[0] = '\0';
	assert_int_equal(sysfs_for_each_class_dev("net", d.name, add_name,
						  names), 0);
	assert_string_equal(names, "eth0;");

	assert_int_equal(sysfs_dev_read(SYSFS_MDEV,
		"11111111-2222-3333-4444-555555555555", &d), 0);
	assert_int_equal(d.group, 9);
	assert_string_equal(d.mdev_type, "revere_mdev-revere-pf");
	assert_string_equal(d.cdev, "vfio0");
	assert_string_equal(d.driver, "");

	assert_int_equal(sysfs_dev_read(SYSFS_PCI, "0000:00:04.0", &d), -ENOENT);
	assert_int_equal(d.group, -1);
}

/*
 * Since Linux 6.1 every VFIO device has vfio-dev/vfioN; only a kernel with
 * VFIO_DEVICE_CDEV gives it a char device, whose number is the dev file
 * there. Without it (Debian 12's 6.1) there is no device file to open.
 */
static void test_cdev_needs_dev(void **state)
{
	struct sysfs_dev d;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/" DEV1 "/vfio-dev/vfio12/dev", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(sysfs_dev_read(SYSFS_PCI, "0000:01:00.1", &d), 0);
	assert_string_equal(d.cdev, "");
}

static int collect(const struct sysfs_dev *d, void *arg)
{
	strcat(arg, d->name);
	strcat(arg, ";");
	return 0;
}

static int stop_at_first(const struct sysfs_dev *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 42;
}

static void test_walks(void **state)
{
	char buf[256] = "";
	int calls = 0;

	(void)state;
	assert_int_equal(sysfs_for_each_dev(SYSFS_PCI, collect, buf), 0);
	assert_string_equal(buf, "0000:01:00.0;0000:01:00.1;");
	buf[0] = '\0';
	assert_int_equal(sysfs_for_each_group_dev(7, collect, buf), 0);
	assert_string_equal(buf, "0000:01:00.0;0000:01:00.1;");
	buf[0] = '\0';
	assert_int_equal(sysfs_for_each_group_dev(3, collect, buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sysfs_for_each_group_dev(5, collect, buf), -ENOENT);
	buf[0] = '\0';
	assert_int_equal(sysfs_for_each_dev(SYSFS_MDEV, collect, buf), 0);
	assert_string_equal(buf, "11111111-2222-3333-4444-555555555555;");
	assert_int_equal(sysfs_for_each_dev(SYSFS_PCI, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
}

static void test_system(void **state)
{
	char file[64];

	(void)state;
	assert_int_equal(sysfs_iommu_group_count(), 3);
	assert_true(sysfs_module_loaded("vfio"));
	assert_true(sysfs_module_loaded("vfio_iommu_type1"));
	assert_false(sysfs_module_loaded("vfio_pci"));
	assert_true(sysfs_pci_driver_exists("vfio-pci"));
	assert_false(sysfs_pci_driver_exists("e1000e"));
	/* Bit 14 (CAP_IPC_LOCK) is in root's full set. */
	assert_true(sysfs_cap_ipc_lock());
	put("proc/self/status", "CapEff:\t0000000000000000\n");
	assert_false(sysfs_cap_ipc_lock());
	put("proc/self/status", "CapEff:\t0000000000004000\n");
	assert_true(sysfs_cap_ipc_lock());
	sysfs_group_file(7, file, sizeof(file));
	assert_string_equal(file, "/dev/vfio/7");
	assert_int_equal(sysfs_access_rw(file), -ENOENT);
	mkdirs("dev/vfio");
	put("dev/vfio/7", "");
	assert_int_equal(sysfs_access_rw(file), 0);
}

/*
 * The host: the kernel's release names its module lists, a module is
 * found compressed or not, by either spelling of its name, and a list
 * that cannot be read claims nothing; the command line's words and the
 * CPU's flags are whole words; the firmware's vendor loses its padding.
 */
static void test_host(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(sysfs_kernel_release(buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sysfs_module_kind("vfio"), SYSFS_MOD_UNKNOWN);
	mkdirs("proc/sys/kernel");
	mkdirs("lib/modules/6.8.0-rv");
	put("proc/sys/kernel/osrelease", "6.8.0-rv\n");
	assert_int_equal(sysfs_kernel_release(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "6.8.0-rv");
	put("lib/modules/6.8.0-rv/modules.builtin",
	    "kernel/drivers/vfio/vfio.ko\nkernel/drivers/iommu/iommufd/iommufd.ko\n");
	/* modules.dep unreadable: only what is built in can be told. */
	assert_int_equal(sysfs_module_kind("vfio"), SYSFS_MOD_BUILTIN);
	assert_int_equal(sysfs_module_kind("vfio-pci"), SYSFS_MOD_UNKNOWN);
	put("lib/modules/6.8.0-rv/modules.dep",
	    "kernel/drivers/vfio/pci/vfio-pci.ko.zst: kernel/drivers/vfio/pci/vfio-pci-core.ko.zst\n"
	    "kernel/drivers/vfio/pci/vfio-pci-core.ko.zst:\n"
	    "kernel/drivers/vfio/vfio_iommu_type1.ko\n");
	assert_int_equal(sysfs_module_kind("vfio-pci"), SYSFS_MOD_FILE);
	assert_int_equal(sysfs_module_kind("vfio_pci"), SYSFS_MOD_FILE);
	assert_int_equal(sysfs_module_kind("vfio_pci_core"), SYSFS_MOD_FILE);
	assert_int_equal(sysfs_module_kind("vfio_iommu_type1"), SYSFS_MOD_FILE);
	assert_int_equal(sysfs_module_kind("iommufd"), SYSFS_MOD_BUILTIN);
	/* Neither list: a prefix or a dependency is not the module. */
	assert_int_equal(sysfs_module_kind("vfio_p"), SYSFS_MOD_NONE);
	assert_int_equal(sysfs_module_kind("kernel"), SYSFS_MOD_NONE);
	assert_int_equal(sysfs_module_kind("mlx5_vfio_pci"), SYSFS_MOD_NONE);
	/* A release that would climb out of /lib/modules names nothing. */
	put("proc/sys/kernel/osrelease", "../../etc\n");
	assert_int_equal(sysfs_module_kind("vfio"), SYSFS_MOD_UNKNOWN);

	assert_false(sysfs_cmdline_has("nomodule"));
	put("proc/cmdline", "BOOT_IMAGE=/vmlinuz ro nomodules module.nomodule=1 xnomodule\n");
	assert_false(sysfs_cmdline_has("nomodule"));
	put("proc/cmdline", "BOOT_IMAGE=/vmlinuz ro\tnomodule\n");
	assert_true(sysfs_cmdline_has("nomodule"));
	put("proc/cmdline", "nomodule quiet\n");
	assert_true(sysfs_cmdline_has("nomodule"));
	assert_false(sysfs_cmdline_has(""));

	assert_false(sysfs_cpu_flag("hypervisor"));
	put("proc/cpuinfo", "processor\t: 0\nmodel name\t: hypervisor\nflags\t\t: fpu vme\nvmx flags\t: hypervisor\n\n");
	assert_false(sysfs_cpu_flag("hypervisor"));
	put("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n\n");
	assert_true(sysfs_cpu_flag("hypervisor"));
	assert_false(sysfs_cpu_flag("hyper"));

	assert_int_equal(sysfs_dmi_vendor(buf, sizeof(buf)), -ENOENT);
	mkdirs("sys/class/dmi/id");
	put("sys/class/dmi/id/sys_vendor", "VMware, Inc.   \n");
	assert_int_equal(sysfs_dmi_vendor(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "VMware, Inc.");
	put("sys/class/dmi/id/sys_vendor", " \n");
	assert_int_equal(sysfs_dmi_vendor(buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
}

/*
 * The README's rebind: driver_override, unbind from the current driver,
 * drivers_probe, then the driver read back. The fake kernel binds
 * nothing, so the bind reports -EBUSY after making every write.
 */
static void test_bind(void **state)
{
	(void)state;
	assert_int_equal(sysfs_bind("0000:01:00.0", "vfio-pci"), -EBUSY);
	assert_string_equal(get(DEV0 "/driver_override"), "vfio-pci");
	assert_string_equal(get("sys/bus/pci/drivers/virtio-pci/unbind"),
			    "0000:01:00.0");
	assert_string_equal(get("sys/bus/pci/drivers_probe"), "0000:01:00.0");

	/* Already bound: driver_override only, no unbind, no probe. */
	put("sys/bus/pci/drivers_probe", "");
	put("sys/bus/pci/drivers/virtio-pci/unbind", "");
	assert_int_equal(sysfs_bind("0000:01:00.0", "virtio-pci"), 0);
	assert_string_equal(get("sys/bus/pci/drivers/virtio-pci/unbind"), "");
	assert_string_equal(get("sys/bus/pci/drivers_probe"), "");

	/* No driver: nothing to unbind; the probe is made. */
	assert_int_equal(sysfs_bind("0000:01:00.1", "vfio-pci"), -EBUSY);
	assert_string_equal(get(DEV1 "/driver_override"), "vfio-pci");
	assert_string_equal(get("sys/bus/pci/drivers_probe"), "0000:01:00.1");

	/* No such device: the first write fails. */
	assert_int_equal(sysfs_bind("0000:00:09.0", "vfio-pci"), -ENOENT);
}

static void test_unbind(void **state)
{
	(void)state;
	put(DEV0 "/driver_override", "vfio-pci\n");
	assert_int_equal(sysfs_unbind("0000:01:00.0"), 0);
	assert_string_equal(get("sys/bus/pci/drivers/virtio-pci/unbind"),
			    "0000:01:00.0");
	assert_string_equal(get(DEV0 "/driver_override"), "\n");
	/* Without a driver only driver_override is cleared. */
	assert_int_equal(sysfs_unbind("0000:01:00.1"), 0);
	assert_string_equal(get(DEV1 "/driver_override"), "\n");
}

/*
 * An NVMe disk under 00.0: nvme0n1p2 holds dm-0 (vg0-root), "/" is on
 * nvme0n1p1 as /proc/self/mounts' /dev/root, nvme0n1p3 is swap.
 */
static void block_tree(void)
{
	char path[64];
	struct stat st;

	mkdirs(DEV0 "/nvme/nvme0/nvme0n1/nvme0n1p1/holders");
	mkdirs(DEV0 "/nvme/nvme0/nvme0n1/nvme0n1p2/holders");
	mkdirs(DEV0 "/nvme/nvme0/nvme0n1/nvme0n1p3/holders");
	mkdirs("sys/devices/virtual/block/dm-0/holders");
	mkdirs("sys/devices/virtual/block/dm-0/dm");
	mkdirs("sys/class/block");
	mkdirs("sys/dev/block");
	put("sys/devices/virtual/block/dm-0/dm/name", "vg0-root\n");
	link_to("../../devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p1",
		"sys/class/block/nvme0n1p1");
	link_to("../../devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p2",
		"sys/class/block/nvme0n1p2");
	link_to("../../devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p3",
		"sys/class/block/nvme0n1p3");
	link_to("../../devices/virtual/block/dm-0", "sys/class/block/dm-0");
	link_to("../../../../../../../../virtual/block/dm-0",
		DEV0 "/nvme/nvme0/nvme0n1/nvme0n1p2/holders/dm-0");
	/* The fake root's own device number stands for that of "/". */
	assert_int_equal(stat(root, &st), 0);
	snprintf(path, sizeof(path), "sys/dev/block/%u:%u", major(st.st_dev),
		 minor(st.st_dev));
	link_to("../../devices/pci0000:00/0000:01:00.0/nvme/nvme0/nvme0n1/nvme0n1p1",
		path);
	put("proc/self/mounts",
	    "/dev/root / ext4 rw 0 0\n"
	    "/dev/mapper/vg0-root /mnt/a\\040b\\134c ext4 rw 0 0\n"
	    "/dev/dm-0 /srv ext4 rw 0 0\n"
	    "/dev/nvme0n1p22 /x ext4 rw 0 0\n"
	    "/dev/mapper/vg0-rootx /y ext4 rw 0 0\n"
	    "proc /proc proc rw 0 0\n");
	put("proc/swaps",
	    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	    "/dev/nvme0n1p3                          partition\t8388604\t\t0\t\t-2\n");
}


static void test_block(void **state)
{
	char buf[256] = "";

	(void)state;
	block_tree();
	assert_int_equal(sysfs_for_each_class_dev("block", "0000:01:00.0",
						  add_name, buf), 0);
	assert_string_equal(buf, "nvme0n1p1;nvme0n1p2;nvme0n1p3;");
	buf[0] = '\0';
	assert_int_equal(sysfs_for_each_holder("nvme0n1p2", add_name, buf), 0);
	assert_string_equal(buf, "dm-0;");
	buf[0] = '\0';
	assert_int_equal(sysfs_for_each_holder("nvme0n1p1", add_name, buf), 0);
	assert_int_equal(sysfs_for_each_holder("sda", add_name, buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sysfs_block_dm_name("dm-0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "vg0-root");
	assert_int_equal(sysfs_block_dm_name("nvme0n1p2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	/* By its name, its mapper name, as /dev/root; the escapes undone. */
	assert_int_equal(sysfs_mounts("dm-0", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "/mnt/a b\\c, /srv");
	assert_int_equal(sysfs_mounts("nvme0n1p1", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/");
	assert_int_equal(sysfs_mounts("nvme0n1p2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sysfs_swaps("nvme0n1p3"), 1);
	assert_int_equal(sysfs_swaps("nvme0n1p2"), 0);
	assert_int_equal(sysfs_swaps("nvme0n1"), 0);

	/* Names from a tree are one file name, or nothing is read. */
	assert_int_equal(sysfs_mounts("../dm-0", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sysfs_swaps(".."), -EINVAL);
	assert_int_equal(sysfs_for_each_holder("", add_name, buf), -EINVAL);
}

/*
 * A mount point longer than a line buffer is one line, not two: its tail
 * (at 1023 bytes, where a 1024-byte fgets() would cut) names no mount.
 */
static void test_long_mount_line(void **state)
{
	char line[2000], buf[256];

	(void)state;
	block_tree();
	memset(line, 'd', sizeof(line));
	memcpy(line, "proc /", 6);
	snprintf(line + 1023, sizeof(line) - 1023,
		 "/dev/nvme0n1p2 /fake ext4 rw 0 0\n");
	put("proc/self/mounts", line);
	assert_int_equal(sysfs_mounts("nvme0n1p2", buf, sizeof(buf)), 0);
}

/* The root padded with "/." to at least len bytes: the same directory. */
static const char *padded_root(size_t len)
{
	static char buf[PATH_MAX + 16];
	size_t n = strlen(root);

	memcpy(buf, root, n + 1);
	while (n < len && n + 3 < sizeof(buf)) {
		memcpy(buf + n, "/.", 3);
		n += 2;
	}
	return buf;
}

/*
 * A root longer than a small buffer is read whole; one that leaves no
 * room under PATH_MAX fails with ENAMETOOLONG, and nothing is written:
 * cut short, it would name a directory above the files meant.
 */
static void test_long_root(void **state)
{
	struct sysfs_dev d;
	struct stat st;
	char buf[256] = "", names[64];

	(void)state;
	setenv("REVERE_SYSROOT", padded_root(573), 1);
	assert_int_equal(sysfs_dev_read(SYSFS_PCI, "0000:01:00.1", &d), 0);
	assert_int_equal(d.vendor, 0x8086);
	assert_int_equal(d.device, 0x10d3);
	assert_string_equal(d.driver_override, "vfio-pci");
	assert_int_equal(d.group, 7);
	names[0] = '\0';
	assert_int_equal(sysfs_for_each_class_dev("net", d.name, add_name,
						  names), 0);
	assert_string_equal(names, "eth0;");

	setenv("REVERE_SYSROOT", padded_root(PATH_MAX - 8), 1);
	assert_int_equal(sysfs_dev_read(SYSFS_PCI, "0000:01:00.0", &d),
			 -ENAMETOOLONG);
	assert_int_equal(sysfs_for_each_dev(SYSFS_PCI, collect, buf),
			 -ENAMETOOLONG);
	assert_string_equal(buf, "");
	assert_int_equal(sysfs_for_each_group_dev(7, collect, buf),
			 -ENAMETOOLONG);
	assert_int_equal(sysfs_stat("/dev/vfio/vfio", &st), -ENAMETOOLONG);
	assert_false(sysfs_module_loaded("vfio"));
	assert_int_equal(sysfs_mounts("vda", buf, sizeof(buf)), -ENAMETOOLONG);
	assert_int_equal(sysfs_bind("0000:01:00.0", "vfio-pci"), -ENAMETOOLONG);
	setenv("REVERE_SYSROOT", root, 1);
	assert_string_equal(get(DEV0 "/driver_override"), "(null)\n");
	assert_string_equal(get("sys/bus/pci/drivers_probe"), "");
}

/* preflight_check_iommufd() on dev, with its message in msg. */
static int check_iommufd(enum sysfs_bus bus, const char *name, char *msg,
			 size_t len)
{
	struct preflight pf = { .device = name, .bus = bus };
	struct errmsg e = { .err = 0 };
	int ret;

	if (sysfs_dev_read(bus, name, &pf.dev))
		return -EIO;
	ret = preflight_check_iommufd(&pf, &e);
	snprintf(msg, len, "%s", ret ? e.msg : "");
	return ret;
}

#define MDEV	"11111111-2222-3333-4444-555555555555"

/* The iommufd path's device file and /dev/iommu, as root. */
static void test_iommufd(void **state)
{
	char msg[ERRMSG_LEN];

	(void)state;
	assert_int_equal(check_iommufd(SYSFS_PCI, "0000:01:00.0", msg,
				       sizeof(msg)), -ENOENT);
	assert_string_equal(msg, "0000:01:00.0 has no VFIO device file (no vfio-dev/vfioN/dev in its sysfs directory): no VFIO driver holds it (driver virtio-pci); or use the group file with --iommu type1");
	assert_int_equal(check_iommufd(SYSFS_MDEV, MDEV, msg, sizeof(msg)),
			 -ENOENT);
	assert_string_equal(msg, MDEV " has the VFIO device file vfio0 in sysfs but /dev/vfio/devices/vfio0 does not exist; check that /dev is a devtmpfs: `ls -l /dev/vfio/devices`");
	mkdirs("dev/vfio/devices");
	put("dev/vfio/devices/vfio0", "");
	assert_int_equal(check_iommufd(SYSFS_MDEV, MDEV, msg, sizeof(msg)),
			 -ENOENT);
	assert_string_equal(msg, "/dev/iommu does not exist although /dev/vfio/devices/vfio0 does: is /dev a devtmpfs? `ls -l /dev/iommu`; module iommufd is not loaded: `modprobe iommufd`");
	put("dev/iommu", "");
	assert_int_equal(check_iommufd(SYSFS_MDEV, MDEV, msg, sizeof(msg)), 0);
}

/*
 * The same as a user who cannot open a file (0600, root's): root opens
 * anything, so a child drops to nobody (65534) on the tree made
 * reachable; the message names the file, its owner, the user, the chown,
 * and tail.
 */
static int denied_child(const char *file, const char *tail)
{
	char msg[ERRMSG_LEN], want[768];
	struct passwd *pw = getpwuid(65534);
	const char *u = pw ? pw->pw_name : "65534";

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 10;
	snprintf(want, sizeof(want), "%s (root:root 0600) cannot be opened for reading and writing by this user (%s, uid 65534): Permission denied; run as root, or give it to %s: `chown %s %s`%s",
		 file, u, u, u, file, tail);
	if (check_iommufd(SYSFS_MDEV, MDEV, msg, sizeof(msg)) != -EACCES)
		return 11;
	if (strcmp(msg, want)) {
		fprintf(stderr, "got:  %s\nwant: %s\n", msg, want);
		return 12;
	}
	return 0;
}

static void run_denied(const char *file, const char *tail)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(denied_child(file, tail));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void chmod_in(const char *rel, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_iommufd_denied(void **state)
{
	(void)state;
	if (geteuid()) {
		skip();
		return;
	}
	mkdirs("dev/vfio/devices");
	put("dev/vfio/devices/vfio0", "");
	put("dev/iommu", "");
	chmod_in("dev/vfio/devices/vfio0", 0600);
	chmod_in("dev/iommu", 0600);
	chmod_in("", 0755);
	run_denied("/dev/vfio/devices/vfio0", "");
	chmod_in("dev/vfio/devices/vfio0", 0666);
	run_denied("/dev/iommu", "; for good, a udev rule: `KERNEL==\"iommu\", GROUP=\"GROUP\", MODE=\"0660\"` in /etc/udev/rules.d/ with the user in GROUP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_esc),
		cmocka_unit_test_setup_teardown(test_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cdev_needs_dev, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_root, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_mount_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iommufd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommufd_denied, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
