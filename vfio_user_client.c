// SPDX-License-Identifier: BSD-3-Clause
/*
 * The client's side of a vfio-user conversation: see vfio_user_client.h,
 * and QEMU's docs/interop/vfio-user.rst for every layout and rule cited.
 */
#define _GNU_SOURCE		/* eventfd flags, strerrordesc */
#include "vfio_user_client.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/*
 * The version data sent: our capabilities, padded with white space. A
 * server may write its own into the room the request left (QEMU's client
 * reads a reply no longer than its request), so the room is generous.
 */
#define VERSION_DATA_LEN	256
/* Replies carry at most one fd: a region's, to mmap. */
#define REPLY_MAX_FDS		1u

static void why(struct vfu_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why(struct vfu_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* The conversation is over: later calls fail at once with err. */
static int lose(struct vfu_client *c, int err)
{
	if (!__atomic_load_n(&c->lost, __ATOMIC_RELAXED))
		__atomic_store_n(&c->lost, err, __ATOMIC_RELEASE);
	return err;
}

int vfu_client_broke(struct vfu_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return lose(c, EPROTO);
}

void vfu_client_why(struct vfu_client *c, char *buf, size_t len)
{
	pthread_mutex_lock(&c->lock);
	snprintf(buf, len, "%s", c->why);
	pthread_mutex_unlock(&c->lock);
}

int vfu_client_lost(const struct vfu_client *c)
{
	return __atomic_load_n(&c->lost, __ATOMIC_ACQUIRE);
}

static uint8_t *payload(uint8_t *buf)
{
	return buf + sizeof(struct vfio_user_header);
}

static size_t payload_len(const struct vfu_msg *msg)
{
	return msg->len - sizeof(struct vfio_user_header);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the server's requests: DMA by message ---- */

/* The memory of [iova, iova + len), wholly inside one range, or NULL. */
static uint8_t *dma_at(struct vfu_client *c, uint64_t iova, uint64_t len)
{
	for (unsigned int i = 0; i < VFU_CLIENT_MAX_DMA; i++) {
		const struct vfu_client_dma *d = &c->dma[i];

		if (d->size && iova >= d->iova && iova - d->iova < d->size &&
		    len <= d->size - (iova - d->iova))
			return d->vaddr + (iova - d->iova);
	}
	return NULL;
}

/* Send the answer built in c->ans (payload len bytes) to the request. */
static int answer(struct vfu_client *c, const struct vfu_msg *rq, int err,
		  size_t len)
{
	struct vfio_user_header *h = (void *)c->ans;
	int serr;

	if (rq->hdr.flags & VFIO_USER_F_NO_REPLY)
		return 0;
	if (err)
		len = 0;
	*h = (struct vfio_user_header){
		.msg_id = rq->hdr.msg_id, .command = rq->hdr.command,
		.msg_size = (uint32_t)(sizeof(*h) + len),
		.flags = VFIO_USER_F_TYPE_REPLY | (err ? VFIO_USER_F_ERROR : 0),
		.error_reply = (uint32_t)err,
	};
	serr = vfu_msg_send(c->sock, c->ans, sizeof(*h) + len, NULL, 0,
			    c->timeout_ms);
	if (serr) {
		why(c, "the server stopped taking messages (%s)",
		    strerror(serr));
		return lose(c, serr);
	}
	return 0;
}

/*
 * DMA_READ or DMA_WRITE: the range must lie in memory mapped without an
 * fd, and the count within what we said we take; else an error reply
 * (EFAULT, EINVAL), and the conversation goes on: the server asked
 * wrongly, which is its failure, not the transport's.
 */
static int serve_dma(struct vfu_client *c, uint8_t *buf,
		     const struct vfu_msg *rq)
{
	const struct vfio_user_dma_access *a = (const void *)payload(buf);
	struct vfio_user_dma_access *r = (void *)payload(c->ans);
	bool write = rq->hdr.command == VFIO_USER_DMA_WRITE;
	size_t n = payload_len(rq);
	uint8_t *mem;

	if (n < sizeof(*a) || a->count > VFU_CLIENT_MAX_XFER ||
	    n != sizeof(*a) + (write ? a->count : 0))
		return answer(c, rq, EINVAL, 0);
	mem = dma_at(c, a->addr, a->count);
	if (!mem)
		return answer(c, rq, EFAULT, 0);
	c->served++;
	*r = (struct vfio_user_dma_access){ .addr = a->addr,
					    .count = a->count };
	if (write) {
		memcpy(mem, a->data, a->count);
		return answer(c, rq, 0, VFIO_USER_DMA_WRITE_REPLY_SIZE);
	}
	memcpy(r->data, mem, a->count);
	return answer(c, rq, 0, sizeof(*r) + a->count);
}

/* A command from the server: only DMA's are the server's to send. */
static int serve(struct vfu_client *c, uint8_t *buf, struct vfu_msg *rq)
{
	vfu_msg_close_fds(rq);
	switch (rq->hdr.command) {
	case VFIO_USER_DMA_READ:
	case VFIO_USER_DMA_WRITE:
		return serve_dma(c, buf, rq);
	default:
		return answer(c, rq, EINVAL, 0);
	}
}

/* ---- one message in ---- */

/*
 * Read the next message within timeout_ms: 0, or an errno that ended the
 * conversation, with c->why.
 */
static int receive(struct vfu_client *c, struct vfu_msg *msg, int timeout_ms)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN };
	int n, err;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		why(c, "the server did not answer within %d ms", c->timeout_ms);
		return lose(c, ETIMEDOUT);
	}
	err = n < 0 ? errno : vfu_msg_recv(c->sock, c->rx, VFU_CLIENT_MAX_MSG,
					   msg, REPLY_MAX_FDS, c->timeout_ms);
	switch (err) {
	case 0:
		return 0;
	case ENOTCONN:
	case EPIPE:
		why(c, "the server closed the connection");
		break;
	case ETIMEDOUT:
		why(c, "the server stopped half-way through a message");
		break;
	case EBADMSG:
		why(c, "the server sent a message shorter than its header");
		err = EPROTO;
		break;
	case EMSGSIZE:
		why(c, "the server sent a %s of %u bytes, over the %u the client takes",
		    vfu_command_name(msg->hdr.command), msg->hdr.msg_size,
		    VFU_CLIENT_MAX_MSG);
		err = EPROTO;
		break;
	case E2BIG:
		why(c, "the server sent a %s with more fds than the %u the client takes",
		    vfu_command_name(msg->hdr.command), REPLY_MAX_FDS);
		err = EPROTO;
		break;
	default:
		why(c, "reading from the socket failed (%s)", strerror(err));
		break;
	}
	return lose(c, err);
}

