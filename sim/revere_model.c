// SPDX-License-Identifier: BSD-3-Clause
/*
 * A model of a Revere-AMU v2 PF with the inversion accelerator (AHA 0), after
 * doc/revere-amu-v2.md. See revere_model.h for the contract.
 *
 * Register writes only store values; rv_model_step() does the work that the
 * stored values ask for. Writing the same value twice is therefore harmless,
 * which lets a host that mirrors BAR0 in shared memory copy software's
 * registers into the model as often as it likes.
 *
 * Where the spec leaves a choice open, the model follows section 8 and says
 * so ("spec 8.n"). Where even section 8 is silent, the comment says "model
 * decision": those are the places to revisit if a real device differs.
 */
#include "revere_model.h"

/* ---- identity and power-on ---- */

void rv_model_default_params(struct rv_model_params *p)
{
	/* spec 8.9 */
	*p = (struct rv_model_params){
		.aidr = 0x20,
		.num_ami_sw = 4,
		.num_ami_hw = 8,
		.max_asn = 16,
		.num_aha = 1,
		.ami_per_f_m1 = 3,
		.num_tx_ams = 4,
		.num_rx_ams = 4,
	};
}

static bool params_ok(const struct rv_model_params *p)
{
	return p->num_ami_sw <= RV_MODEL_MAX_AMI_SW &&
	       p->num_ami_hw <= RV_MODEL_MAX_AMI_HW &&
	       p->max_asn <= RV_MODEL_MAX_ASN &&
	       p->num_aha <= 1 &&
	       p->num_tx_ams >= 1 && p->num_tx_ams <= RV_MODEL_MAX_AMS &&
	       p->num_rx_ams >= 1 && p->num_rx_ams <= RV_MODEL_MAX_AMS;
}

int rv_model_init(struct rv_model *m, const struct rv_model_params *p,
		  const struct rv_model_host *host)
{
	if (!params_ok(p) || !host || !host->dma_read || !host->dma_write)
		return -1;
	memset(m, 0, sizeof(*m));
	m->p = *p;
	m->host = *host;
	return 0;
}

/* spec 8.10: everything to power-on; only the identity (params) is kept. */
void rv_model_reset(struct rv_model *m)
{
	struct rv_model_params p = m->p;
	struct rv_model_host host = m->host;
	bool bme = m->bus_master;

	memset(m, 0, sizeof(*m));
	m->p = p;
	m->host = host;
	/* BME is PCI config space, which the host owns, not BAR0 state. */
	m->bus_master = bme;
}

void rv_model_set_bus_master(struct rv_model *m, bool enable)
{
	m->bus_master = enable;
}

/* spec 8.2, 8.4: no work (and no DMA) unless enabled, mastering, unfaulted */
static bool running(const struct rv_model *m)
{
	return (m->cr & RV_AMU_CR_AMU_EN) && m->bus_master &&
	       !(m->sr & RV_AMU_SR_IOMMU_FAULT);
}

/* ---- DMA and interrupts ---- */

/*
 * spec 8.4: an access no mapping covers is dropped (the host guarantees it
 * touched nothing), AMU_SR bit 0 is set, and all processing stops until a
 * reset.
 */
static bool dma_read(struct rv_model *m, uint64_t iova, void *buf, size_t len)
{
	if (m->host.dma_read(m->host.host, iova, buf, len) == 0)
		return true;
	m->sr |= RV_AMU_SR_IOMMU_FAULT;
	return false;
}

static bool dma_write(struct rv_model *m, uint64_t iova, const void *buf,
		      size_t len)
{
	if (m->host.dma_write(m->host.host, iova, buf, len) == 0)
		return true;
	m->sr |= RV_AMU_SR_IOMMU_FAULT;
	return false;
}

static void irq(struct rv_model *m, uint64_t vector)
{
	m->irqs++;
	if (m->host.msix)
		m->host.msix(m->host.host, (uint32_t)vector);
}

/* ---- ring arithmetic (spec 8.1) ---- */

/*
 * Messages waiting in a ring. Free-running 64-bit indexes: the unsigned
 * difference is right across any number of wraps. A difference larger than
 * the ring is a producer that ran ahead of its consumer (or a consumer that
 * passed its producer): model decision, the device then treats the ring as
 * unusable, neither consuming from it nor producing into it, until software
 * writes a sane index or resets the device. Nothing is read or written on
 * the strength of a bad index.
 */
static bool ring_sane(uint64_t read, uint64_t write, unsigned int log2_size)
{
	return write - read <= ((uint64_t)1 << log2_size);
}

static bool ring_has_msg(uint64_t read, uint64_t write, unsigned int log2_size)
{
	return write != read && ring_sane(read, write, log2_size);
}

static bool ring_has_room(uint64_t read, uint64_t write,
			  unsigned int log2_size)
{
	return write - read < ((uint64_t)1 << log2_size);
}

/* IOVA of the slot of index i: base + (i mod 2^log2_size) * slot bytes. */
static uint64_t slot_addr(uint64_t base, uint64_t i, unsigned int log2_size,
			  size_t slot_bytes)
{
	uint64_t mask = ((uint64_t)1 << log2_size) - 1;

	return base + (i & mask) * slot_bytes;
}

/* ---- management sockets ---- */

static unsigned int msk_log2_size(const struct rv_model *m, unsigned int k)
{
	return RV_FIELD_GET(RV_MSK_CTRL_LOG2_SIZE, m->msk_ctrl[k]);
}

/*
 * Management messages are 64 bytes in slots of 2^LOG2_MSG_LENGTH doublewords
 * (spec 3). Model decision: a socket set to slots smaller than a message
 * (LOG2_MSG_LENGTH < 3) is used with 64-byte slots rather than truncating.
 */
static size_t msk_slot_bytes(const struct rv_model *m, unsigned int k)
{
	unsigned int l = RV_FIELD_GET(RV_MSK_CTRL_LOG2_MSG_LENGTH,
				      m->msk_ctrl[k]);

	return RV_MSG_BYTES(l < RV_MGT_LOG2_MSG_LENGTH ?
			    RV_MGT_LOG2_MSG_LENGTH : l);
}

/* ---- ID lookups ---- */

/* The model has function 0 (the PF) only: no VF ever owns an AMI. */
static unsigned int ami_per_f(const struct rv_model *m)
{
	return (unsigned int)m->p.ami_per_f_m1 + 1;
}

static unsigned int sw_ids(const struct rv_model *m)
{
	unsigned int n = m->p.num_ami_sw;

	return n < ami_per_f(m) ? n : ami_per_f(m);
}

static unsigned int hw_ids(const struct rv_model *m)
{
	unsigned int n = RV_MODEL_MAX_AMI_HW;

	return n < ami_per_f(m) ? n : ami_per_f(m);
}

/* The AMI-SW id of f_owner, or NULL when it is not mapped there. */
static struct rv_model_ami_sw *sw_of(struct rv_model *m, uint64_t id,
				     uint64_t f_owner)
{
	if (f_owner != 0 || id >= sw_ids(m) || !m->sw[id].ami.mapped)
		return NULL;
	return &m->sw[id];
}

static struct rv_model_ami_hw *hw_of(struct rv_model *m, uint64_t id,
				     uint64_t f_owner)
{
	if (f_owner != 0 || id >= hw_ids(m) || !m->hw[id].ami.mapped)
		return NULL;
	return &m->hw[id];
}

/* Status codes shared by most tables (spec 6). */
enum {
	ST_OK = 0,
	ST_NOT_MAPPED = 1,		/* also "already mapped", "in use" */
	ST_NOT_DISABLED = 2,		/* also "physical not available" */
	ST_NOT_MON_OWNER = 3,
};

/* ---- commands: what every AMI has, whatever its type ---- */

static struct rv_model_ami *ami_of(struct rv_model *m, unsigned int type,
				   uint64_t id, uint64_t f_owner)
{
	struct rv_model_ami_sw *sw;
	struct rv_model_ami_hw *hw;

	if (type == RV_AMI_TYPE_SW) {
		sw = sw_of(m, id, f_owner);
		return sw ? &sw->ami : NULL;
	}
	hw = hw_of(m, id, f_owner);
	return hw ? &hw->ami : NULL;
}

/* CONFIGURE, SAVE and RESET want the AMI mapped and disabled (spec 6). */
static unsigned int ami_idle(const struct rv_model_ami *ami)
{
	if (!ami)
		return ST_NOT_MAPPED;
	return ami->enabled ? ST_NOT_DISABLED : ST_OK;
}

/* F-AMI-{SW,HW}-{ENABLE,DISABLE}: one layout, the ID at byte 4 (spec 6). */
static unsigned int ami_set_enabled(struct rv_model *m, const uint8_t *c,
				    unsigned int type, bool enabled)
{
	struct rv_model_ami *ami = ami_of(m, type,
		rv_msg_get(c, RV_F_AMI_SW_ENABLE_CMD_AMI_SW_ID), 0);

	if (!ami)
		return ST_NOT_MAPPED;
	ami->enabled = enabled;
	return ST_OK;
}

/* Every CONFIGURE command has the PASID at the same place (spec 6). */
static void ami_configure(struct rv_model_ami *ami, const uint8_t *c)
{
	ami->pasid = rv_msg_get(c, RV_F_AMI_SW_CONFIGURE_CMD_PASID);
	ami->pasid_enabled = rv_msg_get(c,
					RV_F_AMI_SW_CONFIGURE_CMD_PASID_ENABLED);
}

/* SAVE responses: the PASID at byte 8 for an AMI-SW, 4 for an AMI-HW. */
static void ami_save(const struct rv_model_ami *ami, unsigned int type,
		     uint8_t *r)
{
	if (type == RV_AMI_TYPE_SW) {
		rv_msg_set(r, RV_F_AMI_SW_SAVE_RSP_PASID, ami->pasid);
		rv_msg_set(r, RV_F_AMI_SW_SAVE_RSP_PASID_ENABLED,
			   ami->pasid_enabled);
		return;
	}
	rv_msg_set(r, RV_F_AMI_HW_SAVE_RSP_PASID, ami->pasid);
	rv_msg_set(r, RV_F_AMI_HW_SAVE_RSP_PASID_ENABLED, ami->pasid_enabled);
}

