/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the tests of the VFIO layer (test_vfio.c) and of the mock VFIO
 * kernel (test_mock_vfio.c) share: a simulated device built from a
 * configuration the test may change first, torn down whatever the test
 * left, and the mock's counters and device state to assert on.
 */
#ifndef MOCK_FIXTURE_H
#define MOCK_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mock_vfio.h"

#define PG		4096u		/* the mock's smallest IOMMU page */
#define IOVA		0x100000u	/* where tests map DMA */
/* A region of the device fd, at vfio-pci's fixed layout. */
#define REGION(i)	((off_t)MOCK_VFIO_REGION_OFFSET(i))

struct mock_fx {
	struct mock_vfio_config cfg;	/* defaults until the test changes it */
	struct mock_vfio *m;		/* NULL until mock_fx_start() */
};

/* Defaults (mock_vfio_default_config), nothing created yet. */
void mock_fx_init(struct mock_fx *mx);
/* Build the device from mx->cfg; fails the test if it cannot. */
void mock_fx_start(struct mock_fx *mx);
/* Like process exit: whatever is left open is released. */
void mock_fx_stop(struct mock_fx *mx);

struct mock_vfio_counters mock_fx_counters(struct mock_fx *mx);
struct rv_model_summary mock_fx_summary(struct mock_fx *mx);

/* Zeroed, page-aligned memory for DMA; fails the test if none. */
void *mock_fx_pages(size_t size);

/*
 * The tests' own accesses, as the driver, to memory the device thread
 * shares (mmap'd BAR0, DMA buffers): one function each, out of line, so
 * that ThreadSanitizer's judge (tests/tsan_shared.txt) tells them from a
 * race anywhere else in a test.
 */
void mock_fx_bar_store(volatile uint64_t *regs, uint64_t off, uint64_t val);
void mock_fx_dma_fill(void *buf, int byte, size_t len);

#endif /* MOCK_FIXTURE_H */
