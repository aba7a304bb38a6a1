// SPDX-License-Identifier: BSD-3-Clause
#include "revere_hw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rv_ring_update(struct rv_ring *r, bool dev_is_producer, uint64_t index)
{
	uint64_t prod = dev_is_producer ? index : r->prod;
	uint64_t cons = dev_is_producer ? r->cons : index;
	uint64_t old = dev_is_producer ? r->prod : r->cons;

	/* Moving backwards: more than 2^63 behind is not a wrap, it's a lie. */
	if ((int64_t)(index - old) < 0)
		return -EIO;
	/* Unsigned difference: a consumer past the producer is huge too. */
	if (prod - cons > rv_ring_size(r))
		return -EIO;
	if (dev_is_producer)
		r->prod = index;
	else
		r->cons = index;
	return 0;
}

int rv_ring_bad_index(struct errmsg *err, const struct rv_ring *r,
		      const char *which, uint64_t index)
{
	return errmsg_set(err, EIO,
			   "device error: %s %s index %" PRIu64 " is impossible (ring of %" PRIu64 " slots, read %" PRIu64 ", write %" PRIu64 ")",
			   r->name, which, index, rv_ring_size(r), r->cons, r->prod);
}

int rv_ring_refresh(struct vfio_dev *vfio, struct errmsg *err,
		    struct rv_ring *r)
{
	bool dev_is_producer = r->dev_produces;
	uint64_t idx = rv_reg_read(vfio, r->dev_reg);

	/* All-ones from a failed access is the host's error, not the device's. */
	if (vfio_bar0_error(vfio))
		return rv_bar_failed(vfio, err, "reading the %s %s index",
				     r->name, dev_is_producer ? "write" : "read");
	if (rv_ring_update(r, dev_is_producer, idx))
		return rv_ring_bad_index(err, r, dev_is_producer ? "write" : "read",
					 idx);
	return 0;
}

int rv_device_gone(struct vfio_dev *vfio, struct errmsg *err,
		   const char *what)
{
	int lost = vfio_device_lost(vfio);
	const char *why = vfio_transport_explain(vfio);

	errmsg_clear(err);
	errmsg_set_errno(err, -lost, "%s: %s cannot be reached", what,
			 vfio_device_name(vfio));
	if (why[0])
		errmsg_hint(err, "%s", why);
	return lost;
}

/* The first failure's own hint says what to do about a lost transport. */
static bool transport_hint(struct vfio_dev *vfio, struct errmsg *err)
{
	const char *why = vfio_transport_explain(vfio);

	if (!why[0])
		return false;
	errmsg_hint(err, "%s", why);
	return true;
}

void rv_hint_device_state(struct vfio_dev *vfio, struct errmsg *err)
{
	uint64_t sr = rv_reg_read(vfio, RV_AMU_SR);

	if (vfio_bar0_error(vfio) && transport_hint(vfio, err))
		return;
	if (vfio_bar0_error(vfio))
		errmsg_hint(err, "BAR0 access failed: %s; check that the device is still there (lspci) and bound to vfio-pci",
			    strerror(-vfio_bar0_error(vfio)));
	else if (sr & RV_AMU_SR_IOMMU_FAULT)
		errmsg_hint(err, "the device reports an IOMMU fault (AMU_SR 0x%" PRIx64 ")", sr);
	else if (!strcmp(vfio->ops->name, "mock") && vfio_bar0_mapped(vfio))
		/*
		 * Nothing to reset on the simulated device. With BAR0
		 * mmap'd it is a thread, which a busy machine may keep off
		 * the CPU; REVERE_SIM can make it late or mute on purpose.
		 */
		errmsg_hint(err, "the simulated device's thread may not have had a CPU in time, or REVERE_SIM made it late or mute: try a longer --timeout");
	else if (!strcmp(vfio->ops->name, "mock"))
		/* Through pread/pwrite it runs in the driver's own accesses. */
		errmsg_hint(err, "REVERE_SIM made the simulated device late or mute: try a longer --timeout");
	else
		errmsg_hint(err, "try a longer --timeout, or reset the device");
}

int rv_bar_failed(struct vfio_dev *vfio, struct errmsg *err,
		  const char *fmt, ...)
{
	char what[ERRMSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* vfio.c's own words for the failed access start so. */
	if (strncmp(err->msg, "BAR0 ", 5)) {
		errmsg_set_errno(err, -vfio_bar0_error(vfio), "%s: a BAR0 access of %s failed",
			   what, vfio_device_name(vfio));
		transport_hint(vfio, err);
		return vfio_bar0_error(vfio);
	}
	errmsg_prefix(err, "%s", what);
	/* vfio-user's own hint came with the access's message. */
	if (strcmp(vfio_transport_name(vfio), "vfio-user"))
		errmsg_hint(err, "check that the device is still there (lspci) and bound to vfio-pci");
	return vfio_bar0_error(vfio);
}
