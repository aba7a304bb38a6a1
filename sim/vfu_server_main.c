// SPDX-License-Identifier: BSD-3-Clause
/*
 * revere-vfio-user-server: the simulated Revere-AMU PF (13b5:ff81) served
 * over vfio-user on a UNIX socket, to one client at a time: QEMU's
 * vfio-user-pci, which makes it a PCI device of a virtual machine, or any
 * other vfio-user client. See doc/revere-vfio-user-server.1.
 */
#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "version.h"
#include "vfu_server.h"

#define PROG	"revere-vfio-user-server"

/* A client gets this long to send the rest of a message or answer a DMA. */
#define DEFAULT_TIMEOUT_MS	5000

/*
 * With BAR0 shared, the server looks at it without pause while the device
 * worked within BUSY_NS, as a device's hardware does (and the simulated
 * device's thread of --sim: a driver that polls shared memory is as fast
 * as the device it polls); every SPIN_NS while it worked within IDLE_NS;
 * and every IDLE_NAP_NS after: software's store to a doorbell reaches
 * the model within that, and an idle server does not keep a core busy.
 * IDLE_NS is long beside a driver's pauses: a driver that sleeps on its
 * interrupts (or dozes, moderation.h) between messages measures the
 * device's pace, and a server that slept longer whenever the driver did
 * once ran a message every 5 ms at queue depth 1.
 */
#define BUSY_NS			200000ull
#define SPIN_NS			20000L
#define IDLE_NS			1000000000ull
#define IDLE_NAP_NS		1000000L

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

struct options {
	const char *socket;
	bool bar0_mmap;
	bool no_fds;
	bool once;
	bool trace;
	int timeout_ms;
	long latency_us;
	long reply_delay_us;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " --socket PATH [options]\n"
		"Serve the simulated Revere-AMU PF (13b5:ff81) over vfio-user.\n"
		"\n"
		"  -s, --socket PATH    listen on this UNIX socket (created; removed on exit)\n"
		"      --no-mmap        offer BAR0 by REGION_READ/WRITE only, no fd to map\n"
		"      --no-fds         take and give no file descriptors: BAR0 and DMA\n"
		"                       by message only, no interrupt eventfds\n"
		"      --once           exit when the first client leaves\n"
		"      --timeout MS     how long a client may take to answer (default %d)\n"
		"      --trace          print each management command and response\n"
		"      --latency-us US  act on each register write that long after it\n"
		"      --reply-delay-us US\n"
		"                       send each reply that long late\n"
		"  -v, --verbose        log every message\n"
		"  -h, --help           this text\n"
		"      --version        the version\n",
		DEFAULT_TIMEOUT_MS);
}

/* optarg as a number of unit from min to max; -1 after saying why not. */
static int number(const char *opt, const char *unit, long min, long max,
		  long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(optarg, &end, 10);
	if (errno || end == optarg || *end || v < min || v > max) {
		fprintf(stderr, PROG ": %s %s: not a number of %s from %ld to "
			"%ld\n", opt, optarg, unit, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "no-mmap", no_argument, NULL, 'M' },
		{ "no-fds", no_argument, NULL, 'F' },
		{ "once", no_argument, NULL, '1' },
		{ "timeout", required_argument, NULL, 't' },
		{ "trace", no_argument, NULL, 'T' },
		{ "latency-us", required_argument, NULL, 'L' },
		{ "reply-delay-us", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	*o = (struct options){ .bar0_mmap = true,
			       .timeout_ms = DEFAULT_TIMEOUT_MS };
	while ((c = getopt_long(argc, argv, "s:vh", longs, NULL)) != -1) {
		long v;

		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 'M':
			o->bar0_mmap = false;
			break;
		case 'F':
			o->no_fds = true;
			break;
		case '1':
			o->once = true;
			break;
		case 't':
			if (number("--timeout", "milliseconds", 1, 3600000, &v))
				return 2;
			o->timeout_ms = (int)v;
			break;
		case 'T':
			o->trace = true;
			break;
		case 'L':
			if (number("--latency-us", "microseconds", 0, 1000000, &v))
				return 2;
			o->latency_us = v;
			break;
		case 'R':
			if (number("--reply-delay-us", "microseconds", 0,
				   10000000, &v))
				return 2;
			o->reply_delay_us = v;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			version_print(stdout, PROG);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !o->socket) {
		fprintf(stderr, PROG ": %s; see `" PROG " --help`\n", optind < argc ?
			"unexpected arguments" : "--socket PATH is required");
		return 2;
	}
	return 0;
}

/*
 * A socket file left by a server that is gone is removed; one that a
 * live server answers on, or a file that is not a socket, is not.
 */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : errno;
	if (!S_ISSOCK(st.st_mode))
		return EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!r)
		return EADDRINUSE;
	return unlink(sa->sun_path) ? errno : 0;
}