/* The AMI's own RESET: its configuration goes, its mapping stays. */
static unsigned int ami_reset(struct rv_model_ami *ami)
{
	unsigned int st = ami_idle(ami);

	if (st)
		return st;
	ami->pasid = 0;
	ami->pasid_enabled = false;
	return ST_OK;
}

/* ---- commands: probe, functions, VF messages ---- */

static unsigned int cmd_pf_probe(struct rv_model *m, const uint8_t *c,
				 uint8_t *r)
{
	(void)c;
	rv_msg_set(r, RV_PF_PROBE_RSP_MAX_AMI_SW, m->p.num_ami_sw);
	rv_msg_set(r, RV_PF_PROBE_RSP_MAX_AMI_HW, m->p.num_ami_hw);
	rv_msg_set(r, RV_PF_PROBE_RSP_MAX_ASN, m->p.max_asn);
	rv_msg_set(r, RV_PF_PROBE_RSP_NUM_AHA, m->p.num_aha);
	return ST_OK;
}

/* No profiling counters and no PASID support in the model. */
static unsigned int cmd_f_probe(struct rv_model *m, const uint8_t *c,
				uint8_t *r)
{
	(void)c;
	rv_msg_set(r, RV_F_PROBE_RSP_AMI_PER_F_M1, m->p.ami_per_f_m1);
	return ST_OK;
}

/* Function 0 cannot be named (spec 6); the response has no status. */
static unsigned int cmd_pf_f_enable(struct rv_model *m, const uint8_t *c,
				    uint8_t *r)
{
	uint64_t f = rv_msg_get(c, RV_PF_F_ENABLE_CMD_F_OWNER);

	(void)r;
	if (f >= 1 && f < 64)
		m->f_enabled |= RV_BIT(f);
	return ST_OK;
}

static unsigned int cmd_pf_f_disable(struct rv_model *m, const uint8_t *c,
				     uint8_t *r)
{
	uint64_t f = rv_msg_get(c, RV_PF_F_DISABLE_CMD_F_OWNER);

	(void)r;
	if (f >= 1 && f < 64)
		m->f_enabled &= ~RV_BIT(f);
	return ST_OK;
}

/*
 * Model decision: there are no VFs behind the model, so a response to an
 * enabled function is "delivered" (and dropped), to any other one it is not.
 */
static unsigned int cmd_pf_response_to_vf(struct rv_model *m,
					  const uint8_t *c, uint8_t *r)
{
	uint64_t f = rv_msg_get(c, RV_PF_RESPONSE_TO_VF_CMD_F_TARGET);

	(void)r;
	if (f >= 1 && f < 64 && (m->f_enabled & RV_BIT(f)))
		return ST_OK;
	return 1;		/* Message could not be delivered */
}

/* A VF's command; the PF sending it reaches no one (model decision). */
static unsigned int cmd_vf_command_to_pf(struct rv_model *m, const uint8_t *c,
					 uint8_t *r)
{
	(void)m;
	(void)c;
	(void)r;
	return 1;		/* Message could not be delivered */
}

/* Type-B tables and profiling tables: accepted, no effect in the model. */
static unsigned int cmd_accept(struct rv_model *m, const uint8_t *c,
			       uint8_t *r)
{
	(void)m;
	(void)c;
	(void)r;
	return ST_OK;
}

/* ---- commands: AMI-SW ---- */

/*
 * Status 1 "already mapped" when the AMI_SW_ID is taken; status 2 when no
 * physical AMI-SW is free (or the one asked for is taken or does not exist).
 * Model decision: an AMI_SW_ID the function cannot have, or a function other
 * than 0, also gets status 2: no physical AMI-SW is available for it.
 */
static unsigned int cmd_pf_ami_sw_map(struct rv_model *m, const uint8_t *c,
				      uint8_t *r)
{
	uint64_t id = rv_msg_get(c, RV_PF_AMI_SW_MAP_CMD_AMI_SW_ID);
	uint64_t f = rv_msg_get(c, RV_PF_AMI_SW_MAP_CMD_F_OWNER);
	uint64_t phy = rv_msg_get(c, RV_PF_AMI_SW_MAP_CMD_PHY_AMI_SW_ID);
	unsigned int i;

	(void)r;
	if (f != 0 || id >= sw_ids(m))
		return ST_NOT_DISABLED;
	if (m->sw[id].ami.mapped)
		return 1;	/* AMI-SW already mapped */
	if (rv_msg_get(c, RV_PF_AMI_SW_MAP_CMD_ANY_PHY_AMI_SW)) {
		for (phy = 0; phy < m->p.num_ami_sw; phy++)
			if (!m->phy_sw_used[phy])
				break;
	}
	if (phy >= m->p.num_ami_sw || m->phy_sw_used[phy])
		return 2;	/* Physical AMI-SW not available */
	m->phy_sw_used[phy] = true;
	m->sw[id].ami.mapped = true;
	m->sw[id].ami.enabled = false;
	m->sw[id].ami.phy = (uint16_t)phy;
	for (i = 0; i < RV_MODEL_MAX_AMS; i++) {
		m->sw[id].tx[i] = (struct rv_model_ring){ 0 };
		m->sw[id].rx[i] = (struct rv_model_ring){ 0 };
	}
	return ST_OK;
}

/* No status field: never fails (spec 8.3); unmapping nothing is a no-op. */
static unsigned int cmd_pf_ami_sw_unmap(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_PF_AMI_SW_UNMAP_CMD_AMI_SW_ID),
		rv_msg_get(c, RV_PF_AMI_SW_UNMAP_CMD_F_OWNER));

	(void)r;
	if (!sw)
		return ST_OK;
	m->phy_sw_used[sw->ami.phy] = false;
	sw->ami.mapped = false;
	sw->ami.enabled = false;
	return ST_OK;
}

/* What F- and PF-AMI-SW-CONFIGURE have in common, at the same places. */
static void sw_configure(struct rv_model_ami_sw *sw, const uint8_t *c)
{
	ami_configure(&sw->ami, c);
	sw->tx_vector = rv_msg_get(c, RV_F_AMI_SW_CONFIGURE_CMD_TX_VECTOR);
	sw->rx_vector = rv_msg_get(c, RV_F_AMI_SW_CONFIGURE_CMD_RX_VECTOR);
	sw->tx_irq_enable = rv_msg_get(c,
				       RV_F_AMI_SW_CONFIGURE_CMD_TX_IRQ_ENABLE);
	sw->rx_irq_enable = rv_msg_get(c,
				       RV_F_AMI_SW_CONFIGURE_CMD_RX_IRQ_ENABLE);
}

static unsigned int cmd_pf_ami_sw_configure(struct rv_model *m,
					    const uint8_t *c, uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_PF_AMI_SW_CONFIGURE_CMD_AMI_SW_ID),
		rv_msg_get(c, RV_PF_AMI_SW_CONFIGURE_CMD_F_OWNER));
	unsigned int st = ami_idle(sw ? &sw->ami : NULL);

	(void)r;
	if (st)
		return st;
	sw_configure(sw, c);
	sw->ami.enabled = rv_msg_get(c, RV_PF_AMI_SW_CONFIGURE_CMD_ENABLE);
	return ST_OK;
}

static unsigned int cmd_f_ami_sw_configure(struct rv_model *m,
					   const uint8_t *c, uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_F_AMI_SW_CONFIGURE_CMD_AMI_SW_ID), 0);
	unsigned int st = ami_idle(sw ? &sw->ami : NULL);

	(void)r;
	if (st)
		return st;
	sw_configure(sw, c);
	return ST_OK;
}

/* The SAVE responses of F- and PF- share these places (spec 6). */
static void sw_save(const struct rv_model_ami_sw *sw, uint8_t *r)
{
	ami_save(&sw->ami, RV_AMI_TYPE_SW, r);
	rv_msg_set(r, RV_F_AMI_SW_SAVE_RSP_TX_VECTOR, sw->tx_vector);
	rv_msg_set(r, RV_F_AMI_SW_SAVE_RSP_RX_VECTOR, sw->rx_vector);
	rv_msg_set(r, RV_F_AMI_SW_SAVE_RSP_TX_IRQ_ENABLE, sw->tx_irq_enable);
	rv_msg_set(r, RV_F_AMI_SW_SAVE_RSP_RX_IRQ_ENABLE, sw->rx_irq_enable);
}

static unsigned int cmd_pf_ami_sw_save(struct rv_model *m, const uint8_t *c,
				       uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_PF_AMI_SW_SAVE_CMD_AMI_SW_ID),
		rv_msg_get(c, RV_PF_AMI_SW_SAVE_CMD_F_OWNER));
	unsigned int st = ami_idle(sw ? &sw->ami : NULL);

	if (st)
		return st;
	sw_save(sw, r);
	rv_msg_set(r, RV_PF_AMI_SW_SAVE_RSP_ENABLE, sw->ami.enabled);
	return ST_OK;
}

static unsigned int cmd_f_ami_sw_save(struct rv_model *m, const uint8_t *c,
				      uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_F_AMI_SW_SAVE_CMD_AMI_SW_ID), 0);
	unsigned int st = ami_idle(sw ? &sw->ami : NULL);

	if (st)
		return st;
	sw_save(sw, r);
	return ST_OK;
}

/*
 * Reset an AMI-SW's configuration (PASID, vectors, rings); it stays mapped.
 * Model decision: the page's index registers are not touched (only a device
 * reset clears them, spec 8.10), since software owns half of them.
 */
static unsigned int sw_reset(struct rv_model_ami_sw *sw)
{
	unsigned int i, st = ami_reset(sw ? &sw->ami : NULL);

	if (st)
		return st;
	sw->tx_vector = 0;
	sw->rx_vector = 0;
	sw->tx_irq_enable = false;
	sw->rx_irq_enable = false;
	for (i = 0; i < RV_MODEL_MAX_AMS; i++) {
		sw->tx[i] = (struct rv_model_ring){ 0 };
		sw->rx[i] = (struct rv_model_ring){ 0 };
	}
	return ST_OK;
}

static unsigned int cmd_pf_ami_sw_reset(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	(void)r;
	return sw_reset(sw_of(m, rv_msg_get(c, RV_PF_AMI_SW_RESET_CMD_AMI_SW_ID),
			      rv_msg_get(c, RV_PF_AMI_SW_RESET_CMD_F_OWNER)));
}

