// SPDX-License-Identifier: BSD-3-Clause
/*
 * revere-vfio-bind: bind PCI devices to vfio-pci for revere-vfio-demo, and
 * give them back (bind.h does the work; this file parses the command line,
 * prints and chooses the exit status).
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "closeout.h"
#include "sysfs.h"
#include "version.h"

#define PROG		"revere-vfio-bind"
#define EXIT_USAGE	2

enum { OPT_VERSION = 256, OPT_UNBIND, OPT_FORCE, OPT_GROUP, OPT_DRY_RUN };

static const struct option options[] = {
	{ "unbind", no_argument, NULL, OPT_UNBIND },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage: " PROG " [--force] [--group] [--dry-run] BDF...\n"
	       "       " PROG " --unbind [--dry-run] BDF...\n"
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
	       "      --dry-run  print what would be done, change nothing\n"
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
	fprintf(stderr, "; see " PROG " --help\n");
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
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct bind_opts o = { .modprobe = getenv("REVERE_MODPROBE") };
	const struct bind_out out = { .say = say };
	char name[SYSFS_NAME_LEN];
	enum sysfs_bus bus;
	bool unbind = false;
	int opt, status = 0;

	closeout_at_exit(PROG);
	if (o.modprobe && !o.modprobe[0])
		o.modprobe = NULL;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_UNBIND: unbind = true; break;
		case OPT_FORCE: o.force = true; break;
		case OPT_GROUP: o.group = true; break;
		case OPT_DRY_RUN: o.dry_run = true; break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			version_print(stdout, PROG);
			return 0;
		default:
			return usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage("%sno device given: pass the PCI address of each device to bind",
			     "");
	if (unbind && (o.force || o.group))
		return usage("%s", o.force ? "--force goes with binding, not --unbind"
				  : "--group goes with binding, not --unbind");
	/* Every name before any action: a typo changes nothing. */
	for (int i = optind; i < argc; i++) {
		if (sysfs_name_parse(argv[i], name, sizeof(name), &bus) ||
		    bus != SYSFS_PCI)
			return usage("'%s' is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F (lspci -D lists them)",
				     argv[i]);
	}
	for (int i = optind; i < argc; i++) {
		struct errmsg e = { .err = 0 };
		int ret;

		sysfs_name_parse(argv[i], name, sizeof(name), &bus);
		ret = unbind ? bind_undo(&o, &out, name, &e)
			     : bind_device(&o, &out, name, &e);
		if (ret) {
			fprintf(stderr, PROG ": %s\n", e.msg);
			status = 1;
		}
	}
	return status;
}
