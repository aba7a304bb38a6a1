// SPDX-License-Identifier: BSD-3-Clause
/*
 * vfio-user as a way to reach the device (QEMU's
 * docs/interop/vfio-user.rst): the device lives in another process, a
 * model or an RTL simulation, behind a UNIX socket, and every operation
 * the kernel's VFIO would do is a message to it. The file is both halves
 * the VFIO layer asks for:
 *   - the IOMMU backend (vfio_iommu.h): "open" connects and agrees a
 *     version, DMA_MAP and DMA_UNMAP map the client's memory for the
 *     device: with the memfd of vfio_dma_alloc() when the server takes
 *     fds, so it maps the rings itself; by DMA_READ and DMA_WRITE
 *     messages it sends us otherwise;
 *   - the transport (vfio_device_io.h): the device, region and IRQ info,
 *     region reads and writes (split at the server's max_data_xfer_size),
 *     SET_IRQS with the eventfds, DEVICE_RESET; a region the server
 *     hands an fd for is mmap'd from it.
 * The conversation itself is vfio_user_client.c.
 *
 * A region fd is mapped only when it is sealed against shrinking and
 * large enough: a file the server could cut short would turn the
 * driver's next register access into SIGBUS. Otherwise BAR0 goes by
 * messages, and -v says why.
 */
#define _GNU_SOURCE		/* F_GET_SEALS */
#include "vfio_iommu.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfio.h"
#include "vfio_device_io.h"
#include "vfio_sys.h"
#include "vfio_user_client.h"

/* Room for a region's capabilities after struct vfio_region_info. */
#define REGION_INFO_ROOM	512

struct vfu_link {
	struct vfu_client c;
	bool connected;
	unsigned int dma_maps;		/* live, against max_dma_maps */
	bool dma_by_msg;		/* a map went without an fd */
	int region_fd[VFIO_PCI_NUM_REGIONS];	/* to mmap, -1: none */
	char mmap_note[160];		/* why a region fd was not used */
	char explain[VFU_CLIENT_WHY_LEN + 160];
	/*
	 * A region access's request and reply: only the driver's thread
	 * reaches the device, one access at a time.
	 */
	uint8_t *req, *rep;
};

/* The largest region access both ends take. */
#define LINK_XFER	VFU_CLIENT_MAX_XFER
#define LINK_BUF	(LINK_XFER + sizeof(struct vfio_user_region_access))

static struct vfu_link *link_of(const struct vfio_dev *dev)
{
	return dev->iommu_priv;
}

/*
 * The conversation's own words for its last failure, and what to do: the
 * hint of the message vfio.c records, and of the backend's own.
 */
static const char *u_explain(struct vfio_dev *dev)
{
	struct vfu_link *l = link_of(dev);
	int lost = vfu_client_lost(&l->c);
	char why[VFU_CLIENT_WHY_LEN];

	vfu_client_why(&l->c, why, sizeof(why));
	if (!why[0])
		return "";
	snprintf(l->explain, sizeof(l->explain), "%s%s", why,
		 lost == ETIMEDOUT ? ": check that the server is running and not stopped, or raise --timeout" :
		 lost ? ": the device is gone; start its server again" : "");
	return l->explain;
}

static int fail(struct vfio_dev *dev, int err, const char *what)
{
	return vfio_fail_hint(dev, err, u_explain(dev), "%s on %s", what,
			      dev->device_name);
}

/* ---- the transport ---- */

static int call(struct vfio_dev *dev, uint16_t command, const void *req,
		size_t len, void *rep, size_t cap, size_t *rep_len)
{
	return -vfu_client_call(&link_of(dev)->c, command, req, len, NULL, 0,
				rep, cap, rep_len, NULL);
}

static int u_device_info(struct vfio_dev *dev, struct vfio_device_info *info)
{
	struct vfio_user_device_info rq = { .argsz = sizeof(rq) }, rp;
	size_t len;
	int ret = call(dev, VFIO_USER_DEVICE_GET_INFO, &rq, sizeof(rq), &rp,
		       sizeof(rp), &len);

	if (ret)
		return ret;
	if (len < sizeof(rp) || rp.argsz < sizeof(rp))
		return -vfu_client_broke(&link_of(dev)->c,
					 "the server's DEVICE_GET_INFO reply has %zu bytes, argsz %u, fewer than its 16",
					 len, len >= 4 ? rp.argsz : 0);
	*info = (struct vfio_device_info){ .argsz = sizeof(*info),
					   .flags = rp.flags,
					   .num_regions = rp.num_regions,
					   .num_irqs = rp.num_irqs };
	return 0;
}

