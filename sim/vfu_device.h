/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated Revere PF as the vfio-user server presents it: the device
 * model (revere_model.c), its configuration space (rv_pci_cfg.c), BAR0 by
 * access or as shared memory (rv_bar_mirror.c), the client's DMA maps and
 * its MSI-X eventfds. Everything here is in VFIO's terms (regions, IRQ
 * indexes, DMA maps); the messages are vfu_server.c's job. One thread:
 * the server's, which serialises everything.
 */
#ifndef VFU_DEVICE_H
#define VFU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vfio.h>

#include "revere_model.h"
#include "rv_bar_mirror.h"
#include "rv_pci_cfg.h"

/* MSI-X vectors: the configuration space's table size (spec 8.11). */
#define VFU_DEV_MSIX_COUNT	RV_PCI_CFG_MSIX_VECTORS

/*
 * DMA maps valid at once: the protocol's default, which QEMU's client
 * assumes; each costs a few dozen bytes, so the table stays bounded.
 */
#define VFU_DEV_MAX_DMA_MAPS	65535u

/* Client memory mapped into the server: one mapping per file. */
struct vfu_dma_file {
	uint64_t dev, ino;		/* which file (st_dev, st_ino) */
	uint8_t *base;			/* the whole file, shared */
	size_t len;
	unsigned int refs;		/* maps that point into it */
	/*
	 * Sealed against shrinking: no access to it can raise SIGBUS, so
	 * the model may work in it in place (host_dma_ptr()).
	 */
	bool sealed;
};

/* One DMA map: [iova, iova + size) at offset of file, or by message. */
struct vfu_dma {
	uint64_t iova, size;
	uint32_t prot;			/* VFIO_DMA_MAP_FLAG_READ, _WRITE */
	struct vfu_dma_file *file;	/* NULL: by VFIO_USER_DMA_READ/WRITE */
	uint64_t offset;
};

/*
 * DMA the server must do by message: the server sends the request and
 * waits for its reply. 0, or non-zero when that failed (the device then
 * takes an IOMMU fault, spec 8.4).
 */
typedef int vfu_msg_dma_fn(void *server, bool write, uint64_t iova, void *buf,
			   size_t len);

struct vfu_device {
	struct rv_model model;
	uint8_t cfg[RV_PCI_CFG_SIZE];
	bool bar0_mmap;			/* offer BAR0's fd */
	int bar_fd;			/* memfd behind BAR0, -1 without */
	uint64_t *bar_page;
	struct rv_bar_mirror mirror;
	int msix[VFU_DEV_MSIX_COUNT];	/* eventfds, -1: none */
	int err_fd;			/* VFIO_PCI_ERR_IRQ_INDEX's, never raised */
	uint64_t msix_signalled;	/* since the client came */
	/*
	 * Vectors the model raised whose eventfds are not signalled yet:
	 * that waits until the registers are published (msix_flush()).
	 */
	uint32_t msix_pending;
	struct vfu_dma *dma;		/* sorted by iova */
	size_t n_dma, cap_dma;
	struct vfu_dma_file **files;
	size_t n_files, cap_files;
	vfu_msg_dma_fn *msg_dma;
	void *server;
	uint64_t latency_ns;		/* before the device acts on a write */
	uint64_t due_ns;		/* when it does (CLOCK_MONOTONIC), 0:
					 * nothing waits */
	FILE *log;			/* the state as bus mastering goes off */
	FILE *trace;			/* management commands, or NULL */
	bool dma_failed;		/* a message DMA failed: the client is
					 * gone or lying; the server drops it */
};

/*
 * Power-on, with BAR0 offered as shared memory when bar0_mmap. Each time
 * software turns bus mastering off, the device's state goes to log: a
 * driver quiesces the device before that (spec 1), so the line shows
 * whether it did, whatever happens to the client later. Each management
 * command and its response go to trace (unless NULL) as the demo's
 * --trace writes them. 0 or an errno (memfd, mmap).
 */
int vfu_dev_init(struct vfu_device *d, bool bar0_mmap, vfu_msg_dma_fn *msg_dma,
		 void *server, FILE *log, FILE *trace);
void vfu_dev_destroy(struct vfu_device *d);

/* A client came (vfio-pci's open: COMMAND as rv_pci_cfg_open()). */
void vfu_dev_open(struct vfu_device *d);
/*
 * The client left: its maps and eventfds dropped, BAR0's shared page
 * replaced (the client may keep its mapping of the old one), and the
 * device reset (spec 8.10), so that the next one finds it as at power-on.
 */
void vfu_dev_close(struct vfu_device *d);
/* VFIO_DEVICE_RESET (spec 8.10). */
void vfu_dev_reset(struct vfu_device *d);

/* Region info; *fd is the descriptor to mmap it with, or -1. */
int vfu_dev_region_info(struct vfu_device *d, uint32_t index,
			struct vfio_region_info *info, int *fd);
/* Region access of len bytes at off; 0 or an errno. */
int vfu_dev_region_rw(struct vfu_device *d, uint32_t index, uint64_t off,
		      void *buf, uint32_t len, bool write);

int vfu_dev_irq_info(struct vfu_device *d, struct vfio_irq_info *info);
/*
 * VFIO_DEVICE_SET_IRQS: set (with bools after it, for DATA_BOOL), fds
 * for DATA_EVENTFD, which this takes (closes them on failure too).
 */
int vfu_dev_set_irqs(struct vfu_device *d, const struct vfio_irq_set *set,
		     const uint8_t *bools, size_t nbools, int *fds,
		     unsigned int nfds);

/* DMA map (fd -1: by message); takes fd. 0 or an errno. */
int vfu_dev_dma_map(struct vfu_device *d, uint64_t iova, uint64_t size,
		    uint32_t prot, int fd, uint64_t offset);
/* Unmap whatever lies in [iova, iova + size), or everything with all. */
int vfu_dev_dma_unmap(struct vfu_device *d, uint64_t iova, uint64_t size,
		      bool all);

/*
 * With BAR0 shared: software's stores in, the model run (once due, with a
 * latency), the registers out. Returns the work done (0: idle).
 */
unsigned int vfu_dev_poll(struct vfu_device *d);

/*
 * When the device acts on the writes it holds (latency_ns, set by the
 * server's --latency-us: a device that takes its time, so that a driver
 * always finds its work unfinished and must wait), or 0.
 */
uint64_t vfu_dev_due_ns(const struct vfu_device *d);

/* The model's summary on one line, as the mdev's revere_state. */
int vfu_dev_state(struct vfu_device *d, char *buf, size_t size);

#endif /* VFU_DEVICE_H */
