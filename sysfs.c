// SPDX-License-Identifier: BSD-3-Clause
/*
 * The system's device state, read under sysfs_root() (sysfs.h). The
 * kernel's tools/testing/selftests/vfio find a device's IOMMU group the
 * same way: the last part of the iommu_group link of its sysfs directory.
 */
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The kernel's own limit: a longer path fails with ENAMETOOLONG here too. */
#define PATH_LEN	PATH_MAX

static const char *const bus_dir[] = {
	[SYSFS_PCI] = "/sys/bus/pci/devices",
	[SYSFS_MDEV] = "/sys/bus/mdev/devices",
};

const char *sysfs_root(void)
{
	const char *root = getenv("REVERE_SYSROOT");

	return root && root[0] ? root : "/";
}

int sysfs_errmsg(struct errmsg *e, int err, const char *path)
{
	errmsg_set_errno(e, -err, "reading %s", path);
	/* On "/" no sysfs path comes near PATH_MAX: only a fake root does. */
	if (err == -ENAMETOOLONG && strcmp(sysfs_root(), "/"))
		errmsg_hint(e, "REVERE_SYSROOT is %zu bytes long and the paths under it exceed PATH_MAX (%d bytes): use a shorter one",
			    strlen(sysfs_root()), PATH_MAX);
	return err;
}

const char *sysfs_esc(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = c >= 0x20 && c < 0x7f && c != '\\';

		if (n + (plain ? 1 : 4) >= len)
			break;
		if (plain) {
			buf[n++] = (char)c;
			continue;
		}
		buf[n++] = '\\';
		buf[n++] = 'x';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 0xf];
	}
	if (len)
		buf[n] = '\0';
	return buf;
}

/* snprintf's length: -ENAMETOOLONG when it was cut. */
static int fitted(int n, size_t len)
{
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * The system path under the root: "/sys/x" under "/tmp/t/" is
 * "/tmp/t/sys/x". A path cut to fit would name another file (a parent
 * directory of the root, as often as not), so it is an error instead.
 */
static int rooted(char *buf, size_t len, const char *path)
{
	const char *root = sysfs_root();
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	if (n >= len)
		return -ENAMETOOLONG;
	return fitted(snprintf(buf, len, "%.*s%s", (int)n, root, path), len);
}

static int fmt_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fmt_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return fitted(n, len);
}

static int open_rooted(const char *path, int flags)
{
	char full[PATH_LEN];
	int fd, ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	fd = open(full, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The first line of a file, without its newline. */
static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open_rooted(path, O_RDONLY);

	if (fd < 0)
		return fd;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_val(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = open_rooted(path, O_WRONLY | O_TRUNC);	/* as echo > does */

	if (fd < 0)
		return fd;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	if (close(fd) < 0 && n >= 0)
		n = -errno;
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static unsigned long read_hex(const char *path, int *err)
{
	char buf[32];
	char *end;
	unsigned long v;
	int ret = read_line(path, buf, sizeof(buf));

	if (ret) {
		*err = ret;
		return 0;
	}
	v = strtoul(buf, &end, 16);
	if (end == buf)
		*err = -EINVAL;
	return v;
}

/* A symlink's target, or -errno (-EINVAL: path is no symlink). */
static int read_link(const char *path, char *target, size_t len)
{
	char full[PATH_LEN];
	ssize_t n;
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	n = readlink(full, target, len);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	target[n] = '\0';
	return 0;
}

/*
 * The last part of a symlink's target ("vfio-pci", "7"), "" if there is
 * no such link or the name is too long for buf (no sysfs name is that
 * long); -ENAMETOOLONG when the link or its target is longer than
 * PATH_MAX.
 */
static int link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_LEN];
	const char *slash;
	int ret = read_link(path, target, sizeof(target));

	buf[0] = '\0';
	if (ret == -ENAMETOOLONG)
		return ret;
	if (ret)
		return 0;
	slash = strrchr(target, '/');
	if (fitted(snprintf(buf, len, "%s", slash ? slash + 1 : target), len))
		buf[0] = '\0';
	return 0;
}

/* 0 when the file exists, or -errno. */
static int exists(const char *path)
{
	char full[PATH_LEN];
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	return access(full, F_OK) < 0 ? -errno : 0;
}

/* ---- names ---- */

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* BB:DD.F, with the limits of PCI: device 0-1f, function 0-7. */
static bool is_bus_dev_fn(const char *s)
{
	unsigned int dev;

	if (strlen(s) != 7 || s[2] != ':' || s[5] != '.')
		return false;
	if (!all_hex(s, 2) || !all_hex(s + 3, 2) || s[6] < '0' || s[6] > '7')
		return false;
	dev = (unsigned int)strtoul(s + 3, NULL, 16);
	return dev <= 0x1f;
}

static bool is_uuid(const char *s)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };

	for (size_t i = 0; i < 5; i++) {
		if (!all_hex(s, groups[i]))
			return false;
		s += groups[i];
		if (*s != (i < 4 ? '-' : '\0'))
			return false;
		s++;
	}
	return true;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

