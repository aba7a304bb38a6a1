// SPDX-License-Identifier: BSD-3-Clause
/*
 * The vfio_device of a mediated Revere PF: what user space sees on the
 * device fd. It presents itself as vfio-pci presents a real PCI function
 * (VFIO_DEVICE_FLAGS_PCI, the VFIO_PCI_*_INDEX regions and interrupts) so
 * that a driver written for vfio-pci runs on it unchanged:
 *
 *   config region  4 KiB, emulated (sim/rv_pci_cfg.c), read and write
 *   BAR0 region    RV_MODEL_BAR0_SIZE, 64-bit registers, read and write
 *                  through pread/pwrite only: there is no memory to mmap,
 *                  every access is a call into the model
 *   MSI-X          RV_MDEV_MSIX_COUNT vectors, each an eventfd
 *   device request VFIO_PCI_REQ_IRQ_INDEX, one eventfd: signalled when the
 *                  mdev is removed while a user holds it (rv_mdev_request)
 *   reset          VFIO_DEVICE_RESET -> rv_model_reset()
 *   DMA            vfio_dma_rw() on the mappings of whoever holds the
 *                  device: a type1 container (group file) or an iommufd
 *                  IOAS (device file, vfio_iommufd_emulated_*)
 *
 * The model is passive: it only runs inside rv_mdev_run(), which steps it
 * until it has nothing left to do. Every BAR0 write and every COMMAND
 * write queues run_work, which calls it from a kworker: the device works
 * after the access, as hardware does, not inside it. A driver that writes
 * a doorbell and then waits therefore really waits, and an MSI-X message
 * reaches its eventfd from another thread while it sleeps in poll(2),
 * which is what --wait irq needs to be tested here. (Run inside pwrite(),
 * the work was always done before the driver looked, and no driver ever
 * blocked on an interrupt.)
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/pci_regs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/workqueue.h>

#include "rv_mdev.h"

/*
 * Region offsets on the device fd: index << 40. This is vfio-pci's layout
 * (VFIO_PCI_OFFSET_SHIFT, include/linux/vfio_pci_core.h); user space learns
 * it from VFIO_DEVICE_GET_REGION_INFO, but tools like to assume it.
 */
#define RV_OFFSET_SHIFT		40
#define RV_OFFSET_MASK		((1ull << RV_OFFSET_SHIFT) - 1)
#define RV_INDEX_TO_OFFSET(i)	((u64)(i) << RV_OFFSET_SHIFT)
#define RV_OFFSET_TO_INDEX(o)	((o) >> RV_OFFSET_SHIFT)

/*
 * rv_model_step() does at most RV_MODEL_STEP_BUDGET units of work; a
 * doorbell can release at most a couple of rings' worth (64 slots in the
 * demo), so this bound is never reached by a working model. It only keeps
 * a model bug from holding a kworker (and rv->lock) forever.
 */
#define RV_MDEV_MAX_STEPS	4096

static struct rv_mdev *to_rv(struct vfio_device *vdev)
{
	return container_of(vdev, struct rv_mdev, vdev);
}

/* Let the model do everything that is pending. */
static void rv_mdev_run(struct rv_mdev *rv)
{
	unsigned int i;

	lockdep_assert_held(&rv->lock);
	for (i = 0; i < RV_MDEV_MAX_STEPS; i++) {
		if (!rv_model_step(&rv->model))
			return;
		cond_resched();
	}
	dev_warn_ratelimited(rv->vdev.dev,
			     "device model still busy after %u steps; the rest waits for the next access\n",
			     i);
}

/*
 * How long the device takes to start on what an access gave it, for all
 * instances; 0 (the default) is at once. The rig sets it for its --wait
 * irq runs, so that every look of the demo's right after a doorbell finds
 * nothing new and it must sleep until the interrupt: without it, whether
 * a management command's response is already there at the first look is
 * a race with the kworker.
 */
static unsigned int latency_us;
module_param(latency_us, uint, 0644);
MODULE_PARM_DESC(latency_us,
		 "microseconds before the device starts the work an access gave it (default 0)");

