/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFIO plumbing for a user-space PCI driver: IOMMU, device, config space,
 * BAR0, DMA mappings, MSI/MSI-X eventfds and reset, against the Linux API
 * in <linux/vfio.h> (Documentation/driver-api/vfio.rst).
 *
 * Two seams inside: the IOMMU backend (vfio_iommu.h: type1 today) gives
 * the device its IOMMU context and maps DMA, and the device's transport
 * (vfio_device_io.h: the Linux VFIO device fd today) carries every access
 * to the device. Every system call goes through a struct vfio_ops, so the
 * same code runs on the Linux kernel (vfio_linux_ops) and on the mock VFIO
 * kernel of sim/mock_vfio.h, which is how `make check` and `--sim` work.
 *
 * Errors: functions return 0 or -errno and leave a one-line message in
 * dev->err ("what failed, on what: strerror; hint"). Nothing here prints
 * or exits.
 */
#ifndef REVERE_VFIO_H	/* not VFIO_H: <linux/vfio.h> uses that guard */
#define REVERE_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errmsg.h"

/*
 * The system calls VFIO needs, with libc's conventions: -1 (or MAP_FAILED)
 * and errno on failure. ctx is passed back unchanged (the mock's state).
 */
struct vfio_ops {
	const char *name;	/* "linux" or "mock": for messages */
	void *ctx;
	int (*open)(void *ctx, const char *path, int flags);
	int (*close)(void *ctx, int fd);
	/* arg is the ioctl's third argument: a pointer, or an integer cast. */
	int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
	ssize_t (*pread)(void *ctx, int fd, void *buf, size_t count, off_t off);
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t count,
			  off_t off);
	void *(*mmap)(void *ctx, size_t length, int prot, int flags, int fd,
		      off_t off);
	int (*munmap)(void *ctx, void *addr, size_t length);
	int (*eventfd)(void *ctx, unsigned int initval, int flags);
	/* read(2), for eventfds: 8 bytes, the count since the last read. */
	ssize_t (*read)(void *ctx, int fd, void *buf, size_t count);
	/*
	 * Names of the entries of a sysfs directory, separated by ", ", into
	 * buf (NUL-terminated, truncated to len). Used for hints only, such as
	 * the devices of an IOMMU group. Returns the number of names or -1.
	 */
	int (*list_dir)(void *ctx, const char *path, char *buf, size_t len);
	/* Current RLIMIT_MEMLOCK soft limit in bytes (RLIM_INFINITY allowed). */
	int (*memlock_limit)(void *ctx, uint64_t *bytes);
};

extern const struct vfio_ops vfio_linux_ops;

struct vfio_region {
	uint32_t index;		/* VFIO_PCI_*_REGION_INDEX */
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	/* The transport's own: the file offset of the region on the device fd. */
	uint64_t offset;
	/* Where to mmap it from, when the transport has an fd for it; or -1. */
	int mmap_fd;
	uint64_t mmap_offset;
	void *map;		/* mmap'd address, or NULL: use pread/pwrite */
};

#define VFIO_MAX_DMA	8

/* Memory from vfio_dma_alloc(): the mapping and the memfd behind it. */
struct vfio_dma_mem {
	void *addr;		/* NULL: slot unused */
	size_t size;
	int fd;
};

struct vfio_dma {
	void *vaddr;
	uint64_t iova;
	uint64_t size;		/* 0: slot unused */
};

#define VFIO_MAX_IRQS	32

struct vfio_iommu_backend;	/* vfio_iommu.h */
struct vfio_device_io;		/* vfio_device_io.h */

/*
 * Outside the layer, read through the functions below (vfio_device_name(),
 * vfio_bar0_size(), vfio_req_fd(), ...), never the fields: their layout is
 * the layer's.
 */
struct vfio_dev {
	const struct vfio_ops *ops;
	struct errmsg err;

	/*
	 * How the device gets its IOMMU context and its DMA (vfio_iommu.h),
	 * and the backend's own state: it allocates it as it opens and frees
	 * it as it closes.
	 */
	const struct vfio_iommu_backend *iommu;
	void *iommu_priv;

