// SPDX-License-Identifier: BSD-3-Clause
#include "errmsg.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Record fmt if e holds no error yet (the first is the cause). */
static bool record(struct errmsg *e, int errnum, const char *fmt, va_list ap)
{
	if (e->err)
		return false;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->err = errnum ? errnum : 1;
	return true;
}

int errmsg_set(struct errmsg *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(e, errnum, fmt, ap);
	va_end(ap);
	return -errnum;
}

int errmsg_set_errno(struct errmsg *e, int errnum, const char *fmt, ...)
{
	size_t n;
	bool fresh;
	va_list ap;

	va_start(ap, fmt);
	fresh = record(e, errnum, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (fresh && n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	return -errnum;
}

void errmsg_hint(struct errmsg *e, const char *fmt, ...)
{
	size_t n = strlen(e->msg);
	va_list ap;

	if (n + 2 >= sizeof(e->msg))
		return;
	memcpy(e->msg + n, "; ", 3);
	n += 2;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
	va_end(ap);
}

void errmsg_prefix(struct errmsg *e, const char *fmt, ...)
{
	char msg[2 * ERRMSG_LEN + 2];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, ERRMSG_LEN, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	memcpy(msg + n, ": ", 2);
	memcpy(msg + n + 2, e->msg, strlen(e->msg) + 1);
	n = strlen(msg);
	if (n >= sizeof(e->msg))
		n = sizeof(e->msg) - 1;
	memcpy(e->msg, msg, n);
	e->msg[n] = '\0';
}

void errmsg_clear(struct errmsg *e)
{
	e->msg[0] = '\0';
	e->err = 0;
}

void errmsg_list_add(char *buf, size_t len, const char *item)
{
	size_t n = strnlen(buf, len);

	if (n + 1 >= len)
		return;
	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", item);
}
