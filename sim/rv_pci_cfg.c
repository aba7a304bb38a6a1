// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere PF's PCI configuration space (rv_pci_cfg.h). Every byte has a
 * write mask: a write keeps the read-only bits and takes the writable ones.
 * That single rule gives BAR sizing for free (write all ones, read back the
 * size's complement with the type bits intact), which is what Linux's
 * pci_read_bases() and lspci rely on.
 */
#include "rv_pci_cfg.h"

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "revere_model.h"	/* RV_MODEL_BAR0_SIZE */

/*
 * Base class 12h, subclass 00h: processing accelerator (PCI Code and ID
 * Assignment specification). Revere is one; the spec does not give a code.
 */
#define CFG_CLASS		0x120000u
#define CFG_REVISION		0x00u

/*
 * BAR0: memory (spec 1), 64-bit because the registers are 64-bit and a
 * real PF may sit above 4 GiB, non-prefetchable because register reads and
 * writes have side effects. RV_MODEL_BAR0_SIZE is spec 8.9's 1 MiB.
 */
#define CFG_BAR0_FLAGS		(PCI_BASE_ADDRESS_SPACE_MEMORY | \
				 PCI_BASE_ADDRESS_MEM_TYPE_64)

/* The address bits of BAR0 and BAR1 taken as one 64-bit register. */
#define CFG_BAR0_WMASK		(~(uint64_t)(RV_MODEL_BAR0_SIZE - 1) & \
				 ~(uint64_t)~PCI_BASE_ADDRESS_MEM_MASK)

/*
 * COMMAND bits a PCIe endpoint implements as read-write (PCI Express Base
 * Specification, Command register): memory decode, bus mastering, parity
 * error response and SERR# enable. No I/O BAR and no INTx: those bits are
 * hardwired to 0.
 */
#define CFG_COMMAND_WMASK	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR)

/* PCI Express Capabilities register: version 2, an endpoint. */
#define CFG_PCIE_FLAGS		(2 | PCI_EXP_TYPE_ENDPOINT << 4)

/* MSI-X Message Control bits software owns: enable and function mask. */
#define CFG_MSIX_FLAGS_WMASK	(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Which bits of the byte at off software may change. */
static uint8_t wmask(unsigned int off)
{
	switch (off) {
	case PCI_COMMAND:
		return (uint8_t)CFG_COMMAND_WMASK;
	case PCI_COMMAND + 1:
		return (uint8_t)(CFG_COMMAND_WMASK >> 8);
	case PCI_CACHE_LINE_SIZE:
	case PCI_LATENCY_TIMER:
	case PCI_INTERRUPT_LINE:
		/* Plain storage for system software in every PCI device. */
		return 0xff;
	}
	if (off == RV_PCI_CFG_MSIX_CAP + PCI_MSIX_FLAGS + 1)
		return (uint8_t)(CFG_MSIX_FLAGS_WMASK >> 8);
	if (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_2)
		return (uint8_t)(CFG_BAR0_WMASK >> (8 * (off - PCI_BASE_ADDRESS_0)));
	return 0;
}

void rv_pci_cfg_power_on(uint8_t *cfg, uint16_t vendor, uint16_t device)
{
	memset(cfg, 0, RV_PCI_CFG_SIZE);
	put16(cfg + PCI_VENDOR_ID, vendor);
	put16(cfg + PCI_DEVICE_ID, device);
	put16(cfg + PCI_STATUS, PCI_STATUS_CAP_LIST);
	put32(cfg + PCI_CLASS_REVISION, CFG_CLASS << 8 | CFG_REVISION);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put32(cfg + PCI_BASE_ADDRESS_0, CFG_BAR0_FLAGS);
	put16(cfg + PCI_SUBSYSTEM_VENDOR_ID, vendor);
	put16(cfg + PCI_SUBSYSTEM_ID, device);
	cfg[PCI_CAPABILITY_LIST] = RV_PCI_CFG_PCIE_CAP;
	cfg[RV_PCI_CFG_PCIE_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	cfg[RV_PCI_CFG_PCIE_CAP + PCI_CAP_LIST_NEXT] = RV_PCI_CFG_MSIX_CAP;
	put16(cfg + RV_PCI_CFG_PCIE_CAP + PCI_EXP_FLAGS, CFG_PCIE_FLAGS);
	/* MSI-X (spec 8.11): the last capability. Extended space reads 0. */
	cfg[RV_PCI_CFG_MSIX_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	put16(cfg + RV_PCI_CFG_MSIX_CAP + PCI_MSIX_FLAGS,
	      RV_PCI_CFG_MSIX_VECTORS - 1);
	put32(cfg + RV_PCI_CFG_MSIX_CAP + PCI_MSIX_TABLE, RV_PCI_CFG_MSIX_TABLE);
	put32(cfg + RV_PCI_CFG_MSIX_CAP + PCI_MSIX_PBA, RV_PCI_CFG_MSIX_PBA);
}

void rv_pci_cfg_open(uint8_t *cfg)
{
	put16(cfg + PCI_COMMAND, PCI_COMMAND_MEMORY);
}

void rv_pci_cfg_write(uint8_t *cfg, unsigned int off, const uint8_t *buf,
		      size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t mask = wmask(off + (unsigned int)i);

		cfg[off + i] = (uint8_t)((cfg[off + i] & ~mask) | (buf[i] & mask));
	}
}

bool rv_pci_cfg_bus_master(const uint8_t *cfg)
{
	return cfg[PCI_COMMAND] & PCI_COMMAND_MASTER;
}

uint64_t rv_pci_region_size(uint32_t index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return RV_PCI_CFG_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX:
		return RV_MODEL_BAR0_SIZE;
	default:
		return 0;
	}
}