/*
 * A device that stops, for all instances: while set, no access gives the
 * device work (it still answers register reads), as hardware that hangs.
 * The rig sets it in the middle of an exchange to show that the demo's
 * wide --timeout there still catches a device that stops; work given
 * before it was set may still finish.
 */
static bool halted;
module_param(halted, bool, 0644);
MODULE_PARM_DESC(halted,
		 "the device starts no more work until this is 0 again (default 0)");

/*
 * The device at work (rv->run_work), on the unbound system workqueue: a
 * device does not take the CPU of the driver that rang its doorbell, so
 * the driver's next look may come before the work is done (and then it
 * waits for the interrupt), as with hardware. Its DMA
 * goes through vfio_dma_rw(), which type1 allows from a kthread: it
 * borrows the mm of the process that mapped the IOVA (kthread_use_mm()).
 * close_device flushes it, so it never runs on a device nobody holds.
 */
static void rv_mdev_run_work(struct work_struct *work)
{
	struct rv_mdev *rv = container_of(to_delayed_work(work),
					  struct rv_mdev, run_work);

	mutex_lock(&rv->lock);
	rv_mdev_run(rv);
	mutex_unlock(&rv->lock);
}

/* Something may have given the device work: let it run, after us. */
static void rv_mdev_kick(struct rv_mdev *rv)
{
	lockdep_assert_held(&rv->lock);
	if (READ_ONCE(halted))
		return;
	/* Already queued: that run will find this work too. */
	queue_delayed_work(system_unbound_wq, &rv->run_work,
			   usecs_to_jiffies(READ_ONCE(latency_us)));
}

/* ---- The model's host callbacks (called with rv->lock held) ---- */

/*
 * Device DMA goes through the container's IOMMU mappings, as a real
 * device's would: vfio_dma_rw() copies from or to the user pages behind
 * iova and fails when no MAP_DMA covers the range (or, for a write, when
 * the mapping is read-only). The model takes that failure as an IOMMU
 * fault (spec 8.4).
 */
static int rv_mdev_dma_read(void *host, uint64_t iova, void *buf, size_t len)
{
	struct rv_mdev *rv = host;

	if (!len)
		return 0;
	return vfio_dma_rw(&rv->vdev, iova, buf, len, false);
}

static int rv_mdev_dma_write(void *host, uint64_t iova, const void *buf,
			     size_t len)
{
	struct rv_mdev *rv = host;

	if (!len)
		return 0;
	/* vfio_dma_rw() only reads the buffer when write is true. */
	return vfio_dma_rw(&rv->vdev, iova, (void *)buf, len, true);
}

/*
 * An MSI-X message (spec 8.8). The vector comes from device state that
 * software programmed, so it is checked like any device input. A vector
 * without an eventfd is not enabled: the message is dropped, as an MSI-X
 * function drops it when MSI-X is off.
 */
static void rv_mdev_msix(void *host, uint32_t vector)
{
	struct rv_mdev *rv = host;

	lockdep_assert_held(&rv->lock);
	if (vector >= RV_MDEV_MSIX_COUNT || !rv->msix[vector])
		return;
	rv_eventfd_signal(rv->msix[vector]);
	rv->msix_signalled++;
}

/* ---- Life cycle ---- */

