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
# test_vfu_client: the client (vfio_user.c, vfio_user_client.c) through
#   the VFIO layer against a scripted server in a thread of the test: a
#   server that is missing, refuses, stalls, lies or goes away, the errno
#   and the one-line message of each, DMA by message, the server's limits
#   on transfers and fds, and no fd left open after any of them.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_vfu_server
TESTS += tests/test_vfu_server

tests_test_vfu_server_SOURCES = tests/test_vfu_server.c
tests_test_vfu_server_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-DVFU_SERVER=\"$(abs_top_builddir)/revere-vfio-user-server$(EXEEXT)\"
tests_test_vfu_server_LDADD = sim/libreveresim.la librevere.la $(CMOCKA_LIBS)
# The program under test, built before its test.
EXTRA_tests_test_vfu_server_DEPENDENCIES = revere-vfio-user-server$(EXEEXT)

check_PROGRAMS += tests/test_vfu_client
TESTS += tests/test_vfu_client

tests_test_vfu_client_SOURCES = tests/test_vfu_client.c
tests_test_vfu_client_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_vfu_client_LDADD = librevere.la $(CMOCKA_LIBS)
# Its allocations of message buffers fail on demand.
tests_test_vfu_client_LDFLAGS = -Wl,--wrap=malloc
endif
