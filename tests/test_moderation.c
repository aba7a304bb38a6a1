// SPDX-License-Identifier: BSD-3-Clause
/*
 * Interrupt moderation's policy (moderation.h): the pace it learns, the
 * dozes it asks for, and the two loops it must settle into, played out on
 * a modelled device: a fast one, where dozing does not pay and must stop,
 * and a slow one, where it must keep the device busy with a doze per half
 * queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "moderation.h"

#define US		1000ull
#define DEPTH		64

static void test_pace_learns(void **state)
{
	struct rv_pace p = { 0 };

	(void)state;
	rv_pace_note(&p, 10, 1000 * US, false);
	assert_int_equal(p.ns, 0);		/* one batch: no interval yet */
	rv_pace_note(&p, 10, 1200 * US, false);
	assert_int_equal(p.ns, 20 * US);	/* 200 us for 10 */
	rv_pace_note(&p, 10, 1600 * US, false);
	assert_int_equal(p.ns, 25 * US);	/* (3 * 20 + 40) / 4 */
	rv_pace_note(&p, 0, 1700 * US, false);	/* nothing: no sample */
	assert_int_equal(p.ns, 25 * US);
}

/* A batch that emptied the queue bounds the pace from above: halve. */
static void test_drained_halves(void **state)
{
	struct rv_pace p = { .ns = 2500, .last_ns = 1000 * US };

	(void)state;
	rv_pace_note(&p, 64, 1000 * US + 64 * 2300, true);
	assert_int_equal(p.ns, 1150);
	/* A sample above the estimate: the estimate halves. */
	p.last_ns = 2000 * US;
	rv_pace_note(&p, 64, 2000 * US + 64 * 5000, true);
	assert_int_equal(p.ns, 575);
}

static void test_doze_bounds(void **state)
{
	struct rv_pace p = { .ns = 20 * US };

	(void)state;
	assert_int_equal(rv_doze_ns(&p, 0), 0);
	assert_int_equal(rv_doze_ns(&p, 1), 0);		/* nothing to gain */
	assert_int_equal(rv_doze_ns(&p, DEPTH), 32 * 20 * US);
	assert_int_equal(rv_doze_ns(&p, 7), 3 * 20 * US);	/* half, rounded down */
	p.ns = RV_DOZE_MIN_NS / 32;			/* just short of it */
	assert_int_equal(rv_doze_ns(&p, DEPTH), 0);
	p.ns = (RV_DOZE_MIN_NS + 31) / 32;
	assert_int_equal(rv_doze_ns(&p, DEPTH), 32 * p.ns);
	p.ns = 0;					/* not known yet */
	assert_int_equal(rv_doze_ns(&p, DEPTH), 0);
	p.ns = UINT64_MAX / 4;				/* capped, no overflow */
	assert_int_equal(rv_doze_ns(&p, DEPTH), RV_DOZE_MAX_NS);
}

/*
 * The exchange at depth 64 against a device that takes svc ns a message,
 * for rounds batches: each round the wait dozes (if rv_doze_ns() says so)
 * and wakes late by oversleep, or blocks until the first message's
 * interrupt and wakes after wake; it takes what is back, notes the pace
 * and refills. Counts dozes and the dozes that found the queue empty
 * (the device idle) from round `from` on.
 */
struct loop {
	uint64_t svc, oversleep, wake, start_pace;
	unsigned int rounds, from;
	/* Every stall_every-th round, stall_ns for one message (0: none). */
	unsigned int stall_every;
	uint64_t stall_ns;
	unsigned int dozes, drained;
};

static void play(struct loop *l)
{
	struct rv_pace p = { .ns = l->start_pace, .last_ns = 1 };
	uint64_t now = 1;

	for (unsigned int r = 0; r < l->rounds; r++) {
		uint64_t doze = rv_doze_ns(&p, DEPTH), slept, back;

		slept = doze ? doze + l->oversleep : l->svc + l->wake;
		back = slept / l->svc;
		if (back > DEPTH)
			back = DEPTH;
		if (l->stall_every && r % l->stall_every == l->stall_every - 1) {
			slept = l->stall_ns;
			back = 1;
		}
		now += slept;
		rv_pace_note(&p, back, now, back == DEPTH);
		if (r < l->from || !doze)
			continue;
		l->dozes++;
		l->drained += back == DEPTH;
	}
}

/*
 * A fast device (300 ns a message) and an estimate that starts high, as
 * one spoilt by a slow first wake-up: a doze then outlasts the whole
 * queue, and its time, averaged in, kept the estimate high enough to doze
 * again: a third of the throughput, found by make bench. The estimate
 * must fall until dozing stops.
 */
static void test_fast_device_stops_dozing(void **state)
{
	struct loop l = {
		.svc = 300, .oversleep = 100 * US, .wake = 5 * US,
		.start_pace = 2500, .rounds = 200, .from = 20,
	};

	(void)state;
	play(&l);
	assert_int_equal(l.dozes, 0);
}

/*
 * A fast device on a busy machine: every tenth batch, the device's thread
 * waited 4 ms for a CPU and one message came back in that time. That
 * batch says nothing of the device's pace: taken whole, it made the next
 * dozes last milliseconds, each halving the estimate only as it ended,
 * and irq and hybrid ran at a tenth of poll on a loaded machine.
 */
static void test_fast_device_stalls_no_dozing(void **state)
{
	struct loop l = {
		.svc = 300, .oversleep = 100 * US, .wake = 5 * US,
		.start_pace = 0, .rounds = 400, .from = 20,
		.stall_every = 10, .stall_ns = 4000 * US,
	};

	(void)state;
	play(&l);
	assert_int_equal(l.dozes, 0);
}

/* A slow device (20 us): a doze per half queue, the device never idle. */
static void test_slow_device_keeps_busy(void **state)
{
	struct loop l = {
		.svc = 20 * US, .oversleep = 50 * US, .wake = 5 * US,
		.start_pace = 0, .rounds = 200, .from = 20,
	};

	(void)state;
	play(&l);
	assert_int_equal(l.dozes, l.rounds - l.from);
	assert_int_equal(l.drained, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pace_learns),
		cmocka_unit_test(test_drained_halves),
		cmocka_unit_test(test_doze_bounds),
		cmocka_unit_test(test_fast_device_stops_dozing),
		cmocka_unit_test(test_fast_device_stalls_no_dozing),
		cmocka_unit_test(test_slow_device_keeps_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