/*
 * The sparse-mmap capability, if the reply has one: true when it lets
 * the whole region be mapped (an area covering it), false when parts
 * must go by message. A chain that leaves the reply is no capability.
 */
static bool sparse_covers(const uint8_t *rep, size_t len,
			  const struct vfio_region_info *info)
{
	uint32_t next = info->cap_offset;
	unsigned int hops = 0;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return true;
	while (next && hops++ < 16) {
		struct vfio_region_info_cap_sparse_mmap sp;

		if (next < sizeof(*info) || next > len ||
		    len - next < sizeof(sp))
			return false;
		memcpy(&sp, rep + next, sizeof(sp));
		if (sp.header.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_sparse_mmap_area a;

			if (sp.nr_areas != 1 ||
			    len - next - sizeof(sp) < sizeof(a))
				return false;
			memcpy(&a, rep + next + sizeof(sp), sizeof(a));
			return a.offset == 0 && a.size >= info->size;
		}
		next = sp.header.next;
	}
	return !next;
}

/* An fd the driver can map size bytes at off of, without a SIGBUS. */
static bool fd_mappable(struct vfu_link *l, int fd, uint64_t off,
			uint64_t size)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);

	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(l->mmap_note, sizeof(l->mmap_note),
			 "the server's fd for BAR0 is not a file that can be mapped");
		return false;
	}
	if (off % (uint64_t)sysconf(_SC_PAGESIZE)) {
		snprintf(l->mmap_note, sizeof(l->mmap_note),
			 "the server's offset 0x%" PRIx64 " into its fd for BAR0 is not page aligned",
			 off);
		return false;
	}
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		snprintf(l->mmap_note, sizeof(l->mmap_note),
			 "the server's fd for BAR0 is not sealed against shrinking (F_SEAL_SHRINK)");
		return false;
	}
	if ((uint64_t)st.st_size < off || (uint64_t)st.st_size - off < size) {
		snprintf(l->mmap_note, sizeof(l->mmap_note),
			 "the server's fd for BAR0 holds %lld bytes, less than the region",
			 (long long)st.st_size);
		return false;
	}
	return true;
}

static void keep_region_fd(struct vfu_link *l, uint32_t index, int fd)
{
	if (l->region_fd[index] >= 0)
		close(l->region_fd[index]);
	l->region_fd[index] = fd;
}

static int u_region_info(struct vfio_dev *dev, uint32_t index,
			 struct vfio_region *r)
{
	struct vfu_link *l = link_of(dev);
	struct vfio_region_info rq = {
		.argsz = sizeof(rq) + REGION_INFO_ROOM, .index = index,
	}, info;
	uint8_t rep[sizeof(rq) + REGION_INFO_ROOM];
	size_t len;
	int fd, err;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	err = vfu_client_call(&l->c, VFIO_USER_DEVICE_GET_REGION_INFO, &rq,
			      sizeof(rq), NULL, 0, rep, sizeof(rep), &len, &fd);
	if (err)
		return -err;
	memcpy(&info, rep, len < sizeof(info) ? len : sizeof(info));
	if (len < sizeof(info) || info.index != index) {
		if (fd >= 0)
			close(fd);
		return -vfu_client_broke(&l->c,
					 "the server answered region %u's info with %zu bytes for region %u",
					 index, len, len >= sizeof(info) ? info.index : index);
	}
	if (fd >= 0 && (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP) ||
			!sparse_covers(rep, len, &info) ||
			!fd_mappable(l, fd, info.offset, info.size))) {
		close(fd);
		fd = -1;
	}
	/*
	 * A mapped region's accesses are no messages: only the watcher
	 * would see the server go.
	 */
	if (fd >= 0 && (err = vfu_client_watch(&l->c))) {
		close(fd);
		return -err;
	}
	keep_region_fd(l, index, fd);
	*r = (struct vfio_region){
		.index = index, .flags = info.flags, .size = info.size,
		.mmap_fd = fd, .mmap_offset = info.offset,
	};
	return 0;
}