static unsigned int cmd_f_ami_sw_reset(struct rv_model *m, const uint8_t *c,
				       uint8_t *r)
{
	(void)r;
	return sw_reset(sw_of(m, rv_msg_get(c, RV_F_AMI_SW_RESET_CMD_AMI_SW_ID),
			      0));
}

static unsigned int cmd_f_ami_sw_enable(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	(void)r;
	return ami_set_enabled(m, c, RV_AMI_TYPE_SW, true);
}

static unsigned int cmd_f_ami_sw_disable(struct rv_model *m, const uint8_t *c,
					 uint8_t *r)
{
	(void)r;
	return ami_set_enabled(m, c, RV_AMI_TYPE_SW, false);
}

/* ---- commands: AMS rings ---- */

/*
 * The ring an AMS_ID/AMS_TYPE names, or NULL. Model decision: an AMS the
 * AMI-SW does not have (AMU_IDR says how many) is answered like an AMI-SW
 * that is not mapped (status 1), the only "no such thing" status the
 * tables offer.
 */
static struct rv_model_ring *ring_of(struct rv_model *m,
				     struct rv_model_ami_sw *sw,
				     uint64_t ams, uint64_t type)
{
	if (type == RV_AMS_TYPE_TX)
		return ams < m->p.num_tx_ams ? &sw->tx[ams] : NULL;
	return ams < m->p.num_rx_ams ? &sw->rx[ams] : NULL;
}

/*
 * The two RING-CONFIGURE commands place RX_MODE, LOG2_SIZE and THRESHOLD
 * one bit apart (spec 6): each reads its own fields.
 */
static unsigned int cmd_pf_ams_ring_configure(struct rv_model *m,
					      const uint8_t *c, uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_PF_AMS_RING_CONFIGURE_CMD_AMI_SW_ID),
		rv_msg_get(c, RV_PF_AMS_RING_CONFIGURE_CMD_F_OWNER));
	struct rv_model_ring *ring;

	(void)r;
	if (!sw)
		return ST_NOT_MAPPED;
	ring = ring_of(m, sw, rv_msg_get(c, RV_PF_AMS_RING_CONFIGURE_CMD_AMS_ID),
		       rv_msg_get(c, RV_PF_AMS_RING_CONFIGURE_CMD_AMS_TYPE));
	if (!ring)
		return ST_NOT_MAPPED;
	if (sw->ami.enabled)
		return ST_NOT_DISABLED;
	*ring = (struct rv_model_ring){
		.base = rv_msg_get(c, RV_PF_AMS_RING_CONFIGURE_CMD_BASE_PTR),
		.log2_size = rv_msg_get(c,
				RV_PF_AMS_RING_CONFIGURE_CMD_LOG2_SIZE),
		.rx_mode = rv_msg_get(c, RV_PF_AMS_RING_CONFIGURE_CMD_RX_MODE),
		.threshold = rv_msg_get(c,
				RV_PF_AMS_RING_CONFIGURE_CMD_THRESHOLD),
	};
	return ST_OK;
}

static unsigned int cmd_f_ams_ring_configure(struct rv_model *m,
					     const uint8_t *c, uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_AMI_SW_ID), 0);
	struct rv_model_ring *ring;

	(void)r;
	if (!sw)
		return ST_NOT_MAPPED;
	ring = ring_of(m, sw, rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_ID),
		       rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_AMS_TYPE));
	if (!ring)
		return ST_NOT_MAPPED;
	if (sw->ami.enabled)
		return ST_NOT_DISABLED;
	*ring = (struct rv_model_ring){
		.base = rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_BASE_PTR),
		.log2_size = rv_msg_get(c,
				RV_F_AMS_RING_CONFIGURE_CMD_LOG2_SIZE),
		.rx_mode = rv_msg_get(c, RV_F_AMS_RING_CONFIGURE_CMD_RX_MODE),
		.threshold = rv_msg_get(c,
				RV_F_AMS_RING_CONFIGURE_CMD_THRESHOLD),
	};
	return ST_OK;
}

static unsigned int cmd_pf_ams_ring_save(struct rv_model *m, const uint8_t *c,
					 uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_PF_AMS_RING_SAVE_CMD_AMI_SW_ID),
		rv_msg_get(c, RV_PF_AMS_RING_SAVE_CMD_F_OWNER));
	const struct rv_model_ring *ring;

	if (!sw)
		return ST_NOT_MAPPED;
	ring = ring_of(m, sw, rv_msg_get(c, RV_PF_AMS_RING_SAVE_CMD_AMS_ID),
		       rv_msg_get(c, RV_PF_AMS_RING_SAVE_CMD_AMS_TYPE));
	if (!ring)
		return ST_NOT_MAPPED;
	if (sw->ami.enabled)
		return ST_NOT_DISABLED;
	rv_msg_set(r, RV_PF_AMS_RING_SAVE_RSP_RX_MODE, ring->rx_mode);
	rv_msg_set(r, RV_PF_AMS_RING_SAVE_RSP_LOG2_SIZE, ring->log2_size);
	rv_msg_set(r, RV_PF_AMS_RING_SAVE_RSP_THRESHOLD, ring->threshold);
	rv_msg_set(r, RV_PF_AMS_RING_SAVE_RSP_BASE_PTR, ring->base);
	return ST_OK;
}

static unsigned int cmd_f_ams_ring_save(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	struct rv_model_ami_sw *sw = sw_of(m,
		rv_msg_get(c, RV_F_AMS_RING_SAVE_CMD_AMI_SW_ID), 0);
	const struct rv_model_ring *ring;

	if (!sw)
		return ST_NOT_MAPPED;
	ring = ring_of(m, sw, rv_msg_get(c, RV_F_AMS_RING_SAVE_CMD_AMS_ID),
		       rv_msg_get(c, RV_F_AMS_RING_SAVE_CMD_AMS_TYPE));
	if (!ring)
		return ST_NOT_MAPPED;
	if (sw->ami.enabled)
		return ST_NOT_DISABLED;
	rv_msg_set(r, RV_F_AMS_RING_SAVE_RSP_RX_MODE, ring->rx_mode);
	rv_msg_set(r, RV_F_AMS_RING_SAVE_RSP_LOG2_SIZE, ring->log2_size);
	rv_msg_set(r, RV_F_AMS_RING_SAVE_RSP_THRESHOLD, ring->threshold);
	rv_msg_set(r, RV_F_AMS_RING_SAVE_RSP_BASE_PTR, ring->base);
	return ST_OK;
}

/* ---- commands: AMI-HW ---- */

/*
 * Status 1 is the table's only error. Model decision: it also answers an
 * AHA or physical AMI-HW that does not exist or is taken, an AMI_HW_ID the
 * function cannot have, and a function other than 0.
 */
static unsigned int cmd_pf_ami_hw_map(struct rv_model *m, const uint8_t *c,
				      uint8_t *r)
{
	uint64_t phy = rv_msg_get(c, RV_PF_AMI_HW_MAP_CMD_PHY_AMI_HW_ID);
	uint64_t aha = rv_msg_get(c, RV_PF_AMI_HW_MAP_CMD_AHA_ID);
	uint64_t id = rv_msg_get(c, RV_PF_AMI_HW_MAP_CMD_AMI_HW_ID);
	uint64_t f = rv_msg_get(c, RV_PF_AMI_HW_MAP_CMD_F_OWNER);

	(void)r;
	if (f != 0 || id >= hw_ids(m) || m->hw[id].ami.mapped)
		return 1;	/* AMI-HW already mapped */
	if (aha >= m->p.num_aha || phy >= m->p.num_ami_hw ||
	    m->phy_hw_used[phy])
		return 1;
	m->phy_hw_used[phy] = true;
	m->hw[id] = (struct rv_model_ami_hw){
		.ami = { .mapped = true, .phy = (uint16_t)phy },
		.aha = (uint16_t)aha,
	};
	return ST_OK;
}

static unsigned int cmd_pf_ami_hw_unmap(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	struct rv_model_ami_hw *hw = hw_of(m,
		rv_msg_get(c, RV_PF_AMI_HW_UNMAP_CMD_AMI_HW_ID),
		rv_msg_get(c, RV_PF_AMI_HW_UNMAP_CMD_F_OWNER));

	(void)r;
	if (!hw)
		return ST_OK;
	m->phy_hw_used[hw->ami.phy] = false;
	*hw = (struct rv_model_ami_hw){ 0 };
	return ST_OK;
}

static unsigned int cmd_pf_ami_hw_configure(struct rv_model *m,
					    const uint8_t *c, uint8_t *r)
{
	struct rv_model_ami_hw *hw = hw_of(m,
		rv_msg_get(c, RV_PF_AMI_HW_CONFIGURE_CMD_AMI_HW_ID),
		rv_msg_get(c, RV_PF_AMI_HW_CONFIGURE_CMD_F_OWNER));
	unsigned int st = ami_idle(hw ? &hw->ami : NULL);

	(void)r;
	if (st)
		return st;
	ami_configure(&hw->ami, c);
	hw->hw_cred_size = rv_msg_get(c,
				RV_PF_AMI_HW_CONFIGURE_CMD_HW_CRED_SIZE);
	hw->ami.enabled = rv_msg_get(c, RV_PF_AMI_HW_CONFIGURE_CMD_ENABLE);
	return ST_OK;
}

static unsigned int cmd_f_ami_hw_configure(struct rv_model *m,
					   const uint8_t *c, uint8_t *r)
{
	struct rv_model_ami_hw *hw = hw_of(m,
		rv_msg_get(c, RV_F_AMI_HW_CONFIGURE_CMD_AMI_HW_ID), 0);
	unsigned int st = ami_idle(hw ? &hw->ami : NULL);

	(void)r;
	if (st)
		return st;
	ami_configure(&hw->ami, c);
	return ST_OK;
}

