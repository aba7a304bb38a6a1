/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BAR0 of the device model as shared memory: a host that lets software map
 * BAR0 (the mock VFIO kernel's mmap, the vfio-user server's file
 * descriptor) keeps a page in which software's loads and stores land with
 * no trap. The host polls it: software's stores to the registers it owns
 * (rv_model_reg_owner()) go to the model, and the device's registers come
 * back out, so that the page reads like the device.
 *
 * The page is MMIO to software (volatile, no lock), ordered by barriers and
 * doorbells: the host reads and writes it with atomics only. Everything
 * else here is the host's, under whatever lock it serialises the model with.
 */
#ifndef RV_BAR_MIRROR_H
#define RV_BAR_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revere_model.h"

struct rv_bar_mirror {
	uint64_t *page;			/* the shared page (the host's) */
	uint32_t *sw_off, *dev_off;	/* byte offsets of registers */
	const uint64_t **dev_reg;	/* per dev_off: the model's storage,
					 * NULL if computed on each read */
	uint64_t *shadow;		/* last software value seen, per sw_off:
					 * atomic, as a host may compare it
					 * with the page without its lock */
	size_t n_sw, n_dev;
};

/*
 * Which registers to copy in and out of page (RV_MODEL_BAR0_SIZE bytes),
 * and the page made to show the model's registers. 0 or ENOMEM.
 */
int rv_bar_mirror_init(struct rv_bar_mirror *b, struct rv_model *m,
		       uint64_t *page);

/* The tables; the page stays the host's. */
void rv_bar_mirror_free(struct rv_bar_mirror *b);

/* Make the page show the model's registers (after init or a reset). */
void rv_bar_mirror_resync(struct rv_bar_mirror *b, struct rv_model *m);

/* Device registers out to the page, after the model has run. */
void rv_bar_mirror_publish(struct rv_bar_mirror *b, struct rv_model *m);

/* The stored ones only (not the digests, computed on each read). */
void rv_bar_mirror_publish_stored(struct rv_bar_mirror *b);

/*
 * A ring index the model moved (struct rv_model_host.index_moved), out to
 * the page at once, so that software sees each message as it lands, not a
 * batch at the end. A management index publishes every stored register
 * with it: a command may have changed any of them, and software reads
 * them once it sees the response.
 */
void rv_bar_mirror_index_moved(struct rv_bar_mirror *b, uint64_t off,
			       uint64_t val);

/*
 * Software's stores since the last look, each handed to sw_write (which
 * passes it to the model, or holds it); returns how many.
 */
typedef void rv_bar_sw_write(void *host, uint64_t off, uint64_t val);
unsigned int rv_bar_mirror_take(struct rv_bar_mirror *b,
				rv_bar_sw_write *sw_write, void *host);

/* Without the host's lock: has software stored since the last take? */
bool rv_bar_mirror_changed(const struct rv_bar_mirror *b);

/* A write that reached the model another way (a trapped access). */
void rv_bar_mirror_after_write(struct rv_bar_mirror *b, struct rv_model *m,
			       uint64_t off, uint64_t val);

#endif /* RV_BAR_MIRROR_H */
