/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output that could not be written is a failure, as coreutils' close_stdout
 * makes it: `revere-vfio-demo --help >/dev/full` must not exit 0.
 */
#ifndef CLOSEOUT_H
#define CLOSEOUT_H

/*
 * Call first thing in main(): at exit, stdout is flushed and closed, and a
 * write error on it is reported on stderr as
 *   "PROG: write error on standard output: REASON"
 * (without ": REASON" when an earlier flush failed and the reason is gone);
 * the exit status then becomes 1, whatever main() returned. An error on
 * stderr makes it 1 too, silently: there is nowhere left to say it
 * (stderr is flushed, not closed: the sanitizers' reports come later). A
 * stdout closed before the program started (>&-) is an error only if
 * something was written to it.
 */
void closeout_at_exit(const char *prog);

#endif /* CLOSEOUT_H */
