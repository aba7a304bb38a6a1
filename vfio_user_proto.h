/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vfio-user protocol on the wire (QEMU's docs/interop/vfio-user.rst,
 * protocol 0.1): VFIO's device model as messages over a UNIX socket, file
 * descriptors as SCM_RIGHTS. Shared by both ends the project has, so that
 * they cannot disagree on a layout. Every field is in the host's byte order
 * (the specification's rule for this version).
 *
 * Where the kernel's <linux/vfio.h> has the same structure (region info,
 * IRQ info and set, the sparse mmap capability, their flags) the protocol
 * reuses it, and so does this project.
 */
#ifndef VFIO_USER_PROTO_H
#define VFIO_USER_PROTO_H

#include <stdint.h>

#include <linux/vfio.h>

#define VFIO_USER_MAJOR			0
#define VFIO_USER_MINOR			1

/* Message commands ("Commands"). */
enum vfio_user_command {
	VFIO_USER_VERSION = 1,
	VFIO_USER_DMA_MAP = 2,
	VFIO_USER_DMA_UNMAP = 3,
	VFIO_USER_DEVICE_GET_INFO = 4,
	VFIO_USER_DEVICE_GET_REGION_INFO = 5,
	VFIO_USER_DEVICE_GET_REGION_IO_FDS = 6,
	VFIO_USER_DEVICE_GET_IRQ_INFO = 7,
	VFIO_USER_DEVICE_SET_IRQS = 8,
	VFIO_USER_REGION_READ = 9,
	VFIO_USER_REGION_WRITE = 10,
	VFIO_USER_DMA_READ = 11,
	VFIO_USER_DMA_WRITE = 12,
	VFIO_USER_DEVICE_RESET = 13,
	VFIO_USER_REGION_WRITE_MULTI = 15,
	VFIO_USER_DEVICE_FEATURE = 16,
	VFIO_USER_MIG_DATA_READ = 17,
	VFIO_USER_MIG_DATA_WRITE = 18,
};

/* Header flags ("Header"). */
#define VFIO_USER_F_TYPE_MASK		0xfu
#define VFIO_USER_F_TYPE_COMMAND	0x0u
#define VFIO_USER_F_TYPE_REPLY		0x1u
#define VFIO_USER_F_NO_REPLY		0x10u
#define VFIO_USER_F_ERROR		0x20u

struct vfio_user_header {
	uint16_t msg_id;
	uint16_t command;
	uint32_t msg_size;		/* header included */
	uint32_t flags;
	uint32_t error_reply;		/* an errno, with VFIO_USER_F_ERROR */
};

/* VFIO_USER_VERSION: then optional JSON, NUL-terminated. */
struct vfio_user_version {
	uint16_t major;
	uint16_t minor;
	char data[];
};

/*
 * The capabilities' defaults, for a peer that names none ("Version"):
 * one fd a message, 1 MiB a data transfer, 65535 DMA maps, 4 KiB pages.
 */
#define VFIO_USER_DEF_MAX_MSG_FDS	1u
#define VFIO_USER_DEF_MAX_XFER		(1u << 20)
#define VFIO_USER_DEF_MAX_DMA_MAPS	65535u
#define VFIO_USER_DEF_PGSIZES		4096ull

/* VFIO_USER_DMA_MAP: fd (optional) as SCM_RIGHTS; flags as type1's. */
struct vfio_user_dma_map {
	uint32_t argsz;
	uint32_t flags;			/* VFIO_DMA_MAP_FLAG_READ, _WRITE */
	uint64_t offset;		/* into the fd */
	uint64_t addr;			/* the DMA (I/O virtual) address */
	uint64_t size;
};

/* VFIO_USER_DMA_UNMAP: flags VFIO_DMA_UNMAP_FLAG_ALL, or a range. */
struct vfio_user_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};

/* VFIO_USER_DEVICE_GET_INFO (16 bytes: the protocol's, not the kernel's). */
struct vfio_user_device_info {
	uint32_t argsz;
	uint32_t flags;			/* VFIO_DEVICE_FLAGS_RESET, _PCI */
	uint32_t num_regions;
	uint32_t num_irqs;
};

/*
 * VFIO_USER_DEVICE_GET_REGION_INFO: struct vfio_region_info, then its
 * capabilities; with VFIO_REGION_INFO_FLAG_MMAP, the fd to mmap at
 * offset, as SCM_RIGHTS.
 * VFIO_USER_DEVICE_GET_IRQ_INFO: struct vfio_irq_info.
 * VFIO_USER_DEVICE_SET_IRQS: struct vfio_irq_set, then bools for
 * VFIO_IRQ_SET_DATA_BOOL; eventfds as SCM_RIGHTS.
 */

/* VFIO_USER_REGION_READ and _WRITE: then count bytes of data. */
struct vfio_user_region_access {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	uint8_t data[];
};

/*
 * VFIO_USER_DMA_READ and _WRITE, from the server: then count bytes of
 * data. DMA_WRITE's reply carries only the first 12 bytes (the
 * specification gives its count 4 bytes): a reply is checked for that
 * much, and its count not relied on.
 */
struct vfio_user_dma_access {
	uint64_t addr;
	uint64_t count;
	uint8_t data[];
};
#define VFIO_USER_DMA_WRITE_REPLY_SIZE	12u

#endif /* VFIO_USER_PROTO_H */
