// SPDX-License-Identifier: BSD-3-Clause
/*
 * revere-vfio-user-server from the outside: the program started as a user
 * starts it, and spoken to over its socket as a vfio-user client (QEMU's
 * docs/interop/vfio-user.rst), every reply checked against the
 * specification's rules. Covered: the handshake; the device, its regions
 * and interrupts; config space against rv_pci_cfg.c's bytes; the simulated
 * device's management interface driven through BAR0 (by message and
 * through the mapping the server shares) with DMA to a memfd the client
 * shares or to memory it lends by message; MSI-X eventfds; reset and DMA
 * unmaps; a client that goes away; every kind of bad input, each on its
 * own connection; a client that leaves the server's DMA request
 * unanswered, or floods it with commands meanwhile; and the server's
 * memory and descriptors at the end.
 *
 * Five servers, a group each: BAR0 mappable; BAR0 by message only; no
 * file descriptors at all (--no-fds); a short --timeout, for the clients
 * that stall; and replies sent late (--reply-delay-us). Nothing here waits
 * for time to pass: every wait is for a condition, with a deadline far
 * beyond what a busy machine needs; the late replies are checked for
 * being late enough, never for being early enough.
 */
#define _GNU_SOURCE		/* memfd_create() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/pci_regs.h>

#include "revere.h"
#include "revere_model.h"
#include "rv_pci_cfg.h"
#include "vfio_user_caps.h"
#include "vfio_user_msg.h"
#include "vfio_user_proto.h"
#include "vfu_server.h"

#ifndef VFU_SERVER
#error "VFU_SERVER: the path of revere-vfio-user-server (tests/vfu.mk)"
#endif

/* The longest wait for anything the server must do: far beyond need. */
#define DEADLINE_MS	60000

#define HDR		sizeof(struct vfio_user_header)
#define BAR0		VFIO_PCI_BAR0_REGION_INDEX
#define CFG		VFIO_PCI_CONFIG_REGION_INDEX
#define MSIX		VFIO_PCI_MSIX_IRQ_INDEX
#define RW		(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define TRIG_NONE	(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)
#define TRIG_BOOL	(VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER)
#define TRIG_EVENTFD	(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)

/*
 * The client's DMA window: a 64 KiB memfd (or buffer) at IOVA, with the
 * management rings in it, one slot each (tests/test_model.c's
 * mgt_setup(0, 0)). Offsets below are from IOVA.
 */
#define IOVA		0x10000000ull
#define MEM_SIZE	0x10000u
#define RSP_OFF		0x400
#define EXC_OFF		0x800

/*
 * The server's memory at the end, however it was abused: its message
 * buffers (three of VFU_SERVER_MAX_MSG, about 1 MiB each), BAR0's shared
 * page (1 MiB) and its mirror's tables (16 bytes per register slot:
 * 2 MiB), the commands it may hold while it waits for a DMA reply
 * (VFU_SERVER_HELD of at most VFU_SERVER_MAX_MSG: 16 MiB) and the pieces
 * of client memory the device touched (a few pages here), besides libc:
 * under 24 MiB. Twice that and more leaves room for a sanitizer's
 * runtime, and still catches a buffer a message size or a client that
 * is never freed.
 */
#define HWM_BOUND_KB	(64u * 1024)

/* ---- time ---- */

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int left_ms(uint64_t end)
{
	uint64_t now = now_ms();

	return now >= end ? 0 : (int)(end - now);
}

/* A pause between two looks at a condition (never a wait for an event). */
static void pause_between_looks(unsigned int *ms)
{
	poll(NULL, 0, (int)*ms);
	if (*ms < 16)
		*ms *= 2;
}

/* ---- the server, and what /proc says of it ---- */

struct server {
	const char *args[5];	/* its options beyond --socket, NULL-ended */
	int stop;		/* the signal that ends it: 0, SIGTERM */
	pid_t pid;
	char dir[32], sock[64], log[64];
	unsigned int fds;	/* its descriptors with one client connected */
};

static struct server srv_mmap = { .args = { "--timeout", "60000" } };
static struct server srv_nommap = { .args = { "--no-mmap",
					      "--timeout", "60000" } };
static struct server srv_nofds = { .args = { "--no-fds",
					     "--timeout", "60000" } };
/*
 * Only the clients that stall wait for this one's timeout. It is ended by
 * SIGINT, the others by SIGTERM: either must remove the socket.
 */
static struct server srv_short = { .args = { "--timeout", "300" },
				   .stop = SIGINT };
/* Replies 200 ms late: the time a test may assert is at least that. */
#define REPLY_DELAY_NS	200000000ull
static struct server srv_delay = { .args = { "--reply-delay-us", "200000",
					     "--timeout", "60000" } };

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	assert_non_null(f);
	for (;;) {
		if (cap - len < 4096) {
			cap += 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		if (!n)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void server_died(const struct server *s, int status)
{
	char *log = read_text(s->log);

	print_message("%s", log);
	free(log);
	fail_msg("the server stopped (status 0x%x); its log is above", status);
}

static void server_alive(const struct server *s)
{
	int status;

	if (waitpid(s->pid, &status, WNOHANG) == s->pid)
		server_died(s, status);
}

/*
 * The server logs a line when a client leaves; count them, and copy line
 * n (from 0) if there is one.
 */
static unsigned int left_lines(const struct server *s, unsigned int n,
			       char *line, size_t size)
{
	static const char mark[] = "client left (";
	char *log = read_text(s->log), *p = log;
	unsigned int count = 0;

	while ((p = strstr(p, mark))) {
		char *end = strchr(p, '\n');

		if (!end)
			break;		/* still being written */
		if (count++ == n && line)
			snprintf(line, size, "%.*s", (int)(end - p), p);
		p = end;
	}
	free(log);
	return count;
}

static void wait_left(const struct server *s, unsigned int n, char *line,
		      size_t size)
{
	uint64_t end = now_ms() + DEADLINE_MS;
	unsigned int pause = 1;

	while (left_lines(s, n, line, size) <= n) {
		server_alive(s);
		if (!left_ms(end))
			fail_msg("no line for client %u leaving in %s", n + 1,
				 s->log);
		pause_between_looks(&pause);
	}
}

/* A number the "client left" line gives, as key=N. */
static long field(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		fail_msg("no %s in: %s", key, line);
	return strtol(p + strlen(pat), NULL, 10);
}

static unsigned int proc_fds(pid_t pid)
{
	char path[32];
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool proc_has(pid_t pid, const char *file, const char *text)
{
	char path[32], *buf;
	bool has;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	buf = read_text(path);
	has = strstr(buf, text) != NULL;
	free(buf);
	return has;
}

static unsigned long proc_status_kb(pid_t pid, const char *name)
{
	char path[32], *buf, *p;
	unsigned long kb;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	buf = read_text(path);
	p = strstr(buf, name);
	assert_non_null(p);
	kb = strtoul(p + strlen(name), NULL, 10);
	free(buf);
	return kb;
}

/* ---- a client: connection, messages ---- */

struct client {
	struct server *srv;
	int sock;
	uint16_t id;
	unsigned int left;	/* "client left" lines before its own */
	struct vfu_caps caps;	/* the server's, from VERSION */
	uint32_t max_xfer;	/* the client's max_data_xfer_size */
	uint64_t *bar;		/* BAR0 mapped, or NULL: by message */
	/* Memory lent by message (a DMA map without fd): served from here. */
	uint8_t *lent;
	unsigned int dma_reads, dma_writes;
	/* The management rings as software sees them. */
	uint8_t *cmd_slot, *rsp_slot;
	uint64_t cmd_w, rsp_r;
};

/* Clients a failed test left open: closed before the next test. */
static struct client *open_clients[8];

struct msg {
	struct vfio_user_header hdr;
	uint8_t *data;		/* the payload: len bytes */
	size_t len;
	int fds[VFU_MSG_MAX_FDS + 1];
	unsigned int nfds;
};

static void close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		close(fds[i]);
}

static void msg_free(struct msg *m)
{
	close_fds(m->fds, m->nfds);
	free(m->data);
	*m = (struct msg){ 0 };
}

static struct client *client_connect(struct server *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct client *c = calloc(1, sizeof(*c));
	uint64_t end = now_ms() + DEADLINE_MS;
	unsigned int pause = 1, i;

	assert_non_null(c);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->sock);
	/* Until the server listens: it may be starting. */
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

		assert_true(fd >= 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			c->sock = fd;
			break;
		}
		err = errno;
		close(fd);
		server_alive(s);
		if ((err != ENOENT && err != ECONNREFUSED) || !left_ms(end))
			fail_msg("connect %s: %s", s->sock, strerror(err));
		pause_between_looks(&pause);
	}
	c->srv = s;
	c->max_xfer = VFIO_USER_DEF_MAX_XFER;
	for (i = 0; open_clients[i]; i++)
		assert_true(i + 1 < sizeof(open_clients) / sizeof(c));
	open_clients[i] = c;
	return c;
}

static void client_close(struct client *c)
{
	for (unsigned int i = 0; i < sizeof(open_clients) / sizeof(c); i++)
		if (open_clients[i] == c)
			open_clients[i] = NULL;
	if (c->bar)
		munmap(c->bar, RV_MODEL_BAR0_SIZE);
	close(c->sock);
	free(c);
}

static int forget_clients(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < sizeof(open_clients) / sizeof(void *); i++)
		if (open_clients[i])
			client_close(open_clients[i]);
	return 0;
}

/* Write a whole message, fds with its first byte. */
static void send_all(struct client *c, const void *buf, size_t len,
		     const int *fds, unsigned int nfds)
{
	int err = vfu_msg_send(c->sock, buf, len, fds, nfds, DEADLINE_MS);

	if (err)
		fail_msg("send: %s", strerror(err));
}

static uint16_t send_cmd(struct client *c, uint16_t command, uint32_t flags,
			 const void *payload, size_t len, const int *fds,
			 unsigned int nfds)
{
	struct vfio_user_header h = {
		.msg_id = ++c->id, .command = command,
		.msg_size = (uint32_t)(HDR + len), .flags = flags,
	};
	uint8_t *buf = malloc(HDR + len);

	assert_non_null(buf);
	memcpy(buf, &h, HDR);
	if (len)
		memcpy(buf + HDR, payload, len);
	send_all(c, buf, HDR + len, fds, nfds);
	free(buf);
	return h.msg_id;
}

static void take_fds(struct msghdr *mh, struct msg *m)
{
	assert_false(mh->msg_flags & MSG_CTRUNC);
	for (struct cmsghdr *h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		assert_int_equal(h->cmsg_type, SCM_RIGHTS);
		for (size_t i = 0; i < n; i++) {
			assert_true(m->nfds < VFU_MSG_MAX_FDS + 1);
			memcpy(&m->fds[m->nfds++], CMSG_DATA(h) + i * sizeof(int),
			       sizeof(int));
		}
	}
}

/*
 * Read exactly len bytes and the fds that come with them. false: the
 * server ended the connection before the first byte.
 */
static bool recv_bytes(struct client *c, void *buf, size_t len, struct msg *m,
		       bool first)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE((VFU_MSG_MAX_FDS + 1) * sizeof(int))];
	} ctl;
	uint64_t end = now_ms() + DEADLINE_MS;
	uint8_t *p = buf;

	while (len) {
		struct iovec iov = { .iov_base = p, .iov_len = len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, left_ms(end)) != 1)
			fail_msg("nothing from the server for %d ms", DEADLINE_MS);
		n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0 && errno == ECONNRESET)
			n = 0;
		if (n < 0)
			fail_msg("receive: %s", strerror(errno));
		take_fds(&mh, m);
		if (!n && first)
			return false;
		if (!n)
			fail_msg("the server ended the connection inside a message");
		first = false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* One message from the server; false if it ended the connection. */
