# The simulated Revere-AMU (device model) and the mock VFIO kernel that
# carries it: a library of their own, which the demo reaches through
# sim/sim.h alone (--sim), and the tests through the mock's header.
# The mock's files: see sim/mock_vfio_impl.h.
noinst_LTLIBRARIES += sim/libreveresim.la
sim_libreveresim_la_SOURCES = \
	sim/sim.c sim/sim.h \
	sim/revere_model.c sim/revere_model.h \
	sim/rv_pci_cfg.c sim/rv_pci_cfg.h \
	sim/rv_bar_mirror.c sim/rv_bar_mirror.h \
	sim/mock_vfio.c sim/mock_vfio.h sim/mock_vfio_impl.h \
	sim/mock_type1.c \
	sim/mock_iommufd.c \
	sim/mock_pci.c \
	sim/mock_bar.c \
	sim/mock_control.c

# The model carried by a Linux mdev module: the rig builds it against
# Debian's kernel headers (tests/kernel/README).
EXTRA_DIST += sim/mdev

# The simulated device served over vfio-user, to QEMU's vfio-user-pci or
# any other client (doc/revere-vfio-user-server.1).
noinst_LTLIBRARIES += sim/libvfuserver.la
sim_libvfuserver_la_SOURCES = \
	sim/vfu_device.c sim/vfu_device.h \
	sim/vfu_server.c sim/vfu_server.h

bin_PROGRAMS += revere-vfio-user-server
revere_vfio_user_server_SOURCES = sim/vfu_server_main.c
revere_vfio_user_server_LDADD = sim/libvfuserver.la sim/libreveresim.la \
	librevere.la
