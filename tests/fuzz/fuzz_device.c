// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the driver against a hostile device. Each input runs
 * the README's five steps as main() does (revere_dev.h) on the simulated
 * Revere-AMU, with BAR0 behind the hostile ops of hostile_vfio.h, and then
 * checks that the run ended sanely and left nothing behind.
 *
 * Input: a 15-byte header (the run, the model, the mock), then the script
 * of hostile_vfio.h. doc/fuzzing.md has the same in a table.
 *   byte 0: flags
 *     bit 0  --loopback
 *     bit 1  --trace
 *     bit 2  the model answers opcode byte 2 with status byte 3
 *     bit 3  the model posts an exception of opcode byte 4 first
 *     bit 4  system call byte 5 (enum mock_op, modulo their count) fails
 *            with EIO at call 1 + byte 6
 *     bit 5  the device offers no VFIO_DEVICE_RESET
 *     bit 6  the IOMMU's pages are 128 KiB
 *     bit 7  the PCI device ID is bytes 2 and 3 (little-endian)
 *   byte 1: --packets 1 + byte % 160 (fewer than 256: message i and
 *           i + 256 carry the same byte, and a stale slot would verify)
 *   byte 7: the run
 *     bits 0-1  --wait: poll, irq, hybrid (3: poll)
 *     bit 2     BAR0 mmap'd (else pread/pwrite)
 *     bit 3     the device offers no device request
 *     bit 4     the device has one MSI-X vector, not 8
 *     bits 5-6  the request watcher's thread fails to start: no, with
 *               EAGAIN, EMFILE, ENOMEM
 *     bit 7     the mock signals each vector once as it is routed
 *   byte 8: --queue-depth: 0 unset (the ring), else 1 + (byte - 1) % 64
 *   byte 9: bits 0-3: --timeout 1 + bits ms (past the 10 ms a blocked
 *           wait sleeps at most); bit 7: a progress line every ms, as on
 *           a terminal
 *   byte 10: --spin-us 8 * byte
 *   byte 11: the virtual clock's step: 0 is 100 us, else 4 us * byte
 *   byte 12: the interrupt pattern (enum hostile_irq, four in turn)
 *   byte 13: the request watcher sees a readable eventfd this many clock
 *            ticks late (255: never)
 *   byte 14: bits 0-3: the device takes the driver's BAR0 stores as they
 *            are made (0) or every that many clock ticks; bit 7: the
 *            kernel reports BAR0 as 64 KiB, less than spec 2 needs
 * An older 7-byte header followed by its script is this header with bytes
 * 7 to 14 zero inserted: the same run (tests/fuzz/corpus was converted).
 *
 * Time is virtual: the driver's clock (clock_gettime in rv_now_ns() of
 * revere_hw.h, renamed at compile time by run.sh in the driver's files)
 * advances a fixed step per call, and its blocking calls (poll in
 * vfio_irq_wait(), ppoll in the moderated doze) look without blocking,
 * then advance the clock by their timeout: every wait ends after a
 * bounded number of looks, and a run depends on its input only. The
 * request watcher's thread (fd_watch.h) is replaced by one that looks at
 * each tick, so that when it sees the request is the input's choice too.
 */
#define _GNU_SOURCE		/* ppoll()'s declaration */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fd_watch.h"
#include "hostile_vfio.h"
#include "mock_vfio.h"
#include "oracle.h"
#include "revere_dev.h"

#define HEADER_LEN	15
#define MAX_PACKETS	160
#define CLOCK_STEP_NS	100000	/* ten looks per millisecond of timeout */
#define WATCH_NEVER	255

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_clock_gettime(clockid_t clk, struct timespec *ts);
int fuzz_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
int fuzz_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
	       const sigset_t *sigmask);

static struct hostile_vfio hostile;	/* static: it holds a whole model */
static uint64_t virtual_ns, clock_step_ns;

/* ---- the request watcher (fd_watch.h), on the virtual clock ---- */

