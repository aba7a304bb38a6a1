# The simulated Revere-AMU (device model) and the mock VFIO kernel that
# carries it. Both are part of librevere so that --sim is always available.
# The mock's files: see sim/mock_vfio_impl.h.
librevere_la_SOURCES += \
	sim/revere_model.c sim/revere_model.h \
	sim/rv_pci_cfg.c sim/rv_pci_cfg.h \
	sim/mock_vfio.c sim/mock_vfio.h sim/mock_vfio_impl.h \
	sim/mock_type1.c \
	sim/mock_pci.c \
	sim/mock_bar.c \
	sim/mock_control.c

# The model carried by a Linux mdev module: the rig builds it against
# Debian's kernel headers (tests/kernel/README).
EXTRA_DIST += sim/mdev
