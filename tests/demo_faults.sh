#!/bin/sh
# Devices that fail each precondition, commands answering each error
# status of their table, a device that stops answering, a wrong byte, and
# faults injected into system calls: exit status 1, one named error, and
# the device quiesced with no fd or mapping left. On each IOMMU backend
# (demo_lib.sh's BACKENDS), but for type1's and iommufd's own steps and
# the sweeps of BAR0 and config space, the same calls on every backend.
. "${srcdir:-.}/tests/demo_lib.sh"

# fails_on BACKEND SIM_SPEC "TEXT OF THE ERROR" [ARGS...]
fails_on() {
	backend=$1; spec=$2; want=$3; shift 3
	run_demo_on "$backend" "$spec" "$@"
	expect_status "$backend: $spec" 1
	expect "$backend: $spec: error names '$want'" has_error "$want"
	expect "$backend: $spec: device quiesced, nothing left open or mapped" quiesced
}
# fails SIM_SPEC "TEXT OF THE ERROR" [ARGS...]: on each IOMMU backend,
# whose release follows the error.
fails() {
	for backend in $BACKENDS; do
		fails_on "$backend" "$@"
	done
}

# Not about time: a --timeout wide enough that a loaded machine, where the
# simulated device's thread may wait long for a core, never turns these
# into timeouts.
wide="--timeout 5000"
fails "vendor_id=0x1234,device_id=0x11e8" \
	"is PCI device 1234:11e8, not a Revere-AMU PF (13b5:ff81)" $wide
fails "device_id=0xff80" "is PCI device 13b5:ff80, not a Revere-AMU PF" $wide
fails "aidr=0x10" "implements Revere-AMU architecture 1.0" $wide
fails "aidr=0x31" "implements Revere-AMU architecture 3.1" $wide
fails "num_ami_sw=0" "has 0 AMI-SW, the demo needs at least 1" $wide
fails "num_ami_hw=1" "has 1 AMI-HW, the demo needs at least 2" $wide
fails "max_asn=1" "has 1 ASN, the demo needs at least 2" $wide
fails "num_aha=0" "has 0 AHA, the demo needs at least 1" $wide

# Each configure command the demo sends, answering each error status of
# its table in spec 6. The expected texts are the spec's, typed from it.
fails "fail_opcode=6,fail_status=1" "PF-AMI-SW-MAP: status 1, AMI-SW already mapped" $wide
fails "fail_opcode=6,fail_status=2" "PF-AMI-SW-MAP: status 2, Physical AMI-SW not available" $wide
fails "fail_opcode=23,fail_status=1" "PF-AMI-HW-MAP: status 1, AMI-HW already mapped" $wide
fails "fail_opcode=16,fail_status=1" "PF-ASN-CREATE: status 1, Requested ASN ID already in use" $wide
fails "fail_opcode=11,fail_status=1" "F-AMI-SW-CONFIGURE: status 1, AMI-SW is not mapped in Function" $wide
fails "fail_opcode=11,fail_status=2" "F-AMI-SW-CONFIGURE: status 2, AMI-SW is not disabled" $wide
fails "fail_opcode=20,fail_status=1" "F-AMS-RING-CONFIGURE: status 1, AMI-SW is not mapped in Function" $wide
fails "fail_opcode=20,fail_status=2" "F-AMS-RING-CONFIGURE: status 2, AMI-SW is not disabled" $wide
fails "fail_opcode=33,fail_status=1" "F-AMI-HW-ENABLE: status 1, AMI-HW is not mapped in Function" $wide
fails "fail_opcode=14,fail_status=1" "F-AMI-SW-ENABLE: status 1, AMI-SW is not mapped in Function" $wide
# A status no table lists, and the unknown-opcode answer of spec 8.3.
fails "fail_opcode=23,fail_status=7" "PF-AMI-HW-MAP: status 7, not a status the spec defines" $wide
fails "fail_opcode=16,fail_status=0xffff" "PF-ASN-CREATE: status 0xffff, the device does not know this command" $wide