int sysfs_name_parse(const char *in, char *out, size_t len,
		     enum sysfs_bus *bus)
{
	size_t n = strlen(in);

	if (n == 7 && is_bus_dev_fn(in)) {
		snprintf(out, len, "0000:%s", in);
		*bus = SYSFS_PCI;
	} else if (n == 12 && all_hex(in, 4) && in[4] == ':' &&
		   is_bus_dev_fn(in + 5)) {
		snprintf(out, len, "%s", in);
		*bus = SYSFS_PCI;
	} else if (n == 36 && is_uuid(in)) {
		snprintf(out, len, "%s", in);
		*bus = SYSFS_MDEV;
	} else {
		return -EINVAL;
	}
	lower(out);
	return 0;
}

/* ---- devices ---- */

void sysfs_dev_dir(enum sysfs_bus bus, const char *name, char *buf,
		   size_t len)
{
	snprintf(buf, len, "%s/%s", bus_dir[bus], name);
}

/* The name of the link DIR/FILE ("" when none): 0 or -ENAMETOOLONG. */
static int dev_link(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_LEN];
	int ret = fmt_path(path, sizeof(path), "%s/%s", dir, file);

	buf[0] = '\0';
	return ret ? ret : link_name(path, buf, len);
}

static int group_number(const char *dir, int *group)
{
	char name[SYSFS_NAME_LEN];
	char *end;
	long g;
	int ret = dev_link(dir, "iommu_group", name, sizeof(name));

	g = strtol(name, &end, 10);
	*group = name[0] && *end == '\0' && g >= 0 && g < 1 << 30 ? (int)g : -1;
	return ret;
}

static unsigned long dev_hex(const char *dir, const char *file, int *err)
{
	char path[PATH_LEN];
	int ret = fmt_path(path, sizeof(path), "%s/%s", dir, file);

	if (ret) {
		*err = ret;
		return 0;
	}
	return read_hex(path, err);
}

static int read_pci_ids(const char *dir, struct sysfs_dev *d)
{
	char path[PATH_LEN];
	int ret, err = 0;

	d->vendor = (uint16_t)dev_hex(dir, "vendor", &err);
	d->device = (uint16_t)dev_hex(dir, "device", &err);
	d->class = (uint32_t)dev_hex(dir, "class", &err);
	ret = fmt_path(path, sizeof(path), "%s/driver_override", dir);
	if (!ret)
		ret = read_line(path, d->driver_override,
				sizeof(d->driver_override));
	if (ret == -ENAMETOOLONG)
		return ret;
	if (ret || !strcmp(d->driver_override, "(null)"))
		d->driver_override[0] = '\0';
	return err;
}

static int vfio_cdev_name(const char *dir, char *buf, size_t len);

int sysfs_dev_read(enum sysfs_bus bus, const char *name,
		   struct sysfs_dev *d)
{
	char dir[PATH_LEN];
	int ret;

