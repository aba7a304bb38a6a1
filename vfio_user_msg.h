/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One vfio-user message in or out of a UNIX stream socket, with its file
 * descriptors (SCM_RIGHTS). The peer is untrusted: a message is taken
 * whole or not at all, its size and fd count are bounded by the caller,
 * and a peer that stops half-way through a message is given up on after
 * a timeout rather than waited for.
 */
#ifndef VFIO_USER_MSG_H
#define VFIO_USER_MSG_H

#include <stddef.h>

#include "vfio_user_proto.h"

/* Most file descriptors either end of this project takes in a message. */
#define VFU_MSG_MAX_FDS		16u

struct vfu_msg {
	struct vfio_user_header hdr;
	size_t len;			/* bytes in buf, header included */
	int fds[VFU_MSG_MAX_FDS];
	unsigned int nfds;
};

/*
 * Read one message into buf (cap bytes, at least a header's). Returns 0,
 * or an errno:
 *   ENOTCONN   the peer closed between messages;
 *   EPIPE      it closed inside one (or reset the connection);
 *   ETIMEDOUT  a message stopped arriving for timeout_ms;
 *   EBADMSG    msg_size is smaller than the header: the stream is lost;
 *   EMSGSIZE   msg_size is over cap: the message was read and dropped
 *              (msg->hdr says which), the stream is still in step;
 *   E2BIG      more fds than maxfds came with it: all were closed, the
 *              message was read, the stream is in step;
 *   or recvmsg()'s errno.
 * On 0, the caller owns msg->fds[0 .. msg->nfds) and closes them.
 */
int vfu_msg_recv(int sock, void *buf, size_t cap, struct vfu_msg *msg,
		 unsigned int maxfds, int timeout_ms);

/*
 * Write len bytes (a whole message) and nfds descriptors with its first
 * byte. 0, ETIMEDOUT when the peer stops reading for timeout_ms, EPIPE
 * when it is gone, or sendmsg()'s errno.
 */
int vfu_msg_send(int sock, const void *buf, size_t len, const int *fds,
		 unsigned int nfds, int timeout_ms);

/* "DMA_MAP" for a command's number, "unknown" for one the protocol lacks. */
const char *vfu_command_name(uint16_t command);

/* Close msg's descriptors (those the receiver did not take). */
void vfu_msg_close_fds(struct vfu_msg *msg);

#endif /* VFIO_USER_MSG_H */
