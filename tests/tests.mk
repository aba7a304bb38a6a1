# Tests run by `make check` (and `make fuzz`, which it does not run). Each
# part of the tree has its own fragment.
include tests/vfio.mk
include tests/vfu.mk
include tests/model.mk
include tests/demo.mk
include tests/conventions.mk
include tests/sanitizers.mk
include tests/fuzz/fuzz.mk