static unsigned int cmd_pf_ami_hw_save(struct rv_model *m, const uint8_t *c,
				       uint8_t *r)
{
	struct rv_model_ami_hw *hw = hw_of(m,
		rv_msg_get(c, RV_PF_AMI_HW_SAVE_CMD_AMI_HW_ID),
		rv_msg_get(c, RV_PF_AMI_HW_SAVE_CMD_F_OWNER));
	unsigned int st = ami_idle(hw ? &hw->ami : NULL);

	if (st)
		return st;
	ami_save(&hw->ami, RV_AMI_TYPE_HW, r);
	rv_msg_set(r, RV_PF_AMI_HW_SAVE_RSP_HW_CRED_SIZE, hw->hw_cred_size);
	rv_msg_set(r, RV_PF_AMI_HW_SAVE_RSP_ENABLE, hw->ami.enabled);
	return ST_OK;
}

static unsigned int cmd_f_ami_hw_save(struct rv_model *m, const uint8_t *c,
				      uint8_t *r)
{
	struct rv_model_ami_hw *hw = hw_of(m,
		rv_msg_get(c, RV_F_AMI_HW_SAVE_CMD_AMI_HW_ID), 0);
	unsigned int st = ami_idle(hw ? &hw->ami : NULL);

	if (st)
		return st;
	ami_save(&hw->ami, RV_AMI_TYPE_HW, r);
	return ST_OK;
}

/* Configuration back to zero; the AMI-HW stays mapped where it was. */
static unsigned int hw_reset(struct rv_model_ami_hw *hw)
{
	unsigned int st = ami_reset(hw ? &hw->ami : NULL);

	if (!st)
		hw->hw_cred_size = 0;
	return st;
}

static unsigned int cmd_pf_ami_hw_reset(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	(void)r;
	return hw_reset(hw_of(m, rv_msg_get(c, RV_PF_AMI_HW_RESET_CMD_AMI_HW_ID),
			      rv_msg_get(c, RV_PF_AMI_HW_RESET_CMD_F_OWNER)));
}

static unsigned int cmd_f_ami_hw_reset(struct rv_model *m, const uint8_t *c,
				       uint8_t *r)
{
	(void)r;
	return hw_reset(hw_of(m, rv_msg_get(c, RV_F_AMI_HW_RESET_CMD_AMI_HW_ID),
			      0));
}

static unsigned int cmd_f_ami_hw_enable(struct rv_model *m, const uint8_t *c,
					uint8_t *r)
{
	(void)r;
	return ami_set_enabled(m, c, RV_AMI_TYPE_HW, true);
}

static unsigned int cmd_f_ami_hw_disable(struct rv_model *m, const uint8_t *c,
					 uint8_t *r)
{
	(void)r;
	return ami_set_enabled(m, c, RV_AMI_TYPE_HW, false);
}

/* ---- commands: sessions ---- */

/*
 * Model decision: an ASN_ID at or beyond MAX_ASN gets status 1 as well
 * (the table's only error); the AMIs an ASN names need not exist yet: the
 * session simply moves nothing until both ends are mapped and enabled.
 */
static unsigned int cmd_pf_asn_create(struct rv_model *m, const uint8_t *c,
				      uint8_t *r)
{
	uint64_t id = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_ASN_ID);

	(void)r;
	if (id >= m->p.max_asn || m->asn[id].used)
		return 1;	/* Requested ASN ID already in use */
	m->asn[id] = (struct rv_model_asn){
		.used = true,
		.prio = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_PRIO),
		.dst_ami_type = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_DST_AMI_TYPE),
		.src_ami_type = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_SRC_AMI_TYPE),
		.mon_owner = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_MON_OWNER),
		.src_ami = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_SRC_AMI),
		.src_f_owner = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_SRC_F_OWNER),
		.dst_ami = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_DST_AMI),
		.dst_f_owner = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_DST_F_OWNER),
		.dst_ams = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_DST_AMS),
		.src_ams = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_SRC_AMS),
		.stash_ctl = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_STASH_CTL),
		.prof_mask = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_PROF_MASK),
		.prof_tbl_base = rv_msg_get(c,
					RV_PF_ASN_CREATE_CMD_PROF_TBL_BASE),
		.prof_ctl = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_PROF_CTL),
		.trace_ctl = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_TRACE_CTL),
		.mpidr = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_MPIDR),
		.mfo = rv_msg_get(c, RV_PF_ASN_CREATE_CMD_MFO),
		.mf_ob_buf_num = rv_msg_get(c,
					RV_PF_ASN_CREATE_CMD_MF_OB_BUF_NUM),
		.log2_msg_length = rv_msg_get(c,
					RV_PF_ASN_CREATE_CMD_LOG2_MSG_LENGTH),
	};
	m->asn_used |= RV_BIT(id);
	m->aha_held &= ~RV_BIT(id);
	return ST_OK;
}

/* The response reports the destroyed session, at its own places (spec 6). */
static unsigned int cmd_pf_asn_destroy(struct rv_model *m, const uint8_t *c,
				       uint8_t *r)
{
	uint64_t id = rv_msg_get(c, RV_PF_ASN_DESTROY_CMD_ASN_ID);
	const struct rv_model_asn *a;

	if (id >= m->p.max_asn || !m->asn[id].used)
		return 1;	/* ASN does not exist */
	a = &m->asn[id];
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_PRIO, a->prio);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_DST_AMI_TYPE, a->dst_ami_type);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_SRC_AMI_TYPE, a->src_ami_type);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_MON_OWNER, a->mon_owner);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_SRC_AMI, a->src_ami);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_SRC_F_OWNER, a->src_f_owner);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_DST_AMI, a->dst_ami);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_DST_F_OWNER, a->dst_f_owner);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_DST_AMS, a->dst_ams);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_SRC_AMS, a->src_ams);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_PROF_CTL, a->prof_ctl);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_TRACE_CTL, a->trace_ctl);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_STASH_CTL, a->stash_ctl);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_PROF_MASK, a->prof_mask);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_PROF_TBL_BASE, a->prof_tbl_base);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_MPIDR, a->mpidr);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_MFO, a->mfo);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_MF_OB_BUF_NUM, a->mf_ob_buf_num);
	rv_msg_set(r, RV_PF_ASN_DESTROY_RSP_LOG2_MSG_LENGTH,
		   a->log2_msg_length);
	m->asn[id].used = false;
	m->asn_used &= ~RV_BIT(id);
	return ST_OK;
}

/* ---- commands: AMS profiling and tracing ---- */

/*
 * Accepted with no effect once the IDs check out: the AMI is mapped (1) and
 * disabled (2), the AMS exists (1, model decision), and no session through
 * that AMS names another function as its monitoring owner (3).
 */
static unsigned int ams_monitor_check(struct rv_model *m, uint64_t ami,
				      uint64_t ami_type, uint64_t ams,
				      uint64_t ams_type)
{
	uint64_t nams = ams_type == RV_AMS_TYPE_TX ? m->p.num_tx_ams :
						     m->p.num_rx_ams;
	bool enabled;
	unsigned int i;

	if (ami_type == RV_AMI_TYPE_SW) {
		struct rv_model_ami_sw *sw = sw_of(m, ami, 0);

		if (!sw)
			return ST_NOT_MAPPED;
		enabled = sw->ami.enabled;
	} else {
		struct rv_model_ami_hw *hw = hw_of(m, ami, 0);

		if (!hw)
			return ST_NOT_MAPPED;
		enabled = hw->ami.enabled;
	}
	if (ams >= nams)
		return ST_NOT_MAPPED;
	if (enabled)
		return ST_NOT_DISABLED;
	for (i = 0; i < m->p.max_asn; i++) {
		const struct rv_model_asn *a = &m->asn[i];
		bool src = a->src_ami_type == ami_type && a->src_ami == ami &&
			   a->src_ams == ams && ams_type == RV_AMS_TYPE_TX;
		bool dst = a->dst_ami_type == ami_type && a->dst_ami == ami &&
			   a->dst_ams == ams && ams_type == RV_AMS_TYPE_RX;

		if (a->used && (src || dst) && a->mon_owner != 0)
			return ST_NOT_MON_OWNER;
	}
	return ST_OK;
}

static unsigned int cmd_f_ams_prof_configure(struct rv_model *m,
					     const uint8_t *c, uint8_t *r)
{
	(void)r;
	return ams_monitor_check(m,
		rv_msg_get(c, RV_F_AMS_PROF_CONFIGURE_CMD_AMI_ID),
		rv_msg_get(c, RV_F_AMS_PROF_CONFIGURE_CMD_AMI_TYPE),
		rv_msg_get(c, RV_F_AMS_PROF_CONFIGURE_CMD_AMS_ID),
		rv_msg_get(c, RV_F_AMS_PROF_CONFIGURE_CMD_AMS_TYPE));
}

static unsigned int cmd_f_ams_trace_configure(struct rv_model *m,
					      const uint8_t *c, uint8_t *r)
{
	(void)r;
	return ams_monitor_check(m,
		rv_msg_get(c, RV_F_AMS_TRACE_CONFIGURE_CMD_AMI_ID),
		rv_msg_get(c, RV_F_AMS_TRACE_CONFIGURE_CMD_AMI_TYPE),
		rv_msg_get(c, RV_F_AMS_TRACE_CONFIGURE_CMD_AMS_ID),
		rv_msg_get(c, RV_F_AMS_TRACE_CONFIGURE_CMD_AMS_TYPE));
}

/* ---- command dispatch (spec 8.2, 8.3) ---- */

typedef unsigned int (*cmd_fn)(struct rv_model *m, const uint8_t *c,
			       uint8_t *r);