/* One REGION_READ or REGION_WRITE of at most the server's transfer size. */
static ssize_t region_one(struct vfio_dev *dev, uint32_t index, uint64_t off,
			  void *buf, size_t n, bool write)
{
	struct vfu_link *l = link_of(dev);
	struct vfio_user_region_access *rq = (void *)l->req;
	struct vfio_user_region_access *rp = (void *)l->rep;
	size_t len;
	int err;

	*rq = (struct vfio_user_region_access){ .offset = off, .region = index,
						.count = (uint32_t)n };
	if (write)
		memcpy(rq->data, buf, n);
	err = vfu_client_call(&l->c, write ? VFIO_USER_REGION_WRITE :
				     VFIO_USER_REGION_READ,
			      rq, sizeof(*rq) + (write ? n : 0), NULL, 0, rp,
			      LINK_BUF, &len, NULL);
	if (err)
		return -err;
	/* The reply names the access; a read's brings exactly its bytes. */
	if (len < sizeof(*rp) || rp->count != n || rp->offset != off ||
	    rp->region != index || (!write && len != sizeof(*rp) + n))
		return -vfu_client_broke(&l->c,
					 "the server answered a %s of %zu bytes at 0x%" PRIx64 " of region %u with %zu bytes that do not match",
					 write ? "REGION_WRITE" : "REGION_READ", n,
					 off, index, len);
	if (!write)
		memcpy(buf, rp->data, n);
	return (ssize_t)n;
}

static ssize_t region_rw(struct vfio_dev *dev, const struct vfio_region *r,
			 uint64_t off, void *buf, size_t len, bool write)
{
	struct vfu_link *l = link_of(dev);
	size_t max = l->c.server.max_data_xfer_size < LINK_XFER ?
		     l->c.server.max_data_xfer_size : LINK_XFER;
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < max ? len - done : max;
		ssize_t got = region_one(dev, r->index, off + done, p + done, n,
					 write);

		if (got < 0)
			return got;
		done += n;
	}
	return (ssize_t)done;
}

static ssize_t u_region_read(struct vfio_dev *dev, const struct vfio_region *r,
			     uint64_t off, void *buf, size_t len)
{
	return region_rw(dev, r, off, buf, len, false);
}

static ssize_t u_region_write(struct vfio_dev *dev,
			      const struct vfio_region *r, uint64_t off,
			      const void *buf, size_t len)
{
	return region_rw(dev, r, off, (void *)buf, len, true);
}

/*
 * The IRQ's eventfds go as SCM_RIGHTS, at most max_msg_fds a message: a
 * server that takes none cannot signal one, and says so here.
 */
static int u_irq_info(struct vfio_dev *dev, struct vfio_irq_info *info)
{
	struct vfio_irq_info rq = { .argsz = sizeof(rq), .index = info->index };
	size_t len;
	int ret = call(dev, VFIO_USER_DEVICE_GET_IRQ_INFO, &rq, sizeof(rq),
		       info, sizeof(*info), &len);

	if (ret)
		return ret;
	if (len < sizeof(*info) || info->index != rq.index)
		return -vfu_client_broke(&link_of(dev)->c,
					 "the server answered IRQ index %u's info with %zu bytes for index %u",
					 rq.index, len, len >= sizeof(*info) ? info->index : rq.index);
	if (!link_of(dev)->c.server.max_msg_fds)
		info->flags &= ~(uint32_t)VFIO_IRQ_INFO_EVENTFD;
	return 0;
}

/* SET_IRQS of vectors start .. start + count - 1, their fds attached. */
static int set_irqs_one(struct vfio_dev *dev, uint32_t index, uint32_t start,
			uint32_t count, const int32_t *fds)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = (fds ? VFIO_IRQ_SET_DATA_EVENTFD :
				VFIO_IRQ_SET_DATA_NONE) |
			 VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = index, .start = start, .count = count,
	};
	int sendfds[VFU_MSG_MAX_FDS];
	unsigned int n = 0;
	size_t len;
	uint8_t rep[8];

	/*
	 * The protocol carries the fds themselves, not their numbers: -1
	 * (unroute a vector) goes as a SET_IRQS of that vector with none.
	 */
	for (uint32_t i = 0; fds && i < count; i++)
		if (fds[i] >= 0)
			sendfds[n++] = fds[i];
	if (fds && n != count) {
		if (count != 1)
			return -EINVAL;
		set.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	}
	return -vfu_client_call(&link_of(dev)->c, VFIO_USER_DEVICE_SET_IRQS,
				&set, sizeof(set), sendfds, n, rep, sizeof(rep),
				&len, NULL);
}

static int u_set_irqs(struct vfio_dev *dev, uint32_t index, uint32_t start,
		      uint32_t count, const int32_t *fds)
{
	uint32_t max = link_of(dev)->c.server.max_msg_fds;

	if (count > VFIO_MAX_IRQS)
		return -EINVAL;
	/* A server that is gone signals nothing: unrouting is done. */
	if (!fds && vfu_client_lost(&link_of(dev)->c))
		return 0;
	if (!fds)
		return set_irqs_one(dev, index, start, count, NULL);
	if (max > VFU_MSG_MAX_FDS)
		max = VFU_MSG_MAX_FDS;
	if (!max)
		return -ENOTSUP;
	/* In chunks of what the server takes a message; MSI-X allows it. */
	for (uint32_t i = 0; i < count; i += max) {
		uint32_t n = count - i < max ? count - i : max;
		int ret = set_irqs_one(dev, index, start + i, n, fds + i);

		if (ret)
			return ret;
	}
	return 0;
}