/* ---- calls ---- */

static int send_command(struct vfu_client *c, uint16_t command,
			const void *req, size_t len, const int *fds,
			unsigned int nfds)
{
	struct vfio_user_header *h = (void *)c->tx;
	int err;

	if (len > VFU_CLIENT_MAX_MSG - sizeof(*h))
		return EINVAL;
	*h = (struct vfio_user_header){
		.msg_id = ++c->next_id, .command = command,
		.msg_size = (uint32_t)(sizeof(*h) + len),
		.flags = VFIO_USER_F_TYPE_COMMAND,
	};
	if (len)
		memcpy(payload(c->tx), req, len);
	if (command < sizeof(c->sent) / sizeof(c->sent[0]))
		c->sent[command]++;
	err = vfu_msg_send(c->sock, c->tx, sizeof(*h) + len, fds, nfds,
			   c->timeout_ms);
	if (!err)
		return 0;
	if (err == EPIPE)
		why(c, "the server closed the connection");
	else if (err == ETIMEDOUT)
		why(c, "the server stopped taking messages for %d ms",
		    c->timeout_ms);
	else
		why(c, "sending %s failed (%s)", vfu_command_name(command),
		    strerror(err));
	return lose(c, err);
}

/* The reply msg to our last command: its id, command and error checked. */
static int check_reply(struct vfu_client *c, uint16_t command,
		       struct vfu_msg *msg)
{
	const struct vfio_user_header *h = &msg->hdr;

	if (h->msg_id != c->next_id || h->command != command) {
		vfu_msg_close_fds(msg);
		why(c, "the server answered %s (id %u) with a reply to %s (id %u)",
		    vfu_command_name(command), c->next_id,
		    vfu_command_name(h->command), h->msg_id);
		return lose(c, EPROTO);
	}
	if (!(h->flags & VFIO_USER_F_ERROR))
		return 0;
	vfu_msg_close_fds(msg);
	/* An errno a Linux peer could mean; anything else is EIO. */
	if (!h->error_reply || h->error_reply > 4095) {
		why(c, "the server refused %s with error %u, which is no errno",
		    vfu_command_name(command), h->error_reply);
		return EIO;
	}
	why(c, "the server refused %s (%s)", vfu_command_name(command),
	    strerror((int)h->error_reply));
	return (int)h->error_reply;
}

/* Read until the reply to our last command, serving the server's own. */
static int await_reply(struct vfu_client *c, uint16_t command,
		       struct vfu_msg *msg)
{
	int64_t end = now_ms() + c->timeout_ms;

