// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Locks and their pins changed together (lockpin.h): the one place that
 * decides what a lock's pin becomes and what the user is told about it.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockpin.h"
#include "log.h"
#include "macro.h"
#include "registry-txn.h"

int lockpin_init(struct lockpin *lp, bool no_pin, bool dry_run)
{
	memset(lp, 0, sizeof(*lp));
	lp->no_pin = no_pin;
	lp->dry_run = dry_run;
	if (no_pin || dry_run)
		return 0;
	return pinner_new(&lp->pinner);
}

/* Remember that name stays registry-only because of why. */
static int note_reason(struct lockpin *lp, const char *name, const char *why)
{
	struct lockpin_reason *r = NULL;
	char *s;
	size_t i;

	for (i = 0; i < lp->n_reasons; i++)
		if (lp->reasons[i].why == why || streq(lp->reasons[i].why, why))
			r = &lp->reasons[i];
	if (!r) {
		struct lockpin_reason *n = realloc(lp->reasons, (lp->n_reasons + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		lp->reasons = n;
		r = &lp->reasons[lp->n_reasons++];
		r->why = why;
		r->names = NULL;
	}
	if (asprintf(&s, "%s%s%s", r->names ? r->names : "", r->names ? " " : "", name) < 0)
		return -ENOMEM;
	free(r->names);
	r->names = s;
	return 0;
}

void lockpin_done(struct lockpin *lp)
{
	size_t i;

	for (i = 0; i < lp->n_reasons; i++) {
		log_warning("not kernel-enforced, locked for modctl and modprobe -r only: %s (%s)",
			    lp->reasons[i].names, lp->reasons[i].why);
		free(lp->reasons[i].names);
	}
	free(lp->reasons);
	pinner_free(lp->pinner);
	memset(lp, 0, sizeof(*lp));
}

static void say_stale(const char *name)
{
	log_warning("%s was removed by force while it was locked (the kernel is tainted): its pin is kept in "
		    PIN_STALE_DIR " until reboot, as releasing it would crash the kernel", name);
}

int lockpin_pin(struct lockpin *lp, struct registry *reg, const char *name)
{
	struct pin_info info;
	const char *why = NULL;
	bool stale = false;
	int r;

	if (lp->no_pin) {
		if (!lp->dry_run) {
			r = lockpin_unpin(lp, name);
			if (r < 0 && r != -ESTALE)
				return 0; /* said; the pin stays and is recorded below */
		}
		return registry_set_pin(reg, name, REGISTRY_NO_PIN);
	}
	if (lp->dry_run) {
		why = pin_unavailable();
		if (why)
			return note_reason(lp, name, why);
		printf("pin %s\n", name);
		return 0;
	}
	r = pin_module(lp->pinner, name, &info, &why, &stale);
	if (stale)
		say_stale(name);
	if (r >= 0) {
		if (r == 0)
			log_info("pinned %s: the kernel holds a reference through a BPF %s on %s", name,
				 pin_mech_name(info.mech), info.func);
		/* A live pin without a recorded function (one a crash left
		 * behind) is adopted: the registry learns it now. */
		return registry_set_pin(reg, name, info.func[0] ? info.func : "?");
	}
	registry_set_pin(reg, name, NULL);
	return note_reason(lp, name, why ? why : "the kernel refused the pin");
}

int lockpin_unpin(struct lockpin *lp, const char *name)
{
	struct pin_info info;
	struct pinner *own = NULL;
	int r;

	if (!pin_built())
		return 0;
	if (!lp->pinner) {
		r = pinner_new(&own);
		if (r < 0)
			return log_error_errno(r, "cannot release the pin of %s: %m", name);
	}
	r = pin_release(lp->pinner ? lp->pinner : own, name, &info);
	pinner_free(own);
	if (r == -ESTALE) {
		say_stale(name);
		return r;
	}
	if (r < 0)
		return log_error_errno(r, "cannot release the pin of %s (%s): %m; it stays locked", name, info.path);
	if (info.state == PIN_LIVE)
		log_info("released the pin of %s", name);
	return 0;
}

bool lockpin_exists(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", PIN_DIR, name);
	return lstat(path, &st) == 0;
}

int lockpin_release_for_unload(const char *name)
{
	struct registry_txn txn = REGISTRY_TXN_INIT;
	struct lockpin lp = { 0 };
	int r;

	r = registry_begin(&txn);
	if (r >= 0)
		r = lockpin_init(&lp, false, false);
	if (r >= 0) {
		r = lockpin_unpin(&lp, name);
		/* The lock stays, registry-only, as long as the registry has it. */
		if ((r == 0 || r == -ESTALE) && registry_pin(&txn.reg, name)) {
			registry_set_pin(&txn.reg, name, NULL);
			if (registry_commit(&txn) < 0)
				r = -EIO;
		}
	}
	lockpin_done(&lp);
	registry_end(&txn);
	return r == -ESTALE ? 0 : r;
}

static const char *registry_only_why(const struct registry *reg, const char *name)
{
	const char *claim = registry_pin(reg, name);
	const char *why;
	char path[128];

	if (claim && streq(claim, REGISTRY_NO_PIN))
		return "registry-only, as asked (lockdown --no-pin, or no-pin in lockdown.d)";
	if ((why = pin_unavailable()))
		return why;
	if (claim)
		return "its pin was removed outside modctl; 'modctl lockdown' pins it again";
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", name);
	if (access(path, F_OK) < 0)
		return "the module has no BTF (/sys/kernel/btf has no entry for it)";
	return "the kernel could not hold it when it was locked; 'modctl lockdown' tries again";
}

void lockpin_facts(struct pinner *p, const struct registry *reg, const char *name, struct pin_facts *pf)
{
	struct pin_info info;
	bool locked = reg && registry_is_locked(reg, name);
	int r;

	memset(pf, 0, sizeof(*pf));
	pf->pin = "none";
	if (!pin_built() || !p) {
		if (locked)
			pf->note = pin_unavailable();
		return;
	}
	r = pin_inspect(p, name, &info);
	if (r < 0) {
		pf->pin = "unknown";
		pf->note = r == -EACCES || r == -EPERM ? "reading pins needs root (CAP_SYS_ADMIN)"
						       : "the pin cannot be read";
		return;
	}
	if (info.state == PIN_ABSENT) {
		if (locked)
			pf->note = registry_only_why(reg, name);
		return;
	}
	pf->type = pin_mech_name(info.mech);
	snprintf(pf->func, sizeof(pf->func), "%s", info.func);
	snprintf(pf->path, sizeof(pf->path), "%s", info.path);
	if (info.state == PIN_STALE) {
		pf->pin = "stale";
		pf->note = "the module it held was removed by force (or removed and loaded again): the pin "
			   "stays until reboot, as releasing it would crash the kernel";
	} else if (reg && !locked) {
		pf->pin = "orphan";
		pf->note = "the registry does not lock this module (a lockdown was interrupted, or the "
			   "registry was lost): 'modctl unlock' releases the pin";
	} else {
		pf->pin = "live"; /* or the registry is not trusted: live is all that is known */
	}
}
