// SPDX-License-Identifier: BSD-3-Clause
#include "mock_fixture.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

void mock_fx_init(struct mock_fx *mx)
{
	*mx = (struct mock_fx){ .m = NULL };
	mock_vfio_default_config(&mx->cfg);
}

void mock_fx_start(struct mock_fx *mx)
{
	mx->m = mock_vfio_create(&mx->cfg);
	assert_non_null(mx->m);
}

void mock_fx_stop(struct mock_fx *mx)
{
	if (mx->m)
		mock_vfio_destroy(mx->m);
	mx->m = NULL;
}

int mock_fx_open(struct mock_fx *mx, const char *path)
{
	const struct vfio_ops *ops = mock_vfio_ops(mx->m);

	return ops->open(ops->ctx, path, O_RDWR | O_CLOEXEC);
}

int mock_fx_close(struct mock_fx *mx, int fd)
{
	const struct vfio_ops *ops = mock_vfio_ops(mx->m);

	return ops->close(ops->ctx, fd);
}

int mock_fx_ioctl(struct mock_fx *mx, int fd, unsigned long req, void *arg)
{
	const struct vfio_ops *ops = mock_vfio_ops(mx->m);

	return ops->ioctl(ops->ctx, fd, req, arg);
}

struct mock_vfio_counters mock_fx_counters(struct mock_fx *mx)
{
	struct mock_vfio_counters c;

	mock_vfio_counters(mx->m, &c);
	return c;
}

struct rv_model_summary mock_fx_summary(struct mock_fx *mx)
{
	struct rv_model_summary s;

	mock_vfio_device_summary(mx->m, &s);
	return s;
}

const char *mock_fx_destroy_captured(struct mock_vfio *m)
{
	static char out[1024];
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	mock_vfio_destroy(m);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

void *mock_fx_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

void mock_fx_bar_store(volatile uint64_t *regs, uint64_t off, uint64_t val)
{
	regs[off / 8] = val;
}

void mock_fx_dma_fill(void *buf, int byte, size_t len)
{
	memset(buf, byte, len);
}