static bool msg_recv(struct client *c, struct msg *m)
{
	*m = (struct msg){ 0 };
	if (!recv_bytes(c, &m->hdr, HDR, m, true))
		return false;
	assert_true(m->hdr.msg_size >= HDR);
	assert_true(m->hdr.msg_size <= VFU_SERVER_MAX_MSG);
	m->len = m->hdr.msg_size - HDR;
	m->data = malloc(m->len + 1);
	assert_non_null(m->data);
	recv_bytes(c, m->data, m->len, m, false);
	return true;
}

/* The server has ended the connection: nothing more comes. */
static void expect_closed(struct client *c)
{
	struct msg m;

	if (msg_recv(c, &m))
		fail_msg("a message (command %u) where the end was due",
			 m.hdr.command);
}

/*
 * A DMA_READ or DMA_WRITE from the server, for memory this client lent
 * without an fd: checked, and answered from (or into) that memory.
 */
static void serve_dma(struct client *c, struct msg *m)
{
	bool write = m->hdr.command == VFIO_USER_DMA_WRITE;
	struct { uint64_t addr, count; } a;
	uint8_t *p, *buf;
	size_t len;

	if (m->hdr.command != VFIO_USER_DMA_READ && !write)
		fail_msg("the server sent command %u", m->hdr.command);
	assert_int_equal(m->hdr.flags, VFIO_USER_F_TYPE_COMMAND);
	assert_int_equal(m->nfds, 0);
	assert_true(m->len >= sizeof(a));
	memcpy(&a, m->data, sizeof(a));
	assert_int_equal(m->len, sizeof(a) + (write ? a.count : 0));
	/* Inside what was lent, and no more than the client said it takes. */
	assert_non_null(c->lent);
	assert_true(a.count && a.count <= c->max_xfer);
	assert_true(a.addr >= IOVA && a.addr - IOVA <= MEM_SIZE - a.count);
	p = c->lent + (a.addr - IOVA);
	/* DMA_WRITE's reply: address and a 4-byte count ("DMA_WRITE"). */
	len = HDR + (write ? 12 : sizeof(a) + a.count);
	buf = calloc(1, len);
	assert_non_null(buf);
	*(struct vfio_user_header *)buf = (struct vfio_user_header){
		.msg_id = m->hdr.msg_id, .command = m->hdr.command,
		.msg_size = (uint32_t)len, .flags = VFIO_USER_F_TYPE_REPLY,
	};
	memcpy(buf + HDR, &a.addr, 8);
	if (write) {
		uint32_t count = (uint32_t)a.count;

		memcpy(p, m->data + sizeof(a), a.count);
		memcpy(buf + HDR + 8, &count, 4);
		c->dma_writes++;
	} else {
		memcpy(buf + HDR + 8, &a.count, 8);
		memcpy(buf + HDR + sizeof(a), p, a.count);
		c->dma_reads++;
	}
	send_all(c, buf, len, NULL, 0);
	free(buf);
}

/*
 * The reply to command id, into *reply if given, with the server's DMA
 * requests answered meanwhile. 0, or the errno of an error reply.
 */
static int await_reply(struct client *c, uint16_t id, uint16_t command,
		       struct msg *reply)
{
	struct msg m;
	int err;

	for (;;) {
		if (!msg_recv(c, &m))
			fail_msg("the connection ended instead of a reply to "
				 "command %u", command);
		if ((m.hdr.flags & VFIO_USER_F_TYPE_MASK) !=
		    VFIO_USER_F_TYPE_COMMAND)
			break;
		serve_dma(c, &m);
		msg_free(&m);
	}
	assert_int_equal(m.hdr.flags & VFIO_USER_F_TYPE_MASK,
			 VFIO_USER_F_TYPE_REPLY);
	assert_int_equal(m.hdr.flags & ~(VFIO_USER_F_TYPE_MASK |
					 VFIO_USER_F_ERROR), 0);
	assert_int_equal(m.hdr.msg_id, id);
	assert_int_equal(m.hdr.command, command);
	err = (int)m.hdr.error_reply;
	if (m.hdr.flags & VFIO_USER_F_ERROR) {
		/* "the reply message must only include the reply header" */
		assert_int_equal(m.len, 0);
		assert_int_equal(m.nfds, 0);
		assert_int_not_equal(err, 0);
	} else {
		assert_int_equal(err, 0);
	}
	if (reply && !err)
		*reply = m;
	else
		msg_free(&m);
	return err;
}

static int rpc_fds(struct client *c, uint16_t command, const void *payload,
		   size_t len, const int *fds, unsigned int nfds,
		   struct msg *reply)
{
	uint16_t id = send_cmd(c, command, 0, payload, len, fds, nfds);

	return await_reply(c, id, command, reply);
}

static int rpc(struct client *c, uint16_t command, const void *payload,
	       size_t len, struct msg *reply)
{
	return rpc_fds(c, command, payload, len, NULL, 0, reply);
}

/* ---- VERSION, and the clients the tests use ---- */

/* The client's capabilities, as QEMU's client names them; their length. */
static size_t client_caps(char *buf, size_t size, uint32_t max_fds,
			  uint32_t max_xfer)
{
	int n = snprintf(buf, size, "{\"capabilities\":{\"max_msg_fds\":%u,"
			 "\"max_data_xfer_size\":%u,\"pgsizes\":4096,"
			 "\"max_dma_maps\":65535,\"migration\":{\"pgsize\":4096,"
			 "\"max_bitmap_size\":1048576}}}", max_fds, max_xfer);

	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n + 1;
}

static int version(struct client *c, uint16_t major, uint16_t minor,
		   const char *data, size_t len, struct msg *reply)
{
	struct { uint16_t major, minor; char data[512]; } v = {
		.major = major, .minor = minor,
	};

	assert_true(len <= sizeof(v.data));
	if (len)
		memcpy(v.data, data, len);
	return rpc(c, VFIO_USER_VERSION, &v, 4 + len, reply);
}

/*
 * A VERSION reply, to a request of req_size bytes proposing minor: the
 * server's capabilities into caps. Whether it sent any.
 */
static bool version_reply(const struct msg *m, size_t req_size,
			  uint16_t minor, struct vfu_caps *caps)
{
	struct vfio_user_version v;

	/* QEMU's client takes the reply into its request's buffer. */
	assert_true(m->hdr.msg_size <= req_size);
	assert_true(m->len >= sizeof(v));
	memcpy(&v, m->data, sizeof(v));
	assert_int_equal(v.major, VFIO_USER_MAJOR);
	assert_true(v.minor <= minor);
	assert_int_equal(m->nfds, 0);
	vfu_caps_default(caps);
	if (m->len > sizeof(v)) {
		const char *json = (const char *)m->data + sizeof(v);
		size_t n = m->len - sizeof(v);

		/* One NUL-terminated string, and JSON the parser takes. */
		assert_int_equal(strnlen(json, n), n - 1);
		assert_int_equal(vfu_caps_parse(json, n, caps), 0);
	}
	/* 0: a server that takes none (--no-fds). */
	assert_true(caps->max_msg_fds <= VFU_MSG_MAX_FDS);
	assert_true(caps->pgsizes && caps->pgsizes % 4096 == 0);
	assert_true(caps->max_data_xfer_size >= 1 &&
		    caps->max_data_xfer_size <= 64u << 20);
	assert_true(caps->max_dma_maps >= 1 && caps->max_dma_maps <= 65535);
	return m->len > sizeof(v);
}

/*
 * Connected and through VERSION, telling the server it takes max_fds
 * descriptors in a message and max_xfer bytes in a transfer.
 */
static struct client *client_open_caps(struct server *s, uint32_t max_fds,
				       uint32_t max_xfer)
{
	struct client *c = client_connect(s);
	char json[512];
	size_t n = client_caps(json, sizeof(json), max_fds, max_xfer);
	struct msg r;

	assert_int_equal(version(c, VFIO_USER_MAJOR, VFIO_USER_MINOR, json, n,
				 &r), 0);
	assert_true(version_reply(&r, HDR + 4 + n, VFIO_USER_MINOR, &c->caps));
	msg_free(&r);
	c->max_xfer = max_xfer;
	/* Served: every client before it has left, and logged so. */
	c->left = left_lines(s, 0, NULL, 0);
	return c;
}

static struct client *client_open_xfer(struct server *s, uint32_t max_xfer)
{
	return client_open_caps(s, VFU_MSG_MAX_FDS, max_xfer);
}

static struct client *client_open(struct server *s)
{
	return client_open_xfer(s, VFIO_USER_DEF_MAX_XFER);
}

/* Hang up, and wait for the server's line about it (into line). */
static void client_leave(struct client *c, char *line, size_t size)
{
	struct server *s = c->srv;
	unsigned int n = c->left;

	client_close(c);
	wait_left(s, n, line, size);
}

/* ---- the device: info, regions, BAR0 ---- */

/*
 * A command whose reply is the struct it sent, filled in (as the ioctl it
 * stands for do): io, size bytes both ways. *fd: the descriptor that came
 * with the reply, or -1 (fd NULL: none may come).
 */
static int rpc_inout(struct client *c, uint16_t command, void *io,
		     size_t size, int *fd)
{
	struct msg r;
	int err = rpc(c, command, io, size, &r);

	if (fd)
		*fd = -1;
	if (err)
		return err;
	assert_int_equal(r.len, size);
	memcpy(io, r.data, size);
	assert_true(r.nfds <= (fd ? 1u : 0u));
	if (r.nfds) {
		*fd = r.fds[0];
		r.nfds = 0;
	}
	msg_free(&r);
	return 0;
}

static void device_info_ok(struct client *c)
{
	struct vfio_user_device_info info = { .argsz = sizeof(info) };

	assert_int_equal(rpc_inout(c, VFIO_USER_DEVICE_GET_INFO, &info,
				   sizeof(info), NULL), 0);
	assert_int_equal(info.argsz, sizeof(info));
	assert_int_equal(info.flags,
			 VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(info.num_regions, VFIO_PCI_NUM_REGIONS);
	assert_int_equal(info.num_irqs, VFIO_PCI_NUM_IRQS);
}

/* Region info; *fd is the descriptor that came with it, or -1. */
static int region_info(struct client *c, uint32_t index,
		       struct vfio_region_info *info, int *fd)
{
	int err;

	*info = (struct vfio_region_info){ .argsz = sizeof(*info),
					   .index = index };
	err = rpc_inout(c, VFIO_USER_DEVICE_GET_REGION_INFO, info,
			sizeof(*info), fd);
	if (err)
		return err;
	assert_true(info->argsz >= sizeof(*info));
	assert_int_equal(info->index, index);
	/* An fd comes with MMAP, and only with it. */
	assert_int_equal(*fd >= 0, !!(info->flags & VFIO_REGION_INFO_FLAG_MMAP));
	return 0;
}

static int irq_info(struct client *c, uint32_t index,
		    struct vfio_irq_info *info)
{
	int err;

	*info = (struct vfio_irq_info){ .argsz = sizeof(*info), .index = index };
	err = rpc_inout(c, VFIO_USER_DEVICE_GET_IRQ_INFO, info, sizeof(*info),
			NULL);
	if (err)
		return err;
	assert_int_equal(info->argsz, sizeof(*info));
	assert_int_equal(info->index, index);
	return 0;
}

/* struct vfio_user_region_access with room for 8 bytes of data. */
struct region_io {
	uint64_t offset;
	uint32_t region, count;
	uint8_t data[8];
};

static int region_rw(struct client *c, uint32_t region, uint64_t off,
		     void *buf, uint32_t count, bool write)
{
	size_t len = sizeof(struct vfio_user_region_access) + (write ? count : 0);
	struct region_io *rq = calloc(1, len > sizeof(*rq) ? len : sizeof(*rq));
	struct region_io echo;
	struct msg r;
	int err;

	assert_non_null(rq);
	rq->offset = off;
	rq->region = region;
	rq->count = count;
	if (write)
		memcpy(rq->data, buf, count);
	err = rpc(c, write ? VFIO_USER_REGION_WRITE : VFIO_USER_REGION_READ,
		  rq, len, &r);
	free(rq);
	if (err)
		return err;
	/* The request's offset, region and count, then what was read. */
	assert_int_equal(r.len, offsetof(struct region_io, data) +
			 (write ? 0 : count));
	memcpy(&echo, r.data, offsetof(struct region_io, data));
	assert_true(echo.offset == off && echo.region == region &&
		    echo.count == count);
	if (!write)
		memcpy(buf, r.data + offsetof(struct region_io, data), count);
	msg_free(&r);
	return 0;
}

static uint16_t cfg_read16(struct client *c, unsigned int off)
{
	uint16_t v;

	assert_int_equal(region_rw(c, CFG, off, &v, 2, false), 0);
	return v;
}

static void cfg_write16(struct client *c, unsigned int off, uint16_t v)
{
	assert_int_equal(region_rw(c, CFG, off, &v, 2, true), 0);
}

/* BAR0 registers: through the mapping if the client has one. */
static uint64_t bar_read(struct client *c, uint64_t off)
{
	uint64_t v;

	if (c->bar)
		return __atomic_load_n(&c->bar[off / 8], __ATOMIC_ACQUIRE);
	assert_int_equal(region_rw(c, BAR0, off, &v, 8, false), 0);
	return v;
}

static void bar_write(struct client *c, uint64_t off, uint64_t v)
{
	if (c->bar)
		__atomic_store_n(&c->bar[off / 8], v, __ATOMIC_RELEASE);
	else
		assert_int_equal(region_rw(c, BAR0, off, &v, 8, true), 0);
}

/* BAR0's fd, from its region info, mapped. */
static void bar_map(struct client *c)
{
	struct vfio_region_info info;
	void *p;
	int fd;

	assert_int_equal(region_info(c, BAR0, &info, &fd), 0);
	assert_true(info.flags & VFIO_REGION_INFO_FLAG_MMAP);
	assert_int_equal(info.size, RV_MODEL_BAR0_SIZE);
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)info.offset);
	close(fd);
	assert_true(p != MAP_FAILED);
	c->bar = p;
}