static cmd_fn cmd_handler(unsigned int op)
{
	switch (op) {
	case RV_OP_PF_PROBE:			return cmd_pf_probe;
	case RV_OP_F_PROBE:			return cmd_f_probe;
	case RV_OP_PF_F_ENABLE:			return cmd_pf_f_enable;
	case RV_OP_PF_F_DISABLE:		return cmd_pf_f_disable;
	case RV_OP_F_TYPEB_TABLE_CONFIGURE:	return cmd_accept;
	case RV_OP_PF_AMI_SW_MAP:		return cmd_pf_ami_sw_map;
	case RV_OP_PF_AMI_SW_UNMAP:		return cmd_pf_ami_sw_unmap;
	case RV_OP_PF_AMI_SW_CONFIGURE:		return cmd_pf_ami_sw_configure;
	case RV_OP_PF_AMI_SW_SAVE:		return cmd_pf_ami_sw_save;
	case RV_OP_PF_AMI_SW_RESET:		return cmd_pf_ami_sw_reset;
	case RV_OP_F_AMI_SW_CONFIGURE:		return cmd_f_ami_sw_configure;
	case RV_OP_F_AMI_SW_SAVE:		return cmd_f_ami_sw_save;
	case RV_OP_F_AMI_SW_RESET:		return cmd_f_ami_sw_reset;
	case RV_OP_F_AMI_SW_ENABLE:		return cmd_f_ami_sw_enable;
	case RV_OP_F_AMI_SW_DISABLE:		return cmd_f_ami_sw_disable;
	case RV_OP_PF_ASN_CREATE:		return cmd_pf_asn_create;
	case RV_OP_PF_ASN_DESTROY:		return cmd_pf_asn_destroy;
	case RV_OP_PF_AMS_RING_CONFIGURE:	return cmd_pf_ams_ring_configure;
	case RV_OP_PF_AMS_RING_SAVE:		return cmd_pf_ams_ring_save;
	case RV_OP_F_AMS_RING_CONFIGURE:	return cmd_f_ams_ring_configure;
	case RV_OP_F_AMS_RING_SAVE:		return cmd_f_ams_ring_save;
	case RV_OP_PF_RESPONSE_TO_VF:		return cmd_pf_response_to_vf;
	case RV_OP_PF_AMI_HW_MAP:		return cmd_pf_ami_hw_map;
	case RV_OP_PF_AMI_HW_UNMAP:		return cmd_pf_ami_hw_unmap;
	case RV_OP_PF_AMI_HW_CONFIGURE:		return cmd_pf_ami_hw_configure;
	case RV_OP_PF_AMI_HW_SAVE:		return cmd_pf_ami_hw_save;
	case RV_OP_PF_AMI_HW_RESET:		return cmd_pf_ami_hw_reset;
	case RV_OP_VF_COMMAND_TO_PF:		return cmd_vf_command_to_pf;
	case RV_OP_F_PROF_TABLE_FLUSH:		return cmd_accept;
	case RV_OP_F_AMI_HW_CONFIGURE:		return cmd_f_ami_hw_configure;
	case RV_OP_F_AMI_HW_SAVE:		return cmd_f_ami_hw_save;
	case RV_OP_F_AMI_HW_RESET:		return cmd_f_ami_hw_reset;
	case RV_OP_F_AMI_HW_ENABLE:		return cmd_f_ami_hw_enable;
	case RV_OP_F_AMI_HW_DISABLE:		return cmd_f_ami_hw_disable;
	case RV_OP_F_AMS_PROF_CONFIGURE:	return cmd_f_ams_prof_configure;
	case RV_OP_F_AMS_TRACE_CONFIGURE:	return cmd_f_ams_trace_configure;
	default:				return NULL;
	}
}

/*
 * Build the response to m->cmd in m->rsp. A forced failure
 * (params.fail_opcode) answers with params.fail_status and leaves the
 * device untouched, like a real refusal.
 */
static void execute(struct rv_model *m)
{
	unsigned int op = rv_msg_get(m->cmd, RV_MSG_OPCODE);
	cmd_fn fn = cmd_handler(op);
	unsigned int status;

	memset(m->rsp, 0, sizeof(m->rsp));
	rv_msg_set(m->rsp, RV_MSG_OPCODE, op);
	if (m->p.fail_opcode && op == m->p.fail_opcode)
		status = m->p.fail_status;
	else if (!fn)
		status = RV_STATUS_UNKNOWN_OPCODE;	/* spec 8.3 */
	else
		status = fn(m, m->cmd, m->rsp);
	rv_msg_set(m->rsp, RV_MSG_STATUS, status);
}

static bool muted(const struct rv_model *m)
{
	unsigned int op = rv_msg_get(m->cmd, RV_MSG_OPCODE);

	return m->p.mute || (m->p.mute_opcode && op == m->p.mute_opcode);
}

/* The device's index register at BAR0 offset off now reads val. */
static void index_moved(struct rv_model *m, uint64_t off, uint64_t val)
{
	if (m->host.index_moved)
		m->host.index_moved(m->host.host, off, val);
}

/*
 * A command's indexes out to software at once, before its response's
 * interrupt: the response and any duplicate or exception it brings land
 * as one completion (model decision), so a driver sees an extra response
 * beside the one it waits for, not after it. The host publishes every
 * management register on this call.
 */
static void mgt_moved(struct rv_model *m)
{
	index_moved(m, RV_MGT_WRITE_INDEX_RX0, m->mgt_write_rx[0]);
}

/*
 * params.exception_opcode: one exception on the exception ring (management
 * socket 2, written like a response, spec 8.2), so that a driver's
 * exception path can be tested. Uses m->rsp before the response is built.
 */
static void post_exception(struct rv_model *m)
{
	unsigned int el = msk_log2_size(m, RV_MSK_EXC);
	uint64_t addr;

	if (!m->p.exception_opcode || m->exception_posted)
		return;
	if (!ring_has_room(m->mgt_read_rx[1], m->mgt_write_rx[1], el))
		return;
	memset(m->rsp, 0, sizeof(m->rsp));
	rv_msg_set(m->rsp, RV_MSG_OPCODE, m->p.exception_opcode);
	/* Byte 0x4 bits 15:0: SOURCE (AMI_ID for E-F-COUNTER-OVERFLOW). */
	rv_msg_set(m->rsp, RV_E_PF_VF_RESET_EXC_SOURCE, 1);
	addr = slot_addr(m->msk_base[RV_MSK_EXC], m->mgt_write_rx[1], el,
			 msk_slot_bytes(m, RV_MSK_EXC));
	if (!dma_write(m, addr, m->rsp, RV_MSG_SIZE))
		return;
	m->mgt_write_rx[1]++;
	m->exception_posted = true;
}

/*
 * params.dup_rsp: the response just posted goes out a second time, in the
 * next slot, so a driver's check that it never takes more responses than
 * it sent commands can be tested; params.dup_rsp_late: the same, but when
 * the next command is taken, so the extra answer arrives while that
 * command waits for its own. Room permitting, like any response.
 */
static void post_duplicate(struct rv_model *m, unsigned int rl, uint64_t n)
{
	uint64_t addr;

	if (!n || m->commands != n)
		return;
	if (!ring_has_room(m->mgt_read_rx[0], m->mgt_write_rx[0], rl))
		return;
	addr = slot_addr(m->msk_base[RV_MSK_RSP], m->mgt_write_rx[0], rl,
			 msk_slot_bytes(m, RV_MSK_RSP));
	if (dma_write(m, addr, m->rsp, RV_MSG_SIZE))
		m->mgt_write_rx[0]++;
}

/*
 * One command (spec 8.2): read the slot, advance MGT_READ_INDEX_TX0, write
 * the response into the next response slot, advance MGT_WRITE_INDEX_RX0.
 * A full response ring holds the command back. Returns 1 if it did work.
 */
static unsigned int mgt_step(struct rv_model *m)
{
	unsigned int cl = msk_log2_size(m, RV_MSK_CMD);
	unsigned int rl = msk_log2_size(m, RV_MSK_RSP);
	uint64_t addr;

	if (!ring_has_msg(m->mgt_read_tx0, m->mgt_write_tx0, cl))
		return 0;
	if (!ring_has_room(m->mgt_read_rx[0], m->mgt_write_rx[0], rl))
		return 0;
	addr = slot_addr(m->msk_base[RV_MSK_CMD], m->mgt_read_tx0, cl,
			 msk_slot_bytes(m, RV_MSK_CMD));
	if (!dma_read(m, addr, m->cmd, RV_MSG_SIZE))
		return 0;
	m->mgt_read_tx0++;
	/* m->rsp still holds the last answer: params.dup_rsp_late. */
	post_duplicate(m, rl, m->p.dup_rsp_late);
	if ((m->mgt_tx_irq_ctrl & RV_MGT_IRQ_CTRL_EN) &&
	    (m->mgt_tx_digest_mask & RV_BIT(0)))
		irq(m, RV_FIELD_GET(RV_MGT_VECTOR, m->mgt_tx_vector));
	if (muted(m)) {
		mgt_moved(m);
		return 1;
	}
	post_exception(m);
	execute(m);
	if (m->host.command)
		m->host.command(m->host.host, m->cmd, m->rsp);
	addr = slot_addr(m->msk_base[RV_MSK_RSP], m->mgt_write_rx[0], rl,
			 msk_slot_bytes(m, RV_MSK_RSP));
	if (!dma_write(m, addr, m->rsp, RV_MSG_SIZE)) {
		mgt_moved(m);
		return 1;
	}
	m->mgt_write_rx[0]++;
	m->commands++;
	post_duplicate(m, rl, m->p.dup_rsp);
	mgt_moved(m);
	if ((m->mgt_rx_irq_ctrl & RV_MGT_IRQ_CTRL_EN) &&
	    (m->mgt_rx_digest_mask & RV_BIT(0)))
		irq(m, RV_FIELD_GET(RV_MGT_VECTOR, m->mgt_rx_vector));
	return 1;
}

/* ---- sessions (spec 8.5, 8.6) ---- */

/* The enabled AMI-SW an ASN end names, or NULL. */
static struct rv_model_ami_sw *live_sw(struct rv_model *m, uint16_t ami,
				       uint16_t f_owner)
{
	struct rv_model_ami_sw *sw = sw_of(m, ami, f_owner);

	return sw && sw->ami.enabled ? sw : NULL;
}

static struct rv_model_ami_hw *live_hw(struct rv_model *m, uint16_t ami,
				       uint16_t f_owner)
{
	struct rv_model_ami_hw *hw = hw_of(m, ami, f_owner);

	return hw && hw->ami.enabled ? hw : NULL;
}

/* Where a message goes: an AMI-SW RX ring, and whether the AHA inverts it. */
struct hop {
	struct rv_model_ami_sw *sw;	/* destination AMI-SW */
	unsigned int ams;		/* its RX AMS */
	size_t len;			/* bytes written into the slot */
	bool invert;
};

