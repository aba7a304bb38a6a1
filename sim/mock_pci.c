// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mock's vfio-pci device, with the rules of Linux's
 * drivers/vfio/pci/vfio_pci_core.c, vfio_pci_config.c and vfio_pci_intrs.c:
 * device info, the regions (at MOCK_VFIO_REGION_OFFSET(index)), config
 * space (sim/rv_pci_cfg.h), MSI/MSI-X and the device request IRQ, reset.
 * BAR0 and the model behind it are mock_bar.c's.
 *
 * Where the mock knowingly differs from Linux: on release of the device,
 * vfio-pci clears bus mastering and resets the function; the mock leaves
 * the model as the driver left it so tests can check that the driver
 * itself quiesced the device (report line). It does drop the interrupt
 * routing, as vfio-pci does.
 */
#include "mock_vfio_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

/* ---- config space (sim/rv_pci_cfg.h) ---- */

static void config_init(struct mock_vfio *m)
{
	rv_pci_cfg_power_on(m->config, m->cfg.vendor_id, m->cfg.device_id);
}

static void config_write(struct mock_vfio *m, uint32_t off, const uint8_t *buf,
			 size_t len)
{
	rv_pci_cfg_write(m->config, off, buf, len);
	rv_model_set_bus_master(&m->model, rv_pci_cfg_bus_master(m->config));
}

/* vfio_pci_config_rw(): out of range is EFAULT there. */
static ssize_t config_rw(struct mock_vfio *m, void *buf, size_t len,
			 uint64_t off, bool write)
{
	if (off >= RV_PCI_CFG_SIZE || len > RV_PCI_CFG_SIZE - off)
		return fail_errno(EFAULT);
	if (write)
		config_write(m, (uint32_t)off, buf, len);
	else
		memcpy(buf, m->config + off, len);
	return (ssize_t)len;
}

ssize_t mock_device_rw(struct mock_vfio *m, void *buf, size_t len,
		       uint64_t pos, bool write)
{
	uint64_t index = pos >> MOCK_VFIO_REGION_SHIFT;
	uint64_t off = pos - MOCK_VFIO_REGION_OFFSET(index);

	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return config_rw(m, buf, len, off, write);
	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return mock_bar_rw(m, buf, len, off, write);
	return fail_errno(EINVAL);
}

/* ---- opening and releasing the device ---- */

/* vfio_pci_core_enable(): the function is reset when the device opens. */
void mock_device_open(struct mock_vfio *m)
{
	if (m->cfg.reset)
		rv_model_reset(&m->model);
	rv_pci_cfg_open(m->config);
	rv_model_set_bus_master(&m->model, false);
}

static void irq_unroute(struct mock_vfio *m, uint32_t from)
{
	for (uint32_t i = from; i < MOCK_MAX_IRQS; i++) {
		if (m->irq_fd[i] >= 0)
			close(m->irq_fd[i]);
		m->irq_fd[i] = -1;
	}
	if (from == 0)
		m->irq_count = 0;
}

static void req_unroute(struct mock_vfio *m)
{
	if (m->req_fd >= 0)
		close(m->req_fd);
	m->req_fd = -1;
}
void mock_irqs_unroute(struct mock_vfio *m)
{
	irq_unroute(m, 0);
	req_unroute(m);
}

void mock_device_put(struct mock_vfio *m)
{
	if (--m->dev_users)
		return;
	/*
	 * vfio_pci_core_disable() tears the interrupts down, and
	 * vfio_pci_core_close_device() drops the request eventfd.
	 */
	mock_irqs_unroute(m);
	/* Then the device lets go of what opened it: iommufd or the group. */
	if (m->bound)
		mock_cdev_unbind(m);
	else
		mock_group_put(m);
}

/* ---- device and region info ---- */

static int device_info(struct mock_vfio *m, struct vfio_device_info *info)
{
	if (!info)
		return fail_errno(EFAULT);
	if (info->argsz < offsetofend(struct vfio_device_info, num_irqs))
		return fail_errno(EINVAL);
	info->flags = VFIO_DEVICE_FLAGS_PCI |
		      (m->cfg.reset ? VFIO_DEVICE_FLAGS_RESET : 0);
	info->num_regions = VFIO_PCI_NUM_REGIONS;
	info->num_irqs = VFIO_PCI_NUM_IRQS;
	return 0;
}

static int region_info(struct mock_vfio *m, struct vfio_region_info *info)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ |
			    VFIO_REGION_INFO_FLAG_WRITE;

	if (!info)
		return fail_errno(EFAULT);
	if (info->argsz < offsetofend(struct vfio_region_info, offset) ||
	    info->index >= VFIO_PCI_NUM_REGIONS)
		return fail_errno(EINVAL);
	info->offset = MOCK_VFIO_REGION_OFFSET(info->index);
	info->flags = 0;
	info->size = 0;
	if (info->index == VFIO_PCI_CONFIG_REGION_INDEX) {
		info->flags = rw;	/* never mmap-able */
		info->size = RV_PCI_CFG_SIZE;
	} else if (info->index == VFIO_PCI_BAR0_REGION_INDEX) {
		info->flags = rw |
			(m->cfg.bar0_mmap ? VFIO_REGION_INFO_FLAG_MMAP : 0);
		info->size = RV_MODEL_BAR0_SIZE;
	}
	return 0;
}

