/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt moderation, the driver's part (as NAPI defers a network card's
 * interrupts in Linux): with many messages in flight on a device that
 * takes a while for each, an irq wait would wake once a message. Instead
 * the exchange learns the device's pace and dozes, its RX interrupt masked
 * (spec 8.8: no interrupt for a masked AMS), until about half of what is
 * in flight should be back; half the queue is still the device's when the
 * driver looks, so the device never runs dry; on a device so fast that
 * the queue would run dry during a wake-up, the wait spins instead. The
 * policy only: the wait (revere_wait.c) does the masking, the sleeping
 * and the spinning.
 */
#ifndef MODERATION_H
#define MODERATION_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A doze shorter than a thread's default timer slack (prctl(2),
 * PR_SET_TIMERSLACK: 50 us) could oversleep by more than it saves; one
 * longer than a blocked wait's 10 ms slice would only delay the look at a
 * device that stopped. The slack is also what a wake-up is taken to cost
 * until a doze has measured it (struct rv_pace.wake_ns).
 */
#define RV_DOZE_MIN_NS		50000ull
#define RV_DOZE_MAX_NS		10000000ull

/*
 * The device's pace: ns per message (0: not known yet); and what a
 * wake-up costs on this machine: how far a doze overran what it asked,
 * microseconds on bare metal, a hundred and more on a virtual machine
 * (0: not measured yet).
 */
struct rv_pace {
	uint64_t ns;
	uint64_t last_ns;	/* when the last batch came back */
	uint64_t wake_ns;
};

/*
 * A running average, in which one sample counts as at most twice the
 * estimate: a sample that is long because a thread waited for a CPU
 * (on a busy machine) says nothing of the device or the machine, and
 * taken whole it would start dozes of milliseconds on a device of
 * nanoseconds. A real change is followed at a quarter more per sample.
 */
static inline uint64_t rv_pace_avg(uint64_t est, uint64_t sample)
{
	if (!est)
		return sample;
	return (3 * est + (sample < 2 * est ? sample : 2 * est)) / 4;
}

/*
 * A batch of messages came back at now. drained: it was everything in
 * flight, so the device may have sat idle for part of the time (a doze
 * too long); that time says only that the device is at least that fast,
 * and the estimate halves instead of averaging it in: averaged, a doze
 * too long would keep itself too long.
 */
static inline void rv_pace_note(struct rv_pace *p, uint64_t messages,
				uint64_t now, bool drained)
{
	uint64_t sample;

	if (p->last_ns && now > p->last_ns && messages) {
		sample = (now - p->last_ns) / messages;
		if (drained)
			p->ns = (p->ns && p->ns < sample ? p->ns : sample) / 2;
		else
			p->ns = rv_pace_avg(p->ns, sample);
	}
	p->last_ns = now;
}

/* A doze asked for asked ns and took slept: what waking up cost. */
static inline void rv_pace_slept(struct rv_pace *p, uint64_t asked,
				 uint64_t slept)
{
	if (slept > asked)
		p->wake_ns = rv_pace_avg(p->wake_ns, slept - asked);
}

/* What a wake-up costs: measured, else the timer slack. */
static inline uint64_t rv_wake_ns(const struct rv_pace *p)
{
	return p->wake_ns ? p->wake_ns : RV_DOZE_MIN_NS;
}

/*
 * How long to doze with in_flight messages out: until about half should
 * be back, less what the wake-up takes. 0 (do not doze) with fewer than
 * two, an unknown pace, or a doze that would be shorter than
 * RV_DOZE_MIN_NS once the wake-up is taken off; at most RV_DOZE_MAX_NS.
 */
static inline uint64_t rv_doze_ns(const struct rv_pace *p, uint64_t in_flight)
{
	uint64_t ns, wake = rv_wake_ns(p);

	if (in_flight < 2 || !p->ns)
		return 0;
	if (p->ns > RV_DOZE_MAX_NS / (in_flight / 2))
		return RV_DOZE_MAX_NS;
	ns = p->ns * (in_flight / 2);
	return ns < wake + RV_DOZE_MIN_NS ? 0 : ns - wake;
}

/*
 * How long an irq or hybrid wait spins before it blocks, with in_flight
 * messages out (0: not at all). Blocked, the driver cannot refill the
 * queue for a wake-up's time, and then needs about as long again to take
 * the batch and refill: a device that would finish everything in flight
 * within two wake-ups idles for the rest, and a queue of 64 on a fast
 * device runs at a fraction of its pace. When a wake-up is also worth
 * RV_SPIN_PACES of its messages or more, the next one is so close that
 * spinning for it costs less than the sleep: such a device is busy-polled
 * for up to a wake-up's time, as NAPI's busy polling and io_uring's
 * hybrid polling do. A slower device, or a shallow queue on one, is left
 * to its interrupts and dozes, which keep the driver's CPU low.
 */
#define RV_SPIN_PACES		16

static inline uint64_t rv_spin_ns(const struct rv_pace *p, uint64_t in_flight)
{
	uint64_t wake = rv_wake_ns(p);

	if (!in_flight || !p->ns || p->ns > wake / RV_SPIN_PACES ||
	    p->ns >= 2 * wake / in_flight)
		return 0;
	return wake;
}

#endif /* MODERATION_H */
