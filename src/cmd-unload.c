// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl unload: unload modules, waiting out references.
 *
 * The kernel never waits for a busy module (delete_module fails at once with
 * EWOULDBLOCK), and every delete_module takes module_mutex. So modctl asks
 * once, then watches the module's refcnt and holders/ in sysfs, which costs
 * the kernel nothing, and asks again only when the module looks free.
 */
#include <stdio.h>

#include "kernel.h"
#include "lockpin.h"
#include "log.h"
#include "cmd-unload.h"
#include "holders.h"
#include "modtable.h"
#include "netif-guard.h"
#include "progress.h"
#include "wait.h"

/* --timeout's default, as --help says: 10s. */
#define UNLOAD_TIMEOUT_DEFAULT_USEC 10000000ULL

enum {
	OPT_POLL_MAX = 0x100,
	OPT_WITH_DEPS,
	OPT_KERNEL_FORCE,
	OPT_DELETE_INTERFACES,
};

static const struct argp_option unload_options[] = {
	{ "timeout", 't', "T", 0, "wait at most T for references to go (default 10s; 0: one attempt; infinity)", 0 },
	{ "poll-max", OPT_POLL_MAX, "T", 0, "longest pause between two looks at a busy module (default 10ms)", 0 },
	{ "with-deps", OPT_WITH_DEPS, NULL, 0, "also unload dependencies that are left unused", 0 },
	{ "dry-run", 'n', NULL, 0, "print what would be unloaded, in order, and do nothing", 0 },
	{ "force", 'f', NULL, 0, "unload modules even if modctl lockdown locked them", 0 },
	{ "kernel-force", OPT_KERNEL_FORCE, NULL, 0,
	  "ask the kernel to drop a module despite references (O_TRUNC; taints the kernel)", 0 },
	{ "delete-interfaces", OPT_DELETE_INTERFACES, NULL, 0,
	  "unload modules even if that deletes network interfaces of their link kinds", 0 },
	{ 0 }
};

static error_t unload_parse(int key, char *arg, struct argp_state *state)
{
	struct unload_args *a = state->input;
	uint64_t v = 0;

	switch (key) {
	case 't':
	case OPT_POLL_MAX:
		if (parse_duration_arg(state, arg, &v))
			return EINVAL;
		if (key == 't') {
			a->timeout = v;
		} else if (v < BACKOFF_MIN_MAX_USEC || v == DURATION_INFINITY) {
			argp_error(state, "--poll-max must be a finite duration of at least 0.1ms, for example 10ms");
			return EINVAL;
		} else {
			a->poll_max = v;
		}
		break;
	case OPT_WITH_DEPS:
		a->with_deps = true;
		break;
	case 'n':
		a->dry_run = true;
		break;
	case 'f':
		a->force = true;
		break;
	case OPT_KERNEL_FORCE:
		a->kernel_force = true;
		break;
	case OPT_DELETE_INTERFACES:
		a->delete_interfaces = true;
		break;
	default:
		return parse_module_words(key, state, &a->modules, true);
	}
	return 0;
}

static const struct argp_child unload_children[] = {
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp unload_argp = {
	.options = unload_options,
	.parser = unload_parse,
	.args_doc = "MODULE...",
	.doc = "Unload modules, waiting while they are in use.\v"
	       "Modules are unloaded holders first. Durations take ms, s or m (a bare number is "
	       "seconds). Exit status: 3 not loaded, 4 still in use at the timeout, 5 locked by "
	       "modctl lockdown, 6 not permitted by the kernel, 8 refused because the unload would "
	       "delete network interfaces (nothing is unloaded then).",
	.children = unload_children,
};

/* --- the plan --------------------------------------------------------- */

struct target {
	const struct proc_module *pm;
	bool requested;       /* named by the user; otherwise a dependency */
	bool skip;            /* its pin could not be released: left alone */
	bool done;
};

/* Whether b holds a (b uses a): a's holders list names b. */
static bool holds(const struct proc_module *b, const struct proc_module *a)
{
	const char *p = a->holders;
	size_t l = strlen(b->name);

	while (*p) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == l && strncmp(p, b->name, l) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/*
 * Order targets so that every holder comes before what it holds
 * (Kahn's algorithm; a cycle, which the kernel cannot produce, keeps
 * the given order for the rest).
 */
static void order_targets(struct target *t, size_t n)
{
	size_t placed = 0, i, j;

	while (placed < n) {
		bool progress = false;

		for (i = placed; i < n; i++) {
			bool blocked = false;

			for (j = placed; j < n && !blocked; j++)
				if (j != i && holds(t[j].pm, t[i].pm))
					blocked = true;
			if (!blocked) {
				struct target tmp = t[i];

				memmove(&t[placed + 1], &t[placed], (i - placed) * sizeof(*t));
				t[placed++] = tmp;
				progress = true;
				break;
			}
		}
		if (!progress)
			break;
	}
}

static bool in_targets(const struct target *t, size_t n, const struct proc_module *m)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].pm == m)
			return true;
	return false;
}

