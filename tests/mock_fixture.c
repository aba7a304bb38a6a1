// SPDX-License-Identifier: BSD-3-Clause
#include "mock_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

void mock_fx_init(struct mock_fx *mx)
{
	*mx = (struct mock_fx){ .m = NULL };
	mock_vfio_default_config(&mx->cfg);
}

void mock_fx_start(struct mock_fx *mx)
{
	mx->m = mock_vfio_create(&mx->cfg);
	assert_non_null(mx->m);
}

void mock_fx_stop(struct mock_fx *mx)
{
	if (mx->m)
		mock_vfio_destroy(mx->m);
	mx->m = NULL;
}

struct mock_vfio_counters mock_fx_counters(struct mock_fx *mx)
{
	struct mock_vfio_counters c;

	mock_vfio_counters(mx->m, &c);
	return c;
}

struct rv_model_summary mock_fx_summary(struct mock_fx *mx)
{
	struct rv_model_summary s;

	mock_vfio_device_summary(mx->m, &s);
	return s;
}

void *mock_fx_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

void mock_fx_bar_store(volatile uint64_t *regs, uint64_t off, uint64_t val)
{
	regs[off / 8] = val;
}

void mock_fx_dma_fill(void *buf, int byte, size_t len)
{
	memset(buf, byte, len);
}
