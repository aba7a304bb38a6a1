// SPDX-License-Identifier: BSD-3-Clause
/*
 * The vfio-user protocol, server side: see vfu_server.h, and QEMU's
 * docs/interop/vfio-user.rst for every layout and rule cited here.
 *
 * Implemented: VERSION, DMA_MAP and DMA_UNMAP (by range, and all), the
 * device, region and IRQ info, SET_IRQS (MSI-X eventfds, and triggers),
 * REGION_READ and REGION_WRITE, DEVICE_RESET; DMA_READ and DMA_WRITE to
 * the client for memory it mapped without an fd. Refused with ENOTSUP:
 * REGION_IO_FDS (the server offers no ioeventfds), REGION_WRITE_MULTI
 * (not offered in VERSION), DEVICE_FEATURE and migration (the device has
 * neither), and twin sockets (not offered: one socket carries both
 * directions, so the server keeps reading the client's commands while it
 * waits for its own DMA's reply, and answers them after it, in order).
 *
 * Without fds (--no-fds), the server's VERSION says max_msg_fds 0, and a
 * message that carries any is refused with EINVAL: the client maps its
 * memory without an fd (DMA by message), and BAR0 is offered by message
 * only, as it is to a client whose VERSION says it takes no fds.
 */
#include "vfu_server.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void lose(struct vfu_server *s, const char *why)
{
	if (!s->lost)
		s->lost_why = why;
	s->lost = true;
}

/* ---- replies ---- */

/*
 * A slow server (--reply-delay-us: an RTL simulation behind the device).
 * The stop signals stay blocked meanwhile, as everywhere outside the main
 * loop's ppoll(): one lands once this reply is out, the option's bound
 * keeping that wait short.
 */