	*d = (struct sysfs_dev){ .bus = bus, .group = -1 };
	snprintf(d->name, sizeof(d->name), "%s", name);
	sysfs_dev_dir(bus, name, dir, sizeof(dir));
	ret = exists(dir);
	if (ret)
		return ret == -ENAMETOOLONG ? ret : -ENOENT;
	if ((ret = dev_link(dir, "driver", d->driver, sizeof(d->driver))) ||
	    (ret = group_number(dir, &d->group)) ||
	    (ret = vfio_cdev_name(dir, d->cdev, sizeof(d->cdev))))
		return ret;
	if (bus == SYSFS_MDEV)
		return dev_link(dir, "mdev_type", d->mdev_type,
				sizeof(d->mdev_type));
	return read_pci_ids(dir, d);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory, sorted, in a NULL-terminated array. */
static char **dir_names(const char *path, int *err)
{
	char full[PATH_LEN];
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0;
	DIR *dir;

	*err = rooted(full, sizeof(full), path);
	if (*err)
		return NULL;
	dir = opendir(full);
	if (!dir) {
		*err = -errno;
		return NULL;
	}
	*err = 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		grown = realloc(names, (n + 2) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			*err = -ENOMEM;
			break;
		}
		names = grown;
		names[++n] = NULL;
	}
	closedir(dir);
	if (names)
		qsort(names, n, sizeof(*names), cmp_names);
	return names;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/*
 * The device's VFIO device file, if the kernel made one: a directory
 * vfio-dev/vfioN under the device's own with a dev attribute, its char
 * device's number (drivers/vfio/device_cdev.c, Documentation/driver-api/
 * vfio.rst "VFIO device cdev"); "" when there is none, because the kernel
 * lacks VFIO_DEVICE_CDEV or no VFIO driver holds the device. Since 6.1
 * every VFIO device has vfio-dev/vfioN (its struct device), so the
 * directory alone says nothing: without the device files it has no dev.
 */
static int vfio_cdev_name(const char *dir, char *buf, size_t len)
{
	char path[PATH_LEN], **names;
	unsigned int n;
	char end;
	int err;

	buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/vfio-dev", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	names = dir_names(path, &err);
	if (err == -ENOENT || err == -ENOTDIR)
		err = 0;
	for (size_t i = 0; !err && names && names[i]; i++) {
		if (sscanf(names[i], "vfio%u%c", &n, &end) != 1)
			continue;
		err = fmt_path(path, sizeof(path), "%s/vfio-dev/vfio%u/dev",
			       dir, n);
		if (!err && !exists(path))
			snprintf(buf, len, "vfio%u", n);
		break;
	}
	free_names(names);
	return err;
}

static int for_each_name(const char *path, sysfs_dev_fn fn, void *arg)
{
	struct sysfs_dev d;
	enum sysfs_bus bus;
	char norm[SYSFS_NAME_LEN];
	int err, ret = 0;
	char **names = dir_names(path, &err);

	for (size_t i = 0; !ret && !err && names && names[i]; i++) {
		if (sysfs_name_parse(names[i], norm, sizeof(norm), &bus))
			continue;
		/* A device gone or half there is skipped; a path too long
		 * for one is too long for all. */
		ret = sysfs_dev_read(bus, names[i], &d);
		if (ret)
			err = ret == -ENAMETOOLONG ? ret : 0;
		ret = ret ? 0 : fn(&d, arg);
	}
	free_names(names);
	return err ? err : ret;
}

int sysfs_for_each_dev(enum sysfs_bus bus, sysfs_dev_fn fn, void *arg)
{
	return for_each_name(bus_dir[bus], fn, arg);
}

int sysfs_for_each_group_dev(int group, sysfs_dev_fn fn, void *arg)
{
	char path[PATH_LEN];
	int ret = fmt_path(path, sizeof(path),
			   "/sys/kernel/iommu_groups/%d/devices", group);

	return ret ? ret : for_each_name(path, fn, arg);
}

/* ---- IOMMU groups, modules, capabilities ---- */

void sysfs_group_file(int group, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/vfio/%d", group);
}

void sysfs_cdev_file(const char *cdev, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/vfio/devices/%s", cdev);
}

int sysfs_stat(const char *path, struct stat *st)
{
	char full[PATH_LEN];
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	return stat(full, st) < 0 ? -errno : 0;
}

int sysfs_access_rw(const char *path)
{
	char full[PATH_LEN];
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	return access(full, R_OK | W_OK) < 0 ? -errno : 0;
}

int sysfs_access_w(const char *path)
{
	char full[PATH_LEN];
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	return faccessat(AT_FDCWD, full, W_OK, AT_EACCESS) < 0 ? -errno : 0;
}

int sysfs_chown(const char *path, uid_t uid)
{
	char full[PATH_LEN];
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	return chown(full, uid, (gid_t)-1) < 0 ? -errno : 0;
}

int sysfs_iommu_group_count(void)
{
	int err, n = 0;
	char **names = dir_names("/sys/kernel/iommu_groups", &err);

	while (names && names[n])
		n++;
	free_names(names);
	return n;
}

bool sysfs_module_loaded(const char *module)
{
	char path[PATH_LEN];

	return !fmt_path(path, sizeof(path), "/sys/module/%s", module) &&
	       !exists(path);
}

bool sysfs_pci_driver_exists(const char *driver)
{
	char path[PATH_LEN];

	return !fmt_path(path, sizeof(path), "/sys/bus/pci/drivers/%s",
			 driver) &&
	       !exists(path);
}

#define CAP_IPC_LOCK_BIT	14

bool sysfs_cap_ipc_lock(void)
{
	char full[PATH_LEN], line[256];
	bool has = false;
	FILE *f;

	if (rooted(full, sizeof(full), "/proc/self/status"))
		return false;
	f = fopen(full, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CapEff:", 7)) {
			has = (strtoull(line + 7, NULL, 16) >> CAP_IPC_LOCK_BIT) & 1;
			break;
		}
	}
	fclose(f);
	return has;
}

