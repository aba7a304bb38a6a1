/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exchange's figures: its elapsed and CPU time, and the round trips
 * of its messages in a histogram, for step 4's line and --json.
 */
#ifndef REVERE_FIGURES_H
#define REVERE_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Round trips, send to verify, in log2 buckets of nanoseconds: bucket b
 * holds [2^(b-1), 2^b), bucket 0 zero. No allocation, one add a message.
 */
#define REVERE_LAT_BUCKETS	65

/* The exchange's figures (step 4, --json). */
struct revere_figures {
	bool started;			/* the exchange began */
	bool bar0_mmap;			/* BAR0 mmap'd, not pread/pwrite */
	uint64_t start_ns;		/* rv_now_ns() when it began */
	uint64_t elapsed_ns;		/* its length, once done */
	uint64_t cpu_ns;		/* this thread's CPU time in it */
	uint64_t cpu_start_ns;		/* the thread's CPU clock at the start */
	uint64_t lat_count, lat_sum_ns, lat_max_ns;
	uint64_t lat_buckets[REVERE_LAT_BUCKETS];
	uint64_t interrupts;		/* RX vector wake-ups in it */
	uint64_t dozes;			/* moderated sleeps in it */
};

/*
 * Upper bound of the bucket holding the fraction num/den of the round
 * trips (p50: 50/100), capped by the longest: within a factor of two.
 */
uint64_t revere_latency_quantile(const struct revere_figures *f,
				 unsigned int num, unsigned int den);

/*
 * The exchange begins and ends: the CPU clock is read inside the elapsed
 * interval, so the CPU share never exceeds one core.
 */
void revere_figures_start(struct revere_figures *f, bool bar0_mmap);
void revere_figures_stop(struct revere_figures *f);

/* One round trip of ns into the histogram: a few adds, no allocation. */
void revere_figures_record(struct revere_figures *f, uint64_t ns);

/* "1.234 ms" below a second, "12.345 s" from there. */
void revere_format_elapsed(char *buf, size_t len, uint64_t ns);

#endif /* REVERE_FIGURES_H */
