/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt moderation, the driver's part (as NAPI defers a network card's
 * interrupts in Linux): with many messages in flight on a device that
 * takes a while for each, an irq wait would wake once a message. Instead
 * the exchange learns the device's pace and dozes, its RX interrupt masked
 * (spec 8.8: no interrupt for a masked AMS), until about half of what is
 * in flight should be back; half the queue is still the device's when the
 * driver looks, so the device never runs dry. The policy only: the wait
 * (revere_dev.c) does the masking and the sleeping.
 */
#ifndef MODERATION_H
#define MODERATION_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A doze shorter than a thread's default timer slack (prctl(2),
 * PR_SET_TIMERSLACK: 50 us) could oversleep by more than it saves; one
 * longer than a blocked wait's 10 ms slice would only delay the look at a
 * device that stopped.
 */
#define RV_DOZE_MIN_NS		50000ull
#define RV_DOZE_MAX_NS		10000000ull

/* The device's pace: ns per message (0: not known yet). */
struct rv_pace {
	uint64_t ns;
	uint64_t last_ns;	/* when the last batch came back */
};

/*
 * A batch of messages came back at now. drained: it was everything in
 * flight, so the device may have sat idle for part of the time (a doze
 * too long); that time says only that the device is at least that fast,
 * and the estimate halves instead of averaging it in: averaged, a doze
 * too long would keep itself too long. Otherwise a running average, in
 * which one sample counts as at most twice the estimate: a batch that
 * took long because a thread waited for a CPU (the driver's or the
 * device's, on a busy machine) says nothing of the device's pace, and
 * taken whole it would start dozes of milliseconds on a device of
 * nanoseconds, each halving the estimate only as it ends. A device that
 * really slowed down is followed at a quarter more per batch.
 */
static inline void rv_pace_note(struct rv_pace *p, uint64_t messages,
				uint64_t now, bool drained)
{
	uint64_t sample;

	if (p->last_ns && now > p->last_ns && messages) {
		sample = (now - p->last_ns) / messages;
		if (drained)
			p->ns = (p->ns && p->ns < sample ? p->ns : sample) / 2;
		else if (!p->ns)
			p->ns = sample;
		else
			p->ns = (3 * p->ns + (sample < 2 * p->ns ?
					      sample : 2 * p->ns)) / 4;
	}
	p->last_ns = now;
}

/*
 * How long to doze with in_flight messages out: until about half should
 * be back. 0 (do not doze) with fewer than two, an unknown pace, or a doze
 * too short to pay; at most RV_DOZE_MAX_NS.
 */
static inline uint64_t rv_doze_ns(const struct rv_pace *p, uint64_t in_flight)
{
	uint64_t ns;

	if (in_flight < 2 || !p->ns)
		return 0;
	if (p->ns > RV_DOZE_MAX_NS / (in_flight / 2))
		return RV_DOZE_MAX_NS;
	ns = p->ns * (in_flight / 2);
	return ns < RV_DOZE_MIN_NS ? 0 : ns;
}

#endif /* MODERATION_H */
