/* SPDX-License-Identifier: BSD-3-Clause */
/* How the fuzz targets' oracles fail: loudly, as a crash libFuzzer keeps. */
#ifndef FUZZ_ORACLE_H
#define FUZZ_ORACLE_H

/* One line on stderr, then abort(): the fuzzer saves the input. */
void oracle_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* The file descriptors this process has open: none may leak. */
int oracle_open_fds(void);

#endif /* FUZZ_ORACLE_H */
