// SPDX-License-Identifier: BSD-3-Clause
/*
 * cmdline_parse() as a library function: every call starts from a clean
 * getopt state, whatever the previous call left behind (a parse that
 * stopped inside a cluster of short options such as "-hq", or on an
 * error), so it can be called any number of times in one process.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static int parse(struct cmdline *cl, int argc, char *argv[])
{
	struct errmsg err = { .err = 0 };

	return cmdline_parse(cl, argc, argv, &err);
}

/* "-hq" stops at -h with "q" still unread in the old argv. */
static void test_after_cluster(void **state)
{
	char a0[] = "prog", a1[] = "-hq", b1[] = "--sim";
	char *first[] = { a0, a1, NULL };
	char *second[] = { a0, b1, NULL };
	struct cmdline cl;

	(void)state;
	assert_int_equal(parse(&cl, ARGC(first), first), 0);
	assert_int_equal(cl.action, CMDLINE_HELP);
	assert_int_equal(parse(&cl, ARGC(second), second), 0);
	assert_int_equal(cl.action, CMDLINE_RUN);
	assert_true(cl.sim);
	assert_int_equal(cl.verbosity, CMDLINE_NORMAL);
	/* The defaults: the ring size in flight, no JSON. */
	assert_int_equal(cl.queue_depth, CMDLINE_MAX_QUEUE_DEPTH);
	assert_false(cl.json);
}

/* An error in the middle of a cluster leaves getopt mid-word too. */
static void test_after_error(void **state)
{
	char a0[] = "prog", a1[] = "-vx", b1[] = "--sim", b2[] = "--packets",
	     b3[] = "7";
	char *first[] = { a0, a1, NULL };
	char *second[] = { a0, b1, b2, b3, NULL };
	struct cmdline cl;

	(void)state;
	assert_int_equal(parse(&cl, ARGC(first), first), -EINVAL);
	assert_int_equal(parse(&cl, ARGC(second), second), 0);
	assert_true(cl.sim);
	assert_int_equal(cl.packets, 7);
	assert_int_equal(cl.verbosity, CMDLINE_NORMAL);
}

/*
 * Field by field: padding bytes are not part of the answer, and a compound
 * literal leaves them as the stack had them (clang with ASan does).
 */
static void assert_cmdline_equal(const struct cmdline *a,
				 const struct cmdline *b)
{
	assert_int_equal(a->action, b->action);
	assert_ptr_equal(a->vfio_group, b->vfio_group);
	assert_ptr_equal(a->device, b->device);
	assert_int_equal(a->sim, b->sim);
	assert_int_equal(a->packets, b->packets);
	assert_int_equal(a->timeout_ms, b->timeout_ms);
	assert_int_equal(a->loopback, b->loopback);
	assert_int_equal(a->no_mmap, b->no_mmap);
	assert_int_equal(a->queue_depth, b->queue_depth);
	assert_int_equal(a->json, b->json);
	assert_int_equal(a->trace, b->trace);
	assert_int_equal(a->verbosity, b->verbosity);
}

/* The same argv twice gives the same answer twice. */
static void test_same_twice(void **state)
{
	char a0[] = "prog", a1[] = "-q", a2[] = "--sim", a3[] = "--timeout",
	     a4[] = "250", a5[] = "--queue-depth", a6[] = "5", a7[] = "--json";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, NULL };
	struct cmdline one, two;

	(void)state;
	assert_int_equal(parse(&one, ARGC(argv), argv), 0);
	assert_int_equal(parse(&two, ARGC(argv), argv), 0);
	assert_cmdline_equal(&one, &two);
	assert_int_equal(two.timeout_ms, 250);
	assert_int_equal(two.queue_depth, 5);
	assert_true(two.json);
	assert_int_equal(two.verbosity, CMDLINE_QUIET);
}

/*
 * --device and --vfio-group make one target: the device's normalised
 * name and the group file, "" until the pre-flight finds it; a group
 * path that does not fit is a usage error, never cut.
 */
