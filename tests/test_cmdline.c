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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_after_cluster),
		cmocka_unit_test(test_after_error),
		cmocka_unit_test(test_same_twice),
		cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
