// SPDX-License-Identifier: BSD-3-Clause
/*
 * How the driver waits for the device: one wait for the management
 * interface and the exchange alike, in poll, irq or hybrid mode, with
 * interrupt moderation (moderation.h), the interrupt masks that gate each
 * vector, and the stop check (a signal, or the kernel asking for the
 * device back).
 */
#define _GNU_SOURCE		/* ppoll() */
#include "revere_wait.h"
#include "revere_config.h"

#include <errno.h>
#include <linux/vfio.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

const char *revere_wait_name(enum revere_wait_mode w)
{
	return w == REVERE_WAIT_IRQ ? "irq" :
	       w == REVERE_WAIT_HYBRID ? "hybrid" : "poll";
}

bool revere_stop_requested(struct revere_dev *rd)
{
	if (rd->tearing_down)
		return false;
	if (rd->opts->stop && *rd->opts->stop)
		return true;
	if (vfio_req_fd(rd->vfio) < 0 || vfio_req_fired(rd->vfio))
		return vfio_req_fired(rd->vfio);
	/* The exchange: read the eventfd only once the watcher saw it fire. */
	if (rd->req_watch.running && !rd->req_check &&
	    !fd_watch_fired(&rd->req_watch))
		return false;
	rd->req_check = false;
	return vfio_req_pending(rd->vfio);
}

/*
 * A blocked wait sleeps at most this long before it looks at the ring
 * again: an interrupt that is lost (the device's, or one the platform
 * dropped) costs this much, not the whole --timeout; and a signal that
 * lands between the stop check and poll(2) is seen this late at worst
 * (poll itself returns EINTR for any later one). The device request wakes
 * a stoppable wait at once: its eventfd is in the poll set.
 */
#define STOP_SLICE_MS		10

/*
 * A spin that has found nothing for this long gives its core away once
 * (sched_yield()): a system call per ms at most, like the request check,
 * never per look. Without it a spinning driver can starve whatever must
 * run for the device to make progress on a loaded machine: the simulated
 * device's own thread, on two shared cores, went 100 ms without the CPU.
 */
#define SPIN_YIELD_NS		NSEC_PER_MSEC

static const char *const vector_names[REVERE_NUM_VECTORS] = {
	[REVERE_VEC_MGT_RX] = "management RX",
	[REVERE_VEC_RX] = "RX AMS 0",
};

const char *revere_vector_name(enum revere_vector vector)
{
	return vector_names[vector];
}

const char *revere_wait_what(const struct revere_dev *rd,
			     enum revere_vector vector, char *buf, size_t len)
{
	if (rd->wait == REVERE_WAIT_POLL)
		return "";
	snprintf(buf, len, ", waiting on MSI-X vector %u (%s): %" PRIu64 " interrupt%s",
		 (unsigned int)vector, vector_names[vector], rd->wakeups[vector],
		 rd->wakeups[vector] == 1 ? "" : "s");
	return buf;
}

/*
 * The fd a blocked stoppable wait also watches, so that the device request
 * ends it at once: the request's eventfd until it has fired, else -1.
 */
static int request_fd(const struct revere_dev *rd, bool stoppable)
{
	return stoppable && !vfio_req_fired(rd->vfio) ? vfio_req_fd(rd->vfio) : -1;
}

