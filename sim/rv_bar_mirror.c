// SPDX-License-Identifier: BSD-3-Clause
/* BAR0 of the device model as shared memory: see rv_bar_mirror.h. */
#include "rv_bar_mirror.h"

#include <errno.h>
#include <stdlib.h>

/* The only accesses to the page: software's are MMIO, with no lock. */
static uint64_t bar_page_load(const struct rv_bar_mirror *b, uint32_t off)
{
	return __atomic_load_n(&b->page[off / 8], __ATOMIC_ACQUIRE);
}

static void bar_page_store(struct rv_bar_mirror *b, uint32_t off, uint64_t v)
{
	__atomic_store_n(&b->page[off / 8], v, __ATOMIC_RELEASE);
}

/*
 * The shadow is written under the host's lock and may be read by an
 * unlocked poll (rv_bar_mirror_changed()): atomic both ways, relaxed, as
 * whatever the poll finds the host checks again under the lock.
 */
static uint64_t shadow_get(const struct rv_bar_mirror *b, size_t i)
{
	return __atomic_load_n(&b->shadow[i], __ATOMIC_RELAXED);
}

static void shadow_set(struct rv_bar_mirror *b, size_t i, uint64_t v)
{
	__atomic_store_n(&b->shadow[i], v, __ATOMIC_RELAXED);
}

void rv_bar_mirror_free(struct rv_bar_mirror *b)
{
	free(b->sw_off);
	free(b->dev_off);
	free(b->dev_reg);
	free(b->shadow);
	*b = (struct rv_bar_mirror){ 0 };
}

int rv_bar_mirror_init(struct rv_bar_mirror *b, struct rv_model *m,
		       uint64_t *page)
{
	size_t n = RV_MODEL_BAR0_SIZE / 8;

	*b = (struct rv_bar_mirror){ .page = page };
	b->sw_off = calloc(n, sizeof(*b->sw_off));
	b->dev_off = calloc(n, sizeof(*b->dev_off));
	b->dev_reg = calloc(n, sizeof(*b->dev_reg));
	if (!b->sw_off || !b->dev_off || !b->dev_reg)
		goto nomem;
	for (uint64_t off = 0; off < RV_MODEL_BAR0_SIZE; off += 8) {
		switch (rv_model_reg_owner(m, off)) {
		case RV_REG_SW:
			b->sw_off[b->n_sw++] = (uint32_t)off;
			break;
		case RV_REG_DEVICE:
			b->dev_reg[b->n_dev] = rv_model_reg_stored(m, off);
			b->dev_off[b->n_dev++] = (uint32_t)off;
			break;
		case RV_REG_NONE:
			break;
		}
	}
	b->shadow = calloc(b->n_sw ? b->n_sw : 1, sizeof(*b->shadow));
	if (!b->shadow)
		goto nomem;
	rv_bar_mirror_resync(b, m);
	return 0;
nomem:
	rv_bar_mirror_free(b);
	return ENOMEM;
}

/*
 * Device register i out to the page, if it changed: a store takes the
 * line from software's cache even when the value is the same. A value
 * software stored there (a read-only register) is put right.
 */
static void publish_reg(struct rv_bar_mirror *b, size_t i, uint64_t v)
{
	if (v != bar_page_load(b, b->dev_off[i]))
		bar_page_store(b, b->dev_off[i], v);
}

/* A stored register straight from its place; a computed one as read. */
void rv_bar_mirror_publish(struct rv_bar_mirror *b, struct rv_model *m)
{
	for (size_t i = 0; i < b->n_dev; i++)
		publish_reg(b, i, b->dev_reg[i] ? *b->dev_reg[i] :
				  rv_model_read(m, b->dev_off[i]));
}

void rv_bar_mirror_publish_stored(struct rv_bar_mirror *b)
{
	for (size_t i = 0; i < b->n_dev; i++)
		if (b->dev_reg[i])
			publish_reg(b, i, *b->dev_reg[i]);
}

void rv_bar_mirror_index_moved(struct rv_bar_mirror *b, uint64_t off,
			       uint64_t val)
{
	if (!b->page || off >= RV_MODEL_BAR0_SIZE)
		return;
	if (off < RV_MGT_PAGE_SIZE)
		rv_bar_mirror_publish_stored(b);
	else
		bar_page_store(b, (uint32_t)off, val);
}

void rv_bar_mirror_resync(struct rv_bar_mirror *b, struct rv_model *m)
{
	if (!b->page)
		return;
	for (size_t i = 0; i < b->n_sw; i++) {
		uint64_t v = rv_model_read(m, b->sw_off[i]);

		shadow_set(b, i, v);
		bar_page_store(b, b->sw_off[i], v);
	}
	rv_bar_mirror_publish(b, m);
}

/* One pass over software's registers: the stores since the last look. */
static unsigned int take_pass(struct rv_bar_mirror *b,
			      rv_bar_sw_write *sw_write, void *host)
{
	unsigned int work = 0;

	for (size_t i = 0; i < b->n_sw; i++) {
		uint64_t v = bar_page_load(b, b->sw_off[i]);

		if (v == shadow_get(b, i))
			continue;
		shadow_set(b, i, v);
		sw_write(host, b->sw_off[i], v);
		work++;
	}
	return work;
}

/*
 * Posted writes reach a device in order, but a pass reads the page in
 * register order: it can find a doorbell software stored after a register
 * the pass had already read (a ring's base, then its write index). The
 * load that found the doorbell acquires every store before it, so passes
 * go on until one finds nothing new, and the model never steps on a
 * doorbell without what came before it.
 */
unsigned int rv_bar_mirror_take(struct rv_bar_mirror *b,
				rv_bar_sw_write *sw_write, void *host)
{
	unsigned int work = 0, n;

	while ((n = take_pass(b, sw_write, host)))
		work += n;
	return work;
}

bool rv_bar_mirror_changed(const struct rv_bar_mirror *b)
{
	for (size_t i = 0; i < b->n_sw; i++)
		if (bar_page_load(b, b->sw_off[i]) != shadow_get(b, i))
			return true;
	return false;
}

void rv_bar_mirror_after_write(struct rv_bar_mirror *b, struct rv_model *m,
			       uint64_t off, uint64_t val)
{
	if (!b->page)
		return;
	for (size_t i = 0; i < b->n_sw; i++) {
		if (b->sw_off[i] != off)
			continue;
		shadow_set(b, i, val);
		bar_page_store(b, (uint32_t)off, val);
	}
	rv_bar_mirror_publish(b, m);
}
