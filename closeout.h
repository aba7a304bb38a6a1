/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output that could not be written is a failure, as coreutils' close_stdout
 * makes it: `revere-vfio-demo --help >/dev/full` must not exit 0.
 */
#ifndef CLOSEOUT_H
#define CLOSEOUT_H

#include <stdio.h>

/*
 * Call first thing in main(): at exit, stdout is flushed and closed, and a
 * write error on it is reported on stderr as
 *   "PROG: write error on standard output: REASON"
 * (REASON that of the first failed write: closeout_flush() keeps it);
 * the exit status then becomes 1, whatever main() returned. An error on
 * stderr makes it 1 too, silently: there is nowhere left to say it
 * (stderr is flushed, not closed: the sanitizers' reports come later). A
 * stdout closed before the program started (>&-) is an error only if
 * something was written to it.
 */
void closeout_at_exit(const char *prog);

/*
 * fflush(f), keeping the reason of stdout's first failure for the message
 * at exit (a failed flush drops the buffer, and errno is overwritten).
 */
int closeout_flush(FILE *f);

#endif /* CLOSEOUT_H */
