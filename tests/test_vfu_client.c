// SPDX-License-Identifier: BSD-3-Clause
/*
 * The vfio-user client (vfio_user.c, vfio_user_client.c) driven through
 * the VFIO layer, as the demo drives it, against a scripted server: a
 * thread of the test that listens on a UNIX socket in a directory of its
 * own, answers VERSION and plays a small device, and misbehaves as each
 * case says (a hook sees every command first). Each case checks the
 * errno that comes back, that the layer's message is one line naming the
 * socket and what happened, and that no fd is left open.
 *
 * The scripted server never asserts (cmocka cannot fail from another
 * thread): it records what it saw, and the test reads that once the
 * thread is joined. Nothing waits for time to pass except the one case
 * about a reply that never comes; every other wait has a deadline far
 * beyond what a loaded machine needs.
 */
#define _GNU_SOURCE		/* accept4(), memfd_create() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/pci_regs.h>

#include "vfio.h"
#include "vfio_device_io.h"
#include "vfio_iommu.h"
#include "vfio_user_caps.h"
#include "vfio_user_client.h"
#include "vfio_user_msg.h"
#include "vfio_user_proto.h"

/* The longest wait for anything either end must do: far beyond need. */
#define DEADLINE_MS	60000

#define HDR		sizeof(struct vfio_user_header)
#define CFG		VFIO_PCI_CONFIG_REGION_INDEX
#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define REGION_SIZE	4096u
/* The peer's buffers: the largest message either end sends, and more. */
#define PEER_BUF	(VFU_CLIENT_MAX_MSG + 4096u)
#define NCMD		(VFIO_USER_MIG_DATA_WRITE + 1)

/* The client's memory for the device: at IOVA, MEM_SIZE bytes. */
#define IOVA		0x100000ull
#define MEM_SIZE	8192u

#define VENDOR		0x1de5
#define DEVICE		0x7e57

struct peer;
/* A command seen first by the case: true when it answered (or not) itself. */
typedef bool peer_hook(struct peer *p, const struct vfu_msg *m);

struct peer {
	char dir[64];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lsock, sock;
	pthread_t thread;
	bool running;

	/* The script: VERSION's answer, and the case's hook. */
	uint16_t major, minor;
	const char *caps;	/* VERSION's data; NULL: from the fields below */
	uint32_t max_fds, max_xfer;
	int ver_len;		/* >= 0: VERSION's reply cut to this payload */
	peer_hook *hook;
	int arg;		/* the hook's */
	bool quit;		/* close the connection after this command */

	/* What it saw. */
	unsigned int n[NCMD], fds[NCMD], max_nfds[NCMD];
	uint32_t max_read;	/* the largest REGION_READ count */
	int recv_err;		/* how its reading stopped, if not by a close */
	int dma_ret[8];		/* the client's answers to its DMA requests */
	uint8_t dma_data[64];
	uint16_t dma_id;

	uint8_t *in, *out, *tmp, *dma_in;
	uint8_t cfg[REGION_SIZE], bar[REGION_SIZE];
};

/*
 * The test links with -Wl,--wrap=malloc (tests/vfu.mk): the nth
 * allocation of a message buffer's size from now on fails, 0: none.
 */
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
static unsigned int fail_big_alloc;

void *__wrap_malloc(size_t size)
{
	if (size >= VFU_CLIENT_MAX_XFER && fail_big_alloc &&
	    !--fail_big_alloc)
		return NULL;
	return __real_malloc(size);
}

static struct peer P;
static struct vfio_dev D;
static int fds_before;

/* ---- what the process holds ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * The layer's message: one line, naming the socket, with each of the
 * NULL-terminated substrings.
 */
static void assert_msg(const char *first, ...)
{
	const char *m = D.err.msg;
	va_list ap;

	if (strchr(m, '\n'))
		fail_msg("message of more than one line: %s", m);
	if (!strstr(m, P.path))
		fail_msg("message without the socket %s: %s", P.path, m);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		if (!strstr(m, s)) {
			va_end(ap);
			fail_msg("message without \"%s\": %s", s, m);
		}
	va_end(ap);
}

/* ---- the scripted server: sending ---- */

static int peer_send(struct peer *p, const struct vfio_user_header *h,
		     const void *data, size_t len, const int *fds,
		     unsigned int nfds)
{
	memcpy(p->out, h, HDR);
	if (len)
		memcpy(p->out + HDR, data, len);
	return vfu_msg_send(p->sock, p->out, HDR + len, fds, nfds,
			    DEADLINE_MS);
}

static void reply_fds(struct peer *p, const struct vfu_msg *m,
		      const void *data, size_t len, const int *fds,
		      unsigned int nfds)
{
	struct vfio_user_header h = {
		.msg_id = m->hdr.msg_id, .command = m->hdr.command,
		.msg_size = (uint32_t)(HDR + len),
		.flags = VFIO_USER_F_TYPE_REPLY,
	};

	peer_send(p, &h, data, len, fds, nfds);
}

static void reply(struct peer *p, const struct vfu_msg *m, const void *data,
		  size_t len)
{
	reply_fds(p, m, data, len, NULL, 0);
}

