// SPDX-License-Identifier: BSD-3-Clause
/*
 * edu-test: the project's VFIO layer (vfio.c, linked from librevere) against
 * the real kernel: vfio-pci, the vfio type1 IOMMU driver and an emulated
 * Intel IOMMU, with QEMU's "edu" educational PCI device (1234:11e8) as the
 * device. Runs inside the rig's guest (tests/kernel/README).
 *
 * Usage: edu-test [--iommu NAME] [--hold] PATH 0000:BB:DD.F
 *
 * --iommu: the IOMMU backend of vfio.c to open edu with (vfio_iommu.h;
 * the default is the layer's default, type1). PATH is what that backend
 * opens: for type1 the group file /dev/vfio/N, for iommufd the device
 * file /dev/vfio/devices/vfioN.
 * --hold: open the device, route its device request
 * (VFIO_PCI_REQ_IRQ_INDEX) and hold it until the kernel asks for it back
 * (the guest script unbinds edu from vfio-pci meanwhile), then release it.
 *
 * Prints one line per check ("edu-test: PASS name: ..." or "edu-test: FAIL
 * name: ...") and exits 1 if any check failed, 2 on a usage error.
 *
 * The edu registers are those of QEMU's docs/specs/edu.rst and
 * hw/misc/edu.c: registers below 0x80 take 32-bit accesses only; the DMA
 * registers at 0x80 and above take 32- or 64-bit accesses.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8

#define EDU_REG_IDENT		0x00	/* 0xMMmm00ed: major, minor, magic */
#define EDU_IDENT_MAGIC		0xed
#define EDU_REG_LIVENESS	0x04	/* reads back the inverse of a write */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_RAISE	0x60
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_CMD_START	(1u << 0)
#define EDU_DMA_CMD_TO_RAM	(1u << 1)	/* 0: RAM -> edu, 1: edu -> RAM */
#define EDU_DMA_CMD_IRQ		(1u << 2)	/* raise DMA_IRQ when done */
#define EDU_IRQ_DMA		0x100		/* irq status bit of a DMA */

/* edu's internal DMA buffer, addressed by the DMA engine only. */
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096

/*
 * Bytes per transfer. Not the whole buffer: QEMU 7.2's edu (Debian 12)
 * rejects a transfer that ends exactly at the end of its buffer, and
 * rejects it with hw_error(), which aborts the whole virtual machine.
 * Half the buffer stays clear of that off-by-one on every QEMU version.
 */
#define EDU_DMA_LEN		(EDU_BUF_SIZE / 2)

/*
 * edu masks DMA addresses to 28 bits by default (its dma_mask property),
 * so the IOVAs stay below 256 MiB. guest/10-edu.sh looks for the IOMMU
 * fault at IOVA_DST that the dma-blocked check causes.
 */
#define IOVA_SRC		0x00100000ull
#define IOVA_DST		0x00200000ull

/*
 * Bounded waits: edu's DMA engine runs 100 ms after the command, but TCG
 * on a loaded host may be far slower; a wait ends as soon as the event
 * comes, so the bounds only matter when it never does.
 */
#define DMA_TIMEOUT_MS		60000
#define IRQ_TIMEOUT_MS		60000
/* --hold: how long to wait for the kernel to ask (the script unbinds). */
#define HOLD_TIMEOUT_MS		300000

/* A value no edu interrupt source uses, for the raise/ack test. */
#define TEST_IRQ_BIT		0x00010000u

struct edu {
	struct vfio_dev vdev;
	uint8_t *src;		/* DMA buffers, one IOMMU page each */
	uint8_t *dst;
	size_t buf_size;
	uint32_t seed;		/* makes every run's data differ */
	int failures;
};