	for (;;) {
		int64_t left = end - now_ms();
		int err = receive(c, msg, left > 0 ? (int)left : 0);

		if (err)
			return err;
		if ((msg->hdr.flags & VFIO_USER_F_TYPE_MASK) ==
		    VFIO_USER_F_TYPE_REPLY)
			return check_reply(c, command, msg);
		err = serve(c, c->rx, msg);
		if (err)
			return err;
	}
}

static int call_locked(struct vfu_client *c, uint16_t command, const void *req,
		       size_t len, const int *fds, unsigned int nfds,
		       void *rep, size_t cap, size_t *rep_len, int *rep_fd)
{
	struct vfu_msg msg;
	int err = vfu_client_lost(c);

	/* Once lost, c->why keeps saying what ended it. */
	if (err)
		return err;
	c->why[0] = '\0';
	err = send_command(c, command, req, len, fds, nfds);
	if (!err)
		err = await_reply(c, command, &msg);
	if (err)
		return err;
	if (payload_len(&msg) > cap) {
		vfu_msg_close_fds(&msg);
		why(c, "the server's reply to %s has %zu bytes, more than the %zu it may",
		    vfu_command_name(command), payload_len(&msg), cap);
		return lose(c, EPROTO);
	}
	memcpy(rep, payload(c->rx), payload_len(&msg));
	*rep_len = payload_len(&msg);
	if (rep_fd)
		*rep_fd = -1;
	if (rep_fd && msg.nfds) {
		*rep_fd = msg.fds[0];
		msg.nfds = 0;
	}
	vfu_msg_close_fds(&msg);
	return 0;
}

int vfu_client_call(struct vfu_client *c, uint16_t command, const void *req,
		    size_t len, const int *fds, unsigned int nfds, void *rep,
		    size_t cap, size_t *rep_len, int *rep_fd)
{
	int err;

	pthread_mutex_lock(&c->lock);
	err = call_locked(c, command, req, len, fds, nfds, rep, cap, rep_len,
			  rep_fd);
	pthread_mutex_unlock(&c->lock);
	return err;
}

/* ---- DMA ranges ---- */

int vfu_client_dma_add(struct vfu_client *c, uint64_t iova, uint64_t size,
		       void *vaddr)
{
	int err = ENOSPC;

	pthread_mutex_lock(&c->lock);
	for (unsigned int i = 0; i < VFU_CLIENT_MAX_DMA && err; i++) {
		if (c->dma[i].size)
			continue;
		c->dma[i] = (struct vfu_client_dma){ .iova = iova, .size = size,
						     .vaddr = vaddr };
		err = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return err;
}

void vfu_client_dma_remove(struct vfu_client *c, uint64_t iova, uint64_t size)
{
	pthread_mutex_lock(&c->lock);
	for (unsigned int i = 0; i < VFU_CLIENT_MAX_DMA; i++) {
		struct vfu_client_dma *d = &c->dma[i];

		if (d->size && d->iova >= iova && d->iova - iova < size)
			*d = (struct vfu_client_dma){ 0 };
	}
	pthread_mutex_unlock(&c->lock);
}

/* ---- the watcher ---- */

/*
 * Between calls, a message from the server is one of its DMA requests,
 * or the end of the connection; a reply here answers nothing asked.
 */
static void watch_one(struct vfu_client *c)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN };
	struct vfu_msg msg;

	/* A caller may have read what woke us, while we waited for the lock. */
	if (vfu_client_lost(c) || poll(&p, 1, 0) != 1)
		return;
	if (receive(c, &msg, 0))
		return;
	if ((msg.hdr.flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_REPLY) {
		vfu_msg_close_fds(&msg);
		why(c, "the server sent a reply (id %u) to nothing the client asked",
		    msg.hdr.msg_id);
		lose(c, EPROTO);
		return;
	}
	serve(c, c->rx, &msg);
}

