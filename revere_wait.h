/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wait engine: how the driver waits for the device, for the
 * management interface (revere_mgt.c) and the exchange (revere_dev.c)
 * alike. Below both: it calls neither.
 */
#ifndef REVERE_WAIT_H
#define REVERE_WAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revere_state.h"

/* The wait mode's name: "poll", "irq" or "hybrid". */
const char *revere_wait_name(enum revere_wait_mode w);

/*
 * One look at the device for a wait: > 0 progress, 0 nothing yet, < 0
 * -errno with rd->err set (or -ETIMEDOUT, the caller's to name).
 */
typedef int (*revere_check_fn)(struct revere_dev *rd, void *arg);

/*
 * The one wait for the device, for the management interface and the
 * exchange alike: call check until it makes progress or fails, or until
 * deadline_ns (rv_now_ns()), in rd->wait's way; an interrupt comes on
 * vector. stoppable: revere_stop_requested() ends the wait (the exchange;
 * never a management command, whose answer must be read). mod (NULL:
 * none), in irq and hybrid modes: if the first look finds nothing, doze
 * that long with the vector masked before looking again, and spin at
 * least that long before blocking (moderation.h). Returns check's
 * progress (> 0), its error, -ETIMEDOUT or -EINTR (a stop); the last two
 * with rd->err untouched, for the caller to name.
 */
struct revere_moderation {
	uint64_t doze_ns;	/* rv_doze_ns(): 0 never */
	uint64_t spin_ns;	/* rv_spin_ns(): 0 as the mode says */
};

int revere_wait(struct revere_dev *rd, enum revere_vector vector,
		uint64_t deadline_ns, bool stoppable,
		const struct revere_moderation *mod,
		revere_check_fn check, void *arg);

/*
 * What a timed-out wait was waiting on, for its message: "" in poll mode,
 * else ", waiting on MSI-X vector N (...): K interrupts".
 */
const char *revere_wait_what(const struct revere_dev *rd,
			     enum revere_vector vector, char *buf, size_t len);

/*
 * The run must stop (a signal, or the kernel asking for the device back
 * through the device request): checked before each management command
 * and in the exchange loop, never during teardown. The request is an
 * eventfd read: in the exchange, only once it fired (rd->req_watch).
 */
bool revere_stop_requested(struct revere_dev *rd);

/* The vector's name for messages: "management RX", "RX AMS 0". */
const char *revere_vector_name(enum revere_vector vector);

/*
 * Set or clear the digest mask bit that lets the device raise vector
 * (spec 3, 4, 8.8). 0, or the failed BAR0 write's -errno with rd->err
 * naming it.
 */
int revere_vector_mask(struct revere_dev *rd, enum revere_vector vector,
		       bool on);

/*
 * The exchange is over: vector's interrupt unmasked again if a doze or a
 * spin left it masked, so the device is left as configured. 0, or the
 * failed write's -errno with rd->err naming it.
 */
int revere_wait_unmask(struct revere_dev *rd, enum revere_vector vector);

/* --verbose: each vector's wake-ups and dozes so far. */
void revere_wait_report(struct revere_dev *rd);

/*
 * Step 2: let the kernel ask for the device back (the device request)
 * whenever the device offers it; and for --wait irq or hybrid, route
 * MSI-X vectors 0 and 1 to eventfds (a device without them fails irq;
 * hybrid polls instead, and says so).
 */
int revere_route_request(struct revere_dev *rd);
int revere_route_irqs(struct revere_dev *rd);

/*
 * The exchange spins without a system call: a thread watches the device
 * request's eventfd and raises a flag the stop check reads (fd_watch.h).
 * revere_watch_stop() stops the thread and reads the eventfd itself once:
 * true when a stop was requested.
 */
int revere_watch_start(struct revere_dev *rd);
bool revere_watch_stop(struct revere_dev *rd);

#endif /* REVERE_WAIT_H */