/* An AMI-SW RX AMS with room for one more message (back-pressure). */
static bool rx_room(struct rv_model *m, struct rv_model_ami_sw *sw,
		    unsigned int ams)
{
	const struct rv_model_ring *ring;

	if (ams >= m->p.num_rx_ams)
		return false;
	ring = &sw->rx[ams];
	/*
	 * Overwriting mode (RX_MODE 1) never holds the sender back: the
	 * oldest message is overwritten and software's read index is its
	 * own business.
	 */
	if (ring->rx_mode == RV_RX_MODE_OVERWRITING)
		return true;
	return ring_has_room(sw->read_rx[ams], sw->write_rx[ams],
			     ring->log2_size);
}

/* The session that carries the AHA's output: out of physical AMI-HW 1. */
static const struct rv_model_asn *aha_out_asn(struct rv_model *m)
{
	unsigned int i, id;

	for (id = 0; id < hw_ids(m); id++) {
		const struct rv_model_ami_hw *hw = &m->hw[id];

		if (hw->ami.mapped && hw->ami.enabled && hw->aha == 0 && hw->ami.phy == 1)
			break;
	}
	if (id == hw_ids(m))
		return NULL;
	for (i = 0; i < m->p.max_asn; i++) {
		const struct rv_model_asn *a = &m->asn[i];

		if (a->used && a->src_ami_type == RV_AMI_TYPE_HW &&
		    a->src_ami == id && a->src_f_owner == 0 &&
		    a->src_ams == 0)
			return a;
	}
	return NULL;
}

/*
 * Where ASN a can deliver its next message right now, or false (held:
 * back-pressure, or an end that is not there). Into an AMI-SW: directly,
 * unchanged (loopback). Into AHA 0's physical AMI-HW 0 RX AMS 0: through
 * the AHA, which inverts it and sends it, same length (spec 8.6), out of
 * physical AMI-HW 1 TX AMS 0 on the session from there. The AHA keeps no
 * message of its own: it takes one only when its output has room, so
 * nothing is ever lost inside it.
 */
static bool route(struct rv_model *m, const struct rv_model_asn *a,
		  struct hop *h)
{
	const struct rv_model_ami_hw *hw;
	const struct rv_model_asn *out;

	h->len = RV_MSG_BYTES(a->log2_msg_length);
	h->invert = false;
	if (a->dst_ami_type == RV_AMI_TYPE_HW) {
		hw = live_hw(m, a->dst_ami, a->dst_f_owner);
		if (!hw || hw->aha != 0 || hw->ami.phy != 0 || a->dst_ams != 0)
			return false;	/* no agent behind it */
		out = aha_out_asn(m);
		if (!out || out->dst_ami_type != RV_AMI_TYPE_SW)
			return false;
		h->invert = true;
		h->len = RV_MSG_BYTES(out->log2_msg_length);
		a = out;
	}
	h->sw = live_sw(m, a->dst_ami, a->dst_f_owner);
	h->ams = a->dst_ams;
	return h->sw && rx_room(m, h->sw, h->ams);
}

/*
 * The AHA's work on len bytes: inverted a 64-bit word at a time, as the
 * byte loop was half of a --sim run's time; memcpy keeps it free of
 * alignment and aliasing assumptions and compiles to plain loads.
 */
static void aha_invert(uint8_t *p, size_t len)
{
	size_t i = 0;
	uint64_t w;

	for (; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		w = ~w;
		memcpy(p + i, &w, sizeof(w));
	}
	for (; i < len; i++)
		p[i] = (uint8_t)~p[i];
}

/*
 * 16 bytes as one value, a vector type of GCC's and clang's: ~ on it is one
 * SIMD instruction where one is available (SSE2 on x86-64, NEON on arm64),
 * and plain word operations where not (the kernel's build, sim/mdev). A
 * loop over words is not vectorised at -O2.
 */
typedef uint64_t rv_model_block __attribute__((vector_size(16)));

/*
 * The AHA's work, or a loopback's, from one slot straight into another
 * (struct rv_model_host.dma_ptr): len bytes moved, inverted if asked, 64
 * bytes at a time as four blocks (the slots never overlap: restrict);
 * then pad bytes of zeros, and byte 0 xor'ed with flip
 * (params.corrupt_msg). The only place the model touches DMA memory
 * itself: tests/tsan_shared.txt names it, as the driver touches the same
 * slots, ordered by doorbells, not by the mock's lock.
 */
static void dma_move(uint8_t *restrict dst, const uint8_t *restrict src,
		     size_t len, size_t pad, bool invert, uint8_t flip)
{
	rv_model_block a, b, c, d;
	size_t i = 0;

	if (!invert) {
		memcpy(dst, src, len);
		i = len;
	}
	for (; i + 4 * sizeof(a) <= len; i += 4 * sizeof(a)) {
		memcpy(&a, src + i, sizeof(a));
		memcpy(&b, src + i + 16, sizeof(b));
		memcpy(&c, src + i + 32, sizeof(c));
		memcpy(&d, src + i + 48, sizeof(d));
		a = ~a;
		b = ~b;
		c = ~c;
		d = ~d;
		memcpy(dst + i, &a, sizeof(a));
		memcpy(dst + i + 16, &b, sizeof(b));
		memcpy(dst + i + 32, &c, sizeof(c));
		memcpy(dst + i + 48, &d, sizeof(d));
	}
	for (; i < len; i++)
		dst[i] = (uint8_t)~src[i];
	if (pad)	/* a call for nothing costs as much as 64 bytes' move */
		memset(dst + len, 0, pad);
	if (flip)
		dst[0] ^= flip;
}

/* params.corrupt_msg: the AHA spoils byte 0 of this reply (0xff), or not. */
static uint8_t corrupt_flip(const struct rv_model *m, bool invert)
{
	return invert && m->p.corrupt_msg &&
	       m->aha_messages + 1 == m->p.corrupt_msg ? 0xff : 0;
}

/* Do [a, a + alen) and [b, b + blen) share a byte? */
static bool overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + blen && y < x + alen;
}

/*
 * One message in place, when the host lends both slots: one pass instead
 * of three (read into m->buf, invert, write out). Both ranges are
 * translated whole before a byte moves, so nothing can fault halfway;
 * false, with nothing touched, when the host cannot lend them or they
 * overlap, and the copy below decides (and takes any fault, spec 8.4).
 * It reads only what the copy would: the first out_len bytes at most.
 */
static bool move_msg(struct rv_model *m, uint64_t src, size_t in_len,
		     uint64_t dst, size_t out_len, bool invert)
{
	size_t len = in_len < out_len ? in_len : out_len;
	const uint8_t *s;
	uint8_t *d;

	if (!m->host.dma_ptr || !len)
		return false;
	s = m->host.dma_ptr(m->host.host, src, len);
	d = m->host.dma_ptr(m->host.host, dst, out_len);
	if (!s || !d || overlap(s, len, d, out_len))
		return false;
	dma_move(d, s, len, out_len - len, invert, corrupt_flip(m, invert));
	return true;
}

/*
 * Copy one message from src to dst in chunks through m->buf. in_len bytes
 * are read; the slot gets out_len bytes, zero-padded if the output session
 * has longer messages (model decision; the demo uses equal lengths).
 */
static bool copy_msg(struct rv_model *m, uint64_t src, size_t in_len,
		     uint64_t dst, size_t out_len, bool invert)
{
	size_t off, n, got;

	if (move_msg(m, src, in_len, dst, out_len, invert))
		return true;
	for (off = 0; off < out_len; off += n) {
		n = out_len - off < RV_MODEL_CHUNK ? out_len - off :
						     RV_MODEL_CHUNK;
		got = off >= in_len ? 0 : in_len - off < n ? in_len - off : n;
		/* Only the padding is cleared: the read fills the rest. */
		memset(m->buf + got, 0, n - got);
		if (got && !dma_read(m, src + off, m->buf, got))
			return false;
		if (invert)
			aha_invert(m->buf, got);
		if (off == 0)
			m->buf[0] ^= corrupt_flip(m, invert);
		if (!dma_write(m, dst + off, m->buf, n))
			return false;
	}
	return true;
}

/* AMI-SW sw's index register at reg of its page now reads val. */
static void sw_index_moved(struct rv_model *m,
			   const struct rv_model_ami_sw *sw, uint64_t reg,
			   uint64_t val)
{
	index_moved(m, RV_AMI_SW_PAGE(sw - m->sw) + reg, val);
}

static void sw_tx_irq(struct rv_model *m, struct rv_model_ami_sw *sw,
		      unsigned int ams)
{
	if (sw->tx_irq_enable && (sw->tx_digest_mask & RV_BIT(ams)))
		irq(m, sw->tx_vector);
}

static void sw_rx_irq(struct rv_model *m, struct rv_model_ami_sw *sw,
		      unsigned int ams)
{
	if (sw->rx_irq_enable && (sw->rx_digest_mask & RV_BIT(ams)))
		irq(m, sw->rx_vector);
}

/*
 * A session's turn of messages: where they come from and go (route()),
 * worked out once for the turn, and the two rings as the host lends them
 * whole (struct rv_model_host.dma_ptr), so that a message costs its move
 * and its two indexes. tx_ring and rx_ring are both set or both NULL:
 * NULL where either ring cannot be lent whole (not inside one mapping,
 * overlapping the other, a host that lends nothing), and the messages then
 * go by copy_msg(), slot by slot, which takes any fault (spec 8.4). The
 * mappings cannot change during a turn: a host steps the model under the
 * lock its DMA unmap takes, or between the messages that could unmap.
 */
struct flow {
	struct rv_model_ami_sw *src;
	const struct rv_model_ring *tx, *rx;
	unsigned int ams;		/* the source's TX AMS */
	size_t in_len;
	struct hop h;
	const uint8_t *tx_ring;
	uint8_t *rx_ring;
};

/* Bytes of a ring of 2^log2_size slots of slot bytes; 0 if not in a size_t. */
static size_t ring_bytes(unsigned int log2_size, size_t slot)
{
	if (log2_size >= 8 * sizeof(size_t) || slot > (size_t)-1 >> log2_size)
		return 0;
	return slot << log2_size;
}

