// SPDX-License-Identifier: BSD-3-Clause
/* One vfio-user message in or out of a socket: see vfio_user_msg.h. */
#include "vfio_user_msg.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for more fds than anyone may send, to see that it was too many. */
#define CMSG_FDS	(VFU_MSG_MAX_FDS + 1)

/* Wait until sock can be read (or written); 0 or ETIMEDOUT. */
static int wait_for(int sock, short events, int timeout_ms)
{
	struct pollfd p = { .fd = sock, .events = events };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	return n ? 0 : ETIMEDOUT;
}

static const char *const command_names[] = {
	[VFIO_USER_VERSION] = "VERSION",
	[VFIO_USER_DMA_MAP] = "DMA_MAP",
	[VFIO_USER_DMA_UNMAP] = "DMA_UNMAP",
	[VFIO_USER_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
	[VFIO_USER_DEVICE_GET_REGION_INFO] = "DEVICE_GET_REGION_INFO",
	[VFIO_USER_DEVICE_GET_REGION_IO_FDS] = "DEVICE_GET_REGION_IO_FDS",
	[VFIO_USER_DEVICE_GET_IRQ_INFO] = "DEVICE_GET_IRQ_INFO",
	[VFIO_USER_DEVICE_SET_IRQS] = "DEVICE_SET_IRQS",
	[VFIO_USER_REGION_READ] = "REGION_READ",
	[VFIO_USER_REGION_WRITE] = "REGION_WRITE",
	[VFIO_USER_DMA_READ] = "DMA_READ",
	[VFIO_USER_DMA_WRITE] = "DMA_WRITE",
	[VFIO_USER_DEVICE_RESET] = "DEVICE_RESET",
	[VFIO_USER_REGION_WRITE_MULTI] = "REGION_WRITE_MULTI",
	[VFIO_USER_DEVICE_FEATURE] = "DEVICE_FEATURE",
	[VFIO_USER_MIG_DATA_READ] = "MIG_DATA_READ",
	[VFIO_USER_MIG_DATA_WRITE] = "MIG_DATA_WRITE",
};

const char *vfu_command_name(uint16_t c)
{
	if (c < sizeof(command_names) / sizeof(command_names[0]) &&
	    command_names[c])
		return command_names[c];
	return "unknown";
}

void vfu_msg_close_fds(struct vfu_msg *msg)
{
	for (unsigned int i = 0; i < msg->nfds; i++)
		close(msg->fds[i]);
	msg->nfds = 0;
}

/*
 * Take the descriptors of one recvmsg(): into msg while there is room for
 * them under maxfds, closed otherwise (*over then says so).
 */
static void take_fds(struct msghdr *mh, struct vfu_msg *msg,
		     unsigned int maxfds, bool *over)
{
	if (mh->msg_flags & MSG_CTRUNC)
		*over = true;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (msg->nfds < maxfds && msg->nfds < VFU_MSG_MAX_FDS)
				msg->fds[msg->nfds++] = fd;
			else {
				close(fd);
				*over = true;
			}
		}
	}
}

/*
 * Read exactly len bytes (dst NULL: read and drop them), taking any fds
 * that come along. first: nothing of this message has arrived yet, so a
 * close there is the end of the conversation, not of a message.
 */
static int read_bytes(int sock, uint8_t *dst, size_t len, struct vfu_msg *msg,
		      unsigned int maxfds, bool *over, bool first,
		      int timeout_ms)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(CMSG_FDS * sizeof(int))];
	} ctl;
	uint8_t sink[4096];

	while (len) {
		size_t want = dst ? len : (len < sizeof(sink) ? len : sizeof(sink));
		struct iovec iov = { .iov_base = dst ? dst : sink, .iov_len = want };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
		};
		ssize_t n;
		int err;

		if (!first && (err = wait_for(sock, POLLIN, timeout_ms)))
			return err;
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? EPIPE : errno;
		take_fds(&mh, msg, maxfds, over);
		if (n == 0)
			return first ? ENOTCONN : EPIPE;
		first = false;
		len -= (size_t)n;
		if (dst)
			dst += n;
	}
	return 0;
}

int vfu_msg_recv(int sock, void *buf, size_t cap, struct vfu_msg *msg,
		 unsigned int maxfds, int timeout_ms)
{
	struct vfio_user_header *h = buf;
	bool over = false;
	size_t rest;
	int err;

	*msg = (struct vfu_msg){ 0 };
	if (cap < sizeof(*h))
		return EINVAL;
	err = read_bytes(sock, buf, sizeof(*h), msg, maxfds, &over, true,
			 timeout_ms);
	if (err)
		goto fail;
	msg->hdr = *h;
	if (h->msg_size < sizeof(*h)) {
		err = EBADMSG;
		goto fail;
	}
	rest = h->msg_size - sizeof(*h);
	err = read_bytes(sock, h->msg_size > cap ? NULL : (uint8_t *)buf + sizeof(*h),
			 rest, msg, maxfds, &over, false, timeout_ms);
	if (err)
		goto fail;
	if (h->msg_size > cap)
		err = EMSGSIZE;
	else if (over)
		err = E2BIG;
	if (err)
		goto fail;
	msg->len = h->msg_size;
	return 0;
fail:
	vfu_msg_close_fds(msg);
	return err;
}

int vfu_msg_send(int sock, const void *buf, size_t len, const int *fds,
		 unsigned int nfds, int timeout_ms)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(VFU_MSG_MAX_FDS * sizeof(int))];
	} ctl;
	const uint8_t *p = buf;

	if (nfds > VFU_MSG_MAX_FDS)
		return EINVAL;
	while (len) {
		struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;
		int err;

		if (nfds) {
			struct cmsghdr *c;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		}
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((err = wait_for(sock, POLLOUT, timeout_ms)))
				return err;
			continue;
		}
		if (n < 0)
			return errno == ECONNRESET ? EPIPE : errno;
		nfds = 0;	/* they went with the first byte */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
