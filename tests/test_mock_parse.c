// SPDX-License-Identifier: BSD-3-Clause
/*
 * REVERE_SIM parsing (mock_vfio_parse) and the counters line the mock
 * prints on destroy with report=1, which the demo's shell tests parse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "mock_fixture.h"
#include "mock_vfio.h"
#include "revere.h"
#include "vfio.h"

static void test_parse_demo_example(void **state)
{
	struct mock_vfio_config cfg;
	struct errmsg err = { 0 };

	(void)state;
	mock_vfio_default_config(&cfg);
	assert_int_equal(mock_vfio_parse(&cfg,
		"bar0_mmap=0,num_ami_hw=1,fail=ioctl:VFIO_IOMMU_MAP_DMA:1:ENOMEM,report=1",
		&err), 0);
	assert_int_equal(err.err, 0);
	assert_false(cfg.bar0_mmap);
	assert_int_equal(cfg.model.num_ami_hw, 1);
	assert_true(cfg.report);
	assert_int_equal(cfg.num_faults, 1);
	assert_int_equal(cfg.faults[0].op, MOCK_OP_IOCTL);
	assert_int_equal(cfg.faults[0].request, VFIO_IOMMU_MAP_DMA);
	assert_int_equal(cfg.faults[0].nth, 1);
	assert_int_equal(cfg.faults[0].err, ENOMEM);
	/* Untouched keys keep their defaults. */
	assert_true(cfg.group_viable);
	assert_int_equal(cfg.model.num_ami_sw, 4);
}

static void test_parse_keys(void **state)
{
	struct mock_vfio_config cfg;
	struct errmsg err = { 0 };

	(void)state;
	mock_vfio_default_config(&cfg);
	assert_int_equal(mock_vfio_parse(&cfg,
		"aidr=0x10,fail_opcode=23,fail_status=1,vendor_id=0x1234,"
		"device_id=4328,group_id=7,device_name=0000:02:00.0,"
		"group_viable=0,type1v2=0,reset=0,iova_pgsizes=0x10000,"
		"memlock_limit=65536,msix_count=2,num_tx_ams=2,mute=1,"
		"fail=open:2:EACCES,fail=mmap:1:12,fail=ioctl:3:EIO,"
		"signal_cmd=5,rsp_delay_us=30000,dup_rsp=13,service_ns=200000",
		&err), 0);
	assert_int_equal(cfg.signal_cmd, 5);
	assert_int_equal(cfg.rsp_delay_us, 30000);
	assert_int_equal(cfg.service_ns, 200000);
	assert_int_equal(cfg.model.dup_rsp, 13);
	assert_int_equal(cfg.model.aidr, 0x10);
	assert_int_equal(cfg.model.fail_opcode, 23);
	assert_int_equal(cfg.model.fail_status, 1);
	assert_int_equal(cfg.vendor_id, 0x1234);
	assert_int_equal(cfg.device_id, 4328);
	assert_int_equal(cfg.group_id, 7);
	assert_string_equal(cfg.device_name, "0000:02:00.0");
	assert_false(cfg.group_viable);
	assert_false(cfg.type1v2);
	assert_false(cfg.reset);
	assert_int_equal(cfg.iova_pgsizes, 0x10000);
	assert_int_equal(cfg.memlock_limit, 65536);
	assert_int_equal(cfg.msix_count, 2);
	assert_int_equal(cfg.model.num_tx_ams, 2);
	assert_true(cfg.model.mute);
	assert_int_equal(cfg.num_faults, 3);
	assert_int_equal(cfg.faults[0].op, MOCK_OP_OPEN);
	assert_int_equal(cfg.faults[0].nth, 2);
	assert_int_equal(cfg.faults[0].err, EACCES);
	assert_int_equal(cfg.faults[1].op, MOCK_OP_MMAP);
	assert_int_equal(cfg.faults[1].err, 12);
	assert_int_equal(cfg.faults[2].op, MOCK_OP_IOCTL);
	assert_int_equal(cfg.faults[2].request, 0);

	/* Nothing to parse: nothing changes. */
	assert_int_equal(mock_vfio_parse(&cfg, "", &err), 0);
	assert_int_equal(mock_vfio_parse(&cfg, NULL, &err), 0);
	assert_int_equal(cfg.num_faults, 3);
}