/* Block on vector's eventfd until it fires or deadline_ns passes. */
static int wait_irq(struct revere_dev *rd, enum revere_vector vector,
		    uint64_t now, uint64_t deadline_ns, bool stoppable)
{
	uint64_t ms = (deadline_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	int woke;

	if (ms > STOP_SLICE_MS)
		ms = STOP_SLICE_MS;
	woke = vfio_irq_wait(rd->vfio, vector, request_fd(rd, stoppable),
			     (int)ms);
	if (woke == -EINTR)
		return 0;	/* the stop check sees it, or the wait goes on */
	if (woke < 0)
		return woke;
	if (woke & VFIO_IRQ_WOKE_EXTRA)
		rd->req_check = true;	/* read the request now */
	if (woke & VFIO_IRQ_WOKE_VECTOR)
		rd->wakeups[vector]++;
	return woke & VFIO_IRQ_WOKE_VECTOR;
}

/* The digest mask register and bit that gate each vector (spec 3, 4, 8.8). */
static const struct {
	uint64_t reg, bit;
} vector_mask[REVERE_NUM_VECTORS] = {
	[REVERE_VEC_MGT_RX] = { RV_MGT_RX_DIGEST_MASK, RV_BIT(0) },
	[REVERE_VEC_RX] = { RX_DIGEST_MASK, RV_BIT(AMS) },
};

int revere_vector_mask(struct revere_dev *rd, enum revere_vector vector,
		       bool on)
{
	rv_reg_write(rd->vfio, vector_mask[vector].reg,
		     on ? vector_mask[vector].bit : 0);
	if (vfio_bar0_error(rd->vfio))
		return rv_bar_failed(rd->vfio, rd->err, "%s the %s interrupt",
				     on ? "unmasking" : "masking",
				     vector_names[vector]);
	return 0;
}

/*
 * While the driver dozes or spins it needs no interrupt, and on a fast
 * device one a message would cost both sides (an MSI-X, an eventfd
 * write): the vector is masked (spec 8.8: no interrupt for a masked AMS)
 * until the wait is about to block, as NAPI keeps a device's interrupt
 * off while it polls. Unmasking comes before one more look at the ring,
 * so a message that landed while it was masked is seen, and one landing
 * from then on raises the interrupt.
 */
static int mask(struct revere_dev *rd, enum revere_vector vector, bool on)
{
	int ret;

	if (rd->masked[vector] == on)
		return 0;
	ret = revere_vector_mask(rd, vector, !on);
	if (!ret)
		rd->masked[vector] = on;
	return ret;
}

/*
 * Interrupt moderation (moderation.h): sleep ns with vector masked. A
 * signal (EINTR) or the device request ends it early. What the sleep
 * overran by is what a wake-up costs here, for the next doze's length.
 */
static int doze(struct revere_dev *rd, enum revere_vector vector,
		uint64_t ns, bool stoppable)
{
	/* poll(2) ignores an fd of -1. */
	struct pollfd pfd = { .fd = request_fd(rd, stoppable), .events = POLLIN };
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};
	uint64_t t0;
	int ret;

	ret = mask(rd, vector, true);
	if (ret)
		return ret;
	t0 = rv_now_ns();
	ret = ppoll(&pfd, 1, &ts, NULL);
	if (ret == 0)
		rv_pace_slept(&rd->pace, ns, rv_now_ns() - t0);
	if (ret < 0 && errno != EINTR)
		return errmsg_set_errno(rd->err, errno, "ppoll while dozing on %s",
					vector_names[vector]);
	if (ret > 0)
		rd->req_check = true;
	rd->dozes[vector]++;
	return 0;
}

int revere_wait_unmask(struct revere_dev *rd, enum revere_vector vector)
{
	return mask(rd, vector, false);
}

/*
 * No wake-up is lost: the eventfd counts every interrupt until it is read,
 * and it is read (drained) only when poll(2) says it fired, before the
 * index is read again. An interrupt for a message that arrives after that
 * read makes the next poll(2) return at once. A wake-up with nothing new
 * in the ring (a spurious interrupt, or one for a message an earlier look
 * took) is counted and the wait goes on: never progress by itself.
 */
int revere_wait(struct revere_dev *rd, enum revere_vector vector,
		uint64_t deadline_ns, bool stoppable,
		const struct revere_moderation *mod,
		revere_check_fn check, void *arg)
{
	uint64_t spin_ns = rd->wait == REVERE_WAIT_HYBRID ?
			   rd->opts->spin_us * NSEC_PER_USEC : 0;
	uint64_t doze_ns = mod ? mod->doze_ns : 0;
	uint64_t now = rv_now_ns();
	uint64_t spin_until, yield_at = now + SPIN_YIELD_NS;
	bool woken = false;
	int ret;

	if (rd->wait == REVERE_WAIT_POLL)
		doze_ns = 0;
	if (mod && mod->spin_ns > spin_ns)
		spin_ns = mod->spin_ns;
	spin_until = now + spin_ns;
	for (;;) {
		if (stoppable && revere_stop_requested(rd))
			return -EINTR;
		ret = check(rd, arg);
		if (ret)
			return ret;
		if (woken)
			rd->idle_wakeups[vector]++;
		woken = false;
		now = rv_now_ns();
		if (now > deadline_ns)
			return -ETIMEDOUT;
		if (doze_ns) {
			if (doze_ns > deadline_ns - now)
				doze_ns = deadline_ns - now;
			ret = doze(rd, vector, doze_ns, stoppable);
			if (ret)
				return ret;
			doze_ns = 0;	/* once a wait: from here on, as usual */
			spin_until = rv_now_ns() + spin_ns;
			continue;
		}
		if (rd->wait == REVERE_WAIT_POLL || now < spin_until) {
			if (mod && rd->wait != REVERE_WAIT_POLL &&
			    (ret = mask(rd, vector, true)))
				return ret;
			rv_cpu_relax();
			if (now >= yield_at) {
				sched_yield();
				yield_at = now + SPIN_YIELD_NS;
			}
			continue;
		}
		if (rd->masked[vector]) {
			ret = mask(rd, vector, false);
			if (ret)
				return ret;
			continue;	/* one more look, then block */
		}
		ret = wait_irq(rd, vector, now, deadline_ns, stoppable);
		if (ret < 0)
			return ret;
		woken = ret > 0;
	}
}

