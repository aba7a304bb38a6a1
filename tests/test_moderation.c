// SPDX-License-Identifier: BSD-3-Clause
/*
 * Interrupt moderation's policy (moderation.h): the pace it learns, the
 * dozes it asks for, and the two loops it must settle into, played out on
 * a modelled device: a fast one, where dozing does not pay and must stop
 * and a blocked wait loses the device's throughput to a wake-up, so the
 * wait spins; and a slow one, where it must keep the device busy with a
 * doze per half queue and never spin.
 */
#include <setjmp.h>
#include <stdbool.h>
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

/* With no wake-up measured yet, one is taken to cost RV_DOZE_MIN_NS. */
static void test_doze_bounds(void **state)
{
	const uint64_t wake = RV_DOZE_MIN_NS;
	struct rv_pace p = { .ns = 20 * US };

	(void)state;
	assert_int_equal(rv_doze_ns(&p, 0), 0);
	assert_int_equal(rv_doze_ns(&p, 1), 0);		/* nothing to gain */
	assert_int_equal(rv_doze_ns(&p, DEPTH), 32 * 20 * US - wake);
	p.ns = 40 * US;
	assert_int_equal(rv_doze_ns(&p, 7), 3 * 40 * US - wake);	/* half, rounded down */
	p.ns = (wake + RV_DOZE_MIN_NS) / 32 - 1;	/* just short of it */
	assert_int_equal(rv_doze_ns(&p, DEPTH), 0);
	p.ns = (wake + RV_DOZE_MIN_NS + 31) / 32;
	assert_int_equal(rv_doze_ns(&p, DEPTH), 32 * p.ns - wake);
	p.ns = 0;					/* not known yet */
	assert_int_equal(rv_doze_ns(&p, DEPTH), 0);
	p.ns = UINT64_MAX / 4;				/* capped, no overflow */
	assert_int_equal(rv_doze_ns(&p, DEPTH), RV_DOZE_MAX_NS);
}

/*
 * What a wake-up costs is what a doze overran: learnt as the pace is,
 * one long sample (a thread that waited for a CPU) counted as twice the
 * estimate at most; a doze that ended early says nothing. The doze is
 * shortened by it, and one that would then be too short is not taken.
 */
static void test_wake_measured(void **state)
{
	struct rv_pace p = { .ns = 20 * US };

	(void)state;
	assert_int_equal(rv_wake_ns(&p), RV_DOZE_MIN_NS);
	rv_pace_slept(&p, 100 * US, 180 * US);
	assert_int_equal(p.wake_ns, 80 * US);
	rv_pace_slept(&p, 100 * US, 90 * US);		/* woken early */
	assert_int_equal(p.wake_ns, 80 * US);
	rv_pace_slept(&p, 100 * US, 100 * US + 4000 * US);	/* a stall */
	assert_int_equal(p.wake_ns, (3 * 80 + 160) * US / 4);
	assert_int_equal(rv_doze_ns(&p, DEPTH), 32 * 20 * US - p.wake_ns);
	p.ns = (p.wake_ns + RV_DOZE_MIN_NS) / 32 - 1;
	assert_int_equal(rv_doze_ns(&p, DEPTH), 0);
}

/*
 * The exchange at depth 64 against a device that takes svc ns a message,
 * for rounds batches, as an irq wait does it: each round the wait dozes
 * (if rv_doze_ns() says so) and wakes late by oversleep; or, when
 * rv_spin_ns() covers the time to the next message, spins and takes that
 * one; or blocks until the first message's interrupt and wakes after
 * wake. It takes what is back, notes the pace and refills. From round
 * `from` on, counts the dozes, the dozes that found the queue empty (the
 * device idle), the spins, the blocks, and the messages and time.
 */
struct loop {
	uint64_t svc, oversleep, wake, start_pace;
	unsigned int rounds, from;
	/* Every stall_every-th round, stall_ns for one message (0: none). */
	unsigned int stall_every;
	uint64_t stall_ns;
	unsigned int dozes, drained, spins, blocks, stalls;
	uint64_t messages, ns;
};

