// SPDX-License-Identifier: BSD-3-Clause
/*
 * Ring index arithmetic (spec 8.1) as the driver applies it to indexes the
 * device reports: past wraps of the slot array and of the 64-bit counter,
 * and refusing indexes that move backwards or run ahead of the ring.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "revere_hw.h"

static uint8_t slots[8 * 16];

static struct rv_ring ring_at(uint64_t prod, uint64_t cons)
{
	return (struct rv_ring){
		.name = "test", .base = slots, .log2_size = 3, .slot_size = 16,
		.prod = prod, .cons = cons,
	};
}

static void test_empty_full(void **state)
{
	struct rv_ring r = ring_at(5, 5);

	(void)state;
	assert_true(rv_ring_empty(&r));
	assert_false(rv_ring_full(&r));
	r.prod = 13;
	assert_true(rv_ring_full(&r));
	assert_int_equal(rv_ring_used(&r), 8);
}

static void test_slot_wraps(void **state)
{
	struct rv_ring r = ring_at(0, 0);

	(void)state;
	assert_ptr_equal(rv_ring_slot(&r, 0), slots);
	assert_ptr_equal(rv_ring_slot(&r, 7), slots + 7 * 16);
	assert_ptr_equal(rv_ring_slot(&r, 8), slots);
	assert_ptr_equal(rv_ring_slot(&r, 8 * 1000 + 3), slots + 3 * 16);
	assert_ptr_equal(rv_ring_slot(&r, UINT64_MAX), slots + 7 * 16);
}

/* Slot copies touch exactly the slot the index wraps to, all of it. */
static void test_slot_copies(void **state)
{
	struct rv_ring r = ring_at(0, 0);
	uint8_t in[16], out[16];

	(void)state;
	memset(slots, 0xee, sizeof(slots));
	for (unsigned int i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i + 1);
	rv_slot_write(&r, 8 * 5 + 2, in);
	assert_memory_equal(slots + 2 * 16, in, 16);
	assert_int_equal(slots[2 * 16 - 1], 0xee);
	assert_int_equal(slots[3 * 16], 0xee);
	rv_slot_read(&r, 2, out);
	assert_memory_equal(out, in, 16);
	rv_slot_fill(&r, UINT64_MAX, 0x5a);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(slots[7 * 16 + i], 0x5a);
	assert_int_equal(slots[7 * 16 - 1], 0xee);
}

/*
 * The word-wise verify finds the first wrong byte at its exact offset, in
 * the word's first, middle and last byte, in the first and last block, and
 * reports the byte it compared; a right slot passes.
 */
static void test_slot_verify(void **state)
{
	static uint8_t big[4 * 2048] __attribute__((aligned(64)));
	struct rv_ring r = { .name = "test", .base = big, .log2_size = 2,
			     .slot_size = 2048 };
	static const uint32_t offs[] = { 0, 1, 7, 8, 13, 63, 64, 1000, 2040, 2047 };
	uint32_t off;
	uint8_t found;

	(void)state;
	memset(big, 0xee, sizeof(big));
	rv_slot_fill(&r, 5, 0x3c);		/* slot 1 */
	assert_true(rv_slot_verify(&r, 1, 0x3c, &off, &found));
	assert_false(rv_slot_verify(&r, 2, 0x3c, &off, &found));
	assert_int_equal(off, 0);
	assert_int_equal(found, 0xee);
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		big[2048 + offs[i]] = 0xc3;
		/* A later wrong byte does not hide the first. */
		big[2048 + 2047] ^= offs[i] == 2047 ? 0 : 0x01;
		assert_false(rv_slot_verify(&r, 1, 0x3c, &off, &found));
		assert_int_equal(off, offs[i]);
		assert_int_equal(found, 0xc3);
		big[2048 + offs[i]] = 0x3c;
		big[2048 + 2047] = 0x3c;
	}
	assert_true(rv_slot_verify(&r, 1, 0x3c, &off, &found));
}

/* The device's write index: forward up to the ring size, never back. */
static void test_device_producer(void **state)
{
	struct rv_ring r = ring_at(10, 10);

	(void)state;
	assert_int_equal(rv_ring_update(&r, true, 10), 0);
	assert_int_equal(rv_ring_update(&r, true, 18), 0);	/* full */
	assert_int_equal(r.prod, 18);
	r = ring_at(10, 10);
	assert_int_equal(rv_ring_update(&r, true, 19), -EIO);	/* overrun */
	assert_int_equal(r.prod, 10);				/* unchanged */
	r = ring_at(14, 10);
	assert_int_equal(rv_ring_update(&r, true, 12), -EIO);	/* backwards */
	assert_int_equal(rv_ring_update(&r, true, 9), -EIO);	/* behind us */
	assert_int_equal(rv_ring_update(&r, true, UINT64_MAX), -EIO);
}

/* The device's read index: never past what we produced, never back. */
static void test_device_consumer(void **state)
{
	struct rv_ring r = ring_at(20, 14);

	(void)state;
	assert_int_equal(rv_ring_update(&r, false, 20), 0);
	assert_int_equal(r.cons, 20);
	r = ring_at(20, 14);
	assert_int_equal(rv_ring_update(&r, false, 21), -EIO);	/* past us */
	assert_int_equal(rv_ring_update(&r, false, 13), -EIO);	/* backwards */
	assert_int_equal(r.cons, 14);
}

/* Free-running counters across the 2^64 wrap (spec 8.1). */
static void test_counter_wrap(void **state)
{
	struct rv_ring r = ring_at(UINT64_MAX - 2, UINT64_MAX - 2);

	(void)state;
	assert_int_equal(rv_ring_update(&r, true, UINT64_MAX - 2 + 8), 0);
	assert_int_equal(rv_ring_used(&r), 8);
	assert_true(rv_ring_full(&r));
	assert_int_equal(rv_ring_update(&r, false, 2), 0);	/* wrapped */
	assert_int_equal(rv_ring_used(&r), 3);
	assert_int_equal(rv_ring_update(&r, false, UINT64_MAX), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_full),
		cmocka_unit_test(test_slot_wraps),
		cmocka_unit_test(test_slot_copies),
		cmocka_unit_test(test_slot_verify),
		cmocka_unit_test(test_device_producer),
		cmocka_unit_test(test_device_consumer),
		cmocka_unit_test(test_counter_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
