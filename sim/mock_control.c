// SPDX-License-Identifier: BSD-3-Clause
/*
 * What tests and REVERE_SIM set and read in the mock: its configuration
 * (the defaults, and REVERE_SIM's key=value parser), fault injection into
 * its calls, its counters and the report line that prints them.
 */
#include "mock_vfio_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "iommufd_uapi.h"

/* ---- configuration ---- */

void mock_vfio_default_config(struct mock_vfio_config *cfg)
{
	*cfg = (struct mock_vfio_config){
		.group_id = 42,
		.device_name = "0000:01:00.0",
		.vendor_id = RV_PCI_VENDOR_ARM,
		.device_id = RV_PCI_DEVICE_PF,
		.bar0_mmap = true,
		.group_viable = true,
		.type1v2 = true,
		.reset = true,
		.iova_pgsizes = 0x1000 | 0x200000 | 0x40000000,
		.memlock_limit = 64ull << 20,
		.msix_count = 8,
		.req_irq = true,
		.iommufd = true,
		/* VT-d's 4-level tables, and its MSI window (intel-iommu.c). */
		.iova_aperture_last = (1ull << 48) - 1,
		.iova_resv_start = 0xfee00000,
		.iova_resv_len = 0x100000,
	};
	rv_model_default_params(&cfg->model);
}

/* ---- fault injection ---- */

/* Count the call; true (with *err) if an armed fault picks this one. */
bool mock_fault_hit(struct mock_vfio *m, enum mock_op op,
		    unsigned long request, int *err)
{
	m->calls[op]++;
	for (unsigned int i = 0; i < MOCK_MAX_FAULTS; i++) {
		struct mock_fault_slot *s = &m->faults[i];

		if (!s->armed || s->f.op != op)
			continue;
		if (op == MOCK_OP_IOCTL && s->f.request &&
		    s->f.request != request)
			continue;
		if (++s->seen == s->f.nth) {
			s->armed = false;
			*err = s->f.err;
			return true;
		}
	}
	return false;
}

void mock_vfio_fail(struct mock_vfio *m, enum mock_op op,
		    unsigned long request, unsigned int nth, int err)
{
	lock(m);
	for (unsigned int i = 0; i < MOCK_MAX_FAULTS; i++) {
		struct mock_fault_slot *s = &m->faults[i];

		if (s->armed)
			continue;
		*s = (struct mock_fault_slot){
			.f = { .op = op, .request = request, .nth = nth,
			       .err = err },
			.armed = nth > 0 && op < MOCK_OP_COUNT,
		};
		break;
	}
	unlock(m);
}

/* ---- counters and the report line ---- */

/* Armed faults that picked their call: a sweep knows its fault was reached. */
static unsigned int faults_fired(const struct mock_vfio *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < MOCK_MAX_FAULTS; i++)
		n += m->faults[i].f.nth && m->faults[i].seen >= m->faults[i].f.nth;
	return n;
}

static void counters_locked(struct mock_vfio *m, struct mock_vfio_counters *c)
{
	*c = (struct mock_vfio_counters){ .bar_mmaps = m->map.page != NULL };
	for (unsigned int i = 0; i < MOCK_MAX_HANDLES; i++)
		c->fds_open += m->h[i].type != H_FREE;
	for (unsigned int i = 0; i < MOCK_MAX_CONTAINERS; i++) {
		for (unsigned int j = 0; j < MOCK_MAX_DMA; j++) {
			const struct mock_dma *d = &m->c[i].dma[j];

			c->dma_mappings += dma_alive(d);
			c->dma_bytes += d->size;
		}
	}
	for (unsigned int i = 0; i < MOCK_MAX_IRQS; i++)
		c->irqs_routed += m->irq_fd[i] >= 0;
	c->irqs_routed += m->req_fd >= 0;
	c->requests = m->requests;
	memcpy(c->calls, m->calls, sizeof(c->calls));
	mock_iommufd_count(m, &c->ioas_mappings, &c->ioas_bytes);
	c->iommufd_bound = m->bound != NULL;
}

void mock_vfio_counters(struct mock_vfio *m, struct mock_vfio_counters *c)
{
	lock(m);
	counters_locked(m, c);
	unlock(m);
}

void mock_vfio_device_summary(struct mock_vfio *m, struct rv_model_summary *s)
{
	lock(m);
	rv_model_summary(&m->model, s);
	unlock(m);
}

