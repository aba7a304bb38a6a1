// SPDX-License-Identifier: BSD-3-Clause
/*
 * The simulated Revere PF behind the vfio-user server: see vfu_device.h.
 *
 * Where it knowingly differs from vfio-pci on hardware:
 *  - BAR0 by access takes aligned 4- and 8-byte reads and aligned 8-byte
 *    writes, as the mock does (sim/mock_bar.c): registers are 64-bit.
 *  - Client memory that the client shrinks under a mapping faults the
 *    device (spec 8.4) instead of killing the server: every access to it
 *    is a guarded copy, so the model is never lent a pointer into it.
 */
#define _GNU_SOURCE		/* memfd_create(), F_ADD_SEALS */
#include "vfu_device.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Bound on model steps a call: a model bug must not hang the server. */
#define MAX_STEPS	100000
/*
 * stream(): messages the model moves a step, after which it signals the
 * vectors they raised; and between looks at software's stores.
 */
#define STEP		8
#define TAKE_EVERY	32

/* ---- client memory, guarded ---- */

/*
 * A client may shrink a file it mapped to us: the next access to it
 * raises SIGBUS. Within a guarded copy that is the end of the copy (and a
 * DMA fault); anywhere else it is the bug it looks like.
 */
static sigjmp_buf *bus_jump;

static void on_sigbus(int sig)
{
	if (bus_jump)
		siglongjmp(*bus_jump, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int guarded_copy(void *dst, const void *src, size_t len)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 0)) {
		bus_jump = NULL;
		return EFAULT;
	}
	bus_jump = &env;
	memcpy(dst, src, len);
	bus_jump = NULL;
	return 0;
}