/*
 * Dependencies left unused once the targets are gone: modules all of whose
 * holders are targets and whose references all come from those holders.
 */
static size_t add_unused_deps(const struct proc_modules *pm, struct target *t, size_t n,
			      const struct lock_state *ls)
{
	bool added = true;
	size_t i, j;

	while (added) {
		added = false;
		for (i = 0; i < pm->n; i++) {
			const struct proc_module *m = &pm->mods[i];
			size_t held = 0;

			if (in_targets(t, n, m) || m->n_holders == 0 || !m->has_refcnt || m->permanent)
				continue;
			for (j = 0; j < n; j++)
				if (holds(t[j].pm, m))
					held++;
			if (held != m->n_holders || (long)held != m->refcnt)
				continue;
			if (!streq_ptr(lock_state_of(ls, m->name), "no")) {
				log_info("keeping %s: it is locked", m->name);
				continue;
			}
			t[n++] = (struct target){ .pm = m };
			added = true;
		}
	}
	return n;
}

/* --- unloading one module ------------------------------------------------ */

struct unload_one {
	const char *name;
	const struct unload_args *a;
	struct module_probe last;
	unsigned attempts;
	bool seen_going;
	bool waiting_said;
	bool force_ignored;
};

static void show_progress(struct unload_one *u, const struct waiter *w)
{
	char what[256], el[32], to[32];

	format_duration(el, sizeof(el), waiter_elapsed(w) / 100000 * 100000);
	format_duration(to, sizeof(to), waiter_timeout(w));
	progress_show("%s: %s, %s/%s", u->name,
		      u->seen_going ? "going" : module_probe_describe(&u->last, what, sizeof(what)), el, to);
}

static int unload_step(void *userdata, const struct waiter *w)
{
	struct unload_one *u = userdata;
	bool looks_free;
	int r;

	module_probe_free(&u->last);
	r = sysfs_module_probe(u->name, &u->last);
	if (r < 0)
		return r;
	if (!u->last.present)
		return u->seen_going || u->attempts ? STEP_DONE : -ENOENT;

	if (u->last.state == MODULE_STATE_GOING ||
	    (u->last.has_refcnt && u->last.refcnt < 0 && u->last.state != MODULE_STATE_LIVE)) {
		/* Someone else is unloading it: done when it is gone. */
		u->seen_going = true;
		show_progress(u, w);
		return STEP_AGAIN;
	}
	if (u->last.state == MODULE_STATE_LIVE && u->last.has_refcnt && u->last.refcnt < 0)
		return -EUCLEAN;

	looks_free = u->last.n_holders == 0 && u->last.state == MODULE_STATE_LIVE &&
		     (!u->last.has_refcnt || u->last.refcnt == 0 || u->a->kernel_force);
	/* The first attempt always goes to the kernel: it alone knows about
	 * permissions, and a free module should not wait for a poll. */
	if (u->attempts == 0 || looks_free) {
		u->attempts++;
		r = kernel_delete_module(u->name, u->a->kernel_force);
		log_debug("delete_module(%s) = %s", u->name, r ? strerror(-r) : "0");
		switch (r) {
		case 0:
			return STEP_DONE;
		case -EAGAIN:
			if (u->a->kernel_force && u->last.n_holders == 0 && u->last.has_refcnt &&
			    u->last.refcnt > 0)
				u->force_ignored = true;
			break;
		case -EBUSY:
			/* Coming: wait. Going: wait until gone. Live: permanent. */
			module_probe_free(&u->last);
			r = sysfs_module_probe(u->name, &u->last);
			if (r < 0)
				return r;
			if (!u->last.present)
				return STEP_DONE;
			if (u->last.state == MODULE_STATE_GOING)
				u->seen_going = true;
			else if (u->last.state == MODULE_STATE_LIVE)
				return -EBUSY;
			break;
		case -ENOENT:
			return u->seen_going ? STEP_DONE : -ENOENT;
		case -EINTR:
			break;
		default:
			return r;
		}
	}
	if (!u->waiting_said && waiter_timeout(w) > 0) {
		char what[256];

		log_info("waiting for %s: %s", u->name, module_probe_describe(&u->last, what, sizeof(what)));
		u->waiting_said = true;
	}
	show_progress(u, w);
	return STEP_AGAIN;
}