/*
 * While the client waits on the device: whatever the server sends, which
 * can only be its DMA requests, answered. Looks at the socket for ms.
 */
static void pump(struct client *c, int ms)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN };
	struct msg m;

	if (poll(&p, 1, ms) != 1)
		return;
	if (!msg_recv(c, &m))
		fail_msg("the server ended the connection");
	if ((m.hdr.flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_COMMAND)
		fail_msg("a reply (id %u) to nothing asked", m.hdr.msg_id);
	serve_dma(c, &m);
	msg_free(&m);
}

/* Wait for a BAR0 register to read want: the device's progress. */
static void wait_reg(struct client *c, uint64_t off, uint64_t want)
{
	uint64_t end = now_ms() + DEADLINE_MS, v;

	while ((v = bar_read(c, off)) != want) {
		if (off != RV_AMU_SR &&
		    bar_read(c, RV_AMU_SR) & RV_AMU_SR_IOMMU_FAULT)
			fail_msg("an IOMMU fault while waiting for BAR0 0x%llx",
				 (unsigned long long)off);
		if (!left_ms(end))
			fail_msg("BAR0 0x%llx reads 0x%llx, not 0x%llx, after "
				 "%d ms", (unsigned long long)off,
				 (unsigned long long)v, (unsigned long long)want,
				 DEADLINE_MS);
		pump(c, 1);
	}
}

/* ---- client memory ---- */

struct mem {
	int fd;
	uint8_t *p;
};

static void mem_new(struct mem *m)
{
	m->fd = memfd_create("vfutest-dma", MFD_CLOEXEC);
	assert_true(m->fd >= 0);
	assert_int_equal(ftruncate(m->fd, MEM_SIZE), 0);
	m->p = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd,
		    0);
	assert_true(m->p != MAP_FAILED);
}

static void mem_free(struct mem *m)
{
	munmap(m->p, MEM_SIZE);
	close(m->fd);
}

static int dma_map(struct client *c, uint64_t iova, uint64_t size,
		   uint64_t offset, int fd)
{
	struct vfio_user_dma_map m = {
		.argsz = sizeof(m), .flags = RW, .offset = offset,
		.addr = iova, .size = size,
	};

	return rpc_fds(c, VFIO_USER_DMA_MAP, &m, sizeof(m), &fd, fd >= 0, NULL);
}

/* The window lent by message: a map without an fd, served from buf. */
static void lend(struct client *c, uint8_t *buf)
{
	c->lent = buf;
	assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, -1), 0);
}

static int dma_unmap(struct client *c, uint64_t iova, uint64_t size,
		     uint32_t flags)
{
	struct vfio_user_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .addr = iova, .size = size,
	};
	struct msg r;
	int err = rpc(c, VFIO_USER_DMA_UNMAP, &u, sizeof(u), &r);

	if (err)
		return err;
	/* "The server responds with the original DMA entry in the request." */
	assert_int_equal(r.len, sizeof(u));
	assert_memory_equal(r.data, &u, sizeof(u));
	msg_free(&r);
	return 0;
}

static void device_reset(struct client *c)
{
	assert_int_equal(rpc(c, VFIO_USER_DEVICE_RESET, NULL, 0, NULL), 0);
	c->cmd_w = c->rsp_r = 0;
}

/* ---- the management interface (tests/test_model.c's, over vfio-user) ---- */

/*
 * Command ring at IOVA + cmd_off, response ring at IOVA + rsp_off (one
 * slot each; buf is the window as the client sees it), bus mastering on,
 * the AMU enabled.
 */
static void mgt_setup(struct client *c, uint8_t *buf, uint32_t cmd_off,
		      uint32_t rsp_off)
{
	const uint64_t ctrl = RV_FIELD_PREP(RV_MSK_CTRL_LOG2_MSG_LENGTH,
					    RV_MGT_LOG2_MSG_LENGTH);

	cfg_write16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	bar_write(c, RV_MSK_BASE_PTR(RV_MSK_CMD), IOVA + cmd_off);
	bar_write(c, RV_MSK_BASE_PTR(RV_MSK_RSP), IOVA + rsp_off);
	bar_write(c, RV_MSK_BASE_PTR(RV_MSK_EXC), IOVA + cmd_off + EXC_OFF);
	for (unsigned int k = 0; k < RV_MSK_COUNT; k++)
		bar_write(c, RV_MSK_CTRL(k), ctrl);
	bar_write(c, RV_AMU_CR, RV_AMU_CR_AMU_EN);
	c->cmd_slot = buf + cmd_off;
	c->rsp_slot = buf + rsp_off;
	c->cmd_w = c->rsp_r = 0;
}

/* A PF-PROBE in the command slot, and the doorbell. */
static void post_probe(struct client *c)
{
	memset(c->cmd_slot, 0, RV_MSG_SIZE);
	rv_msg_set(c->cmd_slot, RV_MSG_OPCODE, RV_OP_PF_PROBE);
	bar_write(c, RV_MGT_WRITE_INDEX_TX0, ++c->cmd_w);
}

/* The response, taken; the model's identity checked (spec 8.9). */
static void take_probe(struct client *c)
{
	struct rv_model_params p;
	uint8_t rsp[RV_MSG_SIZE];

	wait_reg(c, RV_MGT_WRITE_INDEX_RX0, c->rsp_r + 1);
	memcpy(rsp, c->rsp_slot, sizeof(rsp));
	bar_write(c, RV_MGT_READ_INDEX_RX0, ++c->rsp_r);
	assert_int_equal(bar_read(c, RV_MGT_READ_INDEX_TX0), c->cmd_w);
	rv_model_default_params(&p);
	assert_int_equal(rv_msg_get(rsp, RV_MSG_OPCODE), RV_OP_PF_PROBE);
	assert_int_equal(rv_msg_get(rsp, RV_MSG_STATUS), 0);
	assert_int_equal(rv_msg_get(rsp, RV_PF_PROBE_RSP_MAX_AMI_SW),
			 p.num_ami_sw);
	assert_int_equal(rv_msg_get(rsp, RV_PF_PROBE_RSP_MAX_AMI_HW),
			 p.num_ami_hw);
	assert_int_equal(rv_msg_get(rsp, RV_PF_PROBE_RSP_MAX_ASN), p.max_asn);
	assert_int_equal(rv_msg_get(rsp, RV_PF_PROBE_RSP_NUM_AHA), p.num_aha);
}

static void pf_probe(struct client *c)
{
	post_probe(c);
	take_probe(c);
}

/* A command the device cannot fetch: the fault (spec 8.4), no response. */
static void probe_faults(struct client *c)
{
	post_probe(c);
	wait_reg(c, RV_AMU_SR, RV_AMU_SR_IOMMU_FAULT);
	assert_int_equal(bar_read(c, RV_MGT_READ_INDEX_TX0), 0);
	assert_int_equal(bar_read(c, RV_MGT_WRITE_INDEX_RX0), 0);
}

/* ---- interrupts ---- */

static void eventfds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		assert_true(fds[i] >= 0);
	}
}

/* The eventfd's count, taken (0: not signalled). */
static uint64_t ev_take(int fd)
{
	uint64_t v;

	return read(fd, &v, sizeof(v)) == sizeof(v) ? v : 0;
}

static uint64_t ev_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, DEADLINE_MS) != 1)
		fail_msg("an MSI-X eventfd not signalled in %d ms", DEADLINE_MS);
	return ev_take(fd);
}

/* struct vfio_irq_set with room for bools. */
struct irq_set {
	uint32_t argsz, flags, index, start, count;
	uint8_t data[8];
};

static int set_irqs(struct client *c, uint32_t flags, uint32_t start,
		    uint32_t count, const uint8_t *bools, const int *fds,
		    unsigned int nfds)
{
	size_t nbools = bools ? count : 0;
	struct irq_set s = {
		.argsz = (uint32_t)(offsetof(struct irq_set, data) + nbools),
		.flags = flags, .index = MSIX, .start = start, .count = count,
	};

	assert_true(nbools <= sizeof(s.data));
	if (nbools)
		memcpy(s.data, bools, nbools);
	return rpc_fds(c, VFIO_USER_DEVICE_SET_IRQS, &s, s.argsz, fds, nfds,
		       NULL);
}

/* ---- after a bad input ---- */

/* A new client is served as any other. */
static void served_ok(struct server *s)
{
	struct client *c = client_open(s);

	device_info_ok(c);
	assert_int_equal(cfg_read16(c, PCI_VENDOR_ID), RV_PCI_VENDOR_ARM);
	client_leave(c, NULL, 0);
}

/* The connection went on, and after it the server serves the next one. */
static void still_served(struct client *c)
{
	struct server *s = c->srv;

	device_info_ok(c);
	client_leave(c, NULL, 0);
	served_ok(s);
}

/* The server ended the connection, for why; the next one is served. */
static void closed_then_served(struct client *c, const char *why)
{
	struct server *s = c->srv;
	unsigned int n = c->left;
	char line[512];

	expect_closed(c);
	client_close(c);
	/* Logged before the connection was closed. */
	assert_true(left_lines(s, n, line, sizeof(line)) > n);
	if (!strstr(line, why))
		fail_msg("expected \"%s\" in: %s", why, line);
	served_ok(s);
}

/* ---- 1. the handshake and the device ---- */

static void test_version(void **state)
{
	struct server *s = *state;
	char json[512];
	size_t n = client_caps(json, sizeof(json), VFU_MSG_MAX_FDS,
			       VFIO_USER_DEF_MAX_XFER);
	struct client *c = client_connect(s);
	struct vfu_caps caps;
	struct msg r;

	/* With room for them, the server's capabilities come back. */
	assert_int_equal(version(c, 0, VFIO_USER_MINOR, json, n, &r), 0);
	assert_true(version_reply(&r, HDR + 4 + n, VFIO_USER_MINOR, &caps));
	msg_free(&r);
	device_info_ok(c);
	client_close(c);

	/* No JSON: none back, and the defaults stand on both sides. */
	c = client_connect(s);
	assert_int_equal(version(c, 0, 0, NULL, 0, &r), 0);
	assert_false(version_reply(&r, HDR + 4, 0, &caps));
	msg_free(&r);
	device_info_ok(c);
	client_close(c);

	/* A later minor, and JSON too short to hold the server's. */
	c = client_connect(s);
	assert_int_equal(version(c, 0, 42, "{}", 3, &r), 0);
	version_reply(&r, HDR + 4 + 3, 42, &caps);
	msg_free(&r);
	device_info_ok(c);
	client_close(c);
}