static int rv_mdev_init_dev(struct vfio_device *vdev)
{
	struct rv_mdev *rv = to_rv(vdev);
	const struct rv_model_host host = {
		.host = rv,
		.dma_read = rv_mdev_dma_read,
		.dma_write = rv_mdev_dma_write,
		.msix = rv_mdev_msix,
	};
	struct rv_model_params params;

	mutex_init(&rv->lock);
	INIT_DELAYED_WORK(&rv->run_work, rv_mdev_run_work);
	rv_pci_cfg_power_on(rv->cfg, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
	rv_model_default_params(&params);
	if (rv_model_init(&rv->model, &params, &host)) {
		mutex_destroy(&rv->lock);
		return -EINVAL;
	}
	return 0;
}

/*
 * The last vfio_put_device(). In Linux 6.1 the driver frees the
 * allocation here; from 6.2 the core does it after this returns
 * (vfio_device_release()).
 */
static void rv_mdev_release_dev(struct vfio_device *vdev)
{
	struct rv_mdev *rv = to_rv(vdev);

	mutex_destroy(&rv->lock);
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	vfio_free_device(vdev);
#endif
}

/* Disconnect every MSI-X vector from its eventfd. */
static void rv_mdev_msix_release(struct rv_mdev *rv, unsigned int start,
				 unsigned int count)
{
	unsigned int i;

	lockdep_assert_held(&rv->lock);
	for (i = start; i < start + count; i++) {
		if (rv->msix[i])
			eventfd_ctx_put(rv->msix[i]);
		rv->msix[i] = NULL;
	}
}

static void rv_mdev_req_release(struct rv_mdev *rv)
{
	lockdep_assert_held(&rv->lock);
	if (rv->req)
		eventfd_ctx_put(rv->req);
	rv->req = NULL;
}

/*
 * A new user gets a device fresh from power-on, as vfio-pci resets the
 * function when the device is opened and enables its memory decode.
 */
static int rv_mdev_open_device(struct vfio_device *vdev)
{
	struct rv_mdev *rv = to_rv(vdev);

	mutex_lock(&rv->lock);
	rv_pci_cfg_power_on(rv->cfg, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
	rv_pci_cfg_open(rv->cfg);
	rv_model_reset(&rv->model);
	rv->msix_signalled = 0;
	rv_model_set_bus_master(&rv->model, false);
	mutex_unlock(&rv->lock);
	return 0;
}

/*
 * The user is gone: let the device finish what the last access queued
 * (vfio_dma_rw() still works until we return; if the user's mm is gone
 * already, as when it was killed, its DMA fails and the model takes an
 * IOMMU fault, as hardware would), then drop the eventfds it gave us. The model is left as the user left it, unlike vfio-pci, which
 * resets a real device here: the rig reads the revere_state attribute
 * afterwards to check that the driver itself quiesced the device, and a
 * reset would hide a driver that did not. Nothing can queue run_work
 * until the next open (only region accesses do), so no DMA happens in
 * between.
 */
static void rv_mdev_close_device(struct vfio_device *vdev)
{
	struct rv_mdev *rv = to_rv(vdev);

	flush_delayed_work(&rv->run_work);
	mutex_lock(&rv->lock);
	rv_mdev_msix_release(rv, 0, RV_MDEV_MSIX_COUNT);
	rv_mdev_req_release(rv);
	mutex_unlock(&rv->lock);
}

/*
 * The mdev is being removed while a user holds it: vfio_unregister_group_dev()
 * calls this at once and then every 10 seconds (count is the call number)
 * until the user closes the device fd, and the remove waits that long. We
 * tell the user through the eventfd it routed to VFIO_PCI_REQ_IRQ_INDEX,
 * as vfio-pci does for a PCI function being unbound.
 */
static void rv_mdev_request(struct vfio_device *vdev, unsigned int count)
{
	struct rv_mdev *rv = to_rv(vdev);

	mutex_lock(&rv->lock);
	if (rv->req) {
		dev_info_ratelimited(vdev->dev,
				     "asking the user for the device back (request %u)\n",
				     count);
		rv_eventfd_signal(rv->req);
	} else if (!count) {
		dev_warn(vdev->dev,
			 "the user routed no device request; waiting until it closes the device\n");
	}
	mutex_unlock(&rv->lock);
}

/*
 * type1 (or iommufd, for the device file) calls this before it unmaps an
 * IOVA range from which this device pinned pages. We never pin (every
 * access is a vfio_dma_rw() copy), so there is nothing to give back:
 * after the unmap the model's accesses to the range fail and it takes an
 * IOMMU fault, as hardware would. Must not take rv->lock: vfio_dma_rw()
 * holds type1's lock while we hold ours.
 */
static void rv_mdev_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
}

/* ---- Regions ---- */

/*
 * Config space: any size at any offset, as PCI allows, through a small
 * bounce buffer (4 KiB would not fit on the kernel stack).
 */
#define RV_CFG_CHUNK	64

static ssize_t rv_cfg_chunk(struct rv_mdev *rv, char __user *ubuf,
			    size_t count, u64 off, bool write)
{
	u8 buf[RV_CFG_CHUNK];

	if (!write) {
		mutex_lock(&rv->lock);
		memcpy(buf, rv->cfg + off, count);
		mutex_unlock(&rv->lock);
		return copy_to_user(ubuf, buf, count) ? -EFAULT : 0;
	}
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	mutex_lock(&rv->lock);
	rv_pci_cfg_write(rv->cfg, off, buf, count);
	if (off < PCI_COMMAND + 2 && off + count > PCI_COMMAND) {
		/* BME gates the device's DMA (spec 8.2): work may resume. */
		rv_model_set_bus_master(&rv->model,
					rv_pci_cfg_bus_master(rv->cfg));
		rv_mdev_kick(rv);
	}
	mutex_unlock(&rv->lock);
	return 0;
}

static ssize_t rv_cfg_rw(struct rv_mdev *rv, char __user *ubuf, size_t count,
			 u64 off, bool write)
{
	size_t done, n;
	ssize_t ret;

	for (done = 0; done < count; done += n) {
		n = min_t(size_t, count - done, RV_CFG_CHUNK);
		ret = rv_cfg_chunk(rv, ubuf + done, n, off + done, write);
		if (ret)
			return ret;
	}
	return count;
}

/*
 * BAR0: registers are 64 bits wide and accessed with aligned 64-bit loads
 * and stores (spec, Conventions), so only whole aligned registers are
 * decoded; a longer access is a run of them. Anything else is refused
 * rather than guessed at (a 32-bit store to half a doorbell has no
 * meaning the spec defines).
 */
static ssize_t rv_bar0_rw(struct rv_mdev *rv, char __user *ubuf, size_t count,
			  u64 off, bool write)
{
	size_t done;

	if (!IS_ALIGNED(off, sizeof(u64)) || !IS_ALIGNED(count, sizeof(u64)))
		return -EINVAL;

	for (done = 0; done < count; done += sizeof(u64)) {
		__le64 le;

		if (write && copy_from_user(&le, ubuf + done, sizeof(le)))
			return -EFAULT;
		mutex_lock(&rv->lock);
		if (write) {
			rv_model_write(&rv->model, off + done,
				       le64_to_cpu(le));
			rv_mdev_kick(rv);
		} else {
			le = cpu_to_le64(rv_model_read(&rv->model,
						       off + done));
		}
		mutex_unlock(&rv->lock);
		if (!write && copy_to_user(ubuf + done, &le, sizeof(le)))
			return -EFAULT;
	}
	return count;
}

static ssize_t rv_mdev_rw(struct vfio_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos, bool write)
{
	struct rv_mdev *rv = to_rv(vdev);
	u64 pos = *ppos;
	u64 index = RV_OFFSET_TO_INDEX(pos);
	u64 off = pos & RV_OFFSET_MASK;
	u64 size;
	ssize_t ret;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	size = rv_pci_region_size(index);
	if (!count || off >= size || count > size - off)
		return -EINVAL;

	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		ret = rv_cfg_rw(rv, buf, count, off, write);
	else
		ret = rv_bar0_rw(rv, buf, count, off, write);
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t rv_mdev_read(struct vfio_device *vdev, char __user *buf,
			    size_t count, loff_t *ppos)
{
	return rv_mdev_rw(vdev, buf, count, ppos, false);
}

static ssize_t rv_mdev_write(struct vfio_device *vdev, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	/* The write path only reads the user buffer. */
	return rv_mdev_rw(vdev, (char __user *)buf, count, ppos, true);
}

/* ---- ioctls ---- */

static long rv_ioctl_device_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Every vfio-pci region index exists; those the Revere PF does not have
 * (BAR1-5, ROM, VGA) have size 0, as vfio-pci reports absent BARs.
 */
static long rv_ioctl_region_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	info.size = rv_pci_region_size(info.index);
	info.flags = info.size ? VFIO_REGION_INFO_FLAG_READ |
				 VFIO_REGION_INFO_FLAG_WRITE : 0;
	info.offset = RV_INDEX_TO_OFFSET(info.index);
	info.cap_offset = 0;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static unsigned int rv_irq_count(unsigned int index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return RV_MDEV_MSIX_COUNT;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

/* MSI-X and the device request: no INTx pin, no MSI, no error IRQ. */
static long rv_ioctl_irq_info(void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.count = rv_irq_count(info.index);
	/* NORESIZE, as vfio-pci 6.1 says of every index but INTx. */
	info.flags = info.count ? VFIO_IRQ_INFO_EVENTFD |
				  VFIO_IRQ_INFO_NORESIZE : 0;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Route vectors [start, start + count) to the eventfds in fds (-1: none).
 * All eventfds are looked up before any vector changes, so a bad fd leaves
 * the routing as it was.
 */
static int rv_msix_set_eventfds(struct rv_mdev *rv, unsigned int start,
				unsigned int count, const s32 *fds)
{
	struct eventfd_ctx *ctx[RV_MDEV_MSIX_COUNT] = { NULL };
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (fds[i] < 0)
			continue;
		ctx[i] = eventfd_ctx_fdget(fds[i]);
		if (IS_ERR(ctx[i])) {
			int err = PTR_ERR(ctx[i]);

			while (i--)
				if (ctx[i])
					eventfd_ctx_put(ctx[i]);
			return err;
		}
	}

	mutex_lock(&rv->lock);
	rv_mdev_msix_release(rv, start, count);
	memcpy(&rv->msix[start], ctx, count * sizeof(ctx[0]));
	mutex_unlock(&rv->lock);
	return 0;
}

/* Fire vectors from user space (DATA_NONE, or DATA_BOOL where true). */
static void rv_msix_trigger(struct rv_mdev *rv, unsigned int start,
			    unsigned int count, const u8 *bools)
{
	unsigned int i;

	mutex_lock(&rv->lock);
	for (i = 0; i < count; i++)
		if (!bools || bools[i])
			rv_mdev_msix(rv, start + i);
	mutex_unlock(&rv->lock);
}

static int rv_msix_set(struct rv_mdev *rv, const struct vfio_irq_set *hdr,
		       const void *data)
{
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (!hdr->count) {
			/* Disable: the vfio-pci idiom is count 0. */
			mutex_lock(&rv->lock);
			rv_mdev_msix_release(rv, 0, RV_MDEV_MSIX_COUNT);
			mutex_unlock(&rv->lock);
			return 0;
		}
		rv_msix_trigger(rv, hdr->start, hdr->count, NULL);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		rv_msix_trigger(rv, hdr->start, hdr->count, data);
		return 0;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		return rv_msix_set_eventfds(rv, hdr->start, hdr->count, data);
	default:
		return -EINVAL;
	}
}

/*
 * The device request has one trigger, with vfio-pci's rules for it
 * (vfio_pci_set_ctx_trigger_single()): DATA_EVENTFD sets it, or clears it
 * with fd -1; DATA_NONE with count 0 clears it and with count 1 fires it,
 * when one is set; DATA_BOOL fires it when true.
 */
static int rv_req_set_eventfd(struct rv_mdev *rv, s32 fd)
{
	struct eventfd_ctx *ctx = NULL;

	if (fd < -1)
		return 0;	/* vfio-pci ignores these too */
	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	mutex_lock(&rv->lock);
	rv_mdev_req_release(rv);
	rv->req = ctx;
	mutex_unlock(&rv->lock);
	return 0;
}

static int rv_req_set(struct rv_mdev *rv, const struct vfio_irq_set *hdr,
		      const void *data)
{
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	bool fire;
	s32 fd;
	int ret = 0;

	if (type != VFIO_IRQ_SET_DATA_NONE && !hdr->count)
		return -EINVAL;
	if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
		memcpy(&fd, data, sizeof(fd));
		return rv_req_set_eventfd(rv, fd);
	}
	fire = type == VFIO_IRQ_SET_DATA_BOOL ? *(const u8 *)data : hdr->count;
	mutex_lock(&rv->lock);
	if (!rv->req)
		ret = type == VFIO_IRQ_SET_DATA_NONE ? -EINVAL : 0;
	else if (fire)
		rv_eventfd_signal(rv->req);
	else if (type == VFIO_IRQ_SET_DATA_NONE)
		rv_mdev_req_release(rv);
	mutex_unlock(&rv->lock);
	return ret;
}

static long rv_ioctl_set_irqs(struct rv_mdev *rv, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	/* Checks argsz, index, flags and start + count against the vectors. */
	ret = vfio_set_irqs_validate_and_prepare(&hdr, rv_irq_count(hdr.index),
						 VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	/* MSI-X and REQ have triggers (validation refused the others). */
	if (hdr.index != VFIO_PCI_MSIX_IRQ_INDEX &&
	    hdr.index != VFIO_PCI_REQ_IRQ_INDEX)
		return -EINVAL;
	/* Neither can be masked through VFIO: vfio-pci says -ENOTTY too. */
	if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;

	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	if (hdr.index == VFIO_PCI_REQ_IRQ_INDEX)
		ret = rv_req_set(rv, &hdr, data);
	else
		ret = rv_msix_set(rv, &hdr, data);
	kfree(data);
	return ret;
}

/*
 * VFIO_DEVICE_RESET: the model goes back to power-on (spec 8.10). Config
 * space is kept, BME included, because vfio-pci saves and restores a real
 * function's config space around its reset (pci_try_reset_function()), so
 * that is what a driver sees there too.
 */
static long rv_ioctl_reset(struct rv_mdev *rv)
{
	mutex_lock(&rv->lock);
	rv_model_reset(&rv->model);
	rv->msix_signalled = 0;
	rv_model_set_bus_master(&rv->model, rv_pci_cfg_bus_master(rv->cfg));
	mutex_unlock(&rv->lock);
	return 0;
}

static long rv_mdev_ioctl(struct vfio_device *vdev, unsigned int cmd,
			  unsigned long arg)
{
	struct rv_mdev *rv = to_rv(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return rv_ioctl_device_info(uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return rv_ioctl_region_info(uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return rv_ioctl_irq_info(uarg);
	case VFIO_DEVICE_SET_IRQS:
		return rv_ioctl_set_irqs(rv, uarg);
	case VFIO_DEVICE_RESET:
		return rv_ioctl_reset(rv);
	default:
		return -ENOTTY;
	}
}

const struct vfio_device_ops rv_mdev_vfio_ops = {
	.name = "revere-mdev",
	.init = rv_mdev_init_dev,
	.release = rv_mdev_release_dev,
	.open_device = rv_mdev_open_device,
	.close_device = rv_mdev_close_device,
	.read = rv_mdev_read,
	.write = rv_mdev_write,
	.ioctl = rv_mdev_ioctl,
	.dma_unmap = rv_mdev_dma_unmap,
	.request = rv_mdev_request,
	/*
	 * The device file (/dev/vfio/devices/vfioN) binds the device to an
	 * iommufd; with no IOMMU in front of an mdev it is bound as an
	 * "access" and vfio_dma_rw() goes through iommufd_access_rw(). A
	 * kernel with CONFIG_IOMMUFD refuses to register an emulated device
	 * without these (__vfio_register_dev()); without CONFIG_IOMMUFD
	 * <linux/vfio.h> defines them as NULL. iommufd came in 6.2 (6.1, and
	 * so Debian 12's kernel, has none of them), detach_ioas in 6.6 with
	 * the device files: before it, unbind detaches.
	 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#endif
};
