// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl wait: until modules are loaded, unloaded or unused. Loaded and
 * unloaded wake on kernel uevents and confirm in sysfs (an event that came
 * before the monitor started is caught by the first sysfs look); unused
 * polls refcnt and holders/ on the same schedule as unload.
 */
#include <stdio.h>

#include "log.h"
#include "cmd-wait.h"
#include "holders.h"
#include "sysfs.h"
#include "uevent.h"
#include "progress.h"
#include "wait.h"

static const char *const for_names[] = {
	[FOR_LOADED] = "loaded",
	[FOR_UNLOADED] = "unloaded",
	[FOR_UNUSED] = "unused",
};

/* --poll-max's default for --for=loaded and --for=unloaded, as --help says:
 * uevents say when to look, so polling is only the fallback. (--for=unused
 * has no event and polls at BACKOFF_DEFAULT_MAX_USEC.) */
#define WAIT_POLL_MAX_DEFAULT_USEC 250000ULL

enum {
	OPT_FOR = 0x100,
	OPT_POLL_MAX,
};

static const struct argp_option wait_options[] = {
	{ "for", OPT_FOR, "STATE", 0, "loaded (default), unloaded or unused", 0 },
	{ "timeout", 't', "T", 0, "give up after T (default infinity)", 0 },
	{ "poll-max", OPT_POLL_MAX, "T", 0, "longest pause between two looks at sysfs (default 10ms for "
					     "unused, 250ms otherwise)", 0 },
	{ 0 }
};

static error_t wait_parse(int key, char *arg, struct argp_state *state)
{
	struct wait_args *a = state->input;
	size_t i;

	switch (key) {
	case OPT_FOR:
		for (i = 0; i < ARRAY_SIZE(for_names); i++)
			if (streq(arg, for_names[i]))
				break;
		if (i == ARRAY_SIZE(for_names)) {
			argp_error(state, "--for takes loaded, unloaded or unused, not '%s'", arg);
			return EINVAL;
		}
		a->what = (enum wait_for)i;
		break;
	case 't':
		return parse_duration_arg(state, arg, &a->timeout);
	case OPT_POLL_MAX:
		if (parse_duration(arg, &a->poll_max) < 0 || a->poll_max < BACKOFF_MIN_MAX_USEC ||
		    a->poll_max == DURATION_INFINITY) {
			argp_error(state, "invalid --poll-max '%s' (a finite duration of at least 0.1ms)", arg);
			return EINVAL;
		}
		break;
	default:
		return parse_module_words(key, state, &a->modules, true);
	}
	return 0;
}