/* ---- interrupts: the model's MSI-X, the device request ---- */

/*
 * The model's MSI-X callback (struct rv_model_host), and SET_IRQS's
 * loopback: the MSI-X (or MSI) vector signals its eventfd if SET_IRQS
 * routed one.
 */
void mock_host_msix(void *host, uint32_t vector)
{
	struct mock_vfio *m = host;
	uint64_t one = 1;

	if (vector >= m->irq_count || m->irq_fd[vector] < 0 || m->cfg.msix_drop)
		return;
	if (write(m->irq_fd[vector], &one, sizeof(one)) < 0) {
		/* Counter saturated: the interrupt is already pending. */
	}
}

/* eventfd_signal() on the request trigger. */
static void req_signal(struct mock_vfio *m)
{
	uint64_t one = 1;

	if (write(m->req_fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "mock-vfio: device request eventfd: %s\n",
			strerror(errno));
}

/* vfio_unregister_group_dev() calling vfio_pci_core_request(). */
bool mock_request_locked(struct mock_vfio *m)
{
	m->requests++;
	if (!m->dev_users || m->req_fd < 0)
		return false;
	req_signal(m);
	return true;
}

bool mock_vfio_request(struct mock_vfio *m)
{
	bool told;

	lock(m);
	told = mock_request_locked(m);
	unlock(m);
	return told;
}

void mock_vfio_msix(struct mock_vfio *m, uint32_t vector)
{
	lock(m);
	mock_host_msix(m, vector);
	unlock(m);
}

static uint32_t irq_max(const struct mock_vfio *m, uint32_t index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		/* The mock routes at most MOCK_MAX_IRQS vectors. */
		return m->cfg.msix_count < MOCK_MAX_IRQS ? m->cfg.msix_count :
							   MOCK_MAX_IRQS;
	case VFIO_PCI_INTX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
		return 1;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return m->cfg.req_irq;
	}
	return 0;	/* ERR: no AER */
}

/* vfio_pci_ioctl_get_irq_info(). */
static int irq_info(struct mock_vfio *m, struct vfio_irq_info *info)
{
	if (!info)
		return fail_errno(EFAULT);
	if (info->argsz < offsetofend(struct vfio_irq_info, count) ||
	    info->index >= VFIO_PCI_NUM_IRQS)
		return fail_errno(EINVAL);
	info->flags = VFIO_IRQ_INFO_EVENTFD;
	if (info->index == VFIO_PCI_INTX_IRQ_INDEX)
		info->flags |= VFIO_IRQ_INFO_MASKABLE |
			       VFIO_IRQ_INFO_AUTOMASKED;
	else
		info->flags |= VFIO_IRQ_INFO_NORESIZE;
	info->count = irq_max(m, info->index);
	return 0;
}

/* eventfd_ctx_fdget(): EBADF for no file, EINVAL for another kind. */
static int irq_take_eventfd(struct mock_vfio *m, int32_t fd, int *dup_fd)
{
	struct handle *h = mock_handle_get(m, fd);

	if (fcntl(fd, F_GETFD) < 0)
		return EBADF;
	if (!h || h->type != H_EVENTFD)
		return EINVAL;
	*dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return *dup_fd < 0 ? errno : 0;
}

/* vfio_msi_set_block(): fd -1 unroutes a vector; unwinds on error. */
static int irq_set_block(struct mock_vfio *m, uint32_t start, uint32_t count,
			 const int32_t *fds)
{
	for (uint32_t i = 0; i < count; i++) {
		uint32_t v = start + i;
		int nfd = -1, err;

		if (fds[i] >= 0) {
			err = irq_take_eventfd(m, fds[i], &nfd);
			if (err) {
				for (uint32_t j = start; j < v; j++) {
					close(m->irq_fd[j]);
					m->irq_fd[j] = -1;
				}
				return fail_errno(err);
			}
		}
		if (m->irq_fd[v] >= 0)
			close(m->irq_fd[v]);
		m->irq_fd[v] = nfd;
	}
	return 0;
}

