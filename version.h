/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What --version prints, the same for every program of the project, as GNU
 * tools print it: name and version, copyright, licence (LICENSE's words).
 */
#ifndef VERSION_H
#define VERSION_H

#include <stdio.h>

void version_print(FILE *out, const char *prog);

#endif /* VERSION_H */