static const struct argp_child wait_children[] = {
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp wait_argp = {
	.options = wait_options,
	.parser = wait_parse,
	.args_doc = "MODULE...",
	.doc = "Wait until modules are loaded, unloaded or unused.\v"
	       "Exit status 0 when the condition holds for every module, 4 on timeout (naming what "
	       "was still missing), 3 with --for=unused when a module is not loaded at all.",
	.children = wait_children,
};

struct wait_state {
	const struct wait_args *a;
	struct uevent_mon mon;
	bool *met;
	struct module_probe *last;
	int missing;
	bool waiting_said;
};

/* Whether the condition holds for module i now, from sysfs. */
static bool condition_holds(struct wait_state *s, int i)
{
	const char *name = s->a->modules.v[i];
	struct module_probe *p = &s->last[i];
	enum module_presence pr;

	module_probe_free(p);
	if (sysfs_module_probe(name, p) < 0)
		return false;
	switch (s->a->what) {
	case FOR_LOADED:
		/* A built-in module is as loaded as a module can be. */
		return (p->present && p->state == MODULE_STATE_LIVE) ||
		       (sysfs_module_presence(name, &pr) == 0 && pr == MODULE_BUILTIN);
	case FOR_UNLOADED:
		return !p->present;
	case FOR_UNUSED:
		/* A module that went away meanwhile is certainly unused. */
		return !p->present || (p->state == MODULE_STATE_LIVE && p->n_holders == 0 &&
				       p->has_refcnt && p->refcnt == 0);
	}
	return false;
}

static int wait_step(void *userdata, const struct waiter *w)
{
	struct wait_state *s = userdata;
	struct module_uevent ev;
	int i;

	/* Drain events; they only say when to look again, sysfs decides. */
	while (uevent_receive(&s->mon, UEVENT_KERNEL, &ev) > 0)
		log_debug("uevent %s %s", ev.action, ev.name);

	s->missing = 0;
	for (i = 0; i < s->a->modules.n; i++) {
		if (s->met[i])
			continue;
		if (condition_holds(s, i)) {
			s->met[i] = true;
			log_info("%s is %s", s->a->modules.v[i], for_names[s->a->what]);
		} else {
			s->missing++;
		}
	}
	if (s->missing == 0)
		return STEP_DONE;
	if (!s->waiting_said && waiter_timeout(w) > 0) {
		/* Said once, after the first look, with the signals already handled. */
		for (i = 0; i < s->a->modules.n; i++)
			if (!s->met[i]) {
				log_info("waiting for %s to be %s", s->a->modules.v[i], for_names[s->a->what]);
				if (s->a->what == FOR_UNUSED)
					holders_log(s->a->modules.v[i], LOG_INFO, HOLDERS_LOG_MAX);
			}
		s->waiting_said = true;
	}
	progress_show("waiting for %d module%s to be %s, %.1fs", s->missing, s->missing == 1 ? "" : "s",
		      for_names[s->a->what], waiter_elapsed(w) / 1e6);
	return STEP_AGAIN;
}

static enum exit_code wait_parse_args(struct invocation *inv, int argc, char *argv[])
{
	struct wait_args *a = inv->args;
	enum exit_code r;
	int i;

	a->timeout = DURATION_INFINITY;
	r = command_parse(inv, &wait_argp, argc, argv, a);
	if (r || inv->exit)
		return r;
	for (i = 0; i < a->modules.n; i++) {
		char norm[MODULE_NAME_MAX + 1];

		r = parse_module_arg(argv[0], a->modules.v[i], norm);
		if (r)
			return r;
		/* Work with the kernel's spelling from here on. */
		strcpy(a->modules.v[i], norm);
	}
	if (!a->poll_max)
		a->poll_max = a->what == FOR_UNUSED ? BACKOFF_DEFAULT_MAX_USEC : WAIT_POLL_MAX_DEFAULT_USEC;
	return EXIT_OK;
}

static enum exit_code wait_run(struct invocation *inv)
{
	const struct wait_args *a = inv->args;
	struct wait_state s = { .a = a };
	struct waiter w;
	enum exit_code code = EXIT_OK;
	int r, i;
	char dur[32];

	s.met = calloc((size_t)a->modules.n, sizeof(bool));
	s.last = calloc((size_t)a->modules.n, sizeof(struct module_probe));
	if (!s.met || !s.last) {
		code = EXIT_FAIL;
		goto out;
	}
	if (a->what == FOR_UNUSED) {
		for (i = 0; i < a->modules.n; i++) {
			enum module_presence pr;

			r = sysfs_module_presence(a->modules.v[i], &pr);
			if (r < 0) {
				log_error_errno(r, "cannot tell whether %s is loaded: %m", a->modules.v[i]);
				exit_keep_first(&code, exit_code_from_errno(r));
				s.met[i] = true;
			} else if (pr != MODULE_LOADABLE && pr != MODULE_COMING) {
				log_error("module %s is not loaded", a->modules.v[i]);
				exit_keep_first(&code, EXIT_NOTFOUND);
				s.met[i] = true;
			}
		}
	} else if (uevent_open(&s.mon, false) < 0) {
		/* Without events the sysfs looks alone still find the answer. */
		log_warning("waiting without kernel uevents: polling sysfs only");
	}

	r = waiter_init(&w, a->timeout, a->poll_max);
	if (r < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	waiter_set_wake_fd(&w, uevent_fd(&s.mon, UEVENT_KERNEL));
	r = waiter_run(&w, wait_step, &s);
	waiter_done(&w);
	if (r == -EINTR) {
		code = waiter_signal_exit(&w);
		for (i = 0; i < a->modules.n; i++)
			if (!s.met[i])
				log_error("interrupted while waiting for %s to be %s", a->modules.v[i],
					  for_names[a->what]);
	} else if (r == -ETIMEDOUT) {
		for (i = 0; i < a->modules.n; i++) {
			char what[256];

			if (s.met[i])
				continue;
			if (a->what == FOR_UNUSED)
				log_error("timed out after %s: %s is still in use (%s)",
					  format_duration(dur, sizeof(dur), a->timeout), a->modules.v[i],
					  module_probe_describe(&s.last[i], what, sizeof(what)));
			else
				log_error("timed out after %s: %s is not %s", format_duration(dur, sizeof(dur), a->timeout),
					  a->modules.v[i], for_names[a->what]);
		}
		exit_keep_first(&code, EXIT_BUSY);
	} else if (r < 0) {
		log_error_errno(r, "waiting failed: %m");
		exit_keep_first(&code, EXIT_FAIL);
	}
out:
	if (s.mon.udev)
		uevent_close(&s.mon);
	for (i = 0; s.last && i < a->modules.n; i++)
		module_probe_free(&s.last[i]);
	free(s.last);
	free(s.met);
	return code;
}

const struct command cmd_wait = {
	.name = "wait",
	.summary = "wait until modules are loaded, unloaded or unused",
	.args_size = sizeof(struct wait_args),
	.parse = wait_parse_args,
	.run = wait_run,
};