static void reply_delay(const struct vfu_server *s)
{
	struct timespec due;

	if (!s->reply_delay_ns)
		return;
	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += (time_t)(s->reply_delay_ns / 1000000000u);
	due.tv_nsec += (long)(s->reply_delay_ns % 1000000000u);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	/* Absolute: a signal handled meanwhile does not stretch it. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) ==
	       EINTR)
		;
}

/*
 * The reply to msg: its header, then len bytes at s->tx + 16, and fd if
 * not -1. A command with No_reply gets none, error or not.
 */
static int reply(struct vfu_server *s, const struct vfu_msg *msg, int err,
		 size_t len, int fd)
{
	struct vfio_user_header *h = (void *)s->tx;
	int serr;

	if (s->verbose)
		fprintf(s->log, "revere-vfio-user-server: %s id %u: %s\n",
			vfu_command_name(msg->hdr.command), msg->hdr.msg_id,
			err ? strerror(err) : "done");
	if (msg->hdr.flags & VFIO_USER_F_NO_REPLY)
		return 0;
	reply_delay(s);
	if (err) {
		len = 0;
		fd = -1;
	}
	*h = (struct vfio_user_header){
		.msg_id = msg->hdr.msg_id, .command = msg->hdr.command,
		.msg_size = (uint32_t)(sizeof(*h) + len),
		.flags = VFIO_USER_F_TYPE_REPLY | (err ? VFIO_USER_F_ERROR : 0),
		.error_reply = (uint32_t)err,
	};
	serr = vfu_msg_send(s->sock, s->tx, sizeof(*h) + len, &fd, fd >= 0,
			    s->timeout_ms);
	if (serr)
		lose(s, serr == ETIMEDOUT ? "the client stopped reading" :
		     "the connection broke while replying");
	return serr;
}

/* The payload after the header, and its length. */
static uint8_t *payload(uint8_t *buf)
{
	return buf + sizeof(struct vfio_user_header);
}

static size_t payload_len(const struct vfu_msg *msg)
{
	return msg->len - sizeof(struct vfio_user_header);
}

/* ---- the commands ---- */

static int do_version(struct vfu_server *s, uint8_t *buf,
		      const struct vfu_msg *msg)
{
	struct vfio_user_version *rq = (void *)payload(buf), *rp;
	size_t n = payload_len(msg), data;
	struct vfu_caps ours = {
		.max_msg_fds = s->no_fds ? 0 : VFU_SERVER_MAX_FDS,
		.max_data_xfer_size = VFU_SERVER_MAX_XFER,
		.max_dma_maps = VFU_DEV_MAX_DMA_MAPS,
		.pgsizes = 4096,
	};

	if (s->negotiated || n < sizeof(*rq) || rq->major != VFIO_USER_MAJOR) {
		lose(s, "the client's VERSION is not one the server speaks");
		return reply(s, msg, ENOTSUP, 0, -1);
	}
	vfu_caps_default(&s->peer);
	if (n > sizeof(*rq) &&
	    vfu_caps_parse(rq->data, n - sizeof(*rq), &s->peer)) {
		lose(s, "the client's VERSION capabilities are not valid JSON");
		return reply(s, msg, EINVAL, 0, -1);
	}
	rp = (void *)payload(s->tx);
	rp->major = VFIO_USER_MAJOR;
	rp->minor = rq->minor < VFIO_USER_MINOR ? rq->minor : VFIO_USER_MINOR;
	/*
	 * QEMU's client reads the reply into its request's buffer: a reply
	 * longer than the request is not taken. Without room, the defaults
	 * stand, and the server's limits are at least those.
	 */
	data = n > sizeof(*rq) ?
	       vfu_caps_format(&ours, rp->data, n - sizeof(*rq)) : 0;
	s->negotiated = true;
	return reply(s, msg, 0, sizeof(*rp) + data, -1);
}

static int do_dma_map(struct vfu_server *s, uint8_t *buf, struct vfu_msg *msg)
{
	struct vfio_user_dma_map m;
	int fd = -1, err;

	if (payload_len(msg) < sizeof(m) || msg->nfds > 1)
		return reply(s, msg, EINVAL, 0, -1);
	memcpy(&m, payload(buf), sizeof(m));
	if (msg->nfds) {
		fd = msg->fds[0];
		msg->nfds = 0;
	}
	err = vfu_dev_dma_map(&s->dev, m.addr, m.size, m.flags, fd, m.offset);
	return reply(s, msg, err, 0, -1);
}

static int do_dma_unmap(struct vfu_server *s, uint8_t *buf,
			const struct vfu_msg *msg)
{
	struct vfio_user_dma_unmap u;
	int err;

	if (payload_len(msg) < sizeof(u) || msg->nfds)
		return reply(s, msg, EINVAL, 0, -1);
	memcpy(&u, payload(buf), sizeof(u));
	if (s->verbose)
		fprintf(s->log, "revere-vfio-user-server: DMA_UNMAP 0x%llx+0x%llx "
			"flags 0x%x\n", (unsigned long long)u.addr,
			(unsigned long long)u.size, u.flags);
	if (u.flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL ||
	    (u.flags && (u.addr || u.size)))
		return reply(s, msg, EINVAL, 0, -1);
	err = vfu_dev_dma_unmap(&s->dev, u.addr, u.size, u.flags != 0);
	/* The reply is the request's entry ("DMA_UNMAP"). */
	memcpy(payload(s->tx), &u, sizeof(u));
	return reply(s, msg, err, sizeof(u), -1);
}

static int do_device_info(struct vfu_server *s, const struct vfu_msg *msg)
{
	struct vfio_user_device_info info = {
		.argsz = sizeof(info),
		.flags = VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI,
		.num_regions = VFIO_PCI_NUM_REGIONS,
		.num_irqs = VFIO_PCI_NUM_IRQS,
	};

	if (payload_len(msg) < sizeof(info) || msg->nfds)
		return reply(s, msg, EINVAL, 0, -1);
	memcpy(payload(s->tx), &info, sizeof(info));
	return reply(s, msg, 0, sizeof(info), -1);
}

static int do_region_info(struct vfu_server *s, uint8_t *buf,
			  const struct vfu_msg *msg)
{
	struct vfio_region_info info;
	int fd, err;

	if (payload_len(msg) < sizeof(info) || msg->nfds)
		return reply(s, msg, EINVAL, 0, -1);
	memcpy(&info, payload(buf), sizeof(info));
	if (info.argsz < sizeof(info))
		return reply(s, msg, EINVAL, 0, -1);
	err = vfu_dev_region_info(&s->dev, info.index, &info, &fd);
	/* A region the client cannot be given an fd for is by message only. */
	if (s->no_fds || !s->peer.max_msg_fds) {
		info.flags &= ~(uint32_t)VFIO_REGION_INFO_FLAG_MMAP;
		fd = -1;
	}
	memcpy(payload(s->tx), &info, sizeof(info));
	return reply(s, msg, err, sizeof(info), fd);
}

static int do_irq_info(struct vfu_server *s, uint8_t *buf,
		       const struct vfu_msg *msg)
{
	struct vfio_irq_info info;
	int err;

	if (payload_len(msg) < sizeof(info) || msg->nfds)
		return reply(s, msg, EINVAL, 0, -1);
	memcpy(&info, payload(buf), sizeof(info));
	if (info.argsz < sizeof(info))
		return reply(s, msg, EINVAL, 0, -1);
	err = vfu_dev_irq_info(&s->dev, &info);
	/*
	 * Without fds the lines are still there (MSI-X's count is config
	 * space's table size, which the client reads too), but no eventfd
	 * can reach the server: EVENTFD says one can ("the IRQ type can
	 * support server eventfd signalling" in the specification, "supports
	 * eventfd based signaling" in linux/vfio.h), so it goes. vfio-user
	 * has no interrupt message: such a client reads BAR0 to learn of the
	 * device's progress.
	 */
	if (s->no_fds)
		info.flags &= ~(uint32_t)VFIO_IRQ_INFO_EVENTFD;
	memcpy(payload(s->tx), &info, sizeof(info));
	return reply(s, msg, err, sizeof(info), -1);
}

static int do_set_irqs(struct vfu_server *s, uint8_t *buf, struct vfu_msg *msg)
{
	struct vfio_irq_set set;
	size_t n = payload_len(msg);
	unsigned int nfds = msg->nfds;
	int err;

	if (n < sizeof(set))
		return reply(s, msg, EINVAL, 0, -1);
	memcpy(&set, payload(buf), sizeof(set));
	if (set.argsz < sizeof(set) || set.argsz > n)
		return reply(s, msg, EINVAL, 0, -1);
	msg->nfds = 0;		/* vfu_dev_set_irqs() takes them */
	err = vfu_dev_set_irqs(&s->dev, &set, payload(buf) + sizeof(set),
			       set.argsz - sizeof(set), msg->fds, nfds);
	return reply(s, msg, err, 0, -1);
}

static int do_region_rw(struct vfu_server *s, uint8_t *buf,
			const struct vfu_msg *msg, bool write)
{
	struct vfio_user_region_access *rq = (void *)payload(buf);
	struct vfio_user_region_access *rp = (void *)payload(s->tx);
	size_t n = payload_len(msg);
	int err;

	if (n < sizeof(*rq) || msg->nfds || rq->count > VFU_SERVER_MAX_XFER ||
	    (write ? n - sizeof(*rq) != rq->count : n != sizeof(*rq)))
		return reply(s, msg, EINVAL, 0, -1);
	err = vfu_dev_region_rw(&s->dev, rq->region, rq->offset,
				write ? rq->data : rp->data, rq->count, write);
	*rp = *rq;
	return reply(s, msg, err, sizeof(*rp) + (write ? 0 : rq->count), -1);
}

static int do_reset(struct vfu_server *s, const struct vfu_msg *msg)
{
	if (payload_len(msg) || msg->nfds)
		return reply(s, msg, EINVAL, 0, -1);
	vfu_dev_reset(&s->dev);
	return reply(s, msg, 0, 0, -1);
}

static int dispatch(struct vfu_server *s, uint8_t *buf, struct vfu_msg *msg)
{
	uint16_t c = msg->hdr.command;

	/* Whatever the command: an fd is what this server does not take. */
	if (s->no_fds && msg->nfds)
		return reply(s, msg, EINVAL, 0, -1);
	if (c == VFIO_USER_VERSION)
		return do_version(s, buf, msg);
	if (!s->negotiated) {
		lose(s, "the client did not start with VERSION");
		return reply(s, msg, EINVAL, 0, -1);
	}
	switch (c) {
	case VFIO_USER_DMA_MAP:
		return do_dma_map(s, buf, msg);
	case VFIO_USER_DMA_UNMAP:
		return do_dma_unmap(s, buf, msg);
	case VFIO_USER_DEVICE_GET_INFO:
		return do_device_info(s, msg);
	case VFIO_USER_DEVICE_GET_REGION_INFO:
		return do_region_info(s, buf, msg);
	case VFIO_USER_DEVICE_GET_IRQ_INFO:
		return do_irq_info(s, buf, msg);
	case VFIO_USER_DEVICE_SET_IRQS:
		return do_set_irqs(s, buf, msg);
	case VFIO_USER_REGION_READ:
	case VFIO_USER_REGION_WRITE:
		return do_region_rw(s, buf, msg, c == VFIO_USER_REGION_WRITE);
	case VFIO_USER_DEVICE_RESET:
		return do_reset(s, msg);
	case VFIO_USER_DEVICE_GET_REGION_IO_FDS:
	case VFIO_USER_REGION_WRITE_MULTI:
	case VFIO_USER_DEVICE_FEATURE:
	case VFIO_USER_MIG_DATA_READ:
	case VFIO_USER_MIG_DATA_WRITE:
		return reply(s, msg, ENOTSUP, 0, -1);
	default:
		/* DMA_READ/WRITE go the other way; the rest do not exist. */
		return reply(s, msg, EINVAL, 0, -1);
	}
}

int vfu_server_handle(struct vfu_server *s, uint8_t *buf, struct vfu_msg *msg)
{
	int err;

	s->messages++;
	if ((msg->hdr.flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_COMMAND) {
		/* A reply to nothing the server asked (its DMA's are awaited). */
		if (s->verbose)
			fprintf(s->log, "revere-vfio-user-server: a reply (id %u) "
				"to nothing asked: ignored\n", msg->hdr.msg_id);
		vfu_msg_close_fds(msg);
		return 0;
	}
	err = dispatch(s, buf, msg);
	vfu_msg_close_fds(msg);		/* any the command did not take */
	if (!err && s->dev.dma_failed)
		lose(s, "a DMA by message to the client failed");
	return s->lost ? EPROTO : err;
}

/* ---- DMA by message, to the client ---- */

/* Keep a command that came while the server waited for its reply. */
static int hold(struct vfu_server *s, const uint8_t *buf, struct vfu_msg *msg)
{
	struct vfu_held *h;

	if (s->n_held == VFU_SERVER_HELD)
		return ENOBUFS;
	h = &s->held[s->n_held];
	h->buf = malloc(msg->len);
	if (!h->buf)
		return ENOMEM;
	memcpy(h->buf, buf, msg->len);
	h->msg = *msg;
	msg->nfds = 0;
	s->n_held++;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Wait until the socket has something, at most until end (now_ms()): 0 or
 * ETIMEDOUT. vfu_msg_recv() bounds only the rest of a message once its
 * first byte is in; the main loop polls before it, but a reply awaited
 * here has no poll before it, and a client that never sends one would
 * keep the server in recvmsg() for good, the stop signals blocked.
 */
static int wait_readable(int sock, int64_t end)
{
	for (;;) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int64_t left = end - now_ms();
		int n;

		if (left < 0)
			left = 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (!n)
			return ETIMEDOUT;
		if (errno != EINTR)
			return errno;
	}
}

/*
 * The reply to the request of id, the client's commands held meanwhile:
 * within the timeout of the request's sending, however many commands
 * come first (their number is bounded too, hold()).
 */
static int await_reply(struct vfu_server *s, uint16_t id, uint16_t command,
		       struct vfu_msg *msg)
{
	int64_t end = now_ms() + s->timeout_ms;

	for (;;) {
		int err = wait_readable(s->sock, end);

		if (!err)
			err = vfu_msg_recv(s->sock, s->dma, VFU_SERVER_MAX_MSG,
					   msg, VFU_SERVER_MAX_FDS,
					   s->timeout_ms);
		if (err)
			return err;
		if ((msg->hdr.flags & VFIO_USER_F_TYPE_MASK) ==
		    VFIO_USER_F_TYPE_COMMAND) {
			err = hold(s, s->dma, msg);
			vfu_msg_close_fds(msg);
			if (err)
				return err;
			continue;
		}
		vfu_msg_close_fds(msg);
		if (msg->hdr.msg_id != id || msg->hdr.command != command)
			return EPROTO;
		if (msg->hdr.flags & VFIO_USER_F_ERROR)
			return msg->hdr.error_reply ? (int)msg->hdr.error_reply :
						     EIO;
		return 0;
	}
}

/* One DMA_READ or DMA_WRITE of at most the client's transfer size. */
static int msg_dma_one(struct vfu_server *s, bool write, uint64_t iova,
		       void *buf, size_t len)
{
	struct vfio_user_header *h = (void *)s->dma;
	struct vfio_user_dma_access *a = (void *)payload(s->dma);
	uint16_t command = write ? VFIO_USER_DMA_WRITE : VFIO_USER_DMA_READ;
	size_t size = sizeof(*h) + sizeof(*a) + (write ? len : 0);
	struct vfu_msg msg;
	int err;

	*h = (struct vfio_user_header){ .msg_id = ++s->dma_id,
					.command = command,
					.msg_size = (uint32_t)size };
	*a = (struct vfio_user_dma_access){ .addr = iova, .count = len };
	if (write)
		memcpy(a->data, buf, len);
	err = vfu_msg_send(s->sock, s->dma, size, NULL, 0, s->timeout_ms);
	if (!err)
		err = await_reply(s, s->dma_id, command, &msg);
	if (err)
		return err;
	if (write)
		return payload_len(&msg) >= VFIO_USER_DMA_WRITE_REPLY_SIZE ?
		       0 : EPROTO;
	if (payload_len(&msg) != sizeof(*a) + len || a->addr != iova ||
	    a->count != len)
		return EPROTO;
	memcpy(buf, a->data, len);
	return 0;
}

static int msg_dma(void *server, bool write, uint64_t iova, void *buf,
		   size_t len)
{
	struct vfu_server *s = server;
	size_t max = s->peer.max_data_xfer_size < VFU_SERVER_MAX_XFER ?
		     s->peer.max_data_xfer_size : VFU_SERVER_MAX_XFER;
	uint8_t *p = buf;

	if (s->sock < 0 || s->lost)
		return ENOTCONN;
	while (len) {
		size_t n = len < max ? len : max;
		int err = msg_dma_one(s, write, iova, p, n);

		if (err) {
			lose(s, "the client did not answer a DMA request");
			return err;
		}
		iova += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- the connection ---- */

int vfu_server_init(struct vfu_server *s, bool bar0_mmap, int timeout_ms,
		    int verbose, FILE *log, FILE *trace)
{
	*s = (struct vfu_server){ .sock = -1, .timeout_ms = timeout_ms,
				  .verbose = verbose, .log = log };
	s->rx = malloc(VFU_SERVER_MAX_MSG);
	s->tx = malloc(VFU_SERVER_MAX_MSG);
	s->dma = malloc(VFU_SERVER_MAX_MSG);
	if (!s->rx || !s->tx || !s->dma) {
		free(s->rx);
		free(s->tx);
		free(s->dma);
		return ENOMEM;
	}
	return vfu_dev_init(&s->dev, bar0_mmap, msg_dma, s, log, trace);
}

static void drop_held(struct vfu_server *s)
{
	for (unsigned int i = 0; i < s->n_held; i++) {
		vfu_msg_close_fds(&s->held[i].msg);
		free(s->held[i].buf);
	}
	s->n_held = 0;
}

void vfu_server_attach(struct vfu_server *s, int sock)
{
	s->sock = sock;
	s->negotiated = false;
	s->lost = false;
	s->lost_why = NULL;
	s->messages = 0;
	vfu_caps_default(&s->peer);
	vfu_dev_open(&s->dev);
}

void vfu_server_detach(struct vfu_server *s, const char *why)
{
	char state[320];

	if (s->sock < 0)
		return;
	vfu_dev_state(&s->dev, state, sizeof(state));
	fprintf(s->log, "revere-vfio-user-server: client left (%s) after %llu "
		"messages; device state: %s\n", why,
		(unsigned long long)s->messages, state);
	fflush(s->log);
	drop_held(s);
	close(s->sock);
	s->sock = -1;
	vfu_dev_close(&s->dev);
}

bool vfu_server_pending(const struct vfu_server *s)
{
	return s->n_held != 0;
}

int vfu_server_service(struct vfu_server *s)
{
	struct vfu_msg msg;
	int err;

	if (s->n_held) {
		struct vfu_held h = s->held[0];

		memmove(&s->held[0], &s->held[1],
			--s->n_held * sizeof(s->held[0]));
		err = vfu_server_handle(s, h.buf, &h.msg);
		free(h.buf);
		return err;
	}
	err = vfu_msg_recv(s->sock, s->rx, VFU_SERVER_MAX_MSG, &msg,
			   VFU_SERVER_MAX_FDS, s->timeout_ms);
	switch (err) {
	case 0:
		return vfu_server_handle(s, s->rx, &msg);
	case EMSGSIZE:
	case E2BIG:
		/* Read whole and dropped: the stream is still in step. */
		msg.len = sizeof(msg.hdr);
		s->messages++;
		reply(s, &msg, err, 0, -1);
		return s->lost ? EPROTO : 0;
	case ENOTCONN:
		s->lost_why = "the client closed the connection";
		return err;
	case EBADMSG:
		s->lost_why = "a message shorter than its header";
		return err;
	case ETIMEDOUT:
		s->lost_why = "a message stopped half-way";
		return err;
	default:
		s->lost_why = "the connection broke";
		return err;
	}
}

void vfu_server_destroy(struct vfu_server *s)
{
	vfu_server_detach(s, "the server is stopping");
	vfu_dev_destroy(&s->dev);
	free(s->rx);
	free(s->tx);
	free(s->dma);
}
