// SPDX-License-Identifier: BSD-3-Clause
/*
 * The exchange's figures (revere_figures.c): the round-trip histogram's
 * quantiles (log2 buckets of nanoseconds, the top of the bucket reported,
 * capped by the longest round trip), the mean's sum, and a CPU time that
 * never exceeds the elapsed time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "revere_figures.h"

/* times round trips of ns, through the driver's own recorder. */
static void add(struct revere_figures *f, uint64_t ns, uint64_t times)
{
	while (times--)
		revere_figures_record(f, ns);
}

static void test_empty(void **state)
{
	struct revere_figures f = { .started = true };

	(void)state;
	assert_int_equal(revere_latency_quantile(&f, 50, 100), 0);
	assert_int_equal(revere_latency_quantile(&f, 99, 100), 0);
}

static void test_one(void **state)
{
	struct revere_figures f = { .started = true };

	(void)state;
	add(&f, 1000, 1);
	/* 1000 is in [512, 1023]: the top is 1023, capped by max, 1000. */
	assert_int_equal(revere_latency_quantile(&f, 50, 100), 1000);
	assert_int_equal(revere_latency_quantile(&f, 99, 100), 1000);
}

static void test_split(void **state)
{
	struct revere_figures f = { .started = true };

	(void)state;
	/* 98 fast (bucket [1024, 2047]), 2 slow ([65536, 131071]). */
	add(&f, 1500, 98);
	add(&f, 100000, 2);
	assert_int_equal(revere_latency_quantile(&f, 50, 100), 2047);
	assert_int_equal(revere_latency_quantile(&f, 98, 100), 2047);
	/* The 99th of 100 is a slow one: its bucket's top, capped by max. */
	assert_int_equal(revere_latency_quantile(&f, 99, 100), 100000);
	/* Never under the true value, at most twice it. */
	assert_true(revere_latency_quantile(&f, 50, 100) >= 1500);
	assert_true(revere_latency_quantile(&f, 50, 100) < 2 * 1500);
}

static void test_zero_and_huge(void **state)
{
	struct revere_figures f = { .started = true };

	(void)state;
	add(&f, 0, 60);
	add(&f, UINT64_MAX, 40);
	assert_int_equal(revere_latency_quantile(&f, 50, 100), 0);
	assert_int_equal(revere_latency_quantile(&f, 60, 100), 0);
	assert_true(revere_latency_quantile(&f, 61, 100) == UINT64_MAX);
	assert_true(revere_latency_quantile(&f, 99, 100) == UINT64_MAX);
}

static void test_sum_and_max(void **state)
{
	struct revere_figures f = { .started = true };

	(void)state;
	add(&f, 3, 2);
	add(&f, 10, 1);
	assert_int_equal(f.lat_count, 3);
	assert_int_equal(f.lat_sum_ns, 16);
	assert_int_equal(f.lat_max_ns, 10);
}

/*
 * A thread that works all the time has as much CPU time as elapsed time:
 * the share is 1 at most, measured over the same interval, however the
 * two clocks fall.
 */
static void test_cpu_within_elapsed(void **state)
{
	volatile uint64_t sink = 0;

	(void)state;
	for (int run = 0; run < 200; run++) {
		struct revere_figures f = { 0 };

		revere_figures_start(&f, true);
		for (int i = 0; i < 20000; i++)
			sink += (uint64_t)i * (uint64_t)run;
		revere_figures_stop(&f);
		assert_true(f.started && f.bar0_mmap);
		assert_true(f.cpu_ns <= f.elapsed_ns);
	}
	(void)sink;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_zero_and_huge),
		cmocka_unit_test(test_sum_and_max),
		cmocka_unit_test(test_cpu_within_elapsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
