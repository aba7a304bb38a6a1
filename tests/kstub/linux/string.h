/* SPDX-License-Identifier: BSD-3-Clause */
/* A stand-in for the kernel's <linux/string.h>: see types.h here. */
#ifndef KSTUB_LINUX_STRING_H
#define KSTUB_LINUX_STRING_H

#include <linux/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);

#endif /* KSTUB_LINUX_STRING_H */