/*
 * One line, key=value, for the demo's shell tests: the counters, then the
 * device summary (the keys after ami_hw_mapped are the model's activity).
 */
void mock_report(struct mock_vfio *m)
{
	struct mock_vfio_counters c;
	struct rv_model_summary s;

	counters_locked(m, &c);
	rv_model_summary(&m->model, &s);
	fprintf(stderr,
		"mock-vfio: fds_open=%u dma_mappings=%u bar_mmaps=%u"
		" irqs_routed=%u ioas_mappings=%u iommufd_bound=%u"
		" amu_enabled=%d bus_master=%d"
		" ami_sw_enabled=%u ami_hw_enabled=%u asn_count=%u"
		" ami_sw_mapped=%u ami_hw_mapped=%u commands=%" PRIu64
		" messages=%" PRIu64 " irqs=%" PRIu64 " iommu_fault=%d"
		" amu_en_writes=%lu requests=%u reads=%lu preads=%lu"
		" pwrites=%lu faults_fired=%u\n",
		c.fds_open, c.dma_mappings, c.bar_mmaps, c.irqs_routed,
		c.ioas_mappings, c.iommufd_bound, s.amu_enabled, s.bus_master, s.ami_sw_enabled,
		s.ami_hw_enabled, s.asn_count, s.ami_sw_mapped,
		s.ami_hw_mapped, s.commands, s.messages, s.irqs,
		s.iommu_fault, m->amu_en_writes, c.requests,
		c.calls[MOCK_OP_READ], c.calls[MOCK_OP_PREAD],
		c.calls[MOCK_OP_PWRITE], faults_fired(m));
}

/* ---- REVERE_SIM=key=value,... ---- */

enum key_kind { K_BOOL, K_U8, K_U16, K_U32, K_U64, K_STR };

struct sim_key {
	const char *name;
	enum key_kind kind;
	size_t off;
};