# A device that stops answering: at once, or at one command; on each
# IOMMU backend, whose release follows the timeout. The advice fits the
# simulated device: a thread that had no CPU, or REVERE_SIM; no reset of
# a device that has nothing to reset.
for backend in $BACKENDS; do
	fails_on "$backend" "mute=1" "PF-PROBE: no response within 100 ms" --timeout 100
	expect "$backend: mute=1: the advice fits the simulated device" \
		has_error "no response within 100 ms (.*); the simulated device's thread may not have had a CPU in time, or REVERE_SIM made it late or mute: try a longer --timeout$"
	fails_on "$backend" "mute=1,bar0_mmap=0" "PF-PROBE: no response within 100 ms" --timeout 100
	expect "$backend: mute=1,bar0_mmap=0: the advice fits a device run in the driver's accesses" \
		has_error "no response within 100 ms (.*); REVERE_SIM made the simulated device late or mute: try a longer --timeout$"
	fails_on "$backend" "mute_opcode=20" "F-AMS-RING-CONFIGURE: no response within 100 ms" --timeout 100
	run_demo_on "$backend" "mute=1" --timeout 5
	expect "$backend: mute=1 --timeout 5: timeout honoured" \
		has_error "PF-PROBE: no response within 5 ms"
done

# A device that answers every command late: 30 ms, within a --timeout of
# a second (generous, so a loaded machine cannot make it fail), the run
# succeeds; 500 ms, beyond a --timeout of 20 ms, the first command times
# out, the AMU is turned off, and the late answer is never read.
# On each IOMMU backend.
for backend in $BACKENDS; do
	run_demo_on "$backend" "rsp_delay_us=30000" --timeout 1000
	expect_status "$backend: rsp_delay_us=30000 --timeout 1000" 0
	expect "$backend: rsp_delay_us=30000: device left clean" clean
	fails_on "$backend" "rsp_delay_us=500000" "PF-PROBE: no response within 20 ms" --timeout 20
	expect "$backend: rsp_delay_us=500000: the late response was never read" \
		test "$(report commands)" = 0
done

# A slow accelerator, 200 us a message: 50 messages take 10 ms at least,
# by the demo's own clock, on both BAR0 paths. A lower bound only: a
# loaded machine may take longer.
for bar in 1 0; do
	run_demo "bar0_mmap=$bar,service_ns=200000" --packets 50
	expect_status "service_ns=200000,bar0_mmap=$bar" 0
	ms=$(grep -q '^step 4: 50 messages of 2048 bytes inverted and verified in ' "$tmp/out" && step4_ms)
	expect "service_ns=200000,bar0_mmap=$bar: 50 messages in ${ms:-?} ms, not under 10" \
		test "${ms:-0}" -ge 10
	expect "service_ns=200000,bar0_mmap=$bar: 50 moved, device left clean" \
		eval '[ "$(report messages)" = 50 ] && clean'
done

# One response too many, after each set-up command in turn: a device
# error, the extra response discarded, and teardown still matches every
# later response to its command (the device ends clean); on each IOMMU
# backend.
for backend in $BACKENDS; do
	i=1
	while [ $i -le 13 ]; do
		run_demo_on "$backend" "dup_rsp=$i"
		expect_status "$backend: dup_rsp=$i" 1
		expect "$backend: dup_rsp=$i: error names the extra response" \
			has_error "device error: 1 response more than the commands sent"
		expect "$backend: dup_rsp=$i: no teardown error" \
			eval '! grep -q "^revere-vfio-demo: teardown" "$tmp/err"'
		expect "$backend: dup_rsp=$i: device left clean, nothing left open" clean
		i=$((i + 1))
	done
done

# An answer sent again, late: as the next command is taken, so it arrives
# while that command waits for its own. Named and discarded, never taken
# for the next command's answer; teardown undoes everything.
for backend in $BACKENDS; do
	i=1
	while [ $i -le 13 ]; do
		run_demo_on "$backend" "dup_rsp_late=$i"
		expect_status "$backend: dup_rsp_late=$i" 1
		expect "$backend: dup_rsp_late=$i: error names the device error" \
			has_error "device error: "
		expect "$backend: dup_rsp_late=$i: device left clean, nothing left open" clean
		i=$((i + 1))
	done
done

# A reply with one wrong byte: message 4 (the AHA's fifth) is corrupted.
fails "corrupt_msg=5" "message 4 (RX AMS 0 slot 4), byte 0: expected 0xfb, found 0x04" $wide
fails "corrupt_msg=100" "message 99 (RX AMS 0 slot 35), byte 0: expected 0x9c, found 0x63" --packets 200 $wide