static void test_device_info(void **state)
{
	struct client *c = client_open(*state);

	device_info_ok(c);
	client_leave(c, NULL, 0);
}

static void test_region_info(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_region_info info;
	uint64_t *bar, aidr;
	int fd;

	for (uint32_t i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		assert_int_equal(region_info(c, i, &info, &fd), 0);
		if (i == CFG) {
			assert_int_equal(info.size, RV_PCI_CFG_SIZE);
			assert_int_equal(info.flags, VFIO_REGION_INFO_FLAG_READ |
					 VFIO_REGION_INFO_FLAG_WRITE);
		} else if (i != BAR0) {
			assert_int_equal(info.size, 0);
			assert_int_equal(info.flags, 0);
		}
		if (i != BAR0)
			continue;
		assert_int_equal(info.size, RV_MODEL_BAR0_SIZE);
		assert_int_equal(info.flags, VFIO_REGION_INFO_FLAG_READ |
				 VFIO_REGION_INFO_FLAG_WRITE |
				 VFIO_REGION_INFO_FLAG_MMAP);
		/* The fd maps, and shows the registers. */
		bar = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, (off_t)info.offset);
		assert_true(bar != MAP_FAILED);
		assert_int_equal(region_rw(c, BAR0, RV_AMU_AIDR, &aidr, 8, false),
				 0);
		assert_int_equal(aidr, 0x20);
		assert_int_equal(bar[RV_AMU_AIDR / 8], aidr);
		munmap(bar, info.size);
		close(fd);
	}
	client_leave(c, NULL, 0);
}

/* BAR0 offered by message only: readable, writable, no fd to map. */
static void assert_bar0_by_message(struct client *c)
{
	struct vfio_region_info info;
	int fd;

	assert_int_equal(region_info(c, BAR0, &info, &fd), 0);
	assert_int_equal(info.size, RV_MODEL_BAR0_SIZE);
	assert_int_equal(info.flags, VFIO_REGION_INFO_FLAG_READ |
			 VFIO_REGION_INFO_FLAG_WRITE);
	assert_int_equal(fd, -1);
	client_leave(c, NULL, 0);
}

/* The server run with --no-mmap. */
static void test_region_info_no_mmap(void **state)
{
	assert_bar0_by_message(client_open(*state));
}

/* A client whose VERSION says it takes no fds is given none. */
static void test_client_takes_no_fds(void **state)
{
	assert_bar0_by_message(client_open_caps(*state, 0,
						VFIO_USER_DEF_MAX_XFER));
}


static void test_irq_info(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_irq_info info;

	/* MSI-X's vectors, and ERR's one eventfd (QEMU sets it up). */
	for (uint32_t i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		assert_int_equal(irq_info(c, i, &info), 0);
		if (i != MSIX && i != VFIO_PCI_ERR_IRQ_INDEX) {
			assert_int_equal(info.count, 0);
			continue;
		}
		assert_int_equal(info.count, i == MSIX ? VFU_DEV_MSIX_COUNT : 1);
		assert_true(info.flags & VFIO_IRQ_INFO_EVENTFD);
	}
	client_leave(c, NULL, 0);
}

/* ---- 2. config space ---- */

static void test_config_space(void **state)
{
	struct client *c = client_open(*state);
	static uint8_t want[RV_PCI_CFG_SIZE], got[RV_PCI_CFG_SIZE];
	struct region_io w = { .offset = PCI_COMMAND, .region = CFG, .count = 2,
			       .data = { PCI_COMMAND_MEMORY } };
	uint32_t bar = ~0u;

	/* What the device model's config space is, as vfio-pci opens it. */
	rv_pci_cfg_power_on(want, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
	rv_pci_cfg_open(want);
	assert_int_equal(region_rw(c, CFG, 0, got, sizeof(got), false), 0);
	assert_memory_equal(got, want, sizeof(got));
	assert_int_equal(cfg_read16(c, PCI_VENDOR_ID), 0x13b5);
	assert_int_equal(cfg_read16(c, PCI_DEVICE_ID), 0xff81);

	/* Bus mastering (COMMAND bit 2) reads back. */
	cfg_write16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(cfg_read16(c, PCI_COMMAND),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* Read-only bytes keep theirs; BAR0 sizes as a 64-bit 1 MiB BAR. */
	cfg_write16(c, PCI_VENDOR_ID, 0x1234);
	assert_int_equal(cfg_read16(c, PCI_VENDOR_ID), 0x13b5);
	assert_int_equal(region_rw(c, CFG, PCI_BASE_ADDRESS_0, &bar, 4, true), 0);
	assert_int_equal(region_rw(c, CFG, PCI_BASE_ADDRESS_0, &bar, 4, false),
			 0);
	assert_int_equal(bar, (uint32_t)~(RV_MODEL_BAR0_SIZE - 1) |
			 PCI_BASE_ADDRESS_MEM_TYPE_64);

	/* No_reply: no reply; the next one is the next command's. */
	send_cmd(c, VFIO_USER_REGION_WRITE, VFIO_USER_F_NO_REPLY, &w,
		 offsetof(struct region_io, data) + 2, NULL, 0);
	assert_int_equal(cfg_read16(c, PCI_COMMAND), PCI_COMMAND_MEMORY);
	client_leave(c, NULL, 0);
}

/* ---- 3, 4. the management interface, DMA both ways ---- */

/*
 * Two PF-PROBEs: BAR0 through the mapping or by message; the window
 * shared as a memfd, or lent by message (the server then asks for its
 * DMA by DMA_READ and DMA_WRITE, in pieces of at most 32 bytes, which is
 * all the client says it takes).
 */
static void probe_exchange(struct server *s, bool mapped, bool lent)
{
	struct client *c = client_open_xfer(s, lent ? 32 :
					    VFIO_USER_DEF_MAX_XFER);
	char line[512];
	struct mem m;

	mem_new(&m);
	if (mapped)
		bar_map(c);
	if (lent)
		lend(c, m.p);
	else
		assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, m.fd), 0);
	mgt_setup(c, m.p, 0, RSP_OFF);
	pf_probe(c);
	pf_probe(c);
	/* A 64-byte command read and response written, each in two. */
	if (lent) {
		assert_true(c->dma_reads >= 4);
		assert_true(c->dma_writes >= 4);
	}
	client_leave(c, line, sizeof(line));
	assert_int_equal(field(line, "commands"), 2);
	assert_int_equal(field(line, "amu_enabled"), 1);
	assert_int_equal(field(line, "bus_master"), 1);
	assert_int_equal(field(line, "iommu_fault"), 0);
	mem_free(&m);
}

static void test_probe_by_message(void **state)
{
	probe_exchange(*state, false, false);
}

static void test_probe_mapped(void **state)
{
	probe_exchange(*state, true, false);
}

/* The server finds the doorbell in the page and asks for the DMA itself. */
static void test_probe_mapped_lent(void **state)
{
	probe_exchange(*state, true, true);
}

static void test_probe_lent(void **state)
{
	probe_exchange(*state, false, true);
}

/*
 * Commands the client sends while the server waits for its DMA_READ's
 * reply: held, and answered after the command that caused the DMA, in
 * the order sent.
 */
static void test_commands_during_dma(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_user_device_info info = { .argsz = sizeof(info) };
	struct region_io bell = { .offset = RV_MGT_WRITE_INDEX_TX0,
				  .region = BAR0, .count = 8, .data = { 1 } };
	struct region_io cr = { .offset = RV_AMU_CR, .region = BAR0, .count = 8 };
	uint16_t id_bell, id_cr, id_info;
	uint64_t v;
	struct msg m;
	struct mem mem;

	mem_new(&mem);
	lend(c, mem.p);
	mgt_setup(c, mem.p, 0, RSP_OFF);
	memset(c->cmd_slot, 0, RV_MSG_SIZE);
	rv_msg_set(c->cmd_slot, RV_MSG_OPCODE, RV_OP_PF_PROBE);
	id_bell = send_cmd(c, VFIO_USER_REGION_WRITE, 0, &bell, sizeof(bell),
			   NULL, 0);
	c->cmd_w = 1;
	/* The doorbell's command read: the server now waits for the reply. */
	assert_true(msg_recv(c, &m));
	assert_int_equal(m.hdr.command, VFIO_USER_DMA_READ);
	id_cr = send_cmd(c, VFIO_USER_REGION_READ, 0, &cr,
			 offsetof(struct region_io, data), NULL, 0);
	id_info = send_cmd(c, VFIO_USER_DEVICE_GET_INFO, 0, &info, sizeof(info),
			   NULL, 0);
	serve_dma(c, &m);
	msg_free(&m);
	assert_int_equal(await_reply(c, id_bell, VFIO_USER_REGION_WRITE, NULL), 0);
	assert_int_equal(await_reply(c, id_cr, VFIO_USER_REGION_READ, &m), 0);
	memcpy(&v, m.data + offsetof(struct region_io, data), 8);
	assert_int_equal(v, RV_AMU_CR_AMU_EN);
	msg_free(&m);
	assert_int_equal(await_reply(c, id_info, VFIO_USER_DEVICE_GET_INFO,
				     NULL), 0);
	take_probe(c);
	client_leave(c, NULL, 0);
	mem_free(&mem);
}

/* ---- 5. interrupts ---- */

static void test_irqs(void **state)
{
	struct client *c = client_open(*state);
	const uint8_t bools[3] = { 1, 0, 1 };
	int ev[VFU_DEV_MSIX_COUNT];
	char line[512];
	struct mem m;

	eventfds(ev, VFU_DEV_MSIX_COUNT);
	assert_int_equal(set_irqs(c, TRIG_EVENTFD, 0, VFU_DEV_MSIX_COUNT, NULL,
				  ev, VFU_DEV_MSIX_COUNT), 0);
	/* The client's own trigger: that vector's eventfd, and no other. */
	assert_int_equal(set_irqs(c, TRIG_NONE, 3, 1, NULL, NULL, 0), 0);
	assert_int_equal(ev_wait(ev[3]), 1);
	/* With bools: the vectors whose bool is true. */
	assert_int_equal(set_irqs(c, TRIG_BOOL, 5, 3, bools, NULL, 0), 0);
	assert_int_equal(ev_wait(ev[5]), 1);
	assert_int_equal(ev_wait(ev[7]), 1);
	for (unsigned int i = 0; i < VFU_DEV_MSIX_COUNT; i++)
		assert_int_equal(ev_take(ev[i]), 0);

	/* The device's own: the management RX vector after a response. */
	mem_new(&m);
	assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, m.fd), 0);
	mgt_setup(c, m.p, 0, RSP_OFF);
	bar_write(c, RV_MGT_RX_VECTOR, 6);
	bar_write(c, RV_MGT_RX_IRQ_CTRL, RV_MGT_IRQ_CTRL_EN);
	bar_write(c, RV_MGT_RX_DIGEST_MASK, 1);
	pf_probe(c);
	assert_int_equal(ev_wait(ev[6]), 1);
	for (unsigned int i = 0; i < VFU_DEV_MSIX_COUNT; i++)
		assert_int_equal(ev_take(ev[i]), 0);

	/* All off (count 0, DATA_NONE): the eventfds are the server's no more. */
	assert_int_equal(set_irqs(c, TRIG_NONE, 0, 0, NULL, NULL, 0), 0);
	assert_int_equal(set_irqs(c, TRIG_NONE, 3, 1, NULL, NULL, 0), 0);
	assert_int_equal(ev_take(ev[3]), 0);

	client_leave(c, line, sizeof(line));
	assert_int_equal(field(line, "irqs"), 1);
	assert_int_equal(field(line, "msix_signalled"), 4);
	close_fds(ev, VFU_DEV_MSIX_COUNT);
	mem_free(&m);
}

