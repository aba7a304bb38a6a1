/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Revere-AMU register access and ring index arithmetic, in one place.
 *
 * Registers are 64 bits wide and accessed with aligned 64-bit loads and
 * stores (spec, conventions); BAR0 goes through vfio.h, mmap'd or not.
 * Rings follow spec 8.1: free-running 64-bit indexes, slot = index mod
 * 2^LOG2_SIZE, empty when read == write, full when write - read == size.
 */
#ifndef REVERE_HW_H
#define REVERE_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "errmsg.h"
#include "revere.h"
#include "vfio.h"

#define NSEC_PER_SEC		1000000000ull
#define NSEC_PER_MSEC		1000000ull
#define NSEC_PER_USEC		1000ull

/* The clock every wait for the device is measured with. */
static inline uint64_t rv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Memory barriers between the driver's accesses to DMA memory and its
 * register accesses, as Linux's writeq()/readq() imply them.
 *   rv_wmb(): ring slots written before the doorbell that publishes them.
 *   rv_rmb(): an index read from the device before the slots it covers.
 * x86 keeps these orders for uncached MMIO by itself (a compiler barrier
 * suffices); arm64 needs dmb with outer-shareable scope, as dma_wmb() and
 * dma_rmb() use. The pread/pwrite path is a system call: a full barrier.
 */
#if defined(__aarch64__)
#define rv_wmb()	__asm__ __volatile__("dmb oshst" ::: "memory")
#define rv_rmb()	__asm__ __volatile__("dmb oshld" ::: "memory")
#elif defined(__x86_64__) || defined(__i386__)
#define rv_wmb()	__asm__ __volatile__("" ::: "memory")
#define rv_rmb()	__asm__ __volatile__("" ::: "memory")
#else
#define rv_wmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rv_rmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/*
 * rv_mb(): slot contents read before the read index that gives the slots
 * back to the device, which may then overwrite them: loads before a store,
 * which dmb oshst does not order on arm64 (dma_mb() is dmb osh).
 */
#if defined(__aarch64__)
#define rv_mb()		__asm__ __volatile__("dmb osh" ::: "memory")
#elif defined(__x86_64__) || defined(__i386__)
#define rv_mb()		__asm__ __volatile__("" ::: "memory")
#else
#define rv_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/*
 * A spinning wait's pause between two looks at an index register: no
 * system call, a hint to the core (and to an SMT sibling) that this is a
 * spin loop, as Linux's cpu_relax().
 */
static inline void rv_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static inline uint64_t rv_reg_read(struct vfio_dev *vfio, uint64_t off)
{
	return vfio_bar0_read64(vfio, off);
}

static inline void rv_reg_write(struct vfio_dev *vfio, uint64_t off,
				uint64_t val)
{
	vfio_bar0_write64(vfio, off, val);
}

/*
 * A ring in DMA memory (spec 8.1): 2^log2_size slots of slot_size bytes.
 * prod and cons are the last indexes known; the side this driver owns is
 * exact, the device's side is what it last reported. The ring knows its
 * two index registers (spec 3, 4): the device's, read by
 * rv_ring_refresh(), and the driver's own, written by rv_ring_doorbell().
 */
struct rv_ring {
	const char *name;	/* for messages: "command", "TX AMS 0", ... */
	uint8_t *base;		/* slot array in our address space */
	uint64_t iova;		/* the same, as the device sees it */
	unsigned int log2_size;
	uint32_t slot_size;
	uint64_t prod;		/* write index */
	uint64_t cons;		/* read index */
	bool dev_produces;	/* the device writes, the driver reads */
	uint64_t dev_reg;	/* BAR0 offset of the device's index */
	uint64_t own_reg;	/* BAR0 offset of the driver's index */
};

/* Name the registers of r; dev_produces: an RX ring (response, RX AMS). */
static inline void rv_ring_set_regs(struct rv_ring *r, bool dev_produces,
				    uint64_t read_reg, uint64_t write_reg)
{
	r->dev_produces = dev_produces;
	r->dev_reg = dev_produces ? write_reg : read_reg;
	r->own_reg = dev_produces ? read_reg : write_reg;
}

static inline uint64_t rv_ring_size(const struct rv_ring *r)
{
	return 1ull << r->log2_size;
}

static inline uint64_t rv_ring_used(const struct rv_ring *r)
{
	return r->prod - r->cons;	/* unsigned: correct past wraps */
}

static inline bool rv_ring_empty(const struct rv_ring *r)
{
	return r->prod == r->cons;
}

static inline bool rv_ring_full(const struct rv_ring *r)
{
	return rv_ring_used(r) >= rv_ring_size(r);
}

static inline uint8_t *rv_ring_slot(const struct rv_ring *r, uint64_t index)
{
	return r->base + (index & (rv_ring_size(r) - 1)) * r->slot_size;
}

/*
 * The driver's only accesses to slot contents: a whole slot copied out,
 * copied in or filled. The device reads and writes the same memory by DMA,
 * ordered by rv_wmb()/rv_rmb() and the doorbells; the simulation's device
 * thread does it for real, and tests/tsan.supp names these functions.
 */
static inline void rv_slot_read(const struct rv_ring *r, uint64_t index,
				void *buf)
{
	memcpy(buf, rv_ring_slot(r, index), r->slot_size);
}

