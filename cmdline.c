// SPDX-License-Identifier: BSD-3-Clause
#include "cmdline.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_VFIO_GROUP = 0x100,
	OPT_DEVICE,
	OPT_SIM,
	OPT_PACKETS,
	OPT_TIMEOUT,
	OPT_LOOPBACK,
	OPT_NO_MMAP,
	OPT_WAIT,
	OPT_SPIN_US,
	OPT_TRACE,
	OPT_QUEUE_DEPTH,
	OPT_JSON,
	OPT_VERSION,
	OPT_LIST,
	OPT_CHECK,
	OPT_IOMMU,
	OPT_VFIO_USER,
};

static const struct option long_options[] = {
	{ .name = "vfio-group", .has_arg = required_argument, .val = OPT_VFIO_GROUP },
	{ .name = "device", .has_arg = required_argument, .val = OPT_DEVICE },
	{ .name = "iommu", .has_arg = required_argument, .val = OPT_IOMMU },
	{ .name = "vfio-user", .has_arg = required_argument, .val = OPT_VFIO_USER },
	{ .name = "list", .has_arg = no_argument, .val = OPT_LIST },
	{ .name = "check", .has_arg = no_argument, .val = OPT_CHECK },
	{ .name = "sim", .has_arg = no_argument, .val = OPT_SIM },
	{ .name = "packets", .has_arg = required_argument, .val = OPT_PACKETS },
	{ .name = "timeout", .has_arg = required_argument, .val = OPT_TIMEOUT },
	{ .name = "loopback", .has_arg = no_argument, .val = OPT_LOOPBACK },
	{ .name = "no-mmap", .has_arg = no_argument, .val = OPT_NO_MMAP },
	{ .name = "wait", .has_arg = required_argument, .val = OPT_WAIT },
	{ .name = "spin-us", .has_arg = required_argument, .val = OPT_SPIN_US },
	{ .name = "queue-depth", .has_arg = required_argument, .val = OPT_QUEUE_DEPTH },
	{ .name = "json", .has_arg = no_argument, .val = OPT_JSON },
	{ .name = "trace", .has_arg = no_argument, .val = OPT_TRACE },
	{ .name = "verbose", .has_arg = no_argument, .val = 'v' },
	{ .name = "quiet", .has_arg = no_argument, .val = 'q' },
	{ .name = "help", .has_arg = no_argument, .val = 'h' },
	{ .name = "version", .has_arg = no_argument, .val = OPT_VERSION },
	{ 0 },
};

