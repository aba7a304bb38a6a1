# The demo binary end to end on --sim: shell tests speaking TAP, so each
# check is counted by automake's tap-driver.sh.
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(SHELL) $(top_srcdir)/tests/tap_quiet.sh \
	env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
EXTRA_DIST += tests/tap_quiet.sh
AM_TESTS_ENVIRONMENT = \
	DEMO='$(abs_top_builddir)/revere-vfio-demo'; export DEMO; \
	BIND='$(abs_top_builddir)/revere-vfio-bind'; export BIND; \
	SERVER='$(abs_top_builddir)/revere-vfio-user-server'; export SERVER; \
	srcdir='$(abs_top_srcdir)'; export srcdir;

DEMO_TESTS = \
	tests/demo_options.sh \
	tests/demo_run.sh \
	tests/demo_trace.sh \
	tests/demo_faults.sh \
	tests/demo_signal.sh \
	tests/demo_signal_random.sh \
	tests/demo_request.sh \
	tests/demo_wait.sh \
	tests/demo_figures.sh \
	tests/demo_syscalls.sh \
	tests/demo_preflight.sh \
	tests/demo_host.sh \
	tests/demo_bind.sh \
	tests/demo_vfio_user.sh
TESTS += $(DEMO_TESTS)
EXTRA_DIST += $(DEMO_TESTS) tests/demo_lib.sh tests/sysroot_lib.sh \
	tests/golden/trace tests/golden/trace-loopback

# The driver's ring arithmetic (spec 8.1).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_ring
TESTS += tests/test_ring
tests_test_ring_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_ring_LDADD = librevere.la $(CMOCKA_LIBS)

# cmdline_parse() called several times in one process.
check_PROGRAMS += tests/test_cmdline
TESTS += tests/test_cmdline
tests_test_cmdline_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_cmdline_LDADD = librevere.la $(CMOCKA_LIBS)

# The round-trip histogram's p50 and p99.
check_PROGRAMS += tests/test_figures
TESTS += tests/test_figures
tests_test_figures_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_figures_LDADD = librevere.la $(CMOCKA_LIBS)

# Interrupt moderation's pace and dozes (moderation.h).
check_PROGRAMS += tests/test_moderation
TESTS += tests/test_moderation
tests_test_moderation_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_moderation_LDADD = $(CMOCKA_LIBS)

# The driver when a register read fails during set-up.
check_PROGRAMS += tests/test_dev_faults
TESTS += tests/test_dev_faults
tests_test_dev_faults_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_dev_faults_LDADD = sim/libreveresim.la librevere.la $(CMOCKA_LIBS)
endif

# sysfs.c on fake trees: names, devices, groups, bind and unbind.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_sysfs
TESTS += tests/test_sysfs
tests_test_sysfs_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_sysfs_LDADD = librevere.la $(CMOCKA_LIBS)
endif
