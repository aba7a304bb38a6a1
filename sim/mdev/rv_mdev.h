/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * revere_mdev: the Revere-AMU device model (sim/revere_model.c, compiled
 * unchanged) carried by a Linux mediated device, so that the unmodified
 * revere-vfio-demo can drive it through the kernel's real VFIO, type1 IOMMU
 * and eventfd code. Only the real-kernel rig uses it (tests/kernel/README).
 *
 * The pieces, one file each:
 *   rv_mdev_main.c  module, mdev parent and type, mdev driver, sysfs state
 *   rv_mdev_vfio.c  the vfio_device: regions, ioctls, DMA, MSI-X eventfds
 * and, shared with the mock VFIO kernel, sim/rv_pci_cfg.c for the PCI
 * configuration space.
 *
 * Written against Linux 6.1's mdev and vfio API (the kernel Debian 12
 * ships); samples/vfio-mdev/mtty.c of that release shows the same shape.
 * It builds for the rig's iommufd kernel (6.12) too: LINUX_VERSION_CODE
 * checks mark where the API changed since (iommufd operations,
 * class_create(), eventfd_signal(), who frees the vfio_device).
 */
#ifndef RV_MDEV_H
#define RV_MDEV_H

#include <linux/eventfd.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/version.h>
#include <linux/vfio.h>
#include <linux/workqueue.h>

#include "revere_model.h"
#include "rv_pci_cfg.h"

/* One event on an eventfd: eventfd_signal() lost its count in 6.8. */
static inline void rv_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * MSI-X vectors offered through VFIO_PCI_MSIX_IRQ_INDEX: the table size of
 * the configuration space's MSI-X capability (spec 8.11), as the mock VFIO
 * kernel offers, so the demo sees the same device in both places.
 */
#define RV_MDEV_MSIX_COUNT	RV_PCI_CFG_MSIX_VECTORS

/*
 * One mediated Revere PF. vdev must stay first: vfio_alloc_device()
 * allocates the whole struct around it and checks that at build time.
 */
struct rv_mdev {
	struct vfio_device vdev;
	/*
	 * Serialises everything that touches the model or the eventfds:
	 * region reads and writes, ioctls, open/close, the sysfs state and
	 * run_work (the model at work, in a kworker).
	 * The model is not reentrant (sim/revere_model.h: "locking is the
	 * host's job"). Its DMA callbacks run with this held and take
	 * type1's own lock inside vfio_dma_rw(), so nothing type1 calls back
	 * into (dma_unmap) may take it: see rv_mdev_dma_unmap().
	 */
	struct mutex lock;
	u8 cfg[RV_PCI_CFG_SIZE];
	struct eventfd_ctx *msix[RV_MDEV_MSIX_COUNT];
	/*
	 * eventfd_signal() calls on msix[] since the last open or
	 * VFIO_DEVICE_RESET (the window of the model's own irqs count, which
	 * also counts the messages dropped for want of an eventfd).
	 */
	u64 msix_signalled;
	/* VFIO_PCI_REQ_IRQ_INDEX: how we ask the user for the device back. */
	struct eventfd_ctx *req;
	struct rv_model model;
	/* Runs the model after an access (rv_mdev_run_work()). */
	struct delayed_work run_work;
};

extern const struct vfio_device_ops rv_mdev_vfio_ops;

#endif /* RV_MDEV_H */
