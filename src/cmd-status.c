// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl status: everything modctl knows about modules, or, without
 * arguments, the system's module policy.
 */
#include <stdio.h>

#include "kmodctx.h"
#include "kernel.h"
#include "log.h"
#include "cmd-status.h"
#include "holders.h"
#include "modtable.h"
#include "netif.h"
#include "strv.h"

enum { OPT_HOLDERS_BUDGET = 0x100 };

static const struct argp_option status_options[] = {
	{ "json", 'J', NULL, 0, "print JSON", 0 },
	{ "holders-budget", OPT_HOLDERS_BUDGET, "DURATION", 0,
	  "look for who holds a module for at most DURATION (default 2s, or $" HOLDERS_BUDGET_ENV ")", 0 },
	{ 0 }
};

static error_t status_parse(int key, char *arg, struct argp_state *state)
{
	struct status_args *a = state->input;

	switch (key) {
	case 'J':
		a->json = true;
		break;
	case OPT_HOLDERS_BUDGET:
		if (parse_duration_arg(state, arg, &a->holders_budget))
			return EINVAL;
		a->holders_budget_set = true;
		break;
	default:
		return parse_module_words(key, state, &a->modules, false);
	}
	return 0;
}

static const struct argp_child status_children[] = {
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp status_argp = {
	.options = status_options,
	.parser = status_parse,
	.args_doc = "[MODULE...]",
	.doc = "Show modules in detail, or the system's module policy.\v"
	       "Without MODULE: kernel.modules_disabled, the kernel lockdown level, "
	       "module.sig_enforce, lockdown-all mode and the numbers of loaded and locked modules.",
	.children = status_children,
};

/* --- policy summary ------------------------------------------------------ */

enum {
	POL_MODULES_DISABLED,
	POL_LOCKDOWN,
	POL_SIG_ENFORCE,
	POL_LOCKDOWN_ALL,
	POL_LOADED,
	POL_LOCKED,
	POL_PINNED,
	POL_ORPHAN_PINS,
	POL_STALE_PINS,
	_POL_MAX,
};

static const struct column policy_columns[_POL_MAX] = {
	[POL_MODULES_DISABLED] = { "MODULES_DISABLED", 0, 0, SCOLS_JSON_BOOLEAN, "kernel.modules_disabled" },
	[POL_LOCKDOWN] = { "LOCKDOWN", 0, 0, SCOLS_JSON_STRING, "kernel lockdown level" },
	[POL_SIG_ENFORCE] = { "SIG_ENFORCE", 0, 0, SCOLS_JSON_BOOLEAN, "module.sig_enforce" },
	[POL_LOCKDOWN_ALL] = { "LOCKDOWN_ALL", 0, 0, SCOLS_JSON_BOOLEAN, "modctl lockdown-all mode" },
	[POL_LOADED] = { "LOADED", 0, 0, SCOLS_JSON_NUMBER, "modules loaded" },
	[POL_LOCKED] = { "LOCKED", 0, 0, SCOLS_JSON_NUMBER, "modules locked by modctl" },
	[POL_PINNED] = { "PINNED", 0, 0, SCOLS_JSON_NUMBER, "locks the kernel holds through a pin" },
	[POL_ORPHAN_PINS] = { "ORPHAN_PINS", 0, 0, SCOLS_JSON_NUMBER, "pins of modules the registry does not lock" },
	[POL_STALE_PINS] = { "STALE_PINS", 0, 0, SCOLS_JSON_NUMBER, "pins of force-removed modules, kept until reboot" },
};

/* How the kernel holds the registry's locks. Counts are -1 when unknown
 * (reading pins needs root); orphans are named in *orphans. */
struct pin_summary {
	long pinned, orphans, stale;
	bool inspected; /* pinned was read from the kernel, not the registry */
	char **orphan_names;
};

static void pin_summary_read(const struct lock_state *ls, struct pin_summary *ps)
{
	char **names = NULL;
	size_t n = 0, i, k = 0;
	long stale_here = 0;
	int r;

	memset(ps, 0, sizeof(*ps));
	ps->pinned = ps->orphans = ps->stale = -1;
	if (ls->untrusted)
		return;
	r = pin_list(&names, &n);
	if (r < 0 || !ls->pinner) {
		/* not root: what the registry claims */
		ps->pinned = 0;
		for (i = 0; i < ls->reg.n; i++)
			if (lock_state_pinned(ls, ls->reg.locks[i]))
				ps->pinned++;
		strv_free(names);
		return;
	}
	ps->inspected = true;
	ps->pinned = ps->orphans = 0;
	/* keep the orphans' names at the front of names */
	for (i = 0; i < n; i++) {
		struct pin_facts pf;

		lockpin_facts(ls->pinner, &ls->reg, names[i], &pf);
		if (streq(pf.pin, "live"))
			ps->pinned++;
		if (streq(pf.pin, "stale"))
			stale_here++;
		if (streq(pf.pin, "orphan")) {
			names[k++] = names[i];
			ps->orphans++;
		} else {
			free(names[i]);
		}
	}
	if (names)
		names[k] = NULL;
	ps->orphan_names = names;
	r = pin_list_stale(NULL, NULL);
	ps->stale = r < 0 ? -1 : r + stale_here;
}

static enum exit_code status_policy(const struct status_args *a)
{
	struct proc_modules pm = { 0 };
	struct lock_state ls = { 0 };
	struct pin_summary ps;
	char lockdown[32] = "", loaded[32] = "";
	bool sig = false;
	int r_sig, r_lockdown, r_pm;
	enum exit_code code = EXIT_OK;

	if (lock_state_load(&ls) < 0)
		code = EXIT_FAIL;
	r_lockdown = kernel_lockdown_level(lockdown, sizeof(lockdown));
	r_sig = kernel_sig_enforce(&sig);
	r_pm = proc_modules_read(&pm);
	pin_summary_read(&ls, &ps);
	if (r_pm == 0)
		snprintf(loaded, sizeof(loaded), "%zu", pm.n);
	else if (r_pm == -ENOENT)
		log_warning(PROC_MODULES " does not exist: this kernel was built without loadable module support");
	else
		log_warning("cannot read " PROC_MODULES ": %s", strerror(-r_pm));

	if (a->json) {
		struct output_options o = { .json = true };
		struct output out;
		struct libscols_line *ln;

		if (output_init(&out, policy_columns, _POL_MAX, &o, NULL,
				"MODULES_DISABLED,LOCKDOWN,SIG_ENFORCE,LOCKDOWN_ALL,LOADED,LOCKED,PINNED,ORPHAN_PINS,"
				"STALE_PINS", "policy") < 0 ||
		    !(ln = output_new_line(&out))) {
			output_free(&out);
			code = EXIT_FAIL;
			goto out;
		}
		if (ls.sealed_known)
			output_set(&out, ln, POL_MODULES_DISABLED, ls.sealed ? "yes" : "no");
		if (r_lockdown == 0)
			output_set(&out, ln, POL_LOCKDOWN, lockdown);
		if (r_sig == 0)
			output_set(&out, ln, POL_SIG_ENFORCE, sig ? "yes" : "no");
		if (!ls.untrusted) {
			output_set(&out, ln, POL_LOCKDOWN_ALL, ls.reg.lock_all ? "yes" : "no");
			output_setf(&out, ln, POL_LOCKED, "%zu", ls.reg.n);
		}
		if (ps.pinned >= 0)
			output_setf(&out, ln, POL_PINNED, "%ld", ps.pinned);
		if (ps.orphans >= 0)
			output_setf(&out, ln, POL_ORPHAN_PINS, "%ld", ps.orphans);
		if (ps.stale >= 0)
			output_setf(&out, ln, POL_STALE_PINS, "%ld", ps.stale);
		output_set(&out, ln, POL_LOADED, loaded);
		if (output_print(&out) < 0)
			code = EXIT_FAIL;
		output_free(&out);
		goto out;
	}

	printf("kernel.modules_disabled: %s\n",
	       !ls.sealed_known ? "not available"
	       : ls.sealed	 ? "1 (sealed: no module can be loaded or unloaded until reboot)"
				 : "0 (modules can be loaded and unloaded)");
	printf("kernel lockdown:         %s\n", r_lockdown == 0 ? lockdown : "not available");
	printf("module.sig_enforce:      %s\n",
	       r_sig == 0 ? (sig ? "yes (only signed modules load)" : "no") : "not available");
	printf("lockdown-all mode:       %s\n", ls.untrusted ? "unknown (the registry is not trusted)"
						     : ls.reg.lock_all ? "on" : "off");
	printf("modules loaded:          %s\n", r_pm == 0 ? loaded : "unknown");
	if (ls.untrusted)
		printf("modules locked:          unknown\n");
	else
		printf("modules locked:          %zu\n", ls.reg.n);
	if (!ls.untrusted && ls.reg.n > 0)
		printf("kernel-enforced locks:   %ld%s\n", ps.pinned,
		       ps.inspected ? " (pinned: no tool can unload them)" : " (as the registry records; root reads the pins)");
	if (ps.orphans > 0) {
		_cleanup_free_ char *list = strv_join(ps.orphan_names, " ");

		printf("orphan pins:             %ld (%s: not in the registry; 'modctl unlock' releases them)\n",
		       ps.orphans, list ? list : "?");
	}
	if (ps.stale > 0)
		printf("stale pins:              %ld (of modules removed by force while locked; kept until reboot, "
		       "in " PIN_STALE_DIR " once modctl has seen them)\n", ps.stale);
out:
	strv_free(ps.orphan_names);
	proc_modules_free(&pm);
	lock_state_free(&ls);
	return code;
}

/* --- one module in detail ------------------------------------------------ */

static void print_field(const char *label, const char *value)
{
	printf("  %-12s %s\n", label, value && *value ? value : "-");
}

static void print_list(const char *label, char **v)
{
	size_t i;

	if (!v || !v[0]) {
		print_field(label, "none");
		return;
	}
	for (i = 0; v[i]; i++)
		print_field(i == 0 ? label : "", v[i]);
}

/* The kernel's side of the lock: "Pin:" and, indented, what it means. */
static void status_print_pin(const struct module_facts *f)
{
	const struct pin_facts *p = &f->pin;
	char buf[PIN_FUNC_MAX + 160];

	if (!p->pin || f->builtin || (streq(p->pin, "none") && !p->note))
		return;
	if (p->path[0]) {
		snprintf(buf, sizeof(buf), "%s: BPF %s on %s, %s", p->pin, p->type ? p->type : "object",
			 p->func[0] ? p->func : "an unknown function", p->path);
		print_field("Pin:", buf);
	} else {
		print_field("Pin:", p->pin);
	}
	if (p->note)
		print_field("", p->note);
}

static void status_print(const struct module_facts *f, const struct holders *hs)
{
	char buf[64];

	printf("%s\n", f->name);
	print_field("State:", f->builtin ? "builtin" : module_state_name(f->state));
	if (!f->builtin) {
		if (!f->has_refcnt)
			print_field("Refcnt:", "not counted (kernel without module unloading)");
		else if (f->refcnt < 0)
			print_field("Refcnt:", "going");
		else {
			snprintf(buf, sizeof(buf), "%ld", f->refcnt);
			print_field("Refcnt:", buf);
		}
		print_list("Holders:", f->holders);
		if (hs && hs->refcnt > (long)f->n_holders)
			holders_print(stdout, hs);
		snprintf(buf, sizeof(buf), "%lu bytes", f->size);
		print_field("Size:", buf);
		print_field("Permanent:", f->permanent ? "yes (cannot be unloaded)" : "no");
		print_field("Taint:", f->taint[0] ? f->taint : "none");
	}
	print_field("Lock:", f->lock ? f->lock : "unknown (the registry is not trusted)");
	status_print_pin(f);
	print_field("Path:", f->builtin ? "(built in)" : f->path);
	print_field("Version:", f->version);
	print_field("Srcversion:", f->srcversion);
	print_list("Parameters:", f->params);
}

/* What an unload of the module would delete. */
struct destroys {
	bool has_kinds;   /* registers link kinds */
	bool complete;    /* every network namespace was inspected */
	size_t *idx, n;
};

static int destroys_gather(struct destroys *d, struct netif_world *w, struct kmod_ctx *ctx,
			   const struct module_facts *f)
{
	int r;

	*d = (struct destroys){ .complete = true };
	if (f->builtin)
		return 0;
	r = netif_destroyed_by(w, ctx, f->name, &d->idx, &d->n);
	if (r < 0)
		return log_error_errno(r, "cannot tell which network interfaces unloading %s would delete: %m",
				       f->name);
	d->has_kinds = r > 0;
	d->complete = !d->has_kinds || w->unreadable == 0;
	return 0;
}

static void destroys_print(const struct destroys *d, const struct netif_world *w)
{
	size_t i;

	if (!d->has_kinds)
		return;
	for (i = 0; i < d->n; i++) {
		const struct netif *it = &w->ifs[d->idx[i]];
		char where[128], buf[256];

		netif_where(w, it, where, sizeof(where));
		snprintf(buf, sizeof(buf), "interface %s (%s%s%s)", it->name, it->kind, where[0] ? ", in " : "",
			 where);
		print_field(i == 0 ? "Deletes:" : "", buf);
	}
	if (d->n == 0)
		print_field("Deletes:", "no interfaces");
	if (!d->complete) {
		char buf[160];

		snprintf(buf, sizeof(buf), "(%zu network namespace%s could not be inspected: %s)", w->unreadable,
			 w->unreadable == 1 ? "" : "s", strerror(-w->unreadable_err));
		print_field("", buf);
	}
}

/* status -J: the module columns, what an unload deletes, then who holds the module. */
enum { COL_DESTROYS = _COL_MAX, COL_DESTROYS_COMPLETE, _STATUS_COL_MAX };

static enum exit_code status_modules(const struct status_args *a)
{
	struct netif_world w = { 0 };
	struct proc_modules pm = { 0 };
	struct lock_state ls = { 0 };
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	struct output out = { 0 };
	enum exit_code code = EXIT_OK;
	struct column cols[_STATUS_COL_MAX + _HOLDERS_COL_MAX];
	bool printed = false, no_module_support;
	int r, i;

	r = proc_modules_read(&pm);
	if (r < 0 && r != -ENOENT) {
		log_error_errno(r, "cannot read " PROC_MODULES ": %m");
		return EXIT_FAIL;
	}
	/* Kept apart from r, which the loop below reuses. */
	no_module_support = r == -ENOENT;
	if (lock_state_load(&ls) < 0)
		code = EXIT_FAIL;
	if (kmodctx_new(&ctx, 0) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	memcpy(cols, module_columns, sizeof(module_columns));
	cols[COL_DESTROYS] = (struct column){ "DESTROYS", 0, 0, OUTPUT_JSON_RAW, "what unloading the module deletes" };
	cols[COL_DESTROYS_COMPLETE] = (struct column){ "DESTROYS_COMPLETE", 0, 0, SCOLS_JSON_BOOLEAN,
						       "every network namespace was inspected" };
	memcpy(cols + _STATUS_COL_MAX, holders_columns, sizeof(holders_columns));
	if (a->json) {
		struct output_options o = { .json = true, .all = true };

		if (output_init(&out, cols, ARRAY_SIZE(cols), &o, NULL, NULL, "modules") < 0) {
			code = EXIT_FAIL;
			goto out;
		}
	}

	for (i = 0; i < a->modules.n; i++) {
		char norm[MODULE_NAME_MAX + 1];
		const struct proc_module *m;
		struct module_facts f;
		struct destroys d;
		struct holders hs = { 0 };
		bool have_hs = false;

		module_name_normalize(a->modules.v[i], norm);
		m = proc_modules_find(&pm, norm);
		if (!m) {
			enum module_presence p;

			r = sysfs_module_presence(norm, &p);
			if (r < 0) {
				log_error_errno(r, "cannot tell whether %s is loaded: %m", norm);
				exit_keep_first(&code, exit_code_from_errno(r));
				continue;
			}
			if (p == MODULE_ABSENT || (p == MODULE_COMING)) {
				log_error(no_module_support ? "module %s is not loaded (this kernel has no loadable module support)"
							    : "module %s is not loaded", norm);
				exit_keep_first(&code, EXIT_NOTFOUND);
				continue;
			}
		}
		r = module_facts_gather(&f, m, m ? m->name : norm, NEED_SYSFS | NEED_KMOD | NEED_PIN, ctx, &ls);
		if (r < 0) {
			log_error_errno(r, "cannot gather facts about %s: %m", norm);
			exit_keep_first(&code, EXIT_FAIL);
			continue;
		}
		if (destroys_gather(&d, &w, ctx, &f) < 0) {
			exit_keep_first(&code, EXIT_FAIL);
			module_facts_free(&f);
			continue;
		}
		if (!f.builtin && f.has_refcnt) {
			struct holders_options ho = { .dep_holders = f.holders, .refcnt = f.refcnt, .refcnt_known = true,
						      .budget_usec = a->holders_budget,
						      .budget_set = a->holders_budget_set };

			have_hs = holders_find(f.name, &ho, &hs) == 0;
		}
		if (a->json) {
			_cleanup_free_ char *json = netif_json(&w, d.idx, d.n);
			struct libscols_line *ln = NULL;

			if (module_facts_add_row(&out, &f, true) < 0 || !json ||
			    !(ln = scols_table_get_line(out.tb, scols_table_get_nlines(out.tb) - 1)) ||
			    output_set(&out, ln, COL_DESTROYS, json) < 0 ||
			    output_set(&out, ln, COL_DESTROYS_COMPLETE, d.complete ? "yes" : "no") < 0)
				exit_keep_first(&code, EXIT_FAIL);
			else if (have_hs)
				holders_set_row(&out, ln, _STATUS_COL_MAX, &hs);
		} else {
			if (printed)
				putchar('\n');
			status_print(&f, have_hs ? &hs : NULL);
			destroys_print(&d, &w);
			printed = true;
		}
		free(d.idx);
		if (have_hs)
			holders_free(&hs);
		module_facts_free(&f);
	}
	if (a->json && output_print(&out) < 0)
		exit_keep_first(&code, EXIT_FAIL);
out:
	output_free(&out);
	netif_world_free(&w);
	lock_state_free(&ls);
	proc_modules_free(&pm);
	return code;
}

static enum exit_code status_parse_args(struct invocation *inv, int argc, char *argv[])
{
	struct status_args *a = inv->args;

	return command_parse_modules(inv, &status_argp, argc, argv, a, &a->modules);
}

static enum exit_code status_run(struct invocation *inv)
{
	const struct status_args *a = inv->args;

	if (a->modules.n == 0)
		return status_policy(a);
	return status_modules(a);
}

const struct command cmd_status = {
	.name = "status",
	.summary = "show modules in detail, or the module policy",
	.args_size = sizeof(struct status_args),
	.parse = status_parse_args,
	.run = status_run,
};