static void expect_bad(const char *spec, const char *part)
{
	struct mock_vfio_config cfg, before;
	struct errmsg err = { 0 };

	mock_vfio_default_config(&cfg);
	before = cfg;
	assert_int_equal(mock_vfio_parse(&cfg, spec, &err), -EINVAL);
	assert_int_equal(err.err, EINVAL);
	if (!strstr(err.msg, part))
		fail_msg("REVERE_SIM=\"%s\": message \"%s\" lacks \"%s\"",
			 spec, err.msg, part);
	/* All or nothing: even the good items before the bad one. */
	assert_int_equal(cfg.num_faults, before.num_faults);
	assert_int_equal(cfg.bar0_mmap, before.bar0_mmap);
	assert_int_equal(cfg.model.num_ami_hw, before.model.num_ami_hw);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_bad("nope=1", "unknown key 'nope'");
	expect_bad("bar0_mmap=0,num_ami_hw=1,fail=open:1:EIO,nope=1",
		   "unknown key 'nope'");
	expect_bad("bar0_mmap", "'bar0_mmap' is not key=value");
	expect_bad("bar0_mmap=2", "bad value '2' for bar0_mmap");
	expect_bad("bar0_mmap=yes", "bad value 'yes' for bar0_mmap");
	expect_bad("num_tx_ams=256", "bad value '256' for num_tx_ams");
	expect_bad("vendor_id=0x10000", "for vendor_id");
	expect_bad("group_id=-1", "for group_id");
	expect_bad("msix_count=", "bad value '' for msix_count");
	expect_bad("device_name=0123456789012345678901234567890123456789"
		   "012345678901234567890123456789", "for device_name");
	expect_bad("fail=ioctl:VFIO_NOPE:1:EIO", "bad fail= value");
	expect_bad("fail=open:0:EIO", "bad fail= value");
	expect_bad("fail=open:1:EWHAT", "bad fail= value");
	expect_bad("fail=open:1", "bad fail= value");
	expect_bad("fail=pread:VFIO_IOMMU_MAP_DMA:1:EIO", "bad fail= value");
	expect_bad("fail=write:1:EIO", "fail=OP:N:ERRNO");
	expect_bad("fail=open:1:EIO,fail=open:2:EIO,fail=open:3:EIO,"
		   "fail=open:4:EIO,fail=open:5:EIO,fail=open:6:EIO,"
		   "fail=open:7:EIO,fail=open:8:EIO,fail=open:9:EIO",
		   "more than 8 fail= entries");
}

/* A fault from REVERE_SIM fires on the call it names. */
static void test_parsed_fault_fires(void **state)
{
	struct mock_vfio_config cfg;
	struct errmsg err = { 0 };
	struct mock_vfio *m;
	struct vfio_dev dev;
	void *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(buf != MAP_FAILED);
	mock_vfio_default_config(&cfg);
	assert_int_equal(mock_vfio_parse(&cfg,
		"fail=ioctl:VFIO_IOMMU_MAP_DMA:2:ENOMEM", &err), 0);
	m = mock_vfio_create(&cfg);
	assert_non_null(m);
	vfio_init(&dev, mock_vfio_ops(m), NULL);
	assert_int_equal(vfio_open(&dev, mock_vfio_group_path(m),
				   mock_vfio_device_name(m)), 0);
	assert_int_equal(vfio_dma_map(&dev, buf, 0x10000, 4096), 0);
	assert_int_equal(vfio_dma_unmap(&dev, 0x10000, 4096), 0);
	assert_int_equal(vfio_dma_map(&dev, buf, 0x10000, 4096), -ENOMEM);
	assert_non_null(strstr(dev.err.msg, "ulimit -l"));
	/* 64 MiB covers 4 KiB: the hint says so instead of "raise it to 4". */
	assert_non_null(strstr(dev.err.msg,
		"locked-memory limit (65536 KiB) covers the 4 KiB"));
	assert_null(strstr(dev.err.msg, "ulimit -l 4`"));
	assert_int_equal(vfio_close(&dev), 0);
	mock_vfio_destroy(m);
	munmap(buf, 4096);
}