/* Both rings of the turn from the host, whole, or neither (struct flow). */
static void flow_lend(struct rv_model *m, struct flow *f)
{
	size_t tb = ring_bytes(f->tx->log2_size, f->in_len);
	size_t rb = ring_bytes(f->rx->log2_size, f->h.len);
	const uint8_t *t;
	uint8_t *r;

	f->tx_ring = NULL;
	f->rx_ring = NULL;
	if (!m->host.dma_ptr || !tb || !rb)
		return;
	t = m->host.dma_ptr(m->host.host, f->tx->base, tb);
	r = m->host.dma_ptr(m->host.host, f->rx->base, rb);
	if (!t || !r || overlap(t, tb, r, rb))
		return;
	f->tx_ring = t;
	f->rx_ring = r;
}

/*
 * Has ASN a a message and somewhere to put it (spec 8.5)? If so, its
 * turn begins, with f filled in for it.
 */
static bool flow_start(struct rv_model *m, const struct rv_model_asn *a,
		       struct flow *f)
{
	f->ams = a->src_ams;
	if (a->src_ami_type != RV_AMI_TYPE_SW || f->ams >= m->p.num_tx_ams)
		return false;	/* AMI-HW sources move through the AHA */
	f->src = live_sw(m, a->src_ami, a->src_f_owner);
	if (!f->src)
		return false;
	f->tx = &f->src->tx[f->ams];
	if (!ring_has_msg(f->src->read_tx[f->ams], f->src->write_tx[f->ams],
			  f->tx->log2_size))
		return false;
	if (!route(m, a, &f->h))
		return false;
	f->rx = &f->h.sw->rx[f->h.ams];
	f->in_len = RV_MSG_BYTES(a->log2_msg_length);
	return true;
}

/* params.aha_paced: the next message waits at the AHA for a credit. */
static bool flow_held(const struct rv_model *m, const struct flow *f)
{
	return f->h.invert && m->p.aha_paced && !m->aha_credits;
}

/* The turn goes on: another message, and room for it (back-pressure). */
static bool flow_more(struct rv_model *m, const struct flow *f)
{
	return ring_has_msg(f->src->read_tx[f->ams], f->src->write_tx[f->ams],
			    f->tx->log2_size) &&
	       rx_room(m, f->h.sw, f->h.ams);
}

/* The message's bytes into its slot: false if its DMA faulted. */
static bool flow_copy(struct rv_model *m, const struct flow *f,
		      uint64_t read, uint64_t write)
{
	size_t len = f->in_len < f->h.len ? f->in_len : f->h.len;
	uint64_t from = slot_addr(f->tx->base, read, f->tx->log2_size,
				  f->in_len);
	uint64_t to = slot_addr(f->rx->base, write, f->rx->log2_size,
				f->h.len);

	if (!f->tx_ring)
		return copy_msg(m, from, f->in_len, to, f->h.len, f->h.invert);
	dma_move(f->rx_ring + (to - f->rx->base),
		 f->tx_ring + (from - f->tx->base), len, f->h.len - len,
		 f->h.invert, corrupt_flip(m, f->h.invert));
	return true;
}

/*
 * One message of the turn: written into the destination slot, then the
 * destination's WRITE_INDEX_RX advanced, then the source's READ_INDEX_TX
 * (spec 8.5), each published as it moves. False if its DMA faulted.
 */
static bool flow_move(struct rv_model *m, struct flow *f)
{
	struct rv_model_ami_sw *dst = f->h.sw, *src = f->src;
	unsigned int rx_ams = f->h.ams, s = f->ams;

	if (!flow_copy(m, f, src->read_tx[s], dst->write_rx[rx_ams]))
		return false;
	if (f->h.invert) {
		m->aha_messages++;
		if (m->p.aha_paced)
			m->aha_credits--;
	}
	dst->write_rx[rx_ams]++;
	sw_index_moved(m, dst, RV_AMI_SW_WRITE_INDEX_RX(rx_ams),
		       dst->write_rx[rx_ams]);
	sw_rx_irq(m, dst, rx_ams);
	src->read_tx[s]++;
	sw_index_moved(m, src, RV_AMI_SW_READ_INDEX_TX(s), src->read_tx[s]);
	sw_tx_irq(m, src, s);
	m->messages++;
	return true;
}

/*
 * Up to limit messages of a turn, for as long as there are messages, room
 * and credit; how many moved. *held: the next one waits for a credit.
 */
static unsigned int flow_run(struct rv_model *m, struct flow *f,
			     unsigned int limit, bool *held)
{
	unsigned int n = 0;

	*held = flow_held(m, f);
	if (*held)
		return 0;
	flow_lend(m, f);
	while (n < limit && flow_move(m, f)) {
		n++;
		if (!flow_more(m, f))
			break;
		*held = flow_held(m, f);
		if (*held)
			break;
	}
	return n;
}

/*
 * Session id's turn: up to limit messages; how many moved. Whether its
 * next message waits at a paced AHA is kept per session, so that the host
 * (rv_model_aha_waiting()) hears it whichever sessions a step reached.
 */
static unsigned int asn_move(struct rv_model *m, unsigned int id,
			     unsigned int limit)
{
	unsigned int n = 0;
	bool held = false;
	struct flow f;

	if (flow_start(m, &m->asn[id], &f))
		n = flow_run(m, &f, limit, &held);
	if (held)
		m->aha_held |= RV_BIT(id);
	else
		m->aha_held &= ~RV_BIT(id);
	return n;
}

/*
 * The sessions from session first on, then those before it: bit i of the
 * result is the i-th to take its turn (a rotation of the 64-bit mask, so
 * its bit i is session (first + i) % 64).
 */
static uint64_t sessions_from(uint64_t used, unsigned int first)
{
	return first ? used >> first | used << (64 - first) : used;
}

/*
 * A turn of each session that has messages, up to RV_MODEL_RUN each and
 * limit in all, starting where the last step stopped (m->asn_turn): no
 * session waits for another's ring to drain, however many are busy.
 * Called running; a move that faulted (spec 8.4) stops the device, so it
 * is asked again after a turn that stopped short.
 */
static unsigned int sessions_step(struct rv_model *m, unsigned int limit)
{
	const unsigned int first = m->asn_turn;
	uint64_t left = sessions_from(m->asn_used, first);
	unsigned int id, want, moved, n = 0;

	while (left && n < limit) {
		id = (first + __builtin_ctzll(left)) % 64;
		left &= left - 1;
		want = limit - n < RV_MODEL_RUN ? limit - n : RV_MODEL_RUN;
		moved = asn_move(m, id, want);
		n += moved;
		m->asn_turn = (id + 1) % RV_MODEL_MAX_ASN;
		if (moved < want && !running(m))
			break;
	}
	return n;
}

unsigned int rv_model_step_budget(struct rv_model *m, unsigned int budget)
{
	unsigned int done = 0, n;

	do {
		if (!running(m))
			break;
		n = mgt_step(m);
		if (running(m) && done + n < budget)
			n += sessions_step(m, budget - done - n);
		done += n;
	} while (n && done < budget);
	return done;
}

unsigned int rv_model_step(struct rv_model *m)
{
	return rv_model_step_budget(m, RV_MODEL_STEP_BUDGET);
}

void rv_model_aha_grant(struct rv_model *m)
{
	m->aha_credits++;
}

/*
 * A session's word stands until its next turn; a credit already granted,
 * or a device that stopped, means nothing waits for one now.
 */
bool rv_model_aha_waiting(const struct rv_model *m)
{
	return running(m) && !m->aha_credits &&
	       (m->aha_held & m->asn_used) != 0;
}

/* ---- registers (spec 3, 4) ---- */

static uint64_t amu_idr(const struct rv_model *m)
{
	/* AMI_TYPE 0 (type A1), no profiling, no tracing (spec 8.9). */
	return RV_FIELD_PREP(RV_AMU_IDR_NUM_RX_AMS_M1, m->p.num_rx_ams - 1) |
	       RV_FIELD_PREP(RV_AMU_IDR_NUM_TX_AMS_M1, m->p.num_tx_ams - 1);
}

/*
 * spec 8.8: RX_DIGEST bit n is 1 while RX AMS n holds a message. TX "works
 * the same way": model decision, TX_DIGEST bit n is 1 while TX AMS n has
 * room for software to produce into.
 */
static uint64_t sw_rx_digest(const struct rv_model *m,
			     const struct rv_model_ami_sw *sw)
{
	uint64_t d = 0;
	unsigned int n;

	for (n = 0; n < m->p.num_rx_ams; n++)
		if (sw->write_rx[n] != sw->read_rx[n])
			d |= RV_BIT(n);
	return d;
}

static uint64_t sw_tx_digest(const struct rv_model *m,
			     const struct rv_model_ami_sw *sw)
{
	uint64_t d = 0;
	unsigned int n;

	for (n = 0; n < m->p.num_tx_ams; n++)
		if (ring_has_room(sw->read_tx[n], sw->write_tx[n],
				  sw->tx[n].log2_size))
			d |= RV_BIT(n);
	return d;
}

static uint64_t mgt_rx_digest(const struct rv_model *m)
{
	uint64_t d = 0;
	unsigned int k;

	for (k = 0; k < 3; k++)
		if (m->mgt_write_rx[k] != m->mgt_read_rx[k])
			d |= RV_BIT(k);
	return d;
}

/* The AMI-SW page a BAR0 offset falls in, or -1 (spec 4, 8.7). */
static int sw_page(const struct rv_model *m, uint64_t off)
{
	uint64_t k = (off >> 16) - 1;

	if (off < RV_AMI_SW_PAGE(0) || k >= m->p.num_ami_sw ||
	    (off & 0xffff) >= RV_AMI_SW_PAGE_SIZE)
		return -1;
	return (int)k;
}

/* Who writes each register of an AMI-SW page (spec 4). */
static enum rv_reg_owner sw_owner(const struct rv_model *m, uint64_t o)
{
	uint64_t n = (o & 0x1ff) >> 3;	/* 8-byte stride */

	if (o == RV_AMI_SW_TX_DIGEST_MASK || o == RV_AMI_SW_RX_DIGEST_MASK)
		return RV_REG_SW;
	if (o == RV_AMI_SW_TX_DIGEST || o == RV_AMI_SW_RX_DIGEST)
		return RV_REG_DEVICE;
	if (o >= 0x400 && o < 0x800 && n < m->p.num_tx_ams)
		return o < 0x600 ? RV_REG_DEVICE : RV_REG_SW;
	if (o >= 0xc00 && o < 0x1000 && n < m->p.num_rx_ams)
		return o < 0xe00 ? RV_REG_SW : RV_REG_DEVICE;
	return RV_REG_NONE;
}