# System calls that fail: each step of the VFIO set-up in turn.
# syscall_fails_on BACKEND FAULT "TEXT"
syscall_fails_on() {
	run_demo_on "$1" "fail=$2"
	expect_status "$1: fail=$2" 1
	expect "$1: fail=$2: error names '$3'" has_error "$3"
	expect "$1: fail=$2: nothing left open or mapped" released
}
# syscall_fails FAULT "TEXT": type1's own steps, on type1.
syscall_fails() { syscall_fails_on type1 "$@"; }
syscall_fails "open:1:ENOENT" "/dev/vfio/vfio"
syscall_fails "open:2:ENOENT" "/dev/vfio/42"
syscall_fails "open:2:EACCES" "/dev/vfio/42"
syscall_fails "ioctl:VFIO_GET_API_VERSION:1:EINVAL" "VFIO_GET_API_VERSION"
syscall_fails "ioctl:VFIO_GROUP_GET_STATUS:1:EIO" "VFIO_GROUP_GET_STATUS"
syscall_fails "ioctl:VFIO_GROUP_SET_CONTAINER:1:EBUSY" "VFIO_GROUP_SET_CONTAINER"
syscall_fails "ioctl:VFIO_SET_IOMMU:1:EBUSY" "VFIO_SET_IOMMU"
syscall_fails "ioctl:VFIO_GROUP_GET_DEVICE_FD:1:EBUSY" "VFIO_GROUP_GET_DEVICE_FD"
syscall_fails "ioctl:VFIO_DEVICE_GET_INFO:1:EIO" "VFIO_DEVICE_GET_INFO"
syscall_fails "ioctl:VFIO_DEVICE_GET_REGION_INFO:1:EIO" "VFIO_DEVICE_GET_REGION_INFO"
syscall_fails "ioctl:VFIO_IOMMU_MAP_DMA:1:ENOMEM" "locked-memory limit"
# Each error that needs the user says what to do, consistent with itself.
syscall_fails "ioctl:VFIO_IOMMU_MAP_DMA:1:ENOMEM" "VFIO_IOMMU_MAP_DMA of 327680 bytes at IOVA 0x10000000: Cannot allocate memory; the locked-memory limit (65536 KiB) covers the 320 KiB the DMA buffers need, but memory this user locked elsewhere counts against it too"
syscall_fails "ioctl:VFIO_GROUP_SET_CONTAINER:1:EPERM" "VFIO_GROUP_SET_CONTAINER on /dev/vfio/42: Operation not permitted; the IOMMU has no interrupt remapping (enable it in the firmware, or accept the risk: \`modprobe vfio_iommu_type1 allow_unsafe_interrupts=1\`), or the group is a no-IOMMU group, which the demo does not support"
syscall_fails "ioctl:VFIO_SET_IOMMU:1:EPERM" "VFIO_SET_IOMMU([0-9]*) for /dev/vfio/42: Operation not permitted; the IOMMU has no interrupt remapping"
syscall_fails "ioctl:VFIO_GROUP_GET_STATUS:1:ENOTTY" "VFIO_GROUP_GET_STATUS on /dev/vfio/42: Inappropriate ioctl for device; /dev/vfio/42 is not a VFIO group file: pass /dev/vfio/N, the device's group (\`revere-vfio-demo --list\`), or leave --vfio-group out"
syscall_fails "ioctl:VFIO_IOMMU_MAP_DMA:1:EFAULT" "VFIO_IOMMU_MAP_DMA"
# The same on iommufd: each of its steps, named as Linux names them.
iommufd_fails() {
	run_demo "fail=$1" --iommu iommufd
	expect_status "iommufd, fail=$1" 1
	expect "iommufd, fail=$1: error names '$2'" has_error "$2"
	expect "iommufd, fail=$1: nothing left open, mapped or bound" released
}
iommufd_fails "open:1:ENOENT" "open /dev/iommu: No such file or directory; the kernel lacks CONFIG_IOMMUFD"
iommufd_fails "open:2:ENOENT" "open /dev/vfio/devices/vfio0: No such file or directory; the kernel lacks CONFIG_VFIO_DEVICE_CDEV or the device is not bound to vfio-pci; or use --iommu type1"
iommufd_fails "open:2:EACCES" "open /dev/vfio/devices/vfio0: Permission denied; run as root, or give your user the file: \`sudo chown \$USER /dev/vfio/devices/vfio0\`"
iommufd_fails "ioctl:IOMMU_IOAS_ALLOC:1:ENOMEM" "IOMMU_IOAS_ALLOC on /dev/iommu: Cannot allocate memory"
iommufd_fails "ioctl:VFIO_DEVICE_BIND_IOMMUFD:1:EBUSY" "VFIO_DEVICE_BIND_IOMMUFD of /dev/vfio/devices/vfio0 to /dev/iommu: Device or resource busy; the device's VFIO group is open elsewhere"
iommufd_fails "ioctl:VFIO_DEVICE_ATTACH_IOMMUFD_PT:1:EINVAL" "VFIO_DEVICE_ATTACH_IOMMUFD_PT of /dev/vfio/devices/vfio0 to IOAS [0-9]*: Invalid argument"
iommufd_fails "ioctl:IOMMU_IOAS_IOVA_RANGES:1:EIO" "IOMMU_IOAS_IOVA_RANGES of IOAS [0-9]*: Input/output error"
iommufd_fails "ioctl:IOMMU_IOAS_MAP:1:ENOMEM" "IOMMU_IOAS_MAP of 327680 bytes at IOVA 0x10000000: Cannot allocate memory; the locked-memory limit"
iommufd_fails "ioctl:IOMMU_IOAS_UNMAP:1:EIO" "teardown: .*IOMMU_IOAS_UNMAP of 327680 bytes at IOVA 0x10000000: Input/output error"
iommufd_fails "ioctl:VFIO_DEVICE_DETACH_IOMMUFD_PT:1:EIO" "VFIO_DEVICE_DETACH_IOMMUFD_PT on /dev/vfio/devices/vfio0: Input/output error"
iommufd_fails "ioctl:IOMMU_DESTROY:1:EBUSY" "IOMMU_DESTROY of IOAS [0-9]* on /dev/iommu: Device or resource busy"
iommufd_fails "ioctl:VFIO_DEVICE_GET_REGION_INFO:1:EIO" "VFIO_DEVICE_GET_REGION_INFO"
# A device refused after the backend handed its file over (its info or
# a region's failing): that error alone, the backend's release of a file
# closed already never a second one.
for backend in $BACKENDS; do
	for req in VFIO_DEVICE_GET_INFO VFIO_DEVICE_GET_REGION_INFO; do
		run_demo_on "$backend" "fail=ioctl:$req:1:EIO"
		expect_status "$backend: $req fails" 1
		expect "$backend: $req fails: one error, naming it" \
			eval 'test "$(errors)" = 1 && has_error "$req.* on 0000:01:00.0: Input/output error$"'
		expect "$backend: $req fails: nothing left open or bound" released
	done