	/*
	 * How the device is reached (vfio_device_io.h), and the transport's
	 * own state: both NULL when no device is open.
	 */
	const struct vfio_device_io *io;
	void *io_priv;
	char device_name[128];	/* a socket's path fits (vfio_target.h) */

	uint32_t device_flags;	/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;

	struct vfio_region config;
	struct vfio_region bar0;

	struct vfio_dma dma[VFIO_MAX_DMA];
	struct vfio_dma_mem mem[VFIO_MAX_DMA];

	uint32_t irq_index;	/* VFIO_PCI_MSIX_IRQ_INDEX or _MSI_, when set */
	uint32_t irq_count;	/* 0: no interrupts set up */
	int irq_fd[VFIO_MAX_IRQS];

	int req_fd;		/* device request eventfd, -1: not routed */
	bool req_fired;		/* the kernel asked for the device back */

	/*
	 * First failure of a BAR0 access through pread/pwrite (as -errno), 0
	 * if none. Register accessors cannot return errors without making
	 * every register access a branch; like a PCI master abort they read
	 * all-ones instead, and callers check this at their wait points.
	 */
	int bar_io_error;

	/*
	 * How long a transport waits for its device's answer to a message
	 * (vfio-user), in ms: vfio_set_reply_timeout().
	 */
	int reply_timeout_ms;

	/*
	 * The Linux VFIO device fd while that transport has a device open,
	 * else -1. Only for code that reads it from before
	 * vfio_device_is_open(): the layer itself never does.
	 */
	int device_fd;
};

/*
 * The IOMMU backend called name ("type1"), NULL if this build has none of
 * that name. NULL or "default" names the default backend.
 */
const struct vfio_iommu_backend *vfio_iommu_backend(const char *name);

/*
 * Set every fd to -1, remember ops, and take iommu as the IOMMU backend
 * (vfio_iommu_backend(); NULL: the default). Call once before anything
 * else.
 */
void vfio_init(struct vfio_dev *dev, const struct vfio_ops *ops,
	       const struct vfio_iommu_backend *iommu);

/*
 * How long a transport whose device answers messages (vfio-user) waits
 * for each answer; VFIO_REPLY_TIMEOUT_MS until set. Before vfio_open().
 */
#define VFIO_REPLY_TIMEOUT_MS	5000
void vfio_set_reply_timeout(struct vfio_dev *dev, int timeout_ms);

/*
 * How the device is reached: "vfio-fd" (the kernel's device fd),
 * "vfio-user"; "" with no device open.
 */
const char *vfio_transport_name(const struct vfio_dev *dev);

/*
 * 0 while the open device can be reached, else -errno: it went away (its
 * vfio-user server left). The kernel's devices do not go so.
 */
int vfio_device_lost(const struct vfio_dev *dev);

/*
 * What the transport knows of its last failure and what to do about it
 * ("the server closed the connection: ..."), "" when nothing.
 */
const char *vfio_transport_explain(struct vfio_dev *dev);

/*
 * Open the device: the IOMMU backend attaches what holds it to an IOMMU
 * context (type1: open /dev/vfio/vfio, check the API version and pick the
 * IOMMU type; open the group file, check it is viable, attach it, set the
 * IOMMU, read its page sizes: vfio_iommu.h has those steps one at a time)
 * and opens the device by name with its transport (type1: the device fd
 * from the group); then the device is checked to be a PCI device and its
 * config space and BAR0 region info are read. Each step may be retried
 * after an error, and vfio_close() undoes whatever succeeded.
 */
int vfio_open(struct vfio_dev *dev, const char *group_path,
	      const char *device_name);
/* The last part alone, once the backend is open. */
int vfio_open_device(struct vfio_dev *dev, const char *device_name);

/* A device is open (vfio_open_device() succeeded, no vfio_close() since). */
bool vfio_device_is_open(const struct vfio_dev *dev);
/* The device's name as given to vfio_open_device(), "" before. */
const char *vfio_device_name(const struct vfio_dev *dev);