/*
 * With BAR0 mapped, the interrupt for a response comes after the page
 * shows it: a driver that wakes on the eventfd and reads the write index
 * finds the response there, every time (spec 8.8; a device's MSI-X write
 * follows its earlier writes). 2000 round trips, each read as soon as
 * the eventfd fires.
 */
static void test_irq_after_index(void **state)
{
	struct client *c = client_open(*state);
	int ev[VFU_DEV_MSIX_COUNT];
	unsigned int early = 0;
	struct mem m;

	eventfds(ev, VFU_DEV_MSIX_COUNT);
	assert_int_equal(set_irqs(c, TRIG_EVENTFD, 0, VFU_DEV_MSIX_COUNT, NULL,
				  ev, VFU_DEV_MSIX_COUNT), 0);
	mem_new(&m);
	assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, m.fd), 0);
	bar_map(c);
	mgt_setup(c, m.p, 0, RSP_OFF);
	bar_write(c, RV_MGT_RX_VECTOR, 6);
	bar_write(c, RV_MGT_RX_IRQ_CTRL, RV_MGT_IRQ_CTRL_EN);
	bar_write(c, RV_MGT_RX_DIGEST_MASK, 1);
	for (unsigned int i = 0; i < 2000; i++) {
		post_probe(c);
		assert_int_equal(ev_wait(ev[6]), 1);
		early += bar_read(c, RV_MGT_WRITE_INDEX_RX0) != c->rsp_r + 1;
		take_probe(c);
	}
	assert_int_equal(early, 0);
	client_leave(c, NULL, 0);
	close_fds(ev, VFU_DEV_MSIX_COUNT);
	mem_free(&m);
}

/*
 * An "eventfd" the server cannot write without waiting: a pipe that is
 * full, or a blocking eventfd whose counter is at its most. A trigger must
 * not hang the server (one thread, every client's): it is answered, and
 * the connection goes on.
 */
static void test_unwritable_eventfd(void **state)
{
	struct client *c = client_open(*state);
	uint64_t most = 0xfffffffffffffffeull;
	int p[2], ev = eventfd(0, EFD_CLOEXEC);
	char fill[4096] = { 0 };

	assert_true(ev >= 0);
	assert_int_equal(write(ev, &most, sizeof(most)), sizeof(most));
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	while (write(p[1], fill, sizeof(fill)) > 0)
		;
	assert_int_equal(fcntl(p[1], F_SETFL, 0), 0);
	assert_int_equal(set_irqs(c, TRIG_EVENTFD, 0, 1, NULL, &ev, 1), 0);
	assert_int_equal(set_irqs(c, TRIG_EVENTFD, 1, 1, NULL, &p[1], 1), 0);
	assert_int_equal(set_irqs(c, TRIG_NONE, 0, 2, NULL, NULL, 0), 0);
	close(ev);
	close(p[0]);
	close(p[1]);
	still_served(c);
}

/* ---- 6. reset, and DMA unmaps ---- */

/*
 * After a reset: unmap [IOVA + off, + size) (or everything: flags ALL;
 * nothing: size 0), the rings at cmd_off and rsp_off, and a PF-PROBE,
 * answered or faulting.
 */
struct unmap_step {
	uint64_t off, size;
	uint32_t flags, cmd_off, rsp_off;
	bool answered;
};

static void unmap_step(struct client *c, uint8_t *buf,
		       const struct unmap_step *u)
{
	device_reset(c);
	assert_int_equal(bar_read(c, RV_AMU_SR), 0);
	if (u->flags)
		assert_int_equal(dma_unmap(c, 0, 0, u->flags), 0);
	else if (u->size)
		assert_int_equal(dma_unmap(c, IOVA + u->off, u->size, 0), 0);
	mgt_setup(c, buf, u->cmd_off, u->rsp_off);
	if (u->answered)
		pf_probe(c);
	else
		probe_faults(c);
}

static void test_reset_and_unmap(void **state)
{
	static const struct unmap_step steps[] = {
		/* A hole in the middle: two maps, at their parts of the file. */
		{ 0x4000, 0x4000, 0, 0, 0x8000 + RSP_OFF, true },
		/* The hole faults (spec 8.4): AMU_SR bit 0, nothing answered. */
		{ 0, 0, 0, 0x4000, RSP_OFF, false },
		/* Both maps cut from inside the range: what is left works. */
		{ 0x2000, 0x8000, 0, 0, 0xa000 + RSP_OFF, true },
		/* One piece gone whole: the other, on the same file, maps. */
		{ 0, 0x2000, 0, 0xb000, 0xb000 + RSP_OFF, true },
		{ 0, 0, 0, 0x9000, RSP_OFF, false },
	};
	static const struct unmap_step all = {
		0, 0, VFIO_DMA_UNMAP_FLAG_ALL, 0, RSP_OFF, false,
	};
	struct client *c = client_open(*state);
	struct mem m;

	mem_new(&m);
	assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, m.fd), 0);
	mgt_setup(c, m.p, 0, RSP_OFF);
	assert_int_equal(bar_read(c, RV_AMU_CR), RV_AMU_CR_AMU_EN);
	device_reset(c);
	assert_int_equal(bar_read(c, RV_AMU_CR), 0);
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		unmap_step(c, m.p, &steps[i]);

	/* The same file at a second address survives the first's unmap. */
	device_reset(c);
	assert_int_equal(dma_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL), 0);
	assert_int_equal(dma_map(c, IOVA + 0x100000, MEM_SIZE, 0, m.fd), 0);
	assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, m.fd), 0);
	assert_int_equal(dma_unmap(c, IOVA + 0x100000, MEM_SIZE, 0), 0);
	mgt_setup(c, m.p, 0, RSP_OFF);
	pf_probe(c);

	/* Everything unmapped: any DMA faults. */
	unmap_step(c, m.p, &all);
	client_leave(c, NULL, 0);
	mem_free(&m);
}

/* ---- 7. a client that goes, and the next ---- */

static void test_second_client(void **state)
{
	struct server *s = *state;
	struct client *c1 = client_open(s), *c2;
	int ev[VFU_DEV_MSIX_COUNT];
	unsigned int n = c1->left;
	uint64_t *stale, cr;
	char line[512];
	struct mem m;

	mem_new(&m);
	eventfds(ev, VFU_DEV_MSIX_COUNT);
	assert_int_equal(dma_map(c1, IOVA, MEM_SIZE, 0, m.fd), 0);
	assert_int_equal(set_irqs(c1, TRIG_EVENTFD, 0, VFU_DEV_MSIX_COUNT, NULL,
				  ev, VFU_DEV_MSIX_COUNT), 0);
	bar_map(c1);
	mgt_setup(c1, m.p, 0, RSP_OFF);
	/* Taken by the device: a read by message takes the mapping's stores. */
	assert_int_equal(region_rw(c1, BAR0, RV_AMU_CR, &cr, 8, false), 0);
	assert_int_equal(cr, RV_AMU_CR_AMU_EN);
	/*
	 * Gone, with nothing undone: no unmap, no reset, AMU still on; and
	 * its mapping of BAR0 kept (a mapping outlives the socket).
	 */
	stale = c1->bar;
	c1->bar = NULL;
	client_close(c1);

	c2 = client_open(s);
	assert_true(left_lines(s, n, line, sizeof(line)) > n);
	assert_non_null(strstr(line, "(the client closed the connection)"));
	assert_int_equal(field(line, "amu_enabled"), 1);
	assert_int_equal(field(line, "bus_master"), 1);
	/* The device as at power-on, opened afresh. */
	assert_int_equal(bar_read(c2, RV_AMU_CR), 0);
	assert_int_equal(cfg_read16(c2, PCI_COMMAND), PCI_COMMAND_MEMORY);
	/*
	 * Client 1's mapping reaches the device no more: its store is made
	 * before client 2's read is sent, and a read takes the stores made
	 * through a mapping first.
	 */
	__atomic_store_n(&stale[RV_AMU_CR / 8], RV_AMU_CR_AMU_EN,
			 __ATOMIC_RELEASE);
	assert_int_equal(bar_read(c2, RV_AMU_CR), 0);
	munmap(stale, RV_MODEL_BAR0_SIZE);
	/* Client 1's memory is the device's no more, nor its eventfds. */
	assert_int_equal(set_irqs(c2, TRIG_NONE, 0, VFU_DEV_MSIX_COUNT, NULL,
				  NULL, 0), 0);
	for (unsigned int i = 0; i < VFU_DEV_MSIX_COUNT; i++)
		assert_int_equal(ev_take(ev[i]), 0);
	mgt_setup(c2, m.p, 0, RSP_OFF);
	probe_faults(c2);
	client_leave(c2, NULL, 0);
	close_fds(ev, VFU_DEV_MSIX_COUNT);
	mem_free(&m);
}

/* ---- 8. bad input, each on a connection of its own ---- */

struct bad_input {
	const char *what;
	uint16_t command;
	const void *payload;
	size_t len;
	unsigned int nfds;	/* eventfds sent with it */
	int err;		/* the error reply */
	const char *closes;	/* the server then ends the connection, so */
};

static const uint8_t zeros[64];

/* An entry: the command, its payload and length, the eventfds, the error. */
#define BAD(what, command, payload_len, nfds, err) \
	{ what, command, payload_len, nfds, err, NULL }
#define PAYLOAD(type, ...)	&(const type){ __VA_ARGS__ }, sizeof(type)
/* A payload of len bytes, cut from (or filled after) a struct. */
#define CUT(type, len, ...)	&(const type){ __VA_ARGS__ }, (len)
#define IO_LEN			offsetof(struct region_io, data)
#define IO(o, r, n, len) \
	CUT(struct region_io, (len), .offset = (o), .region = (r), .count = (n))
#define IRQS(f, i, s, n) \
	CUT(struct irq_set, 20, .argsz = 20, .flags = (f), .index = (i), \
	    .start = (s), .count = (n))
#define MAP(f, iova, len) \
	PAYLOAD(struct vfio_user_dma_map, .argsz = 32, .flags = (f), \
		.addr = (iova), .size = (len))
#define UNMAP(f, iova, len) \
	PAYLOAD(struct vfio_user_dma_unmap, .argsz = 24, .flags = (f), \
		.addr = (iova), .size = (len))
#define ZEROS(len)		zeros, (len)