static int u_reset(struct vfio_dev *dev)
{
	size_t len;
	uint8_t rep[8];

	return call(dev, VFIO_USER_DEVICE_RESET, NULL, 0, rep, sizeof(rep),
		    &len);
}

/* The device's part: region fds. The link stays, the backend's. */
static int u_close(struct vfio_dev *dev)
{
	struct vfu_link *l = link_of(dev);

	for (unsigned int i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		keep_region_fd(l, i, -1);
	return 0;
}

static int u_broken(const struct vfio_dev *dev)
{
	return -vfu_client_lost(&link_of(dev)->c);
}

static const struct vfio_device_io vfu_device_io = {
	.name = "vfio-user",
	.device_info = u_device_info,
	.region_info = u_region_info,
	.region_read = u_region_read,
	.region_write = u_region_write,
	.irq_info = u_irq_info,
	.set_irqs = u_set_irqs,
	.reset = u_reset,
	.close = u_close,
	.broken = u_broken,
	.explain = u_explain,
};

/* ---- the IOMMU backend ---- */

static const char *connect_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "no such socket: start the device's vfio-user server on it (revere-vfio-user-server --socket PATH), or correct the path";
	case ECONNREFUSED:
		return "nothing is listening on it: its server has stopped and left the socket file behind; start the server again";
	case EACCES:
	case EPERM:
		return "this user may not connect to it: connecting needs write permission on the socket file";
	case ENAMETOOLONG:
		return "a UNIX socket's path has at most 107 bytes: use a shorter one";
	case ENOTSOCK:
	case EPROTOTYPE:
		return "the path is not a UNIX stream socket: give the socket the vfio-user server listens on";
	default:
		return NULL;
	}
}

/* What went wrong in the handshake, and what to do about it. */
static const char *version_hint(struct vfu_link *l, int err)
{
	const char *todo;

	switch (err) {
	case ETIMEDOUT:
		todo = "check that the server is running and not stopped, or raise --timeout";
		break;
	case ENOTCONN:
	case EPIPE:
		todo = "the server may take one client at a time: check that no other client holds it";
		break;
	default:
		todo = "the demo speaks vfio-user 0.1 as QEMU's docs/interop/vfio-user.rst specifies: check that the socket is a vfio-user server's";
		break;
	}
	snprintf(l->explain, sizeof(l->explain), "%s: %s", l->c.why, todo);
	return l->explain;
}

static int link_free(struct vfio_dev *dev)
{
	struct vfu_link *l = link_of(dev);

	if (!l)
		return 0;
	u_close(dev);
	vfu_client_close(&l->c);
	free(l->req);
	free(l->rep);
	free(l);
	dev->iommu_priv = NULL;
	return 0;
}

static int vu_open(struct vfio_dev *dev, const char *path)
{
	struct vfu_link *l;
	int err;

	if (dev->iommu_priv)
		return 0;
	/*
	 * Nothing to free but memory until vfu_client_open() has set the
	 * client's fds: link_free() of a zeroed one would close fd 0.
	 */
	l = calloc(1, sizeof(*l));
	if (l) {
		l->req = malloc(LINK_BUF);
		l->rep = malloc(LINK_BUF);
	}
	if (!l || !l->req || !l->rep) {
		if (l) {
			free(l->req);
			free(l->rep);
		}
		free(l);
		return vfio_fail(dev, ENOMEM, "buffers to connect to %s", path);
	}
	for (unsigned int i = 0; i < VFIO_PCI_NUM_REGIONS; i++)
		l->region_fd[i] = -1;
	dev->iommu_priv = l;
	err = vfu_client_open(&l->c, path, dev->reply_timeout_ms);
	if (!err) {
		l->connected = true;
		return 0;
	}
	if (l->c.sock >= 0 && err != ENAMETOOLONG)
		err = vfio_fail_hint(dev, err, version_hint(l, err),
				     "vfio-user VERSION with %s", path);
	else
		err = vfio_fail_hint(dev, err, connect_hint(err),
				     "connect to the vfio-user socket %s", path);
	link_free(dev);
	return err;
}

/* The server serves one device: the name is the socket's, for messages. */
static int vu_open_device(struct vfio_dev *dev, const char *name)
{
	(void)name;
	if (!link_of(dev))
		return vfio_fail(dev, EBADF, "open %s: not connected", name);
	dev->io = &vfu_device_io;
	dev->io_priv = link_of(dev);
	return 0;
}

