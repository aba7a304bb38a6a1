/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver's state and options, shared by its parts: the steps
 * (revere_dev.c), the management interface (revere_mgt.c), the wait
 * engine (revere_wait.c) and the data path (revere_datapath.c). Types
 * only: each part includes this, none includes another's header in a
 * loop.
 */
#ifndef REVERE_STATE_H
#define REVERE_STATE_H

#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"
#include "fd_watch.h"
#include "moderation.h"
#include "revere.h"
#include "revere_figures.h"
#include "revere_hw.h"
#include "vfio.h"

enum revere_log {
	REVERE_LOG_STEP,	/* one line per step, and the summary */
	REVERE_LOG_INFO,	/* identification, probe results (--verbose) */
	REVERE_LOG_WARN,	/* something went wrong but the run goes on */
	REVERE_LOG_TRACE,	/* management commands and responses (--trace) */
};

/*
 * How the driver waits for the device (README, doc/design.md):
 *   POLL: spin on the index registers.
 *   IRQ: block in poll(2) on an MSI-X vector's eventfd (spec 8.8);
 *        in the exchange, doze or spin first as moderation.h says.
 *   HYBRID: spin for spin_us, then block as IRQ does.
 */
enum revere_wait_mode {
	REVERE_WAIT_POLL,
	REVERE_WAIT_IRQ,
	REVERE_WAIT_HYBRID,
};

/* Slots of each data ring (TX and RX AMS 0): --queue-depth's bound. */
#define REVERE_RING_SLOTS	64u

struct revere_opts {
	uint64_t packets;		/* messages to exchange */
	unsigned int queue_depth;	/* in flight at most, 1 to the ring size */
	unsigned int timeout_ms;	/* per response, per exchange progress */
	enum revere_wait_mode wait;	/* --wait */
	unsigned int spin_us;		/* --spin-us: hybrid's spin budget */
	bool loopback;			/* AMI-SW TX -> RX, no accelerator */
	/*
	 * BAR0 through pread/pwrite even where it can be mapped: every
	 * register access a system call (or a vfio-user message) that a
	 * model, or strace, sees.
	 */
	bool bar0_rw;
	bool trace;
	bool simulated;			/* --sim: step 2 says so */
	/* Set asynchronously (signal handler): stop what you're doing. */
	volatile sig_atomic_t *stop;
	/* Where progress goes; the driver itself never prints. */
	void (*log)(void *arg, enum revere_log level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	void *log_arg;
	/*
	 * Called from the exchange, with log_arg, about once every
	 * progress_ns (0: never) with what has been verified so far and the
	 * time since it began; never after the last message.
	 */
	void (*progress)(void *arg, uint64_t verified, uint64_t elapsed_ns);
	uint64_t progress_ns;
};

/*
 * What has been set up on the device (revere_dev.done), so teardown undoes
 * exactly that.
 */
enum revere_done {
	REVERE_DONE_BUS_MASTER		= 1u << 0,
	REVERE_DONE_AMU_ENABLED		= 1u << 1,
	REVERE_DONE_AMI_SW_MAPPED	= 1u << 2,
	REVERE_DONE_AMI_HW0_MAPPED	= 1u << 3,
	REVERE_DONE_AMI_HW1_MAPPED	= 1u << 4,
	REVERE_DONE_ASN0		= 1u << 5,
	REVERE_DONE_ASN1		= 1u << 6,
	REVERE_DONE_AMI_SW_ENABLED	= 1u << 7,
	REVERE_DONE_AMI_HW0_ENABLED	= 1u << 8,
	REVERE_DONE_AMI_HW1_ENABLED	= 1u << 9,
	REVERE_DONE_IRQ_VECTORS		= 1u << 10,	/* MSI-X on eventfds */
	REVERE_DONE_MGT_IRQ		= 1u << 11,	/* MGT_RX_IRQ_CTRL on */
	REVERE_DONE_SW_IRQ		= 1u << 12,	/* RX_DIGEST_MASK set */
};

/* The MSI-X vectors the driver asks the device for (spec 3, 6, 8.8). */
enum revere_vector {
	REVERE_VEC_MGT_RX,	/* MGT_RX_VECTOR: the response socket */
	REVERE_VEC_RX,		/* AMI-SW 0's RX_VECTOR: RX AMS 0 */
	REVERE_NUM_VECTORS,
};

struct revere_probe {
	uint64_t idr, aidr, iidr;
	uint32_t max_ami_sw, max_ami_hw, max_asn, num_aha;
	uint32_t ami_per_f;
};

struct revere_dev {
	struct vfio_dev *vfio;
	const struct revere_opts *opts;
	/*
	 * The run's one error record, shared with the VFIO layer (it is
	 * vfio->err): whoever fails first writes it, main() prints it.
	 */
	struct errmsg *err;

	/* Step 1: every buffer the device reads or writes, one mapping. */
	uint8_t *mem;
	size_t mem_size;
	uint64_t iova;

	/* Management sockets (spec 3) and AMI-SW 0's AMS 0 rings (spec 7). */
	struct rv_ring cmd, rsp, exc;
	struct rv_ring tx, rx;
	uint32_t msg_size;		/* bytes per data message */

	struct revere_probe probe;
	unsigned int done;		/* enum revere_done bits */
	bool tearing_down;		/* signals no longer cut waits short */
	/*
	 * The device request eventfd (vfio.h) is read before each command
	 * in set-up; in the exchange, which must make no system call while
	 * it spins, only once req_watch saw it readable, or a blocked wait
	 * did (req_check).
	 */
	struct fd_watch req_watch;
	bool req_check;
	bool mgt_dead;			/* a command timed out: skip the rest */
	bool mgt_accepted;		/* the last command's status was OK */
	unsigned int skipped;		/* teardown commands not sent */
	bool reset_needed;		/* a teardown step failed */
	uint64_t sent;			/* messages put on the TX ring */
	uint64_t verified;		/* messages checked so far */
	/*
	 * The wait mode in effect: opts->wait, or POLL when hybrid found no
	 * MSI-X. Per vector, the wake-ups by its eventfd, and those after
	 * which the ring held nothing new (spurious, or already consumed).
	 */
	enum revere_wait_mode wait;
	uint64_t wakeups[REVERE_NUM_VECTORS];
	uint64_t idle_wakeups[REVERE_NUM_VECTORS];
	uint64_t dozes[REVERE_NUM_VECTORS];	/* moderated sleeps */
	/* Masked by a doze or a spin, until the wait blocks (revere_wait.c). */
	bool masked[REVERE_NUM_VECTORS];
	struct rv_pace pace;		/* the device's, for moderation */
	/* Send time of each message in flight, by message number mod slots. */
	uint64_t sent_ns[REVERE_RING_SLOTS];
	struct revere_figures fig;
};

/* Progress goes through opts->log, when there is one. */
#define rd_log(rd, level, ...) \
	do { \
		if ((rd)->opts->log) \
			(rd)->opts->log((rd)->opts->log_arg, level, __VA_ARGS__); \
	} while (0)

#endif /* REVERE_STATE_H */