static void *watcher(void *arg)
{
	struct vfu_client *c = arg;

	while (!vfu_client_lost(c)) {
		struct pollfd p[2] = {
			{ .fd = c->sock, .events = POLLIN },
			{ .fd = c->stop_fd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		pthread_mutex_lock(&c->lock);
		watch_one(c);
		pthread_mutex_unlock(&c->lock);
	}
	return NULL;
}

int vfu_client_watch(struct vfu_client *c)
{
	sigset_t all, old;
	int err;

	if (c->watching)
		return 0;
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (c->stop_fd < 0)
		return errno;
	/* Signals are the main thread's: its waits are what they stop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&c->watcher, NULL, watcher, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		close(c->stop_fd);
		c->stop_fd = -1;
		return err;
	}
	c->watching = true;
	return 0;
}

/* ---- open and close ---- */

static int connect_to(struct vfu_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		why(c, "the path is longer than the %zu bytes a UNIX socket's may be",
		    sizeof(sa.sun_path) - 1);
		return ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	strcpy(c->path, path);
	/* connect() says ECONNREFUSED of a file that is no socket at all. */
	if (!stat(path, &st) && !S_ISSOCK(st.st_mode)) {
		why(c, "not a socket");
		return ENOTSOCK;
	}
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0)
		return errno;
	if (!connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	err = errno;
	why(c, "connect failed");
	close(c->sock);
	c->sock = -1;
	return err;
}

/* The server's VERSION reply: a version we speak, and limits we can use. */
static int check_version(struct vfu_client *c, const uint8_t *rep, size_t len)
{
	const struct vfio_user_version *v = (const void *)rep;

	if (len < sizeof(*v)) {
		why(c, "the server's VERSION reply has %zu bytes, fewer than a version's 4",
		    len);
		return EPROTO;
	}
	if (v->major != VFIO_USER_MAJOR || v->minor > VFIO_USER_MINOR) {
		why(c, "the server speaks vfio-user %u.%u, this client %u.%u",
		    v->major, v->minor, VFIO_USER_MAJOR, VFIO_USER_MINOR);
		return EPROTONOSUPPORT;
	}
	c->minor = v->minor;
	vfu_caps_default(&c->server);
	if (len > sizeof(*v) &&
	    vfu_caps_parse(v->data, len - sizeof(*v), &c->server)) {
		why(c, "the server's VERSION capabilities are not valid JSON");
		return EPROTO;
	}
	/* A 64-bit register is one access: it cannot be split (spec 8.1). */
	if (c->server.max_data_xfer_size < sizeof(uint64_t)) {
		why(c, "the server takes %u bytes a transfer, fewer than a 64-bit register's 8",
		    c->server.max_data_xfer_size);
		return EPROTO;
	}
	return 0;
}

/* A version and its data, aligned for struct vfio_user_version. */
#define VERSION_MSG_LEN	(sizeof(struct vfio_user_version) + VERSION_DATA_LEN)

static int negotiate(struct vfu_client *c)
{
	/*
	 * No struct with the version first: a flexible array member not at
	 * the end is a GNU extension clang warns of.
	 */
	uint16_t rq[VERSION_MSG_LEN / 2], rep[VERSION_MSG_LEN / 2];
	struct vfio_user_version *v = (void *)rq;
	const struct vfu_caps ours = {
		.max_msg_fds = REPLY_MAX_FDS,
		.max_data_xfer_size = VFU_CLIENT_MAX_XFER,
		.max_dma_maps = VFU_CLIENT_MAX_DMA,
		.pgsizes = 4096,
	};
	size_t n, len;
	int err;

	*v = (struct vfio_user_version){ .major = VFIO_USER_MAJOR,
					 .minor = VFIO_USER_MINOR };
	n = vfu_caps_format(&ours, v->data, VERSION_DATA_LEN);
	/* The NUL last: white space before it is the JSON's own. */
	memset(v->data + n - 1, ' ', VERSION_DATA_LEN - n);
	v->data[VERSION_DATA_LEN - 1] = '\0';
	err = vfu_client_call(c, VFIO_USER_VERSION, rq, sizeof(rq), NULL, 0,
			      rep, sizeof(rep), &len, NULL);
	if (err)
		return err;
	return check_version(c, (const uint8_t *)rep, len);
}

int vfu_client_open(struct vfu_client *c, const char *path, int timeout_ms)
{
	int err;

	*c = (struct vfu_client){ .sock = -1, .stop_fd = -1,
				  .timeout_ms = timeout_ms };
	pthread_mutex_init(&c->lock, NULL);
	c->tx = malloc(VFU_CLIENT_MAX_MSG);
	c->rx = malloc(VFU_CLIENT_MAX_MSG);
	c->ans = malloc(VFU_CLIENT_MAX_MSG);
	if (!c->tx || !c->rx || !c->ans) {
		why(c, "no memory for the message buffers");
		err = ENOMEM;
	} else {
		err = connect_to(c, path);
	}
	if (!err)
		err = negotiate(c);
	return err;
}

void vfu_client_close(struct vfu_client *c)
{
	if (!c->tx && !c->rx && !c->ans && c->sock < 0)
		return;
	if (c->watching) {
		uint64_t one = 1;

		if (write(c->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(c->watcher, NULL);
		else
			pthread_detach(c->watcher);
		c->watching = false;
	}
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	c->stop_fd = -1;
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	free(c->tx);
	free(c->rx);
	free(c->ans);
	c->tx = c->rx = c->ans = NULL;
	pthread_mutex_destroy(&c->lock);
}
