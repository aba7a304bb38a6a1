/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the rings lie in the I/O buffers of step 1: the three management
 * sockets in the first page, then the TX and RX data rings, the whole
 * aligned for any IOMMU page up to REVERE_BUF_ALIGN.
 */
#ifndef REVERE_LAYOUT_H
#define REVERE_LAYOUT_H

#include <stddef.h>

#include "revere_state.h"

/* Buffers are aligned for IOMMU pages up to this size. */
#define REVERE_BUF_ALIGN	0x10000ull

/*
 * Bytes of the I/O buffers a run maps for DMA, which the IOMMU pins and
 * charges to RLIMIT_MEMLOCK (the pre-flight compares the two).
 */
size_t revere_buffer_size(void);

/*
 * Place every ring of rd in rd->mem (at rd->iova for the device) and
 * give each its index registers (spec 3, 4).
 */
void revere_layout_rings(struct revere_dev *rd);

#endif /* REVERE_LAYOUT_H */
