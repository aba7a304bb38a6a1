// SPDX-License-Identifier: BSD-3-Clause
/* VFIO_USER_VERSION's capabilities as JSON: see vfio_user_caps.h. */
#include "vfio_user_caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vfio_user_proto.h"

/* Nesting a peer may use; the specification's own goes two deep. */
#define MAX_DEPTH	8

struct cursor {
	const char *p, *end;
};

void vfu_caps_default(struct vfu_caps *c)
{
	*c = (struct vfu_caps){
		.max_msg_fds = VFIO_USER_DEF_MAX_MSG_FDS,
		.max_data_xfer_size = VFIO_USER_DEF_MAX_XFER,
		.max_dma_maps = VFIO_USER_DEF_MAX_DMA_MAPS,
		.pgsizes = VFIO_USER_DEF_PGSIZES,
	};
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && strchr(" \t\r\n", *c->p) && *c->p)
		c->p++;
}

/* Take ch (after white space); false if it is not next. */
static bool take(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool take_word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	skip_ws(c);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return false;
	c->p += n;
	return true;
}

/* A string; its contents (escapes left as they are) in *s, *n. */
static bool string(struct cursor *c, const char **s, size_t *n)
{
	if (!take(c, '"'))
		return false;
	*s = c->p;
	while (c->p < c->end && *c->p != '"') {
		if ((unsigned char)*c->p < 0x20 || !*c->p)
			return false;
		if (*c->p == '\\' && ++c->p >= c->end)
			return false;
		c->p++;
	}
	if (c->p >= c->end)
		return false;
	*n = (size_t)(c->p - *s);
	c->p++;
	return true;
}

/* A non-negative integer up to max (the only numbers the names carry). */
static bool number(struct cursor *c, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	const char *start;

	skip_ws(c);
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned int d = (unsigned int)(*c->p++ - '0');

		if (x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return c->p > start;
}

static bool boolean(struct cursor *c, bool *v)
{
	*v = take_word(c, "true");
	return *v || take_word(c, "false");
}

static bool skip_value(struct cursor *c, int depth);

/*
 * An object: for each member, member() if given (which reads the value,
 * and returns false for a value it cannot take), else the value skipped.
 */
typedef bool member_fn(struct cursor *c, const char *name, size_t n,
		       void *arg, int depth);
static bool object(struct cursor *c, member_fn *member, void *arg, int depth)
{
	if (depth > MAX_DEPTH || !take(c, '{'))
		return false;
	if (take(c, '}'))
		return true;
	do {
		const char *name;
		size_t n;

		if (!string(c, &name, &n) || !take(c, ':'))
			return false;
		if (!(member ? member(c, name, n, arg, depth + 1) :
		      skip_value(c, depth + 1)))
			return false;
	} while (take(c, ','));
	return take(c, '}');
}

static bool skip_array(struct cursor *c, int depth)
{
	if (depth > MAX_DEPTH || !take(c, '['))
		return false;
	if (take(c, ']'))
		return true;
	do
		if (!skip_value(c, depth + 1))
			return false;
	while (take(c, ','));
	return take(c, ']');
}

static bool skip_value(struct cursor *c, int depth)
{
	const char *s;
	size_t n;
	uint64_t v;

	skip_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '{':
		return object(c, NULL, NULL, depth);
	case '[':
		return skip_array(c, depth);
	case '"':
		return string(c, &s, &n);
	case '-':
		c->p++;
		return number(c, UINT64_MAX, &v);
	case 't':
	case 'f':
		return take_word(c, "true") || take_word(c, "false");
	case 'n':
		return take_word(c, "null");
	default:
		return number(c, UINT64_MAX, &v);
	}
}

static bool is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(name, want, n);
}

static bool twin_member(struct cursor *c, const char *name, size_t n,
			void *arg, int depth)
{
	if (is(name, n, "supported"))
		return boolean(c, arg);
	return skip_value(c, depth);
}

/* A count from min, within 32 bits. */
static bool count(struct cursor *c, uint32_t min, uint32_t *out)
{
	uint64_t v;

	if (!number(c, UINT32_MAX, &v) || v < min)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool caps_member(struct cursor *c, const char *name, size_t n,
			void *arg, int depth)
{
	struct vfu_caps *caps = arg;

	/* 0 fds is a peer that takes none: everything by message. */
	if (is(name, n, "max_msg_fds"))
		return count(c, 0, &caps->max_msg_fds);
	if (is(name, n, "max_data_xfer_size"))
		return count(c, 1, &caps->max_data_xfer_size);
	if (is(name, n, "max_dma_maps"))
		return count(c, 1, &caps->max_dma_maps);
	if (is(name, n, "pgsizes"))
		return number(c, UINT64_MAX, &caps->pgsizes) && caps->pgsizes;
	if (is(name, n, "write_multiple"))
		return boolean(c, &caps->write_multiple);
	if (is(name, n, "twin_socket"))
		return object(c, twin_member, &caps->twin_socket, depth);
	return skip_value(c, depth);
}

static bool top_member(struct cursor *c, const char *name, size_t n,
		       void *arg, int depth)
{
	if (is(name, n, "capabilities"))
		return object(c, caps_member, arg, depth);
	return skip_value(c, depth);
}

int vfu_caps_parse(const char *data, size_t len, struct vfu_caps *caps)
{
	const char *nul = memchr(data, '\0', len);
	struct cursor c = { .p = data, .end = nul };

	if (!nul)
		return EINVAL;
	if (!object(&c, top_member, caps, 0))
		return EINVAL;
	skip_ws(&c);
	return c.p == c.end ? 0 : EINVAL;
}

size_t vfu_caps_format(const struct vfu_caps *c, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 "{\"capabilities\":{\"max_msg_fds\":%u,"
			 "\"max_data_xfer_size\":%u,\"max_dma_maps\":%u,"
			 "\"pgsizes\":%llu}}",
			 c->max_msg_fds, c->max_data_xfer_size, c->max_dma_maps,
			 (unsigned long long)c->pgsizes);

	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n + 1;
}