static void check(struct edu *edu, bool ok, const char *name,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void check(struct edu *edu, bool ok, const char *name,
		  const char *fmt, ...)
{
	va_list ap;

	printf("edu-test: %s %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		edu->failures++;
}

/* Report a library failure with its message, and forget it. */
static void check_ret(struct edu *edu, int ret, const char *name,
		      const char *what)
{
	if (ret == 0)
		check(edu, true, name, "%s", what);
	else
		check(edu, false, name, "%s", edu->vdev.err.msg);
	errmsg_clear(&edu->vdev.err);
}

/* A BAR access that failed on the pread/pwrite path latches an error. */
static bool bar_ok(struct edu *edu, const char *name)
{
	if (!edu->vdev.bar_io_error)
		return true;
	check(edu, false, name, "BAR0 access failed: %s",
	      strerror(-edu->vdev.bar_io_error));
	edu->vdev.bar_io_error = 0;
	return false;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_1ms(void)
{
	struct timespec ts = { .tv_nsec = 1000000 };

	nanosleep(&ts, NULL);
}

static uint32_t next_rand(uint32_t *x)
{
	/* xorshift32: reproducible from the printed seed, never zero. */
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_ident(struct edu *edu, const char *path)
{
	char name[32];
	uint32_t id = vfio_bar0_read32(&edu->vdev, EDU_REG_IDENT);

	snprintf(name, sizeof(name), "ident-%s", path);
	if (!bar_ok(edu, name))
		return;
	check(edu, (id & 0xff) == EDU_IDENT_MAGIC, name,
	      "ident 0x%08" PRIx32 " (edu %" PRIu32 ".%" PRIu32 ", magic 0x%02"
	      PRIx32 ", want 0x%02x)", id, id >> 24, (id >> 16) & 0xff,
	      id & 0xff, EDU_IDENT_MAGIC);
}

static void test_liveness(struct edu *edu, const char *path)
{
	const uint32_t values[] = { 0, 0xffffffff, 0x12345678,
				    edu->seed, ~edu->seed };
	char name[32];
	size_t i;

	snprintf(name, sizeof(name), "liveness-%s", path);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint32_t got;

		vfio_bar0_write32(&edu->vdev, EDU_REG_LIVENESS, values[i]);
		got = vfio_bar0_read32(&edu->vdev, EDU_REG_LIVENESS);
		if (!bar_ok(edu, name))
			return;
		if (got != ~values[i]) {
			check(edu, false, name, "wrote 0x%08" PRIx32
			      ", read 0x%08" PRIx32 ", want 0x%08" PRIx32,
			      values[i], got, ~values[i]);
			return;
		}
	}
	check(edu, true, name, "%zu values read back inverted", i);
}

static void test_bus_master(struct edu *edu)
{
	uint16_t cmd = 0;
	int ret;

	ret = vfio_set_bus_master(&edu->vdev, true);
	if (ret == 0)
		ret = vfio_cfg_read16(&edu->vdev, PCI_COMMAND, &cmd);
	if (ret) {
		check_ret(edu, ret, "bus-master", "");
		return;
	}
	check(edu, cmd & PCI_COMMAND_MASTER, "bus-master",
	      "PCI_COMMAND 0x%04x", cmd);
}

/* Wait until the DMA engine is idle, polling its command register. */
static int dma_wait_idle(struct edu *edu)
{
	int64_t deadline = now_ms() + DMA_TIMEOUT_MS;

	for (;;) {
		uint32_t cmd = vfio_bar0_read32(&edu->vdev, EDU_REG_DMA_CMD);

		if (edu->vdev.bar_io_error)
			return edu->vdev.bar_io_error;
		if (!(cmd & EDU_DMA_CMD_START))
			break;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		pause_1ms();
	}
	/* The device wrote our memory: read it only after seeing "done". */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 0;
}

/*
 * One transfer of edu's DMA engine. The address registers are written
 * with 64-bit accesses, which edu allows at 0x80 and above (a kernel that
 * splits them into two 32-bit accesses still works: edu takes the low half
 * as the address and our IOVAs are below 4 GiB).
 */
static int dma_run(struct edu *edu, uint64_t src, uint64_t dst,
		   uint32_t count, uint32_t cmd)
{
	vfio_bar0_write64(&edu->vdev, EDU_REG_DMA_SRC, src);
	vfio_bar0_write64(&edu->vdev, EDU_REG_DMA_DST, dst);
	vfio_bar0_write64(&edu->vdev, EDU_REG_DMA_COUNT, count);
	/* Our buffer writes must be visible before the device reads them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vfio_bar0_write32(&edu->vdev, EDU_REG_DMA_CMD, cmd | EDU_DMA_CMD_START);
	if (edu->vdev.bar_io_error)
		return edu->vdev.bar_io_error;
	if (cmd & EDU_DMA_CMD_IRQ)
		return 0;	/* the caller waits for the interrupt */
	return dma_wait_idle(edu);
}

/*
 * dst must hold the first len bytes of src and nothing after them (the
 * device must honour the count register).
 */
static bool same_bytes(struct edu *edu, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (edu->dst[i] != edu->src[i]) {
			check(edu, false, name, "byte %zu of %zu: 0x%02x, "
			      "want 0x%02x", i, len, edu->dst[i], edu->src[i]);
			return false;
		}
	}
	for (; i < edu->buf_size; i++) {
		if (edu->dst[i]) {
			check(edu, false, name, "byte %zu written by a DMA of "
			      "%zu bytes", i, len);
			return false;
		}
	}
	return true;
}

static void fill(struct edu *edu, uint32_t salt)
{
	uint32_t x = edu->seed ^ salt;
	size_t i;

	if (!x)
		x = 1;
	for (i = 0; i < edu->buf_size; i++)
		edu->src[i] = (uint8_t)next_rand(&x);
	memset(edu->dst, 0, edu->buf_size);
	/* An all-zero source would not show a copy that never happened. */
	edu->src[0] |= 1;
}

/*
 * RAM (IOVA_SRC) -> edu's buffer -> RAM (IOVA_DST), every byte checked.
 * The new random data of each round proves the bytes crossed the IOMMU
 * this time and are not left over from an earlier run.
 */
static void test_dma_roundtrip(struct edu *edu, const char *path)
{
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "dma-%s", path);
	fill(edu, path[0]);
	ret = dma_run(edu, IOVA_SRC, EDU_BUF_ADDR, EDU_DMA_LEN, 0);
	if (ret) {
		check(edu, false, name, "RAM -> edu DMA of %d bytes from IOVA "
		      "0x%llx: %s", EDU_DMA_LEN, IOVA_SRC, strerror(-ret));
		return;
	}
	ret = dma_run(edu, EDU_BUF_ADDR, IOVA_DST, EDU_DMA_LEN,
		      EDU_DMA_CMD_TO_RAM);
	if (ret) {
		check(edu, false, name, "edu -> RAM DMA of %d bytes to IOVA "
		      "0x%llx: %s", EDU_DMA_LEN, IOVA_DST, strerror(-ret));
		return;
	}
	if (!same_bytes(edu, name, EDU_DMA_LEN))
		return;
	check(edu, true, name, "%d bytes IOVA 0x%llx -> edu -> IOVA 0x%llx",
	      EDU_DMA_LEN, IOVA_SRC, IOVA_DST);
}

static int map_buffers(struct edu *edu)
{
	int ret;

	ret = vfio_dma_map(&edu->vdev, edu->src, IOVA_SRC, edu->buf_size);
	if (ret == 0)
		ret = vfio_dma_map(&edu->vdev, edu->dst, IOVA_DST,
				   edu->buf_size);
	check_ret(edu, ret, "dma-map", "2 buffers mapped at IOVA 0x100000 "
		  "and 0x200000");
	return ret;
}

/*
 * The IOMMU must stop a device write to an IOVA that is no longer mapped:
 * unmap IOVA_DST, let edu write there, and our buffer must not change.
 */
static void test_dma_blocked(struct edu *edu)
{
	int ret;

	ret = vfio_dma_unmap(&edu->vdev, IOVA_DST, edu->buf_size);
	if (ret) {
		check_ret(edu, ret, "dma-unmap", "");
		return;
	}
	check(edu, true, "dma-unmap", "IOVA 0x%llx unmapped", IOVA_DST);

	fill(edu, 0xb10c);
	ret = dma_run(edu, IOVA_SRC, EDU_BUF_ADDR, EDU_DMA_LEN, 0);
	if (ret == 0)
		ret = dma_run(edu, EDU_BUF_ADDR, IOVA_DST, EDU_DMA_LEN,
			      EDU_DMA_CMD_TO_RAM);
	if (ret) {
		check(edu, false, "dma-blocked", "DMA: %s", strerror(-ret));
		return;
	}
	for (size_t i = 0; i < edu->buf_size; i++) {
		if (edu->dst[i]) {
			check(edu, false, "dma-blocked", "the device wrote "
			      "byte %zu through unmapped IOVA 0x%llx", i,
			      IOVA_DST);
			return;
		}
	}
	check(edu, true, "dma-blocked", "write to unmapped IOVA 0x%llx "
	      "stopped by the IOMMU", IOVA_DST);
}

/* Wait for the eventfd of MSI vector 0 and consume its count. */
static int wait_irq(struct edu *edu, int timeout_ms, uint64_t *count)
{
	struct pollfd pfd = {
		.fd = vfio_irq_fd(&edu->vdev, 0),
		.events = POLLIN,
	};
	int n;

	if (pfd.fd < 0)
		return -EBADF;
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (read(pfd.fd, count, sizeof(*count)) != sizeof(*count))
		return -errno;
	return 0;
}

static void test_irq_raise(struct edu *edu)
{
	uint64_t count = 0;
	uint32_t status;
	int ret;

	/* Nothing may be pending before we raise it. */
	ret = wait_irq(edu, 0, &count);
	if (ret != -ETIMEDOUT) {
		check(edu, false, "irq-raise", "eventfd readable before the "
		      "interrupt was raised (%s)", ret ? strerror(-ret) : "ok");
		return;
	}
	vfio_bar0_write32(&edu->vdev, EDU_REG_IRQ_RAISE, TEST_IRQ_BIT);
	ret = wait_irq(edu, IRQ_TIMEOUT_MS, &count);
	if (ret) {
		check(edu, false, "irq-raise", "no MSI on the eventfd: %s",
		      strerror(-ret));
		return;
	}
	status = vfio_bar0_read32(&edu->vdev, EDU_REG_IRQ_STATUS);
	check(edu, status & TEST_IRQ_BIT, "irq-raise", "MSI received "
	      "(count %" PRIu64 "), irq status 0x%08" PRIx32, count, status);

	vfio_bar0_write32(&edu->vdev, EDU_REG_IRQ_ACK, status);
	status = vfio_bar0_read32(&edu->vdev, EDU_REG_IRQ_STATUS);
	if (bar_ok(edu, "irq-ack"))
		check(edu, status == 0, "irq-ack", "irq status 0x%08" PRIx32
		      " after ack", status);
}

/* A DMA whose completion is signalled by MSI rather than polled. */
static void test_irq_dma(struct edu *edu)
{
	uint64_t count = 0;
	uint32_t status;
	int ret;

	fill(edu, 0x1e0);
	ret = dma_run(edu, IOVA_SRC, EDU_BUF_ADDR, EDU_DMA_LEN,
		      EDU_DMA_CMD_IRQ);
	if (ret == 0)
		ret = wait_irq(edu, IRQ_TIMEOUT_MS, &count);
	if (ret) {
		check(edu, false, "irq-dma", "DMA completion interrupt: %s",
		      strerror(-ret));
		return;
	}
	status = vfio_bar0_read32(&edu->vdev, EDU_REG_IRQ_STATUS);
	vfio_bar0_write32(&edu->vdev, EDU_REG_IRQ_ACK, status);
	/* Now the other way, polled, to check what the first one moved. */
	ret = dma_run(edu, EDU_BUF_ADDR, IOVA_DST, EDU_DMA_LEN,
		      EDU_DMA_CMD_TO_RAM);
	if (ret) {
		check(edu, false, "irq-dma", "edu -> RAM DMA: %s",
		      strerror(-ret));
		return;
	}
	if (!same_bytes(edu, "irq-dma", EDU_DMA_LEN))
		return;
	check(edu, status & EDU_IRQ_DMA, "irq-dma", "DMA done by MSI, irq "
	      "status 0x%08" PRIx32 ", %d bytes checked", status,
	      EDU_DMA_LEN);
}

static void test_irqs(struct edu *edu)
{
	int ret;

	ret = vfio_irq_enable(&edu->vdev, VFIO_PCI_MSI_IRQ_INDEX, 1);
	check_ret(edu, ret, "irq-enable", "MSI vector 0 routed to an eventfd");
	if (ret)
		return;
	test_irq_raise(edu);
	test_irq_dma(edu);
	check_ret(edu, vfio_irq_disable(&edu->vdev), "irq-disable",
		  "MSI routing torn down");
}

static void test_device_id(struct edu *edu)
{
	uint16_t vendor = 0, device = 0;
	int ret;

	ret = vfio_cfg_read16(&edu->vdev, PCI_VENDOR_ID, &vendor);
	if (ret == 0)
		ret = vfio_cfg_read16(&edu->vdev, PCI_DEVICE_ID, &device);
	if (ret) {
		check_ret(edu, ret, "config", "");
		return;
	}
	check(edu, vendor == EDU_VENDOR && device == EDU_DEVICE, "config",
	      "%04x:%04x (want %04x:%04x)", vendor, device, EDU_VENDOR,
	      EDU_DEVICE);
}

/* Everything that needs BAR0, on the path the caller mapped. */
static void test_bar0_path(struct edu *edu, const char *path)
{
	test_ident(edu, path);
	test_liveness(edu, path);
	test_dma_roundtrip(edu, path);
}

static void run(struct edu *edu, const char *group, const char *device)
{
	int ret;

	ret = vfio_open(&edu->vdev, group, device);
	check_ret(edu, ret, "open", "container, group and device open");
	if (ret)
		return;
	test_device_id(edu);
	test_bus_master(edu);
	if (map_buffers(edu))
		return;

	ret = vfio_bar0_map(&edu->vdev, false);
	check_ret(edu, ret, "bar0-mmap", "BAR0 mapped");
	if (ret == 0 && !edu->vdev.bar0.map)
		check(edu, false, "bar0-mmap", "BAR0 of %" PRIu64 " bytes is "
		      "not mmap'd (region flags 0x%" PRIx32 ")",
		      edu->vdev.bar0.size, edu->vdev.bar0.flags);
	if (ret == 0) {
		test_bar0_path(edu, "mmap");
		test_irqs(edu);
		vfio_bar0_unmap(&edu->vdev);
	}

	ret = vfio_bar0_map(&edu->vdev, true);
	check_ret(edu, ret, "bar0-rw", "BAR0 through pread/pwrite");
	if (ret == 0 && edu->vdev.bar0.map)
		check(edu, false, "bar0-rw", "force_rw still mmap'd BAR0");
	if (ret == 0) {
		test_bar0_path(edu, "rw");
		test_dma_blocked(edu);
	}
}

/*
 * --hold: the unbind waits in vfio_unregister_group_dev() until we close
 * the device; the request eventfd is how it tells us. vfio_close() then
 * unroutes it and closes everything (main's "close" check).
 */
static void hold_until_request(struct edu *edu, const char *group,
			       const char *device)
{
	struct pollfd pfd = { .events = POLLIN };
	int64_t t0;
	int ret, n;

	ret = vfio_open(&edu->vdev, group, device);
	check_ret(edu, ret, "open", "container, group and device open");
	if (ret)
		return;
	ret = vfio_req_enable(&edu->vdev);
	check_ret(edu, ret, "req-route", "device request routed to an eventfd");
	if (ret)
		return;
	printf("edu-test: holding %s until the kernel asks for it back\n",
	       device);
	fflush(stdout);
	pfd.fd = edu->vdev.req_fd;
	t0 = now_ms();
	do
		n = poll(&pfd, 1, HOLD_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n > 0 && vfio_req_pending(&edu->vdev))
		check(edu, true, "request", "the kernel asked for %s back "
		      "after %" PRId64 " ms", device, now_ms() - t0);
	else
		check(edu, false, "request", "no device request within %d s "
		      "(%s)", HOLD_TIMEOUT_MS / 1000,
		      n < 0 ? strerror(errno) : "poll timed out");
}

static int alloc_buffers(struct edu *edu)
{
	edu->buf_size = EDU_BUF_SIZE;
	edu->src = mmap(NULL, 2 * edu->buf_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edu->src == MAP_FAILED) {
		edu->src = NULL;
		return -errno;
	}
	edu->dst = edu->src + edu->buf_size;
	return 0;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--iommu NAME] [--hold] PATH 0000:BB:DD.F\n",
		prog);
	return 2;
}