void cmdline_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --device NAME [--vfio-group PATH] [options]\n"
		"       %s --vfio-user PATH [options]\n"
		"       %s --check --device NAME | --vfio-user PATH\n"
		"       %s --list [--vfio-user PATH]\n"
		"       %s --sim [options]\n"
		"\n"
		"Drive a Revere-AMU PF (13b5:ff81) bound to vfio-pci: set up the\n"
		"inversion accelerator (AHA 0), send messages through it and check\n"
		"that every byte comes back inverted.\n"
		"\n"
		"  --device NAME      the device: PCI address DDDD:BB:DD.F or BB:DD.F, or mdev\n"
		"                     UUID; its IOMMU group comes from sysfs\n"
		"  --vfio-group PATH  VFIO group file (/dev/vfio/N), instead of sysfs's\n"
		"  --iommu KIND       the kernel's interface to the device: type1 (its\n"
		"                     group file), iommufd (its device file and /dev/iommu)\n"
		"                     or auto (the default: iommufd where it can be used,\n"
		"                     else type1; with --sim, type1)\n"
		"  --vfio-user PATH   the device is served over vfio-user on this UNIX socket\n"
		"                     (a device model in another process; no root needed)\n"
		"  --check            check that the device is ready for a run, and exit\n"
		"  --list             list Revere PFs, vfio-pci devices, mdevs, system state\n"
		"  --sim              run on the simulated Revere-AMU (no root, no hardware)\n"
		"  --packets N        messages to exchange, 1 to %" PRIu64 " (default %d)\n"
		"  --timeout MS       wait for a response or a message, 1 to %u ms\n"
		"                     (default %d, with --sim or --vfio-user %d)\n"
		"  --loopback         one session AMI-SW 0 TX AMS 0 -> RX AMS 0: data comes\n"
		"                     back unchanged, no accelerator involved\n"
		"  --no-mmap          reach BAR0 through pread/pwrite (over vfio-user: by\n"
		"                     messages) even where it could be mapped\n"
		"  --wait MODE        how to wait for the device: poll (spin on its index\n"
		"                     registers, the default), irq (block on MSI-X\n"
		"                     interrupts) or hybrid (spin, then block)\n"
		"  --spin-us US       hybrid: spin this long before blocking, 0 to %u us\n"
		"                     (default %d)\n"
		"  --queue-depth N    at most N messages in flight (sent, not yet verified),\n"
		"                     1 to %u (default %u, the ring size)\n"
		"  --json             print the summary as one JSON object on stdout, the\n"
		"                     step lines on stderr\n"
		"  --trace            print every management command and response on stderr\n"
		"  -v, --verbose      also print identification and probe results\n"
		"  -q, --quiet        print errors only\n"
		"  -h, --help         print this help and exit\n"
		"      --version      print the version and exit\n"
		"\n"
		"Exit status: 0 every message verified, 1 runtime failure, 2 usage error,\n"
		"128+N interrupted by signal N and torn down cleanly.\n",
		prog, prog, prog, prog, prog, UINT64_MAX, CMDLINE_DEFAULT_PACKETS,
		CMDLINE_MAX_TIMEOUT_MS, CMDLINE_DEFAULT_TIMEOUT_MS,
		CMDLINE_SIM_TIMEOUT_MS,
		CMDLINE_MAX_SPIN_US, CMDLINE_DEFAULT_SPIN_US,
		CMDLINE_MAX_QUEUE_DEPTH, CMDLINE_MAX_QUEUE_DEPTH);
}

/* A whole decimal number in [min, max]: no sign, no blanks, no garbage. */
static int parse_u64(const char *opt, const char *s, uint64_t min,
		     uint64_t max, uint64_t *out, struct errmsg *err)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return errmsg_set(err, EINVAL, "%s: '%s' is not a positive whole number",
				   opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return errmsg_set(err, EINVAL, "%s: '%s' has trailing characters '%s'",
				   opt, s, end);
	if (errno == ERANGE || v > max || v < min)
		return errmsg_set(err, EINVAL,
				   "%s: %s is out of range (%" PRIu64 " to %" PRIu64 ")",
				   opt, s, min, max);
	*out = v;
	return 0;
}

static void set_defaults(struct cmdline *cl)
{
	*cl = (struct cmdline){
		.action = CMDLINE_RUN,
		.packets = CMDLINE_DEFAULT_PACKETS,
		.timeout_ms = 0,	/* none given: cmdline_parse() picks */
		.spin_us = CMDLINE_DEFAULT_SPIN_US,
		.queue_depth = CMDLINE_MAX_QUEUE_DEPTH,
		.verbosity = CMDLINE_NORMAL,
	};
}

/* The option as the user wrote it, for messages about it. */
static const char *bad_option(char *argv[], int c, char buf[3])
{
	if (c != '?' && c != ':')
		return "";
	if (optopt > 0 && optopt < 0x100) {
		buf[0] = '-';
		buf[1] = (char)optopt;
		buf[2] = '\0';
		return buf;
	}
	return argv[optind - 1];
}

/*
 * One of three names: its index in names[], or a usage error that lists
 * them as "what: a, b or c".
 */
