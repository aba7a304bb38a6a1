/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Revere PF's PCI configuration space, as vfio-pci presents a PCIe
 * endpoint's to its user: 4 KiB (a PCIe function has extended config
 * space), a type 0 header with the identity of spec 1, one 64-bit memory
 * BAR of RV_MODEL_BAR0_SIZE whose sizing works, a PCI Express capability
 * and an MSI-X capability (spec 8.11), and nothing else. The hosts signal
 * MSI-X through VFIO's interrupt index; the capability is what a virtual
 * machine's VFIO (QEMU) reads to give its guest MSI-X, with a table it
 * emulates itself, so the table's place in BAR0 holds nothing.
 *
 * Freestanding like the device model: every host of the simulated device
 * (the mock VFIO kernel, the mdev module) carries this one copy, so the
 * demo sees the same device everywhere; the real-kernel rig compares the
 * two byte for byte. The host owns the bytes and serialises access.
 */
#ifndef RV_PCI_CFG_H
#define RV_PCI_CFG_H

#include "revere.h"	/* types (kernel or user space) */

#define RV_PCI_CFG_SIZE		4096
/* Where the PCI Express capability sits: the first byte after the header. */
#define RV_PCI_CFG_PCIE_CAP	0x40
/* The MSI-X capability, after the PCI Express one's 60 bytes (spec 8.11). */
#define RV_PCI_CFG_MSIX_CAP	0x80
#define RV_PCI_CFG_MSIX_VECTORS	8
#define RV_PCI_CFG_MSIX_TABLE	0xf0000u	/* in BAR0 (BIR 0) */
#define RV_PCI_CFG_MSIX_PBA	0xf8000u	/* in BAR0 (BIR 0) */

/* Power-on contents, with the vendor and device IDs given. */
void rv_pci_cfg_power_on(uint8_t *cfg, uint16_t vendor, uint16_t device);

/*
 * What vfio-pci does to COMMAND when a user opens the device
 * (vfio_pci_core_enable()): memory decode on, bus mastering off.
 */
void rv_pci_cfg_open(uint8_t *cfg);

/*
 * A write of len bytes at off, as the device takes it: each byte keeps its
 * read-only bits and takes the writable ones. The caller has checked that
 * [off, off + len) lies inside RV_PCI_CFG_SIZE.
 */
void rv_pci_cfg_write(uint8_t *cfg, unsigned int off, const uint8_t *buf,
		      size_t len);

/*
 * The size of VFIO region index (VFIO_PCI_*_REGION_INDEX) for this
 * device: config space, BAR0, and 0 for the regions it does not have.
 */
uint64_t rv_pci_region_size(uint32_t index);

/* PCI COMMAND.BME, which gates the device's DMA (spec 1, 8.2). */
bool rv_pci_cfg_bus_master(const uint8_t *cfg);

#endif /* RV_PCI_CFG_H */
