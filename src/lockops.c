// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The steps modctl lockdown, unlock and lockdown --boot share: privilege,
 * locking and unlocking in a registry transaction (pins included),
 * lockdown-all mode, the preload list and the seal.
 */
#include <stdio.h>

#include "kernel.h"
#include "load.h"
#include "lockops.h"
#include "log.h"
#include "seal.h"
#include "sysfs.h"

enum exit_code lock_need_privilege(const char *what)
{
	if (have_cap_sys_module())
		return EXIT_OK;
	log_error("cannot %s: changing locks needs the CAP_SYS_MODULE capability (run modctl as root)", what);
	return EXIT_NOTPERM;
}

bool lock_is_sealed(void)
{
	bool sealed = false;

	return kernel_modules_disabled(&sealed) == 0 && sealed;
}

/* Pin a locked module; *changed when the pin the registry records changed. */
static int pin_locked(struct registry_txn *txn, struct lockpin *lp, const char *name, bool *changed)
{
	const char *now = registry_pin(&txn->reg, name);
	char *before = now ? strdup(now) : NULL;
	int r;

	if (now && !before)
		return log_error_errno(ENOMEM, "out of memory");
	r = lockpin_pin(lp, &txn->reg, name);
	if (r >= 0) {
		now = registry_pin(&txn->reg, name);
		if (!before != !now || (before && !streq(before, now)))
			*changed = true;
	}
	free(before);
	if (r < 0)
		return log_error_errno(r, "cannot lock %s: %m", name);
	return 0;
}

/*
 * Lock or unlock name in the transaction, saying what changes. Locking
 * pins the module (lockpin.h) whether or not it was locked before, so that
 * a registry-only lock becomes kernel-enforced when it can; unlocking
 * releases modctl's pin first, and keeps the lock when the pin stays.
 */
int lock_set(struct registry_txn *txn, struct lockpin *lp, const char *name, bool locked, bool *changed)
{
	bool dry_run = lp->dry_run;
	int r;

	if (!locked && !dry_run) {
		r = lockpin_unpin(lp, name);
		if (r < 0 && r != -ESTALE)
			return r;
	}
	r = dry_run ? (registry_is_locked(&txn->reg, name) != locked) : registry_set(&txn->reg, name, locked);
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
	return locked ? pin_locked(txn, lp, name, changed) : 0;
}

int lock_set_mode(struct registry_txn *txn, bool all, bool dry_run, bool *changed)
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

int lock_all_loaded(struct registry_txn *txn, struct lockpin *lp, bool *changed)
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
	if (lp->dry_run) {
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
	/* One pinner for all: vmlinux BTF is parsed once, whatever the count. */
	for (i = 0; i < pm.n; i++) {
		r = pin_locked(txn, lp, names[i], changed);
		if (r < 0)
			goto out;
	}
	r = lock_set_mode(txn, true, lp->dry_run, changed);
out:
	free(names);
	free(added);
	proc_modules_free(&pm);
	return r;
}

enum exit_code lock_commit(struct registry_txn *txn, bool dry_run, bool changed)
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
enum exit_code lock_seal(uint64_t timeout, bool dry_run)
{
	int signo = 0, r;

	if (lock_is_sealed()) {
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
enum exit_code lock_preload(struct kmod_ctx *ctx, const struct lockdown_conf *conf, bool dry_run)
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

