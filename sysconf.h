/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The system's configuration files (/etc), under the same root as sysfs
 * (sysfs_root(): "/" or REVERE_SYSROOT), so tests write fake trees.
 */
#ifndef REVERE_SYSCONF_H
#define REVERE_SYSCONF_H

/*
 * Put line in the file at path (under the root): every line that begins
 * with key is dropped, line is added at the end, the rest is kept in its
 * order. The file is replaced whole (a new file renamed over it, mode
 * 0644), so a reader never sees half of it. 0, or -errno.
 */
int sysconf_put_line(const char *path, const char *key, const char *line);

#endif /* REVERE_SYSCONF_H */
