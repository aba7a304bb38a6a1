// SPDX-License-Identifier: BSD-3-Clause
/*
 * libFuzzer target: the two parsers of user input, REVERE_SIM
 * (mock_vfio_parse) and the command line (cmdline_parse).
 *
 * Input: byte 0 picks the parser (even: REVERE_SIM, odd: command line);
 * the rest is the REVERE_SIM string, or the arguments separated by NUL
 * bytes. Besides the sanitizers, the oracles are each parser's contract:
 * an error says what it is and leaves nothing half-done; a success gives
 * values in range.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "sysfs.h"
#include "mock_vfio.h"
#include "oracle.h"

#define MAX_ARGS	32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int ret, const struct errmsg *err, const char *what)
{
	if (ret != -EINVAL || err->err != EINVAL || !err->msg[0])
		oracle_fail("%s: error %d (errmsg %d '%s'): not -EINVAL with a message",
			     what, ret, err->err, err->msg);
}

/* A parsed REVERE_SIM must make a device or be refused by create. */
static void fuzz_sim(const char *spec)
{
	struct mock_vfio_config cfg, before;
	struct errmsg err = { .err = 0 };
	struct mock_vfio *m;
	int ret;

	mock_vfio_default_config(&cfg);
	before = cfg;
	ret = mock_vfio_parse(&cfg, spec, &err);
	if (ret) {
		check_error(ret, &err, "mock_vfio_parse");
		if (memcmp(&cfg, &before, sizeof(cfg)))
			oracle_fail("mock_vfio_parse failed but changed the config");
		return;
	}
	if (cfg.num_faults > MOCK_MAX_FAULTS)
		oracle_fail("mock_vfio_parse: %u faults", cfg.num_faults);
	if (memchr(cfg.device_name, '\0', sizeof(cfg.device_name)) == NULL)
		oracle_fail("mock_vfio_parse: device_name not terminated");
	cfg.report = false;	/* no output */
	m = mock_vfio_create(&cfg);
	if (!m && errno != EINVAL)
		oracle_fail("mock_vfio_create: %s", strerror(errno));
	mock_vfio_destroy(m);
}

/*
 * A device name as --device leaves it: normalised, so it parses again to
 * itself (a PCI address DDDD:BB:DD.F or an mdev UUID).
 */
static bool normalised(const char *name)
{
	char again[SYSFS_NAME_LEN];
	enum sysfs_bus bus;

	return !sysfs_name_parse(name, again, sizeof(again), &bus) &&
	       !strcmp(again, name);
}

static void check_cmdline(const struct cmdline *cl)
{
	if (cl->action != CMDLINE_RUN && cl->action != CMDLINE_CHECK)
		return;
	if (!cl->packets || !cl->timeout_ms ||
	    cl->timeout_ms > CMDLINE_MAX_TIMEOUT_MS)
		oracle_fail("cmdline_parse: packets %llu, timeout %u ms accepted",
			     (unsigned long long)cl->packets, cl->timeout_ms);
	/* --vfio-user alone: a socket, which is the device. */
	if (cl->vfio_user && (cl->sim || cl->vfio_group || cl->device ||
			      cl->iommu || !cl->vfio_user[0] ||
			      cl->target.kind != VFIO_TARGET_USER ||
			      strcmp(cl->target.path, cl->vfio_user)))
		oracle_fail("cmdline_parse: --vfio-user '%s' accepted with sim %d, group '%s', device '%s', iommu %d",
			    cl->vfio_user, cl->sim,
			    cl->vfio_group ? cl->vfio_group : "(none)",
			    cl->device ? cl->device : "(none)", (int)cl->iommu);
	if (cl->vfio_user)
		return;
	/* --sim alone; otherwise a device, the group optional (sysfs). */
	if (cl->sim ? cl->vfio_group || cl->device :
		      !cl->device || !normalised(cl->device) ||
		      (cl->vfio_group && !cl->vfio_group[0]))
		oracle_fail("cmdline_parse: sim %d with group '%s', device '%s' accepted",
			     cl->sim, cl->vfio_group ? cl->vfio_group : "(none)",
			     cl->device ? cl->device : "(none)");
}

/* args: NUL-separated arguments, NUL-terminated by the caller. */
static void fuzz_cmdline(char *args, size_t len)
{
	char *argv[MAX_ARGS + 2] = { "revere-vfio-demo" };
	struct errmsg err = { .err = 0 };
	struct cmdline cl;
	int argc = 1, ret;
	size_t i = 0;

	while (i < len && argc <= MAX_ARGS) {
		argv[argc++] = args + i;
		i += strlen(args + i) + 1;
	}
	argv[argc] = NULL;
	ret = cmdline_parse(&cl, argc, argv, &err);
	if (ret)
		check_error(ret, &err, "cmdline_parse");
	else
		check_cmdline(&cl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (!size)
		return -1;
	/* A copy with a terminating NUL: getopt may permute argv's strings. */
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1)
		fuzz_cmdline(text, size - 1);
	else
		fuzz_sim(text);
	free(text);
	return 0;
}