static void test_report_line(void **state)
{
	/*
	 * Static, as a process that exits without its teardown keeps what the
	 * VFIO layer allocated reachable: that is no leak of the layer's.
	 */
	static struct vfio_dev forgot;
	struct mock_vfio_config cfg;
	struct errmsg err = { 0 };
	struct mock_vfio *m;
	struct vfio_dev dev;
	uint16_t cmd;
	void *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(buf != MAP_FAILED);
	mock_vfio_default_config(&cfg);
	assert_int_equal(mock_vfio_parse(&cfg, "report=1", &err), 0);
	m = mock_vfio_create(&cfg);
	assert_non_null(m);
	vfio_init(&forgot, mock_vfio_ops(m), NULL);
	assert_int_equal(vfio_open(&forgot, mock_vfio_group_path(m),
				   mock_vfio_device_name(m)), 0);
	assert_int_equal(vfio_dma_map(&forgot, buf, 0x10000, 4096), 0);
	assert_int_equal(vfio_irq_enable(&forgot, VFIO_PCI_MSIX_IRQ_INDEX, 2),
			 0);
	assert_int_equal(vfio_set_bus_master(&forgot, true), 0);
	vfio_bar0_write64(&forgot, RV_AMU_CR, RV_AMU_CR_AMU_EN);

	/* A driver that forgot its teardown: the line shows it all. */
	assert_string_equal(mock_fx_destroy_captured(m),
		"mock-vfio: fds_open=5 dma_mappings=1 bar_mmaps=0 irqs_routed=2 "
		"ioas_mappings=0 iommufd_bound=0 "
		"amu_enabled=1 bus_master=1 ami_sw_enabled=0 ami_hw_enabled=0 "
		"asn_count=0 ami_sw_mapped=0 ami_hw_mapped=0 commands=0 "
		"messages=0 irqs=0 iommu_fault=0 amu_en_writes=1 requests=0 reads=0 "
		"preads=1 pwrites=2 faults_fired=0\n");

	/* And one that did it: all zero. */
	m = mock_vfio_create(&cfg);
	assert_non_null(m);
	vfio_init(&dev, mock_vfio_ops(m), NULL);
	assert_int_equal(vfio_open(&dev, mock_vfio_group_path(m),
				   mock_vfio_device_name(m)), 0);
	assert_int_equal(vfio_close(&dev), 0);
	assert_string_equal(mock_fx_destroy_captured(m),
		"mock-vfio: fds_open=0 dma_mappings=0 bar_mmaps=0 irqs_routed=0 "
		"ioas_mappings=0 iommufd_bound=0 "
		"amu_enabled=0 bus_master=0 ami_sw_enabled=0 ami_hw_enabled=0 "
		"asn_count=0 ami_sw_mapped=0 ami_hw_mapped=0 commands=0 "
		"messages=0 irqs=0 iommu_fault=0 amu_en_writes=0 requests=0 reads=0 "
		"preads=0 pwrites=0 faults_fired=0\n");

	/* A fault that picked its call is counted as fired. */
	m = mock_vfio_create(&cfg);
	assert_non_null(m);
	mock_vfio_fail(m, MOCK_OP_PREAD, 0, 1, EIO);
	vfio_init(&dev, mock_vfio_ops(m), NULL);
	assert_int_equal(vfio_open(&dev, mock_vfio_group_path(m),
				   mock_vfio_device_name(m)), 0);
	assert_int_equal(vfio_cfg_read16(&dev, PCI_COMMAND, &cmd), -EIO);
	assert_int_equal(vfio_close(&dev), 0);
	assert_non_null(strstr(mock_fx_destroy_captured(m), " preads=1 pwrites=0 faults_fired=1\n"));

	/* Without report=1, nothing. */
	cfg.report = false;
	m = mock_vfio_create(&cfg);
	assert_non_null(m);
	assert_string_equal(mock_fx_destroy_captured(m), "");
	munmap(buf, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_demo_example),
		cmocka_unit_test(test_parse_keys),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parsed_fault_fires),
		cmocka_unit_test(test_report_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
