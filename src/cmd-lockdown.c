// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl lockdown and modctl unlock: per-module locks kept in the registry
 * and honoured by modctl and by modprobe -r, lockdown-all mode, the kernel
 * seal (kernel.modules_disabled=1) done safely, and the boot configuration.
 */
#include <stdio.h>

#include "cmd-lockdown.h"
#include "lockops.h"
#include "strv.h"
#include "log.h"
#include "sysfs.h"

/* --timeout's default, as --help says: how long the seal waits for udev, 30s. */
#define SEAL_TIMEOUT_DEFAULT_USEC 30000000ULL

enum {
	OPT_SEAL = 0x100,
	OPT_BOOT,
	OPT_NO_PIN,
};

static const struct argp_option lockdown_options[] = {
	{ "all", 'a', NULL, 0, "lock every loaded module and turn on lockdown-all mode", 0 },
	{ "seal", OPT_SEAL, NULL, 0, "with --all: then set kernel.modules_disabled=1 (until reboot)", 0 },
	{ "boot", OPT_BOOT, NULL, 0, "apply the boot configuration (lockdown.d)", 0 },
	{ "no-pin", OPT_NO_PIN, NULL, 0, "lock for modctl and modprobe -r only: no kernel-enforced pin", 0 },
	{ "timeout", 't', "T", 0, "how long to wait for udev before sealing (default 30s)", 0 },
	{ "dry-run", 'n', NULL, 0, "print what would change and do nothing", 0 },
	{ 0 }
};

static const struct argp_option unlock_options[] = {
	{ "all", 'a', NULL, 0, "remove every lock and leave lockdown-all mode", 0 },
	{ "dry-run", 'n', NULL, 0, "print what would change and do nothing", 0 },
	{ 0 }
};

