// SPDX-License-Identifier: BSD-3-Clause
/*
 * revere-vfio-demo: drive a Revere-AMU inversion accelerator from user
 * space through VFIO, in the five steps of the README:
 *   1. allocate the I/O buffers shared with the device;
 *   2. open the device with VFIO, map the buffers into its IOVA space,
 *      map BAR0 and turn on bus mastering;
 *   3. set up the Revere management interface, then through it the AMI-SW,
 *      the AMI-HWs of the accelerator and the sessions between them;
 *   4. exchange messages with the accelerator and check they come back
 *      inverted;
 *   5. tear everything down.
 * With --sim the same code runs on a simulated Revere-AMU behind a mock
 * VFIO kernel (sim/sim.h).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "closeout.h"
#include "cmdline.h"
#include "listing.h"
#include "preflight.h"
#include "revere_dev.h"
#include "revere_wait.h"
#include "sim.h"
#include "version.h"
#include "vfio.h"
#include "vfio_iommu.h"
#include "vfio_user_probe.h"

#define PROG		"revere-vfio-demo"
#define EXIT_USAGE	2
/* The progress line on a terminal is redrawn about this often. */
#define PROGRESS_NS	1000000000ull

_Static_assert(CMDLINE_MAX_QUEUE_DEPTH == REVERE_RING_SLOTS,
	       "--queue-depth goes up to the ring size");

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SIGINT and SIGTERM ask the run to stop; teardown still happens. */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A progress line is on the terminal, to be erased before anything else. */
static bool progress_shown;

static void progress_clear(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stdout);
	closeout_flush(stdout);
	progress_shown = false;
}

/* Redrawn in place: only ever called when stdout is a terminal. */
static void progress_line(void *arg, uint64_t verified, uint64_t elapsed_ns)
{
	const struct cmdline *cl = arg;
	double secs = (double)elapsed_ns / 1e9;

	printf("\rstep 4: %llu of %llu messages, %.1f s, %.0f messages/s\033[K",
	       (unsigned long long)verified, (unsigned long long)cl->packets,
	       secs, secs > 0 ? (double)verified / secs : 0.0);
	closeout_flush(stdout);
	progress_shown = true;
}

static void log_line(void *arg, enum revere_log level, const char *fmt, ...)
{
	const struct cmdline *cl = arg;
	/* With --json stdout holds the summary alone. */
	FILE *out = cl->json ? stderr : stdout;
	va_list ap;

	progress_clear();

	switch (level) {
	case REVERE_LOG_STEP:
		if (cl->verbosity < CMDLINE_NORMAL)
			return;
		break;
	case REVERE_LOG_INFO:
		if (cl->verbosity < CMDLINE_VERBOSE)
			return;
		break;
	case REVERE_LOG_WARN:
		out = stderr;
		fputs(PROG ": ", out);
		break;
	case REVERE_LOG_TRACE:
		out = stderr;
		break;
	}
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	closeout_flush(out);
}

/*
 * --sim: build the simulated device, configured from REVERE_SIM (tests use
 * it to make the device misbehave), and point the target at it.
 */
_Static_assert(PREFLIGHT_GROUP_LEN <= VFIO_TARGET_PATH_LEN,
	       "the pre-flight's group file fits the target");

static struct revere_sim *start_sim(struct cmdline *cl, struct errmsg *err)
{
	/*
	 * The mock kernel offers both interfaces. auto means type1 here, the
	 * one every kernel with VFIO has (Debian 12's has no iommufd), so
	 * that a plain --sim run is the run most users will make.
	 */
	cl->target.kind = cl->iommu == VFIO_IOMMU_IOMMUFD ? VFIO_TARGET_CDEV :
							    VFIO_TARGET_GROUP;
	return revere_sim_start(getenv("REVERE_SIM"), &cl->target, err);
}

/*
 * RLIMIT_MEMLOCK's soft limit in bytes, UINT64_MAX when unlimited; one we
 * cannot read counts as none, so that the pre-flight does not refuse.
 */
static uint64_t memlock_limit(void)
{
	uint64_t bytes;

	return vfio_memlock_limit(&bytes) < 0 ? UINT64_MAX : bytes;
}

