/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iommufd UAPI that vfio_iommufd.c calls and the mock answers: the
 * /dev/iommu ioctls (Linux's include/uapi/linux/iommufd.h, since 6.2) and
 * the VFIO device cdev's (include/uapi/linux/vfio.h, since 6.6). The
 * system's headers are used where they have them; on older ones (Debian
 * 12's linux-libc-dev is 6.1) the definitions below stand in. They are
 * the kernel's ABI, so they must match it field for field: only what the
 * mock implements is here.
 */
#ifndef REVERE_IOMMUFD_UAPI_H
#define REVERE_IOMMUFD_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/vfio.h>

#if defined(__has_include)
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#endif

#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE			(';')
#define IOMMUFD_CMD_BASE		0x80
/* The command numbers, in the kernel's order from IOMMUFD_CMD_BASE. */
#define IOMMUFD_CMD_DESTROY		0x80
#define IOMMUFD_CMD_IOAS_ALLOC		0x81
#define IOMMUFD_CMD_IOAS_ALLOW_IOVAS	0x82
#define IOMMUFD_CMD_IOAS_COPY		0x83
#define IOMMUFD_CMD_IOAS_IOVA_RANGES	0x84
#define IOMMUFD_CMD_IOAS_MAP		0x85
#define IOMMUFD_CMD_IOAS_UNMAP		0x86

/* Destroy any object by the id another command returned. */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* A new IO address space; flags must be 0. */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/* [start, last], last inclusive. */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/*
 * The IOVAs an IOAS may map: num_iovas in, the array's length; out, how
 * many ranges there are (EMSGSIZE when that is more than fitted).
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;	/* struct iommu_iova_range[] */
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,	/* else the kernel picks iova */
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,	/* the device may write */
	IOMMU_IOAS_MAP_READABLE = 1 << 2,	/* the device may read */
};

/* Map [user_va, user_va + length) at iova (in, or out without FIXED_IOVA). */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/*
 * Unmap every mapping inside [iova, iova + length) (0 and UINT64_MAX:
 * all); length comes back as the bytes unmapped.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)
#endif /* !IOMMUFD_TYPE */

#ifndef VFIO_DEVICE_BIND_IOMMUFD
/* Bind the device cdev to an iommufd; out_devid is its object there. */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

/* Attach to an IOAS or HWPT by id; pt_id comes back as the HWPT's. */
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)

struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 20)
#endif /* !VFIO_DEVICE_BIND_IOMMUFD */

#endif /* REVERE_IOMMUFD_UAPI_H */
