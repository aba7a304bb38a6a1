// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the vfio-user client (vfio_user.c,
 * vfio_user_client.c, vfio_user_msg.c, vfio_user_caps.c) through the VFIO
 * layer, against a hostile server. The input is everything the server
 * says, written whole into the socket before the client reads a byte.
 *
 * Input: a stream of records, as fuzz_vfu.c's, each
 *   byte 0     fds to send with it: bits 0-3 how many (0-15), bits 4-5
 *              what (an eventfd, a 64 KiB memfd sealed against
 *              shrinking, a pipe, a 4 KiB memfd unsealed)
 *   bytes 1-2  length L (little endian)
 *   L bytes    sent as they are: headers, ids, sizes and all
 * The client's connect() is the target's (run.sh compiles
 * vfio_user_client.c with -Dconnect=fuzz_connect): it accepts the
 * connection, writes the records (as much as the socket takes) and
 * shuts the server's end for writing, so a run depends on the input
 * alone. The client's watcher thread is not started (-Dpthread_create):
 * it would race the caller for the replies already waiting;
 * tests/test_vfu_client covers it.
 *
 * The client does what the demo does, each step whatever the last one
 * did: vfio_open with a 2 ms reply timeout, config reads, BAR0 mapped (or
 * not) and accessed, a DMA map of vfio_dma_alloc() memory, MSI-X, reset,
 * vfio_close. Oracles, besides the sanitizers (a leak included): every
 * failure is a negative errno with a one-line message; a device is open
 * after vfio_open succeeds and not after it fails; after vfio_close the
 * process holds the fds it held before.
 */
#define _GNU_SOURCE		/* accept4(), memfd_create(), pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "oracle.h"
#include "vfio.h"
#include "vfio_iommu.h"
#include "vfio_user_msg.h"

/* Replies come at once or never: a stall is the end of the input. */
#define TIMEOUT_MS	2
#define IOVA		0x100000ull
#define MEM_SIZE	8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fuzz_connect(int fd, const struct sockaddr *sa, socklen_t len);
int fuzz_thread_create(pthread_t *t, const pthread_attr_t *attr,
		       void *(*fn)(void *), void *arg);
int fuzz_thread_join(pthread_t t, void **ret);

static char dir[] = "/tmp/fuzz_vfu_client-XXXXXX";
static char path[sizeof(dir) + 8];
static int lsock = -1;
/* This input's server end, and what it says. */
static int srv = -1;
static const uint8_t *input;
static size_t input_len;

static int make_fd(unsigned int kind)
{
	int fd, p[2];

	switch (kind) {
	case 0:
		return eventfd(0, EFD_CLOEXEC);
	case 2:
		if (pipe2(p, O_CLOEXEC))
			return -1;
		close(p[1]);
		return p[0];
	default:
		fd = memfd_create("fuzz-bar", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd >= 0 && (ftruncate(fd, kind == 1 ? 65536 : 4096) ||
				(kind == 1 &&
				 fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)))) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
}

/* One record's bytes and fds; false when the socket is full. */
static bool send_record(const uint8_t *p, size_t len, unsigned int nfds,
			unsigned int kind)
{
	int fds[15];
	unsigned int n = 0;
	int err;

	while (n < nfds && (fds[n] = make_fd(kind)) >= 0)
		n++;
	err = vfu_msg_send(srv, p, len, fds, n, 0);
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	return !err;
}

static void feed(const uint8_t *data, size_t size)
{
	while (size >= 3) {
		unsigned int nfds = data[0] & 15, kind = (data[0] >> 4) & 3;
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len && !send_record(data, len, nfds, kind))
			return;
		data += len;
		size -= len;
	}
}

/* The client's connect(): the server answers with the whole input. */
int fuzz_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int ret = connect(fd, sa, len);

	if (ret || srv >= 0)
		return ret;
	srv = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (srv < 0)
		oracle_fail("accept: %s", strerror(errno));
	feed(input, input_len);
	shutdown(srv, SHUT_WR);
	return 0;
}

