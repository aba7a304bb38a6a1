// SPDX-License-Identifier: BSD-3-Clause
#include "fd_watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

/*
 * Block in poll(2) until the watched fd or quit_fd is readable. Once fd
 * has fired there is nothing more to watch: the flag stays up and the
 * thread waits only for quit, so it is joined the same way either way.
 */
static void *watch(void *arg)
{
	struct fd_watch *w = arg;
	struct pollfd pfd[2] = {
		{ .fd = w->quit_fd, .events = POLLIN },
		{ .fd = w->fd, .events = POLLIN },
	};
	nfds_t n = 2;

	for (;;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			/* Cannot watch: say so, the reader finds out. */
			__atomic_store_n(&w->fired, true, __ATOMIC_RELEASE);
			return NULL;
		}
		if (pfd[0].revents)
			return NULL;
		if (n == 2 && pfd[1].revents) {
			__atomic_store_n(&w->fired, true, __ATOMIC_RELEASE);
			n = 1;
		}
	}
}

int fd_watch_start(struct fd_watch *w, int fd)
{
	sigset_t all, old;
	int err;

	*w = (struct fd_watch){ .fd = fd };
	w->quit_fd = eventfd(0, EFD_CLOEXEC);
	if (w->quit_fd < 0)
		return -errno;
	/*
	 * Signals are the main thread's business: it must see SIGINT as
	 * EINTR in its own poll(2), not have this thread take it.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&w->thread, NULL, watch, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		close(w->quit_fd);
		w->quit_fd = -1;
		return -err;
	}
	w->running = true;
	return 0;
}

void fd_watch_stop(struct fd_watch *w)
{
	uint64_t one = 1;

	if (!w->running)
		return;
	/* An eventfd write of 1 cannot block or fail short of EBADF. */
	if (write(w->quit_fd, &one, sizeof(one)) != sizeof(one))
		pthread_cancel(w->thread);
	pthread_join(w->thread, NULL);
	close(w->quit_fd);
	w->quit_fd = -1;
	w->running = false;
}
