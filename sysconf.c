// SPDX-License-Identifier: BSD-3-Clause
/*
 * Lines put in the system's configuration files (sysconf.h).
 */
#include "config.h"

#include "sysconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

/* udev's rules files and limits.d's lines are short: more is not ours. */
#define SYSCONF_MAX	(64 * 1024)

static int rooted(char *buf, size_t len, const char *path)
{
	const char *root = sysfs_root();
	size_t n = strlen(root);
	int ret;

	while (n > 0 && root[n - 1] == '/')
		n--;
	ret = snprintf(buf, len, "%.*s%s", (int)n, root, path);
	return ret < 0 || (size_t)ret >= len ? -ENAMETOOLONG : 0;
}

/* The whole file into buf (NUL-terminated); "" when there is none. */
static int read_all(const char *full, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r = 0;
	int ret = 0, fd = open(full, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	if (r < 0)
		ret = -errno;
	else if (n == len - 1 && read(fd, &(char){ 0 }, 1) > 0)
		ret = -EFBIG;	/* not a file we wrote */
	close(fd);
	buf[n] = '\0';
	return ret;
}

/* old's lines but those beginning with key, then line, into out. */
static size_t merge(const char *old, const char *key, const char *line,
		    char *out)
{
	size_t n = 0, klen = strlen(key);

	while (*old) {
		size_t l = strcspn(old, "\n");

		if (strncmp(old, key, klen)) {
			memcpy(out + n, old, l);
			out[n + l] = '\n';
			n += l + 1;
		}
		old += l + (old[l] == '\n');
	}
	n += (size_t)sprintf(out + n, "%s\n", line);
	return n;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return fsync(fd) < 0 ? -errno : 0;
}

/* out as the file full: a new file beside it, renamed over it. */
static int replace(const char *full, const char *out, size_t len)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", full) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = fchmod(fd, 0644) < 0 ? -errno : write_all(fd, out, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, full) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int sysconf_put_line(const char *path, const char *key, const char *line)
{
	char full[PATH_MAX];
	char *old, *out;
	int ret = rooted(full, sizeof(full), path);

	if (ret)
		return ret;
	old = malloc(SYSCONF_MAX);
	out = malloc(SYSCONF_MAX + strlen(line) + 2);
	if (!old || !out) {
		ret = -ENOMEM;
	} else {
		ret = read_all(full, old, SYSCONF_MAX);
		if (!ret)
			ret = replace(full, out, merge(old, key, line, out));
	}
	free(old);
	free(out);
	return ret;
}
