// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the vfio-user server (sim/vfu_server.c, vfu_device.c)
 * against a hostile client, through a real socket so that the message
 * reader (vfio_user_msg.c) and its fd handling are fuzzed too.
 *
 * Input: a stream of records, each
 *   byte 0     fds to send with it: bits 0-3 how many (0-15), bits 4-5
 *              what (an eventfd, a 64 KiB memfd, /dev/null, a 4 KiB memfd)
 *   bytes 1-2  length L (little endian)
 *   L bytes    sent as they are: headers, sizes and all, are the input's
 * written to the client's end of a socket pair (as much as the socket
 * takes), then the end is shut for writing and the server serves until
 * it ends the connection. The oracles, besides the sanitizers: the
 * server never stops before that end without saying why; after the
 * client is detached the device is as at power-on (no AMU, no bus
 * master, no maps, no eventfds) and no fd is left open.
 */
#define _GNU_SOURCE		/* memfd_create() */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oracle.h"
#include "vfu_server.h"

/* A stall is the end of the input, not a hang: milliseconds. */
#define TIMEOUT_MS	2
/* Messages served per input at most (each costs a record or a reply). */
#define MAX_SERVICE	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vfu_server server;

static int make_fd(unsigned int kind)
{
	int fd;

	switch (kind) {
	case 0:
		return eventfd(0, EFD_CLOEXEC);
	case 2:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	default:
		fd = memfd_create("fuzz-dma", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, kind == 1 ? 65536 : 4096)) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
}

/* Send one record's bytes and fds; false when the socket is full. */
static bool send_record(int sock, const uint8_t *p, size_t len,
			unsigned int nfds, unsigned int kind)
{
	int fds[15];
	unsigned int n = 0;
	int err;

	while (n < nfds && (fds[n] = make_fd(kind)) >= 0)
		n++;
	err = vfu_msg_send(sock, p, len, fds, n, 0);
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
	return !err;
}

static void feed(int sock, const uint8_t *data, size_t size)
{
	while (size >= 3) {
		unsigned int nfds = data[0] & 15, kind = (data[0] >> 4) & 3;
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len && !send_record(sock, data, len, nfds, kind))
			return;
		data += len;
		size -= len;
	}
}

/* Whatever the server answered: read and dropped. */
static void drain(int sock)
{
	uint8_t buf[65536];

	while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void check_quiesced(void)
{
	struct vfu_device *d = &server.dev;
	struct rv_model_summary s;

	rv_model_summary(&d->model, &s);
	if (s.amu_enabled || s.bus_master || s.ami_sw_enabled || s.asn_count)
		oracle_fail("device not reset after the client left: amu %d "
			    "bme %d ami %u asn %u", s.amu_enabled, s.bus_master,
			    s.ami_sw_enabled, s.asn_count);
	if (d->n_dma || d->n_files)
		oracle_fail("%zu DMA maps and %zu files left after the client "
			    "left", d->n_dma, d->n_files);
	for (unsigned int v = 0; v < VFU_DEV_MSIX_COUNT; v++)
		if (d->msix[v] >= 0)
			oracle_fail("MSI-X eventfd %u left open", v);
	if (d->err_fd >= 0)
		oracle_fail("the ERR eventfd left open");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *log;
	int sv[2], fds_before, err = 0;
	unsigned int served = 0;

	if (!log) {
		log = fopen("/dev/null", "w");
		if (!log || vfu_server_init(&server, true, TIMEOUT_MS, 1, log,
					    log))
			oracle_fail("vfu_server_init failed");
	}
	fds_before = oracle_open_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		oracle_fail("socketpair: %s", strerror(errno));
	vfu_server_attach(&server, sv[0]);
	feed(sv[1], data, size);
	shutdown(sv[1], SHUT_WR);
	while (served++ < MAX_SERVICE) {
		err = vfu_server_service(&server);
		drain(sv[1]);
		if (err)
			break;
		vfu_dev_poll(&server.dev);
		if (server.dev.dma_failed)
			break;
	}
	if (err && !server.lost_why)
		oracle_fail("the server ended the connection (%s) without "
			    "saying why", strerror(err));
	vfu_server_detach(&server, "the input ended");
	close(sv[1]);
	check_quiesced();
	if (oracle_open_fds() != fds_before)
		oracle_fail("%d fds open after the input, %d before",
			    oracle_open_fds(), fds_before);
	return 0;
}
