// SPDX-License-Identifier: BSD-3-Clause
/*
 * cfg-dump: a device's whole PCI configuration space, as its VFIO user
 * reads it through the config region, one line of 16 hex bytes per row.
 * The rig runs it on the mdev and on the mock VFIO kernel (--sim) and
 * compares the two byte for byte: both must present the one config space
 * of sim/rv_pci_cfg.c, as vfio-pci presents a PCIe endpoint's.
 *
 * Usage: cfg-dump [--iommu NAME] PATH DEVICE
 *        cfg-dump --sim
 * PATH is what the IOMMU backend NAME of vfio.c opens (vfio_iommu.h; the
 * layer's default without --iommu): the group file /dev/vfio/N for type1,
 * the device file /dev/vfio/devices/vfioN for iommufd.
 * Exits 0, or 1 with one line on stderr, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mock_vfio.h"
#include "vfio.h"

#define PROG	"cfg-dump"

static int dump(struct vfio_dev *dev)
{
	uint8_t b;
	uint32_t off;
	int ret;

	for (off = 0; off < dev->config.size; off++) {
		ret = vfio_cfg_read8(dev, off, &b);
		if (ret)
			return ret;
		printf("%s%02x", off % 16 ? " " : off ? "\n" : "", b);
	}
	putchar('\n');
	return 0;
}

static int run(const struct vfio_ops *ops,
	       const struct vfio_iommu_backend *iommu, const char *path,
	       const char *device)
{
	struct vfio_dev dev;
	int ret;

	vfio_init(&dev, ops, iommu);
	ret = vfio_open(&dev, path, device);
	if (!ret)
		ret = dump(&dev);
	if (ret)
		fprintf(stderr, PROG ": %s\n", dev.err.msg);
	vfio_close(&dev);
	return ret ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " [--iommu NAME] PATH DEVICE | " PROG " --sim\n");
	return 2;
}

/* The device through the IOMMU backend called name. */
static int run_with(const char *name, const char *path, const char *device)
{
	const struct vfio_iommu_backend *iommu = vfio_iommu_backend(name);

	if (!iommu) {
		fprintf(stderr, PROG ": no IOMMU backend '%s' in this build of vfio.c\n",
			name);
		return 2;
	}
	return run(&vfio_linux_ops, iommu, path, device);
}

int main(int argc, char *argv[])
{
	struct mock_vfio_config cfg;
	struct mock_vfio *m;
	int ret;

	if (argc == 3)
		return run(&vfio_linux_ops, NULL, argv[1], argv[2]);
	if (argc == 5 && !strcmp(argv[1], "--iommu"))
		return run_with(argv[2], argv[3], argv[4]);
	if (argc != 2 || strcmp(argv[1], "--sim"))
		return usage();
	mock_vfio_default_config(&cfg);
	m = mock_vfio_create(&cfg);
	if (!m) {
		fprintf(stderr, PROG ": creating the simulated device: %s\n",
			strerror(errno));
		return 1;
	}
	ret = run(mock_vfio_ops(m), NULL, mock_vfio_group_path(m),
		  mock_vfio_device_name(m));
	mock_vfio_destroy(m);
	return ret;
}