static enum exit_code unload_module(const char *name, const struct unload_args *a, struct waiter *w)
{
	struct unload_one u = { .name = name, .a = a };
	char what[256], dur[32];
	enum exit_code code;
	int r;

	r = waiter_run(w, unload_step, &u);
	progress_clear();
	switch (r) {
	case 0:
		log_info("unloaded %s (%s)", name, format_duration(dur, sizeof(dur), waiter_elapsed(w)));
		break;
	case -EINTR:
		log_error("interrupted while waiting for %s; it is still loaded", name);
		break;
	case -ETIMEDOUT:
		if (u.force_ignored)
			log_error("%s is still in use: this kernel ignores forced unloads "
				  "(it was built without CONFIG_MODULE_FORCE_UNLOAD)", name);
		else if (waiter_timeout(w) == 0)
			log_error("%s is in use (%s)", name, module_probe_describe(&u.last, what, sizeof(what)));
		else
			log_error("timed out after %s: %s is still in use (%s)",
				  format_duration(dur, sizeof(dur), waiter_timeout(w)), name,
				  u.seen_going ? "still going" : module_probe_describe(&u.last, what, sizeof(what)));
		if (!u.force_ignored && !u.seen_going)
			holders_log(name, LOG_ERR, HOLDERS_LOG_MAX);
		break;
	case -ENOENT:
		log_error("module %s is not loaded", name);
		break;
	case -EPERM:
		log_error("cannot unload %s: %s", name, kernel_eperm_cause(false));
		break;
	case -EBUSY:
		log_error("cannot unload %s: it has no exit function (permanent), so the kernel "
			  "will never unload it", name);
		break;
	case -EUCLEAN:
		log_error("refusing to unload %s: it is live but its reference count reads -1, so a "
			  "driver released more references than it took; unloading it could crash the kernel",
			  name);
		break;
	default:
		log_error_errno(r, "cannot unload %s: %m", name);
		break;
	}
	code = r == -EINTR ? waiter_signal_exit(w) : exit_code_from_errno(r);
	module_probe_free(&u.last);
	return code;
}

static enum exit_code unload_parse_args(struct invocation *inv, int argc, char *argv[])
{
	struct unload_args *a = inv->args;

	a->timeout = UNLOAD_TIMEOUT_DEFAULT_USEC;
	a->poll_max = BACKOFF_DEFAULT_MAX_USEC;
	return command_parse_modules(inv, &unload_argp, argc, argv, a, &a->modules);
}

static enum exit_code unload_run(struct invocation *inv)
{
	const struct unload_args *a = inv->args;
	struct proc_modules pm = { 0 };
	struct lock_state ls = { 0 };
	struct netif_guard ng = { 0 };
	struct target *t = NULL;
	struct waiter w;
	size_t n = 0, i;
	enum exit_code code = EXIT_OK;
	int r, k;
	bool waiter_ready = false;

