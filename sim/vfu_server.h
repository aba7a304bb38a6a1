/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vfio-user protocol, server side, for the simulated Revere PF
 * (vfu_device.c): one client at a time on a connected socket, its
 * messages taken one by one and answered. Every message is untrusted
 * input: a bad one gets an error reply, or, where the stream cannot be
 * trusted any more, the end of the connection (the caller then detaches
 * the client, which resets the device).
 */
#ifndef VFU_SERVER_H
#define VFU_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vfio_user_caps.h"
#include "vfio_user_msg.h"
#include "vfu_device.h"

/*
 * Largest data a region access or a DMA message carries: the protocol's
 * default, so that a client that reads no capabilities is still right;
 * BAR0 (1 MiB) fits in one access.
 */
#define VFU_SERVER_MAX_XFER	(1u << 20)
/* Largest message taken: a region write of that much. */
#define VFU_SERVER_MAX_MSG	(VFU_SERVER_MAX_XFER + 32u)
/* File descriptors a message may carry: the MSI-X eventfds at most. */
#define VFU_SERVER_MAX_FDS	VFU_DEV_MSIX_COUNT
/* Client commands held while the server waits for its own DMA's reply. */
#define VFU_SERVER_HELD		16u

struct vfu_held {
	uint8_t *buf;
	struct vfu_msg msg;
};

struct vfu_server {
	struct vfu_device dev;
	int sock;			/* the client, -1: none */
	bool negotiated;		/* VERSION done */
	bool lost;			/* the stream cannot be trusted */
	const char *lost_why;
	struct vfu_caps peer;		/* the client's */
	uint16_t dma_id;		/* our requests' ids */
	int timeout_ms;			/* for a reply, or the rest of a message */
	bool no_fds;			/* takes and gives no fds (--no-fds) */
	uint64_t reply_delay_ns;	/* each reply sent this late */
	int verbose;
	FILE *log;
	uint8_t *rx, *tx;		/* VFU_SERVER_MAX_MSG each */
	uint8_t *dma;			/* the server's own requests and their
					 * replies, which may come while a
					 * command in rx is being acted on */
	struct vfu_held held[VFU_SERVER_HELD];
	unsigned int n_held;
	uint64_t messages;		/* taken from this client */
};

/* 0, or an errno; trace: vfu_dev_init()'s. */
int vfu_server_init(struct vfu_server *s, bool bar0_mmap, int timeout_ms,
		    int verbose, FILE *log, FILE *trace);
void vfu_server_destroy(struct vfu_server *s);

/* A client connected on sock (which the server now owns). */
void vfu_server_attach(struct vfu_server *s, int sock);
/* The client is gone (why): its state logged, the device reset. */
void vfu_server_detach(struct vfu_server *s, const char *why);

/*
 * The client's socket is readable, or commands are held: take one message
 * and act on it. 0, or an errno when the connection must end (s->lost_why
 * then says why; ENOTCONN: the client closed it).
 */
int vfu_server_service(struct vfu_server *s);

/* Held commands wait: service again without waiting for the socket. */
bool vfu_server_pending(const struct vfu_server *s);

/*
 * One message, already read (len bytes at buf, fds taken by the callee):
 * acted on and answered. The entry point of the fuzz target.
 */
int vfu_server_handle(struct vfu_server *s, uint8_t *buf, struct vfu_msg *msg);

#endif /* VFU_SERVER_H */
