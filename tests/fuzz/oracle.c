// SPDX-License-Identifier: BSD-3-Clause
#include "oracle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void oracle_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz oracle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