static struct {
	int fail;		/* fd_watch_start()'s errno, 0: it starts */
	unsigned int lag;	/* ticks from readable to fired */
	struct fd_watch *w;	/* the running one */
	bool seen;		/* its fd was readable */
	unsigned int countdown;
} watcher;

int fd_watch_start(struct fd_watch *w, int fd)
{
	*w = (struct fd_watch){ .fd = fd, .quit_fd = -1 };
	if (watcher.fail)
		return -watcher.fail;
	w->running = true;
	watcher.w = w;
	watcher.seen = false;
	return 0;
}

void fd_watch_stop(struct fd_watch *w)
{
	if (!w->running)
		return;
	w->running = false;
	if (watcher.w == w)
		watcher.w = NULL;
}

/* The watcher's thread got a core: has its fd been readable? */
static void watcher_tick(void)
{
	struct fd_watch *w = watcher.w;
	struct pollfd pfd;

	if (!w || w->fired || watcher.lag == WATCH_NEVER)
		return;
	if (!watcher.seen) {
		pfd = (struct pollfd){ .fd = w->fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) <= 0)
			return;
		watcher.seen = true;
		watcher.countdown = watcher.lag;
	}
	if (watcher.countdown) {
		watcher.countdown--;
		return;
	}
	__atomic_store_n(&w->fired, true, __ATOMIC_RELEASE);
}

/* ---- virtual time ---- */

static void tick(uint64_t ns)
{
	virtual_ns += ns;
	watcher_tick();
	hostile_tick(&hostile);
}

int fuzz_clock_gettime(clockid_t clk, struct timespec *ts)
{
	(void)clk;
	tick(clock_step_ns);
	ts->tv_sec = (time_t)(virtual_ns / 1000000000u);
	ts->tv_nsec = (long)(virtual_ns % 1000000000u);
	return 0;
}

/*
 * A blocking wait: the device runs, then one look; if nothing is ready
 * the whole timeout passes at once. The fds are real eventfds, and the
 * device (the mock, run by this thread) signalled whatever it was going
 * to before the look: sleeping could change nothing. A signal of the
 * script interrupts it (EINTR), as one landing in poll(2) does.
 */
static int virtual_poll(struct pollfd *fds, nfds_t n, int64_t ns)
{
	int ret;

	if (ns < 0)
		oracle_fail("the driver blocked with no timeout");
	if (hostile_block(&hostile)) {
		errno = EINTR;
		return -1;
	}
	ret = poll(fds, n, 0);
	if (ret)
		return ret;
	tick((uint64_t)ns);
	return 0;
}

int fuzz_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	return virtual_poll(fds, n, timeout_ms < 0 ? -1 :
			    (int64_t)timeout_ms * 1000000);
}

int fuzz_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
	       const sigset_t *sigmask)
{
	(void)sigmask;
	return virtual_poll(fds, n, !timeout ? -1 :
			    (int64_t)timeout->tv_sec * 1000000000 +
			    timeout->tv_nsec);
}

/*
 * What the driver logged, for the oracles: teardown's warnings ("teardown:
 * ..." lines) are how a failed teardown names its failure (main() says
 * "see above").
 */
struct log_state {
	bool in_teardown;
	unsigned int teardown_warnings;	/* "teardown: <text>" lines */
	uint64_t packets;		/* the run's */
	uint64_t verified, elapsed_ns;	/* at the last progress call */
};

/*
 * Format every line, so the sanitizers see the arguments; print it only
 * when FUZZ_LOG is set (to read what a crashing input did).
 */
static void log_line(void *arg, enum revere_log level, const char *fmt, ...)
{
	static const char prefix[] = "teardown: ";
	struct log_state *ls = arg;
	char line[2 * ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (ls->in_teardown && level == REVERE_LOG_WARN &&
	    !strncmp(line, prefix, sizeof(prefix) - 1) &&
	    line[sizeof(prefix) - 1])
		ls->teardown_warnings++;
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "%s\n", line);
}

/*
 * revere_opts.progress: what has been verified and the time only grow,
 * and it is never called after the last message.
 */
