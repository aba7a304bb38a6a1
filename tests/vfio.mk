# tests: the VFIO layer and the mock VFIO kernel
#
# test_mock_vfio: the mock VFIO kernel through its raw operations, each
#   ioctl's success and Linux's error answers.
# test_vfio: vfio.c on the mock: set-up, config space, BAR0 both ways, DMA,
#   interrupts, error messages and their hints, teardown after a fault
#   injected into every call of the set-up.
# test_mock_parse: REVERE_SIM parsing and the report line.
if HAVE_CMOCKA
VFIO_TESTS = tests/test_mock_vfio tests/test_vfio tests/test_mock_parse
check_PROGRAMS += $(VFIO_TESTS)
TESTS += $(VFIO_TESTS)

tests_test_mock_vfio_SOURCES = tests/test_mock_vfio.c \
	tests/mock_fixture.c tests/mock_fixture.h
tests_test_mock_vfio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_mock_vfio_LDADD = sim/libreveresim.la librevere.la $(CMOCKA_LIBS)

tests_test_vfio_SOURCES = tests/test_vfio.c \
	tests/mock_fixture.c tests/mock_fixture.h
tests_test_vfio_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_vfio_LDADD = sim/libreveresim.la librevere.la $(CMOCKA_LIBS)

tests_test_mock_parse_SOURCES = tests/test_mock_parse.c
tests_test_mock_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_mock_parse_LDADD = sim/libreveresim.la librevere.la $(CMOCKA_LIBS)
endif
