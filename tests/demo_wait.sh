#!/bin/sh
# --wait poll|irq|hybrid on the simulated device: interrupts on both BAR0
# paths and in loopback, a device without MSI-X, an interrupt that never
# comes, a spurious one, faults in the eventfds and VFIO_DEVICE_SET_IRQS,
# and SIGINT while blocked; the failures and the stop on each IOMMU
# backend, whose release follows them.
. "${srcdir:-.}/tests/demo_lib.sh"

for bar in 1 0; do
	path=$([ $bar = 1 ] && echo mmap || echo pread/pwrite)
	for w in irq hybrid; do
		run_demo "bar0_mmap=$bar" --wait $w -v
		expect_status "--wait $w, BAR0 $path" 0
		expect "--wait $w, BAR0 $path: all verified" \
			grep -q '^step 4: 42 messages of 2048 bytes inverted and verified' "$tmp/out"
		expect "--wait $w, BAR0 $path: -v names the vectors" \
			grep -q "^interrupts: MSI-X vector 0 (management RX) and 1 (RX AMS 0) on eventfds, --wait $w$" "$tmp/out"
		expect "--wait $w, BAR0 $path: the device raised interrupts" \
			test "$(report irqs)" -gt 0
		expect "--wait $w, BAR0 $path: device left clean, vectors released" clean

		run_demo "bar0_mmap=$bar" --wait $w --loopback --packets 3000
		expect_status "--wait $w --loopback, BAR0 $path" 0
		expect "--wait $w --loopback, BAR0 $path: all verified" \
			grep -q '^step 4: 3000 messages of 2048 bytes looped back and verified' "$tmp/out"
		expect "--wait $w --loopback, BAR0 $path: device left clean" clean

		run_demo "bar0_mmap=$bar,rsp_delay_us=2000" --wait $w --packets 5000
		expect_status "--wait $w, slow device, BAR0 $path" 0
		expect "--wait $w, slow device, BAR0 $path: all verified" \
			grep -q '^step 4: 5000 messages of 2048 bytes inverted and verified' "$tmp/out"
		expect "--wait $w, slow device, BAR0 $path: device left clean" clean
	done
done

# The interrupt paths on iommufd: the same eventfds, the same vectors.
for w in irq hybrid; do
	run_demo_on iommufd "rsp_delay_us=2000" --wait $w --packets 5000
	expect_status "--wait $w, iommufd, slow device" 0
	expect "--wait $w, iommufd, slow device: all verified" \
		grep -q '^step 4: 5000 messages of 2048 bytes inverted and verified' "$tmp/out"
	expect "--wait $w, iommufd: the device raised interrupts" \
		test "$(report irqs)" -gt 0
	expect "--wait $w, iommufd: device left clean, vectors released" clean
done

# poll asks for no interrupt: none routed, none raised.
run_demo "" --wait poll
expect_status "--wait poll" 0
expect "--wait poll: no interrupt raised" test "$(report irqs)" = 0

# hybrid with no spin at all blocks at once, and still loses nothing.
run_demo "" --wait hybrid --spin-us 0 --packets 2000
expect_status "--wait hybrid --spin-us 0" 0
expect "--wait hybrid --spin-us 0: all verified" \
	grep -q '^step 4: 2000 messages' "$tmp/out"

# A device without MSI-X: irq is an error naming what is missing (on each
# IOMMU backend, whose release follows), hybrid polls and says so with -v.
for backend in $BACKENDS; do
	run_demo_on "$backend" "msix_count=0" --wait irq
	expect_status "$backend: --wait irq, no MSI-X" 1
	expect "$backend: --wait irq, no MSI-X: error names the missing vectors" \
		has_error "--wait irq: 0000:01:00.0 has 0 MSI-X vectors that can signal an eventfd, the demo needs 2"
	expect "$backend: --wait irq, no MSI-X: nothing left open" released
	run_demo_on "$backend" "msix_count=1" --wait irq
	expect_status "$backend: --wait irq, one MSI-X vector" 1
	expect "$backend: --wait irq, one MSI-X vector: named" has_error "has 1 MSI-X vectors"
