// SPDX-License-Identifier: BSD-3-Clause
/*
 * The round-trip histogram's quantiles (revere_latency_quantile()): log2
 * buckets of nanoseconds, the top of the bucket reported, capped by the
 * longest round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "revere_dev.h"

/* What record_latency() does for one round trip of ns. */
static void add(struct revere_figures *f, uint64_t ns, uint64_t times)
{
	unsigned int b = ns ? 64 - (unsigned int)__builtin_clzll(ns) : 0;

	f->lat_buckets[b] += times;
	f->lat_count += times;
	f->lat_sum_ns += ns * times;
	if (ns > f->lat_max_ns)
		f->lat_max_ns = ns;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_zero_and_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