static inline void rv_slot_write(const struct rv_ring *r, uint64_t index,
				 const void *buf)
{
	memcpy(rv_ring_slot(r, index), buf, r->slot_size);
}

static inline void rv_slot_fill(const struct rv_ring *r, uint64_t index,
				uint8_t byte)
{
	memset(rv_ring_slot(r, index), byte, r->slot_size);
}

/*
 * 16 bytes as one value, a vector type of GCC's and clang's: an operation
 * on it is one SIMD instruction (SSE2 on x86-64, NEON on arm64, the
 * baseline of both). A loop over 64-bit words is not vectorised at -O2
 * and costs about three times as many instructions.
 */
typedef uint64_t rv_block __attribute__((vector_size(16)));
#define RV_BLOCKS	4	/* compared together: 64 bytes */

/*
 * The first byte of the block copy that is not byte (there is one): in a
 * copy of what was compared, so the byte reported is that one even if the
 * device writes the slot meanwhile.
 */
static inline uint32_t rv_block_miss(const rv_block w[RV_BLOCKS],
				     uint8_t byte, uint8_t *found)
{
	const uint8_t *copy = (const uint8_t *)w;
	uint32_t b = 0;

	while (b < RV_BLOCKS * sizeof(*w) - 1 && copy[b] == byte)
		b++;
	*found = copy[b];
	return b;
}

/*
 * Check that every byte of a slot is byte, 64 bytes at a time: each block
 * is loaded once, compared with the pattern as RV_BLOCKS vectors together,
 * and only a block with a difference is searched for its first wrong
 * byte. Returns true, or false with *off and *found naming the first wrong
 * byte. slot_size is a multiple of 64 (spec 3, 6: 2^n doublewords, n >= 3).
 */
static inline bool rv_slot_verify(const struct rv_ring *r, uint64_t index,
				  uint8_t byte, uint32_t *off, uint8_t *found)
{
	const uint8_t *p = rv_ring_slot(r, index);
	const uint64_t word = (uint64_t)0x0101010101010101ull * byte;
	const rv_block pat = { word, word };
	rv_block a, b, c, d, diff;
	uint32_t at;

	for (at = 0; at < r->slot_size; at += RV_BLOCKS * sizeof(a)) {
		memcpy(&a, p + at, sizeof(a));
		memcpy(&b, p + at + 16, sizeof(b));
		memcpy(&c, p + at + 32, sizeof(c));
		memcpy(&d, p + at + 48, sizeof(d));
		diff = (a ^ pat) | (b ^ pat) | (c ^ pat) | (d ^ pat);
		if (diff[0] | diff[1]) {
			const rv_block w[RV_BLOCKS] = { a, b, c, d };

			*off = at + rv_block_miss(w, byte, found);
			return false;
		}
	}
	return true;
}

/*
 * Accept an index the device reports for its side of the ring: its new
 * write index (dev_is_producer) or its new read index. The device is
 * untrusted (spec 8.1 is what it promises): the index may not move
 * backwards, and the producer may never be more than the ring size ahead
 * of the consumer. Returns 0 and records the index, or -EIO leaving the
 * ring unchanged.
 */
int rv_ring_update(struct rv_ring *r, bool dev_is_producer, uint64_t index);

/*
 * Read the device's index for its side of r from r->dev_reg and accept
 * it with rv_ring_update(). Returns 0, or -errno with err naming the
 * failed BAR0 access (vfio_bar0_error()), or -EIO with a device error
 * (rv_ring_bad_index()): the index is never used.
 */
int rv_ring_refresh(struct vfio_dev *vfio, struct errmsg *err,
		    struct rv_ring *r);

/*
 * Barrier, then doorbell: write the driver's index of r to r->own_reg,
 * after the slots it covers. A producer's slot stores must reach memory
 * before the device sees the write index (rv_wmb()); a consumer's slot
 * loads must be done before the device may reuse the slots (rv_mb()).
 * Once per batch, never per message. A failed write (pread/pwrite path)
 * latches vfio_bar0_error(), which the caller checks.
 */
static inline void rv_ring_doorbell(struct vfio_dev *vfio,
				    const struct rv_ring *r)
{
	if (r->dev_produces) {
		rv_mb();
		rv_reg_write(vfio, r->own_reg, r->cons);
	} else {
		rv_wmb();
		rv_reg_write(vfio, r->own_reg, r->prod);
	}
}

/* Name an impossible index the device reported ("read" or "write"). */
int rv_ring_bad_index(struct errmsg *err, const struct rv_ring *r,
		      const char *which, uint64_t index);

/*
 * A BAR0 access failed (vfio_bar0_error()): the VFIO layer named the
 * access in err when it was the first failure; put what the driver was
 * doing before it (fmt), or, if err was cleared since, say it all.
 * Returns the access's -errno.
 */
int rv_bar_failed(struct vfio_dev *vfio, struct errmsg *err,
		  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The device went away while the driver waited for it (its vfio-user
 * server left): what (the wait, "exchange: after 12 of 42 messages")
 * and why into err. Returns the transport's -errno.
 */
int rv_device_gone(struct vfio_dev *vfio, struct errmsg *err,
		   const char *what);

/*
 * Something to tell the user when the device goes quiet: a failed BAR0
 * access, an IOMMU fault the device reports, or what to try. Appended to
 * err as a hint.
 */
void rv_hint_device_state(struct vfio_dev *vfio, struct errmsg *err);

#endif /* REVERE_HW_H */
