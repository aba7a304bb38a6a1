// SPDX-License-Identifier: BSD-3-Clause
/* What a vfio-user socket serves: see vfio_user_probe.h. */
#include "vfio_user_probe.h"

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio.h"
#include "vfio_iommu.h"

static int probe_open(struct vfio_dev *dev, const char *path,
		      struct vfio_user_probe *p)
{
	int ret = vfio_open(dev, path, path);

	if (!ret)
		ret = vfio_cfg_read16(dev, PCI_VENDOR_ID, &p->vendor);
	if (!ret)
		ret = vfio_cfg_read16(dev, PCI_DEVICE_ID, &p->device);
	if (!ret)
		ret = vfio_bar0_map(dev, false);
	if (ret)
		return ret;
	p->bar0_size = vfio_bar0_size(dev);
	p->bar0_mmap = vfio_bar0_mapped(dev);
	p->msix = vfio_irq_vectors(dev, VFIO_PCI_MSIX_IRQ_INDEX);
	if (p->msix < 0)
		return p->msix;
	vfio_iommu_context(dev, p->context, sizeof(p->context));
	return 0;
}

int vfio_user_probe(const char *path, int timeout_ms,
		    struct vfio_user_probe *p, struct errmsg *err)
{
	struct vfio_dev dev;
	int ret, cret;

	*p = (struct vfio_user_probe){ 0 };
	vfio_init(&dev, &vfio_linux_ops, &vfio_user_backend);
	vfio_set_reply_timeout(&dev, timeout_ms);
	ret = probe_open(&dev, path, p);
	cret = vfio_close(&dev);
	if (ret || cret)
		*err = dev.err;
	return ret ? ret : cret;
}