static const struct bad_input bad_inputs[] = {
	/* Commands the protocol does not have, or not this way round. */
	BAD("command 0", 0, ZEROS(16), 0, EINVAL),
	BAD("command 14, unassigned", 14, ZEROS(16), 0, EINVAL),
	BAD("command 0xffff", 0xffff, ZEROS(16), 0, EINVAL),
	BAD("DMA_READ from the client", VFIO_USER_DMA_READ, ZEROS(16), 0,
	    EINVAL),
	BAD("DMA_WRITE from the client", VFIO_USER_DMA_WRITE, ZEROS(24), 0,
	    EINVAL),
	/* Commands the server does not offer. */
	BAD("REGION_IO_FDS", VFIO_USER_DEVICE_GET_REGION_IO_FDS, ZEROS(16), 0,
	    ENOTSUP),
	BAD("REGION_WRITE_MULTI", VFIO_USER_REGION_WRITE_MULTI, ZEROS(8), 0,
	    ENOTSUP),
	BAD("DEVICE_FEATURE", VFIO_USER_DEVICE_FEATURE, ZEROS(8), 0, ENOTSUP),
	BAD("MIG_DATA_READ", VFIO_USER_MIG_DATA_READ, ZEROS(8), 0, ENOTSUP),
	BAD("MIG_DATA_WRITE", VFIO_USER_MIG_DATA_WRITE, ZEROS(8), 0, ENOTSUP),
	/* Size fields that lie, and structs cut short. */
	BAD("REGION_WRITE count 8 with 4 bytes", VFIO_USER_REGION_WRITE,
	    IO(RV_AMU_CR, BAR0, 8, IO_LEN + 4), 0, EINVAL),
	BAD("REGION_WRITE count 4 with 8 bytes", VFIO_USER_REGION_WRITE,
	    IO(0, CFG, 4, IO_LEN + 8), 0, EINVAL),
	BAD("REGION_WRITE count 0 with 8 bytes", VFIO_USER_REGION_WRITE,
	    IO(0, CFG, 0, IO_LEN + 8), 0, EINVAL),
	BAD("REGION_READ with data", VFIO_USER_REGION_READ,
	    IO(0, CFG, 4, IO_LEN + 4), 0, EINVAL),
	BAD("REGION_READ cut short", VFIO_USER_REGION_READ,
	    IO(0, CFG, 4, IO_LEN - 4), 0, EINVAL),
	BAD("REGION_READ over max_data_xfer_size", VFIO_USER_REGION_READ,
	    IO(0, BAR0, VFU_SERVER_MAX_XFER + 8, IO_LEN), 0, EINVAL),
	BAD("DMA_MAP cut short", VFIO_USER_DMA_MAP,
	    CUT(struct vfio_user_dma_map, 16, .argsz = 32, .flags = RW,
		.addr = IOVA, .size = MEM_SIZE), 0, EINVAL),
	BAD("DMA_UNMAP cut short", VFIO_USER_DMA_UNMAP,
	    CUT(struct vfio_user_dma_unmap, 16, .argsz = 24, .addr = IOVA,
		.size = MEM_SIZE), 0, EINVAL),
	BAD("DEVICE_GET_INFO cut short", VFIO_USER_DEVICE_GET_INFO,
	    CUT(struct vfio_user_device_info, 8, .argsz = 16), 0, EINVAL),
	BAD("GET_REGION_INFO cut short", VFIO_USER_DEVICE_GET_REGION_INFO,
	    CUT(struct vfio_region_info, 16, .argsz = 32, .index = BAR0), 0,
	    EINVAL),
	BAD("GET_REGION_INFO argsz 16", VFIO_USER_DEVICE_GET_REGION_INFO,
	    PAYLOAD(struct vfio_region_info, .argsz = 16, .index = BAR0), 0,
	    EINVAL),
	BAD("GET_IRQ_INFO cut short", VFIO_USER_DEVICE_GET_IRQ_INFO,
	    CUT(struct vfio_irq_info, 8, .argsz = 16, .index = MSIX), 0, EINVAL),
	BAD("GET_IRQ_INFO argsz 8", VFIO_USER_DEVICE_GET_IRQ_INFO,
	    PAYLOAD(struct vfio_irq_info, .argsz = 8, .index = MSIX), 0, EINVAL),
	BAD("SET_IRQS cut short", VFIO_USER_DEVICE_SET_IRQS,
	    CUT(struct irq_set, 12, .argsz = 20, .flags = TRIG_NONE,
		.index = MSIX, .count = 1), 0, EINVAL),
	BAD("SET_IRQS argsz past the message", VFIO_USER_DEVICE_SET_IRQS,
	    CUT(struct irq_set, 20, .argsz = 24, .flags = TRIG_BOOL,
		.index = MSIX, .count = 4), 0, EINVAL),
	BAD("SET_IRQS argsz under its struct", VFIO_USER_DEVICE_SET_IRQS,
	    CUT(struct irq_set, 20, .argsz = 16, .flags = TRIG_NONE,
		.index = MSIX, .count = 1), 0, EINVAL),
	BAD("DEVICE_RESET with a payload", VFIO_USER_DEVICE_RESET, ZEROS(8), 0,
	    EINVAL),
	/* DMA maps that cannot be. */
	BAD("DMA_MAP neither readable nor writable", VFIO_USER_DMA_MAP,
	    MAP(0, IOVA, MEM_SIZE), 0, EINVAL),
	BAD("DMA_MAP unknown flag", VFIO_USER_DMA_MAP,
	    MAP(RW | 4, IOVA, MEM_SIZE), 0, EINVAL),
	BAD("DMA_MAP size 0", VFIO_USER_DMA_MAP, MAP(RW, IOVA, 0), 0, EINVAL),
	BAD("DMA_MAP address not page-aligned", VFIO_USER_DMA_MAP,
	    MAP(RW, IOVA + 0x800, MEM_SIZE), 0, EINVAL),
	BAD("DMA_MAP size not page-aligned", VFIO_USER_DMA_MAP,
	    MAP(RW, IOVA, 0x800), 0, EINVAL),
	BAD("DMA_MAP wrapping past 2^64", VFIO_USER_DMA_MAP,
	    MAP(RW, 0xfffffffffffff000ull, 0x2000), 0, EINVAL),
	BAD("DMA_MAP of an empty file (an eventfd)", VFIO_USER_DMA_MAP,
	    MAP(RW, IOVA, MEM_SIZE), 1, EINVAL),
	BAD("DMA_MAP with two fds", VFIO_USER_DMA_MAP, MAP(RW, IOVA, MEM_SIZE),
	    2, EINVAL),
	BAD("DMA_UNMAP all, with a range", VFIO_USER_DMA_UNMAP,
	    UNMAP(VFIO_DMA_UNMAP_FLAG_ALL, IOVA, MEM_SIZE), 0, EINVAL),
	BAD("DMA_UNMAP unknown flag", VFIO_USER_DMA_UNMAP,
	    UNMAP(2, IOVA, MEM_SIZE), 0, EINVAL),
	BAD("DMA_UNMAP size 0", VFIO_USER_DMA_UNMAP, UNMAP(0, IOVA, 0), 0,
	    EINVAL),
	BAD("DMA_UNMAP wrapping past 2^64", VFIO_USER_DMA_UNMAP,
	    UNMAP(0, 0xfffffffffffff000ull, 0x2000), 0, EINVAL),
	/* Region accesses out of bounds, misaligned, or of no region. */
	BAD("config read past the end", VFIO_USER_REGION_READ,
	    IO(RV_PCI_CFG_SIZE - 1, CFG, 2, IO_LEN), 0, EINVAL),
	BAD("config read at the end", VFIO_USER_REGION_READ,
	    IO(RV_PCI_CFG_SIZE, CFG, 1, IO_LEN), 0, EINVAL),
	BAD("config read of 0 bytes", VFIO_USER_REGION_READ,
	    IO(0, CFG, 0, IO_LEN), 0, EINVAL),
	BAD("BAR0 read at 2^64 - 8", VFIO_USER_REGION_READ,
	    IO(0xfffffffffffffff8ull, BAR0, 8, IO_LEN), 0, EINVAL),
	BAD("BAR0 read at its end", VFIO_USER_REGION_READ,
	    IO(RV_MODEL_BAR0_SIZE, BAR0, 8, IO_LEN), 0, EINVAL),
	BAD("BAR0 read of all 1 MiB at once", VFIO_USER_REGION_READ,
	    IO(0, BAR0, RV_MODEL_BAR0_SIZE, IO_LEN), 0, EINVAL),
	BAD("BAR0 8-byte write at offset 4", VFIO_USER_REGION_WRITE,
	    IO(RV_AMU_CR + 4, BAR0, 8, IO_LEN + 8), 0, EINVAL),
	BAD("BAR0 4-byte write", VFIO_USER_REGION_WRITE,
	    IO(RV_AMU_CR, BAR0, 4, IO_LEN + 4), 0, EINVAL),
	BAD("BAR0 2-byte read", VFIO_USER_REGION_READ, IO(0, BAR0, 2, IO_LEN), 0,
	    EINVAL),
	BAD("BAR0 4-byte read at offset 2", VFIO_USER_REGION_READ,
	    IO(2, BAR0, 4, IO_LEN), 0, EINVAL),
	BAD("read of region 9", VFIO_USER_REGION_READ, IO(0, 9, 4, IO_LEN), 0,
	    EINVAL),
	BAD("read of region 0xffffffff", VFIO_USER_REGION_READ,
	    IO(0, 0xffffffff, 4, IO_LEN), 0, EINVAL),
	BAD("read of BAR2, which the device has not", VFIO_USER_REGION_READ,
	    IO(0, VFIO_PCI_BAR2_REGION_INDEX, 4, IO_LEN), 0, EINVAL),
	BAD("region info of region 9", VFIO_USER_DEVICE_GET_REGION_INFO,
	    PAYLOAD(struct vfio_region_info, .argsz = 32, .index = 9), 0,
	    EINVAL),
	/* Interrupt indexes and ranges. */
	BAD("IRQ info of index 5", VFIO_USER_DEVICE_GET_IRQ_INFO,
	    PAYLOAD(struct vfio_irq_info, .argsz = 16,
		    .index = VFIO_PCI_NUM_IRQS), 0, EINVAL),
	BAD("SET_IRQS of index 5", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_NONE, VFIO_PCI_NUM_IRQS, 0, 1), 0, EINVAL),
	BAD("SET_IRQS start 6 count 3", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_NONE, MSIX, 6, 3), 0, EINVAL),
	BAD("SET_IRQS start 8 count 1", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_NONE, MSIX, 8, 1), 0, EINVAL),
	BAD("SET_IRQS start + count wrapping", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_NONE, MSIX, 0xffffffff, 2), 0, EINVAL),
	BAD("SET_IRQS bools missing", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_BOOL, MSIX, 0, 2), 0, EINVAL),
	BAD("SET_IRQS two data types", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_NONE | VFIO_IRQ_SET_DATA_BOOL, MSIX, 0, 1), 0, EINVAL),
	BAD("SET_IRQS mask action", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, MSIX, 0, 1),
	    0, EINVAL),
	/* Too many fds, too few, and fds where none belong. */
	BAD("SET_IRQS with 9 eventfds", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_EVENTFD, MSIX, 0, 8), 9, E2BIG),
	BAD("SET_IRQS count 8 with 3 eventfds", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_EVENTFD, MSIX, 0, 8), 3, EINVAL),
	BAD("SET_IRQS DATA_NONE with an fd", VFIO_USER_DEVICE_SET_IRQS,
	    IRQS(TRIG_NONE, MSIX, 0, 1), 1, EINVAL),
	BAD("DEVICE_GET_INFO with 3 fds", VFIO_USER_DEVICE_GET_INFO,
	    PAYLOAD(struct vfio_user_device_info, .argsz = 16), 3, EINVAL),
	BAD("REGION_READ with an fd", VFIO_USER_REGION_READ,
	    IO(0, CFG, 4, IO_LEN), 1, EINVAL),
	BAD("DMA_UNMAP with an fd", VFIO_USER_DMA_UNMAP,
	    UNMAP(0, IOVA, MEM_SIZE), 1, EINVAL),
	BAD("DEVICE_RESET with an fd", VFIO_USER_DEVICE_RESET, ZEROS(0), 1,
	    EINVAL),
	/* A second VERSION: the stream is not to be trusted. */
	{ "VERSION again", VFIO_USER_VERSION,
	  CUT(struct vfio_user_version, 4, .minor = VFIO_USER_MINOR), 0,
	  ENOTSUP, "(the client's VERSION is not one the server speaks)" },
};

#define N_BAD	(sizeof(bad_inputs) / sizeof(bad_inputs[0]))

/*
 * One bad input on a negotiated connection: its error reply, then the
 * connection goes on (or is ended, as the entry says), the fds that came
 * with it are closed, and the next client is served.
 */
static void test_bad_input(void **state)
{
	const struct bad_input *b = *state;
	struct server *s = &srv_mmap;
	struct client *c = client_open(s);
	unsigned int fds = proc_fds(s->pid);
	int ev[VFU_MSG_MAX_FDS + 1];

	eventfds(ev, b->nfds);
	assert_int_equal(rpc_fds(c, b->command, b->payload, b->len, ev, b->nfds,
				 NULL), b->err);
	close_fds(ev, b->nfds);
	if (b->closes) {
		closed_then_served(c, b->closes);
		return;
	}
	/* Its fds went when it was refused: before the next reply. */
	device_info_ok(c);
	assert_int_equal(proc_fds(s->pid), fds);
	still_served(c);
}

