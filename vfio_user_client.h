/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's side of a vfio-user conversation (QEMU's
 * docs/interop/vfio-user.rst): a UNIX socket to the process that serves
 * the device, the VERSION handshake, and one command at a time, each
 * waited for until its reply comes or --timeout passes.
 *
 * The server may send commands of its own on the same socket: DMA_READ
 * and DMA_WRITE, for memory the client mapped without an fd. Whoever
 * holds the conversation answers them: the caller waiting for a reply, or,
 * between calls, a thread of the client's (vfu_client_watch()), which
 * also notices when the server goes away while the driver only touches
 * shared memory.
 *
 * The server is untrusted: every reply is checked against what was asked
 * (id, command, size, fd count), and a reply that does not fit ends the
 * conversation; nothing the server says is used unchecked.
 */
#ifndef VFIO_USER_CLIENT_H
#define VFIO_USER_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio_user_caps.h"
#include "vfio_user_msg.h"

/*
 * The most data one message of ours carries, and so what the client
 * tells the server it takes in a DMA_READ or DMA_WRITE.
 */
#define VFU_CLIENT_MAX_XFER	(1u << 20)
#define VFU_CLIENT_MAX_MSG	(VFU_CLIENT_MAX_XFER + 64u)
/* Memory the server may reach by message, at most (the layer's slots). */
#define VFU_CLIENT_MAX_DMA	8u
#define VFU_CLIENT_WHY_LEN	256

/* A range of the client's memory the server reaches by DMA_READ/WRITE. */
struct vfu_client_dma {
	uint64_t iova;
	uint64_t size;		/* 0: slot unused */
	uint8_t *vaddr;
};

struct vfu_client {
	int sock;			/* -1: not connected */
	char path[108];			/* sun_path's size */
	int timeout_ms;
	struct vfu_caps server;		/* the server's, from VERSION */
	uint16_t minor;			/* the version agreed */

	/* One conversation at a time: the fields below are under it. */
	pthread_mutex_t lock;
	uint16_t next_id;
	uint8_t *tx, *rx, *ans;		/* VFU_CLIENT_MAX_MSG each */
	struct vfu_client_dma dma[VFU_CLIENT_MAX_DMA];
	char why[VFU_CLIENT_WHY_LEN];	/* the last failure, for messages */
	uint64_t sent[VFIO_USER_MIG_DATA_WRITE + 1];	/* commands, by number */
	uint64_t served;		/* DMA_READ and DMA_WRITE answered */

	/*
	 * 0, or the errno that ended the conversation (the server left,
	 * stopped answering, or broke the protocol): read without the lock.
	 */
	int lost;

	pthread_t watcher;
	bool watching;
	int stop_fd;			/* an eventfd: the watcher's end */
};

/*
 * Connect to the server at path and agree a version: 0, or an errno with
 * c->why saying what happened. vfu_client_close() either way.
 */
int vfu_client_open(struct vfu_client *c, const char *path, int timeout_ms);

/*
 * Send command with len bytes of payload (and nfds fds), wait for its
 * reply: its payload into rep (cap bytes; *rep_len its length), and its
 * fd, if one came and rep_fd is not NULL, into *rep_fd (else -1; an fd
 * that nobody asked for is closed). 0, the server's errno for an error
 * reply, or an errno of the conversation (ENOTCONN, ETIMEDOUT, EPROTO...),
 * each with c->why.
 */
int vfu_client_call(struct vfu_client *c, uint16_t command, const void *req,
		    size_t len, const int *fds, unsigned int nfds, void *rep,
		    size_t cap, size_t *rep_len, int *rep_fd);

/* Let the server reach [iova, iova + size) at vaddr by message, or not. */
int vfu_client_dma_add(struct vfu_client *c, uint64_t iova, uint64_t size,
		       void *vaddr);
void vfu_client_dma_remove(struct vfu_client *c, uint64_t iova,
			   uint64_t size);

/*
 * Start the thread that answers the server between calls and notices
 * when it leaves. 0 or an errno. Idempotent.
 */
int vfu_client_watch(struct vfu_client *c);

/*
 * The server's reply broke the protocol in a way only the caller could
 * see (fmt says how): the conversation is over. Returns EPROTO.
 */
int vfu_client_broke(struct vfu_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What the last failure was, in a few words, into buf ("" none). */
void vfu_client_why(struct vfu_client *c, char *buf, size_t len);

/* 0 while the server can be reached, else the errno that ended it. */
int vfu_client_lost(const struct vfu_client *c);

/* The thread stopped, the socket closed, the buffers freed. */
void vfu_client_close(struct vfu_client *c);

#endif /* VFIO_USER_CLIENT_H */