static void progress(void *arg, uint64_t verified, uint64_t elapsed_ns)
{
	struct log_state *ls = arg;

	if (verified < ls->verified || elapsed_ns < ls->elapsed_ns ||
	    verified >= ls->packets)
		oracle_fail("progress: %llu of %llu messages verified after %llu ns, then %llu after %llu ns",
			    (unsigned long long)ls->verified,
			    (unsigned long long)ls->packets,
			    (unsigned long long)ls->elapsed_ns,
			    (unsigned long long)verified,
			    (unsigned long long)elapsed_ns);
	ls->verified = verified;
	ls->elapsed_ns = elapsed_ns;
}

static const int watch_errors[] = { 0, EAGAIN, EMFILE, ENOMEM };

static void configure(struct mock_vfio_config *cfg,
		      struct hostile_config *hcfg, struct revere_opts *opts,
		      const uint8_t *hdr)
{
	struct mock_fault fault = {
		.op = (enum mock_op)(hdr[5] % MOCK_OP_COUNT),
		.nth = 1u + hdr[6],
		.err = EIO,
	};

	mock_vfio_default_config(cfg);
	*hcfg = (struct hostile_config){
		.mmap = hdr[7] & 4,
		.device_lag = hdr[14] & 15,
		.small_bar0 = hdr[14] & 128,
		.irq_pattern = hdr[12],
	};
	/* Through pread/pwrite unless mapped, and then it is our page. */
	cfg->bar0_mmap = hcfg->mmap;
	if (hdr[0] & 4) {
		cfg->model.fail_opcode = hdr[2];
		cfg->model.fail_status = hdr[3];
	}
	if (hdr[0] & 8)
		cfg->model.exception_opcode = hdr[4];
	/*
	 * The hostile ops fail the driver's own pread, pwrite and mmap: an
	 * mmap'd BAR0's device reaches the mock by pread/pwrite too. munmap
	 * of a mapping it gave cannot fail (munmap(2)): no fault there.
	 */
	if ((hdr[0] & 16) && (fault.op == MOCK_OP_PREAD ||
			      fault.op == MOCK_OP_PWRITE ||
			      fault.op == MOCK_OP_MMAP)) {
		hcfg->fault = fault;
	} else if ((hdr[0] & 16) && fault.op != MOCK_OP_MUNMAP) {
		cfg->faults[0] = fault;
		cfg->num_faults = 1;
	}
	cfg->reset = !(hdr[0] & 32);
	if (hdr[0] & 64)
		cfg->iova_pgsizes = 1ull << 17;
	if (hdr[0] & 128)
		cfg->device_id = (uint16_t)(hdr[2] | hdr[3] << 8);
	cfg->req_irq = !(hdr[7] & 8);
	if (hdr[7] & 16)
		cfg->msix_count = 1;
	cfg->msix_spurious = hdr[7] >> 7;

	watcher = (typeof(watcher)){
		.fail = watch_errors[(hdr[7] >> 5) & 3],
		.lag = hdr[13],
	};
	clock_step_ns = hdr[11] ? 4000ull * hdr[11] : CLOCK_STEP_NS;
	*opts = (struct revere_opts){
		.packets = 1 + hdr[1] % MAX_PACKETS,
		.queue_depth = hdr[8] ? 1 + (hdr[8] - 1u) % REVERE_RING_SLOTS : 0,
		.timeout_ms = 1 + (hdr[9] & 15),
		.wait = (enum revere_wait_mode)((hdr[7] & 3) % 3),
		.spin_us = 8u * hdr[10],
		.loopback = hdr[0] & 1,
		.trace = hdr[0] & 2,
		.log = log_line,
	};
	if (hdr[9] & 128) {
		opts->progress = progress;
		opts->progress_ns = 1000000;
	}
}