static int listen_on(const char *path, int *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, PROG ": socket path %s is longer than %zu bytes; "
			"use a shorter one\n", path, sizeof(sa.sun_path) - 1);
		return 1;
	}
	strcpy(sa.sun_path, path);
	err = clear_stale(&sa);
	if (err) {
		fprintf(stderr, PROG ": cannot use %s: %s; %s\n", path,
			strerror(err), err == EADDRINUSE ?
			"another server is listening there: stop it or pick "
			"another path" : err == EEXIST ? "it is not a socket: "
			"pick another path" : "check the directory's permissions");
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4)) {
		fprintf(stderr, PROG ": cannot listen on %s: %s; check that its "
			"directory exists and is writable\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	*out = fd;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/*
 * Wait for the next thing to do: a message, a connection, a signal, or,
 * with BAR0 shared, the next look at it.
 */
static int wait_events(struct vfu_server *s, int lfd, uint64_t last_work,
		       const sigset_t *unblocked, struct pollfd *p)
{
	struct timespec nap = { 0 }, *timeout = NULL;

	p->fd = s->sock >= 0 ? s->sock : lfd;
	p->events = POLLIN;
	p->revents = 0;
	uint64_t now = now_ns(), due = vfu_dev_due_ns(&s->dev);

	if (vfu_server_pending(s)) {
		timeout = &nap;
	} else if (s->sock >= 0 && s->dev.bar_page) {
		nap.tv_nsec = now - last_work < BUSY_NS ? 0 :
			      now - last_work < IDLE_NS ? SPIN_NS : IDLE_NAP_NS;
		timeout = &nap;
	}
	/* Work held for a latency: wake when it falls due. */
	if (due && (!timeout || due <= now || due - now < (uint64_t)nap.tv_nsec)) {
		uint64_t left = due > now ? due - now : 0;

		nap.tv_sec = (time_t)(left / 1000000000u);
		nap.tv_nsec = (long)(left % 1000000000u);
		timeout = &nap;
	}
	return ppoll(p, 1, timeout, unblocked);
}

static void accept_client(struct vfu_server *s, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;		/* it went away again: wait for the next */
	if (s->verbose)
		fprintf(s->log, PROG ": a client connected\n");
	vfu_server_attach(s, fd);
}

/* Serve until a signal, or (once) until the first client leaves. */
static void serve(struct vfu_server *s, int lfd, bool once,
		  const sigset_t *unblocked)
{
	uint64_t last_work = 0;

	while (!stop_signal) {
		struct pollfd p;
		int n = wait_events(s, lfd, last_work, unblocked, &p);

		if (n < 0 && errno != EINTR)
			break;
		if (stop_signal)
			break;
		if (s->sock < 0) {
			if (n > 0)
				accept_client(s, lfd);
			continue;
		}
		if ((n > 0 && p.revents) || vfu_server_pending(s)) {
			if (vfu_server_service(s)) {
				vfu_server_detach(s, s->lost_why);
				if (once)
					return;
				continue;
			}
		}
		if (vfu_dev_poll(&s->dev))
			last_work = now_ns();
		if (s->dev.dma_failed) {
			vfu_server_detach(s, "a DMA by message to the client "
					  "failed");
			if (once)
				return;
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct vfu_server s;
	struct options o;
	sigset_t block, unblocked;
	int lfd, err;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Signals land only inside ppoll(): no message is cut in two. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &unblocked);

	/* No page to share where no fd can carry it, nor one to poll. */
	err = vfu_server_init(&s, o.bar0_mmap && !o.no_fds, o.timeout_ms,
			      o.verbose, stderr, o.trace ? stderr : NULL);
	s.dev.latency_ns = (uint64_t)o.latency_us * 1000u;
	if (err) {
		fprintf(stderr, PROG ": cannot set up the simulated device: %s; "
			"check the memory limits (ulimit -v, memfd)\n",
			strerror(err));
		return 1;
	}
	s.no_fds = o.no_fds;
	s.reply_delay_ns = (uint64_t)o.reply_delay_us * 1000u;
	if (listen_on(o.socket, &lfd)) {
		vfu_server_destroy(&s);
		return 1;
	}
	fprintf(stderr, PROG ": serving a simulated Revere-AMU PF (13b5:ff81) "
		"on %s, BAR0 %s%s\n", o.socket, o.bar0_mmap && !o.no_fds ?
		"mappable" : "by message only", o.no_fds ?
		", no file descriptors" : "");
	serve(&s, lfd, o.once, &unblocked);
	if (stop_signal)
		vfu_server_detach(&s, strsignal(stop_signal));
	vfu_server_destroy(&s);
	close(lfd);
	unlink(o.socket);
	return 0;
}
