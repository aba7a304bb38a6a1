# tests: the spec's encodings and the device model
#
# Golden vectors for revere.h and the device model's own tests. The model is
# compiled straight into its test (not taken from librevere) so that these
# tests depend on nothing but revere.h and sim/revere_model.[ch].

# The model must build with the kernel's headers only (the mdev compiles it
# unchanged): compile it against a stub of <linux/types.h>/<linux/string.h>
# with -nostdinc. A check library, so `make check` fails if it does not build.
check_LTLIBRARIES += tests/libmodel_kstub.la
tests_libmodel_kstub_la_SOURCES = sim/revere_model.c \
	tests/kstub/linux/types.h tests/kstub/linux/string.h
tests_libmodel_kstub_la_CPPFLAGS = -D__KERNEL__ -nostdinc \
	-I$(top_srcdir)/tests/kstub -I$(top_srcdir) -I$(top_srcdir)/sim
tests_libmodel_kstub_la_CFLAGS = $(AM_CFLAGS) -ffreestanding

if HAVE_CMOCKA
check_PROGRAMS += tests/test_golden tests/test_model
TESTS += tests/test_golden tests/test_model

tests_test_golden_SOURCES = tests/test_golden.c
tests_test_golden_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_golden_LDADD = $(CMOCKA_LIBS)

tests_test_model_SOURCES = tests/test_model.c \
	sim/revere_model.c
tests_test_model_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_model_LDADD = $(CMOCKA_LIBS)
endif
