/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A mock VFIO kernel: the struct vfio_ops of vfio.h answered in-process,
 * with the observable behaviour of Linux's vfio, vfio_iommu_type1 and
 * vfio-pci for everything vfio.c uses, and a simulated Revere-AMU
 * (sim/revere_model.h) behind the device fd. `make check` and
 * `revere-vfio-demo --sim` run on it.
 */
#ifndef MOCK_VFIO_H
#define MOCK_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "revere_model.h"
#include "vfio.h"
#include "vfio_target.h"

/* Which call a fault is injected into. */
enum mock_op {
	MOCK_OP_OPEN,
	MOCK_OP_CLOSE,
	MOCK_OP_IOCTL,
	MOCK_OP_PREAD,
	MOCK_OP_PWRITE,
	MOCK_OP_MMAP,
	MOCK_OP_MUNMAP,
	MOCK_OP_EVENTFD,
	MOCK_OP_READ,		/* read(2) of an eventfd */
	MOCK_OP_COUNT
};

#define MOCK_MAX_FAULTS 8

struct mock_fault {
	enum mock_op op;
	unsigned long request;	/* MOCK_OP_IOCTL: which ioctl, 0 any */
	unsigned int nth;	/* 1-based call number */
	int err;		/* errno to fail with */
};

struct mock_vfio_config {
	unsigned int group_id;		/* the group file is /dev/vfio/<id> */
	char device_name[64];		/* e.g. "0000:01:00.0" */
	uint16_t vendor_id, device_id;	/* config space IDs: 13b5:ff81 */
	bool bar0_mmap;			/* BAR0 region has FLAG_MMAP */
	bool group_viable;		/* VIABLE flag; else cdev bind EPERM */
	bool type1v2;			/* offer VFIO_TYPE1v2_IOMMU */
	bool reset;			/* VFIO_DEVICE_FLAGS_RESET */
	uint64_t iova_pgsizes;		/* VFIO_IOMMU_GET_INFO */
	uint64_t memlock_limit;		/* bytes MAP_DMA may pin in all */
	uint32_t msix_count;		/* VFIO_PCI_MSIX_IRQ_INDEX count */
	/*
	 * Interrupts that go wrong: msix_drop loses every MSI-X the device
	 * raises (an interrupt that never comes); msix_spurious signals each
	 * vector's eventfd that many times as SET_IRQS routes it, with
	 * nothing in any ring (a spurious interrupt).
	 */
	bool msix_drop;
	uint32_t msix_spurious;
	bool req_irq;			/* offer VFIO_PCI_REQ_IRQ_INDEX */
	/*
	 * Ask for the device back (mock_vfio_request()) once the device has
	 * moved request_msg data messages, or as the request_cmd-th command
	 * (1-based, counted like signal_cmd) arrives; 0: never.
	 */
	uint64_t request_msg;
	uint32_t request_cmd;
	struct rv_model_params model;
	struct mock_fault faults[MOCK_MAX_FAULTS];	/* armed at create */
	unsigned int num_faults;
	bool report;			/* print counters to stderr on destroy */
	/*
	 * A device that answers late, and a signal at a chosen point: the
	 * command doorbell reaches the model rsp_delay_us after software
	 * wrote it, and the signal_cmd-th command (1-based, counted from
	 * create; 0: never) raises SIGINT as its doorbell arrives, then is
	 * held at least 20 ms, so the driver is waiting for its response.
	 */
	uint32_t signal_cmd;
	uint32_t rsp_delay_us;
	/*
	 * A slow accelerator: the AHA takes each message service_ns after it
	 * arrives there, one at a time (0: at once). With BAR0 mmap'd the
	 * device thread keeps the time; through pread/pwrite a message goes
	 * at the first BAR0 access once it is due.
	 */
	uint64_t service_ns;
	/*
	 * iommufd (mock_iommufd.c): offer /dev/iommu and the device's cdev,
	 * /dev/vfio/devices/vfio<cdev_id>, beside the group. Once the device
	 * is attached to an IOAS, its domain maps [0, iova_aperture_last]
	 * and the device reserves [iova_resv_start, + iova_resv_len) (x86's
	 * MSI window by default; length 0: none): IOMMU_IOAS_IOVA_RANGES
	 * reports the rest, and a mapping there is refused.
	 */
	bool iommufd;
	uint32_t cdev_id;
	uint64_t iova_aperture_last;
	uint64_t iova_resv_start, iova_resv_len;
};

/*
 * Defaults: group 42, "0000:01:00.0", 13b5:ff81, BAR0 mmap-able, viable,
 * TYPE1v2, reset, 4K|2M|1G pages, 64 MiB memlock, 8 MSI-X vectors, the
 * device request offered but never fired, iommufd offered with the cdev
 * vfio0, a 48-bit aperture less 0xfee00000-0xfeefffff, and
 * rv_model_default_params().
 */
void mock_vfio_default_config(struct mock_vfio_config *cfg);