done
run_demo "msix_count=0" --wait hybrid -v
expect_status "--wait hybrid, no MSI-X" 0
expect "--wait hybrid, no MSI-X: -v says it polls" \
	grep -q '^--wait hybrid: 0000:01:00.0 has 0 MSI-X vectors that can signal an eventfd, 2 needed: polling instead$' "$tmp/out"
expect "--wait hybrid, no MSI-X: all verified" grep -q '^step 4: 42 messages' "$tmp/out"
expect "--wait hybrid, no MSI-X: device left clean" clean
run_demo "msix_count=0" --wait hybrid
expect "--wait hybrid, no MSI-X: silent without -v" \
	test "$(grep -c 'polling instead' "$tmp/out")" = 0

# An interrupt that never comes (a device that does not answer): the wait
# times out and names itself; on each IOMMU backend.
for backend in $BACKENDS; do
	for w in irq hybrid; do
		run_demo_on "$backend" "mute=1" --wait $w --timeout 100
		expect_status "$backend: --wait $w, no interrupt comes" 1
		expect "$backend: --wait $w, no interrupt comes: the timeout names the wait" \
			has_error "PF-PROBE: no response within 100 ms (.*), waiting on MSI-X vector 0 (management RX): 0 interrupts"
		expect "$backend: --wait $w, no interrupt comes: device left clean" quiesced
	done
done
run_demo "" --wait poll --timeout 5 --packets 1
expect "--wait poll: the messages name no wait" \
	eval '! grep -q "waiting on MSI-X" "$tmp/err"'

# Interrupts lost on the way: every wait still looks at the index every
# 10 ms, so a lost interrupt costs time, never a message (the generous
# --timeout keeps a loaded machine from turning that into a timeout).
run_demo "msix_drop=1" --wait irq --timeout 5000 --packets 500
expect_status "--wait irq, interrupts lost" 0
expect "--wait irq, interrupts lost: all verified" grep -q '^step 4: 500 messages' "$tmp/out"
expect "--wait irq, interrupts lost: device left clean" clean

# Interrupt moderation: on a device that takes 20 us a message, with 64 in
# flight, an irq or hybrid wait dozes with the RX interrupt masked until
# about half should be back, instead of waking once a message; with one in
# flight it never dozes. What that promises is the driver's wake-ups (a
# doze's end or an interrupt taken) per message: about one per half the
# queue depth. Asserted with room for four times as many, as a loaded
# machine can make a doze end early; never a count of the device's
# interrupts: it raises one for each message that lands while the driver
# has the interrupt unmasked, and on a loaded machine the driver may spend
# long there between two dozes.
# BAR0 mmap'd only: through pread/pwrite the simulated device keeps no time
# of its own, a held message goes at the next register access, so a wait
# that makes none (a doze, a blocked poll) would only stall it.
json_key() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$tmp/out"; }
for w in irq hybrid; do
	run_demo "bar0_mmap=1,service_ns=20000" --wait $w --json \
		--packets 2000 --timeout 5000
	expect_status "--wait $w, 20 us device, bar0_mmap=1" 0
	expect "--wait $w, 20 us device, bar0_mmap=1: all verified" \
		test "$(json_key messages)" = 2000
	expect "--wait $w, 20 us device, bar0_mmap=1: dozes ($(json_key dozes))" \
		test "$(json_key dozes)" -gt 0
	depth=$(json_key queue_depth) ints=$(json_key interrupts) dozes=$(json_key dozes)
	wakes=$((${ints:-0} + ${dozes:-0}))
	# Four wake-ups per depth / 2 messages.
	most=$((4 * 2000 * 2 / ${depth:-1}))
	expect "--wait $w, 20 us device, bar0_mmap=1: $wakes wake-ups for 2000 messages at depth ${depth:-?}, at most $most" \
		test -n "$depth" -a "$wakes" -le "$most"
	expect "--wait $w, 20 us device, bar0_mmap=1: device left clean" clean
