#!/bin/sh
# The demo on the simulated device: the default run, long runs that wrap
# the rings, loopback, both BAR0 access paths on each IOMMU backend, -v
# and -q.
. "${srcdir:-.}/tests/demo_lib.sh"

# Where the IOMMU backend matters: once on each (demo_lib.sh).
for backend in $BACKENDS; do
	on=" ($backend)"
	for bar in 1 0; do
		path=$([ $bar = 1 ] && echo mmap || echo pread/pwrite)
		run_demo_on "$backend" "bar0_mmap=$bar"
		expect_status "default run$on, BAR0 $path" 0
		expect "default run$on, BAR0 $path: summary" \
			grep -Eq '^step 4: 42 messages of 2048 bytes inverted and verified in [0-9]+\.[0-9]{3} m?s: [0-9]+ messages/s, [0-9]+\.[0-9] MB/s, mean round trip [0-9]+\.[0-9] us$' "$tmp/out"
		expect "default run$on, BAR0 $path: five steps" \
			test "$(grep -c '^step [1-5]: ' "$tmp/out")" = 5
		expect "default run$on, BAR0 $path: step 2 says the device is simulated" \
			grep -q "^step 2: opened 0000:01:00.0 $(backend_step2 "$backend"), simulated device on the mock VFIO kernel), " "$tmp/out"
		expect "default run$on, BAR0 $path: BAR0 path reported" \
			grep -q "BAR0 $([ $bar = 1 ] && echo "mmap'd" || echo 'through pread/pwrite')" "$tmp/out"
		expect "default run$on, BAR0 $path: nothing on stderr but the report" \
			test "$(grep -vc '^mock-vfio: ' "$tmp/err")" = 0
		expect "default run$on, BAR0 $path: device left clean" clean
		expect "default run$on, BAR0 $path: the device took the 42 messages from the TX ring" \
			test "$(report messages)" = 42

		# 10000 messages through 64-slot rings: more than 150 wraps.
		run_demo_on "$backend" "bar0_mmap=$bar" --packets 10000
		expect_status "--packets 10000$on, BAR0 $path" 0
		expect "--packets 10000$on, BAR0 $path: all verified" \
			grep -q '^step 4: 10000 messages of 2048 bytes inverted and verified' "$tmp/out"
		expect "--packets 10000$on, BAR0 $path: device left clean" clean

		run_demo_on "$backend" "bar0_mmap=$bar" --loopback --packets 300
		expect_status "--loopback$on, BAR0 $path" 0
		expect "--loopback$on, BAR0 $path: data came back unchanged" \
			grep -q '^step 4: 300 messages of 2048 bytes looped back and verified' "$tmp/out"
		expect "--loopback$on, BAR0 $path: the device moved 300 messages" \
			test "$(report messages)" = 300
		expect "--loopback$on, BAR0 $path: no AMI-HW used" \
			test "$(report ami_hw_mapped)" = 0
		expect "--loopback$on, BAR0 $path: device left clean" clean
	done
done

# --no-mmap: the driver's choice of pread/pwrite on a device that offers
# the mapping; the device sees every access.
run_demo "" --no-mmap --packets 300
expect_status "--no-mmap" 0
expect "--no-mmap: step 2 says pread/pwrite" \
	grep -q "BAR0 through pread/pwrite, bus mastering on$" "$tmp/out"
# The registers by pread and pwrite: set-up's 21 commands alone take more
# than a hundred; mapped, only config space is read that way.
expect "--no-mmap: the registers read and written by pread/pwrite" \
	test "$(report preads)" -gt 100 -a "$(report pwrites)" -gt 50
expect "--no-mmap: device left clean" clean
run_demo "" --packets 300
expect "without --no-mmap: pread for config space alone" \
	test "$(report preads)" -lt 10