#define CFG_KEY(name, kind) { #name, kind, offsetof(struct mock_vfio_config, name) }
#define MODEL_KEY(name, kind) \
	{ #name, kind, offsetof(struct mock_vfio_config, model.name) }

static const struct sim_key sim_keys[] = {
	CFG_KEY(group_id, K_U32),
	CFG_KEY(device_name, K_STR),
	CFG_KEY(vendor_id, K_U16),
	CFG_KEY(device_id, K_U16),
	CFG_KEY(bar0_mmap, K_BOOL),
	CFG_KEY(group_viable, K_BOOL),
	CFG_KEY(type1v2, K_BOOL),
	CFG_KEY(reset, K_BOOL),
	CFG_KEY(iova_pgsizes, K_U64),
	CFG_KEY(memlock_limit, K_U64),
	CFG_KEY(msix_count, K_U32),
	CFG_KEY(msix_drop, K_BOOL),
	CFG_KEY(msix_spurious, K_U32),
	CFG_KEY(req_irq, K_BOOL),
	CFG_KEY(request_msg, K_U64),
	CFG_KEY(request_cmd, K_U32),
	CFG_KEY(report, K_BOOL),
	CFG_KEY(signal_cmd, K_U32),
	CFG_KEY(rsp_delay_us, K_U32),
	CFG_KEY(service_ns, K_U64),
	CFG_KEY(iommufd, K_BOOL),
	CFG_KEY(cdev_id, K_U32),
	CFG_KEY(iova_aperture_last, K_U64),
	CFG_KEY(iova_resv_start, K_U64),
	CFG_KEY(iova_resv_len, K_U64),
	MODEL_KEY(aidr, K_U64),
	MODEL_KEY(iidr, K_U64),
	MODEL_KEY(num_ami_sw, K_U16),
	MODEL_KEY(num_ami_hw, K_U16),
	MODEL_KEY(max_asn, K_U32),
	MODEL_KEY(num_aha, K_U16),
	MODEL_KEY(ami_per_f_m1, K_U16),
	MODEL_KEY(num_tx_ams, K_U8),
	MODEL_KEY(num_rx_ams, K_U8),
	MODEL_KEY(mute, K_BOOL),
	MODEL_KEY(mute_opcode, K_U16),
	MODEL_KEY(fail_opcode, K_U16),
	MODEL_KEY(fail_status, K_U16),
	MODEL_KEY(corrupt_msg, K_U64),
	MODEL_KEY(exception_opcode, K_U16),
	MODEL_KEY(dup_rsp, K_U64),
	MODEL_KEY(dup_rsp_late, K_U64),
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int set_key(struct mock_vfio_config *cfg, const struct sim_key *k,
		   const char *val)
{
	char *p = (char *)cfg + k->off;
	uint64_t v = 0;

	if (k->kind == K_STR) {
		if (strlen(val) >= sizeof(cfg->device_name))
			return -EINVAL;
		strcpy(p, val);
		return 0;
	}
	if (parse_u64(val, &v) < 0)
		return -EINVAL;
	switch (k->kind) {
	case K_BOOL:
		if (v > 1)
			return -EINVAL;
		*(bool *)p = v;
		return 0;
	case K_U8:
		if (v > UINT8_MAX)
			return -EINVAL;
		*(uint8_t *)p = (uint8_t)v;
		return 0;
	case K_U16:
		if (v > UINT16_MAX)
			return -EINVAL;
		*(uint16_t *)p = (uint16_t)v;
		return 0;
	case K_U32:
		if (v > UINT32_MAX)
			return -EINVAL;
		*(uint32_t *)p = (uint32_t)v;
		return 0;
	case K_U64:
		*(uint64_t *)p = v;
		return 0;
	case K_STR:
		break;
	}
	return -EINVAL;
}

#define NAMED(x) { #x, x }

static const struct { const char *name; unsigned long request; } ioctl_names[] = {
	NAMED(VFIO_GET_API_VERSION),
	NAMED(VFIO_CHECK_EXTENSION),
	NAMED(VFIO_SET_IOMMU),
	NAMED(VFIO_GROUP_GET_STATUS),
	NAMED(VFIO_GROUP_SET_CONTAINER),
	NAMED(VFIO_GROUP_UNSET_CONTAINER),
	NAMED(VFIO_GROUP_GET_DEVICE_FD),
	NAMED(VFIO_DEVICE_GET_INFO),
	NAMED(VFIO_DEVICE_GET_REGION_INFO),
	NAMED(VFIO_DEVICE_GET_IRQ_INFO),
	NAMED(VFIO_DEVICE_SET_IRQS),
	NAMED(VFIO_DEVICE_RESET),
	NAMED(VFIO_IOMMU_GET_INFO),
	NAMED(VFIO_IOMMU_MAP_DMA),
	NAMED(VFIO_IOMMU_UNMAP_DMA),
	NAMED(VFIO_DEVICE_BIND_IOMMUFD),
	NAMED(VFIO_DEVICE_ATTACH_IOMMUFD_PT),
	NAMED(VFIO_DEVICE_DETACH_IOMMUFD_PT),
	NAMED(IOMMU_DESTROY),
	NAMED(IOMMU_IOAS_ALLOC),
	NAMED(IOMMU_IOAS_IOVA_RANGES),
	NAMED(IOMMU_IOAS_MAP),
	NAMED(IOMMU_IOAS_UNMAP),
};

static const struct { const char *name; int err; } errno_names[] = {
	NAMED(EPERM), NAMED(ENOENT), NAMED(EINTR), NAMED(EIO), NAMED(ENXIO),
	NAMED(EBADF), NAMED(EAGAIN), NAMED(ENOMEM), NAMED(EACCES),
	NAMED(EFAULT), NAMED(EBUSY), NAMED(EEXIST), NAMED(ENODEV),
	NAMED(EINVAL), NAMED(ENFILE), NAMED(EMFILE), NAMED(ENOTTY),
	NAMED(ENOSPC), NAMED(ENOSYS), NAMED(EOVERFLOW), NAMED(ETIMEDOUT),
	NAMED(E2BIG), NAMED(EBADFD), NAMED(EMSGSIZE), NAMED(EOPNOTSUPP),
	NAMED(EADDRINUSE),
};

static const char *const op_names[MOCK_OP_COUNT] = {
	[MOCK_OP_OPEN] = "open",
	[MOCK_OP_CLOSE] = "close",
	[MOCK_OP_IOCTL] = "ioctl",
	[MOCK_OP_PREAD] = "pread",
	[MOCK_OP_PWRITE] = "pwrite",
	[MOCK_OP_MMAP] = "mmap",
	[MOCK_OP_MUNMAP] = "munmap",
	[MOCK_OP_EVENTFD] = "eventfd",
	[MOCK_OP_READ] = "read",
};

static int parse_op(const char *s, enum mock_op *op, unsigned long *request)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	*request = 0;
	for (int i = 0; i < MOCK_OP_COUNT; i++) {
		if (strlen(op_names[i]) != n || strncmp(s, op_names[i], n))
			continue;
		*op = (enum mock_op)i;
		if (!colon)
			return 0;
		if (*op != MOCK_OP_IOCTL)
			return -EINVAL;
		for (size_t j = 0; j < sizeof(ioctl_names) /
				       sizeof(ioctl_names[0]); j++) {
			if (!strcmp(colon + 1, ioctl_names[j].name)) {
				*request = ioctl_names[j].request;
				return 0;
			}
		}
		return -EINVAL;
	}
	return -EINVAL;
}

static int parse_errno(const char *s, int *err)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]);
	     i++) {
		if (!strcmp(s, errno_names[i].name)) {
			*err = errno_names[i].err;
			return 0;
		}
	}
	if (parse_u64(s, &v) < 0 || !v || v > 4095)
		return -EINVAL;
	*err = (int)v;
	return 0;
}