static int parse_choice(const char *opt, const char *s,
			const char *const names[3], const char *what,
			unsigned int *out, struct errmsg *err)
{
	for (unsigned int i = 0; i < 3; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return errmsg_set(err, EINVAL, "%s: '%s' is not %s: %s, %s or %s",
			  opt, s, what, names[0], names[1], names[2]);
}

/* In the order of enum cmdline_wait and enum vfio_iommu_choice. */
static const char *const wait_names[3] = { "poll", "irq", "hybrid" };
static const char *const iommu_names[3] = { "auto", "type1", "iommufd" };

static int parse_one(struct cmdline *cl, int c, char *argv[],
		     struct errmsg *err)
{
	char opt[3];
	uint64_t v;
	unsigned int u = 0;
	int ret;

	switch (c) {
	case OPT_VFIO_GROUP:
		cl->vfio_group = optarg;
		return 0;
	case OPT_DEVICE:
		cl->device = optarg;
		return 0;
	case OPT_VFIO_USER:
		cl->vfio_user = optarg;
		return 0;
	case OPT_IOMMU:
		ret = parse_choice("--iommu", optarg, iommu_names,
				   "an IOMMU interface", &u, err);
		cl->iommu = (enum vfio_iommu_choice)u;
		return ret;
	case OPT_SIM:
		cl->sim = true;
		return 0;
	case OPT_LIST:
		cl->action = CMDLINE_LIST;
		return 0;
	case OPT_CHECK:
		cl->action = CMDLINE_CHECK;
		return 0;
	case OPT_PACKETS:
		return parse_u64("--packets", optarg, 1, UINT64_MAX,
				 &cl->packets, err);
	case OPT_TIMEOUT:
		ret = parse_u64("--timeout", optarg, 1, CMDLINE_MAX_TIMEOUT_MS,
				&v, err);
		cl->timeout_ms = (unsigned int)v;
		return ret;
	case OPT_LOOPBACK:
		cl->loopback = true;
		return 0;
	case OPT_NO_MMAP:
		cl->no_mmap = true;
		return 0;
	case OPT_WAIT:
		ret = parse_choice("--wait", optarg, wait_names, "a wait mode",
				   &u, err);
		cl->wait = (enum cmdline_wait)u;
		return ret;
	case OPT_SPIN_US:
		ret = parse_u64("--spin-us", optarg, 0, CMDLINE_MAX_SPIN_US,
				&v, err);
		cl->spin_us = (unsigned int)v;
		return ret;
	case OPT_QUEUE_DEPTH:
		ret = parse_u64("--queue-depth", optarg, 1,
				CMDLINE_MAX_QUEUE_DEPTH, &v, err);
		cl->queue_depth = (unsigned int)v;
		return ret;
	case OPT_JSON:
		cl->json = true;
		return 0;
	case OPT_TRACE:
		cl->trace = true;
		return 0;
	case 'v':
		if (cl->verbosity == CMDLINE_QUIET)
			return errmsg_set(err, EINVAL, "--verbose and --quiet cannot be used together");
		cl->verbosity = CMDLINE_VERBOSE;
		return 0;
	case 'q':
		if (cl->verbosity == CMDLINE_VERBOSE)
			return errmsg_set(err, EINVAL, "--verbose and --quiet cannot be used together");
		cl->verbosity = CMDLINE_QUIET;
		return 0;
	case 'h':
		cl->action = CMDLINE_HELP;
		return 0;
	case OPT_VERSION:
		cl->action = CMDLINE_VERSION;
		return 0;
	case ':':
		return errmsg_set(err, EINVAL, "%s: missing argument",
				   bad_option(argv, c, opt));
	default:
		return errmsg_set(err, EINVAL, "%s: unknown option",
				   bad_option(argv, c, opt));
	}
}

/* --device NAME, normalised: "01:00.0" is "0000:01:00.0". */
static int parse_device(struct cmdline *cl, struct errmsg *err)
{
	if (cl->device[0] == '\0')
		return errmsg_set(err, EINVAL, "--device: empty name");
	if (sysfs_name_parse(cl->device, cl->target.device,
			     sizeof(cl->target.device), &cl->bus))
		return errmsg_set(err, EINVAL,
				  "--device: '%s' is not a device name: expected %s",
				  cl->device, SYSFS_NAME_FORMS);
	cl->device = cl->target.device;
	return 0;
}

/*
 * --vfio-user PATH: the socket is the device, by its path; the kernel's
 * ways to the device do not apply.
 */
static int parse_vfio_user(struct cmdline *cl, struct errmsg *err)
{
	if (cl->sim || cl->vfio_group || cl->device || cl->iommu)
		return errmsg_set(err, EINVAL,
				  "--vfio-user: cannot be used with --sim, --device, --vfio-group or --iommu (the socket is the device)");
	if (cl->vfio_user[0] == '\0')
		return errmsg_set(err, EINVAL, "--vfio-user: empty path");
	cl->target.kind = VFIO_TARGET_USER;
	if (!vfio_target_set_path(&cl->target, cl->vfio_user) ||
	    !vfio_target_set_device(&cl->target, cl->vfio_user))
		return errmsg_set(err, EINVAL,
				  "--vfio-user: path longer than %zu bytes",
				  sizeof(cl->target.device) - 1);
	return 0;
}

/* Options that are fine alone but not together, or missing. */
static int check_combination(struct cmdline *cl, struct errmsg *err)
{
	if (cl->vfio_user)
		return parse_vfio_user(cl, err);
	if (cl->action == CMDLINE_LIST &&
	    (cl->sim || cl->vfio_group || cl->device || cl->iommu))
		return errmsg_set(err, EINVAL,
				  "--list: cannot be used with --device, --vfio-group, --iommu or --sim");
	if (cl->action == CMDLINE_LIST)
		return 0;
	if (cl->sim && (cl->vfio_group || cl->device))
		return errmsg_set(err, EINVAL,
				   "--sim: cannot be used with --vfio-group or --device");
	if (cl->sim && cl->action == CMDLINE_CHECK)
		return errmsg_set(err, EINVAL,
				  "--check: cannot be used with --sim (the simulated device is always ready)");
	if (cl->sim)
		return 0;
	/* --check has nothing to check on --sim: do not suggest it there. */
	if (!cl->device && cl->action == CMDLINE_CHECK)
		return errmsg_set(err, EINVAL,
				  "--device: missing (--check needs the device to check: --device NAME, or --vfio-user PATH for a device served over a socket; --list to see the devices)");
	if (!cl->device)
		return errmsg_set(err, EINVAL,
				  "--device: missing (or use --sim to run on the simulated device, --vfio-user PATH for a device served over a socket, --list to see the devices)");
	/* A group file is the type1 interface's: iommufd has none. */
	if (cl->vfio_group && cl->iommu == VFIO_IOMMU_IOMMUFD)
		return errmsg_set(err, EINVAL,
				  "--vfio-group: cannot be used with --iommu iommufd, which opens the device file (/dev/vfio/devices/vfioN) instead");
	if (cl->vfio_group && cl->vfio_group[0] == '\0')
		return errmsg_set(err, EINVAL, "--vfio-group: empty path");
	if (cl->vfio_group && !vfio_target_set_path(&cl->target, cl->vfio_group))
		return errmsg_set(err, EINVAL,
				  "--vfio-group: path longer than %zu bytes",
				  sizeof(cl->target.path) - 1);
	return parse_device(cl, err);
}

int cmdline_parse(struct cmdline *cl, int argc, char *argv[],
		  struct errmsg *err)
{
	int c, ret;

	set_defaults(cl);
	opterr = 0;		/* our own messages, one line each */
	/*
	 * 0, not 1: glibc then forgets the rest of a cluster such as "-hq"
	 * that an earlier parse stopped in, and every call starts afresh.
	 */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":vqh", long_options, NULL)) != -1) {
		ret = parse_one(cl, c, argv, err);
		if (ret)
			return ret;
		if (cl->action == CMDLINE_HELP || cl->action == CMDLINE_VERSION)
			return 0;
	}
	if (optind < argc)
		return errmsg_set(err, EINVAL, "'%s': unexpected argument",
				   argv[optind]);
	if (!cl->timeout_ms)
		cl->timeout_ms = cl->sim || cl->vfio_user ? CMDLINE_SIM_TIMEOUT_MS :
				 CMDLINE_DEFAULT_TIMEOUT_MS;
	return check_combination(cl, err);
}