static void reply_error(struct peer *p, const struct vfu_msg *m, uint32_t err)
{
	struct vfio_user_header h = {
		.msg_id = m->hdr.msg_id, .command = m->hdr.command,
		.msg_size = HDR,
		.flags = VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR,
		.error_reply = err,
	};

	peer_send(p, &h, NULL, 0, NULL, 0);
}

static const void *payload(const struct peer *p)
{
	return p->in + HDR;
}

/*
 * A DMA_READ or DMA_WRITE of the server's own, while the client waits
 * for its reply: 0 (a read's data in dma_data), the client's errno, or
 * -1 when its answer is no answer to it.
 */
static int peer_dma(struct peer *p, uint16_t command, uint64_t addr,
		    uint64_t count, const void *data)
{
	struct vfio_user_dma_access *a = (void *)p->tmp;
	const struct vfio_user_dma_access *r = (const void *)(p->dma_in + HDR);
	size_t len = sizeof(*a) + (command == VFIO_USER_DMA_WRITE ? count : 0);
	struct vfio_user_header h = {
		.msg_id = ++p->dma_id, .command = command,
		.msg_size = (uint32_t)(HDR + len),
		.flags = VFIO_USER_F_TYPE_COMMAND,
	};
	struct vfu_msg m;

	*a = (struct vfio_user_dma_access){ .addr = addr, .count = count };
	if (command == VFIO_USER_DMA_WRITE)
		memcpy(a->data, data, count);
	if (peer_send(p, &h, a, len, NULL, 0) ||
	    vfu_msg_recv(p->sock, p->dma_in, PEER_BUF, &m, 0, DEADLINE_MS))
		return -1;
	if ((m.hdr.flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_REPLY ||
	    m.hdr.msg_id != h.msg_id || m.hdr.command != command)
		return -1;
	if (m.hdr.flags & VFIO_USER_F_ERROR)
		return (int)m.hdr.error_reply;
	if (command == VFIO_USER_DMA_WRITE)
		return m.len >= HDR + VFIO_USER_DMA_WRITE_REPLY_SIZE ? 0 : -1;
	if (m.len != HDR + sizeof(*r) + count || r->addr != addr ||
	    r->count != count || count > sizeof(p->dma_data))
		return -1;
	memcpy(p->dma_data, r->data, count);
	return 0;
}

/* ---- the scripted server: a small device ---- */

static void serve_version(struct peer *p, const struct vfu_msg *m)
{
	uint16_t r[(sizeof(struct vfio_user_version) + 256) / 2];
	struct vfio_user_version *v = (void *)r;
	const size_t room = sizeof(r) - sizeof(*v);
	const struct vfu_caps caps = {
		.max_msg_fds = p->max_fds, .max_data_xfer_size = p->max_xfer,
		.max_dma_maps = 8, .pgsizes = 4096,
	};
	size_t len;

	*v = (struct vfio_user_version){ .major = p->major,
					 .minor = p->minor };
	if (p->caps) {
		snprintf(v->data, room, "%s", p->caps);
		len = sizeof(*v) + strlen(v->data) + 1;
	} else {
		len = sizeof(*v) + vfu_caps_format(&caps, v->data, room);
	}
	if (p->ver_len >= 0)
		len = (size_t)p->ver_len;
	reply(p, m, r, len);
}

static struct vfio_region_info region_info(uint32_t index)
{
	struct vfio_region_info i = { .argsz = sizeof(i), .index = index };

	if (index == CFG || index == BAR0) {
		i.flags = VFIO_REGION_INFO_FLAG_READ |
			  VFIO_REGION_INFO_FLAG_WRITE;
		i.size = REGION_SIZE;
	}
	return i;
}

static uint8_t *region_mem(struct peer *p, uint32_t region, uint64_t off,
			   uint64_t count)
{
	uint8_t *base = region == CFG ? p->cfg : region == BAR0 ? p->bar : NULL;

	if (!base || off > REGION_SIZE || count > REGION_SIZE - off)
		return NULL;
	return base + off;
}

static void serve_access(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_user_region_access *a = payload(p);
	struct vfio_user_region_access *r = (void *)p->tmp;
	bool write = m->hdr.command == VFIO_USER_REGION_WRITE;
	uint8_t *mem;

	if (m->len < HDR + sizeof(*a) ||
	    !(mem = region_mem(p, a->region, a->offset, a->count)) ||
	    (write && m->len != HDR + sizeof(*a) + a->count)) {
		reply_error(p, m, EINVAL);
		return;
	}
	*r = *a;
	if (write) {
		memcpy(mem, a->data, a->count);
		reply(p, m, r, sizeof(*r));
		return;
	}
	if (a->count > p->max_read)
		p->max_read = a->count;
	memcpy(r->data, mem, a->count);
	reply(p, m, r, sizeof(*r) + a->count);
}

static void serve(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_user_device_info info = {
		.argsz = sizeof(info),
		.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
		.num_regions = VFIO_PCI_NUM_REGIONS,
		.num_irqs = VFIO_PCI_NUM_IRQS,
	};
	const struct vfio_region_info *ri = payload(p);
	struct vfio_region_info rinfo;
	struct vfio_irq_info irq;

	switch (m->hdr.command) {
	case VFIO_USER_VERSION:
		serve_version(p, m);
		return;
	case VFIO_USER_DEVICE_GET_INFO:
		reply(p, m, &info, sizeof(info));
		return;
	case VFIO_USER_DEVICE_GET_REGION_INFO:
		rinfo = region_info(ri->index);
		reply(p, m, &rinfo, sizeof(rinfo));
		return;
	case VFIO_USER_DEVICE_GET_IRQ_INFO:
		memcpy(&irq, payload(p), sizeof(irq));
		irq.flags = irq.index == MSIX ? VFIO_IRQ_INFO_EVENTFD : 0;
		irq.count = irq.index == MSIX ? 4 : 0;
		reply(p, m, &irq, sizeof(irq));
		return;
	case VFIO_USER_REGION_READ:
	case VFIO_USER_REGION_WRITE:
		serve_access(p, m);
		return;
	case VFIO_USER_DMA_UNMAP:
		reply(p, m, payload(p), sizeof(struct vfio_user_dma_unmap));
		return;
	case VFIO_USER_DEVICE_SET_IRQS:
	case VFIO_USER_DMA_MAP:
	case VFIO_USER_DEVICE_RESET:
		reply(p, m, NULL, 0);
		return;
	default:
		reply_error(p, m, ENOSYS);
	}
}

static void note(struct peer *p, const struct vfu_msg *m)
{
	uint16_t c = m->hdr.command;

	if (c >= NCMD)
		return;
	p->n[c]++;
	p->fds[c] += m->nfds;
	if (m->nfds > p->max_nfds[c])
		p->max_nfds[c] = m->nfds;
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;

	p->sock = accept4(p->lsock, NULL, NULL, SOCK_CLOEXEC);
	if (p->sock < 0)
		return NULL;
	while (!p->quit) {
		struct vfu_msg m;
		int err = vfu_msg_recv(p->sock, p->in, PEER_BUF, &m,
				       VFU_MSG_MAX_FDS, DEADLINE_MS);

		if (err) {
			if (err != ENOTCONN)
				p->recv_err = err;
			break;
		}
		note(p, &m);
		if (!p->hook || !p->hook(p, &m))
			serve(p, &m);
		vfu_msg_close_fds(&m);
	}
	close(p->sock);
	p->sock = -1;
	return NULL;
}

static void peer_listen(struct peer *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	p->lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->lsock >= 0);
	strcpy(sa.sun_path, p->path);
	assert_int_equal(bind(p->lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(p->lsock, 1), 0);
	assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
	p->running = true;
}

/* The thread joined: whatever it saw can be read now. */
static void peer_stop(struct peer *p)
{
	if (p->running) {
		/* Wakes an accept() that no client came to. */
		shutdown(p->lsock, SHUT_RDWR);
		pthread_join(p->thread, NULL);
		p->running = false;
	}
	if (p->lsock >= 0)
		close(p->lsock);
	p->lsock = -1;
}

/* The client closed, then the server: the case's counts are final. */
static void finish(void)
{
	assert_int_equal(vfio_close(&D), 0);
	peer_stop(&P);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	(void)state;
	fds_before = count_fds();
	P = (struct peer){
		.lsock = -1, .sock = -1, .minor = VFIO_USER_MINOR,
		.max_fds = 8, .max_xfer = VFIO_USER_DEF_MAX_XFER,
		.ver_len = -1,
	};
	strcpy(P.dir, "/tmp/test_vfu_client-XXXXXX");
	if (!mkdtemp(P.dir))
		return -1;
	snprintf(P.path, sizeof(P.path), "%s/sock", P.dir);
	P.in = malloc(PEER_BUF);
	P.out = malloc(PEER_BUF);
	P.tmp = malloc(PEER_BUF);
	P.dma_in = malloc(PEER_BUF);
	if (!P.in || !P.out || !P.tmp || !P.dma_in)
		return -1;
	for (unsigned int i = 0; i < REGION_SIZE; i++) {
		P.cfg[i] = (uint8_t)(i * 3 + 1);
		P.bar[i] = (uint8_t)(i * 7 + 5);
	}
	P.cfg[PCI_VENDOR_ID] = VENDOR & 0xff;
	P.cfg[PCI_VENDOR_ID + 1] = VENDOR >> 8;
	P.cfg[PCI_DEVICE_ID] = DEVICE & 0xff;
	P.cfg[PCI_DEVICE_ID + 1] = DEVICE >> 8;
	vfio_init(&D, &vfio_linux_ops, &vfio_user_backend);
	vfio_set_reply_timeout(&D, DEADLINE_MS);
	return 0;
}

static int teardown(void **state)
{
	int fds;

	(void)state;
	vfio_close(&D);
	peer_stop(&P);
	unlink(P.path);
	rmdir(P.dir);
	free(P.in);
	free(P.out);
	free(P.tmp);
	free(P.dma_in);
	fds = count_fds();
	if (fds != fds_before) {
		print_error("%d fds open after the case, %d before\n", fds,
			    fds_before);
		return -1;
	}
	return 0;
}

static int open_dev(void)
{
	return vfio_open(&D, P.path, P.path);
}

/* ---- a device that behaves ---- */

static void test_good(void **state)
{
	uint16_t vendor = 0, device = 0;
	uint64_t want;
	void *mem;

	(void)state;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(vfio_cfg_read16(&D, PCI_VENDOR_ID, &vendor), 0);
	assert_int_equal(vfio_cfg_read16(&D, PCI_DEVICE_ID, &device), 0);
	assert_int_equal(vendor, VENDOR);
	assert_int_equal(device, DEVICE);
	assert_int_equal(vfio_bar0_map(&D, false), 0);
	assert_false(vfio_bar0_mapped(&D));
	memcpy(&want, P.bar + 16, sizeof(want));
	assert_int_equal(vfio_bar0_read64(&D, 16), want);
	vfio_bar0_write64(&D, 24, 0x0123456789abcdefull);
	assert_int_equal(vfio_bar0_read64(&D, 24), 0x0123456789abcdefull);
	assert_int_equal(vfio_bar0_error(&D), 0);
	mem = vfio_dma_alloc(&D, MEM_SIZE, 4096);
	assert_non_null(mem);
	assert_int_equal(vfio_dma_map(&D, mem, IOVA, MEM_SIZE), 0);
	assert_int_equal(vfio_irq_vectors(&D, MSIX), 4);
	assert_int_equal(vfio_irq_enable(&D, MSIX, 2), 0);
	assert_int_equal(vfio_reset(&D), 0);
	finish();
	vfio_dma_free(&D, mem);
	/* The memfd went with DMA_MAP; both vectors' fds in one SET_IRQS. */
	assert_int_equal(P.n[VFIO_USER_DMA_MAP], 1);
	assert_int_equal(P.fds[VFIO_USER_DMA_MAP], 1);
	assert_int_equal(P.n[VFIO_USER_DMA_UNMAP], 1);
	assert_int_equal(P.n[VFIO_USER_DEVICE_SET_IRQS], 2);
	assert_int_equal(P.max_nfds[VFIO_USER_DEVICE_SET_IRQS], 2);
	assert_int_equal(P.n[VFIO_USER_DEVICE_RESET], 1);
	assert_int_equal(P.recv_err, 0);
}

/* ---- connecting ---- */

static void test_no_server(void **state)
{
	(void)state;
	assert_int_equal(open_dev(), -ENOENT);
	assert_msg(strerror(ENOENT), "start the device's vfio-user server",
		   NULL);
	assert_false(vfio_device_is_open(&D));
}

static void test_refused(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	/* Bound, never listening: a server that left its socket file. */
	assert_true(s >= 0);
	strcpy(sa.sun_path, P.path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	assert_int_equal(open_dev(), -ECONNREFUSED);
	assert_msg(strerror(ECONNREFUSED), "nothing is listening", NULL);
}

static void test_not_socket(void **state)
{
	int fd = open(P.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(open_dev(), -ENOTSOCK);
	assert_msg(strerror(ENOTSOCK), "not a UNIX stream socket", NULL);
}

static void test_name_too_long(void **state)
{
	char path[200];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	memcpy(path, P.dir, strlen(P.dir));
	path[strlen(P.dir)] = '/';
	assert_int_equal(vfio_open(&D, path, path), -ENAMETOOLONG);
	assert_non_null(strstr(D.err.msg, path));
	assert_non_null(strstr(D.err.msg, strerror(ENAMETOOLONG)));
	assert_non_null(strstr(D.err.msg, "at most 107 bytes"));
	assert_null(strchr(D.err.msg, '\n'));

	/* sun_path's 108 bytes leave no room for the NUL. */
	vfio_close(&D);
	vfio_init(&D, &vfio_linux_ops, &vfio_user_backend);
	path[sizeof(((struct sockaddr_un *)0)->sun_path)] = '\0';
	assert_int_equal(vfio_open(&D, path, path), -ENAMETOOLONG);
}

/*
 * No memory for a message buffer: the link's own (the first two), then
 * the client's (the next three). Nothing closed that was not opened.
 */
static void test_no_memory(void **state)
{
	(void)state;
	/* fd 0 open, to see that nothing closes it. */
	if (fcntl(0, F_GETFD) < 0)
		assert_int_equal(open("/dev/null", O_RDONLY), 0);
	fds_before = count_fds();
	peer_listen(&P);
	for (unsigned int n = 1; n <= 5; n++) {
		fail_big_alloc = n;
		assert_int_equal(open_dev(), -ENOMEM);
		fail_big_alloc = 0;
		assert_msg(strerror(ENOMEM), NULL);
		assert_null(strstr(D.err.msg, "VERSION"));
		assert_true(fcntl(0, F_GETFD) >= 0);
		vfio_close(&D);
		vfio_init(&D, &vfio_linux_ops, &vfio_user_backend);
	}
	/* And the next one works. */
	assert_int_equal(open_dev(), 0);
}

/* ---- VERSION ---- */

static void open_fails(int err, const char *what)
{
	peer_listen(&P);
	assert_int_equal(open_dev(), -err);
	assert_msg("VERSION", what, strerror(err), NULL);
	assert_false(vfio_device_is_open(&D));
}

static void test_version_major(void **state)
{
	(void)state;
	P.major = 1;
	P.minor = 0;
	open_fails(EPROTONOSUPPORT, "vfio-user 1.0, this client 0.1");
}

static void test_version_minor(void **state)
{
	(void)state;
	P.minor = VFIO_USER_MINOR + 1;
	open_fails(EPROTONOSUPPORT, "vfio-user 0.2, this client 0.1");
}

static void test_version_short(void **state)
{
	(void)state;
	P.ver_len = 2;
	open_fails(EPROTO, "has 2 bytes");
}

static void test_version_not_json(void **state)
{
	(void)state;
	P.caps = "{\"capabilities\": max_msg_fds";
	open_fails(EPROTO, "not valid JSON");
}

static void test_version_xfer_4(void **state)
{
	(void)state;
	P.max_xfer = 4;
	open_fails(EPROTO, "fewer than a 64-bit register's 8");
}

static bool close_at_version(struct peer *p, const struct vfu_msg *m)
{
	if (m->hdr.command != VFIO_USER_VERSION)
		return false;
	p->quit = true;
	return true;
}

static void test_version_closed(void **state)
{
	(void)state;
	P.hook = close_at_version;
	open_fails(ENOTCONN, "closed the connection");
}

/* ---- a reply that does not come, or says no ---- */

static bool deaf_to_info(struct peer *p, const struct vfu_msg *m)
{
	(void)p;
	return m->hdr.command == VFIO_USER_DEVICE_GET_INFO;
}

static void test_timeout(void **state)
{
	int64_t start;

	(void)state;
	P.hook = deaf_to_info;
	peer_listen(&P);
	vfio_set_reply_timeout(&D, 200);
	start = now_ns();
	assert_int_equal(open_dev(), -ETIMEDOUT);
	assert_true(now_ns() - start >= 200 * 1000000ll);
	assert_msg("DEVICE_GET_INFO", "did not answer within 200 ms",
		   strerror(ETIMEDOUT), "raise --timeout", NULL);
}

static bool refuse_region_info(struct peer *p, const struct vfu_msg *m)
{
	if (m->hdr.command != VFIO_USER_DEVICE_GET_REGION_INFO)
		return false;
	reply_error(p, m, (uint32_t)p->arg);
	return true;
}

static void test_error_reply(void **state)
{
	(void)state;
	P.hook = refuse_region_info;
	P.arg = EACCES;
	peer_listen(&P);
	assert_int_equal(open_dev(), -EACCES);
	assert_msg("refused DEVICE_GET_REGION_INFO", strerror(EACCES), NULL);
}

static void error_reply_eio(int err)
{
	P.hook = refuse_region_info;
	P.arg = err;
	peer_listen(&P);
	assert_int_equal(open_dev(), -EIO);
	assert_msg("refused DEVICE_GET_REGION_INFO", "which is no errno",
		   strerror(EIO), NULL);
}

static void test_error_reply_0(void **state)
{
	(void)state;
	error_reply_eio(0);
}

static void test_error_reply_99999(void **state)
{
	(void)state;
	error_reply_eio(99999);
}

/* ---- a server that lies ---- */

static bool lie_about_info(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_user_device_info info = {
		.argsz = sizeof(info), .flags = VFIO_DEVICE_FLAGS_PCI,
		.num_regions = VFIO_PCI_NUM_REGIONS,
	};
	struct vfio_user_header h = {
		.msg_id = m->hdr.msg_id, .command = m->hdr.command,
		.msg_size = HDR + sizeof(info), .flags = VFIO_USER_F_TYPE_REPLY,
	};
	int fds[2];

	if (m->hdr.command != VFIO_USER_DEVICE_GET_INFO)
		return false;
	switch (p->arg) {
	case 0:
		h.msg_id++;
		break;
	case 1:
		h.command = VFIO_USER_DEVICE_RESET;
		break;
	case 2:
		h.msg_size = HDR + 8;
		break;
	case 3:
		h.msg_size = HDR + 64;
		memset(p->tmp, 0, 64);
		memcpy(p->tmp, &info, sizeof(info));
		peer_send(p, &h, p->tmp, 64, NULL, 0);
		return true;
	case 4:
		/* Over any buffer the client has. */
		h.msg_size = VFU_CLIENT_MAX_MSG + 16;
		memset(p->tmp, 0, VFU_CLIENT_MAX_MSG);
		peer_send(p, &h, p->tmp, VFU_CLIENT_MAX_MSG, NULL, 0);
		return true;
	case 5:
		fds[0] = eventfd(0, EFD_CLOEXEC);
		fds[1] = eventfd(0, EFD_CLOEXEC);
		peer_send(p, &h, &info, sizeof(info), fds, 2);
		close(fds[0]);
		close(fds[1]);
		return true;
	}
	peer_send(p, &h, &info, h.msg_size - HDR, NULL, 0);
	return true;
}

static void info_lie(int arg, const char *what)
{
	P.hook = lie_about_info;
	P.arg = arg;
	peer_listen(&P);
	assert_int_equal(open_dev(), -EPROTO);
	assert_msg("VFIO_DEVICE_GET_INFO", what, strerror(EPROTO), NULL);
}

static void test_wrong_id(void **state)
{
	(void)state;
	info_lie(0, "answered DEVICE_GET_INFO (id 2) with a reply to DEVICE_GET_INFO (id 3)");
}

static void test_wrong_command(void **state)
{
	(void)state;
	info_lie(1, "with a reply to DEVICE_RESET");
}

static void test_info_8_bytes(void **state)
{
	(void)state;
	info_lie(2, "DEVICE_GET_INFO reply has 8 bytes");
}

static void test_reply_over_cap(void **state)
{
	(void)state;
	info_lie(3, "has 64 bytes, more than the 16 it may");
}

static void test_reply_over_buffer(void **state)
{
	(void)state;
	info_lie(4, "over the");
}

static void test_reply_2_fds(void **state)
{
	(void)state;
	info_lie(5, "more fds than the 1 the client takes");
}

static bool lie_about_region(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_region_info *rq = payload(p);
	struct vfio_region_info ri;

	if (m->hdr.command != VFIO_USER_DEVICE_GET_REGION_INFO)
		return false;
	ri = region_info(rq->index);
	ri.index = rq->index + 1;
	reply(p, m, &ri, sizeof(ri));
	return true;
}

static void test_region_other_index(void **state)
{
	(void)state;
	P.hook = lie_about_region;
	peer_listen(&P);
	assert_int_equal(open_dev(), -EPROTO);
	assert_msg("answered region 7's info with 32 bytes for region 8",
		   NULL);
}

/* BAR0's info claims MMAP, with an fd of the kind arg says. */
enum bar_fd { BAR_PIPE, BAR_UNSEALED, BAR_SHORT, BAR_UNALIGNED, BAR_GOOD };

static int bar_fd(int kind, int *other)
{
	int fds[2], fd;

	*other = -1;
	if (kind == BAR_PIPE) {
		if (pipe2(fds, O_CLOEXEC))
			return -1;
		*other = fds[1];
		return fds[0];
	}
	fd = memfd_create("bar0", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, kind == BAR_SHORT ? REGION_SIZE / 2 :
				kind == BAR_UNALIGNED ? 2 * REGION_SIZE :
						       REGION_SIZE) ||
	    (kind != BAR_UNSEALED && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool mmap_bar0(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_region_info *rq = payload(p);
	struct vfio_region_info ri;
	int fd, other;

	if (m->hdr.command != VFIO_USER_DEVICE_GET_REGION_INFO ||
	    rq->index != BAR0)
		return false;
	ri = region_info(BAR0);
	ri.flags |= VFIO_REGION_INFO_FLAG_MMAP;
	if (p->arg == BAR_UNALIGNED)
		ri.offset = 8;
	fd = bar_fd(p->arg, &other);
	reply_fds(p, m, &ri, sizeof(ri), &fd, fd >= 0);
	if (fd >= 0)
		close(fd);
	if (other >= 0)
		close(other);
	return true;
}

static void bar0_by_message(int kind, const char *why)
{
	char ctx[1024];
	uint64_t want;

	P.hook = mmap_bar0;
	P.arg = kind;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(vfio_bar0_map(&D, false), 0);
	assert_false(vfio_bar0_mapped(&D));
	memcpy(&want, P.bar + 8, sizeof(want));
	assert_int_equal(vfio_bar0_read64(&D, 8), want);
	assert_int_equal(vfio_bar0_error(&D), 0);
	vfio_iommu_context(&D, ctx, sizeof(ctx));
	if (!strstr(ctx, why))
		fail_msg("context without \"%s\": %s", why, ctx);
	finish();
	assert_int_equal(P.n[VFIO_USER_REGION_READ], 1);
}

static void test_mmap_pipe(void **state)
{
	(void)state;
	bar0_by_message(BAR_PIPE, "not a file that can be mapped");
}

static void test_mmap_unsealed(void **state)
{
	(void)state;
	bar0_by_message(BAR_UNSEALED, "not sealed against shrinking");
}

static void test_mmap_short(void **state)
{
	(void)state;
	bar0_by_message(BAR_SHORT, "holds 2048 bytes, less than the region");
}

/* mmap() takes page-aligned offsets only: the demo does not try. */
static void test_mmap_unaligned(void **state)
{
	(void)state;
	bar0_by_message(BAR_UNALIGNED, "offset 0x8 into its fd for BAR0 is not page aligned");
}

/* The control: a sealed memfd as large as BAR0 is mapped. */
static void test_mmap_good(void **state)
{
	(void)state;
	P.hook = mmap_bar0;
	P.arg = BAR_GOOD;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(vfio_bar0_map(&D, false), 0);
	assert_true(vfio_bar0_mapped(&D));
	vfio_bar0_write64(&D, 8, 42);
	assert_int_equal(vfio_bar0_read64(&D, 8), 42);
	finish();
	assert_int_equal(P.n[VFIO_USER_REGION_READ], 0);
}

/* REGION_READ's reply with the wrong count, offset, region or length. */
static bool lie_about_read(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_user_region_access *a = payload(p);
	struct vfio_user_region_access *r = (void *)p->tmp;
	size_t len;

	if (m->hdr.command != VFIO_USER_REGION_READ)
		return false;
	*r = *a;
	memset(r->data, 0, a->count + 1);
	len = sizeof(*r) + a->count;
	switch (p->arg) {
	case 0:
		r->count++;
		len++;
		break;
	case 1:
		r->offset += 4;
		break;
	case 2:
		r->region = BAR0;
		break;
	default:
		len--;
	}
	reply(p, m, r, len);
	return true;
}

static void read_lie(int arg)
{
	uint16_t v;

	P.hook = lie_about_read;
	P.arg = arg;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(vfio_cfg_read16(&D, PCI_VENDOR_ID, &v), -EPROTO);
	assert_msg("config read at 0x0",
		   "a REGION_READ of 2 bytes at 0x0 of region 7 with",
		   "do not match", NULL);
	assert_int_equal(vfio_device_lost(&D), -EPROTO);
}

static void test_read_count(void **state)
{
	(void)state;
	read_lie(0);
}

static void test_read_offset(void **state)
{
	(void)state;
	read_lie(1);
}

static void test_read_region(void **state)
{
	(void)state;
	read_lie(2);
}

static void test_read_length(void **state)
{
	(void)state;
	read_lie(3);
}

/* ---- DMA by message ---- */

static const uint8_t dma_pattern[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/*
 * At the first REGION_READ of BAR0, before answering it, the server
 * reaches the client's memory: a valid read and write, then requests
 * the client must refuse, each followed by one that must still work.
 */
static bool dma_at_read(struct peer *p, const struct vfu_msg *m)
{
	const struct vfio_user_region_access *a = payload(p);
	struct vfu_msg saved = *m;

	if (m->hdr.command != VFIO_USER_REGION_READ || a->region != BAR0 ||
	    p->dma_id)
		return false;
	p->dma_ret[0] = peer_dma(p, VFIO_USER_DMA_READ, IOVA + 0x10, 16, NULL);
	p->dma_ret[1] = peer_dma(p, VFIO_USER_DMA_WRITE, IOVA + 0x20, 8,
				 dma_pattern);
	p->dma_ret[2] = peer_dma(p, VFIO_USER_DMA_READ, IOVA + MEM_SIZE, 8,
				 NULL);
	p->dma_ret[3] = peer_dma(p, VFIO_USER_DMA_READ, IOVA + MEM_SIZE - 8,
				 16, NULL);
	p->dma_ret[4] = peer_dma(p, VFIO_USER_DMA_READ, IOVA,
				 VFU_CLIENT_MAX_XFER + 1, NULL);
	p->dma_ret[5] = peer_dma(p, VFIO_USER_DMA_WRITE, IOVA + MEM_SIZE - 4,
				 8, dma_pattern);
	/* Every refusal left the conversation going. */
	p->dma_ret[6] = peer_dma(p, VFIO_USER_DMA_READ, IOVA + 0x20, 8, NULL);
	serve(p, &saved);
	return true;
}

static void test_dma_by_message(void **state)
{
	uint8_t *mem, want[16];
	uint64_t v;
	char ctx[1024];

	(void)state;
	P.max_fds = 0;
	P.hook = dma_at_read;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	mem = vfio_dma_alloc(&D, MEM_SIZE, 4096);
	assert_non_null(mem);
	for (unsigned int i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i ^ 0x5a);
	memcpy(want, mem + 0x10, sizeof(want));
	assert_int_equal(vfio_dma_map(&D, mem, IOVA, MEM_SIZE), 0);
	vfio_iommu_context(&D, ctx, sizeof(ctx));
	assert_non_null(strstr(ctx, "DMA by message"));
	memcpy(&v, P.bar, sizeof(v));
	assert_int_equal(vfio_bar0_read64(&D, 0), v);
	assert_int_equal(vfio_bar0_error(&D), 0);
	assert_memory_equal(mem + 0x20, dma_pattern, sizeof(dma_pattern));
	/* Past the end of the map: nothing written there. */
	assert_int_equal(mem[MEM_SIZE - 4], (uint8_t)((MEM_SIZE - 4) ^ 0x5a));
	finish();
	vfio_dma_free(&D, mem);
	assert_int_equal(P.n[VFIO_USER_DMA_MAP], 1);
	assert_int_equal(P.fds[VFIO_USER_DMA_MAP], 0);
	assert_int_equal(P.dma_ret[0], 0);
	assert_int_equal(P.dma_ret[1], 0);
	assert_int_equal(P.dma_ret[2], EFAULT);
	assert_int_equal(P.dma_ret[3], EFAULT);
	assert_int_equal(P.dma_ret[4], EINVAL);
	assert_int_equal(P.dma_ret[5], EFAULT);
	assert_int_equal(P.dma_ret[6], 0);
	assert_memory_equal(P.dma_data, dma_pattern, sizeof(dma_pattern));
	assert_int_equal(P.n[VFIO_USER_DMA_UNMAP], 1);
}

/* ---- the server's limits ---- */

static void test_xfer_8(void **state)
{
	uint8_t buf[REGION_SIZE];
	uint64_t v;

	(void)state;
	P.max_xfer = 8;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(D.io->region_read(&D, &D.config, 0, buf, sizeof(buf)),
			 sizeof(buf));
	assert_memory_equal(buf, P.cfg, sizeof(buf));
	memcpy(&v, P.bar + 64, sizeof(v));
	assert_int_equal(vfio_bar0_read64(&D, 64), v);
	finish();
	assert_int_equal(P.n[VFIO_USER_REGION_READ], REGION_SIZE / 8 + 1);
	assert_int_equal(P.max_read, 8);
}

static void test_irq_fds_1(void **state)
{
	(void)state;
	P.max_fds = 1;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(vfio_irq_enable(&D, MSIX, 2), 0);
	finish();
	/* Two of one fd each, then the one that unroutes them. */
	assert_int_equal(P.n[VFIO_USER_DEVICE_SET_IRQS], 3);
	assert_int_equal(P.fds[VFIO_USER_DEVICE_SET_IRQS], 2);
	assert_int_equal(P.max_nfds[VFIO_USER_DEVICE_SET_IRQS], 1);
}

static void test_irq_fds_0(void **state)
{
	(void)state;
	P.max_fds = 0;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	assert_int_equal(vfio_irq_vectors(&D, MSIX), 0);
	assert_int_equal(vfio_irq_enable(&D, MSIX, 1), -ENOTSUP);
	assert_msg("cannot signal an eventfd", NULL);
	finish();
	assert_int_equal(P.n[VFIO_USER_DEVICE_SET_IRQS], 0);
}

/* ---- the server goes away ---- */

static bool close_at_read(struct peer *p, const struct vfu_msg *m)
{
	if (m->hdr.command != VFIO_USER_REGION_READ)
		return false;
	p->quit = true;
	return true;
}

static void test_closed_mid_call(void **state)
{
	uint16_t v;
	void *mem;
	int ret;

	(void)state;
	P.hook = close_at_read;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	mem = vfio_dma_alloc(&D, MEM_SIZE, 4096);
	assert_non_null(mem);
	assert_int_equal(vfio_dma_map(&D, mem, IOVA, MEM_SIZE), 0);
	assert_int_equal(vfio_irq_enable(&D, MSIX, 2), 0);
	ret = vfio_cfg_read16(&D, PCI_VENDOR_ID, &v);
	assert_true(ret == -ENOTCONN || ret == -EPIPE);
	assert_msg("config read", "closed the connection", strerror(-ret),
		   NULL);
	assert_true(vfio_device_lost(&D) != 0);
	/* Releasing needs no server. */
	assert_int_equal(vfio_close(&D), 0);
	vfio_dma_free(&D, mem);
	assert_int_equal(vfio_cfg_read16(&D, PCI_VENDOR_ID, &v), -EBADF);
}

static bool close_after_map(struct peer *p, const struct vfu_msg *m)
{
	if (m->hdr.command != VFIO_USER_DMA_MAP)
		return false;
	serve(p, m);
	p->quit = true;
	return true;
}

/* Between calls, the watcher is the one that sees the server go. */
static void test_closed_between_calls(void **state)
{
	int64_t end = now_ns() + DEADLINE_MS * 1000000ll;
	uint16_t v;
	void *mem;

	(void)state;
	P.max_fds = 0;
	P.hook = close_after_map;
	peer_listen(&P);
	assert_int_equal(open_dev(), 0);
	mem = vfio_dma_alloc(&D, MEM_SIZE, 4096);
	assert_non_null(mem);
	assert_int_equal(vfio_dma_map(&D, mem, IOVA, MEM_SIZE), 0);
	while (!vfio_device_lost(&D) && now_ns() < end)
		poll(NULL, 0, 5);
	assert_int_equal(vfio_device_lost(&D), -ENOTCONN);
	assert_int_equal(vfio_cfg_read16(&D, PCI_VENDOR_ID, &v), -ENOTCONN);
	assert_msg("config read", "closed the connection", NULL);
	assert_int_equal(vfio_close(&D), 0);
	vfio_dma_free(&D, mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_good),
		T(test_no_server),
		T(test_refused),
		T(test_not_socket),
		T(test_name_too_long),
		T(test_no_memory),
		T(test_version_major),
		T(test_version_minor),
		T(test_version_short),
		T(test_version_not_json),
		T(test_version_xfer_4),
		T(test_version_closed),
		T(test_timeout),
		T(test_error_reply),
		T(test_error_reply_0),
		T(test_error_reply_99999),
		T(test_wrong_id),
		T(test_wrong_command),
		T(test_info_8_bytes),
		T(test_reply_over_cap),
		T(test_reply_over_buffer),
		T(test_reply_2_fds),
		T(test_region_other_index),
		T(test_mmap_pipe),
		T(test_mmap_unsealed),
		T(test_mmap_short),
		T(test_mmap_unaligned),
		T(test_mmap_good),
		T(test_read_count),
		T(test_read_offset),
		T(test_read_region),
		T(test_read_length),
		T(test_dma_by_message),
		T(test_xfer_8),
		T(test_irq_fds_1),
		T(test_irq_fds_0),
		T(test_closed_mid_call),
		T(test_closed_between_calls),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
