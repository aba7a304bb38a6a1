// SPDX-License-Identifier: BSD-3-Clause
/*
 * The Revere PF's PCI configuration space, emulated: a type 0 header with
 * the identity of spec 1, one 64-bit memory BAR and no capabilities.
 *
 * Every byte has a write mask: a write keeps the read-only bits and takes
 * the writable ones. That single rule gives BAR sizing for free (write all
 * ones, read back the size's complement with the type bits intact), which
 * is what pci_read_bases() and lspci rely on.
 */
#include <asm/unaligned.h>
#include <linux/pci_regs.h>
#include <linux/string.h>

#include "rv_mdev.h"

/*
 * Base class 12h, subclass 00h: processing accelerator (PCI Code and ID
 * Assignment specification). Revere is one; the spec does not give a code.
 */
#define RV_CFG_CLASS		0x120000
#define RV_CFG_REVISION		0x00

/*
 * BAR0: memory (spec 1), 64-bit because the registers are 64-bit and a
 * real PF may sit above 4 GiB, non-prefetchable because register reads and
 * writes have side effects. RV_MODEL_BAR0_SIZE is spec 8.9's 1 MiB.
 */
#define RV_CFG_BAR0_FLAGS	(PCI_BASE_ADDRESS_SPACE_MEMORY | \
				 PCI_BASE_ADDRESS_MEM_TYPE_64)

/* The address bits of BAR0 and BAR1 taken as one 64-bit register. */
#define RV_CFG_BAR0_WMASK	(~(u64)(RV_MODEL_BAR0_SIZE - 1) & \
				 ~(u64)~PCI_BASE_ADDRESS_MEM_MASK)

/* Which bits of the byte at off software may change. */
static u8 rv_cfg_wmask(unsigned int off)
{
	switch (off) {
	case PCI_COMMAND:
		/*
		 * Memory decode and bus mastering: all a Revere PF uses. The
		 * device has no I/O BAR and no INTx, so those bits read 0.
		 */
		return PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	case PCI_CACHE_LINE_SIZE:
	case PCI_LATENCY_TIMER:
	case PCI_INTERRUPT_LINE:
		/* Plain storage for system software in every PCI device. */
		return 0xff;
	}
	if (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_2)
		return (u8)(RV_CFG_BAR0_WMASK >> (8 * (off - PCI_BASE_ADDRESS_0)));
	return 0;
}

void rv_cfg_power_on(u8 *cfg)
{
	memset(cfg, 0, RV_CFG_SIZE);
	put_unaligned_le16(RV_PCI_VENDOR_ARM, cfg + PCI_VENDOR_ID);
	put_unaligned_le16(RV_PCI_DEVICE_PF, cfg + PCI_DEVICE_ID);
	put_unaligned_le32(RV_CFG_CLASS << 8 | RV_CFG_REVISION,
			   cfg + PCI_CLASS_REVISION);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put_unaligned_le32(RV_CFG_BAR0_FLAGS, cfg + PCI_BASE_ADDRESS_0);
	put_unaligned_le16(RV_PCI_VENDOR_ARM, cfg + PCI_SUBSYSTEM_VENDOR_ID);
	put_unaligned_le16(RV_PCI_DEVICE_PF, cfg + PCI_SUBSYSTEM_ID);
}

/* The caller has checked that [off, off + len) lies inside RV_CFG_SIZE. */
void rv_cfg_write(u8 *cfg, unsigned int off, const u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		u8 mask = rv_cfg_wmask(off + i);

		cfg[off + i] = (cfg[off + i] & ~mask) | (buf[i] & mask);
	}
}

/* PCI COMMAND.BME, which gates the device's DMA (spec 1, 8.2). */
bool rv_cfg_bus_master(const u8 *cfg)
{
	return get_unaligned_le16(cfg + PCI_COMMAND) & PCI_COMMAND_MASTER;
}