done
# The device's own calls, the same on every backend, whose release
# follows: on each.
for backend in $BACKENDS; do
	syscall_fails_on "$backend" "ioctl:VFIO_DEVICE_RESET:1:EIO" "VFIO_DEVICE_RESET"
	syscall_fails_on "$backend" "ioctl:VFIO_DEVICE_RESET:1:EIO" "VFIO_DEVICE_RESET on .*: Input/output error; the device did not come back from its reset: check it with \`lspci -vv\`"
	syscall_fails_on "$backend" "mmap:1:ENOMEM" "BAR0"
	syscall_fails_on "$backend" "pread:1:EIO" "config"
	syscall_fails_on "$backend" "pwrite:1:EIO" "config"
done
# The IOVAs the kernel allows do not hold the demo's buffers: refused
# before the kernel is asked, the ranges named.
run_demo "iova_resv_start=0x10000000,iova_resv_len=0x100000" --iommu iommufd
expect_status "iommufd, the buffers' IOVAs reserved" 1
expect "iommufd, the buffers' IOVAs reserved: the ranges named" \
	has_error "IOMMU_IOAS_MAP of 327680 bytes at IOVA 0x10000000: outside the IOVAs /dev/vfio/devices/vfio0 allows (0x0-0xfffffff, 0x10100000-0x[0-9a-f]*.*); the demo's IOVAs are fixed"
