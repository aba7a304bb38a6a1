/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mock VFIO kernel's insides, shared by its files (the interface is
 * mock_vfio.h):
 *
 *   mock_vfio.c     the struct vfio_ops and its ops, fds (handles),
 *                   create and destroy
 *   mock_type1.c    container, group and type1 IOMMU; DMA for the model
 *   mock_iommufd.c  /dev/iommu (contexts, IOASes and their mappings) and
 *                   the device's cdev, /dev/vfio/devices/vfioN: bind,
 *                   attach, detach; the IOAS's translation for the model
 *   mock_pci.c      the vfio-pci device: regions, config space, IRQs and
 *                   the device request, reset
 *   mock_bar.c      BAR0 and the model behind it: pread/pwrite, the mmap
 *                   with its shadow page and device thread, the command
 *                   doorbell hold, the AHA's pace (service_ns)
 *   mock_control.c  what tests set and read: defaults, REVERE_SIM, fault
 *                   injection, counters and the report line
 *
 * Locking: one mutex (struct mock_vfio's lock) guards the whole mock. The
 * functions below expect it held unless they say otherwise. The BAR0
 * device thread polls without it (mock_bar.c), through atomics only: the
 * shared page, the shadow, stop and due_ns; it takes the lock to act.
 */
#ifndef MOCK_VFIO_IMPL_H
#define MOCK_VFIO_IMPL_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "mock_vfio.h"
#include "revere_model.h"
#include "rv_bar_mirror.h"
#include "rv_pci_cfg.h"

#define MOCK_MAX_HANDLES	64
#define MOCK_MAX_CONTAINERS	4
#define MOCK_MAX_DMA		64	/* type1's dma_entry_limit is 65535 */
#define MOCK_MAX_IRQS		64
#define MOCK_MAX_ICTX		4	/* opens of /dev/iommu */
#define MOCK_MAX_IOAS		4	/* IOASes in one of them */
#define MOCK_MAX_AREAS		64	/* mappings in one IOAS */
/*
 * lock(): how long a waiter spins before it gives its core away and then
 * sleeps; longer than a step of the model, far shorter than a tick.
 */
#define MOCK_LOCK_SPIN_NS	5000

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/*
 * H_IOMMUFD is an open of /dev/iommu; H_CDEV one of the device's cdev
 * (H_DEVICE is the device fd VFIO_GROUP_GET_DEVICE_FD gives).
 */
enum handle_type {
	H_FREE, H_CONTAINER, H_GROUP, H_DEVICE, H_EVENTFD, H_IOMMUFD, H_CDEV
};

struct mock_container;
struct mock_ictx;

struct handle {
	enum handle_type type;
	int fd;
	struct mock_container *c;	/* H_CONTAINER */
	struct mock_ictx *ictx;		/* H_IOMMUFD */
	bool bound;			/* H_CDEV: BIND_IOMMUFD done on it */
};

struct mock_dma {
	uint64_t iova, size, vaddr;	/* size 0: free */
};

struct mock_container {
	bool used;
	unsigned int refs;		/* its fd + an attached group */
	bool has_group;
	uint32_t iommu;			/* 0: VFIO_SET_IOMMU not done */
	struct mock_dma dma[MOCK_MAX_DMA];
};

/* One IOMMU_IOAS_MAP: [iova, iova + length) to user_va. */
struct mock_area {
	uint64_t iova, length, uva;	/* length 0: free */
	uint32_t flags;			/* IOMMU_IOAS_MAP_READABLE/WRITEABLE */
};

struct mock_ioas {
	uint32_t id;			/* 0: free */
	bool domain;			/* the device's HWPT is on it: its
					 * mappings are pinned and the
					 * device's reserved IOVAs apply */
	struct mock_area area[MOCK_MAX_AREAS];
};

/* An iommufd context: an open of /dev/iommu. */
struct mock_ictx {
	bool used;
	unsigned int refs;		/* its fd + a device bound to it */
	struct mock_ioas ioas[MOCK_MAX_IOAS];
};

struct mock_bar_map {
	uint64_t *page;			/* NULL: BAR0 not mapped */
	size_t len;
	pthread_t thread;
	bool stop;			/* atomic: the thread must exit */
	struct rv_bar_mirror mirror;	/* the model's registers on page */
};

/*
 * The command doorbell (MGT_WRITE_INDEX_TX0) on its way to the model: how
 * many commands software has announced, and a write held back until due
 * (REVERE_SIM rsp_delay_us and signal_cmd: a device that answers late).
 */
struct mock_doorbell {
	uint64_t commands;		/* announced since create */
	uint64_t value;			/* last value software wrote */
	bool held;			/* value has not reached the model yet */
	uint64_t due_ns;		/* CLOCK_MONOTONIC time it does */
};

struct mock_fault_slot {
	struct mock_fault f;
	unsigned int seen;
	bool armed;
};

struct mock_vfio {
	struct mock_vfio_config cfg;
	struct vfio_ops ops;
	pthread_mutex_t lock;
	unsigned int lock_waiters;	/* atomic: threads waiting in lock() */
	char group_path[32];
	char sysfs_devices[64];

	struct handle h[MOCK_MAX_HANDLES];
	struct mock_container c[MOCK_MAX_CONTAINERS];
	struct mock_ictx ictx[MOCK_MAX_ICTX];

	/* The one group: its file, and the container it joined. */
	bool group_open;
	unsigned int group_refs;	/* group fd + device users */
	struct mock_container *gc;

	/*
	 * The one device through its cdev (mock_iommufd.c): the iommufd it
	 * is bound to, its device object there, and while attached its
	 * automatic HWPT and the IOAS under it. Bound, the device is open
	 * (dev_users) and blocks its group, as vfio_device_block_group().
	 */
	char cdev_path[48];
	struct mock_ictx *bound;
	uint32_t devid;
	uint32_t hwpt_id;		/* 0: not attached */
	struct mock_ioas *hwpt_ioas;

	/* The one device: fds and mappings keep it open. */
	unsigned int dev_users;
	uint8_t config[RV_PCI_CFG_SIZE];
	uint32_t irq_index, irq_count;	/* irq_count 0: none routed */
	int irq_fd[MOCK_MAX_IRQS];	/* the mock's own dups, like eventfd_ctx */
	int req_fd;			/* VFIO_PCI_REQ_IRQ_INDEX's, or -1 */
	unsigned int requests;		/* times the device was asked back */
	bool request_msg_done;		/* cfg.request_msg fired */
	struct mock_bar_map map;
	struct rv_model model;
	struct mock_doorbell db;
	uint64_t aha_due_ns;		/* service_ns: when the message held
					 * at the AHA goes (0: none held) */
	uint64_t due_ns;		/* atomic: the earliest of db.due_ns and
					 * aha_due_ns (0: nothing held), for
					 * the device thread's unlocked poll */
	unsigned long amu_en_writes;	/* AMU_CR writes with AMU_EN set */

	uint64_t pinned;		/* bytes MAP_DMA pinned, all containers */
	struct mock_fault_slot faults[MOCK_MAX_FAULTS];
	unsigned long calls[MOCK_OP_COUNT];
};

/* Fail like a system call: errno and -1. */
static inline int fail_errno(int err)
{
	errno = err;
	return -1;
}

/* A spin-wait hint: let a hyperthread or the host have the core. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static inline uint64_t mock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The BAR0 device thread holds the lock while traffic flows, and lets go
 * within a step of the model when it sees a waiter (mock_bar.c): so a
 * waiter is counted, and spins a little before it sleeps. A sleeper is
 * woken by the thread that unlocks, and the scheduler tends to wake it on
 * that thread's core: the driver, in an irq wait that reads its eventfd
 * through the mock, was seen pulled onto the device thread's core that
 * way, the two then taking turns there while the other core idled. The
 * spin is bounded in time and ends by offering the core: when the holder
 * shares this core (one free CPU), spinning only keeps it from running.
 */
static inline void lock(struct mock_vfio *m)
{
	uint64_t until;

	if (!pthread_mutex_trylock(&m->lock))
		return;
	__atomic_add_fetch(&m->lock_waiters, 1, __ATOMIC_RELAXED);
	until = mock_now_ns() + MOCK_LOCK_SPIN_NS;
	while (pthread_mutex_trylock(&m->lock)) {
		if (mock_now_ns() < until) {
			cpu_relax();
			continue;
		}
		sched_yield();
		pthread_mutex_lock(&m->lock);
		break;
	}
	__atomic_sub_fetch(&m->lock_waiters, 1, __ATOMIC_RELAXED);
}

static inline bool lock_wanted(struct mock_vfio *m)
{
	return __atomic_load_n(&m->lock_waiters, __ATOMIC_RELAXED) != 0;
}

static inline void unlock(struct mock_vfio *m)
{
	pthread_mutex_unlock(&m->lock);
}

static inline bool dma_alive(const struct mock_dma *d)
{
	return d->size != 0;
}

/* mock_vfio.c: handles, each backed by a real fd. */
struct handle *mock_handle_get(struct mock_vfio *m, int fd);
struct handle *mock_handle_new(struct mock_vfio *m, enum handle_type type);

/* mock_type1.c: the container and group files, the model's DMA. */
int mock_container_open(struct mock_vfio *m);
void mock_container_put(struct mock_container *c);
int mock_container_ioctl(struct mock_vfio *m, struct mock_container *c,
			 unsigned long request, void *arg);
int mock_group_open(struct mock_vfio *m);
void mock_group_put(struct mock_vfio *m);
int mock_group_ioctl(struct mock_vfio *m, unsigned long request, void *arg);
int mock_host_dma_read(void *host, uint64_t iova, void *buf, size_t len);
int mock_host_dma_write(void *host, uint64_t iova, const void *buf,
			size_t len);
void *mock_host_dma_ptr(void *host, uint64_t iova, size_t len);

/* mock_iommufd.c: /dev/iommu and the device cdev. */
#define MOCK_DMA_READ	1u	/* the device reads memory */
#define MOCK_DMA_WRITE	2u	/* the device writes memory */
int mock_iommufd_open(struct mock_vfio *m);
void mock_iommufd_put(struct mock_vfio *m, struct mock_ictx *x);
int mock_iommufd_ioctl(struct mock_vfio *m, struct mock_ictx *x,
		       unsigned long request, void *arg);
int mock_cdev_open(struct mock_vfio *m);
void mock_cdev_release(struct mock_vfio *m, struct handle *h);
int mock_cdev_ioctl(struct mock_vfio *m, struct handle *h,
		    unsigned long request, void *arg);
int mock_cdev_bind(struct mock_vfio *m, struct handle *h, void *arg);
void mock_cdev_unbind(struct mock_vfio *m);
void *mock_ioas_translate(const struct mock_ioas *ioas, uint64_t iova,
			  size_t len, unsigned int access);
void mock_iommufd_count(const struct mock_vfio *m, unsigned int *mappings,
			uint64_t *bytes);

/* mock_pci.c: the device file. */
void mock_pci_init(struct mock_vfio *m);
void mock_device_open(struct mock_vfio *m);
void mock_device_put(struct mock_vfio *m);
int mock_device_ioctl(struct mock_vfio *m, unsigned long request, void *arg);
ssize_t mock_device_rw(struct mock_vfio *m, void *buf, size_t len,
		       uint64_t pos, bool write);
void mock_irqs_unroute(struct mock_vfio *m);
void mock_host_msix(void *host, uint32_t vector);
bool mock_request_locked(struct mock_vfio *m);

/* mock_bar.c: BAR0. */
ssize_t mock_bar_rw(struct mock_vfio *m, void *buf, size_t len, uint64_t off,
		    bool write);
void mock_bar_reset(struct mock_vfio *m);
void mock_bar_index_moved(void *host, uint64_t off, uint64_t val);
void *mock_bar_mmap(struct mock_vfio *m, size_t len, int flags, off_t off);
bool mock_bar_is_mapping(const struct mock_vfio *m, const void *addr,
			 size_t len);
void mock_bar_unmap(struct mock_vfio *m);	/* lock not held */
void mock_bar_release(struct mock_vfio *m);	/* lock not held */

/* mock_control.c: fault injection and the report line. */
bool mock_fault_hit(struct mock_vfio *m, enum mock_op op,
		    unsigned long request, int *err);
void mock_report(struct mock_vfio *m);

#endif /* MOCK_VFIO_IMPL_H */