/* ---- the host: its kernel, modules, CPU and firmware ---- */

/* word is one of the blank-separated words of line. */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	const char *p = line;

	if (!n)
		return false;
	for (; (p = strstr(p, word)); p += n)
		if ((p == line || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
	return false;
}

/* Some line of a file under the root matches: 1, 0 or -errno. */
static int any_line(const char *path,
		    bool (*match)(const char *line, const void *what),
		    const void *what)
{
	char full[PATH_LEN];
	char *line = NULL;
	size_t size = 0;
	int found = rooted(full, sizeof(full), path);
	FILE *f;

	if (found)
		return found;
	f = fopen(full, "re");
	if (!f)
		return -errno;
	while (!found && getline(&line, &size, f) >= 0)
		found = match(line, what);
	/* A list read halfway would call a module missing. */
	if (!found && ferror(f))
		found = -EIO;
	free(line);
	fclose(f);
	return found;
}

int sysfs_kernel_release(char *buf, size_t len)
{
	int ret = read_line("/proc/sys/kernel/osrelease", buf, len);

	if (!ret && !buf[0])
		ret = -ENOENT;
	if (ret)
		buf[0] = '\0';
	return ret;
}

/* Module names, n bytes of a and all of b: '-' and '_' are one. */
static bool same_module(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n && b[i]; i++)
		if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
			return false;
	return i == n && !b[i];
}

/*
 * A line of modules.builtin ("kernel/drivers/vfio/vfio.ko") or
 * modules.dep ("kernel/drivers/vfio/vfio.ko.zst: DEPS") is module's.
 */
static bool module_line(const char *line, const void *module)
{
	size_t field = strcspn(line, ": \t\n");
	const char *base = line;

	for (size_t i = 0; i < field; i++)
		if (line[i] == '/')
			base = line + i + 1;
	return same_module(base, strcspn(base, ".: \t\n"), module);
}

static int modules_list(const char *release, const char *list,
			const char *module)
{
	char path[PATH_LEN];
	int ret = fmt_path(path, sizeof(path), "/lib/modules/%s/%s", release,
			   list);

	return ret ? ret : any_line(path, module_line, module);
}

enum sysfs_mod_kind sysfs_module_kind(const char *module)
{
	char release[SYSFS_NAME_LEN * 2];
	int builtin, dep;