/* msg_size under the header's own 16 bytes: the stream is lost. */
static void test_bad_short_header(void **state)
{
	static const uint32_t sizes[] = { 0, HDR - 1 };

	for (unsigned int i = 0; i < 2; i++) {
		struct client *c = client_open(*state);
		struct vfio_user_header h = {
			.msg_id = 1, .command = VFIO_USER_DEVICE_GET_INFO,
			.msg_size = sizes[i],
		};

		send_all(c, &h, sizeof(h), NULL, 0);
		closed_then_served(c, "(a message shorter than its header)");
	}
}

/*
 * A message over the server's limit, sent whole: read, dropped and
 * refused with EMSGSIZE, and the stream still in step. At the limit, a
 * message is taken (and this one refused on its merits).
 */
static void test_bad_oversize(void **state)
{
	struct client *c = client_open(*state);
	size_t len = VFU_SERVER_MAX_MSG + 1 - HDR;
	struct region_io *w = calloc(1, len);
	uint16_t id;

	assert_non_null(w);
	w->region = CFG;
	w->count = (uint32_t)(len - IO_LEN);
	id = send_cmd(c, VFIO_USER_REGION_WRITE, 0, w, len, NULL, 0);
	assert_int_equal(await_reply(c, id, VFIO_USER_REGION_WRITE, NULL),
			 EMSGSIZE);
	assert_int_equal(region_rw(c, CFG, 0, w, VFU_SERVER_MAX_XFER, true),
			 EINVAL);
	free(w);
	still_served(c);
}

/* Maps over maps: EEXIST; next to one: fine. */
static void test_bad_dma_overlap(void **state)
{
	static const struct { uint64_t iova, size; int err; } maps[] = {
		{ IOVA, MEM_SIZE, EEXIST },
		{ IOVA + 0x1000, 0x1000, EEXIST },
		{ IOVA - 0x1000, 0x2000, EEXIST },
		{ IOVA + MEM_SIZE - 0x1000, 0x2000, EEXIST },
		{ IOVA - 0x1000, MEM_SIZE + 0x2000, EEXIST },
		{ IOVA - 0x1000, 0x1000, 0 },
		{ IOVA + MEM_SIZE, 0x1000, 0 },
	};

	for (unsigned int i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct client *c = client_open(*state);

		assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, -1), 0);
		assert_int_equal(dma_map(c, maps[i].iova, maps[i].size, 0, -1),
				 maps[i].err);
		still_served(c);
	}
}

/* An fd's offset and size must lie inside its file. */
static void test_bad_dma_beyond_file(void **state)
{
	static const struct { uint64_t offset, size; } maps[] = {
		{ 0, 2 * MEM_SIZE },
		{ MEM_SIZE / 2, MEM_SIZE },
		{ MEM_SIZE, 0x1000 },
		{ 2 * MEM_SIZE, 0x1000 },
		{ 0xfffffffffffff000ull, 0x2000 },
	};
	struct mem m;

	mem_new(&m);
	for (unsigned int i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct client *c = client_open(*state);
		unsigned int fds = proc_fds(c->srv->pid);

		assert_int_equal(dma_map(c, IOVA, maps[i].size, maps[i].offset,
					 m.fd), EINVAL);
		device_info_ok(c);
		assert_int_equal(proc_fds(c->srv->pid), fds);
		still_served(c);
	}
	mem_free(&m);
}

/* Anything but VERSION first: refused, and the connection ended. */
static void test_bad_before_version(void **state)
{
	static const uint16_t commands[] = {
		VFIO_USER_DEVICE_GET_INFO, VFIO_USER_REGION_READ,
		VFIO_USER_DMA_MAP,
	};

	for (unsigned int i = 0; i < 3; i++) {
		struct client *c = client_connect(*state);

		c->left = left_lines(c->srv, 0, NULL, 0);
		assert_int_equal(rpc(c, commands[i], zeros, 32, NULL), EINVAL);
		closed_then_served(c, "(the client did not start with VERSION)");
	}
}

/* VERSION the server cannot take: an error reply, and the end. */
static void test_bad_version(void **state)
{
	static const struct {
		uint16_t major;
		const char *json;
		size_t len;	/* 0: strlen + 1 */
		int err;
	} bad[] = {
		{ 1, "", 1, ENOTSUP },
		{ 0xffff, NULL, 0, ENOTSUP },
		{ 0, "{\"capabilities\":{}}", 19, EINVAL },	/* no NUL */
		{ 0, "{", 0, EINVAL },
		{ 0, "[]", 0, EINVAL },
		{ 0, "{} x", 0, EINVAL },
		{ 0, "{\"capabilities\":{\"max_msg_fds\":4294967296}}", 0,
		  EINVAL },
		{ 0, "{\"capabilities\":{\"max_msg_fds\":-1}}", 0, EINVAL },
		{ 0, "{\"capabilities\":{\"pgsizes\":\"4k\"}}", 0, EINVAL },
		{ 0, "{\"capabilities\":{\"max_dma_maps\":4294967296}}", 0,
		  EINVAL },
		{ 0, "{\"a\":[[[[[[[[[[[[]]]]]]]]]]]]}", 0, EINVAL },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct client *c = client_connect(*state);
		size_t len = bad[i].len ? bad[i].len :
			     bad[i].json ? strlen(bad[i].json) + 1 : 0;

		c->left = left_lines(c->srv, 0, NULL, 0);
		assert_int_equal(version(c, bad[i].major, VFIO_USER_MINOR,
					 bad[i].json, len, NULL), bad[i].err);
		closed_then_served(c, bad[i].err == ENOTSUP ?
				   "(the client's VERSION is not one" :
				   "(the client's VERSION capabilities");
	}
	/* Shorter than its major and minor. */
	struct client *c = client_connect(*state);

	c->left = left_lines(c->srv, 0, NULL, 0);
	assert_int_equal(rpc(c, VFIO_USER_VERSION, zeros, 2, NULL), ENOTSUP);
	closed_then_served(c, "(the client's VERSION is not one");
}

/*
 * A reply to nothing the server asked is dropped, and a bad command with
 * No_reply gets no error reply: in both cases the next reply the client
 * gets is its next command's.
 */
static void test_stray_reply_and_no_reply(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_user_header h = {
		.msg_id = 77, .command = VFIO_USER_DMA_READ,
		.msg_size = HDR, .flags = VFIO_USER_F_TYPE_REPLY,
	};

	send_all(c, &h, sizeof(h), NULL, 0);
	send_cmd(c, 0xffff, VFIO_USER_F_NO_REPLY, zeros, 16, NULL, 0);
	still_served(c);
}

/* ---- the short --timeout: clients that stall ---- */

/* A message that stops half-way: the server gives up on it and closes. */
static void test_stalled_message(void **state)
{
	static const size_t sent[] = { HDR, HDR + 8 };

	for (unsigned int i = 0; i < 2; i++) {
		struct client *c = client_open(*state);
		uint8_t buf[HDR + sizeof(struct vfio_user_dma_map)] = { 0 };
		struct vfio_user_header h = {
			.msg_id = 9, .command = VFIO_USER_DMA_MAP,
			.msg_size = sizeof(buf),
		};

		memcpy(buf, &h, HDR);
		send_all(c, buf, sent[i], NULL, 0);
		closed_then_served(c, "(a message stopped half-way)");
	}
}

/*
 * A client that sends and never reads: 4 KiB config reads (the largest
 * read a region takes) until its socket is full. The server, its replies
 * unread, cannot send; it gives up after its timeout, and serves the next.
 */
static void test_client_stops_reading(void **state)
{
	struct server *s = *state;
	struct client *c = client_open(s);
	uint8_t req[HDR + IO_LEN], sink[65536];
	struct region_io rd = { .region = CFG, .count = RV_PCI_CFG_SIZE };
	unsigned int n = c->left;
	char line[512];
	uint64_t end;

	memcpy(req + HDR, &rd, IO_LEN);
	for (unsigned int sent = 0;; sent++) {
		struct vfio_user_header h = {
			.msg_id = ++c->id, .command = VFIO_USER_REGION_READ,
			.msg_size = sizeof(req),
		};
		ssize_t r;

		memcpy(req, &h, HDR);
		r = send(c->sock, req, sizeof(req), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* Full; or already dropped. */
			assert_true(errno == EAGAIN || errno == EPIPE ||
				    errno == ECONNRESET);
			break;
		}
		/* A small message goes whole or not at all. */
		assert_int_equal(r, sizeof(req));
		assert_true(sent < 1000000);
	}
	wait_left(s, n, line, sizeof(line));
	assert_non_null(strstr(line, "(the client stopped reading)"));
	/* What the server had sent is there, then the end. */
	end = now_ms() + DEADLINE_MS;
	for (;;) {
		struct pollfd p = { .fd = c->sock, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, left_ms(end)) != 1)
			fail_msg("the connection still open after %d ms",
				 DEADLINE_MS);
		r = recv(c->sock, sink, sizeof(sink), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			break;
		assert_true(r > 0 || errno == EAGAIN || errno == EINTR);
	}
	client_close(c);
	served_ok(s);
}

/*
 * A client that lent memory by message and then leaves the server's
 * DMA_READ unanswered. The server cannot act on the doorbell without the
 * reply, but it must not wait for it longer than its timeout: blocked in
 * a read of the socket, it would serve no one again, nor stop on SIGTERM.
 * It gives the client up and serves the next. The doorbell's write may
 * still be answered before the end.
 */
static void test_dma_unanswered(void **state)
{
	struct client *c = client_open(*state);
	struct region_io bell = { .offset = RV_MGT_WRITE_INDEX_TX0,
				  .region = BAR0, .count = 8, .data = { 1 } };
	unsigned int n = c->left;
	char line[512];
	uint16_t id;
	struct msg m;
	struct mem mem;

	mem_new(&mem);
	lend(c, mem.p);
	mgt_setup(c, mem.p, 0, RSP_OFF);
	memset(c->cmd_slot, 0, RV_MSG_SIZE);
	rv_msg_set(c->cmd_slot, RV_MSG_OPCODE, RV_OP_PF_PROBE);
	id = send_cmd(c, VFIO_USER_REGION_WRITE, 0, &bell, sizeof(bell), NULL,
		      0);
	assert_true(msg_recv(c, &m));
	assert_int_equal(m.hdr.command, VFIO_USER_DMA_READ);
	msg_free(&m);
	/* Not answered: the server's log says it gave up on the client. */
	wait_left(c->srv, n, line, sizeof(line));
	assert_non_null(strstr(line, "(the client did not answer a DMA "
				     "request)"));
	if (msg_recv(c, &m)) {
		assert_int_equal(m.hdr.msg_id, id);
		assert_int_equal(m.hdr.command, VFIO_USER_REGION_WRITE);
		msg_free(&m);
		expect_closed(c);
	}
	client_close(c);
	mem_free(&mem);
	served_ok(*state);
}

/*
 * A client that keeps sending commands while the server waits for its
 * DMA reply: the server holds a bounded number of them (each may be a
 * whole message), then gives the client up rather than hold more.
 */
static void test_dma_flooded(void **state)
{
	struct client *c = client_open(*state);
	struct region_io bell = { .offset = RV_MGT_WRITE_INDEX_TX0,
				  .region = BAR0, .count = 8, .data = { 1 } };
	struct vfio_user_device_info info = { .argsz = sizeof(info) };
	unsigned int n = c->left;
	char line[512];
	struct msg m;
	struct mem mem;

	mem_new(&mem);
	lend(c, mem.p);
	mgt_setup(c, mem.p, 0, RSP_OFF);
	memset(c->cmd_slot, 0, RV_MSG_SIZE);
	rv_msg_set(c->cmd_slot, RV_MSG_OPCODE, RV_OP_PF_PROBE);
	send_cmd(c, VFIO_USER_REGION_WRITE, 0, &bell, sizeof(bell), NULL, 0);
	assert_true(msg_recv(c, &m));
	assert_int_equal(m.hdr.command, VFIO_USER_DMA_READ);
	msg_free(&m);
	for (unsigned int i = 0; i <= VFU_SERVER_HELD; i++)
		send_cmd(c, VFIO_USER_DEVICE_GET_INFO, 0, &info, sizeof(info),
			 NULL, 0);
	wait_left(c->srv, n, line, sizeof(line));
	assert_non_null(strstr(line, "(the client did not answer a DMA "
				     "request)"));
	client_close(c);
	mem_free(&mem);
	served_ok(*state);
}