	r = proc_modules_read(&pm);
	if (r < 0 && r != -ENOENT) {
		log_error_errno(r, "cannot read " PROC_MODULES ": %m");
		return EXIT_FAIL;
	}
	if (lock_state_load(&ls) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	t = calloc(pm.n + (size_t)a->modules.n + 1, sizeof(*t));
	if (!t) {
		code = EXIT_FAIL;
		goto out;
	}

	for (k = 0; k < a->modules.n; k++) {
		const char *name = a->modules.v[k];
		const struct proc_module *m = proc_modules_find(&pm, name);

		if (!m) {
			if (module_is_builtin(name)) {
				log_error("module %s is built into the kernel: it cannot be unloaded", name);
				exit_keep_first(&code, EXIT_FAIL);
			} else {
				log_error(r == -ENOENT ? "module %s is not loaded (this kernel has no loadable module support)"
						       : "module %s is not loaded", name);
				exit_keep_first(&code, EXIT_NOTFOUND);
			}
			continue;
		}
		if (in_targets(t, n, m))
			continue;
		if (streq_ptr(lock_state_of(&ls, m->name), "locked") || streq_ptr(lock_state_of(&ls, m->name), "pinned")) {
			if (!a->force) {
				log_error("module %s is locked by modctl lockdown: run 'modctl unlock %s' "
					  "first, or use --force", m->name, m->name);
				exit_keep_first(&code, EXIT_LOCKED);
				continue;
			}
			log_notice("%s is locked by modctl lockdown; unloading it anyway (--force)", m->name);
		} else if (!ls.untrusted && !ls.sealed && !registry_is_locked(&ls.reg, m->name) &&
			   lockpin_exists(m->name)) {
			/* A pin no lock records: a crash came between the two. */
			if (!a->force) {
				log_error("module %s is pinned by modctl, but not locked (an orphan pin): run 'modctl "
					  "unlock %s' to release it, or use --force", m->name, m->name);
				exit_keep_first(&code, EXIT_LOCKED);
				continue;
			}
			log_notice("%s has a pin of modctl's that no lock records; releasing it (--force)", m->name);
		}
		t[n++] = (struct target){ .pm = m, .requested = true };
	}
	if (a->with_deps)
		n = add_unused_deps(&pm, t, n, &ls);
	order_targets(t, n);

	/* Without CAP_SYS_MODULE the kernel refuses every unload: nothing
	 * can be deleted, and its refusal is the answer. */
	if (a->dry_run || have_cap_sys_module()) {
		enum exit_code c = EXIT_OK;
		bool privileged = have_cap_sys_module();

		for (i = 0; i < n && c == EXIT_OK; i++)
			/* the kernel keeps a permanent module unless forced */
			if ((!t[i].pm->permanent || a->kernel_force) &&
			    netif_guard_add(&ng, t[i].pm->name, t[i].requested) < 0)
				c = EXIT_FAIL;
		if (c == EXIT_OK)
			c = netif_guard_verdict(&ng, a->delete_interfaces, a->dry_run, privileged);
		if (c != EXIT_OK) {
			exit_keep_first(&code, c);
			if (!a->dry_run)
				goto out;
		}
	}
	if (a->dry_run) {
		for (i = 0; i < n; i++) {
			printf("unload %s%s\n", t[i].pm->name, t[i].requested ? "" : " (dependency left unused)");
			netif_guard_print(&ng, t[i].pm->name);
		}
		goto out;
	}
	if (n == 0)
		goto out;
	if (a->kernel_force) {
		log_warning("--kernel-force: a forced unload taints the kernel (R) and can crash it "
			    "if the module is still in use");
		if (kernel_force_unload_supported() == 0)
			log_warning("this kernel was built without CONFIG_MODULE_FORCE_UNLOAD: it ignores forced "
				    "unloads");
	}

	if (waiter_init(&w, a->timeout, a->poll_max) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	waiter_ready = true;
	/* modctl's own pin goes before a forced unload, so that modctl never
	 * leaves a pin on a module that is gone (releasing it later would
	 * crash the kernel). */
	for (i = 0; i < n; i++)
		if ((a->force || a->kernel_force) && lockpin_exists(t[i].pm->name) &&
		    lockpin_release_for_unload(t[i].pm->name) < 0) {
			log_error("not unloading %s: its pin could not be released", t[i].pm->name);
			exit_keep_first(&code, EXIT_FAIL);
			t[i].skip = true;
		}
	for (i = 0; i < n; i++) {
		enum exit_code c;

		if (t[i].skip)
			continue;
		if (!t[i].requested) {
			/* A dependency is taken only if it is unused now: one attempt, no wait. */
			struct module_probe p;

			if (sysfs_module_probe(t[i].pm->name, &p) == 0 && p.present &&
			    (p.n_holders || !p.has_refcnt || p.refcnt != 0)) {
				char what[256];

				log_info("keeping %s: %s", t[i].pm->name, module_probe_describe(&p, what, sizeof(what)));
				module_probe_free(&p);
				continue;
			}
			module_probe_free(&p);
		}
		netif_guard_announce(&ng, t[i].pm->name);
		c = unload_module(t[i].pm->name, a, &w);
		exit_keep_first(&code, c);
		if (c == EXIT_SIGINT || c == EXIT_SIGTERM) {
			code = c;
			break;
		}
	}
out:
	if (waiter_ready)
		waiter_done(&w);
	free(t);
	netif_guard_free(&ng);
	lock_state_free(&ls);
	proc_modules_free(&pm);
	return code;
}

const struct command cmd_unload = {
	.name = "unload",
	.summary = "unload modules, waiting while they are in use",
	.args_size = sizeof(struct unload_args),
	.parse = unload_parse_args,
	.run = unload_run,
};
