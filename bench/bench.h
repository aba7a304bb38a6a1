/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the yardsticks of `make bench` (bench-payload, bench-handoff) share,
 * so that they measure the same work and bench.sh reads them alike: the
 * message size, the demo's message pattern, the clock and the one line
 * each prints.
 */
#ifndef BENCH_H
#define BENCH_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define MSG_BYTES	2048
#define WORDS		(MSG_BYTES / 8)

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Message i carries the byte i mod 256 (spec 7), as the demo's do. */
static inline uint64_t pattern(uint64_t i)
{
	return (i & 0xff) * 0x0101010101010101ull;
}

/* "NAME: N messages of 2048 bytes in T ns: R messages/s, P ns per message" */
static inline void report(const char *name, uint64_t n, uint64_t ns)
{
	printf("%s: %" PRIu64 " messages of %d bytes in %" PRIu64 " ns: %.0f messages/s, %.1f ns per message\n",
	       name, n, MSG_BYTES, ns, n * 1e9 / (double)ns,
	       (double)ns / (double)n);
}

#endif /* BENCH_H */