/*
 * Parse "key=value,key=value" into cfg (on top of what it holds), for
 * REVERE_SIM in the environment of `revere-vfio-demo --sim`. Keys are the
 * field names above and those of rv_model_params (e.g. "bar0_mmap=0",
 * "num_ami_hw=1", "fail_opcode=23", "fail_status=1", "aidr=0x10"),
 * "vendor_id", "device_id", plus "fail=OP:N:ERRNO" (see mock_vfio_fail;
 * OP by name such as "ioctl:VFIO_IOMMU_MAP_DMA", "mmap", "open") and
 * "report=1" (print the counters on destroy). Returns 0 or -EINVAL with
 * a message in err.
 */
int mock_vfio_parse(struct mock_vfio_config *cfg, const char *spec,
		    struct errmsg *err);

struct mock_vfio;

struct mock_vfio *mock_vfio_create(const struct mock_vfio_config *cfg);
void mock_vfio_destroy(struct mock_vfio *m);

/* The operations table to hand to vfio_init(). */
const struct vfio_ops *mock_vfio_ops(struct mock_vfio *m);

/* The group file path and device name a driver should open. */
const char *mock_vfio_group_path(const struct mock_vfio *m);
const char *mock_vfio_device_name(const struct mock_vfio *m);
/*
 * The iommufd files (cfg.iommufd): /dev/iommu, and the device's cdev,
 * /dev/vfio/devices/vfio<cfg.cdev_id>.
 */
#define MOCK_IOMMUFD_PATH	"/dev/iommu"
const char *mock_vfio_cdev_path(const struct mock_vfio *m);
/*
 * The target the driver opens (vfio_target.h): t->kind chooses the group
 * file or the device file; the device's name is filled in.
 */
void mock_vfio_target(const struct mock_vfio *m, struct vfio_target *t);

/*
 * vfio-pci's fixed region layout: region index lives at file offset
 * index << 40 of the device fd (VFIO_PCI_INDEX_TO_OFFSET in Linux's
 * include/linux/vfio_pci_core.h, which is not UAPI: a driver must take
 * the offset from VFIO_DEVICE_GET_REGION_INFO, as vfio.c does). The mock
 * lays its regions out the same way; tests may name an offset directly.
 */
#define MOCK_VFIO_REGION_SHIFT		40
#define MOCK_VFIO_REGION_OFFSET(index) \
	((uint64_t)(index) << MOCK_VFIO_REGION_SHIFT)

/*
 * Make the nth (1-based) call of op fail with errno err; for MOCK_OP_IOCTL,
 * request selects which ioctl counts (0: any ioctl). Several faults may be
 * armed at once.
 */
void mock_vfio_fail(struct mock_vfio *m, enum mock_op op,
		    unsigned long request, unsigned int nth, int err);

struct mock_vfio_counters {
	unsigned int fds_open;		/* container, group, device, eventfds */
	unsigned int dma_mappings;	/* alive MAP_DMA mappings */
	uint64_t dma_bytes;		/* pinned by them */
	unsigned int bar_mmaps;		/* alive mmaps of regions */
	unsigned int irqs_routed;	/* eventfds SET_IRQS holds, REQ too */
	unsigned int requests;		/* times the device was asked back */
	unsigned long calls[MOCK_OP_COUNT];
	unsigned int ioas_mappings;	/* alive IOMMU_IOAS_MAP mappings */
	uint64_t ioas_bytes;		/* their length */
	unsigned int iommufd_bound;	/* the device bound through its cdev */
};
void mock_vfio_counters(struct mock_vfio *m, struct mock_vfio_counters *c);

/*
 * DMA and MSI-X as the device does them, for tests of the IOMMU
 * translation without going through the model. DMA returns 0, or -1 when
 * no single live mapping of the attached container covers
 * [iova, iova + len) (an IOMMU fault); a device attached to an IOAS
 * through its cdev goes through that IOAS instead, whose mapping must
 * also allow the access (READABLE for a read of memory, WRITEABLE for a
 * write). msix signals the eventfd routed to vector, if any.
 */
int mock_vfio_dma_read(struct mock_vfio *m, uint64_t iova, void *buf,
		       size_t len);
int mock_vfio_dma_write(struct mock_vfio *m, uint64_t iova, const void *buf,
			size_t len);
void mock_vfio_msix(struct mock_vfio *m, uint32_t vector);

/*
 * The kernel asking for the device back, as vfio_unregister_group_dev()
 * does when the device is unbound from vfio-pci (or an mdev removed)
 * while a user holds it: signals the eventfd the user routed to
 * VFIO_PCI_REQ_IRQ_INDEX. Returns true if one was routed; false if not
 * (vfio-pci then only logs "No device request channel registered"). The
 * mock does not wait for the release the kernel waits for: tests check
 * what the driver did afterwards.
 */
bool mock_vfio_request(struct mock_vfio *m);

/* Device state for tests (taken under the mock's lock). */
void mock_vfio_device_summary(struct mock_vfio *m,
			      struct rv_model_summary *s);

#endif /* MOCK_VFIO_H */