/* vfio_pci_set_msi_trigger(), for MSI and MSI-X. */
static int irq_msi_trigger(struct mock_vfio *m, const struct vfio_irq_set *s)
{
	bool enabled = m->irq_count && m->irq_index == s->index;

	if (enabled && !s->count && s->flags & VFIO_IRQ_SET_DATA_NONE) {
		irq_unroute(m, 0);
		return 0;
	}
	if (m->irq_count && !enabled)
		return fail_errno(EINVAL);	/* the other kind is on */
	if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		const int32_t *fds = (const int32_t *)s->data;
		bool was = enabled;

		if (!enabled) {
			m->irq_index = s->index;
			m->irq_count = s->start + s->count;
		}
		if (irq_set_block(m, s->start, s->count, fds) < 0) {
			if (!was)
				irq_unroute(m, 0);
			return -1;
		}
		/* cfg.msix_spurious: interrupts with nothing behind them. */
		for (uint32_t i = s->start; i < s->start + s->count; i++) {
			uint64_t n = m->cfg.msix_spurious;

			if (n && m->irq_fd[i] >= 0 &&
			    write(m->irq_fd[i], &n, sizeof(n)) < 0) {
				/* Saturated: pending anyway. */
			}
		}
		return 0;
	}
	if (!enabled)
		return fail_errno(EINVAL);
	/* DATA_NONE / DATA_BOOL: loopback trigger of the vectors. */
	for (uint32_t i = s->start; i < s->start + s->count; i++)
		if (!(s->flags & VFIO_IRQ_SET_DATA_BOOL) || s->data[i - s->start])
			mock_host_msix(m, i);
	return 0;
}

/*
 * vfio_pci_set_req_trigger(): one trigger, vfio_pci_set_ctx_trigger_single()'s
 * rules. DATA_EVENTFD sets it (fd -1 clears it); DATA_NONE with count 0
 * clears it and with count 1 fires it, but only when one is set; DATA_BOOL
 * fires it if true.
 */
static int req_trigger(struct mock_vfio *m, const struct vfio_irq_set *s)
{
	int32_t fd;
	int nfd, err;

	switch (s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (m->req_fd < 0)
			return fail_errno(EINVAL);
		if (s->count)
			req_signal(m);
		else
			req_unroute(m);
		return 0;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!s->count)
			return fail_errno(EINVAL);
		if (s->data[0] && m->req_fd >= 0)
			req_signal(m);
		return 0;
	}
	if (!s->count)
		return fail_errno(EINVAL);
	memcpy(&fd, s->data, sizeof(fd));
	if (fd == -1) {
		req_unroute(m);
		return 0;
	}
	if (fd < 0)
		return 0;	/* vfio-pci ignores other negative fds */
	err = irq_take_eventfd(m, fd, &nfd);
	if (err)
		return fail_errno(err);
	req_unroute(m);
	m->req_fd = nfd;
	return 0;
}

/* vfio_set_irqs_validate_and_prepare() and vfio_pci_set_irqs_ioctl(). */
static int set_irqs(struct mock_vfio *m, const struct vfio_irq_set *s)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count), size;
	uint32_t max;

	if (!s)
		return fail_errno(EFAULT);
	if (s->argsz < minsz || s->index >= VFIO_PCI_NUM_IRQS ||
	    s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			 VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return fail_errno(EINVAL);
	max = irq_max(m, s->index);
	if (!max || s->start >= max || s->count >= UINT32_MAX - s->start ||
	    s->start + s->count > max)
		return fail_errno(EINVAL);
	switch (s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(uint8_t);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(int32_t);
		break;
	default:
		return fail_errno(EINVAL);
	}
	if (size && s->argsz - minsz < (size_t)s->count * size)
		return fail_errno(EINVAL);
	if (s->index == VFIO_PCI_REQ_IRQ_INDEX &&
	    (s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return req_trigger(m, s);
	if ((s->index != VFIO_PCI_MSI_IRQ_INDEX &&
	     s->index != VFIO_PCI_MSIX_IRQ_INDEX) ||
	    (s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return fail_errno(ENOTTY);	/* INTx/ERR: not emulated */
	return irq_msi_trigger(m, s);
}

/* vfio_pci_core_ioctl_reset(): config space is saved and restored. */
static int device_reset(struct mock_vfio *m)
{
	if (!m->cfg.reset)
		return fail_errno(EINVAL);
	rv_model_reset(&m->model);
	rv_model_set_bus_master(&m->model,
				rv_pci_cfg_bus_master(m->config));
	mock_bar_reset(m);
	return 0;
}

int mock_device_ioctl(struct mock_vfio *m, unsigned long request, void *arg)
{
	switch (request) {
	case VFIO_DEVICE_RESET:
		return device_reset(m);
	case VFIO_DEVICE_GET_INFO:
		return device_info(m, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(m, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return irq_info(m, arg);
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(m, arg);
	}
	return fail_errno(ENOTTY);
}

/* At create: power-on config space, no interrupt routed. */
void mock_pci_init(struct mock_vfio *m)
{
	for (unsigned int i = 0; i < MOCK_MAX_IRQS; i++)
		m->irq_fd[i] = -1;
	m->req_fd = -1;
	config_init(m);
}