	/* The release names a directory: it must not climb out of it. */
	if (sysfs_kernel_release(release, sizeof(release)) ||
	    release[0] == '.' || strchr(release, '/'))
		return SYSFS_MOD_UNKNOWN;
	builtin = modules_list(release, "modules.builtin", module);
	if (builtin > 0)
		return SYSFS_MOD_BUILTIN;
	dep = modules_list(release, "modules.dep", module);
	if (dep > 0)
		return SYSFS_MOD_FILE;
	return !builtin && !dep ? SYSFS_MOD_NONE : SYSFS_MOD_UNKNOWN;
}

static bool word_line(const char *line, const void *word)
{
	return has_word(line, word);
}

bool sysfs_cmdline_has(const char *word)
{
	return any_line("/proc/cmdline", word_line, word) > 0;
}

/* x86's "flags\t\t: fpu vme ... hypervisor" line holding flag. */
static bool flags_line(const char *line, const void *flag)
{
	const char *colon = strchr(line, ':');

	return !strncmp(line, "flags", 5) && colon &&
	       line[5 + strspn(line + 5, " \t")] == ':' &&
	       has_word(colon + 1, flag);
}

bool sysfs_cpu_flag(const char *flag)
{
	return any_line("/proc/cpuinfo", flags_line, flag) > 0;
}

int sysfs_dmi_vendor(char *buf, size_t len)
{
	int ret = read_line("/sys/class/dmi/id/sys_vendor", buf, len);
	size_t n = ret ? 0 : strlen(buf);

	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		n--;
	if (len)
		buf[n] = '\0';
	return ret ? ret : n ? 0 : -ENOENT;
}

/* ---- what a device is in use for ---- */

int sysfs_for_each_class_dev(const char *cls, const char *bdf,
			     sysfs_name_fn fn, void *arg)
{
	char dir[PATH_LEN], path[PATH_LEN], target[PATH_LEN];
	char needle[SYSFS_NAME_LEN + 2];
	int err, ret = 0;
	char **names;

	err = fmt_path(dir, sizeof(dir), "/sys/class/%s", cls);
	if (err)
		return err;
	snprintf(needle, sizeof(needle), "/%s/", bdf);
	names = dir_names(dir, &err);
	if (err == -ENOENT)
		err = 0;
	for (size_t i = 0; !ret && !err && names && names[i]; i++) {
		err = fmt_path(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!err)
			err = read_link(path, target, sizeof(target));
		if (err && err != -ENAMETOOLONG)
			err = 0;	/* not a link: not a device */
		else if (!err && strstr(target, needle))
			ret = fn(names[i], arg);
	}
	free_names(names);
	return err ? err : ret;
}

#define IFF_UP_BIT	0x1	/* <net/if.h>, which clashes with <linux/if.h> */

int sysfs_net_up(const char *ifname, bool *up)
{
	char path[PATH_LEN];
	unsigned long flags = 0;
	int err = fmt_path(path, sizeof(path), "/sys/class/net/%s/flags",
			   ifname);

	if (!err)
		flags = read_hex(path, &err);
	*up = !err && (flags & IFF_UP_BIT);
	return err;
}

/* /proc/net/route prints addresses as the hex of their in-memory bytes. */
static void ipv4(uint32_t v, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&v;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/*
 * The lines of a file under the root that match() turns into an item (it
 * returns true), as a list in buf. Returns how many, 0 when the file does
 * not exist, or -errno. Lines are read whole however long: a long mount
 * point cut in two would make its tail pass for a line of its own.
 */
static int list_lines(const char *path,
		      bool (*match)(char *line, const void *what, char *item,
				    size_t len),
		      const void *what, char *buf, size_t len)
{
	char full[PATH_LEN], item[800];
	char *line = NULL;
	size_t size = 0;
	int count = 0;
	FILE *f;

	buf[0] = '\0';
	if (rooted(full, sizeof(full), path))
		return -ENAMETOOLONG;
	f = fopen(full, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &size, f) >= 0) {
		if (!match(line, what, item, sizeof(item)))
			continue;
		errmsg_list_add(buf, len, item);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

/* A route of /proc/net/route through interface ifname: "DST/BITS [via GW]". */
static bool route_of(char *line, const void *ifname, char *item, size_t len)
{
	unsigned int d, g, flags, mask;
	char dev[64], dst[16], gw[16];
	size_t n;

	if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", dev, &d, &g, &flags,
		   &mask) != 5 || strcmp(dev, ifname))
		return false;
	ipv4(d, dst, sizeof(dst));
	ipv4(g, gw, sizeof(gw));
	if (!d && !mask)
		snprintf(item, len, "default");
	else
		snprintf(item, len, "%s/%d", dst, __builtin_popcount(mask));
	n = strlen(item);
	if (g && n < len)
		snprintf(item + n, len - n, " via %s", gw);
	return true;
}

