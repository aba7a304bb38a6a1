// SPDX-License-Identifier: BSD-3-Clause
/*
 * The driver when a register read fails during set-up: whichever register
 * it is, set-up fails with the read's error rather than adopting the
 * all-ones value the failed read returns (vfio.h: bar_io_error), and
 * teardown still releases everything.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock_vfio.h"
#include "revere_dev.h"

/* The mock's ops, with the first pread of one BAR0 register failing. */
static struct {
	struct vfio_ops ops;
	const struct vfio_ops *real;
	uint64_t reg;		/* BAR0 offset (its region starts at 0) */
	bool failed;
} fr;

static ssize_t fr_pread(void *ctx, int fd, void *buf, size_t count, off_t off)
{
	if (!fr.failed && (uint64_t)off == fr.reg) {
		fr.failed = true;
		errno = EIO;
		return -1;
	}
	return fr.real->pread(ctx, fd, buf, count, off);
}

static void setup_with_failing_read(uint64_t reg)
{
	struct mock_vfio_config cfg;
	struct mock_vfio_counters c;
	struct mock_vfio *mock;
	struct revere_opts opts = { .packets = 1, .timeout_ms = 100 };
	struct vfio_target target = { .kind = VFIO_TARGET_GROUP };
	struct vfio_dev vfio;
	struct revere_dev rd;
	int ret;

	mock_vfio_default_config(&cfg);
	cfg.bar0_mmap = false;
	mock = mock_vfio_create(&cfg);
	assert_non_null(mock);
	fr.real = mock_vfio_ops(mock);
	fr.reg = reg;
	fr.failed = false;
	fr.ops = *fr.real;
	fr.ops.pread = fr_pread;
	vfio_init(&vfio, &fr.ops, NULL);
	revere_init(&rd, &vfio, &opts);
	assert_int_equal(revere_alloc_buffers(&rd), 0);
	mock_vfio_target(mock, &target);
	assert_int_equal(revere_open_device(&rd, &target), 0);
	assert_int_equal(vfio.bar0.offset, 0);
	ret = revere_setup(&rd);
	assert_true(fr.failed);
	assert_int_equal(ret, -EIO);
	assert_int_equal(rd.err->err, EIO);
	revere_teardown(&rd);
	mock_vfio_counters(mock, &c);
	assert_int_equal(c.fds_open + c.dma_mappings + c.bar_mmaps, 0);
	mock_vfio_destroy(mock);
}

static void test_identity(void **state)
{
	(void)state;
	setup_with_failing_read(RV_AMU_IDR);
	setup_with_failing_read(RV_AMU_AIDR);
	setup_with_failing_read(RV_AMU_IIDR);
}

static void test_management_indexes(void **state)
{
	(void)state;
	setup_with_failing_read(RV_MGT_READ_INDEX_TX0);
	setup_with_failing_read(RV_MGT_WRITE_INDEX_RX0);
	setup_with_failing_read(RV_MGT_WRITE_INDEX_RX1);
}

/* The starting indexes of the data rings: read once, trusted ever after. */
static void test_data_ring_indexes(void **state)
{
	(void)state;
	setup_with_failing_read(RV_AMI_SW_PAGE(0) + RV_AMI_SW_READ_INDEX_TX(0));
	setup_with_failing_read(RV_AMI_SW_PAGE(0) + RV_AMI_SW_WRITE_INDEX_RX(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_management_indexes),
		cmocka_unit_test(test_data_ring_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
