/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for the kernel's <linux/types.h>, just big enough to prove that
 * sim/revere_model.c needs nothing from its environment beyond these types
 * and memcpy/memset (tests/model.mk compiles it with -nostdinc). The names
 * are the kernel's; the definitions use the compiler's predefined macros.
 */
#ifndef KSTUB_LINUX_TYPES_H
#define KSTUB_LINUX_TYPES_H

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT64_TYPE__ s64;

typedef u8 uint8_t;
typedef u16 uint16_t;
typedef u32 uint32_t;
typedef u64 uint64_t;

typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;

typedef _Bool bool;
enum { false = 0, true = 1 };

#define NULL ((void *)0)

#endif /* KSTUB_LINUX_TYPES_H */
