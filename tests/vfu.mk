# tests: the vfio-user server, from outside
#
# test_vfu_server: revere-vfio-user-server run as a program, five times
#   (BAR0 mappable; --no-mmap; --no-fds; a short --timeout; replies late
#   with --reply-delay-us), and spoken to over its socket as a vfio-user
#   client: the handshake, the device's regions and interrupts, config
#   space, the management interface through BAR0 with DMA to a memfd or
#   by message, reset and DMA unmaps, a client that goes, every kind of
#   bad input, messages with fds to a server that takes none, late
#   replies, and the server's memory and fds after.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_vfu_server
TESTS += tests/test_vfu_server

tests_test_vfu_server_SOURCES = tests/test_vfu_server.c
tests_test_vfu_server_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-DVFU_SERVER=\"$(abs_top_builddir)/revere-vfio-user-server$(EXEEXT)\"
tests_test_vfu_server_LDADD = sim/libreveresim.la librevere.la $(CMOCKA_LIBS)
# The program under test, built before its test.
EXTRA_tests_test_vfu_server_DEPENDENCIES = revere-vfio-user-server$(EXEEXT)
endif