static bool vu_is_open(const struct vfio_dev *dev)
{
	return link_of(dev) && link_of(dev)->connected;
}

/*
 * With fds, the server maps the memfd itself and the driver's rings are
 * its memory too. Without, it asks for every byte by message: the watcher
 * then runs, to answer between the driver's own calls.
 */
static int vu_dma_map(struct vfio_dev *dev, void *vaddr, int fd,
		      uint64_t offset, uint64_t iova, uint64_t size)
{
	struct vfu_link *l = link_of(dev);
	struct vfio_user_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.offset = offset, .addr = iova, .size = size,
	};
	bool by_fd = fd >= 0 && l->c.server.max_msg_fds;
	uint8_t rep[8];
	size_t len;
	int err;

	if (l->dma_maps >= l->c.server.max_dma_maps)
		return vfio_fail(dev, ENOSPC, "DMA_MAP at IOVA 0x%" PRIx64 " on %s: the server takes %u mappings",
				 iova, dev->device_name,
				 l->c.server.max_dma_maps);
	if (!by_fd) {
		m.offset = 0;
		err = vfu_client_dma_add(&l->c, iova, size, vaddr);
		if (!err)
			err = vfu_client_watch(&l->c);
		if (err)
			return vfio_fail(dev, err, "DMA by message at IOVA 0x%" PRIx64 " on %s",
					 iova, dev->device_name);
	}
	err = vfu_client_call(&l->c, VFIO_USER_DMA_MAP, &m, sizeof(m), &fd,
			      by_fd, rep, sizeof(rep), &len, NULL);
	if (err) {
		vfu_client_dma_remove(&l->c, iova, size);
		return fail(dev, err, "DMA_MAP");
	}
	l->dma_maps++;
	l->dma_by_msg |= !by_fd;
	return 0;
}

/*
 * A server that is gone holds no mapping: unmapping then succeeds, so
 * that teardown does not report what it could not have done.
 */
static int vu_dma_unmap(struct vfio_dev *dev, uint64_t iova, uint64_t size,
			uint64_t *unmapped)
{
	struct vfu_link *l = link_of(dev);
	struct vfio_user_dma_unmap u = { .argsz = sizeof(u), .addr = iova,
					 .size = size }, rp;
	size_t len;
	int err;

	err = vfu_client_call(&l->c, VFIO_USER_DMA_UNMAP, &u, sizeof(u), NULL,
			      0, &rp, sizeof(rp), &len, NULL);
	vfu_client_dma_remove(&l->c, iova, size);
	if (err && vfu_client_lost(&l->c))
		err = 0;
	if (err)
		return fail(dev, err, "DMA_UNMAP");
	if (l->dma_maps)
		l->dma_maps--;
	*unmapped = size;
	return 0;
}

static int vu_close(struct vfio_dev *dev)
{
	return link_free(dev);
}

static uint64_t vu_page_sizes(const struct vfio_dev *dev)
{
	const struct vfu_link *l = link_of(dev);

	return l ? l->c.server.pgsizes : 0;
}

static const char *vu_describe(const struct vfio_dev *dev)
{
	(void)dev;
	return "vfio-user";
}

static void vu_context(const struct vfio_dev *dev, char *buf, size_t len)
{
	const struct vfu_link *l = link_of(dev);

	if (!vu_is_open(dev)) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len,
		 "UNIX socket %s, vfio-user %u.%u; the server takes %u fds a message, %u bytes a transfer, %u DMA mappings, pages 0x%" PRIx64 "; DMA %s%s%s",
		 l->c.path, VFIO_USER_MAJOR, l->c.minor,
		 l->c.server.max_msg_fds, l->c.server.max_data_xfer_size,
		 l->c.server.max_dma_maps, l->c.server.pgsizes,
		 l->dma_by_msg || !l->c.server.max_msg_fds ? "by message (the server sends DMA_READ and DMA_WRITE)" :
				 "by fd (DMA_MAP with the buffers' memfd: the server maps them)",
		 l->mmap_note[0] ? "; BAR0 by message: " : "", l->mmap_note);
}

const struct vfio_iommu_backend vfio_user_backend = {
	.name = "vfio-user",
	.open = vu_open,
	.open_device = vu_open_device,
	.is_open = vu_is_open,
	.dma_map = vu_dma_map,
	.dma_unmap = vu_dma_unmap,
	.close = vu_close,
	.page_sizes = vu_page_sizes,
	.describe = vu_describe,
	.context = vu_context,
};
