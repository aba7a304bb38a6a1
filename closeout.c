// SPDX-License-Identifier: BSD-3-Clause
#include "config.h"

#include "closeout.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *closeout_prog;
/* Why a flush of stdout failed: once the buffer is gone, so is errno. */
static int stdout_errno;

/*
 * 0, or EOF with errno the reason (0 when only an earlier write failed),
 * as gnulib's close_stream.
 */
static int close_stream(FILE *f)
{
	bool pending = __fpending(f) != 0;
	bool failed = ferror(f) != 0;
	bool close_failed = fclose(f) != 0;

	if (failed || (close_failed && (pending || errno != EBADF))) {
		if (!close_failed)
			errno = 0;
		return EOF;
	}
	return 0;
}

static void close_stdout(void)
{
	if (close_stream(stdout)) {
		int err = errno ? errno : stdout_errno;

		fprintf(stderr, "%s: write error on standard output%s%s\n",
			closeout_prog, err ? ": " : "", err ? strerror(err) : "");
		_exit(EXIT_FAILURE);
	}
	/*
	 * Flushed and checked, not closed: the sanitizers' and valgrind's
	 * reports still come after this handler.
	 */
	if (fflush(stderr) || ferror(stderr))
		_exit(EXIT_FAILURE);
}

void closeout_at_exit(const char *prog)
{
	closeout_prog = prog;
	atexit(close_stdout);
}

int closeout_flush(FILE *f)
{
	if (!fflush(f))
		return 0;
	if (f == stdout && !stdout_errno)
		stdout_errno = errno;
	return EOF;
}
