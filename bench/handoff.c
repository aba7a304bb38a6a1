// SPDX-License-Identifier: BSD-3-Clause
/*
 * bench-handoff: the limit of handing messages between two cores on this
 * machine, the ceiling of the demo's mmap'd path, where the driver and the
 * simulated device each have a thread. The driver's thread fills TX slots
 * and verifies RX slots; the device's thread inverts each TX slot into its
 * RX slot; 64-slot rings of 2 KiB messages and one index each way, as the
 * demo's, with nothing else: no registers, no model, no checks. Each 2 KiB
 * crosses from one core's cache to the other's twice a message, which is
 * what bench-payload (one thread, one core) never pays.
 *
 * Usage: bench-handoff [N]     (default 1000000)
 * Prints one line: "handoff: N messages of 2048 bytes in T ns: R messages/s, P ns per message"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define SLOTS		64

struct ring_pair {
	uint64_t tx[SLOTS][WORDS];
	uint64_t rx[SLOTS][WORDS];
	/* Each index on its own cache line: a store to one moves only it. */
	uint64_t tx_prod __attribute__((aligned(64)));	/* driver -> device */
	uint64_t rx_prod __attribute__((aligned(64)));	/* device -> driver */
	uint64_t rx_cons __attribute__((aligned(64)));	/* driver -> device */
	uint64_t n;
};

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * The device: invert each message sent into the next RX slot. Indexes are
 * read once per batch, as a device reads a doorbell once per look: each
 * read of a line the other core writes is a cache miss.
 */
static void *device(void *arg)
{
	struct ring_pair *r = arg;
	uint64_t i = 0, sent = 0, room = 0;

	while (i < r->n) {
		if (i == sent)
			sent = load(&r->tx_prod);
		if (i == room)
			room = load(&r->rx_cons) + SLOTS;
		for (; i < sent && i < room; i++) {
			const uint64_t *src = r->tx[i % SLOTS];
			uint64_t *dst = r->rx[i % SLOTS];

			for (unsigned int w = 0; w < WORDS; w++)
				dst[w] = ~src[w];
			store(&r->rx_prod, i + 1);
		}
	}
	return NULL;
}

/* The driver: keep the ring full, verify what comes back. */
static uint64_t driver(struct ring_pair *r)
{
	uint64_t sent = 0, done = 0, bad = 0;

	while (done < r->n) {
		uint64_t avail;

		for (; sent < r->n && sent - done < SLOTS; sent++) {
			uint64_t p = pattern(sent);

			for (unsigned int w = 0; w < WORDS; w++)
				r->tx[sent % SLOTS][w] = p;
		}
		store(&r->tx_prod, sent);
		for (avail = load(&r->rx_prod); done < avail; done++) {
			uint64_t p = ~pattern(done);

			for (unsigned int w = 0; w < WORDS; w++)
				bad |= r->rx[done % SLOTS][w] ^ p;
		}
		store(&r->rx_cons, done);
	}
	return bad;
}

int main(int argc, char *argv[])
{
	static struct ring_pair r;
	pthread_t dev;
	uint64_t t0, ns, bad;
	int err;

	r.n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	if (!r.n)
		r.n = 1;
	err = pthread_create(&dev, NULL, device, &r);
	if (err) {
		fprintf(stderr, "bench-handoff: cannot start the device thread: %s\n",
			strerror(err));
		return 1;
	}
	t0 = now_ns();
	bad = driver(&r);
	ns = now_ns() - t0;
	pthread_join(dev, NULL);
	if (bad) {
		fprintf(stderr, "bench-handoff: a message did not verify\n");
		return 1;
	}
	report("handoff", r.n, ns);
	return 0;
}