expect "iommufd, the buffers' IOVAs reserved: nothing left open" released

# Without VFIO_DEVICE_RESET the demo goes on; a later failure is still
# reported as itself, not as the reset the device lacks.
for backend in $BACKENDS; do
	map=$(backend_map_op "$backend")
	run_demo_on "$backend" "reset=0,fail=ioctl:$map:1:EFAULT"
	expect_status "$backend: reset=0, $map fails" 1
	expect "$backend: reset=0, $map fails: error names $map" \
		has_error "$map of .*: Bad address"
done

# A group that is not viable: type1 reads its status.
fails_on type1 "group_viable=0" "not viable"
# The same group through the device file: no group status to read first,
# the kernel refuses the bind itself (EPERM, the group's DMA is owned by
# the other device's driver); one line saying what that means.
run_demo "group_viable=0" --iommu iommufd
expect_status "iommufd, group not viable" 1
expect "iommufd, group not viable: one line" test "$(errors)" = 1
expect "iommufd, group not viable: named, with what to do" \
	has_error "VFIO_DEVICE_BIND_IOMMUFD of /dev/vfio/devices/vfio0 to /dev/iommu: Operation not permitted; another device of its IOMMU group is bound to a host driver (every device of the group must be on vfio-pci or on none: \`revere-vfio-demo --check --device NAME\` names them), or the IOMMU has no interrupt remapping"
expect "iommufd, group not viable: nothing left open or bound" released
fails "memlock_limit=4096" "locked-memory limit"
fails "memlock_limit=4096" "the locked-memory limit is 4 KiB and the DMA buffers need 320 KiB: raise it with \`ulimit -l 320\`"

# A BAR0 write that fails while the management sockets are programmed
# (pread/pwrite path): the AMU is never enabled with half-set sockets. A
# failed doorbell is named as the access that failed, not as a timeout
# the demo never waited for.
i=1
while [ $i -le 20 ]; do
	run_demo "bar0_mmap=0,fail=pwrite:$i:EIO"
	if has_error "setting up the management interface"; then
		expect "bar0_mmap=0,fail=pwrite:$i:EIO: AMU_EN never written" \
			test "$(report amu_en_writes)" = 0
		sockets_tested=yes
	fi
	if has_error "PF-PROBE: writing the command write index"; then
		doorbell_tested=yes
	fi
	expect "bar0_mmap=0,fail=pwrite:$i:EIO: not called a timeout" \
		eval '! has_error "no response within"'
	i=$((i + 1))
done
expect "a failed socket write was reached" test "${sockets_tested:-}" = yes
expect "a failed doorbell was reached" test "${doorbell_tested:-}" = yes

# Every pread and pwrite of a short run failing in turn (BAR0 through
# pread/pwrite, and config space), in every wait mode. The mock counts the
# calls of a clean run, so the sweep covers every one, and says whether
# the fault fired: a fault that fired is never a success. Whatever fails,
# the run exits 1 naming it, and the device ends clean: a command whose
# answer could not be read is never left standing, and when teardown
# lost track or a teardown write failed, the device is reset. A failed
# write of COMMAND is the exception: bus mastering stays on until vfio-pci
# takes the device back, which the error says.
bme_left_on() {
	has_error "teardown: clearing bus mastering: .*vfio-pci clears it" &&
		released && [ "$(report amu_enabled)" = 0 ]
}
# swept BACKEND SPEC WAIT: the check of one run of a sweep.
swept() {
	if [ "$(report faults_fired)" = 1 ] && [ "$status" = 1 ] &&
		[ "$(errors)" -ge 1 ] && { clean || bme_left_on; }; then
		ok "$1: $2 --wait $3: exit 1, named, device clean"
	else
		not_ok "$1: $2 --wait $3: fired $(report faults_fired), exit $status, or the device left configured"
	fi
}
# bar_sweep BACKEND OP WAIT [SIM_SPEC]
bar_sweep() {
	backend=$1 op=$2 wait=$3 extra=${4:+,$4}
	run_demo_on "$backend" "bar0_mmap=0$extra" --packets 3 --wait "$wait"
	calls=$(report "${op}s")
	expect "$backend: $op sweep ($wait): the clean run made $op calls (${calls:-none})" \
		test "${calls:-0}" -gt 0
	i=1
	while [ "$i" -le "${calls:-0}" ]; do
		spec="bar0_mmap=0$extra,fail=$op:$i:EIO"
		run_demo_on "$backend" "$spec" --packets 3 --wait "$wait"
		swept "$backend" "$spec" "$wait"
		i=$((i + 1))
	done
}
# The BAR0 and config space accesses are the same calls, in the same
# order, whatever the IOMMU backend: swept on the default one, where the
# sweeps take minutes. What each backend does its own way is set-up's and
# teardown's VFIO calls around them (files, IOMMU, interrupts): vfio_sweep
# below fails each of those in turn on every backend.
default=${BACKENDS%% *}
for wait in poll irq hybrid; do
	bar_sweep "$default" pread "$wait"
	bar_sweep "$default" pwrite "$wait"
