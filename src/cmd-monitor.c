// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl monitor: module events as they happen, one line each. Loads and
 * unloads come from kernel uevents (and udev's copies when udevd runs);
 * lock changes from an inotify watch on the registry. Every line is flushed
 * at once so the stream works through pipes.
 */
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <sys/inotify.h>
#include <time.h>

#include "registry.h"
#include "log.h"
#include "cmd-monitor.h"
#include "strv.h"
#include "sysfs.h"
#include "lockpin.h"
#include "uevent.h"
#include "wait.h"

static const struct argp_option monitor_options[] = {
	{ "json", 'J', NULL, 0, "print one JSON object per line", 0 },
	{ 0 }
};

static error_t monitor_parse(int key, char *arg, struct argp_state *state)
{
	struct monitor_args *a = state->input;

	switch (key) {
	case 'J':
		a->json = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "monitor takes no arguments");
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child monitor_children[] = {
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp monitor_argp = {
	.options = monitor_options,
	.parser = monitor_parse,
	.doc = "Print module events as they happen, until interrupted.\v"
	       "Events: loaded and unloaded (from the kernel's uevents; udev's copies too when udevd "
	       "runs), locked, unlocked and lockdown-all (from modctl's registry), stale-pin (a module removed by "
	       "force while the kernel held its lock). Loaded events carry "
	       "the module's refcnt and holders at that moment. SIGINT and SIGTERM end it with exit "
	       "status 130 and 143; a closed output pipe ends it with 0.",
	.children = monitor_children,
};

struct event {
	const char *source;   /* kernel, udev, modctl */
	const char *event;
	const char *module;   /* may be NULL */
	bool with_state;
	struct module_probe probe;
};

static int print_event(const struct monitor_args *a, struct event *e)
{
	char stamp[64], zone[8];
	struct timespec ts;
	struct tm tm;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%06ld%.3s:%s",
		 ts.tv_nsec / 1000, zone, zone + 3);

	if (a->json) {
		printf("{\"time\":\"%s\",\"source\":\"%s\",\"event\":", stamp, e->source);
		json_put_string(stdout, e->event);
		fputs(",\"module\":", stdout);
		if (e->module)
			json_put_string(stdout, e->module);
		else
			fputs("null", stdout);
		if (e->with_state && e->probe.present) {
			if (e->probe.has_refcnt)
				printf(",\"refcnt\":%ld", e->probe.refcnt);
			else
				fputs(",\"refcnt\":null", stdout);
			fputs(",\"holders\":[", stdout);
			for (i = 0; i < e->probe.n_holders; i++) {
				if (i)
					fputc(',', stdout);
				json_put_string(stdout, e->probe.holders[i]);
			}
			fputc(']', stdout);
		}
		fputs("}\n", stdout);
	} else {
		printf("%s %-6s %-9s %s", stamp, e->source, e->event, e->module ? e->module : "-");
		if (e->with_state && e->probe.present) {
			_cleanup_free_ char *h = strv_join(e->probe.holders, ",");

			if (e->probe.has_refcnt)
				printf(" refcnt=%ld", e->probe.refcnt);
			printf(" holders=%s", h && *h ? h : "-");
		}
		fputc('\n', stdout);
	}
	/* A reader that went away (monitor | head) ends the monitor. */
	if (fflush(stdout) != 0 || ferror(stdout))
		return -EPIPE;
	return 0;
}

static int on_uevent(const struct monitor_args *a, struct uevent_mon *mon, enum uevent_source s)
{
	struct module_uevent ev;

	while (uevent_receive(mon, s, &ev) > 0) {
		struct event e = { .source = uevent_source_name(s), .module = ev.name };
		int r;

		if (streq(ev.action, "add")) {
			e.event = "loaded";
			e.with_state = true;
			(void)sysfs_module_probe(ev.name, &e.probe);
		} else if (streq(ev.action, "remove")) {
			e.event = "unloaded";
		} else {
			e.event = ev.action;
		}
		r = print_event(a, &e);
		module_probe_free(&e.probe);
		if (r < 0)
			return r;
		/* A pin still there when its module is gone: the module was
		 * forced out under a kernel-enforced lock (modctl releases its
		 * own pin before it forces). Said once, for the kernel's event. */
		if (s == UEVENT_KERNEL && streq(ev.action, "remove") && lockpin_exists(ev.name)) {
			struct event st = { .source = "modctl", .event = "stale-pin", .module = ev.name };

			r = print_event(a, &st);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* --- the registry --------------------------------------------------------- */

struct regwatch {
	int fd;
	int wd;
	bool on_dir;          /* watching the registry dir (else its parent) */
	struct registry reg;
};

static void regwatch_arm(struct regwatch *rw)
{
	if (rw->wd >= 0)
		inotify_rm_watch(rw->fd, rw->wd);
	rw->wd = inotify_add_watch(rw->fd, REGISTRY_DIR, IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_DELETE_SELF);
	rw->on_dir = rw->wd >= 0;
	if (!rw->on_dir)
		rw->wd = inotify_add_watch(rw->fd, RUNSTATEDIR, IN_CREATE | IN_MOVED_TO);
}

static int on_registry(const struct monitor_args *a, struct regwatch *rw)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct registry now;
	bool changed = false;
	ssize_t n;
	size_t i;
	int r = 0;

	while ((n = read(rw->fd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + n;) {
			struct inotify_event *ie = (struct inotify_event *)p;

			if (!rw->on_dir || (ie->len && streq(ie->name, "locks")) || (ie->mask & IN_DELETE_SELF))
				changed = true;
			p += sizeof(*ie) + ie->len;
		}
	}
	if (!changed)
		return 0;
	if (!rw->on_dir || access(REGISTRY_DIR, F_OK) < 0)
		regwatch_arm(rw);
	if (registry_load(&now) < 0)
		return 0; /* reported; keep watching */

	for (i = 0; i < now.n && r == 0; i++)
		if (!registry_is_locked(&rw->reg, now.locks[i])) {
			struct event e = { .source = "modctl", .event = "locked", .module = now.locks[i] };

			r = print_event(a, &e);
		}
	for (i = 0; i < rw->reg.n && r == 0; i++)
		if (!registry_is_locked(&now, rw->reg.locks[i])) {
			struct event e = { .source = "modctl", .event = "unlocked", .module = rw->reg.locks[i] };

			r = print_event(a, &e);
		}
	if (r == 0 && now.lock_all != rw->reg.lock_all) {
		struct event e = { .source = "modctl", .event = now.lock_all ? "lockdown-all-on" : "lockdown-all-off" };

		r = print_event(a, &e);
	}
	registry_free(&rw->reg);
	rw->reg = now;
	return r;
}

static enum exit_code monitor_parse_args(struct invocation *inv, int argc, char *argv[])
{
	return command_parse(inv, &monitor_argp, argc, argv, inv->args);
}

static enum exit_code monitor_run(struct invocation *inv)
{
	const struct monitor_args *a = inv->args;
	struct regwatch rw = { .fd = -1, .wd = -1 };
	struct uevent_mon mon = { 0 };
	struct waiter w;
	enum exit_code code = EXIT_OK;
	int r;

	/* The stream is meant for pipes: never die of SIGPIPE half-way through a line. */
	signal(SIGPIPE, SIG_IGN);

	if (uevent_open(&mon, true) < 0)
		return EXIT_FAIL;
	rw.fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (rw.fd >= 0) {
		regwatch_arm(&rw);
		if (registry_load(&rw.reg) < 0)
			log_warning("lock changes are shown relative to an empty registry");
	} else {
		log_warning("cannot watch the lockdown registry: %m");
	}
	if (waiter_init(&w, DURATION_INFINITY, BACKOFF_DEFAULT_MAX_USEC) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	log_info("monitoring module events; interrupt to stop");
	for (;;) {
		struct pollfd pfd[5] = {
			{ .fd = waiter_signal_fd(&w), .events = POLLIN },
			{ .fd = uevent_fd(&mon, UEVENT_KERNEL), .events = POLLIN },
			{ .fd = uevent_fd(&mon, UEVENT_UDEV), .events = POLLIN },
			{ .fd = rw.fd, .events = POLLIN },
			/* POLLERR here means the reading end of a pipe closed. */
			{ .fd = STDOUT_FILENO, .events = 0 },
		};

		if (poll(pfd, ARRAY_SIZE(pfd), -1) < 0) {
			if (errno == EINTR)
				continue;
			code = EXIT_FAIL;
			break;
		}
		if (pfd[0].revents) {
			/* SIGINT or SIGTERM: an interruption, exit 130 or 143.
			 * Consume the signal so unblocking it on the way out does not
			 * kill us. */
			(void)waiter_check_signal(&w);
			code = waiter_signal_exit(&w);
			log_info("stopped by %s", code == EXIT_SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		if (pfd[4].revents & (POLLERR | POLLHUP))
			break;
		r = 0;
		if (pfd[1].revents & POLLIN)
			r = on_uevent(a, &mon, UEVENT_KERNEL);
		if (r == 0 && (pfd[2].revents & POLLIN))
			r = on_uevent(a, &mon, UEVENT_UDEV);
		if (r == 0 && (pfd[3].revents & POLLIN))
			r = on_registry(a, &rw);
		if (r == -EPIPE) {
			/* The reader is gone; nothing left to say to anyone. */
			__fpurge(stdout);
			clearerr(stdout);
			break;
		}
		if (r < 0) {
			code = EXIT_FAIL;
			break;
		}
	}
	waiter_done(&w);
out:
	if (rw.fd >= 0)
		close(rw.fd);
	registry_free(&rw.reg);
	uevent_close(&mon);
	return code;
}

const struct command cmd_monitor = {
	.name = "monitor",
	.summary = "print module events as they happen",
	.args_size = sizeof(struct monitor_args),
	.parse = monitor_parse_args,
	.run = monitor_run,
};