/* --check: the iommufd path's files beside the group file. */
static void check_iommufd_files(const struct preflight *pf)
{
	char cdev[SYSFS_ESC_LEN + 256], iofd[256];

	preflight_cdev_state(&pf->dev, cdev, sizeof(cdev));
	preflight_iommufd_state(iofd, sizeof(iofd));
	printf("%s: %s; %s\n", pf->device, cdev, iofd);
}

/* --check's verdict: the device, its driver, the interface, the limit. */
static void print_ready(const struct preflight *pf)
{
	char lim[32], via[PREFLIGHT_GROUP_LEN + 96];

	preflight_kib(pf->memlock, lim, sizeof(lim));
	if (pf->iommufd)
		snprintf(via, sizeof(via),
			 "IOMMU group %d, iommufd (%s and " SYSFS_IOMMUFD_FILE ", this user can open them)",
			 pf->dev.group, pf->cdev_file);
	else
		snprintf(via, sizeof(via),
			 "IOMMU group %d (%s, this user can open it)",
			 pf->dev.group, pf->group_file);
	printf("%s: ready: %s%s, driver %s, %s, locked-memory limit %s for %zu KiB\n",
	       pf->device, pf->bus == SYSFS_MDEV ? "mdev " : "Revere-AMU PF",
	       pf->bus == SYSFS_MDEV ? SYSFS_ESC(pf->dev.mdev_type) : "",
	       pf->dev.driver[0] ? SYSFS_ESC(pf->dev.driver) : "none",
	       via, lim, (revere_buffer_size() + 1023) >> 10);
	check_iommufd_files(pf);
}

/*
 * Before any VFIO call: what sysfs says about the device, and the file
 * to open it by (its group file, or its device file for iommufd) when
 * --vfio-group did not name one. --check stops here.
 */
static int preflight(struct cmdline *cl, struct preflight *pf)
{
	struct errmsg err = { .err = 0 };

	*pf = (struct preflight){
		.device = cl->device,
		.bus = cl->bus,
		.group_override = cl->vfio_group,
		.iommu = cl->iommu,
		.need = revere_buffer_size(),
		.memlock = memlock_limit(),
	};
	if (preflight_run(pf, &err)) {
		fprintf(stderr, PROG ": %s\n", err.msg);
		return EXIT_FAILURE;
	}
	/* The pre-flight found the file (or checked --vfio-group's). */
	cl->target.kind = pf->iommufd ? VFIO_TARGET_CDEV : VFIO_TARGET_GROUP;
	vfio_target_set_path(&cl->target,
			     pf->iommufd ? pf->cdev_file : pf->group_file);
	if (cl->action == CMDLINE_CHECK)
		print_ready(pf);
	return EXIT_SUCCESS;
}

/*
 * --check --vfio-user: the socket answers, and serves a Revere PF. 0, or
 * 1 after saying why not. --list prints the same line, or why it could
 * not, and is not failed by it.
 */
