/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hostile device for the fuzzer: a struct vfio_ops that forwards every
 * call to the mock VFIO kernel (the simulated Revere-AMU answers), and
 * lets a script taken from the fuzz input perturb what the driver sees at
 * chosen BAR0 reads: a register value replaced or nudged, a byte of a
 * response, exception or RX slot overwritten, a failed read, a device that
 * stops taking writes or disappears, a signal, the kernel asking for the
 * device back, a forged interrupt. Every MSI-X the device raises may be
 * delivered, dropped, doubled or sent to the other vector.
 *
 * It also watches the driver: every BAR0 access, DMA mapping, ring base
 * and ring index the driver writes is checked against what the device
 * (spec 2, 3, 4, 8.1) and the mapping allow. A violation prints one line
 * on stderr and aborts (oracle.h), which the fuzzer reports as a crash.
 *
 * Runs are deterministic given the input: the mock runs the model only
 * when a BAR0 store reaches it through pwrite, in this thread. The device
 * takes the driver's stores in order, as each is made or at the virtual
 * clock ticks the input chooses (hostile_tick()), and loads see it as of
 * the last time it ran. BAR0 through pread/pwrite: each access passes
 * through the ops here. BAR0 mmap'd: the mock's own mapping would run the
 * model in a thread, on the scheduler's time; instead the driver gets a
 * page of ours, and its register accesses reach us through
 * vfio_bar0_read64() and vfio_bar0_write64() (run.sh renames vfio.c's).
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
	HOSTILE_SIGNAL,	/* the driver's stop flag is raised (SIGINT), and
			 * its next blocking call fails with EINTR */
	HOSTILE_REQUEST, /* the kernel asks for the device back */
	HOSTILE_FORGE,	/* u8 vector: an MSI-X with nothing behind it on
			 * vector % 2 */
	HOSTILE_IRQS,	/* u8: the interrupt pattern from now on */
	HOSTILE_OP_COUNT
};

/*
 * What becomes of an MSI-X the device raises: the pattern is four of
 * these, two bits each from the low end, used in turn.
 */
enum hostile_irq {
	HOSTILE_IRQ_DELIVER,
	HOSTILE_IRQ_DROP,
	HOSTILE_IRQ_DOUBLE,	/* again, once the driver took the first */
	HOSTILE_IRQ_MISDIRECT,	/* on the other vector */
};

/* The vectors the driver routes (revere_state.h): management RX, RX. */
#define HOSTILE_VECTORS		2
/* Stores the device thread has not taken yet, at most (mmap). */
#define HOSTILE_QUEUE		256

struct hostile_config {
	bool mmap;		/* BAR0 mmap'd, the device played here */
	/*
	 * 0: the device takes each BAR0 store as it is made; else it takes
	 * them every device_lag virtual clock ticks (hostile_tick()).
	 */
	unsigned int device_lag;
	bool small_bar0;	/* the kernel reports BAR0 as 64 KiB */
	uint8_t irq_pattern;	/* enum hostile_irq, four in turn */
	/*
	 * A fault of pread, pwrite or mmap is injected here, on the driver's
	 * calls only: the device thread played for an mmap'd BAR0 reaches
	 * the mock by pread/pwrite too, and the mock would count those.
	 * nth 0: none.
	 */
	struct mock_fault fault;
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

struct hostile_store {
	uint64_t reg, val;
};

struct hostile_vfio {
	struct vfio_ops ops;		/* hand this to vfio_init() */
	const struct vfio_ops *real;	/* the mock's */
	struct mock_vfio *mock;
	volatile sig_atomic_t *stop;
	struct hostile_config cfg;
	unsigned int fault_seen;	/* calls of cfg.fault.op so far */
	bool eintr;			/* a signal for the next blocking call */

	const uint8_t *script;
	size_t script_len, pos;
	uint64_t reads;			/* BAR0 reads so far */
	uint64_t next_event;		/* read number of the next record */
	bool script_done;

	bool deaf;			/* BAR0 writes dropped */
	bool gone;			/* reads all-ones too */
	unsigned int failed_reads;	/* BAR0 reads that returned an error */
	unsigned int failed_writes;	/* BAR0 writes that returned one */
	/*
	 * The driver's last AMU_CR write turned AMU_EN off and the device
	 * dropped it (deaf or gone), telling the driver it took it.
	 */
	bool amu_off_dropped;
	/* BAR0 read at which the kernel asked for the device back, 0: no. */
	uint64_t requested;

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

	/* Interrupts: the driver's eventfds, learnt from SET_IRQS. */
	int irq_fd[HOSTILE_VECTORS];	/* -1: not routed */
	uint64_t irq_left[HOSTILE_VECTORS];	/* count left for the driver */
	uint64_t irq_owed[HOSTILE_VECTORS];	/* doubles still to come */
	uint8_t irq_pattern;
	uint64_t irqs;			/* raised by the device so far */

	/* BAR0 mmap'd: our page, and the stores on their way. */
	uint64_t *page;
	size_t page_len;
	struct hostile_store queue[HOSTILE_QUEUE];
	unsigned int queued;
	uint64_t ticks;
};

/* params: the mock's model, for its register map. */
void hostile_init(struct hostile_vfio *h, struct mock_vfio *mock,
		  const struct rv_model_params *params,
		  const struct hostile_config *cfg,
		  const uint8_t *script, size_t len,
		  volatile sig_atomic_t *stop);

/* A tick of the virtual clock: the device may run (mmap). */
void hostile_tick(struct hostile_vfio *h);

/*
 * The driver is about to block: the device runs (it would while the
 * driver sleeps) and its interrupts come. True if a signal interrupts
 * the call (HOSTILE_SIGNAL), once.
 */
bool hostile_block(struct hostile_vfio *h);

/*
 * After the run: release what the driver left mapped; true if it left
 * BAR0 mapped (mmap), which the mock cannot count.
 */
bool hostile_release(struct hostile_vfio *h);

#endif /* HOSTILE_VFIO_H */