/* Who writes each management register (spec 3). */
static enum rv_reg_owner mgt_owner(uint64_t off)
{
	switch (off) {
	case RV_AMU_CR:
	case RV_MGT_RX_VECTOR:
	case RV_MGT_TX_VECTOR:
	case RV_MGT_RX_IRQ_CTRL:
	case RV_MGT_TX_IRQ_CTRL:
	case RV_MGT_TRACE_RX_CTRL:
	case RV_MSK_BASE_PTR(0):
	case RV_MSK_BASE_PTR(1):
	case RV_MSK_BASE_PTR(2):
	case RV_MSK_CTRL(0):
	case RV_MSK_CTRL(1):
	case RV_MSK_CTRL(2):
	case RV_MGT_TX_DIGEST_MASK:
	case RV_MGT_RX_DIGEST_MASK:
	case RV_MGT_WRITE_INDEX_TX0:
	case RV_MGT_READ_INDEX_RX0:
	case RV_MGT_READ_INDEX_RX1:
	case RV_MGT_READ_INDEX_RX2:
		return RV_REG_SW;
	case RV_AMU_IDR:
	case RV_AMU_AIDR:
	case RV_AMU_IIDR:
	case RV_AMU_SR:
	case RV_MGT_TX_DIGEST:
	case RV_MGT_RX_DIGEST:
	case RV_MGT_READ_INDEX_TX0:
	case RV_MGT_WRITE_INDEX_RX0:
	case RV_MGT_WRITE_INDEX_RX1:
	case RV_MGT_WRITE_INDEX_RX2:
		return RV_REG_DEVICE;
	default:
		return RV_REG_NONE;
	}
}

enum rv_reg_owner rv_model_reg_owner(const struct rv_model *m, uint64_t off)
{
	if (off & 7 || off >= RV_MODEL_BAR0_SIZE)
		return RV_REG_NONE;
	if (off < RV_MGT_PAGE_SIZE)
		return mgt_owner(off);
	if (sw_page(m, off) < 0)
		return RV_REG_NONE;
	return sw_owner(m, off & 0xffff);
}

/* Where a stored management register lives; NULL if computed or absent. */
static uint64_t *mgt_reg(struct rv_model *m, uint64_t off)
{
	switch (off) {
	case RV_AMU_CR:			return &m->cr;
	case RV_AMU_SR:			return &m->sr;
	case RV_MGT_RX_VECTOR:		return &m->mgt_rx_vector;
	case RV_MGT_TX_VECTOR:		return &m->mgt_tx_vector;
	case RV_MGT_RX_IRQ_CTRL:	return &m->mgt_rx_irq_ctrl;
	case RV_MGT_TX_IRQ_CTRL:	return &m->mgt_tx_irq_ctrl;
	case RV_MGT_TRACE_RX_CTRL:	return &m->mgt_trace_rx_ctrl;
	case RV_MSK_BASE_PTR(0):	return &m->msk_base[0];
	case RV_MSK_BASE_PTR(1):	return &m->msk_base[1];
	case RV_MSK_BASE_PTR(2):	return &m->msk_base[2];
	case RV_MSK_CTRL(0):		return &m->msk_ctrl[0];
	case RV_MSK_CTRL(1):		return &m->msk_ctrl[1];
	case RV_MSK_CTRL(2):		return &m->msk_ctrl[2];
	case RV_MGT_TX_DIGEST_MASK:	return &m->mgt_tx_digest_mask;
	case RV_MGT_RX_DIGEST_MASK:	return &m->mgt_rx_digest_mask;
	case RV_MGT_READ_INDEX_TX0:	return &m->mgt_read_tx0;
	case RV_MGT_WRITE_INDEX_TX0:	return &m->mgt_write_tx0;
	case RV_MGT_READ_INDEX_RX0:	return &m->mgt_read_rx[0];
	case RV_MGT_READ_INDEX_RX1:	return &m->mgt_read_rx[1];
	case RV_MGT_READ_INDEX_RX2:	return &m->mgt_read_rx[2];
	case RV_MGT_WRITE_INDEX_RX0:	return &m->mgt_write_rx[0];
	case RV_MGT_WRITE_INDEX_RX1:	return &m->mgt_write_rx[1];
	case RV_MGT_WRITE_INDEX_RX2:	return &m->mgt_write_rx[2];
	default:			return NULL;
	}
}

/* Where a stored AMI-SW page register lives; NULL if computed or absent. */
static uint64_t *sw_reg(struct rv_model_ami_sw *sw, uint64_t o)
{
	uint64_t n = (o & 0x1ff) >> 3;	/* 8-byte stride */

	switch (o & ~(uint64_t)0x1ff) {
	case 0x000:
		return o == RV_AMI_SW_TX_DIGEST_MASK ? &sw->tx_digest_mask :
						       NULL;
	case 0x400:
		return &sw->read_tx[n];
	case 0x600:
		return &sw->write_tx[n];
	case 0x800:
		return o == RV_AMI_SW_RX_DIGEST_MASK ? &sw->rx_digest_mask :
						       NULL;
	case 0xc00:
		return &sw->read_rx[n];
	case 0xe00:
		return &sw->write_rx[n];
	default:
		return NULL;
	}
}

/* A stored register at off (which must be one, see reg_owner), or NULL. */
static uint64_t *reg_of(struct rv_model *m, uint64_t off)
{
	if (rv_model_reg_owner(m, off) == RV_REG_NONE)
		return NULL;
	if (off < RV_MGT_PAGE_SIZE)
		return mgt_reg(m, off);
	return sw_reg(&m->sw[sw_page(m, off)], off & 0xffff);
}

/* Registers whose value the device computes on each read. */
static bool computed_read(struct rv_model *m, uint64_t off, uint64_t *val)
{
	int k;

	switch (off) {
	case RV_AMU_IDR:
		*val = amu_idr(m);
		return true;
	case RV_AMU_AIDR:
		*val = m->p.aidr;
		return true;
	case RV_AMU_IIDR:
		*val = m->p.iidr;
		return true;
	case RV_MGT_TX_DIGEST:
		*val = ring_has_room(m->mgt_read_tx0, m->mgt_write_tx0,
				     msk_log2_size(m, RV_MSK_CMD));
		return true;
	case RV_MGT_RX_DIGEST:
		*val = mgt_rx_digest(m);
		return true;
	}
	k = sw_page(m, off);
	if (k < 0)
		return false;
	if ((off & 0xffff) == RV_AMI_SW_TX_DIGEST) {
		*val = sw_tx_digest(m, &m->sw[k]);
		return true;
	}
	if ((off & 0xffff) == RV_AMI_SW_RX_DIGEST) {
		*val = sw_rx_digest(m, &m->sw[k]);
		return true;
	}
	return false;
}

const uint64_t *rv_model_reg_stored(struct rv_model *m, uint64_t off)
{
	uint64_t val;

	if (rv_model_reg_owner(m, off) == RV_REG_NONE ||
	    computed_read(m, off, &val))
		return NULL;
	return reg_of(m, off);
}

uint64_t rv_model_read(struct rv_model *m, uint64_t off)
{
	uint64_t val, *reg;

	if (rv_model_reg_owner(m, off) == RV_REG_NONE)
		return 0;
	if (computed_read(m, off, &val))
		return val;
	reg = reg_of(m, off);
	return reg ? *reg : 0;
}

/* Bits software can set in each management register (spec 3). */
static uint64_t write_mask(uint64_t off)
{
	switch (off) {
	case RV_AMU_CR:
		return RV_AMU_CR_ASN_PROF_EN | RV_AMU_CR_TRACE_EN |
		       RV_AMU_CR_VF_TRACE_EN | RV_AMU_CR_AMU_FWD_EN |
		       RV_AMU_CR_AMU_EN;
	case RV_MGT_RX_VECTOR:
	case RV_MGT_TX_VECTOR:
		return RV_MGT_VECTOR;
	case RV_MGT_RX_IRQ_CTRL:
	case RV_MGT_TX_IRQ_CTRL:
		return RV_MGT_IRQ_CTRL_EN;
	case RV_MGT_TRACE_RX_CTRL:
		return RV_MGT_TRACE_RX_CTRL_RX_MODE;
	case RV_MSK_CTRL(0):
	case RV_MSK_CTRL(1):
	case RV_MSK_CTRL(2):
		return RV_MSK_CTRL_THRESHOLD | RV_MSK_CTRL_LOG2_MSG_LENGTH |
		       RV_MSK_CTRL_LOG2_SIZE;
	default:
		return ~(uint64_t)0;
	}
}

/*
 * Stores only: the work is done by rv_model_step(). Writes to read-only and
 * device-owned registers are ignored, as are unaligned or absent offsets.
 */
void rv_model_write(struct rv_model *m, uint64_t off, uint64_t val)
{
	uint64_t *reg;

	if (rv_model_reg_owner(m, off) != RV_REG_SW)
		return;
	reg = reg_of(m, off);
	if (reg)
		*reg = val & write_mask(off);
}

/* ---- summary for tests ---- */

void rv_model_summary(const struct rv_model *m, struct rv_model_summary *s)
{
	unsigned int i;

	*s = (struct rv_model_summary){
		.amu_enabled = m->cr & RV_AMU_CR_AMU_EN,
		.bus_master = m->bus_master,
		.iommu_fault = m->sr & RV_AMU_SR_IOMMU_FAULT,
		.commands = m->commands,
		.messages = m->messages,
		.irqs = m->irqs,
	};
	for (i = 0; i < RV_MODEL_MAX_AMI_SW; i++) {
		s->ami_sw_mapped += m->sw[i].ami.mapped;
		s->ami_sw_enabled += m->sw[i].ami.mapped && m->sw[i].ami.enabled;
	}
	for (i = 0; i < RV_MODEL_MAX_AMI_HW; i++) {
		s->ami_hw_mapped += m->hw[i].ami.mapped;
		s->ami_hw_enabled += m->hw[i].ami.mapped && m->hw[i].ami.enabled;
	}
	for (i = 0; i < RV_MODEL_MAX_ASN; i++)
		s->asn_count += m->asn[i].used;
}