static int check_vfio_user(const struct cmdline *cl, FILE *out, bool listing)
{
	struct errmsg err = { .err = 0 };
	struct vfio_user_probe p;
	const char *path = cl->vfio_user;

	if (vfio_user_probe(path, (int)cl->timeout_ms, &p, &err)) {
		if (listing)
			fprintf(out, "vfio-user %s: cannot be used: %s\n", path,
				err.msg);
		else
			fprintf(stderr, PROG ": --check: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	if (p.vendor != RV_PCI_VENDOR_ARM || p.device != RV_PCI_DEVICE_PF) {
		if (!listing) {
			fprintf(stderr, PROG ": --check: %s serves PCI device %04x:%04x, not a Revere-AMU PF (%04x:%04x); point --vfio-user at the Revere-AMU model's socket\n",
				path, p.vendor, p.device, RV_PCI_VENDOR_ARM,
				RV_PCI_DEVICE_PF);
			return EXIT_FAILURE;
		}
	}
	fprintf(out, "vfio-user %s: %s%04x:%04x, BAR0 %llu KiB %s, %d MSI-X vector%s on eventfds%s\n",
		path, listing ? "" : "ready: ",
		p.vendor, p.device, (unsigned long long)(p.bar0_size >> 10),
		p.bar0_mmap ? "mmap'd" : "by message", p.msix,
		p.msix == 1 ? "" : "s",
		p.vendor == RV_PCI_VENDOR_ARM && p.device == RV_PCI_DEVICE_PF ?
		" (Revere-AMU PF)" : " (not a Revere-AMU PF)");
	if (cl->verbosity >= CMDLINE_VERBOSE)
		fprintf(out, "vfio-user %s: %s\n", path, p.context);
	return EXIT_SUCCESS;
}

/* --list; a write error on stdout is closeout's to report. */
static int list_devices(const struct cmdline *cl)
{
	struct errmsg err = { .err = 0 };

	if (listing_print(stdout, revere_buffer_size(), memlock_limit(), &err)) {
		if (err.err)
			fprintf(stderr, PROG ": --list: %s\n", err.msg);
		return EXIT_FAILURE;
	}
	if (cl->vfio_user)
		check_vfio_user(cl, stdout, true);
	return EXIT_SUCCESS;
}

static int parse_args(struct cmdline *cl, int argc, char *argv[])
{
	struct errmsg err = { .err = 0 };

	if (cmdline_parse(cl, argc, argv, &err)) {
		fprintf(stderr, PROG ": %s; see `" PROG " --help`\n", err.msg);
		return EXIT_USAGE;
	}
	if (cl->action == CMDLINE_HELP)
		cmdline_usage(stdout, PROG);
	else if (cl->action == CMDLINE_VERSION)
		version_print(stdout, PROG);
	return EXIT_SUCCESS;
}

/* The five steps; *td is teardown's result, the return value the run's. */
static int run(struct revere_dev *rd, const struct cmdline *cl, int *td)
{
	int ret;

	ret = revere_alloc_buffers(rd);					/* 1 */
	if (!ret)
		ret = revere_open_device(rd, &cl->target);		/* 2 */
	if (!ret)
		ret = revere_setup(rd);					/* 3 */
	if (!ret)
		ret = revere_exchange(rd);				/* 4 */
	/* The progress line goes before anything else is printed. */
	progress_clear();
	/* A stop is reported by main() once the device is released. */
	if (ret && !(ret == -EINTR && (stop_signal || vfio_req_fired(rd->vfio))))
		fprintf(stderr, PROG ": %s\n", rd->err->msg);
	*td = revere_teardown(rd);					/* 5 */
	return ret;
}

/*
 * --json: the summary, one object on one line. Numbers and fixed strings
 * only: nothing in it needs escaping.
 */
static void print_json(const struct revere_dev *rd, const struct cmdline *cl)
{
	const struct revere_figures *f = &rd->fig;
	double secs = (double)f->elapsed_ns / 1e9;

	printf("{\"messages\": %llu, \"message_bytes\": %u, \"loopback\": %s, "
	       "\"elapsed_ns\": %llu, \"messages_per_s\": %.1f, \"bytes_per_s\": %.1f, "
	       "\"driver_cpu_ns\": %llu, "
	       "\"latency_ns\": {\"mean\": %llu, \"p50\": %llu, \"p99\": %llu, \"max\": %llu}, "
	       "\"wait\": \"%s\", \"bar0\": \"%s\", \"iommu\": \"%s\", \"queue_depth\": %u, \"interrupts\": %llu, \"dozes\": %llu}\n",
	       (unsigned long long)rd->verified, rd->msg_size,
	       cl->loopback ? "true" : "false",
	       (unsigned long long)f->elapsed_ns,
	       (double)rd->verified / secs,
	       (double)rd->verified * rd->msg_size / secs,
	       (unsigned long long)f->cpu_ns,
	       (unsigned long long)(f->lat_count ? f->lat_sum_ns / f->lat_count : 0),
	       (unsigned long long)revere_latency_quantile(f, 50, 100),
	       (unsigned long long)revere_latency_quantile(f, 99, 100),
	       (unsigned long long)f->lat_max_ns,
	       revere_wait_name(rd->wait), f->bar0_mmap ? "mmap" : "rw",
	       vfio_target_backend(&cl->target),
	       cl->queue_depth, (unsigned long long)f->interrupts,
	       (unsigned long long)f->dozes);
}

/* ", in 1.234 s (5678 messages/s)" for a stop during the exchange. */
static const char *stop_figures(const struct revere_dev *rd, char *buf,
				size_t len)
{
	double secs = (double)rd->fig.elapsed_ns / 1e9;

	if (!rd->fig.started || !rd->fig.elapsed_ns)
		return "";
	snprintf(buf, len, " in %.3f s (%.0f messages/s)", secs,
		 (double)rd->verified / secs);
	return buf;
}

int main(int argc, char *argv[])
{
	struct cmdline cl;
	struct revere_opts opts;
	struct vfio_dev vfio;
	struct revere_dev rd;
	struct revere_sim *sim = NULL;
	struct errmsg err = { .err = 0 };
	struct preflight pf;
	char figs[64];
	int ret, td;

	closeout_at_exit(PROG);
	ret = parse_args(&cl, argc, argv);
	if (ret || cl.action == CMDLINE_HELP || cl.action == CMDLINE_VERSION)
		return ret;
	if (cl.action == CMDLINE_LIST)
		return list_devices(&cl);
	if (cl.vfio_user && cl.action == CMDLINE_CHECK)
		return check_vfio_user(&cl, stdout, false);
	/*
	 * With --sim the mock is the device, with --vfio-user a process:
	 * no sysfs, no kernel interface to check.
	 */
	if (!cl.sim && !cl.vfio_user) {
		ret = preflight(&cl, &pf);
		if (ret || cl.action == CMDLINE_CHECK)
			return ret;
	}
	catch_signals();
	if (cl.sim && !(sim = start_sim(&cl, &err))) {
		fprintf(stderr, PROG ": --sim: %s\n", err.msg);
		return err.err == EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	}
	opts = (struct revere_opts){
		.packets = cl.packets,
		.queue_depth = cl.queue_depth,
		.timeout_ms = cl.timeout_ms,
		/* The two enums list the modes in the same order. */
		.wait = (enum revere_wait_mode)cl.wait,
		.spin_us = cl.spin_us,
		.loopback = cl.loopback,
		.bar0_rw = cl.no_mmap,
		.trace = cl.trace,
		.simulated = cl.sim,
		.stop = &stop_signal,
		.log = log_line,
		.log_arg = &cl,
	};
	/* A progress line on a terminal only, for a person to watch. */
	if (!cl.json && cl.verbosity >= CMDLINE_NORMAL && isatty(STDOUT_FILENO)) {
		opts.progress = progress_line;
		opts.progress_ns = PROGRESS_NS;
	}
	vfio_init(&vfio, sim ? revere_sim_ops(sim) : &vfio_linux_ops,
		  vfio_iommu_backend(vfio_target_backend(&cl.target)));
	vfio_set_reply_timeout(&vfio, (int)cl.timeout_ms);
	revere_init(&rd, &vfio, &opts);
	ret = run(&rd, &cl, &td);
	revere_sim_stop(sim);
	/*
	 * 128+N only when the stop was clean: a device that could not be
	 * quiesced is a failure, signal or not.
	 */
	if (ret == -EINTR && stop_signal) {
		fprintf(stderr, PROG ": interrupted by signal %d (%s) after %llu of %llu messages%s%s\n",
			stop_signal, strsignal(stop_signal),
			(unsigned long long)rd.verified,
			(unsigned long long)cl.packets,
			stop_figures(&rd, figs, sizeof(figs)),
			td ? "; teardown failed (see above)" : "");
		return td ? EXIT_FAILURE : 128 + stop_signal;
	}
	if (ret == -EINTR && vfio_req_fired(&vfio)) {
		fprintf(stderr, PROG ": the kernel asked for %s back (VFIO device request): stopped after %llu of %llu messages and released it%s\n",
			vfio_device_name(&vfio), (unsigned long long)rd.verified,
			(unsigned long long)cl.packets,
			td ? "; teardown failed (see above)" : "");
		return EXIT_FAILURE;
	}
	if (ret || td)
		return EXIT_FAILURE;
	if (cl.json)
		print_json(&rd, &cl);
	return EXIT_SUCCESS;
}