/* The IOMMU as set up, for messages: "type1v2", "type1". */
const char *vfio_iommu_name(const struct vfio_dev *dev);
/* What the backend set up and how, one line for -v (vfio_iommu.h). */
void vfio_iommu_context(const struct vfio_dev *dev, char *buf, size_t len);
/*
 * The page sizes it maps (a bitmap of sizes), 0 before set-up or when the
 * backend does not say.
 */
uint64_t vfio_iommu_page_sizes(const struct vfio_dev *dev);

/* VFIO_DEVICE_RESET, when the device flags offer it (-ENOTTY otherwise). */
int vfio_reset(struct vfio_dev *dev);

/* PCI config space through pread/pwrite at the config region's offset. */
int vfio_cfg_read8(struct vfio_dev *dev, uint32_t off, uint8_t *val);
int vfio_cfg_read16(struct vfio_dev *dev, uint32_t off, uint16_t *val);
int vfio_cfg_read32(struct vfio_dev *dev, uint32_t off, uint32_t *val);
int vfio_cfg_write8(struct vfio_dev *dev, uint32_t off, uint8_t val);
int vfio_cfg_write16(struct vfio_dev *dev, uint32_t off, uint16_t val);
int vfio_cfg_write32(struct vfio_dev *dev, uint32_t off, uint32_t val);

/*
 * Set or clear PCI_COMMAND_MASTER (bus-master enable) in the COMMAND reg.
 * Clearing it writes COMMAND even when it could not be read first.
 */
int vfio_set_bus_master(struct vfio_dev *dev, bool enable);

/*
 * BAR0: mmap it when the region allows it (VFIO_REGION_INFO_FLAG_MMAP),
 * otherwise accesses go through pread/pwrite. force_rw skips the mmap so
 * tests and users can choose the slow path.
 */
int vfio_bar0_map(struct vfio_dev *dev, bool force_rw);
void vfio_bar0_unmap(struct vfio_dev *dev);
/* BAR0 is mmap'd: accesses are loads and stores, no system call. */
bool vfio_bar0_mapped(const struct vfio_dev *dev);
/* BAR0's size in bytes, 0 with no device open. */
uint64_t vfio_bar0_size(const struct vfio_dev *dev);
/* Where BAR0 starts in the transport's region space, for -v. */
uint64_t vfio_bar0_offset(const struct vfio_dev *dev);

/*
 * Aligned BAR0 accesses, either path. Offsets are checked against the
 * region size; a failure reads all-ones and latches the error
 * (vfio_bar0_error()).
 * The 64-bit accessors are single 64-bit accesses (never split).
 */
uint32_t vfio_bar0_read32(struct vfio_dev *dev, uint64_t off);
void vfio_bar0_write32(struct vfio_dev *dev, uint64_t off, uint32_t val);
uint64_t vfio_bar0_read64(struct vfio_dev *dev, uint64_t off);
void vfio_bar0_write64(struct vfio_dev *dev, uint64_t off, uint64_t val);

/*
 * The latched BAR0 failure (-errno), 0 if none; and forgetting it, for a
 * caller that reported it and goes on (teardown tries every step).
 */
int vfio_bar0_error(const struct vfio_dev *dev);
void vfio_bar0_error_clear(struct vfio_dev *dev);

/*
 * Memory for the device's DMA: size bytes, zeroed, aligned to align (a
 * power of two; the IOMMU's page at least). It is a memfd mapped
 * MAP_SHARED, so that a transport whose device lives in another process
 * (vfio-user) can hand the same pages over; for the kernel's IOMMU,
 * vfio_dma_map() pins them. Returns NULL with the error recorded. Free it
 * with vfio_dma_free() once it is unmapped (after vfio_close()).
 */
void *vfio_dma_alloc(struct vfio_dev *dev, size_t size, size_t align);
void vfio_dma_free(struct vfio_dev *dev, void *addr);

/*
 * Map size bytes at vaddr for device reads and writes at iova. All three
 * must be multiples of the IOMMU's smallest page size (4096 when the
 * backend names none). Memory from vfio_dma_alloc() is mapped with its
 * memfd; a backend whose device is in another process maps no other.
 * The mapping is remembered and undone by vfio_close() if not by
 * vfio_dma_unmap().
 */