/* "OP:N:ERRNO", OP possibly "ioctl:NAME": split from the right. */
static int parse_fault(struct mock_vfio_config *cfg, char *val,
		       struct errmsg *err)
{
	char *e = strrchr(val, ':'), *n;
	struct mock_fault f = { 0 };
	uint64_t nth;

	if (!e)
		goto bad;
	*e++ = '\0';
	n = strrchr(val, ':');
	if (!n)
		goto bad;
	*n++ = '\0';
	if (parse_op(val, &f.op, &f.request) < 0 ||
	    parse_u64(n, &nth) < 0 || !nth || nth > UINT32_MAX ||
	    parse_errno(e, &f.err) < 0)
		goto bad;
	f.nth = (unsigned int)nth;
	if (cfg->num_faults >= MOCK_MAX_FAULTS)
		return errmsg_set(err, EINVAL,
				   "REVERE_SIM: more than %d fail= entries",
				   MOCK_MAX_FAULTS);
	cfg->faults[cfg->num_faults++] = f;
	return 0;
bad:
	errmsg_set(err, EINVAL, "REVERE_SIM: bad fail= value");
	errmsg_hint(err, "write fail=OP:N:ERRNO, e.g. fail=ioctl:VFIO_IOMMU_MAP_DMA:1:ENOMEM or fail=open:2:EACCES");
	return -EINVAL;
}

/* The hint of an unknown key: every key there is (the manual's list). */
static void key_names(struct errmsg *err)
{
	char list[ERRMSG_LEN];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; i < sizeof(sim_keys) / sizeof(sim_keys[0]) &&
			   len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s, ",
					sim_keys[i].name);
	errmsg_hint(err, "the keys are %sfail=OP:N:ERRNO", list);
}

static int parse_item(struct mock_vfio_config *cfg, char *item,
		      struct errmsg *err)
{
	char *val = strchr(item, '=');

	if (!val)
		return errmsg_set(err, EINVAL,
				   "REVERE_SIM: '%s' is not key=value", item);
	*val++ = '\0';
	if (!strcmp(item, "fail"))
		return parse_fault(cfg, val, err);
	for (size_t i = 0; i < sizeof(sim_keys) / sizeof(sim_keys[0]); i++) {
		if (strcmp(item, sim_keys[i].name))
			continue;
		if (set_key(cfg, &sim_keys[i], val) < 0)
			return errmsg_set(err, EINVAL,
					   "REVERE_SIM: bad value '%s' for %s",
					   val, item);
		return 0;
	}
	errmsg_set(err, EINVAL, "REVERE_SIM: unknown key '%s'", item);
	key_names(err);
	return -EINVAL;
}

/* All or nothing: a bad item leaves cfg as it was. */
int mock_vfio_parse(struct mock_vfio_config *cfg, const char *spec,
		    struct errmsg *err)
{
	struct mock_vfio_config tmp = *cfg;
	char *copy, *item, *save = NULL;
	int ret = 0;

	if (!spec || !*spec)
		return 0;
	copy = strdup(spec);
	if (!copy)
		return errmsg_set_errno(err, ENOMEM, "REVERE_SIM");
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save))
		ret = parse_item(&tmp, item, err);
	free(copy);
	if (!ret)
		*cfg = tmp;
	return ret;
}
