// SPDX-License-Identifier: BSD-3-Clause
#include "revere_hw.h"

#include <errno.h>

int rv_ring_update(struct rv_ring *r, bool dev_is_producer, uint64_t index)
{
	uint64_t prod = dev_is_producer ? index : r->prod;
	uint64_t cons = dev_is_producer ? r->cons : index;
	uint64_t old = dev_is_producer ? r->prod : r->cons;

	/* Moving backwards: more than 2^63 behind is not a wrap, it's a lie. */
	if ((int64_t)(index - old) < 0)
		return -EIO;
	/* Unsigned difference: a consumer past the producer is huge too. */
	if (prod - cons > rv_ring_size(r))
		return -EIO;
	if (dev_is_producer)
		r->prod = index;
	else
		r->cons = index;
	return 0;
}
