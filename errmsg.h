/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One-line error messages for library code.
 *
 * Library functions never print and never exit: they fill an errmsg with
 * "what failed, on what: why (strerror) [; what to do]" and return -errno.
 * Only main() prints it, prefixed with the program name, and decides to exit.
 */
#ifndef ERRMSG_H
#define ERRMSG_H

#include <stddef.h>

#define ERRMSG_LEN 1024

struct errmsg {
	char msg[ERRMSG_LEN];
	int err;		/* positive errno of the first error, 0 if none */
};

/*
 * Record an error: fmt names what failed and on what. Returns -errnum so
 * callers can "return errmsg_set()". A later error does not overwrite the
 * first one: the first is the cause.
 *   errmsg_set():       the message as given (device errors, usage
 *                       errors: there is no errno to explain them);
 *   errmsg_set_errno(): the message, then ": " and strerror(errnum), for
 *                       a failed system call.
 */
int errmsg_set(struct errmsg *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int errmsg_set_errno(struct errmsg *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append "; hint" to the recorded message (what the user can do about it). */
void errmsg_hint(struct errmsg *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Put "context: " before the recorded message: what the caller was doing
 * when a lower layer failed and named its own operation.
 */
void errmsg_prefix(struct errmsg *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void errmsg_clear(struct errmsg *e);

/*
 * Append item to buf, a ", "-separated list for a message or hint (the
 * devices of a group, say), NUL-terminated in len bytes. A list that
 * does not fit is cut; it stays terminated.
 */
void errmsg_list_add(char *buf, size_t len, const char *item);

#endif /* ERRMSG_H */
