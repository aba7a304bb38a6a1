// SPDX-License-Identifier: BSD-3-Clause
/*
 * BAR0 of the mock's device, and the model behind it: vfio-pci's BAR
 * access through pread/pwrite (vfio_pci_bar_rw()), the mmap of BAR0, and
 * the host side of the model that the mapping needs.
 *
 * Through pread/pwrite, each access runs the model under the mock's lock.
 * Through the mapping, the driver's loads and stores hit a shared page
 * (the shadow of the device's registers) with no system call; a device
 * thread polls that page, hands software's stores to the model, runs it,
 * and publishes the device's registers back. A mapping keeps the device
 * open after its fd is closed.
 *
 * The device thread is meant to keep up with a driver on another core: it
 * polls the page without the lock (atomics only) and takes it only to act;
 * it spins while it saw work recently (yielding the core after a few
 * microseconds), and only then naps between polls.
 *
 * On their way to the model, command doorbells may be held back (REVERE_SIM
 * rsp_delay_us and signal_cmd: a device that answers late), and counted,
 * to raise SIGINT at signal_cmd or ask for the device back at request_cmd.
 * With service_ns the AHA's input is held the same way, message by message:
 * a slow accelerator (the model keeps no time; params.aha_paced).
 *
 * Where the mock knowingly differs from Linux:
 *  - BAR0 may be mapped once at a time, whole (offset 0, length <= size).
 *  - BAR0 through pread/pwrite takes aligned 8-byte accesses, and aligned
 *    4-byte reads (half a register). 4-byte writes are rejected (EINVAL):
 *    registers are 64-bit (spec "Conventions"), and a read-modify-write
 *    of a doorbell would make the device act on a half-written index.
 *    Through the mapping a 32-bit store cannot be refused; the device
 *    thread sees the resulting 64-bit value.
 */
#define _GNU_SOURCE		/* sched_getcpu(), sched_setaffinity() */
#include "mock_vfio_impl.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

/* How long the idle BAR device thread pauses between doorbell polls. */
#define MOCK_POLL_NS		20000

/*
 * How long after its last work the device thread keeps spinning rather
 * than napping: a driver in full flow rings again within microseconds,
 * and a nap costs tens of them (timer slack) plus a trip through the
 * scheduler.
 */
#define MOCK_SPIN_NS		200000
/*
 * The first part of that spin, in pause hints only (no system call): at
 * depth 64 the driver verifies a batch for up to ~15 us while the device
 * has nothing to do, and a yield then hands the core to any other process
 * that wants it for a whole tick. With a python3 starting beside the demo,
 * 5 us here made a run ~650 ns a message, 20 us ~500 (~265 alone).
 */
#define MOCK_SPIN_PAUSE_NS	20000
/* A yield that kept the thread off longer than this: the core is shared. */
#define MOCK_YIELD_LONG_NS	50000

/*
 * signal_cmd: the command that raises the signal is held at least this
 * long, so that the driver is waiting for its response when the signal
 * lands, as with a real device that takes its time.
 */
#define MOCK_SIGNAL_HOLD_NS	20000000ull

/*
 * While the model has work, it moves at most this many messages a step,
 * and a thread waiting for the lock gets it between two steps: eight 2 KiB
 * messages take a few microseconds, within the waiter's spin
 * (MOCK_LOCK_SPIN_NS).
 */
#define MOCK_STEP		8

/*
 * Software's stores are taken, and the device's registers other than the
 * ring indexes published, every this many messages, not after each step:
 * the look and the publication cost about 2,000 instructions, twice a
 * message's move, and the look takes the doorbells' lines from the
 * driver's cache each time. The ring indexes go out as the model moves
 * them (mock_bar_index_moved()). A model out of work (back-pressure
 * included) always looks.
 */
#define MOCK_TAKE_EVERY		32

/* Bound on model steps per access: a model bug must not hang the test. */
#define MOCK_MAX_STEPS		100000

/* ---- the model and its command doorbell ---- */

/*
 * REVERE_SIM's request_msg: messages the device may still move before it
 * asks for itself back, 0 when it is time, UINT64_MAX when it never will.
 */
static uint64_t request_msg_left(const struct mock_vfio *m)
{
	struct rv_model_summary s;

	if (!m->cfg.request_msg || m->request_msg_done)
		return UINT64_MAX;
	rv_model_summary(&m->model, &s);
	return s.messages < m->cfg.request_msg ?
	       m->cfg.request_msg - s.messages : 0;
}

/* request_msg: once the device has moved that many. */
static void request_on_messages(struct mock_vfio *m)
{
	if (request_msg_left(m))
		return;
	m->request_msg_done = true;
	mock_request_locked(m);
}