void revere_wait_report(struct revere_dev *rd)
{
	if (rd->wait == REVERE_WAIT_POLL)
		return;
	for (unsigned int v = 0; v < REVERE_NUM_VECTORS; v++)
		rd_log(rd, REVERE_LOG_INFO,
		       "MSI-X vector %u (%s): %" PRIu64 " wake-ups, %" PRIu64 " with nothing new",
		       v, vector_names[v], rd->wakeups[v], rd->idle_wakeups[v]);
	if (rd->pace.ns)
		rd_log(rd, REVERE_LOG_INFO,
		       "%s: %" PRIu64 " dozes with its interrupt masked, at %" PRIu64 " ns a message, %" PRIu64 " ns a wake-up",
		       vector_names[REVERE_VEC_RX], rd->dozes[REVERE_VEC_RX],
		       rd->pace.ns, rv_wake_ns(&rd->pace));
}

/* ---- what the waits need routed: interrupts, the device request ---- */

/*
 * Let the kernel ask for the device back (vfio.h: the device request)
 * whenever the device offers it; one that does not runs all the same.
 */
int revere_route_request(struct revere_dev *rd)
{
	int ret = vfio_req_enable(rd->vfio);

	if (ret == -ENOTSUP) {
		rd_log(rd, REVERE_LOG_INFO,
		       "device request: not offered by %s, the kernel cannot ask for it back",
		       vfio_device_name(rd->vfio));
		return 0;
	}
	if (ret)
		return ret;
	rd_log(rd, REVERE_LOG_INFO,
	       "device request: routed to an eventfd, a request stops the run");
	return 0;
}

/*
 * --wait irq or hybrid: MSI-X vectors 0 (management RX) and 1 (RX AMS 0)
 * routed to eventfds (VFIO_DEVICE_SET_IRQS). A device without them fails
 * irq, naming what is missing; hybrid falls back to polling and says so.
 */
int revere_route_irqs(struct revere_dev *rd)
{
	int n, ret;

	if (rd->wait == REVERE_WAIT_POLL)
		return 0;
	n = vfio_irq_vectors(rd->vfio, VFIO_PCI_MSIX_IRQ_INDEX);
	if (n < 0)
		return n;
	if (n < REVERE_NUM_VECTORS) {
		if (rd->wait == REVERE_WAIT_HYBRID) {
			rd_log(rd, REVERE_LOG_INFO,
			       "--wait hybrid: %s has %d MSI-X vectors that can signal an eventfd, %d needed: polling instead",
			       vfio_device_name(rd->vfio), n, REVERE_NUM_VECTORS);
			rd->wait = REVERE_WAIT_POLL;
			return 0;
		}
		errmsg_set(rd->err, ENOTSUP,
			    "--wait irq: %s has %d MSI-X vectors that can signal an eventfd, the demo needs %d (management RX and RX AMS 0, spec 8.8)",
			    vfio_device_name(rd->vfio), n, REVERE_NUM_VECTORS);
		errmsg_hint(rd->err, "use --wait poll, or --wait hybrid, which polls on such a device");
		return -ENOTSUP;
	}
	ret = vfio_irq_enable(rd->vfio, VFIO_PCI_MSIX_IRQ_INDEX, REVERE_NUM_VECTORS);
	if (ret) {
		errmsg_prefix(rd->err, "--wait %s", revere_wait_name(rd->wait));
		return ret;
	}
	rd->done |= REVERE_DONE_IRQ_VECTORS;
	rd_log(rd, REVERE_LOG_INFO,
	       "interrupts: MSI-X vector %u (%s) and %u (%s) on eventfds, --wait %s",
	       REVERE_VEC_MGT_RX, revere_vector_name(REVERE_VEC_MGT_RX),
	       REVERE_VEC_RX, revere_vector_name(REVERE_VEC_RX),
	       revere_wait_name(rd->wait));
	return 0;
}

/*
 * The exchange spins on BAR0 without a system call: a thread watches the
 * device request's eventfd for it, and the loop looks at a flag.
 */
int revere_watch_start(struct revere_dev *rd)
{
	int ret;

	if (vfio_req_fd(rd->vfio) < 0 || vfio_req_fired(rd->vfio))
		return 0;
	ret = fd_watch_start(&rd->req_watch, vfio_req_fd(rd->vfio));
	/* The first look reads it: a request from before the watcher. */
	rd->req_check = true;
	if (!ret)
		return 0;
	errmsg_set_errno(rd->err, -ret,
			 "exchange: cannot start the thread that watches the device request of %s",
			 vfio_device_name(rd->vfio));
	/* fd_watch_start() needs an eventfd, then a thread. */
	if (ret == -EMFILE || ret == -ENFILE)
		errmsg_hint(rd->err, "raise the limit on open files (ulimit -n)");
	else if (ret == -EAGAIN)
		errmsg_hint(rd->err, "raise the limit on threads (ulimit -u)");
	else
		errmsg_hint(rd->err, "check free memory");
	return ret;
}

bool revere_watch_stop(struct revere_dev *rd)
{
	fd_watch_stop(&rd->req_watch);
	rd->req_check = true;
	return revere_stop_requested(rd);
}