int main(int argc, char **argv)
{
	struct edu edu = { .failures = 0 };
	const struct vfio_iommu_backend *iommu = NULL;
	const char *prog = argv[0];
	bool hold = false;
	int ret;

	for (argv++, argc--; argc > 2; argv++, argc--) {
		if (!strcmp(argv[0], "--hold")) {
			hold = true;
		} else if (!strcmp(argv[0], "--iommu") && argc > 3) {
			argv++, argc--;
			iommu = vfio_iommu_backend(argv[0]);
			if (!iommu) {
				fprintf(stderr, "%s: no IOMMU backend '%s' in this build of vfio.c\n",
					prog, argv[0]);
				return 2;
			}
		} else {
			return usage(prog);
		}
	}
	if (argc != 2)
		return usage(prog);
	argv--;
	vfio_init(&edu.vdev, &vfio_linux_ops, iommu);
	edu.seed = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	printf("edu-test: device %s in %s, uid %u, seed 0x%08" PRIx32 "\n",
	       argv[2], argv[1], (unsigned int)getuid(), edu.seed);

	ret = alloc_buffers(&edu);
	if (ret) {
		check(&edu, false, "alloc", "DMA buffers: %s", strerror(-ret));
		return 1;
	}
	if (hold)
		hold_until_request(&edu, argv[1], argv[2]);
	else
		run(&edu, argv[1], argv[2]);

	/* vfio_close() undoes what is left: mappings, IRQs, fds. */
	check_ret(&edu, vfio_close(&edu.vdev), "close", "torn down");
	check_ret(&edu, vfio_close(&edu.vdev), "close-again",
		  "second vfio_close() is harmless");
	munmap(edu.src, 2 * edu.buf_size);

	printf("edu-test: %s (%d failed)\n", edu.failures ? "FAILED" : "OK",
	       edu.failures);
	return edu.failures ? 1 : 0;
}
