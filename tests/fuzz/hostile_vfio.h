/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hostile device for the fuzzer: a struct vfio_ops that forwards every
 * call to the mock VFIO kernel (the simulated Revere-AMU answers), and
 * lets a script taken from the fuzz input perturb what the driver sees at
 * chosen BAR0 reads: a register value replaced or nudged, a byte of a
 * response, exception or RX slot overwritten, a failed read, a device that
 * stops taking writes or disappears, a signal.
 *
 * It also watches the driver: every BAR0 access, DMA mapping, ring base
 * and ring index the driver writes is checked against what the device
 * (spec 2, 3, 4, 8.1) and the mapping allow. A violation prints one line
 * on stderr and aborts (oracle.h), which the fuzzer reports as a crash.
 *
 * BAR0 must go through pread/pwrite (the mock's bar0_mmap=0) so that every
 * register access passes through here; the model then runs synchronously,
 * and the whole run is deterministic given the input.
 */
#ifndef HOSTILE_VFIO_H
#define HOSTILE_VFIO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock_vfio.h"
#include "vfio.h"

/*
 * The script: records of [u16 little-endian: BAR0 reads to let pass]
 * [u8 op] [arguments of op], applied in turn; once it ends, everything
 * passes. See doc/fuzzing.md.
 */
enum hostile_op {
	HOSTILE_VALUE,	/* u64 LE: the read returns this */
	HOSTILE_NUDGE,	/* s8: the read returns the true value plus this */
	HOSTILE_POKE,	/* u8 ring, u8 slot, u16 LE offset, u8 byte: write
			 * the byte into a response (ring % 3 == 0),
			 * exception (1) or RX AMS 0 (2) slot */
	HOSTILE_EIO,	/* the read fails with EIO */
	HOSTILE_DEAF,	/* from now on BAR0 writes are dropped */
	HOSTILE_GONE,	/* from now on reads return all-ones, writes dropped */
	HOSTILE_SIGNAL,	/* the driver's stop flag is raised (SIGINT) */
	HOSTILE_OP_COUNT
};

/* A ring as the watcher learns it from the driver's writes and commands. */
struct hostile_ring {
	const char *name;
	uint64_t sw_reg;	/* the index software writes */
	uint64_t dev_reg;	/* the index the device reports */
	bool sw_produces;	/* command and TX rings; else the device does */
	uint64_t iova;		/* slot 0, once known */
	unsigned int log2_size;
	uint32_t slot_size;
	bool known;		/* base and size seen */
	uint64_t reported;	/* the device index last handed to the driver */
	bool reported_seen;
	uint64_t doorbell;	/* last software index written */
};

enum { H_CMD, H_RSP, H_EXC, H_TX, H_RX, H_RINGS };

struct hostile_vfio {
	struct vfio_ops ops;		/* hand this to vfio_init() */
	const struct vfio_ops *real;	/* the mock's */
	struct mock_vfio *mock;
	volatile sig_atomic_t *stop;

	const uint8_t *script;
	size_t script_len, pos;
	uint64_t reads;			/* BAR0 reads so far */
	uint64_t next_event;		/* read number of the next record */
	bool script_done;

	bool deaf;			/* BAR0 writes dropped */
	bool gone;			/* reads all-ones too */
	unsigned int failed_reads;	/* BAR0 reads that returned an error */
	/*
	 * The driver's last AMU_CR write turned AMU_EN off and the device
	 * dropped it (deaf or gone), telling the driver it took it.
	 */
	bool amu_off_dropped;

	/* What the driver set up, learnt from the calls it makes. */
	int device_fd;
	uint64_t bar0_offset, bar0_size;
	bool bar0_known;
	uint64_t cfg_offset, cfg_size;
	uint8_t *dma_vaddr;
	uint64_t dma_iova, dma_size;	/* size 0: nothing mapped */
	unsigned int msg_log2;		/* largest PF-ASN-CREATE message */
	struct hostile_ring ring[H_RINGS];
	/* A model never stepped: only asked which registers exist. */
	struct rv_model regmap;
};

/* params: the mock's model, for its register map. */
void hostile_init(struct hostile_vfio *h, struct mock_vfio *mock,
		  const struct rv_model_params *params,
		  const uint8_t *script, size_t len,
		  volatile sig_atomic_t *stop);

#endif /* HOSTILE_VFIO_H */