int vfio_dma_map(struct vfio_dev *dev, void *vaddr, uint64_t iova,
		 uint64_t size);
int vfio_dma_unmap(struct vfio_dev *dev, uint64_t iova, uint64_t size);

/* Smallest IOMMU page size (for aligning buffers), 4096 before set-up. */
uint64_t vfio_iommu_page_size(const struct vfio_dev *dev);

/*
 * Interrupts: create count eventfds and route vectors 0..count-1 of
 * irq_index (VFIO_PCI_MSIX_IRQ_INDEX or VFIO_PCI_MSI_IRQ_INDEX) to them
 * with VFIO_DEVICE_SET_IRQS, after checking VFIO_DEVICE_GET_IRQ_INFO.
 */
int vfio_irq_enable(struct vfio_dev *dev, uint32_t irq_index, uint32_t count);
int vfio_irq_fd(const struct vfio_dev *dev, uint32_t vector);
/* Tear the routing down (DATA_NONE | ACTION_TRIGGER, count 0), close fds. */
int vfio_irq_disable(struct vfio_dev *dev);
/*
 * Vectors irq_index offers (VFIO_DEVICE_GET_IRQ_INFO): 0 when the device
 * has none, or none that can signal an eventfd; -errno with err set when
 * the query failed.
 */
int vfio_irq_vectors(struct vfio_dev *dev, uint32_t irq_index);
/*
 * Block until the eventfd of vector (routed by vfio_irq_enable()) or
 * extra_fd (an eventfd, or -1: none) is readable, or timeout_ms pass, in
 * poll(2). The vector's eventfd is drained (its count read and reset) when
 * it fired; extra_fd is left for its owner to read. Returns a mask of
 * VFIO_IRQ_WOKE_* (0: timed out), -EINTR on a signal, or -errno with err
 * set.
 */
#define VFIO_IRQ_WOKE_VECTOR	1
#define VFIO_IRQ_WOKE_EXTRA	2
int vfio_irq_wait(struct vfio_dev *dev, uint32_t vector, int extra_fd,
		  int timeout_ms);

/*
 * The device request interrupt (VFIO_PCI_REQ_IRQ_INDEX). When the device
 * is unbound from vfio-pci, or an mdev removed, while a user holds it, the
 * kernel signals this eventfd and waits until the user closes the device
 * fd (vfio_unregister_group_dev() asks again every 10 seconds, and the
 * unbind or remove blocks until then).
 *
 * vfio_req_enable() routes it when VFIO_DEVICE_GET_IRQ_INFO offers it
 * (count >= 1, eventfd): 0 when routed, -ENOTSUP when the device does not
 * offer it (nothing is wrong, there is nothing to route), another -errno
 * when the routing failed.
 *
 * vfio_req_pending() reads the eventfd without blocking, one system call:
 * true once the kernel asked, and it stays true. Callers that spin should
 * not call it on every turn: vfio_req_fired() is what it has seen so far,
 * without a system call, and vfio_req_fd() the eventfd (-1: not routed)
 * for a caller that polls it.
 *
 * vfio_req_disable() unroutes it and closes the eventfd; vfio_close()
 * does it before closing the device fd.
 */
int vfio_req_enable(struct vfio_dev *dev);
bool vfio_req_pending(struct vfio_dev *dev);
bool vfio_req_fired(const struct vfio_dev *dev);
int vfio_req_fd(const struct vfio_dev *dev);
int vfio_req_disable(struct vfio_dev *dev);

/*
 * Undo everything, in reverse order: interrupts (the device request
 * too), DMA mappings, BAR0 mapping, the device, the IOMMU backend (type1:
 * unset the group's container, close the group and the container), and
 * free what the backend and the transport allocated. Safe after any
 * partial set-up and safe to call twice. Returns the first error; every
 * step runs regardless.
 */
int vfio_close(struct vfio_dev *dev);

/*
 * This process's RLIMIT_MEMLOCK soft limit in bytes (UINT64_MAX:
 * unlimited); vfio_linux_ops reads it so. Returns 0 or -1 with errno.
 */
int vfio_memlock_limit(uint64_t *bytes);

#endif /* REVERE_VFIO_H */