/* A step's messages: request_msg's request goes as that message moves. */
static unsigned int step_budget(const struct mock_vfio *m)
{
	uint64_t left = request_msg_left(m);

	return left && left < MOCK_STEP ? (unsigned int)left : MOCK_STEP;
}

/* Tell the device thread when a held doorbell or message falls due. */
static void due_update(struct mock_vfio *m)
{
	uint64_t due = m->db.held ? m->db.due_ns : 0;

	if (m->aha_due_ns && (!due || m->aha_due_ns < due))
		due = m->aha_due_ns;
	__atomic_store_n(&m->due_ns, due, __ATOMIC_RELAXED);
}

/*
 * service_ns: a message the model holds at the AHA goes service_ns after
 * it was first seen there; the next one's clock starts as it goes.
 */
static void aha_hold(struct mock_vfio *m)
{
	if (!m->cfg.service_ns || !rv_model_aha_waiting(&m->model))
		m->aha_due_ns = 0;
	else if (!m->aha_due_ns)
		m->aha_due_ns = mock_now_ns() + m->cfg.service_ns;
}

/* Let the message held at the AHA through once due; 1 if it did. */
static unsigned int aha_release(struct mock_vfio *m)
{
	if (!m->aha_due_ns || mock_now_ns() < m->aha_due_ns)
		return 0;
	m->aha_due_ns = 0;
	/* A reset since may have dropped it: no credit for a later one. */
	if (!rv_model_aha_waiting(&m->model))
		return 0;
	rv_model_aha_grant(&m->model);
	return 1;
}

/* What the host does after running the model, however far it ran it. */
static void model_ran(struct mock_vfio *m)
{
	request_on_messages(m);
	aha_hold(m);
	due_update(m);
}

static unsigned int model_run(struct mock_vfio *m)
{
	unsigned int work = 0, n, steps = 0;

	while ((n = rv_model_step(&m->model)) && ++steps < MOCK_MAX_STEPS)
		work += n;
	model_ran(m);
	return work;
}

/*
 * Software wrote the command doorbell: count the commands it announces,
 * raise SIGINT when the signal_cmd-th arrives, ask for the device back
 * (mock_vfio_request()) when the request_cmd-th does, and hold the write
 * for rsp_delay_us before the model sees it.
 */
static void cmd_doorbell(struct mock_vfio *m, uint64_t val)
{
	uint64_t before = m->db.commands;
	uint64_t hold = m->cfg.rsp_delay_us * 1000ull;
	uint64_t last = m->db.held ? m->db.value :
		rv_model_read(&m->model, RV_MGT_WRITE_INDEX_TX0);

	m->db.commands += val - last;
	m->db.value = val;
	if (m->cfg.signal_cmd && before < m->cfg.signal_cmd &&
	    m->db.commands >= m->cfg.signal_cmd) {
		kill(getpid(), SIGINT);
		if (hold < MOCK_SIGNAL_HOLD_NS)
			hold = MOCK_SIGNAL_HOLD_NS;
	}
	if (m->cfg.request_cmd && before < m->cfg.request_cmd &&
	    m->db.commands >= m->cfg.request_cmd)
		mock_request_locked(m);
	if (m->db.held)
		return;		/* goes with the held write, when it is due */
	if (!hold) {
		rv_model_write(&m->model, RV_MGT_WRITE_INDEX_TX0, val);
		return;
	}
	m->db.held = true;
	m->db.due_ns = mock_now_ns() + hold;
}

/* Let a held doorbell through once it is due; 1 if it did. */
static unsigned int db_release(struct mock_vfio *m)
{
	if (!m->db.held || mock_now_ns() < m->db.due_ns)
		return 0;
	m->db.held = false;
	rv_model_write(&m->model, RV_MGT_WRITE_INDEX_TX0, m->db.value);
	return 1;
}

/* A store of software's to a device register, by either BAR0 path. */
static void sw_write(struct mock_vfio *m, uint64_t off, uint64_t val)
{
	if (off == RV_AMU_CR && (val & RV_AMU_CR_AMU_EN))
		m->amu_en_writes++;
	if (off == RV_MGT_WRITE_INDEX_TX0) {
		cmd_doorbell(m, val);
		return;
	}
	rv_model_write(&m->model, off, val);
}

/* ---- the shared page and the device thread ---- */

/* The mirror's way into the model: a store of software's, as sw_write(). */
static void mirror_sw_write(void *host, uint64_t off, uint64_t val)
{
	sw_write(host, off, val);
}