static void test_target(void **state)
{
	char a0[] = "prog", a1[] = "--device", a2[] = "01:00.0",
	     a3[] = "--vfio-group", a4[] = "/dev/vfio/7";
	char *with[] = { a0, a1, a2, a3, a4, NULL };
	char *without[] = { a0, a1, a2, NULL };
	char longpath[300], b3[] = "--vfio-group";
	char *too_long[] = { a0, a1, a2, b3, longpath, NULL };
	struct errmsg err = { 0 };
	struct cmdline cl;

	(void)state;
	assert_int_equal(parse(&cl, ARGC(with), with), 0);
	assert_int_equal(cl.target.kind, VFIO_TARGET_GROUP);
	assert_string_equal(cl.target.device, "0000:01:00.0");
	assert_string_equal(cl.target.path, "/dev/vfio/7");
	assert_int_equal(parse(&cl, ARGC(without), without), 0);
	assert_string_equal(cl.target.device, "0000:01:00.0");
	assert_string_equal(cl.target.path, "");

	memset(longpath, 'd', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(cmdline_parse(&cl, ARGC(too_long), too_long, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "--vfio-group: path longer than 255 bytes");
}

/*
 * --iommu: auto unless given, each name its value, anything else a usage
 * error naming the choices; a group file is type1's alone.
 */
static void test_iommu(void **state)
{
	static const struct {
		const char *arg;
		enum vfio_iommu_choice want;
	} names[] = {
		{ "auto", VFIO_IOMMU_AUTO },
		{ "type1", VFIO_IOMMU_TYPE1 },
		{ "iommufd", VFIO_IOMMU_IOMMUFD },
	};
	char a0[] = "prog", a1[] = "--sim", a2[] = "--iommu", a3[16],
	     b1[] = "--device", b2[] = "01:00.0", b3[] = "--vfio-group",
	     b4[] = "/dev/vfio/7", b5[] = "--iommu", b6[] = "iommufd";
	char *given[] = { a0, a1, a2, a3, NULL };
	char *plain[] = { a0, a1, NULL };
	char *group[] = { a0, b1, b2, b3, b4, b5, b6, NULL };
	struct errmsg err = { 0 };
	struct cmdline cl;

	(void)state;
	assert_int_equal(parse(&cl, ARGC(plain), plain), 0);
	assert_int_equal(cl.iommu, VFIO_IOMMU_AUTO);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(a3, sizeof(a3), "%s", names[i].arg);
		assert_int_equal(parse(&cl, ARGC(given), given), 0);
		assert_int_equal(cl.iommu, names[i].want);
	}
	snprintf(a3, sizeof(a3), "vfio");
	assert_int_equal(cmdline_parse(&cl, ARGC(given), given, &err), -EINVAL);
	assert_string_equal(err.msg, "--iommu: 'vfio' is not an IOMMU interface: auto, type1 or iommufd");
	err = (struct errmsg){ 0 };
	assert_int_equal(cmdline_parse(&cl, ARGC(group), group, &err), -EINVAL);
	assert_string_equal(err.msg, "--vfio-group: cannot be used with --iommu iommufd, which opens the device file (/dev/vfio/devices/vfioN) instead");
}

/*
 * The default --timeout: a hardware figure for a device, a wider one for
 * the simulated device, whose thread may wait for a CPU on a busy
 * machine; a --timeout given is kept as given, with --sim too.
 */
static void test_default_timeout(void **state)
{
	char a0[] = "prog", a1[] = "--sim", a2[] = "--timeout", a3[] = "100",
	     b1[] = "--device", b2[] = "0000:01:00.0";
	char *sim[] = { a0, a1, NULL };
	char *sim_given[] = { a0, a1, a2, a3, NULL };
	char *dev[] = { a0, b1, b2, NULL };
	struct cmdline cl;

	(void)state;
	assert_int_equal(parse(&cl, ARGC(sim), sim), 0);
	assert_int_equal(cl.timeout_ms, CMDLINE_SIM_TIMEOUT_MS);
	assert_int_equal(parse(&cl, ARGC(sim_given), sim_given), 0);
	assert_int_equal(cl.timeout_ms, 100);
	assert_int_equal(parse(&cl, ARGC(dev), dev), 0);
	assert_int_equal(cl.timeout_ms, CMDLINE_DEFAULT_TIMEOUT_MS);
	assert_true(CMDLINE_SIM_TIMEOUT_MS > CMDLINE_DEFAULT_TIMEOUT_MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_after_cluster),
		cmocka_unit_test(test_after_error),
		cmocka_unit_test(test_same_twice),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_iommu),
		cmocka_unit_test(test_default_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
