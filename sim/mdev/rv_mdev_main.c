// SPDX-License-Identifier: BSD-3-Clause
/*
 * revere_mdev: a mediated-device parent offering one type, "revere-pf",
 * whose instances are simulated Revere-AMU PFs (see rv_mdev.h).
 *
 *   insmod revere_mdev.ko
 *   T=/sys/class/mdev_bus/revere_mdev/mdev_supported_types/revere-pf
 *   echo $UUID > $T/create
 *   revere-vfio-demo --vfio-group /dev/vfio/$(basename $(readlink \
 *       /sys/bus/mdev/devices/$UUID/iommu_group)) --device $UUID
 *   cat /sys/bus/mdev/devices/$UUID/revere_state
 *   echo 1 > /sys/bus/mdev/devices/$UUID/remove
 *   rmmod revere_mdev
 *
 * The type's directory is named "<parent's driver or class>-<sysfs_name>"
 * by the mdev core, hence the class "revere" and the type "pf".
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/version.h>

#include "rv_mdev.h"

#define RV_CLASS_NAME		"revere"
#define RV_PARENT_NAME		"revere_mdev"

/* Each instance carries its own model; a handful is plenty for tests. */
#define RV_MAX_INSTANCES	4

static struct class *rv_class;
static struct device *rv_parent_dev;
static struct mdev_parent rv_parent;

static struct mdev_type rv_type_pf = {
	.sysfs_name = "pf",
	.pretty_name = "Revere-AMU v2 PF (simulated)",
};

static struct mdev_type *rv_types[] = { &rv_type_pf };

/* The model's summary on one line (revere_state, and the remove log). */
static int rv_state_format(struct rv_mdev *rv, char *buf, size_t size)
{
	struct rv_model_summary s;
	u64 signalled;

	mutex_lock(&rv->lock);
	rv_model_summary(&rv->model, &s);
	signalled = rv->msix_signalled;
	mutex_unlock(&rv->lock);

	return scnprintf(buf, size,
			 "amu_enabled=%d bus_master=%d ami_sw_enabled=%u "
			 "ami_hw_enabled=%u asn_count=%u ami_sw_mapped=%u "
			 "ami_hw_mapped=%u commands=%llu messages=%llu "
			 "iommu_fault=%d irqs=%llu msix_signalled=%llu",
			 s.amu_enabled, s.bus_master, s.ami_sw_enabled,
			 s.ami_hw_enabled, s.asn_count, s.ami_sw_mapped,
			 s.ami_hw_mapped, (unsigned long long)s.commands,
			 (unsigned long long)s.messages, s.iommu_fault,
			 (unsigned long long)s.irqs,
			 (unsigned long long)signalled);
}

/*
 * revere_state: the model's summary, for tests that check how a driver
 * left the device (e.g. quiesced after SIGINT).
 */
static ssize_t revere_state_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	int n = rv_state_format(dev_get_drvdata(dev), buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	return n;
}
static DEVICE_ATTR_RO(revere_state);

static struct attribute *rv_mdev_attrs[] = {
	&dev_attr_revere_state.attr,
	NULL,
};

static const struct attribute_group rv_mdev_group = {
	.attrs = rv_mdev_attrs,
};

static const struct attribute_group *rv_mdev_groups[] = {
	&rv_mdev_group,
	NULL,
};

/* A new instance: the vfio_device (and its model) and its group. */
static int rv_mdev_probe(struct mdev_device *mdev)
{
	struct rv_mdev *rv;
	int ret;

	rv = vfio_alloc_device(rv_mdev, vdev, &mdev->dev, &rv_mdev_vfio_ops);
	if (IS_ERR(rv))
		return PTR_ERR(rv);

	/*
	 * No IOMMU sits in front of an mdev: "emulated IOMMU" gives it a
	 * group of its own, and its DMA is vfio_dma_rw() on the container's
	 * mappings.
	 */
	ret = vfio_register_emulated_iommu_dev(&rv->vdev);
	if (ret) {
		vfio_put_device(&rv->vdev);
		return ret;
	}
	dev_set_drvdata(&mdev->dev, rv);
	return 0;
}

/*
 * Asks the user for the device back if it holds it (rv_mdev_request()),
 * waits for the device fd to be closed, then frees (via .release). The
 * revere_state attribute goes with the device: the state the user left
 * is logged instead, so that a test can still check it was quiesced.
 */
static void rv_mdev_remove(struct mdev_device *mdev)
{
	struct rv_mdev *rv = dev_get_drvdata(&mdev->dev);
	char state[256];

	vfio_unregister_group_dev(&rv->vdev);
	rv_state_format(rv, state, sizeof(state));
	dev_info(&mdev->dev, "removed; revere_state: %s\n", state);
	vfio_put_device(&rv->vdev);
}

static ssize_t rv_mdev_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "Revere-AMU v2 PF (13b5:ff81) with the inversion "
			  "AHA, simulated by sim/revere_model.c\n");
}

static struct mdev_driver rv_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.max_instances = RV_MAX_INSTANCES,
	.probe = rv_mdev_probe,
	.remove = rv_mdev_remove,
	.show_description = rv_mdev_show_description,
	.driver = {
		.name = "revere_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = rv_mdev_groups,
	},
};

static void rv_parent_release(struct device *dev)
{
	kfree(dev);
}

/* The device the mdevs hang off: a class device, nothing behind it. */
static int rv_parent_create(void)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->class = rv_class;
	dev->release = rv_parent_release;
	ret = dev_set_name(dev, RV_PARENT_NAME);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		put_device(dev);	/* frees the name and dev */
		return ret;
	}
	rv_parent_dev = dev;
	return 0;
}

static void rv_parent_destroy(void)
{
	device_unregister(rv_parent_dev);
	rv_parent_dev = NULL;
}

static int __init rv_mdev_init(void)
{
	int ret;

	ret = mdev_register_driver(&rv_mdev_driver);
	if (ret)
		return ret;

	/* class_create() lost its owner argument in 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	rv_class = class_create(RV_CLASS_NAME);
#else
	rv_class = class_create(THIS_MODULE, RV_CLASS_NAME);
#endif
	if (IS_ERR(rv_class)) {
		ret = PTR_ERR(rv_class);
		goto err_driver;
	}

	ret = rv_parent_create();
	if (ret)
		goto err_class;

	ret = mdev_register_parent(&rv_parent, rv_parent_dev, &rv_mdev_driver,
				   rv_types, ARRAY_SIZE(rv_types));
	if (ret)
		goto err_parent;
	return 0;

err_parent:
	rv_parent_destroy();
err_class:
	class_destroy(rv_class);
err_driver:
	mdev_unregister_driver(&rv_mdev_driver);
	return ret;
}

/* mdev_unregister_parent() removes any instances left. */
static void __exit rv_mdev_exit(void)
{
	mdev_unregister_parent(&rv_parent);
	rv_parent_destroy();
	class_destroy(rv_class);
	mdev_unregister_driver(&rv_mdev_driver);
}

module_init(rv_mdev_init);
module_exit(rv_mdev_exit);

/*
 * The source is BSD-3-Clause, which is GPL-compatible; "Dual BSD/GPL" is
 * the license string the kernel knows for that, and what lets the module
 * use the GPL-only vfio and mdev symbols.
 */
MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("Simulated Revere-AMU v2 PF as a VFIO mediated device");
MODULE_SOFTDEP("pre: mdev vfio_iommu_type1");
