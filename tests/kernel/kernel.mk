# The real-kernel rig: see tests/kernel/README.
#
# edu-test drives QEMU's edu device through the project's vfio.c (linked
# from librevere.la); it only runs inside the rig's guest, so it is built by
# `make check` (to keep it compiling) but not run by it.
check_PROGRAMS += tests/kernel/edu-test
tests_kernel_edu_test_SOURCES = tests/kernel/edu_test.c
tests_kernel_edu_test_LDADD = librevere.la

# cfg-dump prints a device's config space through VFIO, or the mock's: the
# rig compares the mdev's with the mock's.
check_PROGRAMS += tests/kernel/cfg-dump
tests_kernel_cfg_dump_SOURCES = tests/kernel/cfg_dump.c
tests_kernel_cfg_dump_LDADD = sim/libreveresim.la librevere.la

EXTRA_DIST += \
	tests/kernel/README \
	tests/kernel/rig.sh \
	tests/kernel/init.sh \
	tests/kernel/guest \
	tests/kernel/kbuild.sh \
	tests/kernel/qemu-tree.sh \
	tests/kernel/vfio-user.sh \
	tests/kernel/iommufd-base.fragment \
	tests/kernel/iommufd-vfio.fragment

# One command for the whole rig: fetch Debian's kernel, build the initramfs,
# boot it in QEMU and check every guest result. Its work area is
# tests/kernel/build/ in the build directory (kept between runs as a cache).
.PHONY: check-kernel
check-kernel: revere-vfio-demo$(EXEEXT) revere-vfio-bind$(EXEEXT) tests/kernel/edu-test$(EXEEXT) \
		tests/kernel/cfg-dump$(EXEEXT) revere-vfio-user-server$(EXEEXT)
	$(SHELL) $(top_srcdir)/tests/kernel/rig.sh $(abs_top_builddir) \
		$(abs_top_srcdir)

clean-local: clean-kernel-rig
.PHONY: clean-kernel-rig
clean-kernel-rig:
	-rm -rf tests/kernel/build/initramfs tests/kernel/build/initramfs.cpio \
		tests/kernel/build/mdev-out