static void guard_install(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus, .sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* ---- DMA maps ---- */

/* The first map that ends after iova (the one holding it, if any). */
static size_t dma_find(const struct vfu_device *d, uint64_t iova)
{
	size_t lo = 0, hi = d->n_dma;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vfu_dma *e = &d->dma[mid];

		if (e->iova + (e->size - 1) < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * DMA of len bytes at iova, map by map: in place where the client lent
 * its memory, by message where it did not. 0, or -1: a fault (spec 8.4).
 */
static int dma_rw(struct vfu_device *d, uint64_t iova, uint8_t *buf,
		  size_t len, bool write)
{
	uint32_t need = write ? VFIO_DMA_MAP_FLAG_WRITE : VFIO_DMA_MAP_FLAG_READ;

	while (len) {
		size_t i = dma_find(d, iova);
		const struct vfu_dma *e;
		uint64_t skip, n;
		int err;

		if (i == d->n_dma)
			return -1;
		e = &d->dma[i];
		if (e->iova > iova || !(e->prot & need))
			return -1;
		skip = iova - e->iova;
		n = e->size - skip < len ? e->size - skip : len;
		if (e->file) {
			uint8_t *p = e->file->base + e->offset + skip;

			err = write ? guarded_copy(p, buf, n) :
				      guarded_copy(buf, p, n);
		} else {
			err = d->msg_dma(d->server, write, iova, buf, n);
			if (err)
				d->dma_failed = true;
		}
		if (err)
			return -1;
		iova += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * The model's direct access (struct rv_model_host.dma_ptr): len bytes at
 * iova, inside one map both readable and writable, of a file sealed
 * against shrinking; else NULL, and the guarded copies decide (and take
 * any fault, spec 8.4).
 */
static void *host_dma_ptr(void *host, uint64_t iova, size_t len)
{
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfu_device *d = host;
	size_t i = dma_find(d, iova);
	const struct vfu_dma *e;

	if (i == d->n_dma)
		return NULL;
	e = &d->dma[i];
	if (e->iova > iova || !e->file || !e->file->sealed ||
	    (e->prot & rw) != rw || len > e->size - (iova - e->iova))
		return NULL;
	return e->file->base + e->offset + (iova - e->iova);
}

static int host_dma_read(void *host, uint64_t iova, void *buf, size_t len)
{
	return dma_rw(host, iova, buf, len, false);
}

static int host_dma_write(void *host, uint64_t iova, const void *buf,
			  size_t len)
{
	return dma_rw(host, iova, (uint8_t *)buf, len, true);
}

/*
 * The eventfds are the client's, and so is their blocking mode: one that
 * cannot take a write (a blocking eventfd at its most, a pipe left full)
 * would stop the server, and every client after, in write(). A timer
 * ends such a write (SIGALRM, no SA_RESTART: EINTR); the line's fd is
 * then let go, so that its next interrupts do not wait again.
 */
#define MSIX_WRITE_WAIT_US	100000

static void on_alarm(int sig)
{
	(void)sig;
}

static void alarm_install(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* One event on the eventfd at *fd; false if it took none. */
static bool signal_fd(int *fd)
{
	const struct itimerval wait = { .it_value.tv_usec = MSIX_WRITE_WAIT_US };
	const struct itimerval off = { 0 };
	uint64_t one = 1;
	ssize_t n;

	if (*fd < 0)
		return false;
	setitimer(ITIMER_REAL, &wait, NULL);
	n = write(*fd, &one, sizeof(one));
	setitimer(ITIMER_REAL, &off, NULL);
	if (n < 0 && errno == EINTR) {
		close(*fd);
		*fd = -1;
	}
	/* A full counter (2^64 - 2 unread) still has an event pending. */
	return n == sizeof(one);
}

static void msix_send(struct vfu_device *d, uint32_t vector)
{
	if (vector < VFU_DEV_MSIX_COUNT && signal_fd(&d->msix[vector]))
		d->msix_signalled++;
}

/*
 * The model raises a vector as it writes a message (spec 8.8), before it
 * advances the index that shows it: a driver woken at once would look,
 * find nothing new, and sleep on. As a device's MSI-X write follows its
 * earlier writes, the signal waits for the end of the model's step, when
 * the indexes of every message it moved are out.
 */
static void host_msix(void *host, uint32_t vector)
{
	struct vfu_device *d = host;

	if (vector < VFU_DEV_MSIX_COUNT)
		d->msix_pending |= 1u << vector;
}

static void msix_flush(struct vfu_device *d)
{
	uint32_t pending = d->msix_pending;

	d->msix_pending = 0;
	for (uint32_t v = 0; pending; v++, pending >>= 1)
		if (pending & 1)
			msix_send(d, v);
}

/* --trace: the lines the demo prints for the same command and response. */
static void host_command(void *host, const uint8_t *cmd, const uint8_t *rsp)
{
	struct vfu_device *d = host;
	const char *name = rv_op_name((unsigned int)rv_msg_get(cmd, RV_MSG_OPCODE));
	char hex[2 * RV_MSG_SIZE + 1];

	if (!d->trace)
		return;
	if (!name)
		name = "unknown command";
	rv_msg_hex(cmd, hex);
	fprintf(d->trace, "cmd %s %s\n", name, hex);
	rv_msg_hex(rsp, hex);
	fprintf(d->trace, "rsp %s %s\n", name, hex);
}

static void file_put(struct vfu_device *d, struct vfu_dma_file *f)
{
	if (--f->refs)
		return;
	munmap(f->base, f->len);
	for (size_t i = 0; i < d->n_files; i++) {
		if (d->files[i] != f)
			continue;
		d->files[i] = d->files[--d->n_files];
		break;
	}
	free(f);
}

/* The mapping of fd's file, made once and shared by its maps. */
static int file_get(struct vfu_device *d, int fd, uint64_t offset,
		    uint64_t size, struct vfu_dma_file **out)
{
	struct vfu_dma_file *f;
	struct stat st;
	void *base;
	int seals;

	if (fstat(fd, &st))
		return errno;
	if (st.st_size <= 0 || offset > (uint64_t)st.st_size ||
	    size > (uint64_t)st.st_size - offset)
		return EINVAL;
	for (size_t i = 0; i < d->n_files; i++) {
		f = d->files[i];
		if (f->dev == st.st_dev && f->ino == st.st_ino &&
		    offset + size <= f->len) {
			f->refs++;
			*out = f;
			return 0;
		}
	}
	if (d->n_files == d->cap_files) {
		size_t cap = d->cap_files ? 2 * d->cap_files : 8;
		void *p = realloc(d->files, cap * sizeof(*d->files));

		if (!p)
			return ENOMEM;
		d->files = p;
		d->cap_files = cap;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return errno;
	f = calloc(1, sizeof(*f));
	if (!f) {
		munmap(base, (size_t)st.st_size);
		return ENOMEM;
	}
	seals = fcntl(fd, F_GET_SEALS);
	*f = (struct vfu_dma_file){ .dev = st.st_dev, .ino = st.st_ino,
				    .base = base, .len = (size_t)st.st_size,
				    .refs = 1,
				    .sealed = seals >= 0 && seals & F_SEAL_SHRINK };
	d->files[d->n_files++] = f;
	*out = f;
	return 0;
}

/* Room for one more map at index i. */
static int dma_insert_at(struct vfu_device *d, size_t i)
{
	if (d->n_dma == VFU_DEV_MAX_DMA_MAPS)
		return ENOSPC;
	if (d->n_dma == d->cap_dma) {
		size_t cap = d->cap_dma ? 2 * d->cap_dma : 64;
		void *p;

		if (cap > VFU_DEV_MAX_DMA_MAPS)
			cap = VFU_DEV_MAX_DMA_MAPS;
		p = realloc(d->dma, cap * sizeof(*d->dma));
		if (!p)
			return ENOMEM;
		d->dma = p;
		d->cap_dma = cap;
	}
	memmove(&d->dma[i + 1], &d->dma[i], (d->n_dma - i) * sizeof(*d->dma));
	d->n_dma++;
	return 0;
}

int vfu_dev_dma_map(struct vfu_device *d, uint64_t iova, uint64_t size,
		    uint32_t prot, int fd, uint64_t offset)
{
	struct vfu_dma_file *file = NULL;
	size_t i;
	int err = 0;

	if (!size || iova + (size - 1) < iova || (iova | size) & 4095 ||
	    !prot || prot & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
		err = EINVAL;
	i = dma_find(d, iova);
	if (!err && i < d->n_dma && d->dma[i].iova <= iova + (size - 1))
		err = EEXIST;
	if (!err && fd >= 0)
		err = file_get(d, fd, offset, size, &file);
	if (fd >= 0)
		close(fd);
	if (!err && (err = dma_insert_at(d, i)) && file)
		file_put(d, file);
	if (err)
		return err;
	d->dma[i] = (struct vfu_dma){ .iova = iova, .size = size, .prot = prot,
				      .file = file, .offset = offset };
	return 0;
}

static void dma_remove(struct vfu_device *d, size_t i)
{
	if (d->dma[i].file)
		file_put(d, d->dma[i].file);
	memmove(&d->dma[i], &d->dma[i + 1],
		(d->n_dma - i - 1) * sizeof(*d->dma));
	d->n_dma--;
}

/*
 * Clients unmap in other pieces than they mapped (QEMU: powers of two,
 * and everything at once), so a map is cut to what lies outside the
 * range, in two when the range is inside it.
 */
int vfu_dev_dma_unmap(struct vfu_device *d, uint64_t iova, uint64_t size,
		      bool all)
{
	/*
	 * Inclusive ends: a range may reach the top of the address space
	 * (QEMU unmaps up to 2^64), where an exclusive end would wrap to 0.
	 */
	uint64_t last = iova + size - 1;
	size_t i;

	if (all) {
		while (d->n_dma)
			dma_remove(d, d->n_dma - 1);
		return 0;
	}
	if (!size || last < iova)
		return EINVAL;
	i = dma_find(d, iova);
	while (i < d->n_dma && d->dma[i].iova <= last) {
		struct vfu_dma *e = &d->dma[i];
		uint64_t e_last = e->iova + e->size - 1;

		if (e->iova >= iova && e_last <= last) {
			dma_remove(d, i);
			continue;
		}
		if (e->iova < iova && e_last > last) {
			int err = dma_insert_at(d, i + 1);

			if (err)
				return err;
			e = &d->dma[i];
			d->dma[i + 1] = *e;
			if (e->file)
				e->file->refs++;
			d->dma[i + 1].iova = last + 1;
			d->dma[i + 1].size = e_last - last;
			d->dma[i + 1].offset += last + 1 - e->iova;
			e->size = iova - e->iova;
			return 0;
		}
		if (e->iova < iova) {
			e->size = iova - e->iova;
		} else {
			e->offset += last + 1 - e->iova;
			e->size = e_last - last;
			e->iova = last + 1;
		}
		i++;
	}
	return 0;
}

/* ---- the model and BAR0 ---- */

/* Run the model until it is idle (bounded); returns the work done. */
static unsigned int model_run(struct vfu_device *d)
{
	unsigned int work = 0, n, steps = 0;

	while ((n = rv_model_step(&d->model)) && ++steps < MAX_STEPS)
		work += n;
	return work;
}

/* The model moved a ring index: out to the shared page, if there is one. */
static void host_index_moved(void *host, uint64_t off, uint64_t val)
{
	struct vfu_device *d = host;

	rv_bar_mirror_index_moved(&d->mirror, off, val);
}

static void mirror_sw_write(void *host, uint64_t off, uint64_t val)
{
	struct vfu_device *d = host;

	rv_model_write(&d->model, off, val);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/*
 * Software wrote a register: with a latency, the device starts on it (and
 * on anything written meanwhile) that long after; without, at once.
 */
static void work_arrived(struct vfu_device *d)
{
	if (d->latency_ns && !d->due_ns)
		d->due_ns = now_ns() + d->latency_ns;
}

/* Run the model if its work is due; returns the work done. */
static unsigned int run_if_due(struct vfu_device *d)
{
	if (d->latency_ns && (!d->due_ns || now_ns() < d->due_ns))
		return 0;
	d->due_ns = 0;
	return model_run(d);
}

/*
 * BAR0 shared and no latency: the model STEP messages at a time, its ring
 * indexes published as they move (host_index_moved()), software's stores
 * taken and the other registers published every TAKE_EVERY messages, so
 * that driver and device work on a ring together rather than taking turns
 * on whole batches (the mock's device thread does the same,
 * sim/mock_bar.c).
 */
static unsigned int stream(struct vfu_device *d)
{
	unsigned int work, n, steps = 0, since_look = 0;

	work = rv_bar_mirror_take(&d->mirror, mirror_sw_write, d);
	do {
		n = rv_model_step_budget(&d->model, STEP);
		if (n)
			msix_flush(d);
		work += n;
		since_look += n;
		if (!n || since_look >= TAKE_EVERY) {
			since_look = 0;
			rv_bar_mirror_publish_stored(&d->mirror);
			n += rv_bar_mirror_take(&d->mirror, mirror_sw_write, d);
		}
	} while (n && ++steps < MAX_STEPS);
	if (work)
		rv_bar_mirror_publish(&d->mirror, &d->model);
	return work;
}

unsigned int vfu_dev_poll(struct vfu_device *d)
{
	unsigned int work = 0, taken = 0;

	if (d->bar_page && !d->latency_ns)
		return stream(d);
	if (d->bar_page)
		taken = rv_bar_mirror_take(&d->mirror, mirror_sw_write, d);
	if (taken)
		work_arrived(d);
	work = taken + run_if_due(d);
	if (d->bar_page && work)
		rv_bar_mirror_publish(&d->mirror, &d->model);
	msix_flush(d);
	return work;
}

uint64_t vfu_dev_due_ns(const struct vfu_device *d)
{
	return d->due_ns;
}

static int bar0_rw(struct vfu_device *d, uint64_t off, void *buf,
		   uint32_t len, bool write)
{
	uint64_t v;

	/* Stores software made through the mapping come first. */
	vfu_dev_poll(d);
	if (len == 8 && !(off & 7) && write) {
		memcpy(&v, buf, 8);
		rv_model_write(&d->model, off, v);
		work_arrived(d);
		run_if_due(d);
		rv_bar_mirror_after_write(&d->mirror, &d->model, off, v);
		msix_flush(d);
		return 0;
	}
	if (write)
		return EINVAL;
	v = rv_model_read(&d->model, off & ~7ull);
	if (len == 8 && !(off & 7)) {
		memcpy(buf, &v, 8);
		return 0;
	}
	if (len == 4 && !(off & 3)) {
		uint32_t half = (uint32_t)(v >> (off & 4 ? 32 : 0));

		memcpy(buf, &half, 4);
		return 0;
	}
	return EINVAL;
}

/* A config write; the state is logged as bus mastering goes off. */
static int cfg_write(struct vfu_device *d, uint64_t off, const void *buf,
		     uint32_t len)
{
	bool was = rv_pci_cfg_bus_master(d->cfg);
	char state[320];

	rv_pci_cfg_write(d->cfg, (unsigned int)off, buf, len);
	rv_model_set_bus_master(&d->model, rv_pci_cfg_bus_master(d->cfg));
	if (!was || rv_pci_cfg_bus_master(d->cfg) || !d->log)
		return 0;
	vfu_dev_state(d, state, sizeof(state));
	fprintf(d->log, "revere-vfio-user-server: bus mastering off; device "
		"state: %s\n", state);
	fflush(d->log);
	return 0;
}

int vfu_dev_region_info(struct vfu_device *d, uint32_t index,
			struct vfio_region_info *info, int *fd)
{
	uint64_t size;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return EINVAL;
	size = rv_pci_region_size(index);
	*fd = -1;
	*info = (struct vfio_region_info){
		.argsz = sizeof(*info), .index = index, .size = size,
	};
	if (size)
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
	if (index == VFIO_PCI_BAR0_REGION_INDEX && d->bar_page) {
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		*fd = d->bar_fd;
	}
	return 0;
}

int vfu_dev_region_rw(struct vfu_device *d, uint32_t index, uint64_t off,
		      void *buf, uint32_t len, bool write)
{
	uint64_t size = rv_pci_region_size(index);	/* 0: no such region */

	if (!len || off >= size || len > size - off)
		return EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX && write)
		return cfg_write(d, off, buf, len);
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		memcpy(buf, d->cfg + off, len);
		return 0;
	}
	return bar0_rw(d, off, buf, len, write);
}

/* ---- interrupts ---- */

/*
 * The eventfds of an IRQ index and how many it has: MSI-X's vectors, and
 * one for ERR (PCIe error reporting, which QEMU sets up for every device
 * and warns about where it cannot; the model never raises it). None for
 * INTx, MSI and the device request.
 */
static int *irq_fds(struct vfu_device *d, uint32_t index, uint32_t *count)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		*count = VFU_DEV_MSIX_COUNT;
		return d->msix;
	case VFIO_PCI_ERR_IRQ_INDEX:
		*count = 1;
		return &d->err_fd;
	default:
		*count = 0;
		return NULL;
	}
}

int vfu_dev_irq_info(struct vfu_device *d, struct vfio_irq_info *info)
{
	uint32_t index = info->index, count;

	if (index >= VFIO_PCI_NUM_IRQS)
		return EINVAL;
	irq_fds(d, index, &count);
	*info = (struct vfio_irq_info){ .argsz = sizeof(*info), .index = index,
					.count = count };
	if (count)
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	return 0;
}

static void irq_release(int *fds, uint32_t start, uint32_t count)
{
	for (uint32_t v = start; v < start + count; v++) {
		if (fds[v] >= 0)
			close(fds[v]);
		fds[v] = -1;
	}
}

static void irq_release_all(struct vfu_device *d)
{
	irq_release(d->msix, 0, VFU_DEV_MSIX_COUNT);
	irq_release(&d->err_fd, 0, 1);
}

/* Trigger from the client (DATA_NONE or DATA_BOOL): signal the lines. */
static void irq_trigger(struct vfu_device *d, uint32_t index, uint32_t start,
			uint32_t count, const uint8_t *bools)
{
	for (uint32_t i = 0; i < count; i++) {
		if (bools && !bools[i])
			continue;
		if (index == VFIO_PCI_MSIX_IRQ_INDEX)
			msix_send(d, start + i);
		else
			signal_fd(&d->err_fd);
	}
}

static int irq_set(struct vfu_device *d, const struct vfio_irq_set *set,
		   const uint8_t *bools, int *fds, unsigned int nfds)
{
	uint32_t data = set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK, count;
	int *lines = irq_fds(d, set->index, &count);

	if ((set->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return EINVAL;
	if (data == VFIO_IRQ_SET_DATA_NONE && !set->count) {
		irq_release(lines, 0, count);
		return 0;
	}
	if (data != VFIO_IRQ_SET_DATA_EVENTFD) {
		irq_trigger(d, set->index, set->start, set->count, bools);
		return 0;
	}
	/* Eventfds for each line, or none: take those lines' away. */
	if (nfds && nfds != set->count)
		return EINVAL;
	irq_release(lines, set->start, set->count);
	for (unsigned int i = 0; i < nfds; i++) {
		lines[set->start + i] = fds[i];
		fds[i] = -1;
	}
	return 0;
}

int vfu_dev_set_irqs(struct vfu_device *d, const struct vfio_irq_set *set,
		     const uint8_t *bools, size_t nbools, int *fds,
		     unsigned int nfds)
{
	uint32_t data = set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK, count = 0;
	int err = 0;

	if (set->index < VFIO_PCI_NUM_IRQS)
		irq_fds(d, set->index, &count);
	if (data != VFIO_IRQ_SET_DATA_NONE && data != VFIO_IRQ_SET_DATA_BOOL &&
	    data != VFIO_IRQ_SET_DATA_EVENTFD)
		err = EINVAL;
	else if (set->index >= VFIO_PCI_NUM_IRQS)
		err = EINVAL;
	else if (data == VFIO_IRQ_SET_DATA_BOOL && nbools < set->count)
		err = EINVAL;
	else if (data != VFIO_IRQ_SET_DATA_EVENTFD && nfds)
		err = EINVAL;
	else if (!count)
		err = set->count ? EINVAL : 0;	/* nothing there to set */
	else if (set->start > count || set->count > count - set->start)
		err = EINVAL;
	else
		err = irq_set(d, set, data == VFIO_IRQ_SET_DATA_BOOL ?
			      bools : NULL, fds, nfds);
	for (unsigned int i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

/* ---- life ---- */

static void power_on(struct vfu_device *d)
{
	rv_model_reset(&d->model);
	rv_pci_cfg_power_on(d->cfg, RV_PCI_VENDOR_ARM, RV_PCI_DEVICE_PF);
	rv_model_set_bus_master(&d->model, false);
	rv_bar_mirror_resync(&d->mirror, &d->model);
}

/* A sealed memfd of BAR0's size, and its mapping; untouched on failure. */
static int bar_page_new(int *fd_out, uint64_t **page_out)
{
	int fd = memfd_create("revere-bar0", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	void *p;
	int err;

	if (fd < 0)
		return errno;
	/* Sealed, so that a client cannot shrink it under the server. */
	if (ftruncate(fd, RV_MODEL_BAR0_SIZE) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		goto fail;
	p = mmap(NULL, RV_MODEL_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	*fd_out = fd;
	*page_out = p;
	return 0;
fail:
	err = errno;
	close(fd);
	return err;
}

static int bar_share(struct vfu_device *d)
{
	int err = bar_page_new(&d->bar_fd, &d->bar_page);

	if (err)
		return err;
	return rv_bar_mirror_init(&d->mirror, &d->model, d->bar_page);
}

/*
 * A client's mapping of BAR0 outlives its connection: the page it maps
 * is given up, and the next client gets a fresh one, which the departed
 * one cannot reach. Without one (memfd or mmap failing), BAR0 is offered
 * by message only from then on, never the old page again.
 */
static void bar_renew(struct vfu_device *d)
{
	uint64_t *page = NULL;
	int fd = -1;

	bar_page_new(&fd, &page);
	munmap(d->bar_page, RV_MODEL_BAR0_SIZE);
	close(d->bar_fd);
	d->bar_fd = fd;
	d->bar_page = page;
	d->mirror.page = page;
}

int vfu_dev_init(struct vfu_device *d, bool bar0_mmap, vfu_msg_dma_fn *msg_dma,
		 void *server, FILE *log, FILE *trace)
{
	struct rv_model_host host = {
		.host = d, .dma_read = host_dma_read,
		.dma_write = host_dma_write, .dma_ptr = host_dma_ptr,
		.msix = host_msix, .index_moved = host_index_moved,
		.command = host_command,
	};
	struct rv_model_params p;
	int err = 0;

	*d = (struct vfu_device){ .bar0_mmap = bar0_mmap, .bar_fd = -1,
				  .msg_dma = msg_dma, .server = server,
				  .log = log, .trace = trace };
	for (unsigned int v = 0; v < VFU_DEV_MSIX_COUNT; v++)
		d->msix[v] = -1;
	d->err_fd = -1;
	rv_model_default_params(&p);
	if (rv_model_init(&d->model, &p, &host))
		return EINVAL;
	guard_install();
	alarm_install();
	if (bar0_mmap)
		err = bar_share(d);
	if (err) {
		vfu_dev_destroy(d);
		return err;
	}
	power_on(d);
	return 0;
}

void vfu_dev_open(struct vfu_device *d)
{
	rv_pci_cfg_open(d->cfg);
	rv_model_set_bus_master(&d->model, false);
	d->msix_signalled = 0;
	d->dma_failed = false;
}

void vfu_dev_reset(struct vfu_device *d)
{
	rv_model_reset(&d->model);
	rv_model_set_bus_master(&d->model, rv_pci_cfg_bus_master(d->cfg));
	rv_bar_mirror_resync(&d->mirror, &d->model);
	d->msix_pending = 0;
}

void vfu_dev_close(struct vfu_device *d)
{
	irq_release_all(d);
	vfu_dev_dma_unmap(d, 0, 0, true);
	if (d->bar_page)
		bar_renew(d);
	power_on(d);
	d->msix_pending = 0;
}

void vfu_dev_destroy(struct vfu_device *d)
{
	irq_release_all(d);
	vfu_dev_dma_unmap(d, 0, 0, true);
	free(d->dma);
	free(d->files);
	rv_bar_mirror_free(&d->mirror);
	if (d->bar_page)
		munmap(d->bar_page, RV_MODEL_BAR0_SIZE);
	if (d->bar_fd >= 0)
		close(d->bar_fd);
	d->bar_page = NULL;
	d->bar_fd = -1;
}

int vfu_dev_state(struct vfu_device *d, char *buf, size_t size)
{
	struct rv_model_summary s;

	rv_model_summary(&d->model, &s);
	return snprintf(buf, size,
			"amu_enabled=%d bus_master=%d ami_sw_enabled=%u "
			"ami_hw_enabled=%u asn_count=%u ami_sw_mapped=%u "
			"ami_hw_mapped=%u commands=%" PRIu64 " messages=%" PRIu64
			" iommu_fault=%d irqs=%" PRIu64 " msix_signalled=%" PRIu64,
			s.amu_enabled, s.bus_master, s.ami_sw_enabled,
			s.ami_hw_enabled, s.asn_count, s.ami_sw_mapped,
			s.ami_hw_mapped, s.commands, s.messages, s.iommu_fault,
			s.irqs, d->msix_signalled);
}
