// SPDX-License-Identifier: BSD-3-Clause
/* The exchange's figures (revere_figures.h). */
#include "revere_figures.h"
#include "revere_hw.h"

#include <stdio.h>
#include <time.h>

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * Two clocks: CLOCK_MONOTONIC for the elapsed time, the thread's CPU
 * clock for its CPU time. The CPU clock is read after the start and
 * before the end, so its interval lies inside the elapsed one; what the
 * two clocks' resolutions still leave is clamped.
 */
void revere_figures_start(struct revere_figures *f, bool bar0_mmap)
{
	f->started = true;
	f->bar0_mmap = bar0_mmap;
	f->start_ns = rv_now_ns();
	f->cpu_start_ns = thread_cpu_ns();
}

void revere_figures_stop(struct revere_figures *f)
{
	f->cpu_ns = thread_cpu_ns() - f->cpu_start_ns;
	f->elapsed_ns = rv_now_ns() - f->start_ns;
	if (f->cpu_ns > f->elapsed_ns)
		f->cpu_ns = f->elapsed_ns;
}

void revere_figures_record(struct revere_figures *f, uint64_t ns)
{
	unsigned int b = ns ? 64 - (unsigned int)__builtin_clzll(ns) : 0;

	f->lat_buckets[b]++;
	f->lat_count++;
	f->lat_sum_ns += ns;
	if (ns > f->lat_max_ns)
		f->lat_max_ns = ns;
}

uint64_t revere_latency_quantile(const struct revere_figures *f,
				 unsigned int num, unsigned int den)
{
	uint64_t rank, seen = 0, top;

	if (!f->lat_count)
		return 0;
	/* The smallest round trip with at least num/den of them at or below. */
	rank = (f->lat_count * num + den - 1) / den;
	if (!rank)
		rank = 1;
	for (unsigned int b = 0; b < REVERE_LAT_BUCKETS; b++) {
		seen += f->lat_buckets[b];
		if (seen < rank)
			continue;
		top = b == 0 ? 0 : b >= 64 ? UINT64_MAX : (1ull << b) - 1;
		return top < f->lat_max_ns ? top : f->lat_max_ns;
	}
	return f->lat_max_ns;
}

void revere_format_elapsed(char *buf, size_t len, uint64_t ns)
{
	if (ns < NSEC_PER_SEC)
		snprintf(buf, len, "%.3f ms", (double)ns / NSEC_PER_MSEC);
	else
		snprintf(buf, len, "%.3f s", (double)ns / NSEC_PER_SEC);
}