/* The wait mode in effect: interrupts are set up unless it polls. */
static unsigned int setup_done(bool loopback, enum revere_wait_mode wait)
{
	unsigned int want = REVERE_DONE_BUS_MASTER | REVERE_DONE_AMU_ENABLED |
		REVERE_DONE_AMI_SW_MAPPED | REVERE_DONE_ASN0 | REVERE_DONE_AMI_SW_ENABLED;

	if (!loopback)
		want |= REVERE_DONE_AMI_HW0_MAPPED | REVERE_DONE_AMI_HW1_MAPPED | REVERE_DONE_ASN1 |
			REVERE_DONE_AMI_HW0_ENABLED | REVERE_DONE_AMI_HW1_ENABLED;
	if (wait != REVERE_WAIT_POLL)
		want |= REVERE_DONE_IRQ_VECTORS | REVERE_DONE_MGT_IRQ |
			REVERE_DONE_SW_IRQ;
	return want;
}

/*
 * A step that fails says why. One that succeeds used no failed read: a
 * failed read returns all-ones (vfio.h), never a value to act on.
 */
static void check_step(const struct revere_dev *rd,
		       const struct hostile_vfio *h, unsigned int failed_before,
		       const char *step, int ret)
{
	if (ret && (!rd->err->err || !rd->err->msg[0]))
		oracle_fail("%s failed (%d) without a message", step, ret);
	if (!ret && h->failed_reads != failed_before)
		oracle_fail("%s succeeded though a BAR0 read failed", step);
}

/*
 * Set-up checks each register write where it makes it: one that failed
 * left a ring index or an interrupt mask as it was (the RX interrupt never
 * enabled), so set-up cannot succeed after it. The exchange is not held to
 * this: a write that fails there is noticed at its next wait, or by
 * teardown, as a posted PCI write to a dead device would be.
 */
static void check_setup_writes(const struct hostile_vfio *h,
			       unsigned int failed_before, int ret)
{
	if (!ret && h->failed_writes != failed_before)
		oracle_fail("set-up succeeded though a BAR0 write failed");
}

/*
 * The figures of an exchange that succeeded (step 4's line, --json): one
 * round trip a message, quantiles in order and capped by the longest, the
 * CPU time inside the elapsed time.
 */
static void check_figures(const struct revere_figures *f, uint64_t verified)
{
	uint64_t p50 = revere_latency_quantile(f, 50, 100);
	uint64_t p99 = revere_latency_quantile(f, 99, 100);

	if (f->lat_count != verified || p50 > p99 || p99 > f->lat_max_ns ||
	    f->cpu_ns > f->elapsed_ns || !f->elapsed_ns)
		oracle_fail("figures: %llu round trips for %llu messages, p50 %llu p99 %llu max %llu ns, CPU %llu of %llu ns",
			    (unsigned long long)f->lat_count,
			    (unsigned long long)verified,
			    (unsigned long long)p50, (unsigned long long)p99,
			    (unsigned long long)f->lat_max_ns,
			    (unsigned long long)f->cpu_ns,
			    (unsigned long long)f->elapsed_ns);
}

/* Step 2 on the mock's device, as --sim points the demo at it. */
static int open_device(struct revere_dev *rd, struct mock_vfio *mock)
{
	struct vfio_target target;

	mock_vfio_target(mock, &target);
	return revere_open_device(rd, &target);
}

static int run(struct revere_dev *rd, const struct hostile_vfio *h,
	       struct mock_vfio *mock)
{
	unsigned int failed = h->failed_reads, failed_writes;
	int ret;

	ret = revere_alloc_buffers(rd);
	if (!ret)
		ret = open_device(rd, mock);
	check_step(rd, h, failed, "open", ret);
	if (ret)
		return ret;
	failed = h->failed_reads;
	failed_writes = h->failed_writes;
	ret = revere_setup(rd);
	check_step(rd, h, failed, "set-up", ret);
	check_setup_writes(h, failed_writes, ret);
	if (!ret && (rd->done & setup_done(rd->opts->loopback, rd->wait)) !=
		    setup_done(rd->opts->loopback, rd->wait))
		oracle_fail("set-up succeeded with steps missing (done 0x%x)",
			    rd->done);
	if (ret)
		return ret;
	failed = h->failed_reads;
	ret = revere_exchange(rd);
	check_step(rd, h, failed, "exchange", ret);
	if (!ret && rd->verified != rd->opts->packets)
		oracle_fail("exchange succeeded after verifying %llu of %llu messages",
			    (unsigned long long)rd->verified,
			    (unsigned long long)rd->opts->packets);
	/*
	 * design.md: a request made before the exchange's last message is
	 * verified stops the run, however late the watcher sees it; set-up
	 * reads it before each command, and the exchange as it starts.
	 */
	if (!ret)
		check_figures(&rd->fig, rd->verified);
	if (!ret && h->requested)
		oracle_fail("exchange succeeded though the kernel asked for the device back at BAR0 read %llu",
			    (unsigned long long)h->requested);
	return ret;
}