/* The model moved a ring index (struct rv_model_host.index_moved). */
void mock_bar_index_moved(void *host, uint64_t off, uint64_t val)
{
	struct mock_vfio *m = host;

	rv_bar_mirror_index_moved(&m->map.mirror, off, val);
}

static unsigned int bar_take_stores(struct mock_vfio *m)
{
	return rv_bar_mirror_take(&m->map.mirror, mirror_sw_write, m);
}

static void bar_publish(struct mock_vfio *m)
{
	rv_bar_mirror_publish(&m->map.mirror, &m->model);
}

/*
 * One poll of the device thread: doorbells in, work, registers out, for
 * as long as there is work, unless someone waits for the lock: then the
 * poll ends after the step in hand, *more says work may be left (taken
 * stores included, which no longer show on the page), and the thread lets
 * the waiter go first and polls again (bar_thread()).
 */
static unsigned int bar_poll(struct mock_vfio *m, bool *more)
{
	unsigned int work = db_release(m) + aha_release(m), n, steps = 0;
	unsigned int since_look = 0;	/* messages */

	work += bar_take_stores(m);
	do {
		n = rv_model_step_budget(&m->model, step_budget(m));
		if (n)
			request_on_messages(m);
		work += n;
		since_look += n;
		if (!n || since_look >= MOCK_TAKE_EVERY) {
			since_look = 0;
			rv_bar_mirror_publish_stored(&m->map.mirror);
			n += bar_take_stores(m);
		}
	} while (n && ++steps < MOCK_MAX_STEPS && !lock_wanted(m));
	*more = n != 0;
	model_ran(m);
	bar_publish(m);
	return work;
}

/*
 * Move this thread to another core it may run on, if there is one: out of
 * its affinity for a moment, which migrates it at once, and back.
 */
static void leave_core(void)
{
	cpu_set_t all, others;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(all), &all))
		return;
	others = all;
	CPU_CLR(cpu, &others);
	if (!CPU_COUNT(&others) ||
	    sched_setaffinity(0, sizeof(others), &others))
		return;
	sched_setaffinity(0, sizeof(all), &all);
}

/*
 * Offer the core to whoever wants it (bar_thread()). A yield that kept
 * this thread off for long means it shares the core, with the driver at
 * worst: the driver then spins there until it yields in turn, a
 * millisecond later (revere_wait()), and the two take turns for as long
 * as the scheduler leaves them together: a run at queue depth 1 once took
 * 65 us a message that way instead of 1.5. So the device thread moves.
 */
static void offer_core(void)
{
	uint64_t t = mock_now_ns();

	sched_yield();
	if (mock_now_ns() - t > MOCK_YIELD_LONG_NS)
		leave_core();
}

/*
 * A waiter for the lock (lock()) goes first: a few microseconds of spin
 * for it to take the lock, then the core, which it may be waiting for.
 */
static void let_waiter_in(struct mock_vfio *m)
{
	uint64_t until;

	if (!lock_wanted(m))
		return;
	until = mock_now_ns() + MOCK_LOCK_SPIN_NS;
	while (lock_wanted(m)) {
		if (mock_now_ns() >= until) {
			sched_yield();
			return;
		}
		cpu_relax();
	}
}

/*
 * The device thread: without the lock, watch the page for software's
 * stores and due_ns for held work; with it, act (bar_poll()). While it saw
 * work within MOCK_SPIN_NS, or held work falls due within it, it spins, so
 * that driver and device pipeline on two cores; otherwise it naps, never
 * past a due time.
 */
