// SPDX-License-Identifier: BSD-3-Clause
/*
 * bench-payload: the payload-only limit of this machine, the yardstick of
 * `make bench`: fill a 2 KiB message, invert it (what the accelerator
 * does), verify it, by 64-bit words in one thread, N times. No device, no
 * rings, no waits: what a run could reach if everything else were free.
 *
 * Usage: bench-payload [N]     (default 1000000)
 * Prints one line: "payload: N messages of 2048 bytes in T ns: R messages/s, P ns per message"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int main(int argc, char *argv[])
{
	static uint64_t tx[WORDS], rx[WORDS];
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	uint64_t t0, ns, bad = 0;

	if (!n)
		n = 1;
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = pattern(i);

		for (unsigned int w = 0; w < WORDS; w++)
			tx[w] = p;
		for (unsigned int w = 0; w < WORDS; w++)
			rx[w] = ~tx[w];
		for (unsigned int w = 0; w < WORDS; w++)
			bad |= rx[w] ^ ~p;
		/* Keep the compiler from folding the loop away. */
		__asm__ __volatile__("" : : "r"(tx), "r"(rx) : "memory");
	}
	ns = now_ns() - t0;
	if (bad) {
		fprintf(stderr, "bench-payload: a message did not verify\n");
		return 1;
	}
	report("payload", n, ns);
	return 0;
}
