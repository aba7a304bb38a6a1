// SPDX-License-Identifier: BSD-3-Clause
/*
 * The lines that keep --user's access after a reboot (bind_rules.h). udev
 * makes /dev/vfio/N and /dev/vfio/devices/vfioN root's again at every
 * bind, and limits are read at login: a chown alone lasts until then.
 */
#include "config.h"

#include "bind_rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sysconf.h"

#define RULE_LEN	256

struct rule {
	const char *file;
	char key[RULE_LEN + 1];	/* what a line for the same thing begins with */
	char line[2 * RULE_LEN];
};

/*
 * A udev rule giving the device node match selects to the user. The
 * group file is matched by its number, which is the group's; the device
 * file by its PCI parent (KERNELS), because vfioN numbers follow the
 * order of the binds (Documentation/driver-api/vfio.rst, "VFIO device
 * cdev").
 */
static void udev_rule(struct rule *r, const char *match, const char *user)
{
	r->file = BIND_RULES_FILE;
	snprintf(r->key, sizeof(r->key), "%s,", match);
	snprintf(r->line, sizeof(r->line), "%s OWNER=\"%s\", MODE=\"0600\"",
		 r->key, user);
}

/* The rules for d and user, in the order they are told. */
static int rules_of(const struct bind_opts *o, const struct sysfs_dev *d,
		    struct rule *r)
{
	uint64_t kib = (o->memlock_need + 1023) >> 10;
	char match[RULE_LEN];
	int n = 0;

	snprintf(match, sizeof(match), "SUBSYSTEM==\"vfio\", KERNEL==\"%d\"",
		 d->group);
	udev_rule(&r[n++], match, o->user);
	if (d->cdev[0]) {
		snprintf(match, sizeof(match),
			 "SUBSYSTEM==\"vfio-dev\", KERNELS==\"%s\"", d->name);
		udev_rule(&r[n++], match, o->user);
		udev_rule(&r[n++], "SUBSYSTEM==\"misc\", KERNEL==\"iommu\"",
			  o->user);
	}
	r[n].file = BIND_LIMITS_FILE;
	snprintf(r[n].key, sizeof(r[n].key), "%s - memlock ", o->user);
	snprintf(r[n].line, sizeof(r[n].line), "%s%" PRIu64, r[n].key, kib);
	return n + 1;
}

static int install(const struct bind_opts *o, const struct bind_out *out,
		   const char *bdf, const struct rule *r, struct errmsg *e)
{
	int ret = o->dry_run ? 0 : sysconf_put_line(r->file, r->key, r->line);

	if (ret) {
		errmsg_set_errno(e, -ret, "%s: writing %s", bdf, r->file);
		if (ret == -ENOENT)
			errmsg_hint(e, "its directory is missing: the udev and libpam-modules packages make them");
		else if (ret == -EACCES || ret == -EPERM)
			errmsg_hint(e, "run it as root: `sudo %s`", o->again);
		return ret;
	}
	out->say(out->arg, "%s%s: %s <- %s", o->dry_run ? "dry run: " : "",
		 bdf, r->file, r->line);
	return 0;
}

int bind_rules(const struct bind_opts *o, const struct bind_out *out,
	       const struct sysfs_dev *d, struct errmsg *e)
{
	struct rule r[4];
	int n = rules_of(o, d, r), ret;

	for (int i = 0; i < n; i++) {
		if (o->install_rules) {
			if ((ret = install(o, out, d->name, &r[i], e)))
				return ret;
			continue;
		}
		out->say(out->arg, "%s: %s in %s: %s", d->name,
			 i ? "and" : "to keep it after a reboot,", r[i].file,
			 r[i].line);
	}
	if (!o->install_rules)
		out->say(out->arg, "%s: `%s --install-rules` writes them",
			 d->name, o->again);
	out->say(out->arg, "%s: and the binding itself: `driverctl set-override %s %s`",
		 d->name, d->name, BIND_DRIVER);
	return 0;
}