done
run_demo "service_ns=20000" --wait irq --json --packets 200 --queue-depth 1 --timeout 5000
expect_status "--wait irq, 20 us device, --queue-depth 1" 0
expect "--wait irq, 20 us device, --queue-depth 1: no doze, interrupts instead" \
	test "$(json_key dozes)" = 0 -a "$(json_key interrupts)" -gt 0

# A spurious interrupt, nothing in the ring: counted, never progress. The
# device answers each command 50 ms late and takes 50 ms a message, so the
# spurious interrupts (signalled as the vectors are routed) are seen while
# both rings are still empty: an eventfd adds up what it is signalled, and
# a fast device's own interrupt would otherwise come in the same read.
run_demo "msix_spurious=3,rsp_delay_us=50000,service_ns=50000000" \
	--wait irq -v --packets 42 --timeout 5000
expect_status "--wait irq, spurious interrupts" 0
expect "--wait irq, spurious interrupts: all 42 verified" \
	grep -q '^step 4: 42 messages' "$tmp/out"
expect "--wait irq, spurious interrupts: a wake-up with nothing new on each vector" \
	test "$(grep -c '^MSI-X vector [01] (.*): [1-9][0-9]* wake-ups, [1-9][0-9]* with nothing new$' "$tmp/out")" = 2
for backend in $BACKENDS; do
	run_demo_on "$backend" "msix_spurious=1,mute=1" --wait irq --timeout 100
	expect_status "$backend: --wait irq, spurious then none" 1
	expect "$backend: --wait irq, spurious then none: no false progress, the wait times out" \
		has_error "PF-PROBE: no response within 100 ms (.*), waiting on MSI-X vector 0 (management RX): 1 interrupt;"
	expect "$backend: --wait irq, spurious then none: device left clean" quiesced
done

# Faults in the interrupt set-up: named, everything released; on each
# IOMMU backend, whose release follows.
for backend in $BACKENDS; do
	for f in "eventfd:1:EMFILE:eventfd for MSI-X vector 0" \
		 "eventfd:2:ENFILE:eventfd for MSI-X vector 1" \
		 "ioctl:VFIO_DEVICE_SET_IRQS:1:EINVAL:VFIO_DEVICE_SET_IRQS(MSI-X, 2 vectors)"; do
		fs=${f%:*}
		for w in irq hybrid; do
			run_demo_on "$backend" "req_irq=0,fail=$fs" --wait $w
			expect_status "$backend: --wait $w, fail=$fs" 1
			expect "$backend: --wait $w, fail=$fs: error names '${f##*:}'" \
				has_error "--wait $w: .*${f##*:}"
			expect "$backend: --wait $w, fail=$fs: nothing left open" released
		done
	done
done

for backend in $BACKENDS; do
	# The vectors are released after the device stopped raising
	# interrupts: a failed release is a warning, the run's result stands.
	run_demo_on "$backend" "fail=ioctl:VFIO_DEVICE_SET_IRQS:2:EIO,req_irq=0" --wait irq
	expect_status "$backend: --wait irq, vectors release fails" 1
	expect "$backend: --wait irq, vectors release fails: named" \
		has_error "teardown: .*VFIO_DEVICE_SET_IRQS"

	# A stop during a blocked wait: SIGINT before the 3rd command's
	# answer with a slow device; the run stops, clean, exit 130.
	run_demo_on "$backend" "rsp_delay_us=20000,signal_cmd=3" --wait irq
	expect_status "$backend: --wait irq, SIGINT while blocked" 130
	expect "$backend: --wait irq, SIGINT while blocked: device left clean" clean
done

finish
