# The real-kernel rig: see tests/kernel/README
