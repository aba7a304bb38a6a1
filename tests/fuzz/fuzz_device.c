// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the driver against a hostile device. Each input runs
 * the README's five steps as main() does (revere_dev.h) on the simulated
 * Revere-AMU, with BAR0 behind the hostile ops of hostile_vfio.h, and then
 * checks that the run ended sanely and left nothing behind.
 *
 * Input: a 7-byte header (the run, the model, the mock), then the script
 * of hostile_vfio.h.
 *   byte 0: flags
 *     bit 0  --loopback
 *     bit 1  --trace
 *     bit 2  the model answers opcode byte 2 with status byte 3
 *     bit 3  the model posts an exception of opcode byte 4 first
 *     bit 4  the mock fails call 1 + byte 6 of system call byte 5
 *            (enum mock_op, modulo their count) with EIO
 *     bit 5  the device offers no VFIO_DEVICE_RESET
 *     bit 6  the IOMMU's pages are 128 KiB
 *     bit 7  the PCI device ID is bytes 2 and 3 (little-endian)
 *   byte 1: --packets 1 + byte % 160 (fewer than 256: message i and
 *           i + 256 carry the same byte, and a stale slot would verify)
 *
 * Time is virtual: the driver's clock (clock_gettime in rv_now_ns() of
 * revere_hw.h, renamed at compile time by run.sh in the driver's files)
 * advances a fixed step per call, so every wait ends after a bounded
 * number of polls and a run depends on its input only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostile_vfio.h"
#include "mock_vfio.h"
#include "oracle.h"
#include "revere_dev.h"

#define HEADER_LEN	7
#define MAX_PACKETS	160
#define TIMEOUT_MS	1
#define CLOCK_STEP_NS	100000	/* ten polls per millisecond of timeout */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_clock_gettime(clockid_t clk, struct timespec *ts);

static uint64_t virtual_ns;

int fuzz_clock_gettime(clockid_t clk, struct timespec *ts)
{
	(void)clk;
	virtual_ns += CLOCK_STEP_NS;
	ts->tv_sec = (time_t)(virtual_ns / 1000000000u);
	ts->tv_nsec = (long)(virtual_ns % 1000000000u);
	return 0;
}

/*
 * What the driver logged, for the oracles: teardown's warnings ("teardown:
 * ..." lines) are how a failed teardown names its failure (main() says
 * "see above").
 */
struct log_state {
	bool in_teardown;
	unsigned int teardown_warnings;	/* "teardown: <text>" lines */
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

static void configure(struct mock_vfio_config *cfg, const uint8_t *hdr)
{
	mock_vfio_default_config(cfg);
	cfg->bar0_mmap = false;		/* every access through hostile ops */
	if (hdr[0] & 4) {
		cfg->model.fail_opcode = hdr[2];
		cfg->model.fail_status = hdr[3];
	}
	if (hdr[0] & 8)
		cfg->model.exception_opcode = hdr[4];
	if (hdr[0] & 16) {
		cfg->faults[0] = (struct mock_fault){
			.op = (enum mock_op)(hdr[5] % MOCK_OP_COUNT),
			.nth = 1u + hdr[6],
			.err = EIO,
		};
		cfg->num_faults = 1;
	}
	cfg->reset = !(hdr[0] & 32);
	if (hdr[0] & 64)
		cfg->iova_pgsizes = 1ull << 17;
	if (hdr[0] & 128)
		cfg->device_id = (uint16_t)(hdr[2] | hdr[3] << 8);
}

static unsigned int setup_done(bool loopback)
{
	unsigned int want = REVERE_DONE_BUS_MASTER | REVERE_DONE_AMU_ENABLED |
		REVERE_DONE_AMI_SW_MAPPED | REVERE_DONE_ASN0 | REVERE_DONE_AMI_SW_ENABLED;

	if (!loopback)
		want |= REVERE_DONE_AMI_HW0_MAPPED | REVERE_DONE_AMI_HW1_MAPPED | REVERE_DONE_ASN1 |
			REVERE_DONE_AMI_HW0_ENABLED | REVERE_DONE_AMI_HW1_ENABLED;
	return want;
}

/*
 * A step that fails says why. One that succeeds used no failed read: a
 * failed read returns all-ones (vfio.h), never a value to act on. A failed
 * write may go unnoticed until the next wait, as a posted PCI write does.
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

static int run(struct revere_dev *rd, const struct hostile_vfio *h,
	       struct mock_vfio *mock)
{
	unsigned int failed = h->failed_reads;
	int ret;

	ret = revere_alloc_buffers(rd);
	if (!ret)
		ret = revere_open_device(rd, mock_vfio_group_path(mock),
					 mock_vfio_device_name(mock));
	check_step(rd, h, failed, "open", ret);
	if (ret)
		return ret;
	failed = h->failed_reads;
	ret = revere_setup(rd);
	check_step(rd, h, failed, "set-up", ret);
	if (!ret && (rd->done & setup_done(rd->opts->loopback)) !=
		    setup_done(rd->opts->loopback))
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
	return ret;
}

/*
 * After teardown: nothing open, nothing mapped, whatever teardown said.
 * If it said it succeeded (td 0), the device is quiet: AMU_EN and bus
 * mastering off, whatever failed before, system call faults included. If
 * it failed, it named the failure in a "teardown: ..." line.
 */
static void check_released(struct mock_vfio *mock,
			   const struct hostile_vfio *h,
			   const struct log_state *ls, int td)
{
	struct mock_vfio_counters c;
	struct rv_model_summary s;

	mock_vfio_counters(mock, &c);
	mock_vfio_device_summary(mock, &s);
	if (c.fds_open || c.dma_mappings || c.bar_mmaps || c.irqs_routed)
		oracle_fail("after teardown: %u fds, %u DMA mappings, %u BAR mappings, %u IRQs left",
			    c.fds_open, c.dma_mappings, c.bar_mmaps,
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
	static struct hostile_vfio h;	/* static: it holds a whole model */
	static volatile sig_atomic_t stop;
	struct log_state ls = { .in_teardown = false };
	struct mock_vfio_config cfg;
	struct mock_vfio *mock;
	struct revere_opts opts;
	struct vfio_dev vfio;
	struct revere_dev rd;
	int td;

	if (size < HEADER_LEN)
		return -1;	/* not worth keeping in the corpus */
	configure(&cfg, data);
	mock = mock_vfio_create(&cfg);
	if (!mock)
		oracle_fail("mock_vfio_create: %s", strerror(errno));
	stop = 0;
	hostile_init(&h, mock, &cfg.model, data + HEADER_LEN,
		     size - HEADER_LEN, &stop);
	opts = (struct revere_opts){
		.packets = 1 + data[1] % MAX_PACKETS,
		.timeout_ms = TIMEOUT_MS,
		.loopback = data[0] & 1,
		.trace = data[0] & 2,
		.stop = &stop,
		.log = log_line,
		.log_arg = &ls,
	};
	vfio_init(&vfio, &h.ops);
	revere_init(&rd, &vfio, &opts);
	if (run(&rd, &h, mock) && getenv("FUZZ_LOG"))
		fprintf(stderr, "error: %s\n", rd.err->msg);
	ls.in_teardown = true;
	td = revere_teardown(&rd);
	check_released(mock, &h, &ls, td);
	mock_vfio_destroy(mock);
	return 0;
}