int fuzz_thread_create(pthread_t *t, const pthread_attr_t *attr,
		       void *(*fn)(void *), void *arg)
{
	(void)attr;
	(void)fn;
	(void)arg;
	memset(t, 0, sizeof(*t));
	return 0;
}

int fuzz_thread_join(pthread_t t, void **ret)
{
	(void)t;
	if (ret)
		*ret = NULL;
	return 0;
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!mkdtemp(dir))
		oracle_fail("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/sock", dir);
	atexit(cleanup);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lsock, 1))
		oracle_fail("listening on %s: %s", path, strerror(errno));
}

/* A step's result: 0, or -errno with one line saying what happened. */
static void check(const struct vfio_dev *dev, int ret, const char *step)
{
	if (ret > 0 || ret < -4095)
		oracle_fail("%s returned %d", step, ret);
	if (strchr(dev->err.msg, '\n'))
		oracle_fail("%s: a message of more than one line: %s", step,
			    dev->err.msg);
	if (ret < 0 && !dev->err.msg[0])
		oracle_fail("%s failed (%s) without a message", step,
			    strerror(-ret));
}

static void bar0(struct vfio_dev *dev)
{
	check(dev, vfio_bar0_map(dev, false), "vfio_bar0_map");
	vfio_bar0_read64(dev, 0);
	vfio_bar0_read32(dev, 8);
	vfio_bar0_write64(dev, 16, 0x0123456789abcdefull);
	vfio_bar0_write32(dev, 24, 0x89abcdef);
	vfio_bar0_read64(dev, 32);
	check(dev, vfio_bar0_error(dev), "BAR0 accesses");
}

static void *run(struct vfio_dev *dev)
{
	uint16_t v16;
	uint32_t v32;
	void *mem;
	int ret;

	ret = vfio_open(dev, path, path);
	check(dev, ret, "vfio_open");
	if (vfio_device_is_open(dev) != !ret)
		oracle_fail("vfio_open returned %d, device %s", ret,
			    vfio_device_is_open(dev) ? "open" : "not open");
	if (ret)
		return NULL;
	check(dev, vfio_cfg_read16(dev, PCI_VENDOR_ID, &v16), "config read");
	check(dev, vfio_cfg_read16(dev, PCI_DEVICE_ID, &v16), "config read");
	check(dev, vfio_cfg_read32(dev, PCI_COMMAND, &v32), "config read");
	bar0(dev);
	mem = vfio_dma_alloc(dev, MEM_SIZE, 4096);
	if (!mem)
		oracle_fail("vfio_dma_alloc: %s", dev->err.msg);
	check(dev, vfio_dma_map(dev, mem, IOVA, MEM_SIZE), "vfio_dma_map");
	ret = vfio_irq_vectors(dev, VFIO_PCI_MSIX_IRQ_INDEX);
	check(dev, ret > 0 ? 0 : ret, "vfio_irq_vectors");
	check(dev, vfio_irq_enable(dev, VFIO_PCI_MSIX_IRQ_INDEX, 2),
	      "vfio_irq_enable");
	check(dev, vfio_reset(dev), "vfio_reset");
	return mem;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfio_dev dev;
	int fds_before;
	void *mem;

	if (lsock < 0)
		setup();
	fds_before = oracle_open_fds();
	input = data;
	input_len = size;
	vfio_init(&dev, &vfio_linux_ops, &vfio_user_backend);
	vfio_set_reply_timeout(&dev, TIMEOUT_MS);
	mem = run(&dev);
	check(&dev, vfio_close(&dev), "vfio_close");
	/* FUZZ_LOG=1: what the client made of the input, on replay. */
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "fuzz_vfu_client: %s\n",
			dev.err.msg[0] ? dev.err.msg : "no error");
	if (vfio_device_is_open(&dev))
		oracle_fail("a device open after vfio_close");
	vfio_dma_free(&dev, mem);
	if (srv >= 0)
		close(srv);
	srv = -1;
	if (oracle_open_fds() != fds_before)
		oracle_fail("%d fds open after the input, %d before",
			    oracle_open_fds(), fds_before);
	return 0;
}