static error_t lock_parse(int key, char *arg, struct argp_state *state)
{
	struct lock_args *a = state->input;

	switch (key) {
	case 'a':
		a->all = true;
		break;
	case OPT_SEAL:
		a->seal = true;
		break;
	case OPT_BOOT:
		a->boot = true;
		break;
	case OPT_NO_PIN:
		a->no_pin = true;
		break;
	case 'n':
		a->dry_run = true;
		break;
	case 't':
		return parse_duration_arg(state, arg, &a->timeout);
	case ARGP_KEY_ARGS:
		return parse_module_words(key, state, &a->modules, false);
	case ARGP_KEY_END:
		if (a->seal && !a->all) {
			argp_error(state, "--seal needs --all: a sealed kernel can unload nothing, so "
					  "everything is locked first");
			return EINVAL;
		}
		if (a->boot && (a->all || a->modules.n)) {
			argp_error(state, "--boot takes its modules from the boot configuration");
			return EINVAL;
		}
		if (!a->boot && !a->all && a->modules.n == 0) {
			argp_error(state, "no module given (or --all)");
			return EINVAL;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child lock_children[] = {
	{ &common_argp, 0, "General:", 2 },
	{ 0 }
};

static const struct argp lockdown_argp = {
	.options = lockdown_options,
	.parser = lock_parse,
	.args_doc = "MODULE...\n--all [--seal]\n--boot",
	.doc = "Lock modules against unloading.\v"
	       "A locked module is refused by 'modctl unload' (exit 5) unless --force is given, and "
	       "by 'modprobe -r'. Where the kernel can, the lock is also kernel-enforced: a BPF object "
	       "pinned in " PIN_DIR " holds a reference, so rmmod and delete_module(2) are refused "
	       "too; otherwise it says why the lock is registry-only. Locks last until 'modctl unlock' or reboot. --all --seal then sets "
	       "kernel.modules_disabled=1 after loading the boot configuration's preload list and "
	       "waiting for udev: no module can be loaded or unloaded until reboot.\n\n"
	       "Locks are kept in " REGISTRY_FILE ". --boot reads lockdown.d/*.conf in "
	       SYSCONFDIR "/modctl, " RUNSTATEDIR "/modctl and " PREFIX_LIBDIR "/modctl.",
	.children = lock_children,
};

static const struct argp unlock_argp = {
	.options = unlock_options,
	.parser = lock_parse,
	.args_doc = "MODULE...\n--all",
	.doc = "Remove modctl's locks.\vA kernel seal (kernel.modules_disabled=1) cannot be undone.",
	.children = lock_children,
};

/* --- lockdown ----------------------------------------------------------- */

static enum exit_code lockdown_boot(const struct lock_args *a)
{
	static const char *const dirs[] = LOCKDOWN_CONF_DIRS_INIT;
	struct lockdown_conf conf = { 0 };
	struct registry_txn txn = REGISTRY_TXN_INIT;
	struct lockpin lp = { 0 };
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	bool changed = false;
	enum exit_code code = EXIT_OK;
	size_t i;
	int r;

	r = lockdown_conf_load(&conf, dirs);
	if (r < 0) {
		log_error_errno(r, "cannot read the boot configuration: %m");
		code = EXIT_FAIL;
		goto out;
	}
	if (kmodctx_new(&ctx, 1) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	conf.errors += lockdown_conf_validate(ctx, &conf);
	if (conf.errors) {
		log_error("%u error%s in the boot configuration: nothing was applied", conf.errors,
			  conf.errors == 1 ? "" : "s");
		code = EXIT_FAIL;
		goto out;
	}
	if (!a->dry_run && (code = lock_need_privilege("apply the boot configuration")))
		goto out;

	code = lock_preload(ctx, &conf, a->dry_run);
	if (code && conf.seal) {
		log_error("not sealing: a module of the preload list failed to load");
		/* Locks still apply: they are undone by unlock, unlike a seal. */
	}
	if (a->dry_run) {
		if (registry_load(&txn.reg) < 0) {
			exit_keep_first(&code, EXIT_FAIL);
			goto out;
		}
	} else if (registry_begin(&txn) < 0) {
		exit_keep_first(&code, EXIT_FAIL);
		goto out;
	}
	/* bpffs does not survive a reboot: the boot pins again. */
	r = lockpin_init(&lp, a->no_pin || conf.no_pin, a->dry_run);
	for (i = 0; i < conf.n_lock && r == 0; i++)
		r = lock_set(&txn, &lp, conf.lock[i].name, true, &changed);
	if (r == 0 && conf.lock_all)
		r = lock_all_loaded(&txn, &lp, &changed);
	if (r < 0) {
		exit_keep_first(&code, EXIT_FAIL);
		goto out;
	}
	exit_keep_first(&code, lock_commit(&txn, a->dry_run, changed));
	lockpin_done(&lp);
	if (conf.seal && code == EXIT_OK)
		code = lock_seal(a->timeout, a->dry_run);
out:
	lockpin_done(&lp);
	registry_end(&txn);
	lockdown_conf_free(&conf);
	return code;
}

static enum exit_code lock_parse_args(struct invocation *inv, const struct argp *argp, int argc, char *argv[])
{
	struct lock_args *a = inv->args;

	a->timeout = SEAL_TIMEOUT_DEFAULT_USEC;
	return command_parse_modules(inv, argp, argc, argv, a, &a->modules);
}

static enum exit_code lockdown_parse_args(struct invocation *inv, int argc, char *argv[])
{
	return lock_parse_args(inv, &lockdown_argp, argc, argv);
}

static enum exit_code unlock_parse_args(struct invocation *inv, int argc, char *argv[])
{
	return lock_parse_args(inv, &unlock_argp, argc, argv);
}

static enum exit_code lockdown_run(struct invocation *inv)
{
	const struct lock_args *a = inv->args;
	struct registry_txn txn = REGISTRY_TXN_INIT;
	struct lockpin lp = { 0 };
	struct proc_modules pm = { 0 };
	bool changed = false;
	enum exit_code code = EXIT_OK;
	int r, i;

	if (a->boot)
		return lockdown_boot(a);
	if (!a->dry_run && (code = lock_need_privilege("lock modules")))
		return code;

	r = proc_modules_read(&pm);
	if (r < 0) {
		log_error_errno(r, r == -ENOENT ? PROC_MODULES " does not exist: this kernel has no loadable "
						  "module support"
						: "cannot read " PROC_MODULES ": %m");
		return EXIT_FAIL;
	}

	/* --seal: the preload list first, so nothing it needs is locked out. */
	if (a->seal) {
		static const char *const dirs[] = LOCKDOWN_CONF_DIRS_INIT;
		struct lockdown_conf conf = { 0 };
		_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;

		r = lockdown_conf_load(&conf, dirs);
		if (r == 0 && conf.n_preload) {
			if (kmodctx_new(&ctx, 1) < 0) {
				r = -ENOMEM;
			} else {
				conf.errors += lockdown_conf_validate(ctx, &conf);
				if (!conf.errors)
					code = lock_preload(ctx, &conf, a->dry_run);
			}
		}
		if (r < 0 || conf.errors) {
			log_error("not sealing: the boot configuration has errors");
			code = EXIT_FAIL;
		} else if (code) {
			log_error("not sealing: a module of the preload list failed to load");
		}
		lockdown_conf_free(&conf);
		if (code)
			goto out;
	}

	if (a->dry_run)
		r = registry_load(&txn.reg);
	else
		r = registry_begin(&txn);
	if (r < 0 || lockpin_init(&lp, a->no_pin, a->dry_run) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < a->modules.n; i++) {
		const struct proc_module *m = proc_modules_find(&pm, a->modules.v[i]);

		if (!m) {
			log_error("cannot lock %s: it is not loaded", a->modules.v[i]);
			exit_keep_first(&code, EXIT_NOTFOUND);
			continue;
		}
		if (lock_set(&txn, &lp, m->name, true, &changed) < 0)
			exit_keep_first(&code, EXIT_FAIL);
	}
	if (a->all && lock_all_loaded(&txn, &lp, &changed) < 0)
		exit_keep_first(&code, EXIT_FAIL);
	exit_keep_first(&code, lock_commit(&txn, a->dry_run, changed));
	lockpin_done(&lp);
	/* Only a complete lockdown may be sealed. */
	if (a->seal && code == EXIT_OK)
		code = lock_seal(a->timeout, a->dry_run);
out:
	lockpin_done(&lp);
	registry_end(&txn);
	proc_modules_free(&pm);
	return code;
}

/* --- unlock ------------------------------------------------------------- */

static enum exit_code unlock_run(struct invocation *inv)
{
	const struct lock_args *a = inv->args;
	struct registry_txn txn = REGISTRY_TXN_INIT;
	struct lockpin lp = { 0 };
	bool changed = false;
	enum exit_code code = EXIT_OK;
	int r, i;
	size_t k;

	if (lock_is_sealed()) {
		log_error("cannot unlock: the kernel is sealed (kernel.modules_disabled=1) and no module "
			  "can be unloaded until reboot; a seal cannot be undone");
		return EXIT_NOTPERM;
	}
	if (!a->dry_run && (code = lock_need_privilege("unlock modules")))
		return code;
	r = a->dry_run ? registry_load(&txn.reg) : registry_begin(&txn);
	if (r < 0 || lockpin_init(&lp, false, a->dry_run) < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	if (a->all) {
		char **orphans = NULL;
		size_t n = 0;

		for (k = txn.reg.n; k > 0; k--) {
			char *name = strdup(txn.reg.locks[k - 1]);

			if (!name || lock_set(&txn, &lp, name, false, &changed) < 0)
				exit_keep_first(&code, EXIT_FAIL);
			free(name);
		}
		lock_set_mode(&txn, false, a->dry_run, &changed);
		/* Pins no lock records (a crash between pinning and writing
		 * the registry left them) go too. */
		if (!a->dry_run && pin_list(&orphans, &n) == 0)
			for (k = 0; k < n; k++)
				if (!registry_is_locked(&txn.reg, orphans[k]) && lockpin_unpin(&lp, orphans[k]) < 0)
					exit_keep_first(&code, EXIT_FAIL);
		strv_free(orphans);
	}
	for (i = 0; i < a->modules.n; i++)
		if (lock_set(&txn, &lp, a->modules.v[i], false, &changed) < 0)
			exit_keep_first(&code, EXIT_FAIL);
	exit_keep_first(&code, lock_commit(&txn, a->dry_run, changed));
out:
	lockpin_done(&lp);
	registry_end(&txn);
	return code;
}

const struct command cmd_lockdown = {
	.name = "lockdown",
	.summary = "lock modules against unloading; seal the kernel",
	.args_size = sizeof(struct lock_args),
	.parse = lockdown_parse_args,
	.run = lockdown_run,
};

const struct command cmd_unlock = {
	.name = "unlock",
	.summary = "remove modctl's locks",
	.args_size = sizeof(struct lock_args),
	.parse = unlock_parse_args,
	.run = unlock_run,
};