static void *bar_thread(void *arg)
{
	struct mock_vfio *m = arg;
	uint64_t idle_since = 0;	/* 0: work on the last poll */
	bool more = false;		/* the last poll stopped short */

	while (!__atomic_load_n(&m->map.stop, __ATOMIC_ACQUIRE)) {
		uint64_t due = __atomic_load_n(&m->due_ns, __ATOMIC_RELAXED);
		struct timespec nap = { .tv_nsec = MOCK_POLL_NS };
		uint64_t now;

		/* In full flow, no clock read: a store is there to take. */
		if (more || rv_bar_mirror_changed(&m->map.mirror) || (due && mock_now_ns() >= due)) {
			unsigned int work;

			let_waiter_in(m);
			lock(m);
			work = bar_poll(m, &more);
			unlock(m);
			if (work) {
				idle_since = 0;
				continue;
			}
		}
		now = mock_now_ns();
		if (!idle_since)
			idle_since = now;
		if (now - idle_since < MOCK_SPIN_NS ||
		    (due > now && due - now < MOCK_SPIN_NS)) {
			/*
			 * Past the first microseconds, offer the core: on a
			 * busy machine the driver may be waiting for this
			 * one, and a spin would keep it off for a slice.
			 */
			if (now - idle_since < MOCK_SPIN_PAUSE_NS)
				cpu_relax();
			else
				offer_core();
			continue;
		}
		if (due > now && due - now < MOCK_POLL_NS)
			nap.tv_nsec = (long)(due - now);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

/* ---- pread/pwrite, reset ---- */

/* vfio_pci_bar_rw(), with the model as the device (see the top comment). */
ssize_t mock_bar_rw(struct mock_vfio *m, void *buf, size_t len, uint64_t off,
		    bool write)
{
	uint64_t v;

	if (off >= RV_MODEL_BAR0_SIZE)
		return fail_errno(EINVAL);
	if (db_release(m) + aha_release(m))
		model_run(m);
	if (len == 8 && !(off & 7)) {
		if (!write) {
			v = htole64(rv_model_read(&m->model, off));
			memcpy(buf, &v, 8);
			return 8;
		}
		memcpy(&v, buf, 8);
		v = le64toh(v);
		sw_write(m, off, v);
		model_run(m);
		rv_bar_mirror_after_write(&m->map.mirror, &m->model, off, v);
		return 8;
	}
	if (len == 4 && !(off & 3) && !write) {
		uint32_t half;

		v = rv_model_read(&m->model, off & ~7ull);
		half = htole32((uint32_t)(v >> (off & 4 ? 32 : 0)));
		memcpy(buf, &half, 4);
		return 4;
	}
	return fail_errno(EINVAL);
}

/*
 * After a function reset of the model: a held doorbell is lost with it,
 * and the mapping shows the registers as reset.
 */
void mock_bar_reset(struct mock_vfio *m)
{
	m->db.held = false;
	m->aha_due_ns = 0;
	due_update(m);
	rv_bar_mirror_resync(&m->map.mirror, &m->model);
}

/* ---- BAR0 mmap ---- */

static void bar_map_free(struct mock_bar_map *b)
{
	if (b->page)
		munmap(b->page, b->len);
	rv_bar_mirror_free(&b->mirror);
	*b = (struct mock_bar_map){ 0 };
}

void *mock_bar_mmap(struct mock_vfio *m, size_t len, int flags, off_t off)
{
	struct mock_bar_map *b = &m->map;
	int err;

	/* vfio_pci_core_mmap(). */
	if ((uint64_t)off !=
	    MOCK_VFIO_REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX) ||
	    !m->cfg.bar0_mmap || !(flags & MAP_SHARED) || !len ||
	    len > RV_MODEL_BAR0_SIZE) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (b->page) {
		errno = EBUSY;	/* the mock's limit: one mapping */
		return MAP_FAILED;
	}
	b->page = mmap(NULL, RV_MODEL_BAR0_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->page == MAP_FAILED) {
		b->page = NULL;
		return MAP_FAILED;
	}
	b->len = RV_MODEL_BAR0_SIZE;
	err = rv_bar_mirror_init(&b->mirror, &m->model, b->page);
	__atomic_store_n(&b->stop, false, __ATOMIC_RELAXED);
	if (!err)
		err = pthread_create(&b->thread, NULL, bar_thread, m);
	if (err) {
		bar_map_free(b);
		errno = err;
		return MAP_FAILED;
	}
	m->dev_users++;
	return b->page;
}

/*
 * Stop the device thread; the lock must not be held (it takes it). A last
 * poll then delivers software's final stores, as posted writes issued
 * before munmap reach a real device.
 */
static void bar_stop(struct mock_vfio *m)
{
	bool more;

	__atomic_store_n(&m->map.stop, true, __ATOMIC_RELEASE);
	pthread_join(m->map.thread, NULL);
	lock(m);
	bar_poll(m, &more);
	if (more) {
		model_run(m);
		bar_publish(m);
	}
	unlock(m);
}

/* Is [addr, addr + len) the BAR0 mapping, whole? */
bool mock_bar_is_mapping(const struct mock_vfio *m, const void *addr,
			 size_t len)
{
	return addr && addr == m->map.page && len == m->map.len;
}

/* munmap of the mapping: the lock must not be held (see bar_stop()). */
void mock_bar_unmap(struct mock_vfio *m)
{
	bar_stop(m);
	lock(m);
	bar_map_free(&m->map);
	mock_device_put(m);
	unlock(m);
}

/* At destroy, like process exit: drop the mapping if the driver left it. */
void mock_bar_release(struct mock_vfio *m)
{
	if (!m->map.page)
		return;
	bar_stop(m);
	bar_map_free(&m->map);
}
