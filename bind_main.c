// SPDX-License-Identifier: BSD-3-Clause
/*
 * revere-vfio-bind: bind PCI devices to vfio-pci for revere-vfio-demo, and
 * give them back (bind.h does the work; this file parses the command line,
 * prints and chooses the exit status).
 */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "closeout.h"
#include "revere_dev.h"
#include "sysfs.h"
#include "version.h"

#define PROG		"revere-vfio-bind"
#define EXIT_USAGE	2

enum {
	OPT_VERSION = 256, OPT_UNBIND, OPT_FORCE, OPT_GROUP, OPT_DRY_RUN,
	OPT_STATUS, OPT_USER, OPT_INSTALL_RULES,
};

static const struct option options[] = {
	{ "unbind", no_argument, NULL, OPT_UNBIND },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "install-rules", no_argument, NULL, OPT_INSTALL_RULES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage: " PROG " [--force] [--group] [--user NAME [--install-rules]]\n"
	       "                        [--dry-run] BDF...\n"
	       "       " PROG " --unbind [--dry-run] BDF...\n"
	       "       " PROG " --status\n"
	       "Bind PCI devices to vfio-pci (driver_override, unbind,\n"
	       "drivers_probe; modprobe vfio-pci first if it is not loaded), or\n"
	       "with --unbind clear the override and give them back to the\n"
	       "kernel's own driver. BDF is DDDD:BB:DD.F or BB:DD.F.\n"
	       "\n"
	       "      --unbind   give the devices back instead\n"
	       "      --force    bind a device in use (an up interface, a route,\n"
	       "                 a mounted file system, swap, LVM, LUKS or md on\n"
	       "                 a disk)\n"
	       "      --group    also bind the other devices of the IOMMU group\n"
	       "                 that are bound to other drivers\n"
	       "      --user NAME  after the bind, give NAME the group file\n"
	       "                 /dev/vfio/N (and the device file and /dev/iommu\n"
	       "                 with iommufd), and print the locked-memory limit\n"
	       "                 revere-vfio-demo needs and the udev rules and\n"
	       "                 limits.d line that keep both after a reboot\n"
	       "      --install-rules  with --user: write those lines into\n"
	       "                 udev's rules.d and limits.d instead\n"
	       "      --dry-run  print what would be done, change nothing\n"
	       "      --status   list every PCI device: its driver, the drivers\n"
	       "                 that could take it, its IOMMU group, what uses it\n"
	       "  -h, --help     print this help and exit\n"
	       "      --version  print the version and exit\n"
	       "\n"
	       "Exit status: 0 done (already done too), 1 a refusal or failure,\n"
	       "2 a usage error.\n");
}

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; see `" PROG " --help`\n");
	return EXIT_USAGE;
}

static void say(void *arg, const char *fmt, ...)
{
	va_list ap;

	(void)arg;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	closeout_flush(stdout);
}

/*
 * The command line without --dry-run, for "run it as root: `sudo ...`":
 * the same run, for real.
 */
static const char *again(int argc, char **argv, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, PROG);

	for (int i = 1; i < argc && n < len; i++)
		if (strcmp(argv[i], "--dry-run"))
			n += (size_t)snprintf(buf + n, len - n, " %s", argv[i]);
	return buf;
}

/* An address given twice is acted on once: the first time. */
static bool given_before(char **argv, int first, int i, const char *name)
{
	char other[SYSFS_NAME_LEN];
	enum sysfs_bus bus;

	for (int j = first; j < i; j++)
		if (!sysfs_name_parse(argv[j], other, sizeof(other), &bus) &&
		    !strcmp(other, name))
			return true;
	return false;
}

/* --user NAME: a user of this system. */
static int set_user(struct bind_opts *o, const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (!pw)
		return usage("--user: no user '%s' on this system (getent passwd lists them)",
			     name);
	o->user = name;
	o->uid = pw->pw_uid;
	return 0;
}

static int print_status(void)
{
	const struct bind_out out = { .say = say };
	struct errmsg e = { .err = 0 };

	if (!bind_status(&out, &e))
		return 0;
	fprintf(stderr, PROG ": --status: %s\n", e.msg);
	return 1;
}

/* Every name before any action: a typo changes nothing. */
static int check_names(int argc, char **argv)
{
	char name[SYSFS_NAME_LEN];
	enum sysfs_bus bus;

	for (int i = optind; i < argc; i++)
		if (sysfs_name_parse(argv[i], name, sizeof(name), &bus) ||
		    bus != SYSFS_PCI)
			return usage("'%s' is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F (`lspci -D` lists them)",
				     argv[i]);
	return 0;
}

int main(int argc, char **argv)
{
	struct bind_opts o = {
		.modprobe = getenv("REVERE_MODPROBE"),
		.memlock_need = revere_buffer_size(),
	};
	const struct bind_out out = { .say = say };
	char name[SYSFS_NAME_LEN], line[ERRMSG_LEN / 2];
	enum sysfs_bus bus;
	bool unbind = false, list = false;
	int opt, status = 0;

	closeout_at_exit(PROG);
	if (o.modprobe && !o.modprobe[0])
		o.modprobe = NULL;
	o.again = again(argc, argv, line, sizeof(line));
	opterr = 0;
	/* Options anywhere, as dpdk-devbind and the demo take them. */
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_UNBIND: unbind = true; break;
		case OPT_FORCE: o.force = true; break;
		case OPT_GROUP: o.group = true; break;
		case OPT_DRY_RUN: o.dry_run = true; break;
		case OPT_STATUS: list = true; break;
		case OPT_INSTALL_RULES: o.install_rules = true; break;
		case OPT_USER:
			if (set_user(&o, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			version_print(stdout, PROG);
			return 0;
		case ':':
			return usage("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (list && optind < argc)
		return usage("--status lists every device: '%s' is one too many",
			     argv[optind]);
	if (list)
		return print_status();
	if (optind == argc)
		return usage("%sno device given: pass the PCI address of each device to bind",
			     "");
	if (o.install_rules && !o.user)
		return usage("%s--install-rules writes the lines that keep --user NAME's access: give --user NAME",
			     "");
	if (unbind && (o.force || o.group || o.user))
		return usage("%s goes with binding, not --unbind",
			     o.force ? "--force" : o.group ? "--group" : "--user");
	if (check_names(argc, argv))
		return EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		struct errmsg e = { .err = 0 };
		int ret;

		sysfs_name_parse(argv[i], name, sizeof(name), &bus);
		if (given_before(argv, optind, i, name))
			continue;
		ret = unbind ? bind_undo(&o, &out, name, &e)
			     : bind_device(&o, &out, name, &e);
		if (ret) {
			fprintf(stderr, PROG ": %s\n", e.msg);
			status = 1;
		}
	}
	return status;
}