int sysfs_net_routes(const char *ifname, char *buf, size_t len)
{
	return list_lines("/proc/net/route", route_of, ifname, buf, len);
}

/* ---- block devices: what is stacked on them, mounted, swapped on ---- */

/* One name of a directory, as sysfs and /dev have them: not "..". */
static bool is_file_name(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') &&
	       strlen(name) < SYSFS_NAME_LEN;
}

/* Block device NAME's file FILE: "/sys/class/block/NAME/FILE". */
static int block_path(char *buf, size_t len, const char *name,
		      const char *file)
{
	if (!is_file_name(name))
		return -EINVAL;
	return fmt_path(buf, len, "/sys/class/block/%s/%s", name, file);
}

int sysfs_block_dm_name(const char *name, char *buf, size_t len)
{
	char path[PATH_LEN];
	int ret = block_path(path, sizeof(path), name, "dm/name");

	buf[0] = '\0';
	if (!ret)
		ret = read_line(path, buf, len);
	if (ret == -ENOENT)
		return 0;	/* not a device-mapper device */
	if (ret)
		buf[0] = '\0';
	return ret;
}

int sysfs_for_each_holder(const char *name, sysfs_name_fn fn, void *arg)
{
	char path[PATH_LEN];
	int err, ret = 0;
	char **names = NULL;

	err = block_path(path, sizeof(path), name, "holders");
	if (!err)
		names = dir_names(path, &err);
	if (err == -ENOENT)
		err = 0;
	for (size_t i = 0; !ret && !err && names && names[i]; i++)
		ret = fn(names[i], arg);
	free_names(names);
	return err ? err : ret;
}

/*
 * The block device "/" is on, "" when it is on none (tmpfs, overlayfs,
 * btrfs' anonymous devices): /proc/self/mounts calls it "/dev/root" when
 * the kernel mounted it from root= alone. stat("/") gives its device
 * number, which /sys/dev/block/MAJ:MIN links to the device. Under a fake
 * root the stat is of the tree's directory, so a test links the number
 * of that directory's file system to the device it pretends "/" is on:
 * the same code reads both. (The device nodes in /dev would tell it too,
 * but a fake tree cannot make them.)
 */
static int root_blockdev(char *buf, size_t len)
{
	char path[PATH_LEN];
	struct stat st;
	int ret = sysfs_stat("/", &st);

	buf[0] = '\0';
	if (!ret)
		ret = fmt_path(path, sizeof(path), "/sys/dev/block/%u:%u",
			       major(st.st_dev), minor(st.st_dev));
	return ret ? ret : link_name(path, buf, len);
}

/* The names a block device goes by in /proc/self/mounts and /proc/swaps. */
struct block_names {
	char dev[SYSFS_NAME_LEN + 8];		/* /dev/NAME */
	char mapper[SYSFS_NAME_LEN * 2 + 16];	/* /dev/mapper/DM, or "" */
	bool root;				/* /dev/root too */
};

static int block_names(const char *name, struct block_names *n)
{
	char dm[SYSFS_NAME_LEN * 2], rootdev[SYSFS_NAME_LEN] = "";
	int ret;

	*n = (struct block_names){ .mapper = "" };
	if (!is_file_name(name))
		return -EINVAL;
	snprintf(n->dev, sizeof(n->dev), "/dev/%s", name);
	ret = sysfs_block_dm_name(name, dm, sizeof(dm));
	if (!ret && dm[0])
		snprintf(n->mapper, sizeof(n->mapper), "/dev/mapper/%s", dm);
	if (!ret)
		ret = root_blockdev(rootdev, sizeof(rootdev));
	n->root = !strcmp(rootdev, name);
	return ret;
}

