/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capabilities of VFIO_USER_VERSION: a small JSON object that each end
 * sends about itself ("Version" in QEMU's docs/interop/vfio-user.rst).
 * Parsed from an untrusted peer: bounded depth, no allocation, every
 * number range-checked; names this project does not use are skipped.
 */
#ifndef VFIO_USER_CAPS_H
#define VFIO_USER_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vfu_caps {
	uint32_t max_msg_fds;		/* fds the sender takes in a message,
					 * 0: none */
	uint32_t max_data_xfer_size;	/* largest count of a data transfer */
	uint32_t max_dma_maps;		/* DMA maps valid at once */
	uint64_t pgsizes;		/* DMA map page sizes, or'ed */
	bool write_multiple;		/* takes VFIO_USER_REGION_WRITE_MULTI */
	bool twin_socket;		/* twin_socket.supported */
};

/* What a peer that sends no capabilities has. */
void vfu_caps_default(struct vfu_caps *c);

/*
 * The version data of len bytes (NUL-terminated inside them), over the
 * defaults already in c. 0, or EINVAL for data that is not such JSON.
 */
int vfu_caps_parse(const char *data, size_t len, struct vfu_caps *c);

/*
 * c as version data, NUL included, into buf; returns its length, or 0 if
 * it does not fit in size bytes.
 */
size_t vfu_caps_format(const struct vfu_caps *c, char *buf, size_t size);

#endif /* VFIO_USER_CAPS_H */
