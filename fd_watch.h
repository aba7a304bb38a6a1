/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A thread that waits for a file descriptor to become readable and raises
 * a flag, so that a loop which must not make system calls (the exchange
 * spinning on BAR0) notices the event with a memory load. The thread
 * never reads the descriptor: whoever sees the flag reads it, so the
 * event is consumed in one place, by the thread that acts on it.
 */
#ifndef FD_WATCH_H
#define FD_WATCH_H

#include <pthread.h>
#include <stdbool.h>

struct fd_watch {
	pthread_t thread;
	int quit_fd;		/* an eventfd: tells the thread to go */
	int fd;			/* watched, not owned */
	bool fired;		/* atomic: fd was readable */
	bool running;
};

/* Start watching fd (readable: fired). 0, or -errno with nothing left. */
int fd_watch_start(struct fd_watch *w, int fd);

/* Has fd been readable since the start? One load, no system call. */
static inline bool fd_watch_fired(const struct fd_watch *w)
{
	return __atomic_load_n(&w->fired, __ATOMIC_ACQUIRE);
}

/* Stop the thread and release what it used; a no-op if not running. */
void fd_watch_stop(struct fd_watch *w);

#endif /* FD_WATCH_H */
