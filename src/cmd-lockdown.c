// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modctl lockdown and modctl unlock: per-module locks kept in the registry
 * and honoured by modctl and by modprobe -r, lockdown-all mode, the kernel
 * seal (kernel.modules_disabled=1) done safely, and the boot configuration.
 */
#include <stdio.h>

#include "bootconf.h"
#include "kernel.h"
#include "kmodctx.h"
#include "load.h"
#include "registry-txn.h"
#include "registry.h"
#include "seal.h"
#include "log.h"
#include "cmd-lockdown.h"
#include "sysfs.h"

/* --timeout's default, as --help says: how long the seal waits for udev, 30s. */
#define SEAL_TIMEOUT_DEFAULT_USEC 30000000ULL

enum {
	OPT_SEAL = 0x100,
	OPT_BOOT,
};

static const struct argp_option lockdown_options[] = {
	{ "all", 'a', NULL, 0, "lock every loaded module and turn on lockdown-all mode", 0 },
	{ "seal", OPT_SEAL, NULL, 0, "with --all: then set kernel.modules_disabled=1 (until reboot)", 0 },
	{ "boot", OPT_BOOT, NULL, 0, "apply the boot configuration (lockdown.d)", 0 },
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
	       "by 'modprobe -r'. Locks last until 'modctl unlock' or reboot. --all --seal then sets "
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

/* --- shared steps ------------------------------------------------------- */

static enum exit_code need_privilege(const char *what)
{
	if (have_cap_sys_module())
		return EXIT_OK;
	log_error("cannot %s: changing locks needs the CAP_SYS_MODULE capability (run modctl as root)", what);
	return EXIT_NOTPERM;
}

static bool is_sealed(void)
{
	bool sealed = false;

	return kernel_modules_disabled(&sealed) == 0 && sealed;
}

/* Lock or unlock name in the transaction, saying what changes. */
static int set_lock(struct registry_txn *txn, const char *name, bool locked, bool dry_run, bool *changed)
{
	int r = dry_run ? (registry_is_locked(&txn->reg, name) != locked) : registry_set(&txn->reg, name, locked);

	if (r < 0)
		return log_error_errno(r, "cannot %s %s: %m", locked ? "lock" : "unlock", name);
	if (r > 0) {
		*changed = true;
		if (dry_run)
			printf("%s %s\n", locked ? "lock" : "unlock", name);
		else
			log_info("%s %s", locked ? "locked" : "unlocked", name);
	} else {
		log_info("%s was %s", name, locked ? "already locked" : "not locked");
	}
	return 0;
}

static int set_mode(struct registry_txn *txn, bool all, bool dry_run, bool *changed)
{
	if (txn->reg.lock_all == all)
		return 0;
	*changed = true;
	if (dry_run)
		printf("lockdown-all mode %s\n", all ? "on" : "off");
	else
		txn->reg.lock_all = all;
	return 0;
}

static int lock_all_loaded(struct registry_txn *txn, bool dry_run, bool *changed)
{
	struct proc_modules pm;
	const char **names = NULL;
	bool *added = NULL;
	size_t i;
	int r;

	r = proc_modules_read(&pm);
	if (r < 0)
		return log_error_errno(r, "cannot read " PROC_MODULES ": %m");
	names = calloc(pm.n + 1, sizeof(char *));
	added = calloc(pm.n + 1, sizeof(bool));
	if (!names || !added) {
		r = log_error_errno(ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < pm.n; i++)
		names[i] = pm.mods[i].name;
	if (dry_run) {
		for (i = 0; i < pm.n; i++)
			if (!registry_is_locked(&txn->reg, names[i])) {
				printf("lock %s\n", names[i]);
				*changed = true;
			}
	} else {
		/* One sort for all, not one per module: 5,000 modules stay cheap. */
		r = registry_set_many(&txn->reg, names, pm.n, added);
		if (r < 0) {
			log_error_errno(r, "cannot lock every module: %m");
			goto out;
		}
		if (r > 0)
			*changed = true;
		for (i = 0; i < pm.n; i++)
			if (added[i])
				log_info("locked %s", names[i]);
	}
	r = set_mode(txn, true, dry_run, changed);
out:
	free(names);
	free(added);
	proc_modules_free(&pm);
	return r;
}

static enum exit_code commit(struct registry_txn *txn, bool dry_run, bool changed)
{
	if (dry_run || !changed)
		return EXIT_OK;
	/* The registry is modctl's own business: whatever keeps it from
	 * being written (an untrusted file, a full disk) is a failure. */
	return registry_commit(txn) < 0 ? EXIT_FAIL : EXIT_OK;
}

/*
 * The seal, after the preload list was loaded and everything locked. A
 * kernel already sealed is left alone.
 */
static enum exit_code seal(uint64_t timeout, bool dry_run)
{
	int signo = 0, r;

	if (is_sealed()) {
		log_info("the kernel is already sealed (kernel.modules_disabled=1)");
		return EXIT_OK;
	}
	if (dry_run) {
		printf("wait for udev to settle\nseal: write 1 to " PROC_MODULES_DISABLED "\n");
		return EXIT_OK;
	}
	r = seal_kernel(timeout, &signo);
	if (r == -EINTR)
		return exit_code_from_signal(signo);
	if (r == 0)
		log_notice("sealed: kernel.modules_disabled=1; no module can be loaded or unloaded until reboot");
	return exit_code_from_errno(r);
}

/* Load the preload list of a configuration. Returns the first failure. */
static enum exit_code preload(struct kmod_ctx *ctx, const struct lockdown_conf *conf, bool dry_run)
{
	int signo = 0, r = 0;
	struct load_opts o = { .dry_run = dry_run, .signo = &signo };
	size_t i;

	for (i = 0; i < conf->n_preload; i++) {
		struct load_item it = { .arg = conf->preload[i].name, .options = conf->preload[i].options };
		int one = load_one(ctx, &it, &o);

		if (one == -EINTR)
			return exit_code_from_signal(signo);
		errno_keep_first(&r, one);
	}
	return exit_code_from_errno(r);
}

/* --- lockdown ----------------------------------------------------------- */

static enum exit_code lockdown_boot(const struct lock_args *a)
{
	static const char *const dirs[] = LOCKDOWN_CONF_DIRS_INIT;
	struct lockdown_conf conf = { 0 };
	struct registry_txn txn = REGISTRY_TXN_INIT;
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
	if (!a->dry_run && (code = need_privilege("apply the boot configuration")))
		goto out;

	code = preload(ctx, &conf, a->dry_run);
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
	for (i = 0; i < conf.n_lock && r == 0; i++)
		r = set_lock(&txn, conf.lock[i].name, true, a->dry_run, &changed);
	if (r == 0 && conf.lock_all)
		r = lock_all_loaded(&txn, a->dry_run, &changed);
	if (r < 0) {
		exit_keep_first(&code, EXIT_FAIL);
		goto out;
	}
	exit_keep_first(&code, commit(&txn, a->dry_run, changed));
	if (conf.seal && code == EXIT_OK)
		code = seal(a->timeout, a->dry_run);
out:
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
	struct proc_modules pm = { 0 };
	bool changed = false;
	enum exit_code code = EXIT_OK;
	int r, i;

	if (a->boot)
		return lockdown_boot(a);
	if (!a->dry_run && (code = need_privilege("lock modules")))
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
					code = preload(ctx, &conf, a->dry_run);
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
	if (r < 0) {
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
		if (set_lock(&txn, m->name, true, a->dry_run, &changed) < 0)
			exit_keep_first(&code, EXIT_FAIL);
	}
	if (a->all && lock_all_loaded(&txn, a->dry_run, &changed) < 0)
		exit_keep_first(&code, EXIT_FAIL);
	exit_keep_first(&code, commit(&txn, a->dry_run, changed));
	/* Only a complete lockdown may be sealed. */
	if (a->seal && code == EXIT_OK)
		code = seal(a->timeout, a->dry_run);
out:
	registry_end(&txn);
	proc_modules_free(&pm);
	return code;
}

/* --- unlock ------------------------------------------------------------- */

static enum exit_code unlock_run(struct invocation *inv)
{
	const struct lock_args *a = inv->args;
	struct registry_txn txn = REGISTRY_TXN_INIT;
	bool changed = false;
	enum exit_code code = EXIT_OK;
	int r, i;
	size_t k;

	if (is_sealed()) {
		log_error("cannot unlock: the kernel is sealed (kernel.modules_disabled=1) and no module "
			  "can be unloaded until reboot; a seal cannot be undone");
		return EXIT_NOTPERM;
	}
	if (!a->dry_run && (code = need_privilege("unlock modules")))
		return code;
	r = a->dry_run ? registry_load(&txn.reg) : registry_begin(&txn);
	if (r < 0) {
		code = EXIT_FAIL;
		goto out;
	}
	if (a->all) {
		for (k = txn.reg.n; k > 0; k--) {
			char *name = strdup(txn.reg.locks[k - 1]);

			if (!name || set_lock(&txn, name, false, a->dry_run, &changed) < 0)
				exit_keep_first(&code, EXIT_FAIL);
			free(name);
		}
		set_mode(&txn, false, a->dry_run, &changed);
	}
	for (i = 0; i < a->modules.n; i++)
		if (set_lock(&txn, a->modules.v[i], false, a->dry_run, &changed) < 0)
			exit_keep_first(&code, EXIT_FAIL);
	exit_keep_first(&code, commit(&txn, a->dry_run, changed));
out:
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