/* ---- 9. what the server holds after it all ---- */

static void test_bounded(void **state)
{
	struct server *s = *state;
	struct client *c = client_open(s);
	unsigned long hwm = proc_status_kb(s->pid, "VmHWM:");

	/* Every client before this one has left, and left nothing behind. */
	assert_int_equal(proc_fds(s->pid), s->fds);
	assert_false(proc_has(s->pid, "maps", "vfutest-dma"));
	print_message("server VmHWM %lu kB (bound %u kB)\n", hwm, HWM_BOUND_KB);
	if (hwm > HWM_BOUND_KB)
		fail_msg("the server's VmHWM is %lu kB, over %u kB", hwm,
			 HWM_BOUND_KB);
	client_leave(c, NULL, 0);
}

/* ---- 10. no file descriptors (--no-fds) ---- */

/* The server says it takes none. */
static void test_nofds_version(void **state)
{
	struct client *c = client_open(*state);

	assert_int_equal(c->caps.max_msg_fds, 0);
	device_info_ok(c);
	client_leave(c, NULL, 0);
}

/* The lines are there, but no eventfd can be given for them. */
static void test_nofds_irq_info(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_irq_info info;

	assert_int_equal(irq_info(c, MSIX, &info), 0);
	assert_int_equal(info.count, VFU_DEV_MSIX_COUNT);
	assert_int_equal(info.flags, VFIO_IRQ_INFO_NORESIZE);
	assert_int_equal(irq_info(c, VFIO_PCI_ERR_IRQ_INDEX, &info), 0);
	assert_int_equal(info.count, 1);
	assert_int_equal(info.flags, VFIO_IRQ_INFO_NORESIZE);
	client_leave(c, NULL, 0);
}

/*
 * A message with an fd is refused, whatever it is, and the fd is not kept
 * (test_bounded looks); the same messages without one are taken.
 */
static void test_nofds_refused(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_user_device_info info = { .argsz = sizeof(info) };
	int ev[2];
	struct mem m;

	mem_new(&m);
	eventfds(ev, 2);
	assert_int_equal(dma_map(c, IOVA, MEM_SIZE, 0, m.fd), EINVAL);
	assert_int_equal(set_irqs(c, TRIG_EVENTFD, 0, 2, NULL, ev, 2), EINVAL);
	assert_int_equal(rpc_fds(c, VFIO_USER_DEVICE_GET_INFO, &info,
				 sizeof(info), ev, 1, NULL), EINVAL);
	/* Lines without eventfds, triggers: nothing to refuse. */
	assert_int_equal(set_irqs(c, TRIG_EVENTFD, 0, 2, NULL, NULL, 0), 0);
	assert_int_equal(set_irqs(c, TRIG_NONE, 0, 1, NULL, NULL, 0), 0);
	assert_int_equal(ev_take(ev[0]), 0);
	lend(c, m.p);
	close_fds(ev, 2);
	mem_free(&m);
	still_served(c);
}

/* ---- 11. late replies (--reply-delay-us) ---- */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/*
 * Each reply comes no earlier than the delay after its request; two
 * commands sent together, their replies one delay apart at least.
 */
static void test_reply_delay(void **state)
{
	struct client *c = client_open(*state);
	struct vfio_user_device_info info = { .argsz = sizeof(info) };
	uint16_t id1, id2;
	uint64_t t0;

	t0 = now_ns();
	device_info_ok(c);
	assert_true(now_ns() - t0 >= REPLY_DELAY_NS);

	t0 = now_ns();
	id1 = send_cmd(c, VFIO_USER_DEVICE_GET_INFO, 0, &info, sizeof(info),
		       NULL, 0);
	id2 = send_cmd(c, VFIO_USER_DEVICE_GET_INFO, 0, &info, sizeof(info),
		       NULL, 0);
	assert_int_equal(await_reply(c, id1, VFIO_USER_DEVICE_GET_INFO, NULL),
			 0);
	assert_true(now_ns() - t0 >= REPLY_DELAY_NS);
	assert_int_equal(await_reply(c, id2, VFIO_USER_DEVICE_GET_INFO, NULL),
			 0);
	assert_true(now_ns() - t0 >= 2 * REPLY_DELAY_NS);
	client_leave(c, NULL, 0);
}

/*
 * A doorbell whose command the device fetches by DMA_READ: the delay is
 * the doorbell's reply's, after the DMA the server asked for meanwhile.
 */
static void test_reply_delay_dma(void **state)
{
	struct client *c = client_open(*state);
	struct region_io bell = { .offset = RV_MGT_WRITE_INDEX_TX0,
				  .region = BAR0, .count = 8, .data = { 1 } };
	uint16_t id;
	uint64_t t0;
	struct msg m;
	struct mem mem;

	mem_new(&mem);
	lend(c, mem.p);
	mgt_setup(c, mem.p, 0, RSP_OFF);
	memset(c->cmd_slot, 0, RV_MSG_SIZE);
	rv_msg_set(c->cmd_slot, RV_MSG_OPCODE, RV_OP_PF_PROBE);
	id = send_cmd(c, VFIO_USER_REGION_WRITE, 0, &bell, sizeof(bell), NULL,
		      0);
	c->cmd_w = 1;
	assert_true(msg_recv(c, &m));
	assert_int_equal(m.hdr.command, VFIO_USER_DMA_READ);
	t0 = now_ns();
	serve_dma(c, &m);
	msg_free(&m);
	assert_int_equal(await_reply(c, id, VFIO_USER_REGION_WRITE, NULL), 0);
	assert_true(now_ns() - t0 >= REPLY_DELAY_NS);
	take_probe(c);
	client_leave(c, NULL, 0);
	mem_free(&mem);
}

/* ---- the servers ---- */

static int server_start(struct server *s)
{
	char dir[] = "/tmp/vfutest.XXXXXX";
	const char *argv[8] = { VFU_SERVER, "--socket", s->sock };
	struct client *c;
	size_t n = 3;

	assert_non_null(mkdtemp(dir));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(s->sock, sizeof(s->sock), "%s/sock", dir);
	snprintf(s->log, sizeof(s->log), "%s/server.log", dir);
	for (size_t i = 0; i + 1 < sizeof(s->args) / sizeof(s->args[0]) &&
	     s->args[i]; i++)
		argv[n++] = s->args[i];
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (!s->pid) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
			      0600);

		/* Gone with the test, however it ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		execv(VFU_SERVER, (char *const *)argv);
		_exit(127);
	}
	/* Once it accepts: its descriptors with one client on. */
	c = client_open(s);
	s->fds = proc_fds(s->pid);
	client_leave(c, NULL, 0);
	return 0;
}

static int server_stop(struct server *s)
{
	uint64_t end = now_ms() + DEADLINE_MS;
	unsigned int pause = 1;
	int status;

	kill(s->pid, s->stop ? s->stop : SIGTERM);
	while (waitpid(s->pid, &status, WNOHANG) != s->pid) {
		if (!left_ms(end)) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			fail_msg("the server did not stop on %s",
				 strsignal(s->stop ? s->stop : SIGTERM));
		}
		pause_between_looks(&pause);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		server_died(s, status);
	/* Ended cleanly: its socket is gone with it. */
	if (!access(s->sock, F_OK))
		fail_msg("the server left its socket %s", s->sock);
	if (getenv("VFU_TEST_KEEP")) {
		print_message("server log kept: %s\n", s->log);
		return 0;
	}
	unlink(s->log);
	unlink(s->sock);
	rmdir(s->dir);
	return 0;
}

#define STARTER(srv) \
	static int start_##srv(void **state) \
	{ (void)state; return server_start(&srv); } \
	static int stop_##srv(void **state) \
	{ (void)state; return server_stop(&srv); }
STARTER(srv_mmap)
STARTER(srv_nommap)
STARTER(srv_nofds)
STARTER(srv_short)
STARTER(srv_delay)

#define T(f, srv)	{ #f, f, NULL, forget_clients, &srv }

int main(void)
{
	static const struct CMUnitTest first[] = {
		T(test_version, srv_mmap),
		T(test_device_info, srv_mmap),
		T(test_region_info, srv_mmap),
		T(test_irq_info, srv_mmap),
		T(test_client_takes_no_fds, srv_mmap),
		T(test_config_space, srv_mmap),
		T(test_probe_by_message, srv_mmap),
		T(test_probe_mapped, srv_mmap),
		T(test_probe_mapped_lent, srv_mmap),
		T(test_irqs, srv_mmap),
		T(test_irq_after_index, srv_mmap),
		T(test_unwritable_eventfd, srv_mmap),
		T(test_reset_and_unmap, srv_mmap),
		T(test_second_client, srv_mmap),
		T(test_bad_short_header, srv_mmap),
		T(test_bad_oversize, srv_mmap),
		T(test_bad_dma_overlap, srv_mmap),
		T(test_bad_dma_beyond_file, srv_mmap),
		T(test_bad_before_version, srv_mmap),
		T(test_bad_version, srv_mmap),
		T(test_stray_reply_and_no_reply, srv_mmap),
	};
	static const struct CMUnitTest nommap[] = {
		T(test_region_info_no_mmap, srv_nommap),
		T(test_probe_lent, srv_nommap),
		T(test_commands_during_dma, srv_nommap),
		T(test_bounded, srv_nommap),
	};
	static const struct CMUnitTest nofds[] = {
		T(test_nofds_version, srv_nofds),
		T(test_region_info_no_mmap, srv_nofds),
		T(test_nofds_irq_info, srv_nofds),
		T(test_nofds_refused, srv_nofds),
		T(test_probe_lent, srv_nofds),
		T(test_commands_during_dma, srv_nofds),
		T(test_bounded, srv_nofds),
	};
	static const struct CMUnitTest shorter[] = {
		T(test_stalled_message, srv_short),
		T(test_client_stops_reading, srv_short),
		T(test_dma_unanswered, srv_short),
		T(test_dma_flooded, srv_short),
		T(test_bounded, srv_short),
	};
	static const struct CMUnitTest delayed[] = {
		T(test_reply_delay, srv_delay),
		T(test_reply_delay_dma, srv_delay),
	};
	static struct CMUnitTest mmap_tests[sizeof(first) / sizeof(first[0]) +
					    N_BAD + 1];
	static char names[N_BAD][80];
	size_t n = 0;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		mmap_tests[n++] = first[i];
	for (size_t i = 0; i < N_BAD; i++) {
		snprintf(names[i], sizeof(names[i]), "bad input: %s",
			 bad_inputs[i].what);
		mmap_tests[n++] = (struct CMUnitTest){
			names[i], test_bad_input, NULL, forget_clients,
			(void *)&bad_inputs[i],
		};
	}
	mmap_tests[n++] = (struct CMUnitTest)T(test_bounded, srv_mmap);
	failed = _cmocka_run_group_tests("vfio-user server, BAR0 mappable",
					 mmap_tests, n, start_srv_mmap,
					 stop_srv_mmap);
	failed += cmocka_run_group_tests_name("vfio-user server, BAR0 by "
					      "message only", nommap,
					      start_srv_nommap, stop_srv_nommap);
	failed += cmocka_run_group_tests_name("vfio-user server, no file "
					      "descriptors", nofds,
					      start_srv_nofds, stop_srv_nofds);
	failed += cmocka_run_group_tests_name("vfio-user server, 300 ms "
					      "timeout", shorter,
					      start_srv_short, stop_srv_short);
	failed += cmocka_run_group_tests_name("vfio-user server, replies "
					      "200 ms late", delayed,
					      start_srv_delay, stop_srv_delay);
	return failed;
}