static void play(struct loop *l)
{
	struct rv_pace p = { .ns = l->start_pace, .last_ns = 1 };
	uint64_t now = 1;

	for (unsigned int r = 0; r < l->rounds; r++) {
		uint64_t doze = rv_doze_ns(&p, DEPTH), slept, back;
		bool spin = !doze && rv_spin_ns(&p, DEPTH) >= l->svc;
		bool stall = l->stall_every &&
			     r % l->stall_every == l->stall_every - 1;

		slept = doze ? doze + l->oversleep :
			spin ? l->svc : l->svc + l->wake;
		if (doze && !stall)
			rv_pace_slept(&p, doze, slept);
		back = slept / l->svc;
		if (back > DEPTH)
			back = DEPTH;
		if (stall) {
			slept = l->stall_ns;
			back = 1;
		}
		now += slept;
		rv_pace_note(&p, back, now, back == DEPTH);
		if (r < l->from)
			continue;
		l->messages += back;
		l->ns += slept;
		l->stalls += stall;
		l->spins += spin && !stall;
		l->blocks += !doze && !spin && !stall;
		if (!doze)
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
		.start_pace = 5000, .rounds = 200, .from = 20,
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

/*
 * The fast device behind a wake-up of 100 us, as on a virtual machine: a
 * blocked wait lets the device finish its queue (64 x 300 ns) and idle
 * for most of the wake-up, a fifth of its throughput. Once the pace is
 * known the wait spins instead, never blocks, and the device runs at its
 * own pace; with no pace known yet, it blocks.
 */
static void test_fast_device_spins(void **state)
{
	struct loop l = {
		.svc = 300, .oversleep = 100 * US, .wake = 100 * US,
		.start_pace = 0, .rounds = 400, .from = 20,
	};
	struct rv_pace p = { 0 };

	(void)state;
	assert_int_equal(rv_spin_ns(&p, DEPTH), 0);
	play(&l);
	assert_int_equal(l.blocks, 0);
	assert_int_equal(l.dozes, 0);
	assert_int_equal(l.spins, l.rounds - l.from);
	/* At least half the device's throughput: ns per message <= 2 svc. */
	assert_true(l.ns <= 2 * l.svc * l.messages);
}

/*
 * The same on a busy machine: every tenth batch the device's thread
 * waits 4 ms for a CPU. The wait blocks through that stall, and spins
 * again at the next batch.
 */
static void test_fast_device_spins_after_stalls(void **state)
{
	struct loop l = {
		.svc = 300, .oversleep = 100 * US, .wake = 100 * US,
		.start_pace = 0, .rounds = 400, .from = 20,
		.stall_every = 10, .stall_ns = 4000 * US,
	};

	(void)state;
	play(&l);
	assert_int_equal(l.blocks, 0);
	assert_int_equal(l.dozes, 0);
	assert_int_equal(l.spins + l.stalls, l.rounds - l.from);
}

/*
 * A slow device (20 us): a doze per half queue, the device never idle,
 * and never a spin: the driver's CPU stays low.
 */
static void test_slow_device_keeps_busy(void **state)
{
	struct loop l = {
		.svc = 20 * US, .oversleep = 50 * US, .wake = 5 * US,
		.start_pace = 0, .rounds = 200, .from = 20,
	};
	struct rv_pace p = { .ns = 2 * US };

	(void)state;
	play(&l);
	assert_int_equal(l.dozes, l.rounds - l.from);
	assert_int_equal(l.drained, 0);
	assert_int_equal(l.spins, 0);
	/* Nor on a 2 us device, whose queue outlasts a wake-up. */
	assert_int_equal(rv_spin_ns(&p, DEPTH), 0);
}

/*
 * The spin: for a wake-up's time at most, when the device would finish
 * what is in flight within two wake-ups and a wake-up is worth
 * RV_SPIN_PACES of its messages; none with nothing out or no pace known.
 */
static void test_spin_bounds(void **state)
{
	const uint64_t wake = RV_DOZE_MIN_NS, edge = 2 * wake / DEPTH;
	struct rv_pace p = { .ns = 300 };

	(void)state;
	assert_int_equal(rv_spin_ns(&p, DEPTH), wake);
	assert_int_equal(rv_spin_ns(&p, 1), wake);
	assert_int_equal(rv_spin_ns(&p, 0), 0);
	p.ns = edge - 1;			/* the queue outlasts two wake-ups */
	assert_int_equal(rv_spin_ns(&p, DEPTH), wake);
	p.ns = edge;
	assert_int_equal(rv_spin_ns(&p, DEPTH), 0);
	p.ns = wake / RV_SPIN_PACES;		/* a message a sixteenth of a wake-up */
	assert_int_equal(rv_spin_ns(&p, 1), wake);
	p.ns++;
	assert_int_equal(rv_spin_ns(&p, 1), 0);
	p.ns = 20 * US;				/* depth 1 on the 20 us device */
	assert_int_equal(rv_spin_ns(&p, 1), 0);
	p.ns = 0;
	assert_int_equal(rv_spin_ns(&p, DEPTH), 0);
	/* A costlier wake-up: slower devices are spun on, for longer. */
	p = (struct rv_pace){ .ns = 3 * US, .wake_ns = 200 * US };
	assert_int_equal(rv_spin_ns(&p, DEPTH), 200 * US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pace_learns),
		cmocka_unit_test(test_drained_halves),
		cmocka_unit_test(test_doze_bounds),
		cmocka_unit_test(test_wake_measured),
		cmocka_unit_test(test_fast_device_stops_dozing),
		cmocka_unit_test(test_fast_device_stalls_no_dozing),
		cmocka_unit_test(test_fast_device_spins),
		cmocka_unit_test(test_fast_device_spins_after_stalls),
		cmocka_unit_test(test_slow_device_keeps_busy),
		cmocka_unit_test(test_spin_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