static bool named(const char *src, const struct block_names *n)
{
	return !strcmp(src, n->dev) ||
	       (n->mapper[0] && !strcmp(src, n->mapper)) ||
	       (n->root && !strcmp(src, "/dev/root"));
}

/*
 * The kernel writes a space, tab, newline and backslash of a path in
 * /proc/self/mounts and /proc/swaps as \ooo: undo it, in place.
 */
static void unmangle(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
					(s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/*
 * A line of /proc/self/mounts ("SOURCE DIR ...") or /proc/swaps
 * ("FILENAME TYPE ...") whose first field is the device: item gets the
 * second, both unmangled.
 */
static bool device_line(char *line, const void *names, char *item,
			size_t len)
{
	char *save, *dev, *second;

	dev = strtok_r(line, " \t\n", &save);
	second = dev ? strtok_r(NULL, " \t\n", &save) : NULL;
	if (!second)
		return false;
	unmangle(dev);
	if (!named(dev, names))
		return false;
	unmangle(second);
	snprintf(item, len, "%s", second);
	return true;
}

/* The lines of a /proc file that name the device. */
static int device_lines(const char *path, const char *blockdev, char *buf,
			size_t len)
{
	struct block_names n;
	int ret = block_names(blockdev, &n);

	buf[0] = '\0';
	return ret ? ret : list_lines(path, device_line, &n, buf, len);
}

int sysfs_mounts(const char *blockdev, char *buf, size_t len)
{
	return device_lines("/proc/self/mounts", blockdev, buf, len);
}

int sysfs_swaps(const char *blockdev)
{
	char types[256];
	int ret = device_lines("/proc/swaps", blockdev, types, sizeof(types));

	return ret < 0 ? ret : ret > 0;
}

/* ---- binding ---- */

/* Write val to the file of a PCI device's directory. */
static int write_dev(const char *bdf, const char *file, const char *val)
{
	char dir[PATH_LEN], path[PATH_LEN];
	int ret;

	sysfs_dev_dir(SYSFS_PCI, bdf, dir, sizeof(dir));
	ret = fmt_path(path, sizeof(path), "%s/%s", dir, file);
	return ret ? ret : write_val(path, val);
}

/* The driver a PCI device is bound to, "" when none. */
static int bound_driver(const char *bdf, char *buf, size_t len)
{
	char dir[PATH_LEN];

	sysfs_dev_dir(SYSFS_PCI, bdf, dir, sizeof(dir));
	return dev_link(dir, "driver", buf, len);
}

int sysfs_set_override(const char *bdf, const char *driver)
{
	return write_dev(bdf, "driver_override", driver[0] ? driver : "\n");
}

int sysfs_unbind_driver(const char *bdf)
{
	char now[SYSFS_NAME_LEN];
	int ret = bound_driver(bdf, now, sizeof(now));

	if (ret || !now[0])
		return ret;
	return write_dev(bdf, "driver/unbind", bdf);
}

int sysfs_drivers_probe(const char *bdf)
{
	return write_val("/sys/bus/pci/drivers_probe", bdf);
}

int sysfs_bind(const char *bdf, const char *driver)
{
	char now[SYSFS_NAME_LEN];
	int ret = sysfs_set_override(bdf, driver);

	if (!ret)
		ret = bound_driver(bdf, now, sizeof(now));
	if (ret || !strcmp(now, driver))
		return ret;
	ret = sysfs_unbind_driver(bdf);
	if (!ret)
		ret = sysfs_drivers_probe(bdf);
	if (!ret)
		ret = bound_driver(bdf, now, sizeof(now));
	if (ret)
		return ret;
	return strcmp(now, driver) ? -EBUSY : 0;
}

int sysfs_unbind(const char *bdf)
{
	int ret = sysfs_unbind_driver(bdf);

	return ret ? ret : sysfs_set_override(bdf, "");
}