# Exceptions the device posts are reported by name; the run goes on.
for e in "1:exception E-PF-COMMAND-FROM-VF from VF 1" \
	 "2:exception E-PF-VF-RESET from VF 1" \
	 "3:exception E-F-COUNTER-OVERFLOW (AMI 1 of function 0, counter 0)" \
	 "9:an exception with unknown opcode 9"; do
	run_demo "exception_opcode=${e%%:*}"
	expect_status "exception_opcode=${e%%:*}" 0
	expect "exception_opcode=${e%%:*}: reported as '${e#*:}'" \
		has_error "device posted ${e#*:}$"
	expect "exception_opcode=${e%%:*}: device left clean" clean
done

run_demo "" --packets 1
expect_status "--packets 1" 0
expect "--packets 1: one message" grep -q '^step 4: 1 messages' "$tmp/out"

run_demo "" -q
expect_status "--quiet" 0
expect "--quiet prints nothing" test ! -s "$tmp/out"

run_demo "" -v
expect_status "--verbose" 0
for what in AMU_IDR AMU_AIDR AMU_IIDR PF-PROBE F-PROBE 'IOMMU: type1v2, page sizes' 'BAR0: 1048576 bytes' 'DMA: '; do
	expect "--verbose shows $what" grep -q "$what" "$tmp/out"
done
expect "--verbose: probe results of the model (spec 8.9)" \
	grep -q 'PF-PROBE: 4 AMI-SW, 8 AMI-HW, 16 ASN, 1 AHA; F-PROBE: 4 AMI per function' "$tmp/out"
expect "--verbose: the type1 calls" grep -q 'IOMMU: type1v2, page sizes 0x[0-9a-f]*: group /dev/vfio/[0-9]* in container /dev/vfio/vfio (VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU type1v2); DMA by VFIO_IOMMU_MAP_DMA$' "$tmp/out"

# -v and --json on iommufd: the calls that set it up, and its name.
run_demo "" --iommu iommufd -v
expect_status "--iommu iommufd -v" 0
expect "--iommu iommufd -v: the iommufd calls" grep -q '^IOMMU: iommufd, page sizes 0x1000: device file /dev/vfio/devices/vfio0 bound to /dev/iommu (VFIO_DEVICE_BIND_IOMMUFD) and attached to IOAS [1-9][0-9]* (IOMMU_IOAS_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT); IOVAs it allows 0x0-0x[0-9a-f]*, .* (IOMMU_IOAS_IOVA_RANGES); DMA by IOMMU_IOAS_MAP$' "$tmp/out"
for backend in $BACKENDS; do
	run_demo_on "$backend" "" --json
	expect_status "--json ($backend)" 0
	expect "--json ($backend): \"iommu\": \"$backend\"" \
		grep -q "\"iommu\": \"$backend\"" "$tmp/out"
done
# --iommu type1 is what auto takes with --sim.
run_demo "" --iommu type1
expect_status "--iommu type1" 0
expect "--iommu type1: step 2 names type1" \
	grep -q "^step 2: opened 0000:01:00.0 $(backend_step2 type1)" "$tmp/out"
# A simulated kernel without iommufd: the backend's own message.
run_demo "iommufd=0" --iommu iommufd
expect_status "--iommu iommufd, no iommufd in the kernel" 1
expect "--iommu iommufd, no iommufd: names /dev/iommu and what to do" \
	has_error "open /dev/iommu: No such file or directory; the kernel lacks CONFIG_IOMMUFD (\`modprobe iommufd\`), or use --iommu type1$"
expect "--iommu iommufd, no iommufd: nothing left open" released

# A device without TYPE1v2 falls back to TYPE1.
run_demo "type1v2=0" -v
expect_status "type1 IOMMU only" 0
expect "type1 IOMMU only: reported" grep -q 'IOMMU: type1,' "$tmp/out"

# The mock's report is a whole line: two runs' reports on one stream are
# two lines, each with every key.
for i in 1 2; do
	REVERE_SIM=report=1 "$DEMO" --sim --packets 3 >/dev/null 2>>"$tmp/two" </dev/null
done
expect "two runs' reports are two lines" \
	test "$(grep -c '^mock-vfio: fds_open=.* faults_fired=[0-9]*$' "$tmp/two")" = 2

finish