/*
 * After teardown: nothing open, nothing mapped, whatever teardown said.
 * If it said it succeeded (td 0), the device is quiet: AMU_EN and bus
 * mastering off, whatever failed before, system call faults included. If
 * it failed, it named the failure in a "teardown: ..." line.
 */
static void check_released(struct mock_vfio *mock, struct hostile_vfio *h,
			   const struct log_state *ls, int td)
{
	struct mock_vfio_counters c;
	struct rv_model_summary s;
	bool mapped = hostile_release(h);

	mock_vfio_counters(mock, &c);
	mock_vfio_device_summary(mock, &s);
	if (c.fds_open || c.dma_mappings || c.bar_mmaps || mapped ||
	    c.irqs_routed)
		oracle_fail("after teardown: %u fds, %u DMA mappings, %u BAR mappings, %u IRQs left",
			    c.fds_open, c.dma_mappings, c.bar_mmaps + mapped,
			    c.irqs_routed);
	if (td) {
		if (!ls->teardown_warnings)
			oracle_fail("teardown failed (%d) without a \"teardown: ...\" line naming why",
				    td);
		return;
	}
	if (s.bus_master)
		oracle_fail("teardown succeeded with bus mastering left on");
	/*
	 * The one thing the driver cannot know: that the device dropped the
	 * AMU_CR write that cleared AMU_EN while it acknowledged it (deaf or
	 * gone). A BAR0 write is posted: PCIe returns no completion, so no
	 * error can come back; spec 3 defines no status that shows AMU_EN
	 * (AMU_SR has no fields) and does not say AMU_CR reads back what was
	 * written. Excused only when the driver did write AMU_EN off last.
	 */
	if (s.amu_enabled && !h->amu_off_dropped)
		oracle_fail("teardown succeeded with AMU_EN left on");
	/*
	 * The model's IOMMU fault is no oracle: a device that answers a
	 * command it did not do (fail_status 0, a forged response) makes the
	 * model use rings it never got. The ring addresses the driver
	 * programs are checked by hostile_vfio.c instead.
	 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static volatile sig_atomic_t stop;
	struct log_state ls = { .in_teardown = false };
	struct mock_vfio_config cfg;
	struct hostile_config hcfg;
	struct mock_vfio *mock;
	struct revere_opts opts;
	struct vfio_dev vfio;
	struct revere_dev rd;
	int td;

	if (size < HEADER_LEN)
		return -1;	/* not worth keeping in the corpus */
	configure(&cfg, &hcfg, &opts, data);
	opts.stop = &stop;
	opts.log_arg = &ls;
	ls.packets = opts.packets;
	mock = mock_vfio_create(&cfg);
	if (!mock)
		oracle_fail("mock_vfio_create: %s", strerror(errno));
	stop = 0;
	/* Every run from the same time: nothing carries over. */
	virtual_ns = 1000000000;
	hostile_init(&hostile, mock, &cfg.model, &hcfg, data + HEADER_LEN,
		     size - HEADER_LEN, &stop);
	vfio_init(&vfio, &hostile.ops, NULL);
	revere_init(&rd, &vfio, &opts);
	if (run(&rd, &hostile, mock) && getenv("FUZZ_LOG"))
		fprintf(stderr, "error: %s\n", rd.err->msg);
	ls.in_teardown = true;
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "hostile: teardown from BAR0 read %" PRIu64 "\n",
			hostile.reads);
	td = revere_teardown(&rd);
	check_released(mock, &hostile, &ls, td);
	mock_vfio_destroy(mock);
	return 0;
}