done
# With an exception to take off its ring (its read index written back).
bar_sweep "$default" pwrite poll exception_opcode=0x40

# vfio_sweep BACKEND: each open, ioctl, eventfd and close of the short
# run above failing in turn, until the fault no longer fires (the run
# makes no more such calls), with the same checks. --wait irq: the calls
# of poll (the sweep of every call below) and those that route and
# release the MSI-X vectors, which hybrid makes too.
vfio_sweep() {
	backend=$1
	for op in open ioctl eventfd close; do
		i=1
		while [ "$i" -le 500 ]; do
			spec="bar0_mmap=0,fail=$op:$i:EIO"
			run_demo_on "$backend" "$spec" --packets 3 --wait irq
			[ "$(report faults_fired)" = 1 ] || break
			swept "$backend" "$spec" irq
			i=$((i + 1))
		done
		expect "$backend: $op sweep (irq): $((i - 1)) calls, to the end of the run" \
			test "$i" -gt 1 -a "$i" -le 500
	done
}
for backend in $BACKENDS; do
	vfio_sweep "$backend"
done

# A failed read is the host's error, named as the access: not blamed on
# the device as an impossible all-ones index.
run_demo "bar0_mmap=0,fail=pread:23:EIO" --packets 3
expect "a failed index read is named as such" \
	has_error "reading the .* index: BAR0 read64 at 0x[0-9a-f]* on 0000:01:00.0: Input/output error"
expect "a failed index read is not called a device error" \
	eval '! has_error "is impossible"'

# A BAR0 write failing mid-exchange on a device that answers every command
# 2 ms late: the failure is named where it happened, and teardown still
# works through every command (the earlier failure does not poison the
# waits of later commands).
run_demo "rsp_delay_us=2000,bar0_mmap=0,fail=pwrite:40:EIO" \
	--packets 100000 --timeout 5000
expect_status "pwrite 40 fails mid-exchange, device 2 ms late" 1
expect "pwrite 40 fails mid-exchange: named" \
	has_error "exchange: writing the TX AMS 0 write index: BAR0 write64"
expect "pwrite 40 fails mid-exchange: no teardown error" \
	eval '! grep -q "^revere-vfio-demo: teardown" "$tmp/err"'
expect "pwrite 40 fails mid-exchange: device left clean" clean

# Every call of every kind in turn, on each IOMMU backend, until the
# mock says the fault no longer fired (the run makes fewer such calls):
# whatever fails, the demo exits 1 and leaks nothing. A fault that fired
# is never a success.
for backend in $BACKENDS; do
	for op in open ioctl pread pwrite mmap close munmap; do
		i=1
		while [ $i -le 500 ]; do
			run_demo_on "$backend" "fail=$op:$i:EIO"
			[ "$(report faults_fired)" = 1 ] || break
			# A failed munmap leaves the mapping, as on Linux.
			if [ "$status" = 1 ] &&
				{ [ "$op" = munmap ] || released; }; then
				ok "fail=$op:$i:EIO ($backend): exit 1, nothing left open"
			else
				not_ok "fail=$op:$i:EIO ($backend): exit $status (or a leak)"
			fi
			i=$((i + 1))
		done
		expect "fault sweep over $op ($backend): $((i - 1)) calls, to the end of the run" \
			test "$i" -gt 1 -a "$i" -le 500
	done
done

finish
